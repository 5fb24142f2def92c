/*
 * Dictionary index width under compression (colwriter.c, dict_indices): with zstd/brotli a
 * dictionary of <= 256 entries stores every RLE_DICTIONARY page at bit width 8 as one
 * bit-packed run, so repeated copies of a row's tokens stay byte-identical for the codec;
 * gzip, and 257..65536 entries under any codec, keep whichever of tight / byte-aligned
 * compresses smaller (repeated rows: aligned); snappy keeps the tight width up to 256
 * entries. The pages are inspected in the file bytes (v2 pages: the values section is
 * compressed alone), and every file is read back by DuckDB, arrow-rs and hyparquet
 * (tests/node/judge.mjs --compare) against the Arrow input.
 */
#include <stdio.h>

#include "test.h"
#include "test_write_kit.h"
#include "hfds/parquet.h"
#include "parquet/read/decompress.h"
#include "parquet/format/pq_format.h"
#include "parquet/read/pq_meta.h"

/* Chesspos-like rows: window = list<list<int8>> holding one 69-token vector (0..12) copied
 * 10 times, every 11th row null; window16 = list<int16>, a 69-token vector of 0..299 copied
 * 10 times (9-bit indices, repeated); wide = int16 with 500 distinct values and rows
 * 100..199 null (all-null pages with page_row_limit 50); name = 300 distinct strings
 * (hashed dictionary, 9-bit indices). */
