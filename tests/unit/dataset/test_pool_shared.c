/*
 * One pool for all writers: a dataset writer with K splits open at once runs one pool of
 * N threads (not K of them), a caller's pool is used as given, and the shards' bytes are
 * the same whatever the pool (1 thread, 4 threads of its own, a shared pool of 3).
 */
#include "test.h"
#include "hfds/dataset.h"

#include <dirent.h>

#define K 4

static int threads_now(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static const char *split_names[K] = {"train", "validation", "test", "extra"};

/* Writes K splits (two batches each, all writers open at once) into dir/<tag>; returns
 * the number of threads the process had while they were all open, or -1. */
static int write_splits(const char *tag, int threads, hfds_pool *pool)
{
	hfds_features *f = hfds_features_new();
	hfds_ds_options o;
	hfds_ds *ds = NULL;
	char dir[4200];
	int rc = 0, peak = -1;
	hfds_error err;
	hfds_error_init(&err);
	hfds_features_add(f, "id", hfds_feature_value(HFDS_DTYPE_INT64), NULL);
	hfds_features_add(f, "text", hfds_feature_value(HFDS_DTYPE_STRING), NULL);
	hfds_ds_options_init(&o);
	o.threads = threads;
	o.pool = pool;
	o.row_group_bytes = 64 << 10;
	snprintf(dir, sizeof(dir), "%s/%s", test_tmpdir(), tag);
	rc = hfds_ds_open(&ds, dir, f, &o, &err);
	for (int round = 0; rc == 0 && round < 2; round++) {
		for (int s = 0; rc == 0 && s < K; s++) {
			hfds_arrow_builder *b = NULL;
			struct ArrowArray a;
			hfds_arrow_builder_new(&b, hfds_ds_schema(ds, "default"), NULL);
			for (int i = 0; i < 3000; i++) {
				char text[64];
				snprintf(text, sizeof(text), "split %d round %d row %d", s, round, i * 7919 % 3001);
				hfds_arrow_builder_append_int(b, (int64_t)i * (s + 1), NULL);
				hfds_arrow_builder_append_str(b, text, NULL);
			}
			hfds_arrow_builder_finish(b, &a, NULL);
			hfds_arrow_builder_free(b);
			rc = hfds_ds_write(ds, "default", split_names[s], &a, &err);
			a.release(&a);
		}
		if (round == 0)
			peak = threads_now();
	}
	if (rc == 0)
		rc = hfds_ds_finish(ds, &err);
	if (rc < 0)
		fprintf(stderr, "  %s: %s\n", tag, err.message);
	hfds_ds_free(ds);
	hfds_features_free(f);
	return rc < 0 ? -1 : peak;
}

static int same_file(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	int same = fa && fb, ca, cb;
	while (same && ((ca = fgetc(fa)) != EOF) | ((cb = fgetc(fb)) != EOF))
		same = ca == cb;
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

static void test_one_pool_for_all_splits(void)
{
	int base = threads_now();
	int own = write_splits("own4", 4, NULL);
	/* one pool of 4 = the caller + 3 workers, whatever K */
	CHECK_EQ_INT(own - base, 3);
}

static void test_given_pool_is_used(void)
{
	hfds_pool *pool = NULL;
	hfds_error err;
	hfds_error_init(&err);
	REQUIRE(hfds_pool_new(&pool, 3, &err) == 0);
	CHECK_EQ_INT(hfds_pool_threads(pool), 3);
	int base = threads_now();
	int peak = write_splits("shared3", 64, pool); /* threads is ignored when a pool is given */
	CHECK_EQ_INT(peak - base, 0);
	hfds_pool_free(pool);
}

static void test_same_bytes_for_any_pool(void)
{
	REQUIRE(write_splits("serial", 1, NULL) >= 0);
	for (int s = 0; s < K; s++) {
		char a[4300], b[4300], c[4300];
		const char *d = test_tmpdir();
		snprintf(a, sizeof(a), "%s/serial/data/%s-00000-of-00001.parquet", d, split_names[s]);
		snprintf(b, sizeof(b), "%s/own4/data/%s-00000-of-00001.parquet", d, split_names[s]);
		snprintf(c, sizeof(c), "%s/shared3/data/%s-00000-of-00001.parquet", d, split_names[s]);
		CHECK(same_file(a, b));
		CHECK(same_file(a, c));
	}
}

int main(void)
{
	RUN(test_one_pool_for_all_splits);
	RUN(test_given_pool_is_used);
	RUN(test_same_bytes_for_any_pool);
	TEST_END();
}
