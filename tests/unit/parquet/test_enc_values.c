/*
 * Value and level encoders: exact bytes for the spec's worked examples, and round trips
 * through small independent decoders written here from the format description.
 */
#include "test.h"

#include "parquet/write/enc.h"
#include "parquet/format/pq_format.h"
#include "util/alloc.h"

static hfds_error err;
static uint64_t rng = 0x1234567;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* ---- reference decoders ---- */

static uint64_t uleb(const uint8_t **p, const uint8_t *end)
{
	uint64_t v = 0;
	int s = 0;
	while (*p < end) {
		uint8_t b = *(*p)++;
		v |= (uint64_t)(b & 0x7f) << s;
		if (!(b & 0x80))
			return v;
		s += 7;
	}
	return v;
}

static uint64_t get_bits(const uint8_t *p, size_t bitpos, int w)
{
	uint64_t v = 0;
	for (int i = 0; i < w; i++, bitpos++)
		v |= (uint64_t)(p[bitpos / 8] >> (bitpos % 8) & 1) << i;
	return v;
}

/* Decodes n hybrid-run values; checks every bit-packed run holds whole groups <= 64.
 * Returns bytes consumed, or 0 on malformed input. */
static size_t rle_decode(const uint8_t *p, size_t len, int bw, uint32_t *out, size_t n)
{
	const uint8_t *s = p, *end = p + len;
	size_t got = 0;
	while (got < n) {
		if (p >= end)
			return 0;
		uint64_t h = uleb(&p, end);
		if (h & 1) {
			size_t groups = h >> 1;
			if (groups == 0 || groups > 64)
				return 0;
			for (size_t i = 0; i < groups * 8; i++) {
				uint32_t v = (uint32_t)get_bits(p, i * (size_t)bw, bw);
				if (got < n)
					out[got++] = v;
			}
			p += groups * (size_t)bw;
		} else {
			size_t cnt = h >> 1;
			uint32_t v = 0;
			if (cnt == 0)
				return 0;
			for (int b = 0; b < bw; b += 8)
				v |= (uint32_t)*p++ << b;
			for (size_t i = 0; i < cnt && got < n; i++)
				out[got++] = v;
		}
	}
	return p > end ? 0 : (size_t)(p - s);
}

static int64_t unzig(uint64_t u)
{
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* DELTA_BINARY_PACKED; is32 applies INT32 wrap-around. Returns bytes consumed. */
static size_t dbp_decode(const uint8_t *p, size_t len, int is32, int64_t *out, size_t *n_out)
{
	const uint8_t *s = p, *end = p + len;
	uint64_t block = uleb(&p, end), minis = uleb(&p, end), total = uleb(&p, end);
	int64_t cur = unzig(uleb(&p, end));
	size_t got = 0;
	*n_out = total;
	if (block != 128 || minis != 4)
		return 0;
	if (total)
		out[got++] = cur;
	while (got < total) {
		int64_t mind = unzig(uleb(&p, end));
		const uint8_t *w = p;
		p += 4;
		for (int m = 0; m < 4 && got < total; m++) {
			if (is32 && w[m] > 32)
				return 0;
			for (size_t j = 0; j < 32; j++) {
				uint64_t d = get_bits(p, j * w[m], w[m]);
				if (got < total) {
					cur = (int64_t)((uint64_t)cur + (uint64_t)mind + d);
					if (is32)
						cur = (int32_t)(uint32_t)cur;
					out[got++] = cur;
				}
			}
			p += 32 * (size_t)w[m] / 8;
		}
	}
	return p > end ? 0 : (size_t)(p - s);
}

static hfds_buf out;

static void reset(void)
{
	hfds_buf_clear(&out);
	hfds_error_init(&err);
}

#define CHECK_OUT(...) do { static const uint8_t exp_[] = { __VA_ARGS__ }; \
	CHECK_EQ_INT(out.len, sizeof exp_); \
	if (out.len == sizeof exp_) CHECK_EQ_MEM(out.data, exp_, sizeof exp_); } while (0)

/* ---- RLE ---- */

static void test_rle_examples(void)
{
	uint16_t ones[10] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
	uint16_t mix[9] = { 1, 0, 1, 1, 0, 0, 0, 1, 1 };
	reset();
	CHECK_EQ_INT(pq_rle_encode_u16(ones, 10, 1, &out, &err), 0);
	CHECK_OUT(0x14, 0x01);
	reset();
	CHECK_EQ_INT(pq_rle_encode_u16(mix, 9, 1, &out, &err), 0);
	CHECK_OUT(0x05, 0x8d, 0x01);
	reset();
	CHECK_EQ_INT(pq_rle_encode_u16(mix, 0, 1, &out, &err), 0);
	CHECK_EQ_INT(out.len, 0);
	reset();
	CHECK_EQ_INT(pq_rle_encode_u16(mix, 1, 1, &out, &err), 0);
	CHECK_OUT(0x03, 0x01);
	/* width 0: a run header and no value bytes */
	uint32_t zeros[100] = { 0 };
	reset();
	CHECK_EQ_INT(pq_rle_encode_u32(zeros, 100, 0, &out, &err), 0);
	CHECK_OUT(0xc8, 0x01);
	/* 5 literals then 20 repeats: the literal run borrows 3 to fill its group */
	uint32_t v[25] = { 1, 2, 3, 4, 5 };
	for (int i = 5; i < 25; i++)
		v[i] = 7;
	reset();
	CHECK_EQ_INT(pq_rle_encode_u32(v, 25, 3, &out, &err), 0);
	CHECK_OUT(0x03, 0xd1, 0xd8, 0xff, 0x22, 0x07);
	/* wide values: 2-byte RLE value, 17-bit literals */
	uint32_t w[9] = { 70000, 70000, 70000, 70000, 70000, 70000, 70000, 70000, 70000 };
	reset();
	CHECK_EQ_INT(pq_rle_encode_u32(w, 9, 17, &out, &err), 0);
	CHECK_OUT(0x12, 0x70, 0x11, 0x01);
}

