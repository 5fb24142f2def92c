/*
 * hfds/parquet_reader.h - streaming Parquet reader.
 *
 * Opens a file from a path, a memory buffer or a random-access read callback (remote
 * shards: the footer is fetched with one read of the last 64 KiB when it fits, column
 * chunks of one top-level field with one coalesced read), exposes the metadata, and
 * streams record batches as an ArrowArrayStream: one struct array per row group, with
 * column projection (top-level names) and row-group selection. Memory is bounded by one
 * row group of the projected columns (one per thread, see `threads`) plus `max_alloc` per
 * buffer. Batches are owned by the consumer until it calls their release (in any order, from
 * any thread, before or after the stream's); the buffers of released batches are recycled by
 * the next row groups of the same scan.
 *
 * Everything read from the file is untrusted: malformed input gives HFDS_ECORRUPT with the
 * byte offset and what was wrong, sizes beyond `max_alloc` give HFDS_ELIMIT, encrypted files
 * give HFDS_EUNSUPPORTED ("encrypted Parquet is not supported").
 *
 * Arrow types: BOOLEAN b, INT32 i (INT(8/16/32, signed/unsigned) c/s/i/C/S/I), INT64 l/L,
 * FLOAT f, DOUBLE g, FLOAT16 e, STRING/ENUM/JSON u, other BYTE_ARRAY z, FLBA w:N, DECIMAL
 * d:P,S (decimal256 above precision 38), DATE tdD, TIME ttm/ttu/ttn, TIMESTAMP tsm:/tsu:/tsn:
 * ("UTC" when adjusted), INT96 tsn:UTC (values outside the int64-nanosecond range wrap, as
 * in arrow-rs and pyarrow), UNKNOWN n, LIST +l, MAP +m (a MAP without values: a list of its
 * keys), groups +s. Legacy 2-level lists and bare repeated fields become lists.
 *
 * Thread-safety: a reader and its streams are used by one thread at a time (the reader may
 * use its own worker threads internally, see `threads`); the reader must outlive every stream
 * made from it. Distinct readers are independent. Output never depends on the thread count.
 */
#ifndef HFDS_PARQUET_READER_H
#define HFDS_PARQUET_READER_H

#include <stddef.h>
#include <stdint.h>

#include "hfds/arrow_abi.h"
#include "hfds/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hfds_pq_reader hfds_pq_reader;

/* Reads exactly `len` bytes at `offset` into buf; returns 0 or a negative HFDS_E* code. */
typedef int (*hfds_pq_read_fn)(void *ctx, uint64_t offset, void *buf, size_t len, hfds_error *err);

#define HFDS_PQ_READER_OPTIONS_VERSION 1

typedef struct hfds_pq_reader_options {
	unsigned version;  /* HFDS_PQ_READER_OPTIONS_VERSION (set by _init); another is HFDS_EINVAL */
	size_t max_alloc; /* ceiling for any one buffer built from file bytes (default 1 GiB) */
	int verify_crc;   /* verify page CRCs when present (default 1): a mismatch is HFDS_ECORRUPT
			     "offset N: page crc mismatch" (parquet-testing's *-corrupt-checksum files
			     fail; DuckDB/arrow-rs/hyparquet do not verify and read them) */
	int threads;      /* 1 = caller's thread only (default), 0 = all cores. With N > 1 threads
			     a scan decodes up to N row groups at once (one batch is returned, the
			     others wait, so memory is up to N row groups) and a lone last row
			     group's fields in parallel; a read callback is then called
			     concurrently and must be thread-safe. */
} hfds_pq_reader_options;

/* Fills the defaults and the version. Cannot fail. */
HFDS_EXTERN void hfds_pq_reader_options_init(hfds_pq_reader_options *opt);

/* `opt` may be NULL (defaults). The path is used in error messages. */
HFDS_EXTERN int hfds_pq_reader_open_path(hfds_pq_reader **out, const char *path,
					 const hfds_pq_reader_options *opt, hfds_error *err);
/* `data` is borrowed and must outlive the reader. `name` (may be NULL) prefixes messages. */
HFDS_EXTERN int hfds_pq_reader_open_memory(hfds_pq_reader **out, const void *data, size_t len,
					   const char *name, const hfds_pq_reader_options *opt,
					   hfds_error *err);
/* `fn`/`ctx` are called for every read until the reader is freed. */
HFDS_EXTERN int hfds_pq_reader_open_callback(hfds_pq_reader **out, uint64_t size, hfds_pq_read_fn fn,
					     void *ctx, const char *name,
					     const hfds_pq_reader_options *opt, hfds_error *err);
HFDS_EXTERN void hfds_pq_reader_free(hfds_pq_reader *r);

/* Sum of the row groups' row counts (the footer's own num_rows is not trusted). */
HFDS_EXTERN int64_t hfds_pq_reader_num_rows(const hfds_pq_reader *r);
HFDS_EXTERN int hfds_pq_reader_num_row_groups(const hfds_pq_reader *r);
HFDS_EXTERN int64_t hfds_pq_reader_row_group_num_rows(const hfds_pq_reader *r, int rg);
/* Key/value metadata: pointer into the reader (not NUL-terminated) and length; -ENOTFOUND. */
HFDS_EXTERN int hfds_pq_reader_kv(const hfds_pq_reader *r, const char *key, const char **value,
				  size_t *len);

