/*
 * hfds/stream.h - the read side of a dataset repository on any hub (remote or embedded):
 * checking that what a repository holds is what its pointers and card promise.
 *
 * Everything here reads through hfds_hub_read (ranged reads over HTTP for a remote hub), so
 * a shard is never fetched whole except to hash it.
 *
 * Thread-safety: a call uses the hub handle it is given (one thread at a time, see hub.h).
 */
#ifndef HFDS_STREAM_H
#define HFDS_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include "hfds/common.h"
#include "hfds/hub.h"
#include "hfds/arrow_abi.h"
#include "hfds/parquet_reader.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a verification looked at and how many problems it found. */
typedef struct hfds_verify_report {
	char commit[HFDS_OID_HEX_SIZE];  /* the revision checked, resolved to a commit */
	size_t lfs_objects;              /* LFS objects hashed */
	uint64_t lfs_bytes;              /* bytes hashed */
	size_t shards;                   /* Parquet footers parsed */
	size_t splits;                   /* splits whose row counts were compared */
	size_t problems;                 /* findings reported as problems */
} hfds_verify_report;

/*
 * Called once per finding: `ok` 1 for a check that passed (a summary line per split), 0 for
 * a problem. `line` is one line without a newline, naming the file and what was expected
 * and found ("data/train-00000-of-00001.parquet: sha256 abcd... but the pointer says 1234...").
 */
typedef void (*hfds_verify_fn)(void *ctx, int ok, const char *line);

/*
 * Verifies dataset repository `repo_id` at `rev` (NULL = main):
 *  - every LFS file's content, streamed, has the size and sha256 of its pointer;
 *  - every Parquet file of every split of every config the card lists parses (footer);
 *  - the rows of each split equal the card's num_examples (dataset_info);
 *  - each shard's `huggingface` schema metadata has the card's features for its config.
 * Problems are counted in `report` and handed to `fn` (may be NULL); they are not errors.
 * Returns 0 when the checks ran (look at report->problems), or a negative HFDS_E* code when
 * they could not (unknown repository or revision: HFDS_ENOTFOUND, network errors, an
 * unparseable card: HFDS_EPARSE naming the line).
 */
HFDS_EXTERN int hfds_verify(hfds_hub *hub, const char *repo_id, const char *rev, hfds_verify_fn fn, void *ctx,
	hfds_verify_report *report, hfds_error *err);

/* ---- streaming the rows of a split ---------------------------------------------------
 *
 * Resolves a split's files at one commit exactly as load_dataset does (hfds_ds_split_files),
 * then reads shard by shard, one row group per batch, through ranged reads: the last 64 KiB
 * of a shard in one request (the footer), then only the projected column chunks.
 *
 * Prefetch: the first hfds_stream_next starts one background thread that fetches and decodes
 * the next row group while the caller consumes the current one, and never goes further
 * ahead. A caller that releases each batch before asking for the next one therefore holds at
 * most two row groups of the projected columns (plus the footers). Batches come in the same
 * order whatever the timing. From hfds_stream_open until hfds_stream_free the stream owns the
 * hub handle: the caller must not use it meanwhile (the thread does). hfds_stream_free stops
 * the thread: a fetch in flight ends at its next ranged read, so freeing is prompt after an
 * error, a limit or Ctrl-C, and frees everything the thread allocated.
 */
typedef struct hfds_stream hfds_stream;

/* Where a stream is: the next row to return is row `row` of row group `row_group` of the
 * split's file number `shard` (sorted by path) at `commit`. */
typedef struct hfds_stream_pos {
	char commit[HFDS_OID_HEX_SIZE];
	uint64_t shard;
	uint64_t row_group;
	uint64_t row;
} hfds_stream_pos;

#define HFDS_STREAM_OPTIONS_VERSION 1

typedef struct hfds_stream_options {
	unsigned version;            /* HFDS_STREAM_OPTIONS_VERSION (set by _init); another is HFDS_EINVAL */
	const char *config;          /* NULL = the card's default config */
	const char *split;           /* NULL = "train" */
	const char *revision;        /* NULL = main; ignored when resuming */
	const char *const *columns;  /* top-level columns to read, NULL = all */
	size_t ncolumns;
	const hfds_stream_pos *resume; /* continue from here (at its commit), NULL = start */
} hfds_stream_options;

/* Fills the defaults (all NULL/0) and the version. */
HFDS_EXTERN void hfds_stream_options_init(hfds_stream_options *opt);

