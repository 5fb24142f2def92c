/*
 * Reader fast paths: dictionary indices gathered straight into values (runs, packed groups,
 * out-of-range indices; strings through the 16-byte slots), level min/max from the hybrid decoder, and a scan of a multi-row-group
 * file that exercises them end to end: fixed-shape list<list<int8>> (no definition levels kept),
 * int16 narrowed from PLAIN and from a dictionary, a column whose first null appears after
 * null-free pages, strings from a dictionary, and column buffers reused across row groups
 * while the consumer keeps earlier batches alive and releases them out of order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hfds/parquet.h"
#include "hfds/parquet_reader.h"
#include "parquet/format/pq_format.h"
#include "parquet/read/assemble.h"
#include "parquet/read/dec_values.h"
#include "test.h"

static void gather(void)
{
	/* bit width 2: RLE run of 5 x index 2, then one packed group 0,1,2,3,3,2,1,0 */
	const uint8_t enc[] = {0x0a, 0x02, 0x03, 0xe4, 0x1b};
	const uint8_t d1[] = {10, 20, 30, 40};
	const int32_t d4[] = {-1, 100000, 7, 123456789};
	const uint32_t want[] = {2, 2, 2, 2, 2, 0, 1, 2, 3, 3, 2, 1, 0};
	uint8_t o1[13];
	int32_t o4[13];
	uint32_t idx[13];
	uint16_t lv[13], mn, mx;
	hfds_error err;
	size_t i;
	hfds_error_init(&err);
	REQUIRE(pq_rle_decode(enc, sizeof enc, 2, idx, 13, &err) == 0);
	CHECK_EQ_MEM(idx, want, sizeof want);
	CHECK_EQ_INT(pq_rle_gather(enc, sizeof enc, 2, 13, d1, 4, 1, o1, &err), 0);
	CHECK_EQ_INT(pq_rle_gather(enc, sizeof enc, 2, 13, (const uint8_t *)d4, 4, 4, (uint8_t *)o4, &err), 0);
	for (i = 0; i < 13; i++) {
		CHECK_EQ_INT(o1[i], d1[want[i]]);
		CHECK_EQ_INT(o4[i], d4[want[i]]);
	}
	/* index 3 with a 3-entry dictionary: in the packed group, and in a run */
	CHECK_EQ_INT(pq_rle_gather(enc, sizeof enc, 2, 13, d1, 3, 1, o1, &err), HFDS_ECORRUPT);
	CHECK(strstr(err.message, "index 3 out of range (3 entries)") != NULL);
	hfds_error_init(&err);
	CHECK_EQ_INT(pq_rle_gather(enc, sizeof enc, 2, 5, d1, 2, 1, o1, &err), HFDS_ECORRUPT);
	/* truncated: 13 values wanted, the group is cut short */
	hfds_error_init(&err);
	CHECK_EQ_INT(pq_rle_gather(enc, 4, 2, 13, d1, 4, 1, o1, &err), HFDS_ECORRUPT);
	/* a long packed run (bit width 3, 64 values) goes through the 8-at-a-time path */
	{
		uint8_t big[1 + 24 + 16];
		uint32_t ref[64];
		uint8_t ob[64], dict[8] = {1, 2, 3, 4, 5, 6, 7, 8};
		memset(big, 0, sizeof big);
		big[0] = (8 << 1) | 1; /* 8 groups */
		for (i = 0; i < 64; i++) {
			size_t bit = i * 3;
			ref[i] = (uint32_t)((i * 5 + 1) % 8);
			big[1 + bit / 8] |= (uint8_t)(ref[i] << (bit % 8));
			if (bit % 8 > 5)
				big[1 + bit / 8 + 1] |= (uint8_t)(ref[i] >> (8 - bit % 8));
		}
		hfds_error_init(&err);
		REQUIRE(pq_rle_gather(big, 25, 3, 64, dict, 8, 1, ob, &err) == 0);
		for (i = 0; i < 64; i++)
			CHECK_EQ_INT(ob[i], dict[ref[i]]);
		REQUIRE(pq_rle_levels(big, 25, 3, lv, 13, &mn, &mx, &err) == 0);
		CHECK_EQ_INT(mn, 0);
		CHECK_EQ_INT(mx, 7);
	}
	REQUIRE(pq_rle_levels(enc, sizeof enc, 2, lv, 5, &mn, &mx, &err) == 0);
	CHECK(mn == 2 && mx == 2);
	/* byte-wide indices (bit width 8, as hfds writes small dictionaries under zstd): two
	 * packed groups plus 8 readable bytes after them, then an index past the dictionary */
	{
		uint8_t b8[1 + 16 + 8], o8[16], d5[5] = {11, 22, 33, 44, 55};
		memset(b8, 0, sizeof b8);
		b8[0] = (2 << 1) | 1;
		for (i = 0; i < 16; i++)
			b8[1 + i] = (uint8_t)(i * 3 % 5);
		hfds_error_init(&err);
		REQUIRE(pq_rle_gather(b8, sizeof b8, 8, 16, d5, 5, 1, o8, &err) == 0);
		for (i = 0; i < 16; i++)
			CHECK_EQ_INT(o8[i], d5[i * 3 % 5]);
		b8[1 + 10] = 7;
		CHECK_EQ_INT(pq_rle_gather(b8, sizeof b8, 8, 16, d5, 5, 1, o8, &err), HFDS_ECORRUPT);
		CHECK(strstr(err.message, "index 7 out of range (5 entries)") != NULL);
	}
}

