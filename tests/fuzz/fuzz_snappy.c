/*
 * libFuzzer target: the reader's snappy decoder (parquet/read/snappy_dec.c) differentially
 * against libsnappy. The input is a compressed stream; the output size is the one its
 * header claims (at most 1 MiB, plus one byte less or more on a bit of the input's first
 * byte). Both must accept or refuse alike and, when they accept, produce the same bytes;
 * a difference aborts. Seeds: libsnappy-compressed samples in corpus/fuzz_snappy/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <snappy-c.h>

#include "parquet/read/decompress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t claimed = 0, want, got;
	uint8_t *a, *b;
	int lib, ours;
	hfds_error err;
	if (snappy_uncompressed_length((const char *)data, size, &claimed) != SNAPPY_OK || claimed > (1u << 20))
		return 0;
	want = claimed;
	if (size > 0 && (data[0] & 0x40))
		want = data[0] & 1 ? claimed + 1 : claimed ? claimed - 1 : 0;
	a = malloc(want + 1);
	b = malloc(want + 1);
	if (!a || !b)
		abort();
	got = want;
	lib = want == claimed && snappy_uncompress((const char *)data, size, (char *)a, &got) == SNAPPY_OK &&
	      got == want;
	hfds_error_init(&err);
	ours = pq_snappy_decompress(data, size, b, want, &err) == 0;
	if (lib != ours || (lib && memcmp(a, b, want) != 0))
		abort();
	free(a);
	free(b);
	return 0;
}
