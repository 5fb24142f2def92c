/*
 * hfds/ingest.h - JSON Lines and CSV files as a stream of Arrow record batches.
 *
 *   hfds_ingest_options o;
 *   hfds_ingest_options_init(&o);
 *   o.threads = 2;
 *   hfds_ingest *in;
 *   if (hfds_ingest_open(&in, "rows.jsonl.gz", NULL, &o, &err) < 0) ...   // features inferred
 *   while ((rc = hfds_ingest_next(in, &batch, &err)) == 0) { use(&batch); batch.release(&batch); }
 *   if (rc != HFDS_ITEROVER) ... err.message is "rows.jsonl.gz:12:9: expected int8 for 'label', found \"x\""
 *   hfds_ingest_free(in);
 *
 * Input: a path or "-" for stdin; gzip and zstd are recognised by their magic bytes and
 * decompressed as a stream (a stream that ends early is an error naming the offset).
 * The format is HFDS_INGEST_AUTO by default: ".csv"/".tsv" (before a ".gz"/".zst" suffix)
 * is CSV, anything else JSON Lines.
 *
 * Schema: the features given (their Arrow storage schema), else inferred from the first
 * `infer_rows` records: JSON Lines as datasets' JSON builder does (int64 < float64, bool,
 * string, lists and structs merged), CSV as pyarrow.csv and DuckDB do (bool, int64,
 * float64, date32, timestamp[us], else string; a column of nulls only is string).
 * Values are checked against their features: integer and float ranges (float16 70000 or
 * float32 1e39 are refused, never made infinite), ClassLabel index in [-1, n) or a name,
 * Array shapes, dates that exist, timestamps that fit their unit. Every error names
 * file:line:column and what was expected and found.
 *
 * Memory: input is cut into blocks of `block_bytes` at record boundaries (CSV: outside
 * quotes); each block becomes one batch. Up to threads + 1 blocks are cut ahead and parsed
 * (each as soon as the caller took the batch before it from its slot), so memory is at most
 * about 2 x threads x (block_bytes + one batch), plus one record, whatever the input size. A
 * record longer than `max_line` bytes is refused while it is being read. Batches are handed
 * out in input order and do not depend on the thread count.
 *
 * Thread-safety: one hfds_ingest is used by one thread at a time.
 */
#ifndef HFDS_INGEST_H
#define HFDS_INGEST_H
#include <stddef.h>
#include <stdint.h>

#include "hfds/arrow_abi.h"
#include "hfds/common.h"
#include "hfds/features.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hfds_ingest_format {
	HFDS_INGEST_AUTO = 0,
	HFDS_INGEST_JSONL = 1,
	HFDS_INGEST_CSV = 2
} hfds_ingest_format;

typedef enum hfds_ingest_extra {
	HFDS_INGEST_EXTRA_ERROR = 0,   /* a JSON key not in the features is an error */
	HFDS_INGEST_EXTRA_IGNORE = 1   /* dropped and counted (hfds_ingest_ignored) */
} hfds_ingest_extra;

#define HFDS_INGEST_OPTIONS_VERSION 1

typedef struct hfds_ingest_options {
	unsigned version;              /* HFDS_INGEST_OPTIONS_VERSION */
	hfds_ingest_format format;
	int threads;                   /* parse threads; <= 0 = all cores */
	size_t block_bytes;            /* input bytes per batch (default 8 MiB) */
	size_t max_line;               /* longest record in bytes (default 256 MiB) */
	int max_depth;                 /* JSON nesting limit (default 64) */
	size_t infer_rows;             /* records sampled to infer features (default 1000) */
	hfds_ingest_extra extra_keys;  /* JSON keys not in the features */
	char delimiter;                /* CSV (default ',', '\t' for .tsv) */
	char quote;                    /* CSV (default '"') */
	int header;                    /* CSV: first record names the columns (default 1) */
	const char *null_value;        /* CSV: an unquoted field equal to it is null (default "") */
} hfds_ingest_options;

HFDS_EXTERN void hfds_ingest_options_init(hfds_ingest_options *o);

typedef struct hfds_ingest hfds_ingest;

/* Opens path ("-" = stdin). features may be NULL (inferred; see above). The features are
 * copied. CSV files with a header match columns to features by name (a feature with no
 * column is an error; a column with no feature is an error unless extra_keys is IGNORE). */
HFDS_EXTERN int hfds_ingest_open(hfds_ingest **out, const char *path, const hfds_features *features,
	const hfds_ingest_options *o, hfds_error *err);
/* The features the batches follow (given or inferred); owned by the reader. */
HFDS_EXTERN const hfds_features *hfds_ingest_features(const hfds_ingest *in);
/* The storage schema of the batches (with the `huggingface` metadata); owned by the reader. */
HFDS_EXTERN const struct ArrowSchema *hfds_ingest_schema(const hfds_ingest *in);
/* Next batch (a struct array the caller releases), HFDS_ITEROVER at the end, or an error. */
HFDS_EXTERN int hfds_ingest_next(hfds_ingest *in, struct ArrowArray *out, hfds_error *err);
/* Rows read so far, and keys dropped under HFDS_INGEST_EXTRA_IGNORE. */
HFDS_EXTERN uint64_t hfds_ingest_rows(const hfds_ingest *in);
HFDS_EXTERN uint64_t hfds_ingest_ignored(const hfds_ingest *in);
/* Moves the reader into an ArrowArrayStream (*in becomes NULL; the stream owns it).
 * get_last_error gives the message with its place. */
HFDS_EXTERN int hfds_ingest_stream(hfds_ingest **in, struct ArrowArrayStream *out, hfds_error *err);
HFDS_EXTERN void hfds_ingest_free(hfds_ingest *in);

#ifdef __cplusplus
}
#endif
#endif
