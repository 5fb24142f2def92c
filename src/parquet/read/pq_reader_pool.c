/*
 * Buffer recycling between the batches of one scan. The consumer owns a batch until it calls
 * release; the buffers of a released batch come back here and the next row groups decode
 * into them, so a scan that releases as it goes stops faulting in (and zeroing) fresh pages
 * for every row group. The pool only holds what the consumer gave back (at most POOL_SLOTS
 * buffers); batches kept alive are never touched. Arrays and the scan each hold a reference:
 * arrays may be released after the stream, from any thread.
 */
#include <pthread.h>
#include <string.h>

#include "parquet/read/assemble.h"
#include "util/alloc.h"

#define POOL_SLOTS 32

struct pq_bufpool {
	pthread_mutex_t mu;
	int refs;
	int open; /* the scan is alive: returned buffers are kept */
	int n;
	void *p[POOL_SLOTS];
	size_t cap[POOL_SLOTS];
};

pq_bufpool *pq_bufpool_new(void)
{
	pq_bufpool *b = hfds_calloc(1, sizeof *b);
	if (!b)
		return NULL;
	if (pthread_mutex_init(&b->mu, NULL) != 0) {
		hfds_free(b);
		return NULL;
	}
	b->refs = 1;
	b->open = 1;
	return b;
}

void pq_bufpool_ref(pq_bufpool *b)
{
	pthread_mutex_lock(&b->mu);
	b->refs++;
	pthread_mutex_unlock(&b->mu);
}

static void drain(pq_bufpool *b)
{
	int i;
	for (i = 0; i < b->n; i++)
		hfds_free(b->p[i]);
	b->n = 0;
}

void pq_bufpool_unref(pq_bufpool *b, int closing)
{
	int last;
	if (!b)
		return;
	pthread_mutex_lock(&b->mu);
	if (closing) {
		b->open = 0;
		drain(b);
	}
	last = --b->refs == 0;
	pthread_mutex_unlock(&b->mu);
	if (last) {
		pthread_mutex_destroy(&b->mu);
		hfds_free(b);
	}
}

void pq_bufpool_put(pq_bufpool *b, void *p, size_t cap)
{
	int i, small = -1;
	if (!p)
		return;
	pthread_mutex_lock(&b->mu);
	if (b->open && cap) {
		if (b->n < POOL_SLOTS) {
			b->p[b->n] = p;
			b->cap[b->n++] = cap;
			p = NULL;
		} else { /* full: keep the bigger buffer */
			for (i = 0; i < b->n; i++)
				if (small < 0 || b->cap[i] < b->cap[small])
					small = i;
			if (b->cap[small] < cap) {
				void *q = b->p[small];
				b->p[small] = p;
				b->cap[small] = cap;
				p = q;
			}
		}
	}
	pthread_mutex_unlock(&b->mu);
	hfds_free(p);
}

void *pq_bufpool_get(pq_bufpool *b, size_t want, size_t *cap)
{
	int i, best = -1;
	void *p = NULL;
	*cap = 0;
	if (!b)
		return NULL;
	pthread_mutex_lock(&b->mu);
	/* the smallest that fits, else the largest (it will grow) */
	for (i = 0; i < b->n; i++)
		if (b->cap[i] >= want && (best < 0 || b->cap[i] < b->cap[best]))
			best = i;
	if (best < 0)
		for (i = 0; i < b->n; i++)
			if (best < 0 || b->cap[i] > b->cap[best])
				best = i;
	if (best >= 0) {
		p = b->p[best];
		*cap = b->cap[best];
		b->p[best] = b->p[--b->n];
		b->cap[best] = b->cap[b->n];
	}
	pthread_mutex_unlock(&b->mu);
	return p;
}

void pq_bufpool_fill(pq_bufpool *b, hfds_buf *buf, size_t want)
{
	size_t cap;
	void *p;
	hfds_error ignored;
	if (!b || buf->data || want == 0)
		return;
	if ((p = pq_bufpool_get(b, want, &cap)) != NULL) {
		if (cap > buf->max) { /* never hand out more than the buffer's ceiling allows */
			pq_bufpool_put(b, p, cap);
			return;
		}
		buf->data = p;
		buf->cap = cap;
		buf->len = 0;
	}
	/* Grown by doubling instead, a buffer would pass through sizes whose realloc copies
	 * (when it cannot be remapped) hold the old and the new block at once: 1.5 times the
	 * values at the peak. Only the pages written count; a failure here is left to the
	 * decoder's own reserve, which reports it. */
	if (buf->cap < want && want <= buf->max)
		(void)hfds_buf_reserve(buf, want, &ignored);
}
