/*
 * One mutex-protected FIFO of tasks shared by all workers. Tasks are coarse (a column
 * chunk, a page, a row group), so queue contention is negligible next to the work.
 * Waiting threads run queued tasks themselves instead of sleeping, which makes nested
 * use (a task that itself waits on a group) deadlock-free.
 */
#include "util/pool.h"
#include "util/alloc.h"

#include <pthread.h>
#include <unistd.h>

typedef struct task {
	void (*fn)(void *);
	void *arg;
	hfds_taskgroup *group;
	struct task *next;
} task;

struct hfds_taskgroup {
	hfds_pool *pool;
	size_t pending; /* guarded by pool->mu */
};

struct hfds_pool {
	pthread_mutex_t mu;
	pthread_cond_t work;  /* a task was queued or shutdown began */
	pthread_cond_t done;  /* a task finished */
	task *head, *tail;
	int nthreads;         /* including the caller */
	pthread_t *workers;
	int nworkers;
	int shutdown;
};

int hfds_cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/* Pops one task; the caller holds mu. */
static task *pop(hfds_pool *p)
{
	task *t = p->head;
	if (t) {
		p->head = t->next;
		if (!p->head)
			p->tail = NULL;
	}
	return t;
}

/* Runs t with mu released, then marks it done. Caller holds mu on entry and exit. */
static void run_locked(hfds_pool *p, task *t)
{
	hfds_taskgroup *g = t->group;
	pthread_mutex_unlock(&p->mu);
	t->fn(t->arg);
	hfds_free(t);
	pthread_mutex_lock(&p->mu);
	g->pending--;
	pthread_cond_broadcast(&p->done);
}

static void *worker(void *arg)
{
	hfds_pool *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		task *t = pop(p);
		if (t) {
			run_locked(p, t);
			continue;
		}
		if (p->shutdown)
			break;
		pthread_cond_wait(&p->work, &p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int hfds_pool_new(hfds_pool **out, int threads, hfds_error *err)
{
	hfds_pool *p;
	int i;
	*out = NULL;
	if (threads <= 0)
		threads = hfds_cpu_count();
	p = hfds_calloc(1, sizeof(*p));
	if (!p)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory creating a thread pool");
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	p->nthreads = threads;
	if (threads > 1) {
		p->workers = hfds_calloc((size_t)threads - 1, sizeof(pthread_t));
		if (!p->workers) {
			hfds_pool_free(p);
			return hfds_error_set(err, HFDS_ENOMEM, "out of memory creating a thread pool");
		}
		for (i = 0; i < threads - 1; i++) {
			if (pthread_create(&p->workers[i], NULL, worker, p) != 0) {
				hfds_pool_free(p);
				return hfds_error_set(err, HFDS_ERROR, "cannot start worker thread %d", i);
			}
			p->nworkers++;
		}
	}
	*out = p;
	return 0;
}

void hfds_pool_free(hfds_pool *p)
{
	int i;
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->shutdown = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nworkers; i++)
		pthread_join(p->workers[i], NULL);
	hfds_free(p->workers);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	hfds_free(p);
}

int hfds_pool_threads(const hfds_pool *p)
{
	return p ? p->nthreads : 1;
}

int hfds_taskgroup_new(hfds_taskgroup **out, hfds_pool *pool, hfds_error *err)
{
	hfds_taskgroup *g = hfds_calloc(1, sizeof(*g));
	*out = NULL;
	if (!g)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory creating a task group");
	g->pool = pool;
	*out = g;
	return 0;
}

static int submit(hfds_taskgroup *g, void (*fn)(void *), void *arg, int first, hfds_error *err)
{
	hfds_pool *p = g->pool;
	task *t;
	if (!p || p->nworkers == 0) {
		fn(arg);
		return 0;
	}
	t = hfds_malloc(sizeof(*t));
	if (!t)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory queuing a task");
	t->fn = fn;
	t->arg = arg;
	t->group = g;
	t->next = NULL;
	pthread_mutex_lock(&p->mu);
	if (first) {
		t->next = p->head;
		p->head = t;
		if (!p->tail)
			p->tail = t;
	} else {
		if (p->tail)
			p->tail->next = t;
		else
			p->head = t;
		p->tail = t;
	}
	g->pending++;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

int hfds_taskgroup_submit(hfds_taskgroup *g, void (*fn)(void *), void *arg, hfds_error *err)
{
	return submit(g, fn, arg, 0, err);
}

int hfds_taskgroup_submit_first(hfds_taskgroup *g, void (*fn)(void *), void *arg, hfds_error *err)
{
	return submit(g, fn, arg, 1, err);
}

void hfds_taskgroup_wait(hfds_taskgroup *g)
{
	hfds_pool *p = g->pool;
	if (!p || p->nworkers == 0)
		return;
	pthread_mutex_lock(&p->mu);
	while (g->pending > 0) {
		task *t = pop(p);
		if (t)
			run_locked(p, t);
		else
			pthread_cond_wait(&p->done, &p->mu);
	}
	pthread_mutex_unlock(&p->mu);
}

void hfds_taskgroup_free(hfds_taskgroup *g)
{
	if (!g)
		return;
	hfds_taskgroup_wait(g);
	hfds_free(g);
}

typedef struct {
	void (*fn)(void *, size_t);
	void *arg;
	size_t i;
} for_item;

static void for_trampoline(void *a)
{
	for_item *it = a;
	it->fn(it->arg, it->i);
}

void hfds_pool_run(hfds_pool *pool, size_t n, void (*fn)(void *arg, size_t i), void *arg)
{
	hfds_taskgroup g = {pool, 0};
	for_item *items;
	size_t i;
	if (!pool || pool->nworkers == 0 || n < 2) {
		for (i = 0; i < n; i++)
			fn(arg, i);
		return;
	}
	items = hfds_malloc(n * sizeof(*items));
	if (!items) { /* degrade to serial rather than fail: the work is the same */
		for (i = 0; i < n; i++)
			fn(arg, i);
		return;
	}
	for (i = 0; i < n; i++) {
		items[i] = (for_item){fn, arg, i};
		if (hfds_taskgroup_submit(&g, for_trampoline, &items[i], NULL) < 0)
			fn(arg, i);
	}
	hfds_taskgroup_wait(&g);
	hfds_free(items);
}