static void test_rle_roundtrip(void)
{
	enum { N = 5000 };
	static uint32_t v[N], back[N];
	static uint16_t v16[N];
	static uint8_t v8[N];
	for (int bw = 0; bw <= 32; bw++) {
		for (int rep = 0; rep < 4; rep++) {
			size_t n = (size_t)(rnd() % N) + (rep == 0 ? 0 : 1);
			uint64_t mask = bw == 32 ? 0xffffffffu : ((uint64_t)1 << bw) - 1;
			for (size_t i = 0; i < n;) {
				size_t run = rnd() % 4 == 0 ? rnd() % 40 + 1 : 1;
				uint32_t x = (uint32_t)(rnd() & mask);
				for (size_t k = 0; k < run && i < n; k++)
					v[i++] = x;
			}
			reset();
			REQUIRE(pq_rle_encode_u32(v, n, bw, &out, &err) == 0);
			CHECK(out.len <= pq_rle_max_size(n, bw));
			memset(back, 0xee, sizeof back);
			size_t used = rle_decode(out.data, out.len, bw, back, n);
			CHECK_EQ_INT(used, out.len);
			CHECK(memcmp(back, v, n * 4) == 0);
			if (bw <= 16) {
				for (size_t i = 0; i < n; i++)
					v16[i] = (uint16_t)v[i];
				hfds_buf o2;
				hfds_buf_init(&o2, 0);
				REQUIRE(pq_rle_encode_u16(v16, n, bw, &o2, &err) == 0);
				CHECK_EQ_INT(o2.len, out.len);
				CHECK(o2.len == out.len && memcmp(o2.data, out.data, out.len) == 0);
				if (bw <= 8) {
					for (size_t i = 0; i < n; i++)
						v8[i] = (uint8_t)v[i];
					hfds_buf_clear(&o2);
					REQUIRE(pq_rle_encode_u8(v8, n, bw, &o2, &err) == 0);
					CHECK(o2.len == out.len && memcmp(o2.data, out.data, out.len) == 0);
				}
				hfds_buf_release(&o2);
			}
		}
	}
	/* long runs and long literal stretches */
	for (size_t i = 0; i < N; i++)
		v[i] = i < 3000 ? (uint32_t)(i & 1) : 1;
	reset();
	REQUIRE(pq_rle_encode_u32(v, N, 1, &out, &err) == 0);
	CHECK_EQ_INT(rle_decode(out.data, out.len, 1, back, N), out.len);
	CHECK(memcmp(back, v, sizeof v) == 0);
	/* a ceiling too small fails cleanly */
	hfds_buf small;
	hfds_buf_init(&small, 3);
	CHECK_EQ_INT(pq_rle_encode_u32(v, N, 1, &small, &err), HFDS_ELIMIT);
	hfds_buf_release(&small);
	/* reservations follow the output, not the input: a long constant run fits a small buffer */
	static uint8_t zeros8[1 << 20];
	hfds_buf_init(&small, 4096);
	CHECK_EQ_INT(pq_rle_encode_u8(zeros8, sizeof zeros8, 8, &small, &err), 0);
	CHECK_EQ_INT(small.len, 5);
	hfds_buf_release(&small);
}

static void test_dict_indices_and_widths(void)
{
	uint32_t idx[3] = { 0, 0, 0 };
	CHECK_EQ_INT(pq_dict_index_bit_width(0), 1);
	CHECK_EQ_INT(pq_dict_index_bit_width(1), 1);
	CHECK_EQ_INT(pq_dict_index_bit_width(2), 1);
	CHECK_EQ_INT(pq_dict_index_bit_width(3), 2);
	CHECK_EQ_INT(pq_dict_index_bit_width(256), 8);
	CHECK_EQ_INT(pq_dict_index_bit_width(257), 9);
	CHECK_EQ_INT(pq_bit_width(0), 0);
	CHECK_EQ_INT(pq_bit_width(1), 1);
	CHECK_EQ_INT(pq_bit_width(UINT64_MAX), 64);
	reset();
	CHECK_EQ_INT(pq_dict_indices_encode(idx, 3, 1, &out, &err), 0);
	CHECK_OUT(0x01, 0x03, 0x00);
}

static void test_rle_bool(void)
{
	/* bits 1,0,1,1,0,0,0,1,1 starting at bit 2 of the bitmap; slot 3 null */
	uint8_t bm[2] = { 0x8d << 2 & 0xff, (0x18d >> 6) & 0xff };
	uint8_t valid[2] = { 0xf7, 0x01 };
	pq_values v = { .src = PQ_SRC_BOOL, .data = bm, .data_bit_offset = 2, .n = 9 };
	reset();
	CHECK_EQ_INT(pq_rle_bool_encode(&v, &out, &err), 0);
	CHECK_OUT(0x03, 0x00, 0x00, 0x00, 0x05, 0x8d, 0x01);
	v.validity = valid;
	reset();
	CHECK_EQ_INT(pq_rle_bool_encode(&v, &out, &err), 0);
	CHECK_OUT(0x02, 0x00, 0x00, 0x00, 0x03, 0xc5); /* 1,0,1,0,0,0,1,1 */
}

/* ---- PLAIN ---- */

