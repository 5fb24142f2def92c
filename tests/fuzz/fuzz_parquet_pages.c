/*
 * libFuzzer target: page decoding and record assembly. The input is a whole Parquet file,
 * read from memory through the full batch stream (all row groups, all columns) under a
 * 16 MiB allocation limit, and every batch printed as canonical JSON rows (hfds_pq_rowfmt, the
 * `hfds cat` formatter), so whatever a hostile file decodes to also reaches the formatter.
 * Seeds: small corpus files in corpus/fuzz_parquet_pages/.
 */
#include <stddef.h>
#include <stdint.h>

#include "hfds/parquet_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hfds_pq_reader *r = NULL;
	hfds_pq_rowfmt *fmt = NULL;
	struct ArrowSchema schema = { 0 };
	hfds_pq_reader_options opt;
	struct ArrowArrayStream st;
	hfds_error err;
	hfds_error_init(&err);
	hfds_pq_reader_options_init(&opt);
	opt.max_alloc = 16u << 20;
	opt.verify_crc = 0; /* let mutated pages reach the decoders */
	if (hfds_pq_reader_open_memory(&r, data, size, "fuzz", &opt, &err) < 0)
		return 0;
	if (hfds_pq_reader_scan(r, NULL, &st, &err) == 0) {
		if (st.get_schema(&st, &schema) == 0)
			hfds_pq_rowfmt_new(&fmt, &schema, &err);
		for (;;) {
			struct ArrowArray b;
			if (st.get_next(&st, &b) != 0 || !b.release)
				break;
			if (fmt) {
				hfds_pq_rowfmt_append(fmt, &b, 0, b.length, &err);
				hfds_pq_rowfmt_clear(fmt);
			}
			b.release(&b);
		}
		hfds_pq_rowfmt_free(fmt);
		if (schema.release)
			schema.release(&schema);
		st.release(&st);
	}
	hfds_pq_reader_free(r);
	return 0;
}
