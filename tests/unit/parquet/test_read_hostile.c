/*
 * Hostile input: every bad_data file, plus seeded truncations and bit flips of every corpus
 * file, must give a clean error (corrupt / limit / unsupported, with a message) or a
 * complete read -- never a crash, hang or allocation beyond the reader's limit (ASan/UBSan
 * watch the rest). Files are read from memory through the full stream, all row groups.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hfds/parquet_reader.h"
#include "test.h"
#include "util/alloc.h"


static uint8_t *slurp(const char *path, size_t *n)
{
	return (uint8_t *)test_slurp(path, n);
}

/* Full read; returns 0 or the error code, message in err. */
static int read_threads = 1;

static int read_all(const uint8_t *data, size_t n, hfds_error *err)
{
	hfds_pq_reader_options opt;
	hfds_pq_reader *r = NULL;
	struct ArrowArrayStream st = {0};
	struct ArrowSchema sc = {0};
	int rc;
	hfds_pq_reader_options_init(&opt);
	opt.max_alloc = 64u << 20;
	opt.threads = read_threads;
	hfds_error_init(err);
	rc = hfds_pq_reader_open_memory(&r, data, n, "mem.parquet", &opt, err);
	if (rc == 0)
		rc = hfds_pq_reader_schema(r, &sc, err);
	if (sc.release)
		sc.release(&sc);
	if (rc == 0)
		rc = hfds_pq_reader_scan(r, NULL, &st, err);
	while (rc == 0) {
		struct ArrowArray b;
		if (st.get_next(&st, &b) != 0) {
			rc = hfds_pq_stream_error(&st, err);
			break;
		}
		if (!b.release)
			break;
		b.release(&b);
	}
	if (st.release)
		st.release(&st);
	hfds_pq_reader_free(r);
	return rc;
}

static int clean_error(int rc, const hfds_error *err)
{
	return (rc == HFDS_ECORRUPT || rc == HFDS_ELIMIT || rc == HFDS_EUNSUPPORTED) && err->message[0];
}

static void bad_data(void)
{
	const char *files[] = {"PARQUET-1481.parquet", "ARROW-RS-GH-6229-DICTHEADER.parquet",
			       "ARROW-RS-GH-6229-LEVELS.parquet", "ARROW-GH-41321.parquet", "ARROW-GH-41317.parquet",
			       "ARROW-GH-45185.parquet", "ARROW-GH-47662.parquet"};
	char path[512];
	size_t i, n;
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		hfds_error err;
		uint8_t *d;
		int rc;
		snprintf(path, sizeof path, "testdata/parquet-testing/bad_data/%s", files[i]);
		d = slurp(test_shared(path), &n);
		REQUIRE(d != NULL);
		rc = read_all(d, n, &err);
		printf("  %s: %s\n", files[i], err.message);
		CHECK(clean_error(rc, &err));
		CHECK(strstr(err.message, "offset") != NULL || strstr(err.message, "row group") != NULL);
		free(d);
	}
	/* "arguably valid" (dictionary index bit width 0): every reader accepts it */
	{
		hfds_error err;
		uint8_t *d = slurp(test_shared("testdata/parquet-testing/bad_data/ARROW-GH-43605.parquet"), &n);
		REQUIRE(d != NULL);
		CHECK_EQ_INT(read_all(d, n, &err), 0);
		free(d);
	}
}

