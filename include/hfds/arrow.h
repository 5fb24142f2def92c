/*
 * hfds/arrow.h - building, inspecting and validating Arrow C Data Interface structures.
 *
 * Four parts:
 *  1. Schemas: create owned ArrowSchema trees (format strings, names, flags, metadata),
 *     parse a format string into a typed view, deep-copy, encode/decode metadata.
 *  2. A row builder (hfds_arrow_builder) for C programs: create it for a struct schema,
 *     append values row by row (typed appends, begin/end list, begin/end struct) or whole
 *     columns in bulk (fixed-width buffers, tensors, strings), then finish into a record
 *     batch (a struct ArrowArray that owns its buffers) and keep going.
 *  3. A stream helper wrapping a producer callback as an ArrowArrayStream.
 *  4. Validation of an ArrowArray against an ArrowSchema, with errors naming the column.
 *
 * Ownership: every ArrowSchema / ArrowArray / ArrowArrayStream this module produces is
 * released with its own release callback (or hfds_arrow_*_release below, which are
 * NULL-safe and no-ops on already-released structs). Release frees everything, children
 * included, and sets release to NULL as the C Data Interface requires.
 * Thread-safety: functions touching distinct objects may run concurrently; a builder or
 * stream must be used from one thread at a time.
 *
 * Format strings supported (the Arrow C Data Interface's):
 *   n null, b bool, c/s/i/l int8..64, C/S/I/L uint8..64, e/f/g float16/32/64,
 *   u/U string/large_string, z/Z binary/large_binary, w:N fixed_size_binary,
 *   tdD date32, tss:/tsm:/tsu:/tsn:[TZ] timestamps, +l/+L list/large_list,
 *   +w:N fixed_size_list, +s struct.
 * Everything else (decimals, maps, unions, dictionaries, views...) is HFDS_EUNSUPPORTED.
 */
#ifndef HFDS_ARROW_H
#define HFDS_ARROW_H

#include <stddef.h>
#include <stdint.h>

#include "hfds/arrow_abi.h"
#include "hfds/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------ */
/* Types                                                                                  */

typedef enum hfds_arrow_type {
	HFDS_ARROW_UNSUPPORTED = 0,
	HFDS_ARROW_NA,                /* "n" */
	HFDS_ARROW_BOOL,              /* "b" */
	HFDS_ARROW_INT8, HFDS_ARROW_INT16, HFDS_ARROW_INT32, HFDS_ARROW_INT64,
	HFDS_ARROW_UINT8, HFDS_ARROW_UINT16, HFDS_ARROW_UINT32, HFDS_ARROW_UINT64,
	HFDS_ARROW_HALF_FLOAT,        /* "e" */
	HFDS_ARROW_FLOAT,             /* "f" */
	HFDS_ARROW_DOUBLE,            /* "g" */
	HFDS_ARROW_STRING,            /* "u" */
	HFDS_ARROW_LARGE_STRING,      /* "U" */
	HFDS_ARROW_BINARY,            /* "z" */
	HFDS_ARROW_LARGE_BINARY,      /* "Z" */
	HFDS_ARROW_FIXED_SIZE_BINARY, /* "w:N" */
	HFDS_ARROW_DATE32,            /* "tdD" */
	HFDS_ARROW_TIMESTAMP,         /* "ts{s,m,u,n}:TZ" */
	HFDS_ARROW_LIST,              /* "+l" */
	HFDS_ARROW_LARGE_LIST,        /* "+L" */
	HFDS_ARROW_FIXED_SIZE_LIST,   /* "+w:N" */
	HFDS_ARROW_STRUCT             /* "+s" */
} hfds_arrow_type;

typedef enum hfds_arrow_time_unit {
	HFDS_ARROW_SECOND = 0, HFDS_ARROW_MILLI = 1, HFDS_ARROW_MICRO = 2, HFDS_ARROW_NANO = 3
} hfds_arrow_time_unit;

/* A parsed format string. `timezone` points into the schema's format string (the text
 * after "ts?:", NUL-terminated because it runs to the end of the format). */
typedef struct hfds_arrow_schema_view {
	hfds_arrow_type type;
	int32_t fixed_size;          /* w:N byte width, +w:N list size; else 0 */
	hfds_arrow_time_unit unit;   /* timestamps */
	const char *timezone;        /* timestamps: "" when none; borrowed from the schema */
	int bit_width;               /* bits per value of fixed-width types (bool 1); 0 otherwise */
	int n_buffers;               /* buffers an array of this type has (validity included) */
} hfds_arrow_schema_view;

/* Parses schema->format. Errors: HFDS_EUNSUPPORTED (names the format and the field). */
HFDS_EXTERN int hfds_arrow_schema_view_init(hfds_arrow_schema_view *out,
	const struct ArrowSchema *schema, hfds_error *err);