/*
 * Opens a stream over dataset `repo_id` on `hub` (which must outlive it); `opt` may be NULL.
 * Errors: HFDS_EINVAL (an options version other than HFDS_STREAM_OPTIONS_VERSION), HFDS_ENOTFOUND (repo, revision, config or split), HFDS_EINVAL (a resume position past the
 * split's files), HFDS_EPARSE (the card), the hub's.
 */
HFDS_EXTERN int hfds_stream_open(hfds_stream **out, hfds_hub *hub, const char *repo_id,
	const hfds_stream_options *opt, hfds_error *err);

/*
 * The next batch: one row group of the projected columns as a struct array, of which rows
 * [*first, batch->length) are new (a resumed stream's first batch starts inside its row
 * group). `*schema` is the batch's schema, borrowed until the next call. `at` gets the position
 * of the batch's row *first. Returns HFDS_ITEROVER at the end. Errors: HFDS_ECORRUPT (a
 * shard, naming its path and offset), HFDS_ENOTFOUND (a projected column missing), the hub's.
 */
HFDS_EXTERN int hfds_stream_next(hfds_stream *s, struct ArrowArray *batch, const struct ArrowSchema **schema,
	int64_t *first, hfds_stream_pos *at, hfds_error *err);

/* Total bytes the stream asked the hub for so far (footers and column chunks), including the
 * row group being prefetched (a snapshot while the prefetch thread runs). */
HFDS_EXTERN uint64_t hfds_stream_bytes_read(const hfds_stream *s);

/* NULL-safe. Joins the prefetch thread (see above). */
HFDS_EXTERN void hfds_stream_free(hfds_stream *s);

/*
 * The text form of a position, one line: "COMMIT SHARD ROW_GROUP ROW\n" (40 lowercase hex
 * digits, decimal numbers). _format writes it into buf (at most `size` bytes with the NUL;
 * 128 always suffice) and returns its length. _parse accepts exactly that form followed by
 * at most 128 newlines (none is fine) and nothing else: HFDS_EPARSE naming the byte offset and the form
 * expected. Both thread-safe.
 */
HFDS_EXTERN int hfds_stream_pos_parse(hfds_stream_pos *pos, const char *text, size_t len, hfds_error *err);
HFDS_EXTERN size_t hfds_stream_pos_format(const hfds_stream_pos *pos, char *buf, size_t size);

/* ---- one remote Parquet file --------------------------------------------------------
 *
 * `hf://datasets/NS/NAME[@REV]/PATH` (the hub chosen as hfds_hub_open(NULL) chooses, e.g.
 * HF_ENDPOINT) or a Hub resolve URL `http(s)://HOST/datasets/NS/NAME/resolve/REV/PATH` (that
 * host), read through ranged reads: the last 64 KiB in one request, then what the reader asks.
 */
typedef struct hfds_remote_file hfds_remote_file;

/* 1 when `s` is one of the URL forms above. */
HFDS_EXTERN int hfds_remote_url_is(const char *s);
/*
 * Opens the Parquet file at `url` (options as for hfds_pq_reader_open_callback; their
 * `threads` is forced to 1: the hub handle serves one thread). Errors: HFDS_EINVAL (a
 * malformed URL, naming the part), HFDS_ENOTFOUND (repo, revision or path), the reader's.
 */
HFDS_EXTERN int hfds_remote_file_open(hfds_remote_file **out, const char *url, const hfds_pq_reader_options *opt,
	hfds_error *err);
/* The reader, owned by the remote file. */
HFDS_EXTERN hfds_pq_reader *hfds_remote_file_reader(hfds_remote_file *f);
/* Bytes fetched so far. */
HFDS_EXTERN uint64_t hfds_remote_file_bytes_read(const hfds_remote_file *f);
HFDS_EXTERN void hfds_remote_file_free(hfds_remote_file *f);

/* ---- downloading into the Hugging Face cache ----------------------------------------- */

#define HFDS_DOWNLOAD_OPTIONS_VERSION 1

typedef struct hfds_download_options {
	unsigned version;              /* HFDS_DOWNLOAD_OPTIONS_VERSION (set by _init) */
	const char *revision;          /* NULL = main */
	const char *const *include;    /* fnmatch globs over repo paths ('*' crosses '/', as
					  huggingface_hub's allow_patterns); none = every file */
	size_t ninclude;
	const char *cache_dir;         /* NULL = HF_HUB_CACHE, else $HF_HOME/hub, else
					  ~/.cache/huggingface/hub */
	unsigned workers;              /* parallel transfers, each with its own hub handle; 0 = 4 */
} hfds_download_options;

