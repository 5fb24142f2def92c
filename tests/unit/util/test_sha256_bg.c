/*
 * The background hasher must give the digest of its buffers hashed inline, in order: buffers
 * of every size handed over one after the other (the writer's pattern: start, use the bytes,
 * wait), with the owner overwriting its buffer as soon as _wait returns.
 */
#include "test.h"
#include "util/sha256.h"
#include "util/sha256_bg.h"

#include <stdlib.h>

static uint64_t rng = 88172645463325252ull;

static uint8_t next_byte(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint8_t)rng;
}

static void test_same_digest_as_inline(void)
{
	static const size_t sizes[] = { 1, 63, 64, 65, 4096, 262144, 1048577, 3, 0, 700001 };
	const size_t nsizes = sizeof(sizes) / sizeof(sizes[0]);
	uint8_t *buf = malloc(1048577);
	hfds_sha256 *inline_h = NULL, *bg_h = NULL;
	hfds_sha256_bg *bg = NULL;
	uint8_t a[32], b[32];
	REQUIRE(buf);
	REQUIRE(hfds_sha256_new(&inline_h, NULL) == 0 && hfds_sha256_new(&bg_h, NULL) == 0);
	REQUIRE(hfds_sha256_bg_new(&bg, bg_h, NULL) == 0);
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < nsizes; i++) {
			for (size_t k = 0; k < sizes[i]; k++)
				buf[k] = next_byte();
			hfds_sha256_update(inline_h, buf, sizes[i]);
			hfds_sha256_bg_start(bg, buf, sizes[i]);
			hfds_sha256_bg_wait(bg);
		}
		/* the owner finalises between buffers, as the writer does at close */
		CHECK_EQ_INT(hfds_sha256_final(inline_h, a, NULL), 0);
		CHECK_EQ_INT(hfds_sha256_final(bg_h, b, NULL), 0);
		CHECK_EQ_MEM(a, b, 32);
		CHECK_EQ_INT(hfds_sha256_reset(inline_h, NULL), 0);
		CHECK_EQ_INT(hfds_sha256_reset(bg_h, NULL), 0);
	}
	hfds_sha256_bg_free(bg);
	hfds_sha256_bg_free(NULL);
	hfds_sha256_free(inline_h);
	hfds_sha256_free(bg_h);
	free(buf);
}

int main(void)
{
	RUN(test_same_digest_as_inline);
	TEST_END();
}