static void test_plain_fixed(void)
{
	int8_t i8[5] = { -1, 2, -128, 127, 0 };
	uint8_t valid = 0x1b; /* slots 0,1,3,4 */
	pq_values v = { .src = PQ_SRC_I8, .data = i8, .n = 5, .validity = &valid };
	size_t size;
	reset();
	CHECK_EQ_INT(pq_plain_encode(&v, &out, &err), 0);
	CHECK_OUT(0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 127, 0, 0, 0, 0, 0, 0, 0);
	CHECK_EQ_INT(pq_plain_size(&v, &size, &err), 0);
	CHECK_EQ_INT(size, 16);
	CHECK_EQ_INT(pq_values_count(&v), 4);

	uint16_t u16[2] = { 65535, 1 };
	pq_values v2 = { .src = PQ_SRC_U16, .data = u16, .n = 2 };
	reset();
	CHECK_EQ_INT(pq_plain_encode(&v2, &out, &err), 0);
	CHECK_OUT(0xff, 0xff, 0, 0, 1, 0, 0, 0);

	int64_t i64[2] = { -2, INT64_MAX };
	pq_values v3 = { .src = PQ_SRC_I64, .data = i64, .n = 2 };
	reset();
	CHECK_EQ_INT(pq_plain_encode(&v3, &out, &err), 0);
	CHECK_OUT(0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f);

	uint8_t fl[6] = { 1, 2, 3, 4, 5, 6 };
	uint8_t valid2 = 0x2 << 1; /* offset 1: slot 0 null, slot 1 present, slot 2 null */
	pq_values v4 = { .src = PQ_SRC_FLBA, .width = 2, .data = fl, .n = 3, .validity = &valid2,
		.validity_offset = 1 };
	reset();
	CHECK_EQ_INT(pq_plain_encode(&v4, &out, &err), 0);
	CHECK_OUT(3, 4);

	/* many values with scattered nulls across word boundaries */
	enum { N = 1000 };
	static int32_t big[N];
	static uint8_t bvalid[N / 8 + 2];
	size_t expect = 0;
	for (int i = 0; i < N; i++)
		big[i] = i * 7 - 3000;
	for (size_t i = 0; i < sizeof bvalid; i++)
		bvalid[i] = (uint8_t)rnd();
	pq_values v5 = { .src = PQ_SRC_I32, .data = big, .n = N, .validity = bvalid, .validity_offset = 5 };
	reset();
	REQUIRE(pq_plain_encode(&v5, &out, &err) == 0);
	for (int i = 0; i < N; i++) {
		if (!(bvalid[(i + 5) / 8] >> ((i + 5) % 8) & 1))
			continue;
		REQUIRE(expect * 4 + 4 <= out.len);
		CHECK(memcmp(out.data + expect * 4, &big[i], 4) == 0);
		expect++;
	}
	CHECK_EQ_INT(out.len, expect * 4);
	CHECK_EQ_INT(pq_values_count(&v5), expect);
}

/* Every fixed-width kind against a naive reference, with all-present, all-null and mixed
 * 64-slot words and an unaligned validity offset. */
static void test_plain_kinds_validity(void)
{
	enum { N = 700 };
	static uint8_t data[N * 8], valid[N / 8 + 4], ref[N * 8];
	static const struct { int src; size_t sw, pw; int sign; } kinds[] = {
		{ PQ_SRC_I8, 1, 4, 1 }, { PQ_SRC_I16, 2, 4, 1 }, { PQ_SRC_I32, 4, 4, 0 }, { PQ_SRC_I64, 8, 8, 0 },
		{ PQ_SRC_U8, 1, 4, 0 }, { PQ_SRC_U16, 2, 4, 0 }, { PQ_SRC_U32, 4, 4, 0 }, { PQ_SRC_U64, 8, 8, 0 },
		{ PQ_SRC_F16, 2, 2, 0 }, { PQ_SRC_F32, 4, 4, 0 }, { PQ_SRC_F64, 8, 8, 0 }, { PQ_SRC_FLBA, 3, 3, 0 } };
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)rnd();
	for (size_t i = 0; i < sizeof valid; i++)
		valid[i] = i < 17 ? 0xff : i < 26 ? 0 : (uint8_t)rnd();
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		pq_values v = { .src = kinds[k].src, .width = 3, .data = data, .n = N, .validity = valid,
			.validity_offset = 3 };
		size_t cnt = 0;
		for (size_t i = 0; i < N; i++) {
			if (!(valid[(i + 3) / 8] >> ((i + 3) % 8) & 1))
				continue;
			uint64_t x = 0;
			memcpy(&x, data + i * kinds[k].sw, kinds[k].sw);
			if (kinds[k].sign && (x >> (8 * kinds[k].sw - 1) & 1))
				x |= ~(uint64_t)0 << (8 * kinds[k].sw);
			memcpy(ref + cnt * kinds[k].pw, &x, kinds[k].pw);
			cnt++;
		}
		/* after an odd-length prefix (as after v1 levels): stores must not need alignment */
		reset();
		hfds_buf_append(&out, "L", 1, &err);
		REQUIRE(pq_plain_encode(&v, &out, &err) == 0);
		CHECK_EQ_INT(out.len, 1 + cnt * kinds[k].pw);
		CHECK(out.len == 1 + cnt * kinds[k].pw && memcmp(out.data + 1, ref, out.len - 1) == 0);
		/* BSS and (for integers) DBP see the same values */
		if (kinds[k].src == PQ_SRC_I16 || kinds[k].src == PQ_SRC_U64) {
			static int64_t back[N];
			size_t got = 0;
			reset();
			REQUIRE(pq_dbp_encode(&v, &out, &err) == 0);
			CHECK_EQ_INT(dbp_decode(out.data, out.len, kinds[k].pw == 4, back, &got), out.len);
			CHECK_EQ_INT(got, cnt);
			for (size_t i = 0; i < cnt && i < got; i++) {
				int64_t x = 0;
				memcpy(&x, ref + i * kinds[k].pw, kinds[k].pw);
				if (kinds[k].pw == 4)
					x = (int32_t)x;
				if (back[i] != x) {
					CHECK_EQ_INT(back[i], x);
					break;
				}
			}
		}
		reset();
		REQUIRE(pq_bss_encode(&v, &out, &err) == 0);
		REQUIRE(out.len == cnt * kinds[k].pw);
		size_t bad = 0;
		for (size_t i = 0; i < cnt; i++)
			for (size_t j = 0; j < kinds[k].pw; j++)
				bad += out.data[j * cnt + i] != ref[i * kinds[k].pw + j];
		CHECK_EQ_INT(bad, 0);
	}
}

