/*
 * The sha256 of a shard names its store object, so an OpenSSL failure must surface as an
 * error, never as a wrong digest. OpenSSL's allocator is replaced (before its first
 * allocation) by one that fails from the Nth call on, once OpenSSL is initialised; for every N the one-shot and
 * streaming paths must either fail or return the right digest.
 */
#include "test.h"
#include "util/sha256.h"

#include <openssl/crypto.h>

static long fail_from = -1;   /* -1: never fail */
static long calls;

static int failing(void)
{
	return fail_from >= 0 && calls++ >= fail_from;
}
static void *t_malloc(size_t n, const char *file, int line)
{
	return failing() ? NULL : malloc(n);
}
static void *t_realloc(void *p, size_t n, const char *file, int line)
{
	return failing() ? NULL : realloc(p, n);
}
static void t_free(void *p, const char *file, int line)
{
	free(p);
}

static const char abc_hex[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

static void test_openssl_failures_are_errors(void)
{
	int failures_seen = 0, successes = 0;
	for (long n = 0; n < 64; n++) {
		uint8_t d[32];
		char hex[65];
		hfds_error err;
		hfds_error_init(&err);
		memset(d, 0xAA, sizeof(d));
		calls = 0;
		fail_from = n;
		int rc = hfds_sha256_buffer("abc", 3, d, &err);
		fail_from = -1;
		if (rc < 0) {
			failures_seen++;
			CHECK(err.code < 0 && err.message[0] != '\0');
			continue;
		}
		successes++;
		hfds_sha256_hex(d, hex);
		CHECK_EQ_STR(hex, abc_hex);
	}
	CHECK(failures_seen > 0);
	CHECK(successes > 0);
}

static void test_reset_failure_is_sticky(void)
{
	hfds_sha256 *h = NULL;
	uint8_t d[32];
	char hex[65];
	hfds_error err;
	hfds_error_init(&err);
	REQUIRE(hfds_sha256_new(&h, &err) == 0);
	CHECK_EQ_INT(hfds_sha256_update(h, "abc", 3), 0);
	CHECK_EQ_INT(hfds_sha256_final(h, d, &err), 0);
	hfds_sha256_hex(d, hex);
	CHECK_EQ_STR(hex, abc_hex);
	CHECK_EQ_INT(hfds_sha256_reset(h, &err), 0);
	CHECK_EQ_INT(hfds_sha256_update(h, "abc", 3), 0);
	CHECK_EQ_INT(hfds_sha256_final(h, d, &err), 0);
	hfds_sha256_hex(d, hex);
	CHECK_EQ_STR(hex, abc_hex);
	hfds_sha256_free(h);
}

int main(void)
{
	/* Must precede every OpenSSL allocation in this process. */
	if (!CRYPTO_set_mem_functions(t_malloc, t_realloc, t_free)) {
		fprintf(stderr, "CRYPTO_set_mem_functions refused\n");
		return 1;
	}
	/* OpenSSL cannot survive a failure while it sets up its default context (it then
	 * crashes on its own), so one hash runs before any allocation fails. */
	uint8_t warm[32];
	if (hfds_sha256_buffer("", 0, warm, NULL) < 0)
		return 1;
	RUN(test_openssl_failures_are_errors);
	RUN(test_reset_failure_is_sticky);
	TEST_END();
}
