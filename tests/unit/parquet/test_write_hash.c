/*
 * A shard's sha256 names its store object. With more than one thread the writer hashes its
 * large output buffers (>= 256 KiB) on a helper thread while it writes them: the digest it
 * reports must still be the sha256 of exactly the bytes written, for a sink and for a path,
 * and the bytes the same as with one thread (inline hashing).
 */
#include <string.h>

#include "test.h"
#include "test_write_kit.h"
#include "hfds/parquet.h"
#include "util/buf.h"
#include "util/sha256.h"

static int mem_sink(void *payload, const void *data, size_t len, hfds_error *err)
{
	return hfds_buf_append(payload, data, len, err);
}

static void options(hfds_pq_writer_options *o, int threads, int codec)
{
	hfds_pq_writer_options_init(o);
	o->threads = threads;
	o->codec = codec;
	o->row_group_bytes = 3u << 20; /* pages of up to 1 MiB, buffers well over 256 KiB */
}

static int write_sink(hfds_buf *out, const struct ArrowSchema *s, struct ArrowArray **b, int nb, int threads,
	int codec, hfds_pq_file_info *info)
{
	hfds_pq_writer_options o;
	hfds_pq_writer *w = NULL;
	hfds_error err;
	int rc;
	options(&o, threads, codec);
	hfds_error_init(&err);
	hfds_buf_init(out, 0);
	rc = hfds_pq_writer_open_sink(&w, mem_sink, out, s, &o, &err);
	for (int i = 0; rc == 0 && i < nb; i++)
		rc = hfds_pq_writer_write(w, b[i], &err);
	if (rc == 0)
		rc = hfds_pq_writer_close(w, info, &err);
	if (rc < 0)
		fprintf(stderr, "write_sink: %s\n", err.message);
	hfds_pq_writer_free(w);
	return rc;
}

static void test_digest_of_the_bytes_on_any_thread_count(void)
{
	struct ArrowSchema *s = kit_schema("+s", "", 0, 3, kit_schema("l", "id", 0, 0), kit_schema("g", "x", 1, 0),
		kit_schema("u", "text", 1, 0));
	kit_gen g = { 4242, NULLS_MIXED, 0 };
	struct ArrowArray *b[3];
	static const int codecs[] = { HFDS_PQ_UNCOMPRESSED, HFDS_PQ_SNAPPY };
	char path[4096];
	snprintf(path, sizeof(path), "%s/hash.parquet", test_tmpdir());
	for (int i = 0; i < 3; i++)
		b[i] = kit_gen_batch(&g, s, 120000 + 1000 * i);
	for (size_t c = 0; c < sizeof(codecs) / sizeof(codecs[0]); c++) {
		hfds_buf ref;
		hfds_pq_file_info ri;
		uint8_t digest[32];
		REQUIRE(write_sink(&ref, s, b, 3, 1, codecs[c], &ri) == 0);
		CHECK(ref.len > (4u << 20));
		CHECK_EQ_INT(ri.size, ref.len);
		REQUIRE(hfds_sha256_buffer(ref.data, ref.len, digest, NULL) == 0);
		CHECK_EQ_MEM(digest, ri.sha256, 32);
		for (int t = 2; t <= 4; t += 2) {
			hfds_buf m;
			hfds_pq_file_info mi;
			hfds_pq_writer_options o;
			hfds_pq_writer *w = NULL;
			uint64_t size = 0;
			CHECK_EQ_INT(write_sink(&m, s, b, 3, t, codecs[c], &mi), 0);
			CHECK_EQ_INT(m.len, ref.len);
			if (m.len == ref.len)
				CHECK_EQ_MEM(m.data, ref.data, m.len);
			CHECK_EQ_MEM(mi.sha256, digest, 32);
			hfds_buf_release(&m);
			/* through a file: the digest of what is on disk */
			options(&o, t, codecs[c]);
			REQUIRE(hfds_pq_writer_open(&w, path, s, &o, NULL) == 0);
			for (int i = 0; i < 3; i++)
				CHECK_EQ_INT(hfds_pq_writer_write(w, b[i], NULL), 0);
			CHECK_EQ_INT(hfds_pq_writer_close(w, &mi, NULL), 0);
			hfds_pq_writer_free(w);
			uint8_t on_disk[32];
			CHECK_EQ_INT(hfds_sha256_file(path, on_disk, &size, NULL), 0);
			CHECK_EQ_INT(size, ref.len);
			CHECK_EQ_MEM(on_disk, digest, 32);
			CHECK_EQ_MEM(mi.sha256, digest, 32);
		}
		hfds_buf_release(&ref);
	}
	kit_free_all();
}

int main(void)
{
	RUN(test_digest_of_the_bytes_on_any_thread_count);
	TEST_END();
}