static void test_plain_bool(void)
{
	enum { N = 300 };
	static uint8_t bm[N / 8 + 2], valid[N / 8 + 2];
	for (size_t i = 0; i < sizeof bm; i++) {
		bm[i] = (uint8_t)rnd();
		valid[i] = (uint8_t)rnd() | 0x11;
	}
	for (int use_valid = 0; use_valid < 2; use_valid++) {
		pq_values v = { .src = PQ_SRC_BOOL, .data = bm, .data_bit_offset = 3, .n = N,
			.validity = use_valid ? valid : NULL, .validity_offset = 6 };
		size_t k = 0;
		reset();
		REQUIRE(pq_plain_encode(&v, &out, &err) == 0);
		for (int i = 0; i < N; i++) {
			if (use_valid && !(valid[(i + 6) / 8] >> ((i + 6) % 8) & 1))
				continue;
			int bit = bm[(i + 3) / 8] >> ((i + 3) % 8) & 1;
			REQUIRE(k / 8 < out.len);
			CHECK_EQ_INT(out.data[k / 8] >> (k % 8) & 1, bit);
			k++;
		}
		CHECK_EQ_INT(out.len, (k + 7) / 8);
		if (k % 8)
			CHECK_EQ_INT(out.data[out.len - 1] >> (k % 8), 0); /* zero padding */
	}
}

static void test_plain_binary(void)
{
	const char data[] = "a\0bxyz\0\0hello";
	int32_t off32[5] = { 0, 3, 6, 8, 13 };
	int64_t off64[5] = { 0, 3, 6, 8, 13 };
	uint8_t valid = 0x0d; /* slot 1 null */
	pq_values v = { .src = PQ_SRC_BIN32, .data = data, .offsets = off32, .n = 4 };
	reset();
	CHECK_EQ_INT(pq_plain_encode(&v, &out, &err), 0);
	CHECK_OUT(3, 0, 0, 0, 'a', 0, 'b', 3, 0, 0, 0, 'x', 'y', 'z', 2, 0, 0, 0, 0, 0,
		5, 0, 0, 0, 'h', 'e', 'l', 'l', 'o');
	pq_values v64 = { .src = PQ_SRC_BIN64, .data = data, .offsets = off64 + 1, .n = 3,
		.validity = &valid, .validity_offset = 1 };
	size_t size;
	reset();
	CHECK_EQ_INT(pq_plain_encode(&v64, &out, &err), 0);
	CHECK_OUT(2, 0, 0, 0, 0, 0, 5, 0, 0, 0, 'h', 'e', 'l', 'l', 'o');
	CHECK_EQ_INT(pq_plain_size(&v64, &size, &err), 0);
	CHECK_EQ_INT(size, 15);
	/* decreasing offsets are rejected, naming the slot */
	int32_t bad[3] = { 0, 5, 2 };
	pq_values vb = { .src = PQ_SRC_BIN32, .data = data, .offsets = bad, .n = 2 };
	reset();
	CHECK_EQ_INT(pq_plain_encode(&vb, &out, &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "slot 1") != NULL);
	/* empty input */
	pq_values ve = { .src = PQ_SRC_BIN32, .data = data, .offsets = off32, .n = 0 };
	reset();
	CHECK_EQ_INT(pq_plain_encode(&ve, &out, &err), 0);
	CHECK_EQ_INT(out.len, 0);
}

/* ---- dictionary ---- */

