/*
 * The helper sleeps on a condition variable between buffers. A hand-over costs one wake-up
 * (microseconds), so the writer only uses it for buffers of a few hundred KiB and more,
 * where hashing takes a hundred microseconds or longer. A failed update stays recorded in
 * the hfds_sha256 (sticky), which its owner checks at hfds_sha256_final as before.
 */
#include "util/sha256_bg.h"

#include <pthread.h>

#include "util/alloc.h"

struct hfds_sha256_bg {
	hfds_sha256 *h;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	const void *data;
	size_t n;
	int busy, stop;
};

static void *helper(void *arg)
{
	hfds_sha256_bg *b = arg;
	pthread_mutex_lock(&b->mu);
	for (;;) {
		while (!b->busy && !b->stop)
			pthread_cond_wait(&b->cv, &b->mu);
		if (!b->busy)
			break;
		pthread_mutex_unlock(&b->mu);
		hfds_sha256_update(b->h, b->data, b->n);
		pthread_mutex_lock(&b->mu);
		b->busy = 0;
		pthread_cond_broadcast(&b->cv);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

int hfds_sha256_bg_new(hfds_sha256_bg **out, hfds_sha256 *h, hfds_error *err)
{
	hfds_sha256_bg *b = hfds_calloc(1, sizeof(*b));
	*out = NULL;
	if (!b)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	b->h = h;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	if (pthread_create(&b->thread, NULL, helper, b) != 0) {
		pthread_cond_destroy(&b->cv);
		pthread_mutex_destroy(&b->mu);
		hfds_free(b);
		return hfds_error_set(err, HFDS_ERROR, "cannot start the hashing thread");
	}
	*out = b;
	return 0;
}

void hfds_sha256_bg_start(hfds_sha256_bg *b, const void *data, size_t n)
{
	pthread_mutex_lock(&b->mu);
	b->data = data;
	b->n = n;
	b->busy = 1;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

void hfds_sha256_bg_wait(hfds_sha256_bg *b)
{
	pthread_mutex_lock(&b->mu);
	while (b->busy)
		pthread_cond_wait(&b->cv, &b->mu);
	pthread_mutex_unlock(&b->mu);
}

void hfds_sha256_bg_free(hfds_sha256_bg *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&b->mu);
	b->stop = 1;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	pthread_join(b->thread, NULL);
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
	hfds_free(b);
}
