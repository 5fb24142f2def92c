#include "test.h"

#include <pthread.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/pool.h"
#include "util/sha256.h"
#include "util/try.h"

static void test_error_first_message_wins(void)
{
	hfds_error err;
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_error_set(&err, HFDS_EPARSE, "pgn:%d:%d: expected move, found '%c'", 12, 5, '}'), HFDS_EPARSE);
	hfds_error_set(&err, HFDS_EIO, "outer");
	CHECK_EQ_INT(err.code, HFDS_EPARSE);
	CHECK_EQ_STR(err.message, "pgn:12:5: expected move, found '}'");
	hfds_error_prefix(&err, "games.pgn");
	CHECK_EQ_STR(err.message, "games.pgn: pgn:12:5: expected move, found '}'");
	CHECK_EQ_INT(hfds_error_set(NULL, HFDS_ENOMEM, "x"), HFDS_ENOMEM);
}

static void test_buf_limit(void)
{
	hfds_buf b;
	hfds_error err;
	hfds_error_init(&err);
	hfds_buf_init(&b, 10);
	CHECK_EQ_INT(hfds_buf_append(&b, "0123456789", 10, &err), 0);
	CHECK_EQ_INT(hfds_buf_append_byte(&b, 'x', &err), HFDS_ELIMIT);
	CHECK(strstr(err.message, "limit") != NULL);
	CHECK_EQ_INT(b.len, 10);
	hfds_buf_release(&b);
	hfds_buf_init(&b, 0);
	CHECK_EQ_INT(hfds_buf_printf(&b, NULL, "%s-%d", "row", 42), 0);
	CHECK_EQ_INT(hfds_buf_cstr(&b, NULL), 0);
	CHECK_EQ_STR((char *)b.data, "row-42");
	hfds_buf_release(&b);
}

static void square(void *arg, size_t i)
{
	((uint64_t *)arg)[i] = (uint64_t)i * i;
}

static void test_pool_parallel_for(void)
{
	hfds_pool *pool;
	uint64_t out[1000];
	size_t i;
	REQUIRE(hfds_pool_new(&pool, 4, NULL) == 0);
	hfds_pool_run(pool, 1000, square, out);
	for (i = 0; i < 1000; i++)
		CHECK_EQ_INT(out[i], (uint64_t)i * i);
	hfds_pool_free(pool);
}

/* submit_first: with the only worker busy, a task submitted first runs before the tasks
 * queued earlier (the writer's output piece does not wait behind encoding jobs). */
typedef struct order_log {
	pthread_mutex_t mu;
	int gate, started, n;
	char seen[8];
} order_log;

typedef struct order_task {
	order_log *log;
	char name;
} order_task;

static void blocker(void *arg)
{
	order_log *l = arg;
	pthread_mutex_lock(&l->mu);
	l->started = 1;
	while (!l->gate) {
		pthread_mutex_unlock(&l->mu);
		usleep(1000);
		pthread_mutex_lock(&l->mu);
	}
	pthread_mutex_unlock(&l->mu);
}

static void record(void *arg)
{
	order_task *t = arg;
	pthread_mutex_lock(&t->log->mu);
	t->log->seen[t->log->n++] = t->name;
	pthread_mutex_unlock(&t->log->mu);
}

static void test_pool_submit_first(void)
{
	hfds_pool *pool = NULL;
	hfds_taskgroup *busy = NULL, *g = NULL;
	order_log l = { PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, "" };
	order_task a = { &l, 'a' }, b = { &l, 'b' }, c = { &l, 'c' };
	REQUIRE(hfds_pool_new(&pool, 2, NULL) == 0);   /* one worker */
	REQUIRE(hfds_taskgroup_new(&busy, pool, NULL) == 0 && hfds_taskgroup_new(&g, pool, NULL) == 0);
	CHECK_EQ_INT(hfds_taskgroup_submit(busy, blocker, &l, NULL), 0);
	for (int i = 0; i < 5000; i++) {
		pthread_mutex_lock(&l.mu);
		int started = l.started;
		pthread_mutex_unlock(&l.mu);
		if (started)
			break;
		usleep(1000);
	}
	CHECK_EQ_INT(hfds_taskgroup_submit(g, record, &a, NULL), 0);
	CHECK_EQ_INT(hfds_taskgroup_submit(g, record, &b, NULL), 0);
	CHECK_EQ_INT(hfds_taskgroup_submit_first(g, record, &c, NULL), 0);
	pthread_mutex_lock(&l.mu);
	l.gate = 1;
	pthread_mutex_unlock(&l.mu);
	/* the worker alone runs them (a waiting caller would help and race it for the order) */
	for (int i = 0; i < 5000; i++) {
		pthread_mutex_lock(&l.mu);
		int n = l.n;
		pthread_mutex_unlock(&l.mu);
		if (n == 3)
			break;
		usleep(1000);
	}
	hfds_taskgroup_wait(g);
	hfds_taskgroup_wait(busy);
	CHECK_EQ_INT(l.n, 3);
	CHECK_EQ_STR(l.seen, "cab");
	hfds_taskgroup_free(g);
	hfds_taskgroup_free(busy);
	hfds_pool_free(pool);
}

static void test_sha256_known_vector(void)
{
	uint8_t d[32];
	char hex[65];
	REQUIRE(hfds_sha256_buffer("abc", 3, d, NULL) == 0);
	hfds_sha256_hex(d, hex);
	CHECK_EQ_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void)
{
	RUN(test_error_first_message_wins);
	RUN(test_buf_limit);
	RUN(test_pool_parallel_for);
	RUN(test_pool_submit_first);
	RUN(test_sha256_known_vector);
	TEST_END();
}