static void test_dict_ints(void)
{
	pq_dict *d = NULL;
	int32_t vals[10] = { 5, 5, 7, 5, -1, 7, 7, 7, 0, 5 };
	uint32_t idx[10];
	uint32_t expect[10] = { 0, 0, 1, 0, 2, 1, 1, 1, 3, 0 };
	size_t n;
	REQUIRE(pq_dict_new(&d, PQ_SRC_I32, 0, &err) == 0);
	pq_values v = { .src = PQ_SRC_I32, .data = vals, .n = 10 };
	CHECK_EQ_INT(pq_dict_put(d, &v, idx, &n, &err), 0);
	CHECK_EQ_INT(n, 10);
	CHECK(memcmp(idx, expect, sizeof idx) == 0);
	CHECK_EQ_INT(pq_dict_count(d), 4);
	CHECK_EQ_INT(pq_dict_plain_size(d), 16);
	reset();
	CHECK_EQ_INT(pq_dict_write_plain(d, &out, &err), 0);
	CHECK_OUT(5, 0, 0, 0, 7, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0);
	size_t len;
	const uint8_t *e = pq_dict_entry(d, 2, &len);
	CHECK_EQ_INT(len, 4);
	CHECK(memcmp(e, "\xff\xff\xff\xff", 4) == 0);
	/* a wrong kind is refused */
	pq_values wrong = { .src = PQ_SRC_I64, .data = vals, .n = 1 };
	CHECK_EQ_INT(pq_dict_put(d, &wrong, idx, &n, &err), HFDS_EINVAL);
	/* reset forgets entries */
	pq_dict_reset(d);
	CHECK_EQ_INT(pq_dict_count(d), 0);
	v.data = vals + 2;
	v.n = 1;
	CHECK_EQ_INT(pq_dict_put(d, &v, idx, &n, &err), 0);
	CHECK_EQ_INT(idx[0], 0);
	CHECK_EQ_INT(pq_dict_plain_size(d), 4);
	pq_dict_free(d);

	/* int8 through the direct table, widened entries, with nulls */
	int8_t i8[6] = { -3, 4, -3, 100, 4, -128 };
	uint8_t valid = 0x3b; /* slot 2 null */
	REQUIRE(pq_dict_new(&d, PQ_SRC_I8, 0, &err) == 0);
	pq_values v8 = { .src = PQ_SRC_I8, .data = i8, .n = 6, .validity = &valid };
	CHECK_EQ_INT(pq_dict_put(d, &v8, idx, &n, &err), 0);
	CHECK_EQ_INT(n, 5);
	uint32_t e8[5] = { 0, 1, 2, 1, 3 };
	CHECK(memcmp(idx, e8, sizeof e8) == 0);
	reset();
	CHECK_EQ_INT(pq_dict_write_plain(d, &out, &err), 0);
	CHECK_OUT(0xfd, 0xff, 0xff, 0xff, 4, 0, 0, 0, 100, 0, 0, 0, 0x80, 0xff, 0xff, 0xff);
	pq_dict_free(d);

	/* doubles compare by bits: -0.0 and 0.0 are two entries */
	double f[4] = { 0.0, -0.0, 0.0, 1.5 };
	REQUIRE(pq_dict_new(&d, PQ_SRC_F64, 0, &err) == 0);
	pq_values vf = { .src = PQ_SRC_F64, .data = f, .n = 4 };
	CHECK_EQ_INT(pq_dict_put(d, &vf, idx, &n, &err), 0);
	uint32_t ef[4] = { 0, 1, 0, 2 };
	CHECK(memcmp(idx, ef, sizeof ef) == 0);
	pq_dict_free(d);
}

/* Every kind against a naive first-seen dictionary over the PLAIN bytes. */
static void test_dict_kinds(void)
{
	enum { N = 700 };
	static uint8_t data[N * 8], valid[N / 8 + 4], plain[N * 8], ent[N * 8];
	static uint32_t idx[N];
	static const int kinds[] = { PQ_SRC_I8, PQ_SRC_I16, PQ_SRC_I32, PQ_SRC_I64, PQ_SRC_U8, PQ_SRC_U16,
		PQ_SRC_U32, PQ_SRC_U64, PQ_SRC_F16, PQ_SRC_F32, PQ_SRC_F64, PQ_SRC_FLBA };
	for (size_t i = 0; i < sizeof valid; i++)
		valid[i] = (uint8_t)rnd() | 0x81;
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		pq_values v = { .src = kinds[k], .width = 5, .data = data, .n = N, .validity = valid,
			.validity_offset = 1 };
		size_t pw, cnt = 0, nent = 0, n;
		pq_dict *d = NULL;
		/* few distinct values: every byte of a value from a small pool */
		for (size_t i = 0; i < sizeof data; i++)
			data[i] = (uint8_t)(rnd() % 3 * 85);
		reset();
		REQUIRE(pq_plain_encode(&v, &out, &err) == 0);
		cnt = pq_values_count(&v);
		pw = out.len / cnt;
		memcpy(plain, out.data, out.len);
		REQUIRE(pq_dict_new(&d, kinds[k], 5, &err) == 0);
		REQUIRE(pq_dict_put(d, &v, idx, &n, &err) == 0);
		CHECK_EQ_INT(n, cnt);
		size_t bad = 0;
		for (size_t i = 0; i < cnt; i++) {
			size_t e = 0;
			while (e < nent && memcmp(ent + e * pw, plain + i * pw, pw) != 0)
				e++;
			if (e == nent)
				memcpy(ent + nent++ * pw, plain + i * pw, pw);
			bad += idx[i] != e;
		}
		CHECK_EQ_INT(bad, 0);
		CHECK_EQ_INT(pq_dict_count(d), nent);
		reset();
		REQUIRE(pq_dict_write_plain(d, &out, &err) == 0);
		CHECK(out.len == nent * pw && memcmp(out.data, ent, out.len) == 0);
		pq_dict_free(d);
	}
}

static void test_dict_growth(void)
{
	enum { N = 200000 };
	static int64_t vals[N];
	static uint32_t idx[N];
	pq_dict *d = NULL;
	size_t n;
	for (size_t i = 0; i < N; i++)
		vals[i] = (int64_t)(rnd() % 70000) * 1000003 - 5;
	REQUIRE(pq_dict_new(&d, PQ_SRC_I64, 0, &err) == 0);
	pq_values v = { .src = PQ_SRC_I64, .data = vals, .n = N };
	REQUIRE(pq_dict_put(d, &v, idx, &n, &err) == 0);
	REQUIRE(n == N);
	size_t cnt = pq_dict_count(d), bad = 0, next = 0;
	for (size_t i = 0; i < N; i++) {
		size_t len;
		const uint8_t *e;
		if (idx[i] >= cnt) {
			bad++;
			continue;
		}
		e = pq_dict_entry(d, idx[i], &len);
		if (len != 8 || memcmp(e, &vals[i], 8) != 0)
			bad++;
		if (idx[i] == next) /* first-seen order */
			next++;
		else if (idx[i] > next)
			bad++;
	}
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(next, cnt);
	CHECK(cnt > 60000 && cnt <= 70000);
	CHECK_EQ_INT(pq_dict_plain_size(d), cnt * 8);
	pq_dict_free(d);
}

