/* outbox.h: delivers the extension's alert outbox: claims due rows (FOR UPDATE SKIP LOCKED, with a lease)
 * when NOTIFY variant_dashboard_alerts says a row was written and every --webhook-poll-ms, posts them
 * (webhook.c) and records each attempt's verdict (finish_alert). */
#ifndef PUSHD_OUTBOX_H
#define PUSHD_OUTBOX_H

#include <stdio.h>

#include <libwebsockets.h>

#include "config.h"

/* Starts the poll timer (nothing when --webhook-concurrency is 0). Returns -1 on failure. */
int outbox_init(struct lws_context *ctx, const struct config *cfg);
/* A NOTIFY on variant_dashboard_alerts (or LISTEN back up): due rows may wait. */
void outbox_wake(void);
/* Appends the alert metrics (deliveries by result, queue depth, oldest pending age) to /metrics. */
void outbox_metrics_render(FILE *out);
/* Stops claiming and forgets deliveries in flight (their leases run out), before the context goes. */
void outbox_stop(void);

#endif
