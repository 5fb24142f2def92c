/*
 * Reader kernels on hand-made bytes: Thrift compact decoding and its hardening, the
 * RLE/bit-packed hybrid, DELTA_BINARY_PACKED, page headers, multi-member gzip, and the
 * canonical formatting of decimals, dates and timestamps.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "parquet/read/catfmt.h"
#include "parquet/read/dec_values.h"
#include "parquet/read/decompress.h"
#include "parquet/format/pq_format.h"
#include "parquet/read/pq_meta.h"
#include "parquet/read/thrift_dec.h"
#include "test.h"

static void thrift_basics(void)
{
	/* list<bool>[T,F,T] with elements 1/2, then 0 accepted as false, 3 rejected */
	const uint8_t l1[] = {0x31, 0x01, 0x02, 0x01}, l2[] = {0x21, 0x00, 0x03};
	pq_tr tr;
	hfds_error err;
	int et, v;
	uint32_t n;
	hfds_error_init(&err);
	pq_tr_init(&tr, l1, sizeof l1, 0, "test", &err);
	CHECK_EQ_INT(pq_tr_list(&tr, &et, &n), 0);
	CHECK_EQ_INT(n, 3);
	CHECK(pq_tr_bool_elem(&tr, &v) == 0 && v == 1);
	CHECK(pq_tr_bool_elem(&tr, &v) == 0 && v == 0);
	CHECK(pq_tr_bool_elem(&tr, &v) == 0 && v == 1);
	pq_tr_init(&tr, l2, sizeof l2, 100, "test", &err);
	CHECK_EQ_INT(pq_tr_list(&tr, &et, &n), 0);
	CHECK(pq_tr_bool_elem(&tr, &v) == 0 && v == 0);
	CHECK_EQ_INT(pq_tr_bool_elem(&tr, &v), HFDS_ECORRUPT);
	CHECK(strstr(err.message, "offset 103") != NULL);
}

static void thrift_hardening(void)
{
	/* list header claiming 2^31 elements with 2 bytes left */
	const uint8_t big[] = {0xf5, 0x80, 0x80, 0x80, 0x80, 0x08, 0x00, 0x00};
	/* binary of length 1000 with 1 byte present */
	const uint8_t bin[] = {0xe8, 0x07, 0x41};
	uint8_t deep[200];
	pq_tr tr;
	hfds_error err;
	const uint8_t *p;
	size_t len;
	int et, i;
	uint32_t n;
	hfds_error_init(&err);
	pq_tr_init(&tr, big, sizeof big, 0, "t", &err);
	CHECK_EQ_INT(pq_tr_list(&tr, &et, &n), HFDS_ECORRUPT);
	hfds_error_init(&err);
	pq_tr_init(&tr, bin, sizeof bin, 0, "t", &err);
	CHECK_EQ_INT(pq_tr_binary(&tr, &p, &len), HFDS_ECORRUPT);
	/* 200 nested struct fields: the depth limit stops the skip */
	for (i = 0; i < 200; i++)
		deep[i] = 0x1c;
	hfds_error_init(&err);
	pq_tr_init(&tr, deep, sizeof deep, 0, "t", &err);
	CHECK_EQ_INT(pq_tr_skip(&tr, PQ_TT_STRUCT), HFDS_ECORRUPT);
	CHECK(strstr(err.message, "deeper") != NULL);
}

static void page_header(void)
{
	/* spec §2 worked example + an unknown field 20 (i64) that must be skipped */
	const uint8_t h[] = {0x15, 0x00, 0x15, 0xc8, 0x01, 0x15, 0xc8, 0x01, 0x2c, 0x15, 0x14, 0x15, 0x00,
			     0x15, 0x06, 0x15, 0x06, 0x00, 0x06, 0x28, 0x01, 0x00};
	const uint8_t neg[] = {0x15, 0x00, 0x15, 0x01, 0x15, 0xc8, 0x01, 0x00};
	pq_page_header ph;
	size_t used;
	hfds_error err;
	hfds_error_init(&err);
	CHECK_EQ_INT(pq_page_header_parse(&ph, &used, h, sizeof h, 0, &err), 0);
	CHECK_EQ_INT(used, sizeof h);
	CHECK_EQ_INT(ph.uncompressed_size, 100);
	CHECK_EQ_INT(ph.num_values, 10);
	CHECK_EQ_INT(ph.def_encoding, PQ_ENC_RLE);
	CHECK_EQ_INT(pq_page_header_parse(&ph, &used, neg, sizeof neg, 4096, &err), HFDS_ECORRUPT);
	CHECK(strstr(err.message, "offset 4096") != NULL);
}