static void test_dict_strings(void)
{
	const char data[] = "a\0ba\0ca" "a\0b" "xyz";
	/* values: "a\0b", "a\0c", "a", "a\0b", "", "xyz", "" */
	int32_t off[8] = { 0, 3, 6, 7, 10, 10, 13, 13 };
	uint32_t idx[7], expect[7] = { 0, 1, 2, 0, 3, 4, 3 };
	pq_dict *d = NULL;
	size_t n;
	REQUIRE(pq_dict_new(&d, PQ_SRC_BIN32, 0, &err) == 0);
	pq_values v = { .src = PQ_SRC_BIN32, .data = data, .offsets = off, .n = 7 };
	CHECK_EQ_INT(pq_dict_put(d, &v, idx, &n, &err), 0);
	CHECK_EQ_INT(n, 7);
	CHECK(memcmp(idx, expect, sizeof idx) == 0);
	reset();
	CHECK_EQ_INT(pq_dict_write_plain(d, &out, &err), 0);
	CHECK_OUT(3, 0, 0, 0, 'a', 0, 'b', 3, 0, 0, 0, 'a', 0, 'c', 1, 0, 0, 0, 'a', 0, 0, 0, 0,
		3, 0, 0, 0, 'x', 'y', 'z');
	CHECK_EQ_INT(pq_dict_plain_size(d), out.len);
	size_t len;
	const uint8_t *e = pq_dict_entry(d, 1, &len);
	CHECK(len == 3 && memcmp(e, "a\0c", 3) == 0);
	pq_dict_free(d);

	/* fallback threshold: the caller watches pq_dict_plain_size reach 1 MiB */
	enum { LEN = 20, N = 1000 };
	static char sdata[N * LEN];
	static int64_t soff[N + 1];
	static uint32_t sidx[N];
	REQUIRE(pq_dict_new(&d, PQ_SRC_BIN64, 0, &err) == 0);
	size_t batches = 0;
	while (pq_dict_plain_size(d) < (1u << 20)) {
		for (int i = 0; i < N; i++) {
			char tmp[64] = { 0 };
			snprintf(tmp, sizeof tmp, "k%010zu-%06d", batches, i);
			memcpy(sdata + i * LEN, tmp, LEN);
			soff[i] = i * LEN;
		}
		soff[N] = N * LEN;
		pq_values vs = { .src = PQ_SRC_BIN64, .data = sdata, .offsets = soff, .n = N };
		REQUIRE(pq_dict_put(d, &vs, sidx, &n, &err) == 0);
		batches++;
		CHECK_EQ_INT(pq_dict_plain_size(d), batches * N * (LEN + 4));
		CHECK_EQ_INT(sidx[N - 1], batches * N - 1);
	}
	CHECK_EQ_INT(batches, (1u << 20) / (N * (LEN + 4)) + 1);
	pq_dict_free(d);

	/* strings of every length 0..40 differing in a single byte are all distinct */
	{
		static char buf[64 * 1024];
		static int32_t offs[2048];
		static uint32_t i1[2048], i2[2048];
		size_t nv = 0, at = 0;
		offs[0] = 0;
		for (int L = 0; L <= 40; L++) {
			for (int pos = -1; pos < L; pos++) {
				for (int k = 0; k < L; k++)
					buf[at + (size_t)k] = k == pos ? 'b' : 'a';
				at += (size_t)L;
				offs[++nv] = (int32_t)at;
			}
		}
		REQUIRE(pq_dict_new(&d, PQ_SRC_BIN32, 0, &err) == 0);
		pq_values va = { .src = PQ_SRC_BIN32, .data = buf, .offsets = offs, .n = nv };
		REQUIRE(pq_dict_put(d, &va, i1, &n, &err) == 0);
		CHECK_EQ_INT(pq_dict_count(d), nv);
		REQUIRE(pq_dict_put(d, &va, i2, &n, &err) == 0);
		CHECK(memcmp(i1, i2, nv * 4) == 0);
		CHECK_EQ_INT(pq_dict_count(d), nv);
		pq_dict_free(d);
	}

	/* FLBA */
	uint8_t fl[8] = { 1, 2, 3, 4, 1, 2, 0, 0 };
	REQUIRE(pq_dict_new(&d, PQ_SRC_FLBA, 2, &err) == 0);
	pq_values vf = { .src = PQ_SRC_FLBA, .width = 2, .data = fl, .n = 4 };
	CHECK_EQ_INT(pq_dict_put(d, &vf, idx, &n, &err), 0);
	uint32_t ef[4] = { 0, 1, 0, 2 };
	CHECK(memcmp(idx, ef, sizeof ef) == 0);
	CHECK_EQ_INT(pq_dict_plain_size(d), 6);
	pq_dict_free(d);
	/* FLBA wider than 8 bytes goes through the hashed path */
	{
		static uint8_t w12[100 * 12];
		static uint32_t i12[100];
		for (int i = 0; i < 100; i++) {
			memset(w12 + i * 12, 'u', 12);
			w12[i * 12 + 11] = (uint8_t)(i % 7);
		}
		REQUIRE(pq_dict_new(&d, PQ_SRC_FLBA, 12, &err) == 0);
		pq_values v12 = { .src = PQ_SRC_FLBA, .width = 12, .data = w12, .n = 100 };
		CHECK_EQ_INT(pq_dict_put(d, &v12, i12, &n, &err), 0);
		CHECK_EQ_INT(pq_dict_count(d), 7);
		size_t bad = 0;
		for (int i = 0; i < 100; i++)
			bad += i12[i] != (uint32_t)(i % 7);
		CHECK_EQ_INT(bad, 0);
		CHECK_EQ_INT(pq_dict_plain_size(d), 7 * 12);
		pq_values v5 = { .src = PQ_SRC_FLBA, .width = 5, .data = w12, .n = 1 };
		CHECK_EQ_INT(pq_dict_put(d, &v5, i12, &n, &err), HFDS_EINVAL);
		pq_dict_free(d);
	}
	CHECK_EQ_INT(pq_dict_new(&d, PQ_SRC_BOOL, 0, &err), HFDS_EINVAL);
	CHECK(d == NULL);
	pq_dict_free(NULL);
}

