/*
 * Background uploads of closed shards. The writer thread queues a shard and goes on with
 * the next one; worker threads, each with its own hub handle (a handle belongs to one
 * thread), store queued shards with hfds_hub_upload_file and then unlink them. Queue, spool
 * and counters live under one mutex; `room` wakes a writer waiting for spool space or for
 * the queue to drain, `work` wakes idle workers. The first error stops every worker and is
 * returned by the next add or wait, so a failed upload fails the publish before its commit.
 */
#include "hub/uploader.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hub/backend.h"
#include "hub/target.h"
#include "util/alloc.h"
#include "util/try.h"

#define MAX_WORKERS 16

typedef struct item {
	char *local, *path;
	char sha[HFDS_SHA256_HEX_SIZE];
	uint64_t size;
	int state;                  /* 0 queued, 1 in flight, 2 stored, 3 retained */
} item;

struct hub_uploader {
	hfds_hub *hub;
	char *repo_id, *branch;
	hfds_hub_upload_options o;
	pthread_mutex_t mu;
	pthread_cond_t work, room;
	item *items;
	size_t count, cap, next;    /* items[next..count) are queued */
	size_t in_flight;
	hfds_hub *handles[MAX_WORKERS];
	pthread_t threads[MAX_WORKERS];
	size_t started;
	int stop, rc;
	hfds_error err;
	hfds_hub_progress p;
};

void hfds_hub_upload_options_init(hfds_hub_upload_options *o)
{
	memset(o, 0, sizeof(*o));
	o->version = HFDS_HUB_UPLOAD_OPTIONS_VERSION;
}

/* Under the lock. */
static void report(hub_uploader *u, const char *event, const char *path)
{
	uint64_t r = hfds_hub_retries(u->hub);
	for (size_t i = 0; i < u->started; i++)
		r += hfds_hub_retries(u->handles[i]);
	u->p.retries = r;
	u->p.event = event;
	u->p.path = path;
	if (u->o.progress)
		u->o.progress(u->o.progress_payload, &u->p);
}

void hub_uploader_event(hub_uploader *u, const char *event, const char *path)
{
	if (!u)
		return;
	pthread_mutex_lock(&u->mu);
	report(u, event, path);
	pthread_mutex_unlock(&u->mu);
}

typedef struct worker_arg {
	hub_uploader *u;
	hfds_hub *hub;
} worker_arg;

static void *worker(void *arg)
{
	hub_uploader *u = ((worker_arg *)arg)->u;
	hfds_hub *hub = ((worker_arg *)arg)->hub;
	hfds_free(arg);
	pthread_mutex_lock(&u->mu);
	for (;;) {
		item *it;
		size_t k;
		int stored = 0, rc;
		hfds_error e;
		while (!u->stop && u->rc == 0 && u->next == u->count)
			pthread_cond_wait(&u->work, &u->mu);
		if (u->stop || u->rc < 0)
			break;
		k = u->next++;
		u->items[k].state = 1;
		u->in_flight++;
		it = &u->items[k];
		{
			/* the item array may grow while unlocked: copy what the upload needs */
			char *local = hfds_strdup(it->local), *path = hfds_strdup(it->path), sha[HFDS_SHA256_HEX_SIZE];
			uint64_t size = it->size;
			memcpy(sha, it->sha, sizeof(sha));
			pthread_mutex_unlock(&u->mu);
			hfds_error_init(&e);
			if (!local || !path)
				rc = hfds_error_set(&e, HFDS_ENOMEM, "out of memory");
			else
				rc = hfds_hub_upload_file(hub, HFDS_REPO_DATASET, u->repo_id, u->branch, path, local, sha, size,
					&stored, &e);
			if (rc == 0 && stored && !u->o.keep && unlink(local) < 0)
				stored = 0;   /* still on disk: count it in the spool */
			hfds_free(local);
			hfds_free(path);
			pthread_mutex_lock(&u->mu);
		}
		it = &u->items[k];
		u->in_flight--;
		if (rc < 0) {
			if (u->rc == 0) {
				u->rc = rc;
				u->err = e;
			}
			pthread_cond_broadcast(&u->room);
			pthread_cond_broadcast(&u->work);
			break;
		}
		it->state = stored ? 2 : 3;
		u->p.files_done++;
		u->p.bytes_done += it->size;
		if (stored && !u->o.keep)
			u->p.spool_bytes -= it->size;
		report(u, stored ? "stored" : "retained", it->path);
		pthread_cond_broadcast(&u->room);
	}
	pthread_mutex_unlock(&u->mu);
	return NULL;
}

int hub_uploader_new(hub_uploader **out, hfds_hub *hub, const char *repo_id, const char *branch,
	const hfds_hub_upload_options *o, hfds_error *err)
{
	hub_uploader *u = NULL;
	int rc = 0;
	*out = NULL;
	HFDS_CHECK_VERSION(o, HFDS_HUB_UPLOAD_OPTIONS_VERSION, "hfds_hub_upload_options", err);
	HFDS_FAIL_IF(o && o->keep && o->spool_max, HFDS_EINVAL, err,
		"keeping the uploaded shards and bounding the spool exclude each other");
	u = hfds_calloc(1, sizeof(*u));
	HFDS_FAIL_IF(!u, HFDS_ENOMEM, err, "out of memory");
	u->hub = hub;
	u->repo_id = hfds_strdup(repo_id);
	u->branch = hfds_strdup(branch);
	HFDS_FAIL_IF(!u->repo_id || !u->branch, HFDS_ENOMEM, err, "out of memory");
	if (o)
		u->o = *o;
	else
		hfds_hub_upload_options_init(&u->o);
	if (!u->o.workers)
		u->o.workers = hfds_hub_is_remote(hub) ? (hub->upload_workers ? hub->upload_workers : 4) : 1;
	if (u->o.workers > MAX_WORKERS)
		u->o.workers = MAX_WORKERS;
	pthread_mutex_init(&u->mu, NULL);
	pthread_cond_init(&u->work, NULL);
	pthread_cond_init(&u->room, NULL);
	hfds_error_init(&u->err);
	*out = u;
	u = NULL;
done:
	if (u) {
		hfds_free(u->repo_id);
		hfds_free(u->branch);
		hfds_free(u);
	}
	return rc;
}