/* Strings from a dictionary: the 16-byte slot gather (entries up to 16 bytes, empty ones
 * included, values appended after earlier pages) matches the general path (a 17-byte entry
 * turns the slots off), and an index past the dictionary fails on both paths. */
static void dict_strings(int longest, size_t nentries)
{
	/* bit-width byte 2, then: RLE run of 5 x index 2, one packed group 0,1,2,3,3,2,1,0 */
	const uint8_t enc[] = {0x02, 0x0a, 0x02, 0x03, 0xe4, 0x1b};
	const uint32_t want[] = {2, 2, 2, 2, 2, 0, 1, 2, 3, 3, 2, 1, 0};
	char ent[4][24] = {"", "a", "", "abc"};
	pq_values dict, out;
	hfds_error err;
	size_t i, k, pos = 0;
	const int32_t *o;
	memset(ent[2], 'x', (size_t)longest);
	ent[2][longest] = 0;
	hfds_error_init(&err);
	pq_values_init(&dict, PQ_BYTE_ARRAY, 0, 1u << 20);
	pq_values_init(&out, PQ_BYTE_ARRAY, 0, 1u << 20);
	for (i = 0; i < nentries; i++)
		REQUIRE(pq_values_push_bytes(&dict, (const uint8_t *)ent[i], strlen(ent[i]), &err) == 0);
	REQUIRE(pq_dict_slots(&dict, &err) == 0);
	CHECK_EQ_INT(dict.slots.len != 0, longest <= 16);
	for (k = 0; k < 2 && nentries == 4; k++) /* two pages into one chunk */
		REQUIRE(pq_dec_dict(enc, sizeof enc, 13, &dict, &out, &err) == 0);
	if (nentries == 4) {
		o = (const int32_t *)(const void *)out.offsets.data;
		CHECK_EQ_INT(out.count, 26);
		CHECK_EQ_INT(o[0], 0);
		for (i = 0; i < 26; i++) {
			const char *e = ent[want[i % 13]];
			CHECK_EQ_INT(o[i + 1] - o[i], strlen(e));
			CHECK(memcmp(out.data.data + pos, e, strlen(e)) == 0);
			pos += strlen(e);
		}
		CHECK_EQ_INT(out.data.len, pos);
	} else {
		CHECK_EQ_INT(pq_dec_dict(enc, sizeof enc, 13, &dict, &out, &err), HFDS_ECORRUPT);
		CHECK(strstr(err.message, "index 3 out of range (3 entries)") != NULL);
	}
	pq_values_release(&dict);
	pq_values_release(&out);
}

static void string_dictionary(void)
{
	dict_strings(16, 4);
	dict_strings(17, 4);
	dict_strings(5, 3);
	dict_strings(17, 3);
}

/* ------------------------------------------------------------------ end to end */

#define ROWS 3000
#define RG 1000

static void nop_array(struct ArrowArray *a) { a->release = NULL; }
static void nop_schema(struct ArrowSchema *s) { s->release = NULL; }

static struct ArrowSchema *sch(struct ArrowSchema *s, const char *fmt, const char *name, int64_t n,
			       struct ArrowSchema **kids)
{
	memset(s, 0, sizeof *s);
	s->format = fmt;
	s->name = name;
	s->flags = ARROW_FLAG_NULLABLE;
	s->n_children = n;
	s->children = kids;
	s->release = nop_schema;
	return s;
}