static struct ArrowArray *chess_like(struct ArrowSchema **schema_out, int64_t rows)
{
	struct ArrowSchema *s = kit_schema("+s", "", 0, 4,
		kit_schema("+l", "window", 1, 1, kit_schema("+l", "item", 1, 1, kit_schema("c", "item", 1, 0))),
		kit_schema("+l", "window16", 1, 1, kit_schema("s", "item", 1, 0)),
		kit_schema("s", "wide", 1, 0),
		kit_schema("u", "name", 1, 0));
	int32_t *outer = kit_alloc(sizeof(int32_t) * (size_t)(rows + 1));
	int32_t *inner = kit_alloc(sizeof(int32_t) * (size_t)(rows * 10 + 1));
	int8_t *vals = kit_alloc((size_t)(rows * 690));
	int16_t *v16 = kit_alloc(sizeof(int16_t) * (size_t)(rows * 690));
	int32_t *off16 = kit_alloc(sizeof(int32_t) * (size_t)(rows + 1));
	uint8_t *wvalid = kit_alloc((size_t)(rows + 7) / 8);
	uint8_t *ovalid = kit_alloc((size_t)(rows + 7) / 8);
	int16_t *wide = kit_alloc(sizeof(int16_t) * (size_t)rows);
	int32_t *soff = kit_alloc(sizeof(int32_t) * (size_t)(rows + 1));
	char *chars = kit_alloc((size_t)rows * 8);
	int64_t nlist = 0;
	uint64_t x = 88172645463325252ull;
	outer[0] = 0;
	for (int64_t r = 0; r < rows; r++) {
		int present = r % 11 != 5;
		if (present) {
			ovalid[r >> 3] |= (uint8_t)(1u << (r & 7));
			int8_t tok[69];
			for (int k = 0; k < 69; k++) {
				x ^= x << 13; x ^= x >> 7; x ^= x << 17;
				tok[k] = (int8_t)(x % 13);
			}
			for (int j = 0; j < 10; j++, nlist++)
				memcpy(vals + nlist * 69, tok, 69);
		}
		int16_t t16[69];
		for (int k = 0; k < 69; k++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			t16[k] = (int16_t)(x % 300);
		}
		for (int j = 0; j < 10; j++)
			memcpy(v16 + r * 690 + j * 69, t16, sizeof(t16));
		off16[r + 1] = (int32_t)((r + 1) * 690);
		outer[r + 1] = (int32_t)nlist;
		if (r < 100 || r >= 200) {
			wvalid[r >> 3] |= (uint8_t)(1u << (r & 7));
			wide[r] = (int16_t)((r * 37) % 1000 - 500);
		}
		soff[r + 1] = soff[r] + snprintf(chars + soff[r], 8, "s%d", (int)(r * 7 % 300));
	}
	for (int64_t i = 0; i <= nlist; i++)
		inner[i] = (int32_t)(i * 69);
	struct ArrowArray *v = kit_alloc(sizeof(*v)), *in = kit_alloc(sizeof(*in)), *out = kit_alloc(sizeof(*out));
	struct ArrowArray *w = kit_alloc(sizeof(*w)), *nm = kit_alloc(sizeof(*nm)), *b = kit_alloc(sizeof(*b));
	struct ArrowArray *i16 = kit_alloc(sizeof(*i16)), *l16 = kit_alloc(sizeof(*l16));
	const void **i16b = kit_alloc(2 * sizeof(void *)), **l16b = kit_alloc(2 * sizeof(void *));
	struct ArrowArray **l16k = kit_alloc(sizeof(void *));
	const void **vb = kit_alloc(2 * sizeof(void *)), **ib = kit_alloc(2 * sizeof(void *));
	const void **ob = kit_alloc(2 * sizeof(void *)), **wb = kit_alloc(2 * sizeof(void *));
	const void **nb = kit_alloc(3 * sizeof(void *)), **bb = kit_alloc(sizeof(void *));
	vb[1] = vals; ib[1] = inner; ob[0] = ovalid; ob[1] = outer; wb[0] = wvalid; wb[1] = wide;
	nb[1] = soff; nb[2] = chars;
	struct ArrowArray **ik = kit_alloc(sizeof(void *)), **ok = kit_alloc(sizeof(void *));
	struct ArrowArray **bk = kit_alloc(4 * sizeof(void *));
	i16b[1] = v16; l16b[1] = off16; l16k[0] = i16;
	ik[0] = v; ok[0] = in; bk[0] = out; bk[1] = l16; bk[2] = w; bk[3] = nm;
	*i16 = (struct ArrowArray){ rows * 690, 0, 0, 2, 0, i16b, NULL, NULL, kit_noop_array, NULL };
	*l16 = (struct ArrowArray){ rows, 0, 0, 2, 1, l16b, l16k, NULL, kit_noop_array, NULL };
	*v = (struct ArrowArray){ nlist * 69, 0, 0, 2, 0, vb, NULL, NULL, kit_noop_array, NULL };
	*in = (struct ArrowArray){ nlist, 0, 0, 2, 1, ib, ik, NULL, kit_noop_array, NULL };
	*out = (struct ArrowArray){ rows, -1, 0, 2, 1, ob, ok, NULL, kit_noop_array, NULL };
	*w = (struct ArrowArray){ rows, -1, 0, 2, 0, wb, NULL, NULL, kit_noop_array, NULL };
	*nm = (struct ArrowArray){ rows, 0, 0, 3, 0, nb, NULL, NULL, kit_noop_array, NULL };
	*b = (struct ArrowArray){ rows, 0, 0, 1, 4, bb, bk, NULL, kit_noop_array, NULL };
	*schema_out = s;
	return b;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *p = malloc((size_t)n + 1);
	*len = fread(p, 1, (size_t)n, f);
	fclose(f);
	return p;
}

#define NCOLS 4

typedef struct page_widths {
	int dict_pages;      /* RLE_DICTIONARY data pages seen */
	int min_width[NCOLS], max_width[NCOLS]; /* per column (chunks in column order) */
	int single_run;      /* every non-empty 8/16-bit page is one run of ceil(n/8) groups */
	int empty_pages;     /* pages without values (width byte only) */
} page_widths;

/*
 * Walks the column chunks of a v2-page file written without page index (pages follow each
 * other from offset 4 up to the footer) and inspects the values of every RLE_DICTIONARY page.
 */