/* Connections per shard. A worker's handle sends the parts of its shard on this many
 * connections. Over a network, parallel connections add bandwidth; to a server on this
 * machine they only add CPU: it then hashes parts that arrived ahead of the in-order prefix
 * by reading them back, and the parts' writers contend for the file. There one connection per
 * shard (parts in order, the workers spread over shards) is hashed from the receive buffer. */
static unsigned parts_parallel(const hub_uploader *u)
{
	const hfds_target *t = hfds_hub_target(u->hub);
	if (t && t->kind == HFDS_TARGET_REMOTE && hfds_hub__loopback(t->endpoint))
		return 1;
	return u->hub->upload_workers;
}

/* Under the lock: the worker threads, each with its own handle on the hub's target. */
static int start(hub_uploader *u, hfds_error *err)
{
	int rc = 0;
	while (u->started < u->o.workers) {
		worker_arg *a = NULL;
		hfds_hub *h = NULL;
		HFDS_TRY(hfds_hub_open_target(&h, hfds_hub_target(u->hub), err));
		hfds_hub_set_upload_workers(h, parts_parallel(u));
		a = hfds_calloc(1, sizeof(*a));
		if (!a) {
			hfds_hub_free(h);
			HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
		}
		a->u = u;
		a->hub = h;
		if (pthread_create(&u->threads[u->started], NULL, worker, a) != 0) {
			hfds_free(a);
			hfds_hub_free(h);
			HFDS_FAIL_IF(u->started == 0, HFDS_ERROR, err, "cannot start an upload thread");
			break;
		}
		u->handles[u->started++] = h;
	}
done:
	return rc;
}

static int first_error(hub_uploader *u, hfds_error *err)
{
	if (u->rc < 0)
		return hfds_error_set(err, u->rc, "%s", u->err.message);
	return 0;
}

int hub_uploader_add(hub_uploader *u, const char *local_path, const char *path, const char *sha256_hex,
	uint64_t size, hfds_error *err)
{
	int rc = 0;
	item *it;
	pthread_mutex_lock(&u->mu);
	HFDS_TRY(first_error(u, err));
	HFDS_TRY(start(u, err));
	if (u->count == u->cap) {
		size_t cap = u->cap ? 2 * u->cap : 16;
		item *grown = hfds_reallocarray(u->items, cap, sizeof(*grown));
		HFDS_FAIL_IF(!grown, HFDS_ENOMEM, err, "out of memory");
		u->items = grown;
		u->cap = cap;
	}
	it = &u->items[u->count];
	memset(it, 0, sizeof(*it));
	it->local = hfds_strdup(local_path);
	it->path = hfds_strdup(path);
	if (!it->local || !it->path) {
		hfds_free(it->local);
		hfds_free(it->path);
		HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
	}
	snprintf(it->sha, sizeof(it->sha), "%s", sha256_hex ? sha256_hex : "");
	it->size = size;
	u->count++;
	u->p.files_total++;
	u->p.bytes_total += size;
	u->p.spool_bytes += size;
	report(u, "queued", it->path);
	pthread_cond_signal(&u->work);
	/* a bounded spool: wait until what is not yet stored fits again */
	while (u->o.spool_max && u->p.spool_bytes > u->o.spool_max && u->rc == 0 && (u->next < u->count || u->in_flight))
		pthread_cond_wait(&u->room, &u->mu);
	HFDS_TRY(first_error(u, err));
done:
	pthread_mutex_unlock(&u->mu);
	return rc;
}

int hub_uploader_wait(hub_uploader *u, hfds_error *err)
{
	int rc;
	pthread_mutex_lock(&u->mu);
	while (u->rc == 0 && (u->next < u->count || u->in_flight))
		pthread_cond_wait(&u->room, &u->mu);
	rc = first_error(u, err);
	pthread_mutex_unlock(&u->mu);
	return rc;
}

int hub_uploader_stored(hub_uploader *u, const char *local_path)
{
	int found = 0;
	pthread_mutex_lock(&u->mu);
	for (size_t i = 0; i < u->count && !found; i++)
		found = u->items[i].state == 2 && !strcmp(u->items[i].local, local_path);
	pthread_mutex_unlock(&u->mu);
	return found;
}

void hub_uploader_free(hub_uploader *u)
{
	if (!u)
		return;
	pthread_mutex_lock(&u->mu);
	u->stop = 1;
	pthread_cond_broadcast(&u->work);
	pthread_mutex_unlock(&u->mu);
	for (size_t i = 0; i < u->started; i++) {
		pthread_join(u->threads[i], NULL);
		hfds_hub_free(u->handles[i]);
	}
	for (size_t i = 0; i < u->count; i++) {
		hfds_free(u->items[i].local);
		hfds_free(u->items[i].path);
	}
	hfds_free(u->items);
	pthread_mutex_destroy(&u->mu);
	pthread_cond_destroy(&u->work);
	pthread_cond_destroy(&u->room);
	hfds_free(u->repo_id);
	hfds_free(u->branch);
	hfds_free(u);
}
