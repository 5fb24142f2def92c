/*
 * Parsed Parquet metadata (reader side): FileMetaData, the schema tree with max levels per
 * leaf, row groups, column chunks, statistics, page headers and the page index.
 *
 * All memory hangs off one pq_meta arena and the footer bytes it owns: binary fields
 * (statistics, KV values) point into the footer copy, names are NUL-terminated copies.
 * pq_meta_free releases everything. Parsing never trusts a size: see thrift_dec.h.
 */
#ifndef HFDS_PQ_META_H
#define HFDS_PQ_META_H

#include <stddef.h>
#include <stdint.h>

#include "hfds/common.h"

typedef struct pq_bytes {
	const uint8_t *p;
	size_t n;
	int set;
} pq_bytes;

typedef struct pq_kv {
	char *key;
	pq_bytes value; /* value.set = 0 when the value is absent */
} pq_kv;

typedef struct pq_stats {
	pq_bytes max, min, max_value, min_value;
	int64_t null_count, distinct_count, nan_count;
	uint8_t has_null_count, has_distinct_count, has_nan_count;
	int8_t is_max_exact, is_min_exact; /* -1 = not stated */
} pq_stats;

typedef struct pq_schema_elem {
	int type;        /* enum pq_type, -1 for groups */
	int32_t type_length;
	int repetition;  /* enum pq_repetition, -1 when absent */
	char *name;
	int32_t num_children; /* -1 when absent */
	int converted_type;   /* -1 when absent */
	int32_t scale, precision, field_id;
	uint8_t has_field_id;
	/* LogicalType union: lt = member id (0 = none, unknown ids kept as is) */
	int lt;
	int lt_unit;    /* TIME/TIMESTAMP: enum pq_time_unit */
	int lt_utc;     /* TIME/TIMESTAMP isAdjustedToUTC */
	int lt_bits;    /* INTEGER bitWidth */
	int lt_signed;  /* INTEGER isSigned */
	int32_t lt_scale, lt_precision; /* DECIMAL */
} pq_schema_elem;

/* Schema tree node (one per SchemaElement; node 0 is the root). */
typedef struct pq_node {
	const pq_schema_elem *el;
	int parent;
	int *children;
	int nchildren;
	int16_t def, rep; /* levels counted from the root down to and including this node */
	int leaf;         /* leaf column index, -1 for groups */
} pq_node;

typedef struct pq_leaf {
	int node;
	int16_t max_def, max_rep;
	char *path; /* dotted path_in_schema */
} pq_leaf;

typedef struct pq_enc_stats {
	int page_type, encoding;
	int32_t count;
} pq_enc_stats;

typedef struct pq_col_meta {
	int type;
	int *encodings;
	int nencodings;
	char *path;
	int codec;
	int64_t num_values, total_uncompressed_size, total_compressed_size;
	pq_kv *kv;
	int nkv;
	int64_t data_page_offset, index_page_offset, dictionary_page_offset;
	uint8_t has_index_page_offset, has_dictionary_page_offset, has_stats;
	pq_stats stats;
	pq_enc_stats *enc_stats;
	int nenc_stats;
	int64_t bloom_filter_offset;
	int32_t bloom_filter_length;
	uint8_t has_bloom_offset, has_bloom_length;
} pq_col_meta;

typedef struct pq_chunk {
	char *file_path;
	int64_t file_offset;
	uint8_t has_meta, encrypted;
	pq_col_meta meta;
	int64_t offset_index_offset, column_index_offset;
	int32_t offset_index_length, column_index_length;
	uint8_t has_offset_index, has_column_index;
} pq_chunk;

typedef struct pq_sorting_column {
	int32_t column_idx;
	int descending, nulls_first;
} pq_sorting_column;

typedef struct pq_row_group {
	pq_chunk *columns;
	int ncolumns;
	int64_t total_byte_size, num_rows, file_offset, total_compressed_size;
	int ordinal; /* -1 when absent */
	pq_sorting_column *sorting;
	int nsorting;
} pq_row_group;

typedef struct pq_meta {
	int32_t version;
	pq_schema_elem *schema;
	int nschema;
	int64_t num_rows;      /* as stated in the footer */
	int64_t num_rows_sum;  /* sum over row groups (what readers use) */
	pq_row_group *row_groups;
	int nrow_groups;
	pq_kv *kv;
	int nkv;
	char *created_by;
	int *column_orders; /* ColumnOrder union member id per leaf */
	int ncolumn_orders;
	uint8_t encrypted;

	pq_node *nodes; /* nschema nodes */
	pq_leaf *leaves;
	int nleaves;

	uint8_t *footer; /* owned copy of the FileMetaData bytes */
	size_t footer_len;
	struct pq_arena_block *arena;
} pq_meta;

/*
 * Parses FileMetaData from `bytes` (copied), validates it and builds the schema tree.
 * `file_off` is the footer's offset in the file (for messages). Errors: HFDS_ECORRUPT,
 * HFDS_EUNSUPPORTED (encrypted), HFDS_ELIMIT, HFDS_ENOMEM.
 */
int pq_meta_parse(pq_meta **out, const void *bytes, size_t len, uint64_t file_off, hfds_error *err);
void pq_meta_free(pq_meta *m);
/* Value of a file key, NULL when absent. */
const pq_kv *pq_meta_kv(const pq_meta *m, const char *key);

typedef struct pq_page_header {
	int type;
	int32_t uncompressed_size, compressed_size, crc;
	uint8_t has_crc;
	int32_t num_values; /* data v1/v2 and dictionary pages */
	int encoding;
	int def_encoding, rep_encoding; /* v1 */
	int32_t num_nulls, num_rows, def_len, rep_len; /* v2 */
	int is_compressed; /* v2, default 1 */
	uint8_t has_data, has_data_v2, has_dict;
} pq_page_header;

/* Parses one page header at data[0..avail); *hdr_len = bytes consumed. */
int pq_page_header_parse(pq_page_header *h, size_t *hdr_len, const uint8_t *data, size_t avail,
			 uint64_t file_off, hfds_error *err);

typedef struct pq_page_location {
	int64_t offset;
	int32_t compressed_page_size;
	int64_t first_row_index;
} pq_page_location;

typedef struct pq_offset_index {
	pq_page_location *pages;
	int npages;
} pq_offset_index;

typedef struct pq_column_index {
	int npages;
	uint8_t *null_pages;
	pq_bytes *min_values, *max_values;
	int boundary_order;
	int64_t *null_counts; /* NULL when absent */
} pq_column_index;

/* Page index parsers; results are allocated with hfds_malloc, release with the _free calls.
 * Binary values point into `data`, which must outlive the result. */
int pq_offset_index_parse(pq_offset_index *oi, const uint8_t *data, size_t len, uint64_t file_off,
			  hfds_error *err);
void pq_offset_index_free(pq_offset_index *oi);
int pq_column_index_parse(pq_column_index *ci, const uint8_t *data, size_t len, uint64_t file_off,
			  hfds_error *err);
void pq_column_index_free(pq_column_index *ci);

/* Names for info output ("SNAPPY", "RLE_DICTIONARY", ...); "?" for unknown values. */
const char *pq_type_name(int t);
const char *pq_codec_name(int c);
const char *pq_encoding_name(int e);
const char *pq_repetition_name(int r);
const char *pq_converted_name(int c);
const char *pq_page_type_name(int t);

#endif