/* Short type name for messages: "int8", "timestamp[us, tz=UTC]", "list", "fixed_size_list[3]"...
 * Writes at most `size` bytes (NUL-terminated); returns `buf`. */
HFDS_EXTERN const char *hfds_arrow_type_name(const struct ArrowSchema *schema, char *buf, size_t size);

/* ------------------------------------------------------------------------------------ */
/* Schemas                                                                                */

/*
 * Initialises `out` as an owned schema node with the given format and name (both copied;
 * name may be NULL) and flags (ARROW_FLAG_NULLABLE etc.), no children, no metadata.
 * On failure `out->release` is NULL. Errors: HFDS_ENOMEM.
 */
HFDS_EXTERN int hfds_arrow_schema_init(struct ArrowSchema *out, const char *format,
	const char *name, int64_t flags, hfds_error *err);

/* Convenience: a nullable node for a format (e.g. "l", "+s", "tsu:UTC", "+w:3"). */
HFDS_EXTERN int hfds_arrow_schema_init_nullable(struct ArrowSchema *out, const char *format,
	const char *name, hfds_error *err);

/* Replaces the name / format of a node created by this module. */
HFDS_EXTERN int hfds_arrow_schema_set_name(struct ArrowSchema *s, const char *name, hfds_error *err);
HFDS_EXTERN int hfds_arrow_schema_set_format(struct ArrowSchema *s, const char *format, hfds_error *err);

/* Replaces the metadata (binary encoding, see hfds_arrow_metadata_build; NULL clears).
 * The bytes are copied. */
HFDS_EXTERN int hfds_arrow_schema_set_metadata(struct ArrowSchema *s, const char *metadata, hfds_error *err);

/*
 * Gives a node created by this module `n` children, each zeroed (release == NULL) for the
 * caller to initialise with hfds_arrow_schema_init. Children left uninitialised when the
 * parent is released are skipped. Only valid once per node. Errors: HFDS_ENOMEM.
 */
HFDS_EXTERN int hfds_arrow_schema_alloc_children(struct ArrowSchema *s, int64_t n, hfds_error *err);

/* Appends one child: moves `child` into the node (child->release becomes NULL on success;
 * on failure the child is released). */
HFDS_EXTERN int hfds_arrow_schema_add_child(struct ArrowSchema *s, struct ArrowSchema *child, hfds_error *err);

/* Deep copy of any valid schema (from any producer) into an owned tree. */
HFDS_EXTERN int hfds_arrow_schema_copy(struct ArrowSchema *out, const struct ArrowSchema *src, hfds_error *err);

/* Calls s->release if set. NULL-safe. */
HFDS_EXTERN void hfds_arrow_schema_release(struct ArrowSchema *s);

/* Moves src into dst (dst must be released/empty); src is left released. */
HFDS_EXTERN void hfds_arrow_schema_move(struct ArrowSchema *dst, struct ArrowSchema *src);

/* ------------------------------------------------------------------------------------ */
/* Metadata (the C Data Interface binary encoding: int32 count, then per pair int32 key
 * length, key bytes, int32 value length, value bytes; native-endian)                    */

typedef struct hfds_arrow_kv_view {
	const char *key;
	int32_t key_len;
	const char *value;
	int32_t value_len;
} hfds_arrow_kv_view;

/* Encodes n NUL-terminated pairs. *out is allocated (free with hfds_free); NULL when
 * n == 0. Errors: HFDS_ENOMEM, HFDS_ELIMIT (a string longer than INT32_MAX). */
HFDS_EXTERN int hfds_arrow_metadata_build(char **out, const char *const *keys,
	const char *const *values, size_t n, hfds_error *err);

/* Number of pairs (0 for NULL metadata). */
HFDS_EXTERN int32_t hfds_arrow_metadata_count(const char *metadata);

/* The i-th pair (0 <= i < count). Borrowed pointers into metadata. */
HFDS_EXTERN int hfds_arrow_metadata_at(const char *metadata, int32_t i, hfds_arrow_kv_view *out, hfds_error *err);

/* Looks a key up. Returns 1 and fills *out when present, 0 when absent. */
HFDS_EXTERN int hfds_arrow_metadata_find(const char *metadata, const char *key, hfds_arrow_kv_view *out);

/* ------------------------------------------------------------------------------------ */
/* Arrays                                                                                 */

/* Calls a->release if set. NULL-safe. */
HFDS_EXTERN void hfds_arrow_array_release(struct ArrowArray *a);

/* Moves src into dst; src is left released. */
HFDS_EXTERN void hfds_arrow_array_move(struct ArrowArray *dst, struct ArrowArray *src);