static void encrypted(void)
{
	const char *files[] = {"encrypt_columns_and_footer.parquet.encrypted",
			       "encrypt_columns_plaintext_footer.parquet.encrypted", "uniform_encryption.parquet.encrypted"};
	size_t i, n;
	char path[512];
	for (i = 0; i < 3; i++) {
		hfds_error err;
		uint8_t *d;
		snprintf(path, sizeof path, "testdata/parquet-testing/data/%s", files[i]);
		d = slurp(test_shared(path), &n);
		REQUIRE(d != NULL);
		CHECK_EQ_INT(read_all(d, n, &err), HFDS_EUNSUPPORTED);
		CHECK(strstr(err.message, "encrypted Parquet is not supported") != NULL);
		free(d);
	}
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int nfiles, variants, errors;

static void mutate_dir(const char *dir)
{
	DIR *dh = opendir(dir);
	struct dirent *de;
	REQUIRE(dh != NULL);
	while ((de = readdir(dh))) {
		char path[4096];
		uint8_t *d, *m;
		size_t n, k;
		size_t len = strlen(de->d_name);
		if (len < 8 || strcmp(de->d_name + len - 8, ".parquet") || !strcmp(de->d_name, "large_string_map.brotli.parquet"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		d = slurp(path, &n);
		REQUIRE(d != NULL);
		m = malloc(n);
		REQUIRE(m != NULL);
		nfiles++;
		{
			/* big files get fewer variants to keep the test short */
			int ntrunc = n > 100000 ? 4 : 30, nflip = n > 100000 ? 8 : 150;
			for (k = 0; k < (size_t)ntrunc; k++) {
				hfds_error err;
				size_t cut = (size_t)(next_rand() % n);
				int rc = read_all(d, cut, &err);
				variants++;
				if (rc != 0) {
					errors++;
					if (!clean_error(rc, &err)) {
						printf("  %s cut at %zu: rc %d %s\n", de->d_name, cut, rc, err.message);
						CHECK(0);
					}
				}
			}
			for (k = 0; k < (size_t)nflip; k++) {
				hfds_error err;
				int rc, f, nf = 1 + (int)(next_rand() % 4);
				memcpy(m, d, n);
				for (f = 0; f < nf; f++) {
					/* bias flips toward the footer, where the structure lives */
					size_t pos = next_rand() % 2 ? n - 1 - (size_t)(next_rand() % (n < 2048 ? n : 2048))
								     : (size_t)(next_rand() % n);
					m[pos] ^= (uint8_t)(1u << (next_rand() % 8));
				}
				rc = read_all(m, n, &err);
				variants++;
				if (rc != 0) {
					errors++;
					if (!clean_error(rc, &err)) {
						printf("  %s flipped: rc %d %s\n", de->d_name, rc, err.message);
						CHECK(0);
					}
				}
			}
		}
		free(d);
		free(m);
	}
	closedir(dh);
}

static void mutate_corpus(void)
{
	mutate_dir(test_shared("testdata/parquet-testing/data"));
	mutate_dir(test_shared("testdata/parquet-testing/data/geospatial"));
	printf("  %d files, %d variants, %d rejected\n", nfiles, variants, errors);
	CHECK(nfiles > 70);
}

/* Every allocation of a full read fails once in turn: a clean error each time, no leak. */
static void alloc_failures(void)
{
	/* the last one has 5 row groups: read with 3 threads, allocations fail in the lanes too */
	const char *files[] = {"nested_maps.snappy.parquet", "datapage_v2.snappy.parquet", "delta_byte_array.parquet",
		"floating_orders_nan_count.parquet"};
	size_t i, n;
	char path[512];
	for (i = 0; i < 4; i++) {
		read_threads = i == 3 ? 3 : 1;
		uint8_t *d;
		uint64_t k;
		int ok = 0, failed = 0;
		snprintf(path, sizeof path, "testdata/parquet-testing/data/%s", files[i]);
		d = slurp(test_shared(path), &n);
		REQUIRE(d != NULL);
		for (k = 1; k < 5000 && !ok; k++) {
			hfds_error err;
			int rc;
			hfds_alloc_fail_after(k);
			rc = read_all(d, n, &err);
			hfds_alloc_fail_after(0);
			if (rc == 0) {
				ok = 1;
			} else {
				failed++;
				if (rc != HFDS_ENOMEM) {
					printf("  %s alloc %llu: rc %d %s\n", files[i], (unsigned long long)k, rc, err.message);
					CHECK(0);
				}
			}
		}
		printf("  %s: %d failure points\n", files[i], failed);
		CHECK(ok);
		free(d);
	}
	read_threads = 1;
}

int main(void)
{
	RUN(alloc_failures);
	RUN(bad_data);
	RUN(encrypted);
	RUN(mutate_corpus);
	TEST_END();
}