/* ---- DELTA_BINARY_PACKED, DLBA, BSS ---- */

static void test_dbp_examples(void)
{
	int32_t v[5] = { 1, 2, 3, 4, 5 };
	reset();
	CHECK_EQ_INT(pq_dbp_encode_i32(v, 5, &out, &err), 0);
	CHECK_OUT(0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00);
	reset();
	CHECK_EQ_INT(pq_dbp_encode_i32(v, 0, &out, &err), 0);
	CHECK_OUT(0x80, 0x01, 0x04, 0x00, 0x00);
	int64_t one = -7;
	reset();
	CHECK_EQ_INT(pq_dbp_encode_i64(&one, 1, &out, &err), 0);
	CHECK_OUT(0x80, 0x01, 0x04, 0x01, 0x0d);
	/* the same through pq_values from uint8 with a null */
	uint8_t u8[6] = { 1, 2, 99, 3, 4, 5 };
	uint8_t valid = 0x3b;
	pq_values pv = { .src = PQ_SRC_U8, .data = u8, .n = 6, .validity = &valid };
	reset();
	CHECK_EQ_INT(pq_dbp_encode(&pv, &out, &err), 0);
	CHECK_OUT(0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00);
	pq_values pb = { .src = PQ_SRC_F32, .data = u8, .n = 1 };
	CHECK_EQ_INT(pq_dbp_encode(&pb, &out, &err), HFDS_EINVAL);
}

static void dbp_check64(const int64_t *v, size_t n)
{
	static int64_t back[5000];
	size_t got = 0;
	reset();
	REQUIRE(pq_dbp_encode_i64(v, n, &out, &err) == 0);
	CHECK_EQ_INT(dbp_decode(out.data, out.len, 0, back, &got), out.len);
	CHECK_EQ_INT(got, n);
	CHECK(got == n && memcmp(back, v, n * 8) == 0);
}

static void dbp_check32(const int32_t *v, size_t n)
{
	static int64_t back[5000];
	size_t got = 0, bad = 0;
	reset();
	REQUIRE(pq_dbp_encode_i32(v, n, &out, &err) == 0);
	CHECK_EQ_INT(dbp_decode(out.data, out.len, 1, back, &got), out.len);
	CHECK_EQ_INT(got, n);
	for (size_t i = 0; i < n && i < got; i++)
		bad += back[i] != v[i];
	CHECK_EQ_INT(bad, 0);
}

static void test_dbp_roundtrip(void)
{
	static int64_t v[5000];
	static int32_t v32[5000];
	size_t lens[] = { 1, 2, 31, 32, 33, 127, 128, 129, 130, 300, 1000, 4999 };
	/* every bit width 0..64 */
	for (int w = 0; w <= 64; w++) {
		for (size_t li = 0; li < sizeof lens / sizeof *lens; li++) {
			size_t n = lens[li];
			uint64_t mask = w == 64 ? UINT64_MAX : ((uint64_t)1 << w) - 1;
			int64_t cur = (int64_t)rnd();
			for (size_t i = 0; i < n; i++) {
				v[i] = cur;
				cur = (int64_t)((uint64_t)cur + (rnd() & mask));
				v32[i] = (int32_t)(uint32_t)v[i];
			}
			dbp_check64(v, n);
			dbp_check32(v32, n);
		}
	}
	/* wrap-around at the extremes */
	int64_t ex[8] = { INT64_MIN, INT64_MAX, 0, INT64_MIN, -1, INT64_MAX, INT64_MAX, INT64_MIN };
	dbp_check64(ex, 8);
	int32_t ex32[8] = { INT32_MIN, INT32_MAX, 0, INT32_MIN, -1, INT32_MAX, INT32_MAX, INT32_MIN };
	dbp_check32(ex32, 8);
	for (size_t i = 0; i < 1000; i++)
		v[i] = (rnd() & 1) ? INT64_MIN : INT64_MAX;
	dbp_check64(v, 1000);
	/* widths in an INT32 stream never exceed 32 even with extreme deltas */
	for (size_t i = 0; i < 1000; i++)
		v32[i] = (rnd() & 1) ? INT32_MIN : INT32_MAX;
	dbp_check32(v32, 1000);
}

static void test_dlba(void)
{
	const char data[] = "helloa\0bworld";
	int32_t off[5] = { 0, 5, 8, 8, 13 };
	uint8_t valid = 0x0b; /* slot 2 null */
	pq_values v = { .src = PQ_SRC_BIN32, .data = data, .offsets = off, .n = 4, .validity = &valid };
	int64_t lens[8];
	size_t got = 0, used;
	reset();
	REQUIRE(pq_dlba_encode(&v, &out, &err) == 0);
	used = dbp_decode(out.data, out.len, 1, lens, &got);
	REQUIRE(used > 0);
	CHECK_EQ_INT(got, 3);
	CHECK(lens[0] == 5 && lens[1] == 3 && lens[2] == 5);
	CHECK_EQ_INT(out.len - used, 13);
	CHECK(memcmp(out.data + used, "helloa\0bworld", 13) == 0);
	pq_values vi = { .src = PQ_SRC_I32, .data = off, .n = 1 };
	CHECK_EQ_INT(pq_dlba_encode(&vi, &out, &err), HFDS_EINVAL);
}