/* The file schema as a struct ArrowSchema (caller releases). */
HFDS_EXTERN int hfds_pq_reader_schema(hfds_pq_reader *r, struct ArrowSchema *out, hfds_error *err);

/* With hfds_pq_reader_describe: also read each chunk's OffsetIndex / ColumnIndex. */
#define HFDS_PQ_DESCRIBE_PAGE_INDEX 1u

/*
 * The footer as a JSON document (what `hfds info --json` prints; keys in this order):
 * "file" (`name`), "size", "version", "created_by", "num_rows", "num_row_groups",
 * "num_columns", "schema" (every element with its depth, physical/converted/logical type,
 * repetition and, for leaves, column index and max levels), "key_value_metadata",
 * "row_groups" (sizes; per column chunk: path, type, codec, encodings, sizes, offsets and
 * statistics, numbers as numbers, floats as canonical text, binary as "base64:...").
 * Reads nothing beyond the footer unless `flags` has HFDS_PQ_DESCRIBE_PAGE_INDEX.
 * *out is NUL-terminated, freed with hfds_free. Errors: the page index's read and parse
 * errors with their offset, HFDS_ENOMEM. Not thread-safe with other uses of `r`.
 */
HFDS_EXTERN int hfds_pq_reader_describe(hfds_pq_reader *r, const char *name, unsigned flags, char **out,
					hfds_error *err);

#define HFDS_PQ_SCAN_OPTIONS_VERSION 1

typedef struct hfds_pq_scan_options {
	unsigned version;           /* HFDS_PQ_SCAN_OPTIONS_VERSION (set by _init) */
	const char *const *columns; /* top-level field names to read, NULL = all */
	size_t ncolumns;
	const int *row_groups;      /* row groups to read in this order, NULL = all */
	size_t nrow_groups;
} hfds_pq_scan_options;

/* Everything read: all columns, all row groups. Cannot fail. */
HFDS_EXTERN void hfds_pq_scan_options_init(hfds_pq_scan_options *opt);

/*
 * A stream of struct arrays, one per selected row group (empty row groups are skipped).
 * `opt` may be NULL. Unknown column names or row-group numbers give HFDS_ENOTFOUND/EINVAL.
 * get_next returns errno-style codes per the C stream interface (EIO/EINVAL/ENOMEM);
 * get_last_error has the hfds message. An error ends the stream: the batches of the row groups
 * before the failing one have been returned, later calls return the end of the stream.
 */
HFDS_EXTERN int hfds_pq_reader_scan(hfds_pq_reader *r, const hfds_pq_scan_options *opt,
				    struct ArrowArrayStream *out, hfds_error *err);

/* For a stream made by hfds_pq_reader_scan: the last get_next failure as an hfds code and
 * message (0 when the last call succeeded). */
HFDS_EXTERN int hfds_pq_stream_error(struct ArrowArrayStream *st, hfds_error *err);

/*
 * The canonical row format (`hfds cat`, the npm judges): rows [from, to) of a struct batch
 * of the reader's types as "{...}\n" JSON lines, keys in schema order. *out (NUL-terminated,
 * freed with hfds_free) and *len receive the text. Errors: HFDS_EUNSUPPORTED for an Arrow
 * format the reader does not produce, HFDS_EINVAL for a range outside the batch,
 * HFDS_ENOMEM. Thread-safe.
 */
HFDS_EXTERN int hfds_pq_format_rows(const struct ArrowSchema *schema, const struct ArrowArray *batch,
				    int64_t from, int64_t to, char **out, size_t *len, hfds_error *err);

/*
 * The same rows through a reusable formatter, for writing many batches fast (`hfds cat`):
 * _new compiles the schema once (HFDS_EUNSUPPORTED names a format the reader does not
 * produce; the schema is not kept); _append adds rows [from, to) of a batch of that schema to
 * the formatter's text (HFDS_EINVAL for a range outside the batch, HFDS_ENOMEM; on an error
 * the text may end in a partial row); _text gives the text so far (owned by the formatter,
 * valid until the next call on it), _clear empties it and keeps the memory for the next rows.
 * _free is NULL-safe. One formatter per thread; formatters share nothing.
 */
typedef struct hfds_pq_rowfmt hfds_pq_rowfmt;
HFDS_EXTERN int hfds_pq_rowfmt_new(hfds_pq_rowfmt **out, const struct ArrowSchema *schema, hfds_error *err);
HFDS_EXTERN int hfds_pq_rowfmt_append(hfds_pq_rowfmt *f, const struct ArrowArray *batch, int64_t from,
				      int64_t to, hfds_error *err);
HFDS_EXTERN const char *hfds_pq_rowfmt_text(const hfds_pq_rowfmt *f, size_t *len);
HFDS_EXTERN void hfds_pq_rowfmt_clear(hfds_pq_rowfmt *f);
HFDS_EXTERN void hfds_pq_rowfmt_free(hfds_pq_rowfmt *f);

#ifdef __cplusplus
}
#endif
#endif
