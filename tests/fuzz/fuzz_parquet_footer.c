/*
 * libFuzzer target: the footer path. The input is parsed as FileMetaData (schema tree and
 * validation included) and as a page header, and opened as a whole file from memory.
 */
#include <stddef.h>
#include <stdint.h>

#include "hfds/parquet_reader.h"
#include "parquet/read/pq_meta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pq_meta *m = NULL;
	pq_page_header h;
	pq_offset_index oi;
	pq_column_index ci;
	size_t used;
	hfds_error err;
	hfds_pq_reader *r = NULL;
	hfds_pq_reader_options opt;
	hfds_error_init(&err);
	if (pq_meta_parse(&m, data, size, 0, &err) == 0)
		pq_meta_free(m);
	hfds_error_init(&err);
	pq_page_header_parse(&h, &used, data, size, 0, &err);
	if (pq_offset_index_parse(&oi, data, size, 0, &err) == 0)
		pq_offset_index_free(&oi);
	if (pq_column_index_parse(&ci, data, size, 0, &err) == 0)
		pq_column_index_free(&ci);
	hfds_pq_reader_options_init(&opt);
	opt.max_alloc = 16u << 20;
	if (hfds_pq_reader_open_memory(&r, data, size, "fuzz", &opt, &err) == 0) {
		struct ArrowSchema s;
		if (hfds_pq_reader_schema(r, &s, &err) == 0)
			s.release(&s);
		hfds_pq_reader_free(r);
	}
	return 0;
}
