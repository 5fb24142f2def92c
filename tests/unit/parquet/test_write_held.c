/*
 * hfds_pq_writer_write_held: slices of one batch are read in place (string bytes and
 * fixed-width values borrowed, not copied) until hfds_pq_writer_release_batch, which copies
 * what the row group still filling borrows; the file is byte for byte what _write of the
 * same slices makes. Changing the batch after the release must not reach the file; changing
 * it before (which callers must not do) shows the values were still borrowed.
 */
#include <ctype.h>
#include <string.h>

#include "test.h"
#include "test_write_kit.h"
#include "hfds/parquet.h"
#include "util/buf.h"

static int mem_sink(void *payload, const void *data, size_t len, hfds_error *err)
{
	return hfds_buf_append(payload, data, len, err);
}

static hfds_pq_writer *open_mem(hfds_buf *out, const struct ArrowSchema *s, uint64_t rg_bytes)
{
	hfds_pq_writer_options o;
	hfds_pq_writer *w = NULL;
	hfds_pq_writer_options_init(&o);
	o.threads = 2;
	o.row_group_bytes = rg_bytes;
	o.page_size = 16384;
	hfds_buf_init(out, 0);
	if (hfds_pq_writer_open_sink(&w, mem_sink, out, s, &o, NULL) < 0)
		return NULL;
	return w;
}

/* The ASCII letter bytes of the string column's data buffer. */
static uint8_t *text_bytes(struct ArrowArray *b, size_t *len)
{
	const struct ArrowArray *t = b->children[1];
	const int32_t *off = t->buffers[1];
	*len = (size_t)off[t->offset + t->length];
	return (uint8_t *)t->buffers[2];
}

static void scribble(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (isalpha(p[i]))
			p[i] ^= 0x20; /* still ASCII, still a letter: valid UTF-8, other bytes */
}

/* Writes b in slices of `step` rows, held (then released) or not. */
static int write_slices(hfds_pq_writer *w, struct ArrowArray *b, int64_t step, int held)
{
	for (int64_t first = 0; first < b->length; first += step) {
		struct ArrowArray view = *b;
		view.offset = b->offset + first;
		view.length = first + step <= b->length ? step : b->length - first;
		view.null_count = -1;
		if ((held ? hfds_pq_writer_write_held(w, &view, NULL) : hfds_pq_writer_write(w, &view, NULL)) < 0)
			return -1;
	}
	return held ? hfds_pq_writer_release_batch(w, NULL) : 0;
}

static void test_held_slices_equal_copied_slices(void)
{
	struct ArrowSchema *s = kit_schema("+s", "", 0, 2, kit_schema("l", "id", 0, 0), kit_schema("u", "text", 1, 0));
	kit_gen g = { 99, NULLS_MIXED, 0 };
	struct ArrowArray *b = kit_gen_batch(&g, s, 30000), *b2 = kit_gen_batch(&g, s, 7000);
	hfds_buf ref, got;
	size_t n;
	uint8_t *text = text_bytes(b, &n);
	hfds_pq_writer *w = open_mem(&ref, s, 60000);
	REQUIRE(w && n > 1000);
	CHECK_EQ_INT(write_slices(w, b, 4096, 0), 0);
	CHECK_EQ_INT(hfds_pq_writer_write(w, b2, NULL), 0);
	CHECK_EQ_INT(hfds_pq_writer_close(w, NULL, NULL), 0);
	hfds_pq_writer_free(w);

	/* slices held, released; the batch then changes: the file must not see it */
	w = open_mem(&got, s, 60000);
	REQUIRE(w);
	CHECK_EQ_INT(write_slices(w, b, 4096, 1), 0);
	scribble(text, n);
	CHECK_EQ_INT(hfds_pq_writer_write_held(w, b2, NULL), 0);
	CHECK_EQ_INT(hfds_pq_writer_close(w, NULL, NULL), 0);
	hfds_pq_writer_free(w);
	scribble(text, n); /* back to the original */
	CHECK_EQ_INT(got.len, ref.len);
	if (got.len == ref.len)
		CHECK_EQ_MEM(got.data, ref.data, ref.len);
	hfds_buf_release(&got);

	/* one row group in flight, nothing encoded before the release: a change made before
	 * it shows that the bytes were read in place, not copied at write_held */
	hfds_buf_release(&ref);
	g.mode = NULLS_NONE; /* the kit puts bytes under null strings, which ends a borrowed run */
	b = kit_gen_batch(&g, s, 30000);
	text = text_bytes(b, &n);
	w = open_mem(&ref, s, 1u << 30);
	REQUIRE(w);
	CHECK_EQ_INT(hfds_pq_writer_write(w, b, NULL), 0);
	CHECK_EQ_INT(hfds_pq_writer_write(w, b2, NULL), 0);
	CHECK_EQ_INT(hfds_pq_writer_close(w, NULL, NULL), 0);
	hfds_pq_writer_free(w);
	w = open_mem(&got, s, 1u << 30);
	REQUIRE(w);
	CHECK_EQ_INT(hfds_pq_writer_write_held(w, b, NULL), 0);
	scribble(text, n);
	CHECK_EQ_INT(hfds_pq_writer_release_batch(w, NULL), 0);
	scribble(text, n);
	CHECK_EQ_INT(hfds_pq_writer_write(w, b2, NULL), 0);
	CHECK_EQ_INT(hfds_pq_writer_close(w, NULL, NULL), 0);
	hfds_pq_writer_free(w);
	CHECK(got.len != ref.len || memcmp(got.data, ref.data, ref.len) != 0);
	hfds_buf_release(&got);
	hfds_buf_release(&ref);
	kit_free_all();
}

int main(void)
{
	RUN(test_held_slices_equal_copied_slices);
	TEST_END();
}