static void inspect(const char *path, int codec, page_widths *pw)
{
	size_t len = 0;
	uint8_t *f = slurp(path, &len);
	REQUIRE(f && len > 12);
	uint32_t flen = (uint32_t)f[len - 8] | (uint32_t)f[len - 7] << 8 | (uint32_t)f[len - 6] << 16 |
		(uint32_t)f[len - 5] << 24;
	size_t end = len - 8 - flen, at = 4;
	memset(pw, 0, sizeof(*pw));
	for (int i = 0; i < NCOLS; i++)
		pw->min_width[i] = 99;
	pw->single_run = 1;
	int col = -1; /* every chunk starts with its dictionary page */
	hfds_error err;
	hfds_error_init(&err);
	while (at < end) {
		pq_page_header h;
		size_t hl;
		REQUIRE(pq_page_header_parse(&h, &hl, f + at, end - at, at, &err) == 0);
		const uint8_t *body = f + at + hl;
		col += h.has_dict;
		REQUIRE(col >= 0 && col < NCOLS);
		if (h.has_data_v2 && h.encoding == PQ_ENC_RLE_DICTIONARY) {
			size_t lv = (size_t)h.def_len + (size_t)h.rep_len;
			size_t vlen = (size_t)h.uncompressed_size - lv;
			uint8_t *vals = malloc(vlen + 1);
			if (h.is_compressed)
				REQUIRE(pq_decompress(codec, body + lv, (size_t)h.compressed_size - lv, vals, vlen, &err) == 0);
			else
				memcpy(vals, body + lv, vlen);
			int bw = vals[0];
			pw->dict_pages++;
			pw->min_width[col] = bw < pw->min_width[col] ? bw : pw->min_width[col];
			pw->max_width[col] = bw > pw->max_width[col] ? bw : pw->max_width[col];
			size_t present = (size_t)(h.num_values - h.num_nulls);
			if (present == 0) {
				pw->empty_pages++;
				pw->single_run &= vlen == 1;
			} else if (bw == 8 || bw == 16) {
				uint64_t hdr = 0;
				size_t i = 1;
				for (int sh = 0; i < vlen; sh += 7) {
					hdr |= (uint64_t)(vals[i] & 0x7f) << sh;
					if (!(vals[i++] & 0x80))
						break;
				}
				size_t groups = (present + 7) / 8;
				pw->single_run &= hdr == ((uint64_t)groups << 1 | 1) && vlen - i == groups * 8 * (size_t)(bw / 8);
			}
			free(vals);
		}
		at += hl + (size_t)h.compressed_size;
	}
	CHECK_EQ_INT((int)(at == end), 1);
	CHECK_EQ_INT(col, NCOLS - 1);
	free(f);
}

static void write_file(const char *path, struct ArrowSchema *s, struct ArrowArray *a, const hfds_pq_writer_options *o)
{
	hfds_error err;
	hfds_error_init(&err);
	int rc = kit_write_file(path, s, a, o, &err);
	if (rc < 0)
		fprintf(stderr, "%s: %s\n", path, err.message);
	CHECK_EQ_INT(rc, 0);
}

