/*
 * Micro-benchmarks of the Parquet encoding kernels (src/parquet/enc.h, compress.h,
 * thrift_enc.h) on synthetic data shaped like issue 2's benchmark tables. Each line
 * prints the kernel, its input bytes, the best time of several repetitions, MB/s of
 * input, and the ratio to memcpy of the same number of bytes.
 * Build and run with bench/encode/run.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parquet/write/compress.h"
#include "parquet/write/enc.h"
#include "parquet/format/pq_format.h"
#include "parquet/write/thrift_enc.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static volatile size_t sink;
static uint8_t *mc_src, *mc_dst; /* memcpy reference buffers, MC_CAP bytes each */
#define MC_CAP ((size_t)64 << 20)

/* Best time to memcpy `bytes` bytes with the same working-set size (capped at MC_CAP). */
static double memcpy_time(size_t bytes)
{
	double best = 1e30;
	size_t chunk = bytes < MC_CAP ? bytes : MC_CAP;
	for (int rep = 0; rep < 5; rep++) {
		double t0 = now();
		for (size_t done = 0; done < bytes; done += chunk)
			memcpy(mc_dst, mc_src, bytes - done < chunk ? bytes - done : chunk);
		double t = now() - t0;
		if (t < best)
			best = t;
	}
	sink += mc_dst[chunk / 2];
	return best;
}

#define REPS 5
#define BENCH(label, bytes, body) do { \
	double best = 1e30; \
	for (int rep_ = 0; rep_ < REPS; rep_++) { \
		double t0_ = now(); \
		body; \
		double t_ = now() - t0_; \
		if (t_ < best) best = t_; \
	} \
	double mc_ = memcpy_time(bytes); \
	printf("%-36s %8.1f MB %8.2f ms %7.0f MB/s  memcpy %6.0f MB/s  %5.1f%%\n", label, \
		(double)(bytes) / 1e6, best * 1e3, (double)(bytes) / best / 1e6, (double)(bytes) / mc_ / 1e6, \
		100.0 * mc_ / best); \
	fflush(stdout); \
} while (0)

static void die(int rc, hfds_error *err)
{
	if (rc < 0) {
		fprintf(stderr, "error %d: %s\n", rc, err->message);
		exit(1);
	}
}

/* A plausible board: back ranks and pawns, some pieces moved into the middle. */
static void chess_row(int8_t *w)
{
	static const int8_t back_w[8] = { 20, 18, 19, 21, 22, 19, 18, 20 };
	int8_t v[69];
	for (int s = 0; s < 64; s++)
		v[s] = 15;
	for (int f = 0; f < 8; f++) {
		if (rnd() % 4)
			v[f] = back_w[f];
		if (rnd() % 3)
			v[8 + f] = 17;
		if (rnd() % 3)
			v[48 + f] = 23;
		if (rnd() % 4)
			v[56 + f] = (int8_t)(back_w[f] + 6);
	}
	for (int k = 0; k < 6; k++)
		v[16 + rnd() % 32] = (int8_t)(17 + rnd() % 12);
	v[64] = (int8_t)(29 + rnd() % 2);
	for (int k = 65; k < 69; k++)
		v[k] = (int8_t)(31 + rnd() % 2);
	for (int c = 0; c < 10; c++)
		memcpy(w + c * 69, v, 69);
}

