/*
 * hfds/parquet.h - the Parquet writer.
 *
 * Input is Arrow C Data Interface data: a schema (struct type, one child per column)
 * and record batches (struct arrays). The writer streams: memory is bounded by the row
 * groups in flight (with more than one thread, one filling while the previous one is
 * encoded; plus their encoded pages), never by file size.
 *
 *   hfds_pq_writer_options o;
 *   hfds_pq_writer_options_init(&o);
 *   o.codec = HFDS_PQ_ZSTD;
 *   hfds_pq_writer *w;
 *   if (hfds_pq_writer_open(&w, "out.parquet", &schema, &o, &err) < 0) ...
 *   hfds_pq_writer_write(w, &batch, &err);     // any number of times
 *   hfds_pq_file_info info;
 *   hfds_pq_writer_close(w, &info, &err);      // footer; sha256 and size of the file
 *   hfds_pq_writer_free(w);
 *
 * Failure: if any call fails, or the writer is freed without a successful close, a
 * file opened by path is removed (nothing half-written is left behind) and the error
 * names the path.
 * Determinism: the bytes written depend only on the schema, the data and the options,
 * never on `threads` (pages are encoded on the pool into per-page slots, written in order).
 *
 * Mapping (pyarrow >= 13 compatible, see ../shared/spec/datasets-format.md §2.2): every node
 * is optional unless the Arrow field is non-nullable; lists, large lists and fixed-size lists
 * become 3-level LISTs (`list`/`element`); structs become groups; int8/16 and unsigned ints
 * carry INTEGER + the matching converted type; float16 = FIXED_LEN_BYTE_ARRAY(2) + FLOAT16;
 * string = BYTE_ARRAY + STRING; timestamp[s] is stored as MILLIS; a timezone sets
 * isAdjustedToUTC; the null type is an optional INT32 + UNKNOWN column. Supported Arrow
 * formats: n b c C s S i I l L e f g u U z Z w:N tdD ts?:tz +l +L +w:N +s (no
 * dictionary-encoded or view arrays).
 * Pages never split a row; statistics: null_count always, min/max by the column order (no
 * NaN; -0.0 as min / +0.0 as max), binary bounds truncated to max_statistics_size with the
 * exactness flags, legacy min/max only for signed orders. created_by is
 * "hfds version X.Y.Z (build ID)".
 * Thread-safety: one writer must be used from one thread at a time; it uses its own
 * (or the given) pool internally.
 */
#ifndef HFDS_PARQUET_H
#define HFDS_PARQUET_H

#include <stddef.h>
#include <stdint.h>

#include "hfds/arrow_abi.h"
#include "hfds/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hfds_pq_codec {
	HFDS_PQ_UNCOMPRESSED = 0,
	HFDS_PQ_SNAPPY = 1,
	HFDS_PQ_GZIP = 2,
	HFDS_PQ_BROTLI = 4,
	HFDS_PQ_ZSTD = 6,
	HFDS_PQ_LZ4_RAW = 7
} hfds_pq_codec;

/* Value encodings that can be requested for a column. AUTO = dictionary with fallback to
 * PLAIN (PLAIN only for booleans, RLE for booleans in v2 pages, and PLAIN without
 * dictionary for binary columns by default). A dictionary is also dropped for a chunk
 * whose first page is mostly distinct values. The DELTA/BYTE_STREAM_SPLIT encodings apply
 * to pages without dictionary; set `dictionary` = 0 to use them for the whole chunk.
 * Requesting an encoding the column's type cannot use is HFDS_EINVAL at open. */
typedef enum hfds_pq_encoding {
	HFDS_PQ_ENC_AUTO = -1,
	HFDS_PQ_ENC_PLAIN = 0,
	HFDS_PQ_ENC_DICTIONARY = 8,           /* RLE_DICTIONARY, fallback to PLAIN */
	HFDS_PQ_ENC_DELTA_BINARY_PACKED = 5,  /* int32/int64 */
	HFDS_PQ_ENC_DELTA_LENGTH_BYTE_ARRAY = 6, /* string/binary */
	HFDS_PQ_ENC_BYTE_STREAM_SPLIT = 9     /* float/double */
} hfds_pq_encoding;

/* Per-column settings. `path` is the dotted top-level column name ("audio") or a leaf
 * path as in path_in_schema ("audio.bytes", "tokens.list.element"); a top-level name
 * applies to all its leaves, a leaf path wins over it. A path matching no column is
 * HFDS_EINVAL at open. Binary (non-string) leaves default to PLAIN without dictionary, and
 * keep the file's codec per column chunk only where it pays: the first 64 KiB of the chunk's
 * first page are compressed and, unless that saves >= 1/32 (~3 %), the chunk is written
 * UNCOMPRESSED (FLAC, MP3, JPEG: a pass saved for the writer and every reader; MIDI, PCM,
 * text-like blobs keep it). The choice depends on the data only, so the bytes stay the same
 * for any thread count; a column's own `codec` (>= 0) is always used as given. */