/*
 * Checks that `array` is a well-formed array of `schema`: buffer and child counts, lengths
 * and offsets (non-negative, array offset + length within children and buffers' logical
 * extent, offsets monotonic and within the child / data), fixed sizes, null_count not above
 * length. Does not validate UTF-8. Errors: HFDS_EINVAL, message naming the column path
 * ("column 'window.item.item': offsets not monotonic at index 5").
 */
HFDS_EXTERN int hfds_arrow_array_validate(const struct ArrowArray *array,
	const struct ArrowSchema *schema, hfds_error *err);

/* ------------------------------------------------------------------------------------ */
/* Builder                                                                                */

typedef struct hfds_arrow_builder hfds_arrow_builder;

/*
 * Creates a builder for a struct ("+s") schema whose children are the columns. The schema
 * is copied. Any depth of list / large_list / fixed_size_list / struct nesting is allowed.
 * Errors: HFDS_EUNSUPPORTED (a type the builder cannot build, naming the column),
 * HFDS_EINVAL (not a struct), HFDS_ENOMEM.
 */
HFDS_EXTERN int hfds_arrow_builder_new(hfds_arrow_builder **out, const struct ArrowSchema *schema, hfds_error *err);
HFDS_EXTERN void hfds_arrow_builder_free(hfds_arrow_builder *b);

/* The builder's copy of the schema (borrowed). */
HFDS_EXTERN const struct ArrowSchema *hfds_arrow_builder_schema(const hfds_arrow_builder *b);

/*
 * Row-by-row appends. A row is a sequence of appends, one value per column in schema
 * order; the row is complete when the last column got its value (no explicit row end).
 * Inside begin_list/end_list every append adds one list element (for fixed_size_list
 * exactly N are required). Inside begin_struct/end_struct appends fill the fields in order.
 * append_null appends a null at the current position (a whole null list or struct too).
 * Value appends convert within a family and check range: ints go to any integer column
 * (HFDS_EINVAL when out of range), doubles to float16/32/64 columns, ints also to float and
 * timestamp/date32 columns (raw value in the column's unit), bytes to string/binary/
 * fixed_size_binary (exact width), strings likewise (UTF-8 is not checked here).
 * Errors: HFDS_EINVAL (wrong type for the column, list/struct nesting misuse, wrong fixed
 * size), message naming the column and row; HFDS_ENOMEM. After an error the current row is
 * incomplete: call hfds_arrow_builder_abort_row to drop it, or reset.
 */
HFDS_EXTERN int hfds_arrow_builder_append_null(hfds_arrow_builder *b, hfds_error *err);
HFDS_EXTERN int hfds_arrow_builder_append_bool(hfds_arrow_builder *b, int v, hfds_error *err);
HFDS_EXTERN int hfds_arrow_builder_append_int(hfds_arrow_builder *b, int64_t v, hfds_error *err);
HFDS_EXTERN int hfds_arrow_builder_append_uint(hfds_arrow_builder *b, uint64_t v, hfds_error *err);
HFDS_EXTERN int hfds_arrow_builder_append_double(hfds_arrow_builder *b, double v, hfds_error *err);
/* float16 column from raw IEEE half bits */
HFDS_EXTERN int hfds_arrow_builder_append_half_bits(hfds_arrow_builder *b, uint16_t bits, hfds_error *err);
HFDS_EXTERN int hfds_arrow_builder_append_bytes(hfds_arrow_builder *b, const void *data, size_t len, hfds_error *err);
HFDS_EXTERN int hfds_arrow_builder_append_str(hfds_arrow_builder *b, const char *s, hfds_error *err); /* NUL-terminated */
/* A binary or string value of exactly `len` bytes read from `fd` (from its current offset)
 * straight into the column's buffer: no staging buffer and no copy (media files). Not for
 * fixed_size_binary. HFDS_EIO when the file gives fewer bytes or a read fails (the caller
 * names the file); the row is then incomplete, as after any append error. */
HFDS_EXTERN int hfds_arrow_builder_append_bytes_fd(hfds_arrow_builder *b, int fd, size_t len, hfds_error *err);
HFDS_EXTERN int hfds_arrow_builder_begin_list(hfds_arrow_builder *b, hfds_error *err);
HFDS_EXTERN int hfds_arrow_builder_end_list(hfds_arrow_builder *b, hfds_error *err);
HFDS_EXTERN int hfds_arrow_builder_begin_struct(hfds_arrow_builder *b, hfds_error *err);
HFDS_EXTERN int hfds_arrow_builder_end_struct(hfds_arrow_builder *b, hfds_error *err);

/* Drops the values appended so far for an incomplete row (no-op between rows). */
HFDS_EXTERN void hfds_arrow_builder_abort_row(hfds_arrow_builder *b);