static void rle_hybrid(void)
{
	const uint8_t ones[] = {0x14, 0x01}, mixed[] = {0x05, 0x8d, 0x01};
	const uint32_t want[] = {1, 0, 1, 1, 0, 0, 0, 1, 1};
	uint32_t out[16];
	hfds_error err;
	int i;
	hfds_error_init(&err);
	CHECK_EQ_INT(pq_rle_decode(ones, sizeof ones, 1, out, 10, &err), 0);
	for (i = 0; i < 10; i++)
		CHECK_EQ_INT(out[i], 1);
	CHECK_EQ_INT(pq_rle_decode(mixed, sizeof mixed, 1, out, 9, &err), 0);
	for (i = 0; i < 9; i++)
		CHECK_EQ_INT(out[i], want[i]);
	/* asking for more values than the runs hold is an error, not a hang */
	CHECK_EQ_INT(pq_rle_decode(ones, sizeof ones, 1, out, 11, &err), HFDS_ECORRUPT);
}

static void delta(void)
{
	const uint8_t d[] = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00};
	int64_t *v;
	size_t n, used;
	hfds_error err;
	int i;
	hfds_error_init(&err);
	CHECK_EQ_INT(pq_dbp_decode(d, sizeof d, 100, &v, &n, &used, &err), 0);
	CHECK_EQ_INT(n, 5);
	CHECK_EQ_INT(used, sizeof d);
	for (i = 0; i < 5; i++)
		CHECK_EQ_INT(v[i], i + 1);
	free(v);
	/* the header's count is bounded by what the page can hold */
	CHECK_EQ_INT(pq_dbp_decode(d, sizeof d, 4, &v, &n, &used, &err), HFDS_ECORRUPT);
}

static void gzip_members(void)
{
	uint8_t a[256], b[256], both[512], out[8];
	uLongf la = 0, lb = 0;
	z_stream z;
	hfds_error err;
	const char *parts[2] = {"abcd", "efgh"};
	uint8_t *dst[2] = {a, b};
	uLongf *lens[2] = {&la, &lb};
	int i;
	for (i = 0; i < 2; i++) {
		memset(&z, 0, sizeof z);
		deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
		z.next_in = (Bytef *)parts[i];
		z.avail_in = 4;
		z.next_out = dst[i];
		z.avail_out = 256;
		deflate(&z, Z_FINISH);
		*lens[i] = z.total_out;
		deflateEnd(&z);
	}
	memcpy(both, a, la);
	memcpy(both + la, b, lb);
	hfds_error_init(&err);
	CHECK_EQ_INT(pq_decompress(PQ_CODEC_GZIP, both, la + lb, out, 8, &err), 0);
	CHECK_EQ_MEM(out, "abcdefgh", 8);
	CHECK_EQ_INT(pq_decompress(PQ_CODEC_GZIP, both, la + lb, out, 7, &err), HFDS_ECORRUPT);
}

static void formats(void)
{
	/* struct {d: decimal(7,3), t: date, ts: timestamp[ms, UTC]} with one row */
	int64_t dec[2] = {-12340, -1};
	int32_t day = 19723;
	int64_t ms = -1;
	const void *db[2] = {NULL, dec}, *tb[2] = {NULL, &day}, *sb[2] = {NULL, &ms}, *rb[1] = {NULL};
	struct ArrowArray ad = {1, 0, 0, 2, 0, db, NULL, NULL, NULL, NULL};
	struct ArrowArray at = {1, 0, 0, 2, 0, tb, NULL, NULL, NULL, NULL};
	struct ArrowArray as = {1, 0, 0, 2, 0, sb, NULL, NULL, NULL, NULL};
	struct ArrowArray *ak[3] = {&ad, &at, &as};
	struct ArrowArray root = {1, 0, 0, 1, 3, rb, ak, NULL, NULL, NULL};
	struct ArrowSchema sd = {"d:7,3", "d", NULL, 2, 0, NULL, NULL, NULL, NULL};
	struct ArrowSchema st = {"tdD", "t", NULL, 2, 0, NULL, NULL, NULL, NULL};
	struct ArrowSchema ss = {"tsm:UTC", "ts", NULL, 2, 0, NULL, NULL, NULL, NULL};
	struct ArrowSchema *sk[3] = {&sd, &st, &ss};
	struct ArrowSchema sr = {"+s", "", NULL, 0, 3, sk, NULL, NULL, NULL};
	hfds_buf b;
	hfds_error err;
	hfds_error_init(&err);
	hfds_buf_init(&b, 0);
	CHECK_EQ_INT(pq_catfmt_rows(&b, &sr, &root, 0, 1, &err), 0);
	hfds_buf_cstr(&b, &err);
	CHECK_EQ_STR((char *)b.data, "{\"d\": \"-12.340\", \"t\": \"2024-01-01\", \"ts\": \"1969-12-31T23:59:59.999Z\"}\n");
	hfds_buf_release(&b);
}

int main(void)
{
	RUN(thrift_basics);
	RUN(thrift_hardening);
	RUN(page_header);
	RUN(rle_hybrid);
	RUN(delta);
	RUN(gzip_members);
	RUN(formats);
	TEST_END();
}