typedef struct hfds_pq_column_options {
	const char *path;
	int codec;          /* hfds_pq_codec, or -1 = the file default */
	int codec_level;    /* 0 = the codec's default */
	int encoding;       /* hfds_pq_encoding */
	int dictionary;     /* -1 = default, 0 = off, 1 = on */
	int statistics;     /* -1 = default, 0 = off, 1 = on */
} hfds_pq_column_options;

typedef struct hfds_pq_kv {
	const char *key;
	const char *value;  /* may be NULL */
} hfds_pq_kv;

/* Receives the file's bytes in order when writing to something other than a path.
 * Returns 0 or a negative code (e.g. HFDS_EIO for a full disk) with details in err. */
typedef int (*hfds_pq_sink_fn)(void *payload, const void *data, size_t len, hfds_error *err);

/* The most leaf columns one file may have: a wider schema is HFDS_ELIMIT at open, before
 * any per-column state exists (each leaf costs a few KB while a row group is built). */
#define HFDS_PQ_MAX_COLUMNS 65536

#define HFDS_PQ_WRITER_OPTIONS_VERSION 1

typedef struct hfds_pq_writer_options {
	unsigned version;
	int codec;                        /* default HFDS_PQ_SNAPPY */
	int codec_level;                  /* 0 = codec default (zstd 1, gzip 6, brotli 1) */
	int page_version;                 /* 1 (default) or 2 */
	size_t page_size;                 /* target encoded data page size, default 1 MiB */
	size_t page_row_limit;            /* max rows per data page, default 20000 */
	size_t dictionary_page_limit;     /* dictionary size before PLAIN fallback, default 1 MiB */
	size_t row_group_bytes;           /* target uncompressed bytes per row group, default 100e6 */
	size_t row_group_min_rows;        /* default 10 */
	size_t row_group_max_rows;        /* default 1048576 */
	int statistics;                   /* default 1 */
	size_t max_statistics_size;       /* binary min/max longer than this are truncated, default 64 */
	int page_index;                   /* ColumnIndex + OffsetIndex, default 1 */
	int page_checksum;                /* CRC32 of each page, default 0 */
	int threads;                      /* encoding threads; 0 = all cores, 1 = caller only */
	hfds_pool *pool;                  /* borrowed: encode on this pool (threads is then
	                                     ignored); NULL = a pool of `threads` of its own */
	const hfds_pq_kv *kv;             /* file key/value metadata, copied at open */
	size_t kv_count;
	const hfds_pq_column_options *columns; /* per-column overrides, copied at open */
	size_t column_count;
	/* With hfds_pq_writer_open: when set, the file's bytes go through this callback instead
	 * of write(2) (the file is still created, and removed on failure). Lets tests simulate a
	 * full disk; NULL by default. */
	hfds_pq_sink_fn path_write_hook;
	void *path_write_hook_payload;
	/* 1: the file is not hashed while written (hfds_pq_file_info.sha256 stays zero), for
	 * callers that do not need it; default 0 (hashed) */
	int skip_sha256;
} hfds_pq_writer_options;

/* Fills defaults. Cannot fail. */
HFDS_EXTERN void hfds_pq_writer_options_init(hfds_pq_writer_options *opts);

typedef struct hfds_pq_file_info {
	uint64_t size;           /* bytes written */
	uint64_t num_rows;
	uint32_t num_row_groups;
	uint64_t uncompressed_bytes; /* sum of row-group total_byte_size (datasets' num_bytes) */
	uint8_t sha256[32];      /* of the whole file, computed while writing (zero with skip_sha256) */
} hfds_pq_file_info;

typedef struct hfds_pq_writer hfds_pq_writer;

/*
 * Opens a writer for `path`. The bytes go to a temporary file beside it that replaces
 * `path` atomically at hfds_pq_writer_close; until then a file already at `path` is
 * untouched (it may even be an input being read), and after a failure it is still there
 * while the temporary is removed.
 * `schema` must be a struct ("+s") whose children are the columns; it is copied, the
 * caller keeps ownership. Errors: HFDS_EINVAL (unsupported Arrow type, with the column
 * name), HFDS_EIO (cannot create the file).
 */