int main(int argc, char **argv)
{
	size_t rows = argc > 1 ? strtoull(argv[1], NULL, 10) : 100000;
	size_t nw = rows * 690, n = rows * 10; /* chess values; generic column length */
	hfds_error err;
	hfds_buf out;
	pq_compressor *comp;
	hfds_error_init(&err);
	hfds_buf_init(&out, 0);
	die(pq_compressor_new(&comp, &err), &err);

	int8_t *win = malloc(nw);
	uint32_t *idx = malloc(nw * 4);
	uint16_t *def = malloc(nw * 2), *repl = malloc(nw * 2);
	uint8_t *def8 = malloc(nw), *rep8 = malloc(nw);
	int64_t *i64 = malloc(n * 8), *lowcard = malloc(n * 8);
	double *f64 = malloc(n * 8);
	int32_t *i32 = malloc(n * 4);
	uint8_t *valid = malloc(n / 8 + 8);
	char *sdata = malloc(n * 8);
	int32_t *soff = malloc((n + 1) * 4);

	for (size_t r = 0; r < rows; r++)
		chess_row(win + r * 690);
	for (size_t i = 0; i < nw; i++) {
		def[i] = def8[i] = 3;
		repl[i] = rep8[i] = i % 690 == 0 ? 0 : i % 69 == 0 ? 1 : 2;
	}
	for (size_t i = 0; i < n; i++) {
		i64[i] = (int64_t)(i * 3 + rnd() % 5);
		lowcard[i] = (int64_t)(rnd() % 1000) * 7919;
		f64[i] = (double)(rnd() % 1000000) / 7.0;
		i32[i] = (int32_t)(rnd() % 100000);
	}
	for (size_t i = 0; i < n / 8 + 8; i++) {
		uint8_t b = 0xff;
		for (int k = 0; k < 8; k++)
			if (rnd() % 10 == 0)
				b &= (uint8_t)~(1u << k);
		valid[i] = b;
	}
	soff[0] = 0;
	for (size_t i = 0; i < n; i++) {
		int len = snprintf(sdata + soff[i], 8, "cat%u", (unsigned)(rnd() % 50));
		soff[i + 1] = soff[i] + len;
	}

	mc_src = malloc(MC_CAP);
	mc_dst = malloc(MC_CAP);
	memset(mc_src, 7, MC_CAP);
	memset(mc_dst, 1, MC_CAP);
	printf("%zu chess rows (690 int8 each), %zu values per generic column; best of %d runs;\n"
		"last column: kernel speed as %% of memcpy of the same number of input bytes\n", rows, n, REPS);
	pq_values vw = { .src = PQ_SRC_I8, .data = win, .n = nw };
	pq_dict *d8;
	size_t ni;
	die(pq_dict_new(&d8, PQ_SRC_I8, 0, &err), &err);
	BENCH("dict_put int8 (chess window)", nw, {
		pq_dict_reset(d8);
		die(pq_dict_put(d8, &vw, idx, &ni, &err), &err);
	});
	BENCH("dict_indices_encode (chess, 32b in)", nw, {
		hfds_buf_clear(&out);
		die(pq_dict_indices_encode(idx, nw, pq_dict_count(d8), &out, &err), &err);
	});
	printf("    -> %zu entries, %.1f MB encoded (%.2f bits/value)\n", pq_dict_count(d8), out.len / 1e6,
		8.0 * out.len / nw);
	{
		hfds_buf ix, z;
		size_t zt = 0;
		hfds_buf_init(&ix, 0);
		hfds_buf_init(&z, 0);
		hfds_buf_append(&ix, out.data, out.len, &err);
		BENCH("zstd-1 1MiB pages of the indices", ix.len, {
			zt = 0;
			for (size_t off = 0; off < ix.len; off += 1 << 20) {
				size_t k = ix.len - off < (1 << 20) ? ix.len - off : (1 << 20);
				hfds_buf_clear(&z);
				die(pq_compress(comp, PQ_CODEC_ZSTD, 1, ix.data + off, k, &z, &err), &err);
				zt += z.len;
			}
		});
		printf("    -> %.1f MB after zstd\n", zt / 1e6);
		/* the same indices padded to 8 bits: repeated rows stay byte-aligned for zstd */
		BENCH("indices at width 8 + zstd-1 (pages)", nw, {
			zt = 0;
			for (size_t off = 0; off < nw; off += 1 << 20) {
				size_t k = nw - off < (1 << 20) ? nw - off : (1 << 20);
				hfds_buf_clear(&ix);
				hfds_buf_append_byte(&ix, 8, &err);
				die(pq_rle_encode_u32(idx + off, k, 8, &ix, &err), &err);
				hfds_buf_clear(&z);
				die(pq_compress(comp, PQ_CODEC_ZSTD, 1, ix.data, ix.len, &z, &err), &err);
				zt += z.len;
			}
		});
		printf("    -> %.1f MB after zstd\n", zt / 1e6);
		hfds_buf_release(&ix);
		hfds_buf_release(&z);
	}
	BENCH("rle u16 def levels (const)", nw, {
		hfds_buf_clear(&out);
		die(pq_rle_encode_u16(def, nw, 2, &out, &err), &err);
	});
	BENCH("rle u16 rep levels (0,2x68,1,..)", nw, {
		hfds_buf_clear(&out);
		die(pq_rle_encode_u16(repl, nw, 2, &out, &err), &err);
	});
	printf("    -> %.2f MB encoded\n", out.len / 1e6);
	BENCH("plain int8->int32 (chess window)", nw, {
		hfds_buf_clear(&out);
		die(pq_plain_encode(&vw, &out, &err), &err);
	});
	hfds_buf pw;
	hfds_buf_init(&pw, 0);
	die(pq_plain_encode(&vw, &pw, &err), &err);
	size_t zt2 = 0;
	BENCH("zstd-1 1MiB pages of that int32", pw.len, {
		zt2 = 0;
		for (size_t off = 0; off < pw.len; off += 1 << 20) {
			size_t k = pw.len - off < (1 << 20) ? pw.len - off : (1 << 20);
			hfds_buf_clear(&out);
			die(pq_compress(comp, PQ_CODEC_ZSTD, 1, pw.data + off, k, &out, &err), &err);
			zt2 += out.len;
		}
	});
	printf("    -> %.1f MB after zstd\n", zt2 / 1e6);
	hfds_buf_release(&pw);
	BENCH("rle u8 rep levels (0,2x68,1,..)", nw, {
		hfds_buf_clear(&out);
		die(pq_rle_encode_u8(rep8, nw, 2, &out, &err), &err);
	});
	BENCH("rle u8 def levels (const)", nw, {
		hfds_buf_clear(&out);
		die(pq_rle_encode_u8(def8, nw, 2, &out, &err), &err);
	});

	pq_values v64 = { .src = PQ_SRC_I64, .data = i64, .n = n };
	pq_values vlow = { .src = PQ_SRC_I64, .data = lowcard, .n = n };
	pq_values vf = { .src = PQ_SRC_F64, .data = f64, .n = n };
	pq_values v32 = { .src = PQ_SRC_I32, .data = i32, .n = n, .validity = valid };
	pq_values vs = { .src = PQ_SRC_BIN32, .data = sdata, .offsets = soff, .n = n };
	BENCH("plain int64", n * 8, {
		hfds_buf_clear(&out);
		die(pq_plain_encode(&v64, &out, &err), &err);
	});
	BENCH("plain int32 10% nulls", n * 4, {
		hfds_buf_clear(&out);
		die(pq_plain_encode(&v32, &out, &err), &err);
	});
	BENCH("plain string (short)", (size_t)soff[n] + n * 4, {
		hfds_buf_clear(&out);
		die(pq_plain_encode(&vs, &out, &err), &err);
	});
	pq_dict *d64, *ds, *d32, *dlow;
	die(pq_dict_new(&d64, PQ_SRC_I64, 0, &err), &err);
	die(pq_dict_new(&dlow, PQ_SRC_I64, 0, &err), &err);
	die(pq_dict_new(&d32, PQ_SRC_I32, 0, &err), &err);
	die(pq_dict_new(&ds, PQ_SRC_BIN32, 0, &err), &err);
	BENCH("dict_put int64 (1000 distinct)", n * 8, {
		pq_dict_reset(dlow);
		die(pq_dict_put(dlow, &vlow, idx, &ni, &err), &err);
	});
	BENCH("dict_put int64 (all distinct)", n * 8, {
		pq_dict_reset(d64);
		die(pq_dict_put(d64, &v64, idx, &ni, &err), &err);
	});
	BENCH("dict_put int32 10% nulls (100k)", n * 4, {
		pq_dict_reset(d32);
		die(pq_dict_put(d32, &v32, idx, &ni, &err), &err);
	});
	BENCH("dict_put string (50 distinct)", (size_t)soff[n] + n * 4, {
		pq_dict_reset(ds);
		die(pq_dict_put(ds, &vs, idx, &ni, &err), &err);
	});
	BENCH("dict_indices_encode (50 distinct)", n * 4, {
		hfds_buf_clear(&out);
		die(pq_dict_indices_encode(idx, n, pq_dict_count(ds), &out, &err), &err);
	});
	BENCH("dbp int64 (increasing)", n * 8, {
		hfds_buf_clear(&out);
		die(pq_dbp_encode(&v64, &out, &err), &err);
	});
	BENCH("bss double", n * 8, {
		hfds_buf_clear(&out);
		die(pq_bss_encode(&vf, &out, &err), &err);
	});
	BENCH("dlba string (short)", (size_t)soff[n] + n * 4, {
		hfds_buf_clear(&out);
		die(pq_dlba_encode(&vs, &out, &err), &err);
	});
	/* codecs on 1 MiB pages of PLAIN int64 */
	hfds_buf plain;
	hfds_buf_init(&plain, 0);
	die(pq_plain_encode(&vlow, &plain, &err), &err);
	static const struct { int codec; const char *name; } cs[] = {
		{ PQ_CODEC_SNAPPY, "snappy" }, { PQ_CODEC_ZSTD, "zstd-1" }, { PQ_CODEC_LZ4_RAW, "lz4_raw" },
		{ PQ_CODEC_GZIP, "gzip-6" } };
	for (size_t c = 0; c < sizeof cs / sizeof *cs; c++) {
		char label[64];
		size_t total = 0;
		snprintf(label, sizeof label, "%s 1MiB pages (lowcard i64)", cs[c].name);
		BENCH(label, plain.len, {
			total = 0;
			for (size_t off = 0; off < plain.len; off += 1 << 20) {
				size_t k = plain.len - off < (1 << 20) ? plain.len - off : (1 << 20);
				hfds_buf_clear(&out);
				die(pq_compress(comp, cs[c].codec, 0, plain.data + off, k, &out, &err), &err);
				total += out.len;
			}
		});
		printf("    -> ratio %.2f\n", (double)plain.len / total);
	}
	BENCH("crc32 (zlib)", plain.len, { sink += pq_crc32(0, plain.data, plain.len); });
	/* thrift page headers */
	size_t nh = 1000000;
	BENCH("thrift page headers (1M, bytes)", nh * 24, {
		hfds_buf_clear(&out);
		for (size_t i = 0; i < nh; i++) {
			pq_tw tw;
			pq_tw_init(&tw, &out);
			pq_tw_struct_begin(&tw);
			pq_tw_field_i32(&tw, 1, PQ_PAGE_DATA);
			pq_tw_field_i32(&tw, 2, 1048576);
			pq_tw_field_i32(&tw, 3, 300000);
			pq_tw_field_struct_begin(&tw, 5);
			pq_tw_field_i32(&tw, 1, 20000);
			pq_tw_field_i32(&tw, 2, PQ_ENC_RLE_DICTIONARY);
			pq_tw_field_i32(&tw, 3, PQ_ENC_RLE);
			pq_tw_field_i32(&tw, 4, PQ_ENC_RLE);
			pq_tw_struct_end(&tw);
			pq_tw_struct_end(&tw);
			die(pq_tw_finish(&tw, &err), &err);
		}
	});
	pq_dict_free(d8);
	pq_dict_free(d64);
	pq_dict_free(dlow);
	pq_dict_free(d32);
	pq_dict_free(ds);
	pq_compressor_free(comp);
	hfds_buf_release(&out);
	hfds_buf_release(&plain);
	free(win); free(idx); free(def); free(repl); free(def8); free(rep8); free(i64); free(lowcard);
	free(f64); free(i32); free(valid); free(sdata); free(soff); free(mc_src); free(mc_dst);
	return (int)(sink & 0);
}