static struct ArrowArray *arr(struct ArrowArray *a, const void **bufs, int64_t len, int64_t nulls, int64_t nbuf,
			      int64_t nkids, struct ArrowArray **kids)
{
	memset(a, 0, sizeof *a);
	a->length = len;
	a->null_count = nulls;
	a->n_buffers = nbuf;
	a->buffers = bufs;
	a->n_children = nkids;
	a->children = kids;
	a->release = nop_array;
	return a;
}

static int is_null_s(int r) { return r % RG >= 700 && r % 5 == 0; }
static int8_t wval(int r, int j, int k) { return (int8_t)((r * 7 + j * 3 + k) % 11 - 5); }

static int write_file(const char *path)
{
	static int32_t wo[ROWS + 1], wi[ROWS * 4 + 1], sofs[ROWS + 1];
	static int8_t wv[ROWS * 12];
	static int16_t sv[ROWS], dv[ROWS];
	static int64_t xv[ROWS];
	static uint8_t svalid[ROWS / 8 + 1];
	static char chars[ROWS * 4];
	struct ArrowSchema s[9], *rootk[5], *wk[1], *wik[1];
	struct ArrowArray a[9], *ak[5], *wak[1], *wiak[1];
	const void *b[9][3];
	hfds_pq_writer_options o;
	hfds_pq_column_options co[2];
	hfds_pq_writer *w = NULL;
	hfds_error err;
	int r, j, k, nulls = 0, pos = 0, rc;
	for (r = 0; r <= ROWS; r++)
		wo[r] = r * 4;
	for (r = 0; r <= ROWS * 4; r++)
		wi[r] = r * 3;
	sofs[0] = 0;
	for (r = 0; r < ROWS; r++) {
		for (j = 0; j < 4; j++)
			for (k = 0; k < 3; k++)
				wv[r * 12 + j * 3 + k] = wval(r, j, k);
		sv[r] = (int16_t)(r * 3 - 1000);
		dv[r] = (int16_t)(r % 7 - 3);
		xv[r] = (int64_t)r * r;
		if (is_null_s(r))
			nulls++;
		else
			svalid[r / 8] |= (uint8_t)(1u << (r % 8));
		pos += sprintf(chars + pos, "v%d", r % 13);
		sofs[r + 1] = pos;
	}
	memset(b, 0, sizeof b);
	wik[0] = sch(&s[3], "c", "item", 0, NULL);
	wk[0] = sch(&s[2], "+l", "item", 1, wik);
	rootk[0] = sch(&s[1], "+l", "w", 1, wk);
	rootk[1] = sch(&s[4], "s", "s", 0, NULL);
	rootk[2] = sch(&s[5], "s", "d", 0, NULL);
	rootk[3] = sch(&s[6], "l", "x", 0, NULL);
	rootk[4] = sch(&s[7], "u", "t", 0, NULL);
	sch(&s[0], "+s", "", 5, rootk);
	b[3][1] = wv;
	wiak[0] = arr(&a[3], b[3], ROWS * 12, 0, 2, 0, NULL);
	b[2][1] = wi;
	wak[0] = arr(&a[2], b[2], ROWS * 4, 0, 2, 1, wiak);
	b[1][1] = wo;
	ak[0] = arr(&a[1], b[1], ROWS, 0, 2, 1, wak);
	b[4][0] = svalid;
	b[4][1] = sv;
	ak[1] = arr(&a[4], b[4], ROWS, nulls, 2, 0, NULL);
	b[5][1] = dv;
	ak[2] = arr(&a[5], b[5], ROWS, 0, 2, 0, NULL);
	b[6][1] = xv;
	ak[3] = arr(&a[6], b[6], ROWS, 0, 2, 0, NULL);
	b[7][1] = sofs;
	b[7][2] = chars;
	ak[4] = arr(&a[7], b[7], ROWS, 0, 3, 0, NULL);
	arr(&a[0], b[0], ROWS, 0, 1, 5, ak);
	hfds_pq_writer_options_init(&o);
	o.codec = HFDS_PQ_ZSTD;
	o.page_row_limit = 100;
	o.row_group_max_rows = RG;
	o.threads = 1;
	memset(co, 0, sizeof co);
	co[0].path = "s";
	co[0].codec = -1;
	co[0].encoding = HFDS_PQ_ENC_PLAIN;
	co[0].dictionary = 0;
	co[0].statistics = -1;
	co[1].path = "d";
	co[1].codec = -1;
	co[1].encoding = HFDS_PQ_ENC_DICTIONARY;
	co[1].dictionary = 1;
	co[1].statistics = -1;
	o.columns = co;
	o.column_count = 2;
	hfds_error_init(&err);
	rc = hfds_pq_writer_open(&w, path, &s[0], &o, &err);
	if (rc == 0)
		rc = hfds_pq_writer_write(w, &a[0], &err);
	if (rc == 0)
		rc = hfds_pq_writer_close(w, NULL, &err);
	hfds_pq_writer_free(w);
	if (rc < 0)
		printf("  write: %s\n", err.message);
	return rc;
}

