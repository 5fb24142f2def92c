/*
 * Dictionary index width vs codec (the rule in src/parquet/colwriter.c, dict_indices):
 * 1 Mi indices, either random over K entries or chesspos-like (69 random tokens, then the
 * same 69 nine more times), encoded tight (RLE/bit-packed hybrid at the needed width) and
 * byte-aligned (width 8/16, one bit-packed run), each compressed as one 1 MiB page.
 * Prints the compressed sizes. Build: see bench/writer/README.md.
 */
#include <stdio.h>
#include <stdlib.h>

#include "parquet/write/compress.h"
#include "parquet/write/enc.h"
#include "parquet/format/pq_format.h"

static void die(int rc, const hfds_error *err)
{
	if (rc < 0) {
		fprintf(stderr, "%s\n", err->message);
		exit(1);
	}
}

int main(void)
{
	static const struct { int k, repeated; } cases[] = { { 13, 0 }, { 300, 0 }, { 3000, 0 }, { 13, 1 }, { 300, 1 } };
	static const struct { int codec; const char *name; } codecs[] = { { PQ_CODEC_ZSTD, "zstd-1" },
		{ PQ_CODEC_GZIP, "gzip-6" }, { PQ_CODEC_BROTLI, "brotli-1" }, { PQ_CODEC_SNAPPY, "snappy" },
		{ PQ_CODEC_LZ4_RAW, "lz4_raw" } };
	size_t n = 1u << 20;
	uint32_t *idx = malloc(n * 4);
	uint64_t x = 88172645463325252ull;
	hfds_error err;
	hfds_error_init(&err);
	pq_compressor *comp;
	die(pq_compressor_new(&comp, &err), &err);
	hfds_buf tight, aligned, z;
	hfds_buf_init(&tight, 0);
	hfds_buf_init(&aligned, 0);
	hfds_buf_init(&z, 0);
	printf("%-8s %5s %-8s %12s %12s %9s\n", "indices", "K", "codec", "tight", "aligned", "aligned/tight");
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		int k = cases[c].k, bw = pq_dict_index_bit_width((size_t)k), bytes = bw <= 8 ? 1 : 2;
		for (size_t i = 0; i < n; i++) {
			if (cases[c].repeated && i % 690 >= 69) {
				idx[i] = idx[i - 69];
				continue;
			}
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			idx[i] = (uint32_t)(x % (uint64_t)k);
		}
		hfds_buf_clear(&tight);
		die(pq_dict_indices_encode(idx, n, (size_t)k, &tight, &err), &err);
		hfds_buf_clear(&aligned);
		die(hfds_buf_append_byte(&aligned, (uint8_t)(bytes * 8), &err), &err);
		die(hfds_buf_reserve(&aligned, n * (size_t)bytes + 16, &err), &err);
		aligned.data[aligned.len++] = (uint8_t)((n / 8) << 1 | 1) | 0x80; /* n / 8 = 2^17 groups: 3-byte varint */
		aligned.data[aligned.len++] = (uint8_t)(((n / 8) << 1 | 1) >> 7) | 0x80;
		aligned.data[aligned.len++] = (uint8_t)(((n / 8) << 1 | 1) >> 14);
		for (size_t i = 0; i < n; i++) {
			aligned.data[aligned.len++] = (uint8_t)idx[i];
			if (bytes == 2)
				aligned.data[aligned.len++] = (uint8_t)(idx[i] >> 8);
		}
		for (size_t j = 0; j < sizeof(codecs) / sizeof(codecs[0]); j++) {
			size_t zt, za;
			hfds_buf_clear(&z);
			die(pq_compress(comp, codecs[j].codec, 0, tight.data, tight.len, &z, &err), &err);
			zt = z.len;
			hfds_buf_clear(&z);
			die(pq_compress(comp, codecs[j].codec, 0, aligned.data, aligned.len, &z, &err), &err);
			za = z.len;
			printf("%-8s %5d %-8s %5d b %6zu %5d b %6zu %9.2f\n", cases[c].repeated ? "chess" : "random", k,
				codecs[j].name, bw, zt, bytes * 8, za, (double)za / (double)zt);
		}
	}
	hfds_buf_release(&tight);
	hfds_buf_release(&aligned);
	hfds_buf_release(&z);
	pq_compressor_free(comp);
	free(idx);
	return 0;
}