static void test_bss(void)
{
	float f[3] = { 1.0f, -2.0f, 0.5f };
	uint8_t valid = 0x5; /* slot 1 null */
	pq_values v = { .src = PQ_SRC_F32, .data = f, .n = 3 };
	reset();
	CHECK_EQ_INT(pq_bss_encode(&v, &out, &err), 0);
	CHECK_OUT(0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0x3f, 0xc0, 0x3f);
	v.validity = &valid;
	reset();
	CHECK_EQ_INT(pq_bss_encode(&v, &out, &err), 0);
	CHECK_OUT(0, 0, 0, 0, 0x80, 0, 0x3f, 0x3f);
	enum { N = 777 };
	static double d[N];
	for (int i = 0; i < N; i++)
		d[i] = (double)rnd() / 3.0;
	pq_values vd = { .src = PQ_SRC_F64, .data = d, .n = N };
	reset();
	REQUIRE(pq_bss_encode(&vd, &out, &err) == 0);
	REQUIRE(out.len == N * 8);
	size_t bad = 0;
	for (int i = 0; i < N; i++) {
		uint8_t b[8];
		for (int j = 0; j < 8; j++)
			b[j] = out.data[j * N + i];
		bad += memcmp(b, &d[i], 8) != 0;
	}
	CHECK_EQ_INT(bad, 0);
	/* generic width (FLBA 3) */
	uint8_t fl[6] = { 1, 2, 3, 4, 5, 6 };
	pq_values vf = { .src = PQ_SRC_FLBA, .width = 3, .data = fl, .n = 2 };
	reset();
	CHECK_EQ_INT(pq_bss_encode(&vf, &out, &err), 0);
	CHECK_OUT(1, 4, 2, 5, 3, 6);
	pq_values vb = { .src = PQ_SRC_BIN32, .data = fl, .offsets = fl, .n = 0 };
	CHECK_EQ_INT(pq_bss_encode(&vb, &out, &err), HFDS_EINVAL);
}

/* Every allocation of every kernel fails once in turn: errors come back as HFDS_ENOMEM,
 * nothing crashes or leaks (ASan), and the dictionary stays usable. */
static void test_alloc_failures(void)
{
	enum { N = 3000 };
	static int64_t v64[N];
	static uint8_t bits[N / 8 + 1];
	static char sdata[N * 4];
	static int32_t soff[N + 1];
	static uint32_t idx[N];
	for (int i = 0; i < N; i++) {
		v64[i] = (int64_t)(rnd() % 2000);
		soff[i] = i * 4;
		memcpy(sdata + i * 4, &v64[i], 4);
	}
	soff[N] = N * 4;
	for (size_t i = 0; i < sizeof bits; i++)
		bits[i] = (uint8_t)rnd();
	pq_values vi = { .src = PQ_SRC_I64, .data = v64, .n = N };
	pq_values vs = { .src = PQ_SRC_BIN32, .data = sdata, .offsets = soff, .n = N };
	pq_values vb = { .src = PQ_SRC_BOOL, .data = bits, .n = N };
	pq_values vn = { .src = PQ_SRC_I64, .data = v64, .n = N, .validity = bits };
	int failures = 0, bad = 0;
	for (uint64_t k = 1; k < 60; k++) {
		hfds_buf o;
		pq_dict *d = NULL;
		size_t n;
		int rc[8];
		hfds_buf_init(&o, 0);
		hfds_error_init(&err);
		hfds_alloc_fail_after(k);
		rc[0] = pq_dict_new(&d, PQ_SRC_I64, 0, &err);
		rc[1] = d ? pq_dict_put(d, &vi, idx, &n, &err) : 0;
		pq_dict_free(d);
		d = NULL;
		rc[2] = pq_dict_new(&d, PQ_SRC_BIN32, 0, &err);
		rc[3] = d ? pq_dict_put(d, &vs, idx, &n, &err) : 0;
		rc[4] = pq_rle_bool_encode(&vb, &o, &err);
		rc[5] = pq_dbp_encode(&vn, &o, &err);
		rc[6] = pq_dlba_encode(&vs, &o, &err);
		rc[7] = pq_bss_encode(&vn, &o, &err);
		hfds_alloc_fail_after(0);
		for (int j = 0; j < 8; j++) {
			failures += rc[j] < 0;
			bad += rc[j] < 0 && rc[j] != HFDS_ENOMEM;
		}
		/* a dictionary whose put failed still works */
		if (d) {
			hfds_error_init(&err);
			bad += pq_dict_put(d, &vs, idx, &n, &err) != 0 || n != N;
			size_t len;
			const uint8_t *e = pq_dict_entry(d, idx[N - 1], &len);
			bad += len != 4 || memcmp(e, sdata + (N - 1) * 4, 4) != 0;
		}
		pq_dict_free(d);
		hfds_buf_release(&o);
	}
	CHECK(failures > 10);
	CHECK_EQ_INT(bad, 0);
}

int main(void)
{
	hfds_buf_init(&out, 0);
	RUN(test_rle_examples);
	RUN(test_rle_roundtrip);
	RUN(test_dict_indices_and_widths);
	RUN(test_rle_bool);
	RUN(test_plain_fixed);
	RUN(test_plain_kinds_validity);
	RUN(test_plain_bool);
	RUN(test_plain_binary);
	RUN(test_dict_ints);
	RUN(test_dict_kinds);
	RUN(test_dict_growth);
	RUN(test_dict_strings);
	RUN(test_dbp_examples);
	RUN(test_dbp_roundtrip);
	RUN(test_dlba);
	RUN(test_bss);
	RUN(test_alloc_failures);
	hfds_buf_release(&out);
	TEST_END();
}
