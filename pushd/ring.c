/* ring.c: the shared per-persona event ring (fan-out without per-client copies). */
#include "ring.h"

#include <stdlib.h>

/* Allocates the slots. */
int ring_init(struct ring *r, unsigned cap, size_t max_bytes)
{
	r->slots = calloc(cap, sizeof(*r->slots));
	r->cap = cap;
	r->count = 0;
	r->first_seq = 0;
	r->bytes = 0;
	r->max_bytes = max_bytes;
	r->base_id = -1;
	return r->slots ? 0 : -1;
}

/* Drops the oldest entry; the ring then starts after its event. */
static void ring_trim_one(struct ring *r)
{
	struct msg **slot = &r->slots[r->first_seq % r->cap];
	r->base_id = (*slot)->event_id;
	r->bytes -= (*slot)->len;
	msg_unref(*slot);
	*slot = NULL;
	r->first_seq++;
	r->count--;
}

/* Appends an event message, trimming the oldest entries beyond the limits. */
void ring_push(struct ring *r, struct msg *m)
{
	while (r->count && (r->count == r->cap || r->bytes + m->len > r->max_bytes))
		ring_trim_one(r);
	r->slots[ring_end(r) % r->cap] = m;
	r->count++;
	r->bytes += m->len;
}

/* The entry with sequence number seq, or NULL. */
struct msg *ring_at(const struct ring *r, uint64_t seq)
{
	if (seq < r->first_seq || seq >= ring_end(r))
		return NULL;
	return r->slots[seq % r->cap];
}

/* Releases every entry and the slots. */
void ring_free(struct ring *r)
{
	while (r->count)
		ring_trim_one(r);
	free(r->slots);
	r->slots = NULL;
}