/* Checks batch number g (rows g*RG ...) value by value. */
static void check_batch(const struct ArrowArray *b, int g)
{
	const struct ArrowArray *w = b->children[0], *wi, *wv, *s = b->children[1], *d = b->children[2],
				*x = b->children[3], *t = b->children[4];
	const int32_t *wo, *wio, *to;
	const int8_t *v;
	const int16_t *sv, *dv;
	const uint8_t *valid;
	const int64_t *xv;
	const char *tc;
	int r, j, k, bad = 0;
	REQUIRE(b->length == RG && b->n_children == 5);
	wi = w->children[0];
	wv = wi->children[0];
	REQUIRE(w->length == RG && wi->length == RG * 4 && wv->length == RG * 12);
	wo = w->buffers[1];
	wio = wi->buffers[1];
	v = wv->buffers[1];
	sv = s->buffers[1];
	valid = s->buffers[0];
	dv = d->buffers[1];
	xv = x->buffers[1];
	to = t->buffers[1];
	tc = t->buffers[2];
	CHECK_EQ_INT(w->null_count + wi->null_count + wv->null_count, 0);
	CHECK_EQ_INT(s->null_count, 60);
	REQUIRE(valid != NULL);
	for (r = 0; r < RG; r++) {
		int row = g * RG + r;
		char want[8];
		bad += wo[r] != r * 4;
		for (j = 0; j < 4; j++) {
			bad += wio[r * 4 + j] != (r * 4 + j) * 3;
			for (k = 0; k < 3; k++)
				bad += v[r * 12 + j * 3 + k] != wval(row, j, k);
		}
		bad += !!((valid[r / 8] >> (r % 8)) & 1) == is_null_s(row);
		bad += !is_null_s(row) && sv[r] != (int16_t)(row * 3 - 1000);
		bad += dv[r] != (int16_t)(row % 7 - 3);
		bad += xv[r] != (int64_t)row * row;
		snprintf(want, sizeof want, "v%d", row % 13);
		bad += (size_t)(to[r + 1] - to[r]) != strlen(want) || memcmp(tc + to[r], want, strlen(want));
	}
	bad += wo[RG] != RG * 4 || wio[RG * 4] != RG * 12;
	CHECK_EQ_INT(bad, 0);
}

static void scan_file(const char *path, int threads)
{
	hfds_pq_reader_options ro;
	hfds_pq_reader *r = NULL;
	struct ArrowArrayStream st;
	struct ArrowArray b[4];
	hfds_error err;
	int g;
	hfds_error_init(&err);
	hfds_pq_reader_options_init(&ro);
	ro.threads = threads;
	REQUIRE(hfds_pq_reader_open_path(&r, path, &ro, &err) == 0);
	REQUIRE(hfds_pq_reader_num_row_groups(r) == ROWS / RG);
	REQUIRE(hfds_pq_reader_scan(r, NULL, &st, &err) == 0);
	for (g = 0; g <= ROWS / RG; g++)
		REQUIRE(st.get_next(&st, &b[g]) == 0);
	CHECK(b[ROWS / RG].release == NULL);
	/* every batch still intact after the later row groups reused the column buffers */
	check_batch(&b[1], 1);
	b[1].release(&b[1]);
	check_batch(&b[0], 0);
	check_batch(&b[2], 2);
	st.release(&st); /* batches outlive the stream */
	check_batch(&b[2], 2);
	b[2].release(&b[2]);
	b[0].release(&b[0]);
	hfds_pq_reader_free(r);
}