HFDS_EXTERN int hfds_pq_writer_open(hfds_pq_writer **out, const char *path,
	const struct ArrowSchema *schema, const hfds_pq_writer_options *opts, hfds_error *err);

/*
 * Same as hfds_pq_writer_open, for the next file of a series: when `prev` (closed with a
 * successful hfds_pq_writer_close, not freed yet; may be NULL) has the same leaves, column
 * options and shared pool (`opts->pool`, not a pool of its own), the new writer takes over
 * its row-group buffers (column buffers, encoded pages, dictionaries, per-thread encoders)
 * instead of allocating new ones, so a series of files faults its working memory in once
 * rather than once per file. prev keeps nothing worth reusing and is still freed by the
 * caller. Otherwise (or prev NULL) this is hfds_pq_writer_open. The bytes written are the
 * same either way. Errors: those of hfds_pq_writer_open.
 */
HFDS_EXTERN int hfds_pq_writer_open_next(hfds_pq_writer **out, hfds_pq_writer *prev, const char *path,
	const struct ArrowSchema *schema, const hfds_pq_writer_options *opts, hfds_error *err);

/* Same, writing through a sink callback instead of a file. */
HFDS_EXTERN int hfds_pq_writer_open_sink(hfds_pq_writer **out, hfds_pq_sink_fn sink, void *payload,
	const struct ArrowSchema *schema, const hfds_pq_writer_options *opts, hfds_error *err);

/*
 * Appends a record batch (a struct array matching the schema). The batch is only
 * borrowed for the call: it is not released, must not change during the call, and nothing
 * of it is used after the call returns (values read in place while row groups encode are
 * copied, or their row groups written out, before it returns). Row groups are cut by the
 * options, independent of batch boundaries.
 * Errors: HFDS_EINVAL (batch does not match the schema; invalid UTF-8 in a string column,
 * naming row and column), HFDS_EIO (sink failed).
 */
HFDS_EXTERN int hfds_pq_writer_write(hfds_pq_writer *w, const struct ArrowArray *batch, hfds_error *err);

/*
 * As hfds_pq_writer_write, but values may stay borrowed from the batch after the call, so
 * that slices of one large batch written one after the other are read in place instead of
 * copied (strings and fixed-width values; the dataset writer cuts shards out of a batch
 * this way). The caller keeps every batch so written alive and unchanged until
 * hfds_pq_writer_release_batch, _flush, _close or _free returns. Same bytes as _write.
 */
HFDS_EXTERN int hfds_pq_writer_write_held(hfds_pq_writer *w, const struct ArrowArray *batch, hfds_error *err);
/* Ends borrowing from held batches: values of the row group still filling are copied, a
 * row group encoding from them is written out. Errors as hfds_pq_writer_write. */
HFDS_EXTERN int hfds_pq_writer_release_batch(hfds_pq_writer *w, hfds_error *err);

/* Appends every batch of a stream (the stream is not released). */
HFDS_EXTERN int hfds_pq_writer_write_stream(hfds_pq_writer *w, struct ArrowArrayStream *stream, hfds_error *err);

/*
 * Ends the current row group now and writes out every row group still being encoded, so
 * that the output holds every row written so far (all but the footer).
 */
HFDS_EXTERN int hfds_pq_writer_flush(hfds_pq_writer *w, hfds_error *err);

/*
 * Bytes of the file so far. Row groups are encoded in the background while the next one
 * fills, so this lags by up to two row groups between flushes; after
 * hfds_pq_writer_flush it is exact.
 */
HFDS_EXTERN uint64_t hfds_pq_writer_bytes_written(const hfds_pq_writer *w);

/* Adds a key/value entry to the footer (before close). Copied. */
HFDS_EXTERN int hfds_pq_writer_add_kv(hfds_pq_writer *w, const char *key, const char *value, hfds_error *err);

/* Flushes, writes the page index and footer, closes the file and (path mode) renames it
 * over the path. `info` may be NULL. */
HFDS_EXTERN int hfds_pq_writer_close(hfds_pq_writer *w, hfds_pq_file_info *info, hfds_error *err);

/* Frees the writer; if it was not closed successfully, removes the partial temporary
 * (the path keeps whatever it had before). NULL-safe. */
HFDS_EXTERN void hfds_pq_writer_free(hfds_pq_writer *w);

/* Parses "none|uncompressed|snappy|gzip|brotli|zstd|lz4|lz4_raw" (case-insensitive). */
HFDS_EXTERN int hfds_pq_codec_parse(const char *name, int *codec_out, hfds_error *err);
HFDS_EXTERN const char *hfds_pq_codec_name(int codec);

#ifdef __cplusplus
}
#endif
#endif
