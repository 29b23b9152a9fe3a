/* ring.h: one persona's recent events, shared by all its clients; bounded in messages and bytes. */
#ifndef PUSHD_RING_H
#define PUSHD_RING_H

#include <stdint.h>

#include "msg.h"

struct ring {
	struct msg **slots;
	unsigned cap;
	unsigned count;
	uint64_t first_seq;  /* sequence number of the oldest entry */
	size_t bytes, max_bytes;
	int64_t base_id;     /* the ring holds every event of its persona with id in (base_id, newest] */
};

/* Allocates the slots; returns -1 on failure. */
int ring_init(struct ring *r, unsigned cap, size_t max_bytes);
/* Appends an event message (reference consumed), trimming the oldest entries beyond the limits. */
void ring_push(struct ring *r, struct msg *m);
/* Sequence number after the newest entry. */
static inline uint64_t ring_end(const struct ring *r) { return r->first_seq + r->count; }
/* The entry with sequence number seq, or NULL when trimmed or not yet written. */
struct msg *ring_at(const struct ring *r, uint64_t seq);
/* Releases every entry and the slots. */
void ring_free(struct ring *r);

#endif