/* Row group 1 damaged: the batch before it arrives intact, then the error (about the page
 * header at offset `where`),
 * then the end; with threads the fields, or row groups 0 and 1, decode together. */
static void damaged_scan(const char *path, int threads, long long where)
{
	const char *msg, *at;
	long long place = -1;
	hfds_pq_reader_options ro;
	hfds_pq_reader *r = NULL;
	struct ArrowArrayStream st;
	struct ArrowArray b0, b1;
	hfds_error err;
	hfds_error_init(&err);
	hfds_pq_reader_options_init(&ro);
	ro.threads = threads;
	REQUIRE(hfds_pq_reader_open_path(&r, path, &ro, &err) == 0);
	REQUIRE(hfds_pq_reader_scan(r, NULL, &st, &err) == 0);
	REQUIRE(st.get_next(&st, &b0) == 0 && b0.release);
	check_batch(&b0, 0);
	CHECK(st.get_next(&st, &b1) != 0);
	msg = st.get_last_error(&st);
	at = msg ? strstr(msg, "offset ") : NULL;
	if (!at || sscanf(at, "offset %lld", &place) != 1 || place < where || place >= where + 16) {
		fprintf(stderr, "threads %d: \"%s\" is not about the header at %lld\n", threads, msg ? msg : "", where);
		CHECK(0);
	}
	REQUIRE(st.get_next(&st, &b1) == 0);
	CHECK(b1.release == NULL);
	b0.release(&b0);
	st.release(&st);
	hfds_pq_reader_free(r);
}

static void end_to_end(void)
{
	char path[512];
	hfds_pq_reader *r = NULL;
	hfds_error err;
	int64_t off, off_s;
	int i;
	FILE *f;
	uint8_t junk[16];
	hfds_error_init(&err);
	snprintf(path, sizeof path, "%s/fast.parquet", test_tmpdir());
	REQUIRE(write_file(path) == 0);
	scan_file(path, 1);
	scan_file(path, 2);
	/* overwrite the first page header of column x in row group 1, then also of column s: the
	 * error names the first damaged field in schema order on any thread count, although
	 * with threads x (the bigger one) is decoded first */
	REQUIRE(hfds_pq_reader_open_path(&r, path, NULL, &err) == 0);
	off = r->meta->row_groups[1].columns[3].meta.data_page_offset;
	off_s = r->meta->row_groups[1].columns[1].meta.data_page_offset;
	hfds_pq_reader_free(r);
	memset(junk, 0xff, sizeof junk);
	for (i = 0; i < 2; i++) {
		REQUIRE((f = fopen(path, "r+b")) != NULL);
		REQUIRE(fseek(f, (long)(i ? off_s : off), SEEK_SET) == 0 && fwrite(junk, 1, sizeof junk, f) == sizeof junk);
		fclose(f);
		damaged_scan(path, 1, (long long)(i ? off_s : off));
		damaged_scan(path, 2, (long long)(i ? off_s : off));
		damaged_scan(path, 3, (long long)(i ? off_s : off));
	}
}

/* Fuzzer finding: an int8 column whose dictionary page holds no values (narrowing an empty
 * buffer); must fail cleanly, without undefined behaviour. */
static void empty_narrow_dictionary(void)
{
	const char *src = getenv("HFDS_SRC");
	char path[1024];
	hfds_pq_reader *r = NULL;
	struct ArrowArrayStream st;
	struct ArrowArray b;
	hfds_error err;
	int e = 0;
	hfds_error_init(&err);
	REQUIRE(src != NULL);
	snprintf(path, sizeof path, "%s/tests/fuzz/corpus/fuzz_parquet_pages/regress_int8_empty_dictionary.parquet", src);
	REQUIRE(hfds_pq_reader_open_path(&r, path, NULL, &err) == 0);
	REQUIRE(hfds_pq_reader_scan(r, NULL, &st, &err) == 0);
	while ((e = st.get_next(&st, &b)) == 0 && b.release)
		b.release(&b);
	CHECK(e != 0);
	CHECK(strstr(st.get_last_error(&st), "offset") != NULL);
	st.release(&st);
	hfds_pq_reader_free(r);
}

int main(void)
{
	RUN(gather);
	RUN(string_dictionary);
	RUN(end_to_end);
	RUN(empty_narrow_dictionary);
	TEST_END();
}