static void check_codec(int codec, const char *name, int aligned)
{
	struct ArrowSchema *s;
	struct ArrowArray *a = chess_like(&s, 600);
	char exp[4096], path[4096];
	snprintf(exp, sizeof(exp), "%s/dictwidth.jsonl", test_tmpdir());
	CHECK_EQ_INT(kit_write_expected(exp, s, a), 0);
	for (int v = 1; v <= 2; v++) {
		hfds_pq_writer_options o;
		hfds_pq_writer_options_init(&o);
		o.codec = codec;
		o.page_version = v;
		o.page_size = 16384;    /* several pages per chunk */
		o.page_row_limit = 50;  /* rows 100..199 of `wide`: all-null pages */
		o.page_index = 0;       /* pages run up to the footer (inspect) */
		snprintf(path, sizeof(path), "%s/dictwidth_%s_v%d.parquet", test_tmpdir(), name, v);
		write_file(path, s, a, &o);
		int st = kit_judge(exp, path, NULL);
		if (st != 0)
			fprintf(stderr, "%s: judges disagree\n", path);
		CHECK_EQ_INT(st, 0);
		if (v != 2)
			continue;
		page_widths pw;
		inspect(path, codec, &pw);
		CHECK(pw.dict_pages >= 30);
		CHECK(pw.empty_pages >= 2);
		/* window (13 entries): 8 always under zstd/brotli, by measurement under gzip (its
		 * rows repeat), tight 4 under snappy; window16 (~300 entries, repeated rows): 16 by
		 * measurement under every codec; wide and name (random-ish, 9 bits needed):
		 * whichever compressed smaller, page by page */
		CHECK_EQ_INT(pw.min_width[0], aligned ? 8 : 4);
		CHECK_EQ_INT(pw.max_width[0], aligned ? 8 : 4);
		CHECK_EQ_INT(pw.min_width[1], 16);
		CHECK_EQ_INT(pw.max_width[1], 16);
		for (int i = 2; i < NCOLS; i++)
			CHECK(pw.min_width[i] >= 9 && (pw.max_width[i] == 9 || pw.max_width[i] == 16));
		CHECK_EQ_INT(pw.single_run, 1);
	}
}

static void test_zstd_aligned(void) { check_codec(HFDS_PQ_ZSTD, "zstd", 1); }
static void test_gzip_aligned(void) { check_codec(HFDS_PQ_GZIP, "gzip", 1); }
static void test_brotli_aligned(void) { check_codec(HFDS_PQ_BROTLI, "brotli", 1); }
static void test_snappy_tight8(void) { check_codec(HFDS_PQ_SNAPPY, "snappy", 0); }

/* The repeated copies cost almost nothing under zstd: 2000 rows x 69 random tokens of 13
 * values (window) plus 69 of 300 values (window16) are ~64 + ~142 kB of entropy, and the
 * file stays within 1.5x of that (the ten copies unmatched would be ~10x), far below
 * snappy's.
 * The same bytes come out on 1 and 2 threads. */
static void test_zstd_smaller(void)
{
	struct ArrowSchema *s;
	struct ArrowArray *a = chess_like(&s, 2000);
	char pz[4096], ps[4096], pt[4096];
	size_t lz = 0, ls = 0, lt = 0;
	hfds_pq_writer_options o;
	hfds_pq_writer_options_init(&o);
	o.codec = HFDS_PQ_ZSTD;
	snprintf(pz, sizeof(pz), "%s/dictwidth_size_zstd.parquet", test_tmpdir());
	write_file(pz, s, a, &o);
	o.threads = 2;
	o.row_group_max_rows = 500; /* several chunks to spread over the threads */
	snprintf(pt, sizeof(pt), "%s/dictwidth_size_zstd_t2.parquet", test_tmpdir());
	write_file(pt, s, a, &o);
	o.threads = 1;
	write_file(pz, s, a, &o);
	o.codec = HFDS_PQ_SNAPPY;
	snprintf(ps, sizeof(ps), "%s/dictwidth_size_snappy.parquet", test_tmpdir());
	write_file(ps, s, a, &o);
	uint8_t *bz = slurp(pz, &lz), *bt = slurp(pt, &lt);
	free(slurp(ps, &ls));
	REQUIRE(bz && bt);
	CHECK(lt == lz && memcmp(bz, bt, lz) == 0);
	free(bz);
	free(bt);
	if (!(lz < 300000 && lz < ls))
		fprintf(stderr, "zstd %zu bytes, snappy %zu bytes\n", lz, ls);
	CHECK(lz < 300000);
	CHECK(lz < ls);
}

int main(void)
{
	if (system("node --version > /dev/null 2>&1") != 0) {
		printf("skipped: node not available\n");
		return 0;
	}
	RUN(test_zstd_aligned);
	RUN(test_gzip_aligned);
	RUN(test_brotli_aligned);
	RUN(test_snappy_tight8);
	RUN(test_zstd_smaller);
	kit_free_all();
	TEST_END();
}