/*
 * Bulk appends to one top-level column (index `col`), only between rows. Columns may
 * temporarily have different lengths; row-by-row appends and finish require them equal.
 * `validity` (optional, NULL = all valid) is one byte per row, 0 = null; null rows still
 * occupy their slot in `data` (its bytes are copied but ignored).
 *
 * append_fixed: n values of a fixed-width column (bool: one byte 0/1 per value; ints,
 *   floats (float16 as uint16 bits), date32, timestamps in native layout; fixed_size_binary:
 *   n * width bytes).
 * append_tensor: n rows of a nested-list column (list / large_list / fixed_size_list, any
 *   mix, down to a fixed-width leaf) where every row has the same `shape` (ndim = nesting
 *   depth): data holds n * prod(shape) leaf values contiguously (row-major). Array2D (10,69)
 *   int8 for 1000 rows is one call with 690000 bytes. fixed_size_list levels must match
 *   their size. Inner levels are never null.
 * append_binary: n strings/binaries given as n+1 int64 offsets into data (offsets[0] may be
 *   nonzero).
 * append_nulls: n null rows in a column of any type (the column must be nullable).
 * Errors: HFDS_EINVAL (type or shape does not fit, naming the column), HFDS_ENOMEM, HFDS_ELIMIT
 * (32-bit offsets of a string/list column would overflow).
 */
HFDS_EXTERN int hfds_arrow_builder_append_fixed(hfds_arrow_builder *b, int64_t col,
	const void *data, size_t n, const uint8_t *validity, hfds_error *err);
HFDS_EXTERN int hfds_arrow_builder_append_tensor(hfds_arrow_builder *b, int64_t col,
	const void *data, size_t n, const int64_t *shape, int ndim, const uint8_t *validity, hfds_error *err);
HFDS_EXTERN int hfds_arrow_builder_append_binary(hfds_arrow_builder *b, int64_t col,
	const int64_t *offsets, const void *data, size_t n, const uint8_t *validity, hfds_error *err);
HFDS_EXTERN int hfds_arrow_builder_append_nulls(hfds_arrow_builder *b, int64_t col, size_t n, hfds_error *err);

/* Complete rows appended since the last finish/reset (the minimum over columns). */
HFDS_EXTERN int64_t hfds_arrow_builder_rows(const hfds_arrow_builder *b);

/* Bytes currently buffered (all columns), for cutting batches by size. */
HFDS_EXTERN size_t hfds_arrow_builder_bytes(const hfds_arrow_builder *b);

/*
 * Moves the buffered rows into `out`: a struct array (length = rows, null_count 0) that
 * owns its buffers; the builder is then empty and ready for the next batch (buffers are
 * handed over, not copied). Errors: HFDS_ESTATE (a row is incomplete, or columns have
 * different lengths), HFDS_ENOMEM. On failure `out->release` is NULL and the builder
 * keeps its rows.
 */
HFDS_EXTERN int hfds_arrow_builder_finish(hfds_arrow_builder *b, struct ArrowArray *out, hfds_error *err);

/* Discards buffered rows (and an incomplete row). Cannot fail. */
HFDS_EXTERN void hfds_arrow_builder_reset(hfds_arrow_builder *b);

/* ------------------------------------------------------------------------------------ */
/* Streams                                                                                */

/*
 * Producer callback: fills `out` with the next batch and returns 0, returns HFDS_ITEROVER
 * at the end, or a negative code with details in err.
 */
typedef int (*hfds_arrow_producer_fn)(void *payload, struct ArrowArray *out, hfds_error *err);

/*
 * Initialises an ArrowArrayStream whose get_next calls `next`. The schema is copied.
 * `payload_free` (may be NULL) is called with payload when the stream is released.
 * get_next returns 0 with a released (end-of-stream) array at the end, or an errno-style
 * positive code (EIO / ENOMEM / EINVAL) with get_last_error giving the message.
 */
HFDS_EXTERN int hfds_arrow_stream_init(struct ArrowArrayStream *out, const struct ArrowSchema *schema,
	hfds_arrow_producer_fn next, void *payload, void (*payload_free)(void *payload), hfds_error *err);

/* A stream over n batches, which are moved into the stream (each batches[i] is left
 * released, even on failure). */
HFDS_EXTERN int hfds_arrow_stream_from_batches(struct ArrowArrayStream *out, const struct ArrowSchema *schema,
	struct ArrowArray *batches, size_t n, hfds_error *err);

/* Calls s->release if set. NULL-safe. */
HFDS_EXTERN void hfds_arrow_stream_release(struct ArrowArrayStream *s);

#ifdef __cplusplus
}
#endif
#endif
