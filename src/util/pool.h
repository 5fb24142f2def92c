/*
 * hfds_pool: a fixed set of worker threads.
 *
 * Two shapes:
 *  - hfds_pool_run: parallel-for over [0, n); the caller's thread works too and the call
 *    returns when every index is done. Results must be written to per-index slots, which
 *    keeps output independent of scheduling (determinism on any thread count).
 *  - task groups: submit work asynchronously (e.g. compress row group k while the
 *    caller fills row group k+1) and wait for the group later.
 * A pool created with 1 thread runs everything inline on the caller's thread.
 * Thread-safety: all functions may be called from any thread; one group must not be
 * waited on by two threads at once.
 */
#ifndef HFDS_UTIL_POOL_H
#define HFDS_UTIL_POOL_H

#include <stddef.h>
#include "hfds/common.h"

/* hfds_pool, hfds_pool_new/_free/_threads are public (hfds/common.h). */
typedef struct hfds_taskgroup hfds_taskgroup;

/* Number of online CPUs (at least 1). */
int hfds_cpu_count(void);


void hfds_pool_run(hfds_pool *pool, size_t n, void (*fn)(void *arg, size_t i), void *arg);

int hfds_taskgroup_new(hfds_taskgroup **out, hfds_pool *pool, hfds_error *err);
/* Queues fn(arg). With a 1-thread pool fn runs before submit returns. */
int hfds_taskgroup_submit(hfds_taskgroup *g, void (*fn)(void *arg), void *arg, hfds_error *err);
/* The same, ahead of every task queued: the next worker to be free runs it (a piece of
 * output the caller waits for, not behind the queued encoding jobs). */
int hfds_taskgroup_submit_first(hfds_taskgroup *g, void (*fn)(void *arg), void *arg, hfds_error *err);
/* Blocks until every task submitted to g has finished (the caller helps run queued tasks). */
void hfds_taskgroup_wait(hfds_taskgroup *g);
void hfds_taskgroup_free(hfds_taskgroup *g); /* waits first */

#endif
