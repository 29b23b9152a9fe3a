/* log.h: structured JSON log lines on stderr. */
#ifndef PUSHD_LOG_H
#define PUSHD_LOG_H

#include <jansson.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the lowest level printed from its name; returns -1 for an unknown name. */
int log_set_level(const char *name);
/* Prints one line {"timestamp","level","service","event","persona_id","client_ip",...};
 * persona and ip may be NULL; extra (may be NULL) is an object whose keys are added, and is consumed. */
void log_event(enum log_level level, const char *event, const char *persona, const char *ip, json_t *extra);
/* Routes libwebsockets' own log lines through log_event. */
void log_lws_emit(int level, const char *line);

#endif