/* Fills the defaults (all NULL/0) and the version. */
HFDS_EXTERN void hfds_download_options_init(hfds_download_options *opt);

typedef struct hfds_download_report {
	char commit[HFDS_OID_HEX_SIZE];
	size_t files;                  /* files in the snapshot */
	size_t fetched;                /* of which transferred now (the others were cached) */
	uint64_t bytes;                /* bytes transferred */
	char snapshot[4096];           /* the snapshot folder */
} hfds_download_report;

/*
 * Fills the cache layout huggingface_hub uses (datasets--NS--NAME/{blobs,snapshots/SHA,refs}):
 * each file's blob is named by its sha256 (LFS) or git blob id, written to
 * `blobs/<id>.incomplete` (a partial one left by a killed run continues with a ranged read),
 * verified (sha256, or git blob sha1) and renamed; the snapshot holds relative symlinks;
 * refs/<revision> gets the commit when the revision is not a commit id. Opens one hub per
 * worker from `endpoint` (as hfds_hub_open). Errors: HFDS_ECORRUPT (a blob whose content does
 * not match: the partial file is removed), HFDS_ENOTFOUND, HFDS_EIO, the hub's.
 */
HFDS_EXTERN int hfds_download(const char *endpoint, const char *repo_id, const hfds_download_options *opt,
	hfds_download_report *report, hfds_error *err);

/*
 * Prepares datasets' own cache from a snapshot `rep` of hfds_download filled, so that
 * datasets.load_dataset("NS/NAME"[, config]) works with HF_HUB_OFFLINE=1: datasets 5.2 does
 * not read the hub cache offline, only folders it prepared itself. For every config of the
 * card's dataset_info, writes `{cache}/{NS}___{snake(NAME)}/{config}/0.0.0/{commit}/` with
 * dataset_info.json and one Arrow IPC stream `{snake(NAME)}-{split}.arrow` per split (the rows
 * of the files load_dataset resolves, the features of their `huggingface` metadata), built as
 * `{commit}.incomplete` and renamed; a folder already there is kept. `cache_dir` NULL =
 * HF_DATASETS_CACHE, else $HF_HOME/datasets, else ~/.cache/huggingface/datasets. This copies
 * the rows once more (as load_dataset does when online). Errors: HFDS_EUNSUPPORTED (a card
 * without dataset_info, a shard without `huggingface` metadata), HFDS_EPARSE (the card),
 * the reader's, HFDS_EIO.
 */
HFDS_EXTERN int hfds_download_prepare(const char *repo_id, const hfds_download_report *rep, const char *cache_dir,
	hfds_error *err);

/* ---- Arrow IPC stream output ---------------------------------------------------------- */

/*
 * Encapsulated Arrow IPC messages for a stream: the Schema message of `schema` (a struct
 * whose children are the columns), and a RecordBatch message with its body for `batch`, a
 * struct array of those columns at offset 0 without dictionaries (HFDS_EUNSUPPORTED naming the
 * column otherwise). A stream is the schema, the batches, then the 8 bytes FF FF FF FF 00 00 00
 * 00. `*out` is freed with hfds_free.
 */
HFDS_EXTERN int hfds_stream_ipc_schema(const struct ArrowSchema *schema, uint8_t **out, size_t *len,
	hfds_error *err);
HFDS_EXTERN int hfds_stream_ipc_batch(const struct ArrowSchema *schema, const struct ArrowArray *batch,
	uint8_t **out, size_t *len, hfds_error *err);
/* The RecordBatch message of hfds_stream_ipc_batch handed to `put` as it is made: a small
 * header, then the batch's buffers straight from the batch and their padding (no copy of the
 * body in memory). `put` returns 0 or a negative HFDS_E* code, which is returned. */
typedef int (*hfds_stream_write_fn)(void *ctx, const void *data, size_t len, hfds_error *err);
HFDS_EXTERN int hfds_stream_ipc_batch_write(const struct ArrowSchema *schema, const struct ArrowArray *batch,
	hfds_stream_write_fn put, void *ctx, hfds_error *err);

#ifdef __cplusplus
}
#endif
#endif
