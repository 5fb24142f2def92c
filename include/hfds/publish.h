/*
 * hfds/publish.h - publishers: sources turned into versioned datasets on a hub.
 *
 * hfds_chess_publish is `hfds chess push` as a library call: sampled chess positions
 * published as numbered batches, ONE commit per batch adding train/batch_NNNNNN.parquet,
 * test/batch_NNNNNN.parquet and the updated card (the dataset writer's append layout).
 * Each batch of batch_size rows is split by train_ratio (first rows to train, no shuffle).
 * A publisher thread writes and commits batch k while the sampler fills batch k+1 (two
 * token buffers, at most one batch in flight), so commits stay in order. The repository
 * (and with it the token) is checked before any PGN is read.
 *
 * Resume: batch numbers and skipped positions come from ONE plan
 * (hfds_chess_publish_resume_plan): after the highest batch N in the repository the next
 * batch is N + 1 and the first N x batch_size sampled positions are skipped, so a rerun
 * with the same inputs, sampler, seed and batch size continues the stream exactly, and
 * nothing already published is published again even when an earlier batch was deleted.
 *
 * Thread-safety: hfds_chess_publish uses `hub` from its publisher thread while it runs;
 * the caller must not use the hub meanwhile. Callbacks run on either thread, never both
 * at once.
 */
#ifndef HFDS_PUBLISH_H
#define HFDS_PUBLISH_H

#include <stddef.h>
#include <stdint.h>
#include "hfds/chess.h"
#include "hfds/dataset.h"
#include "hfds/hub.h"
#include "hfds/ingest.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HFDS_CHESS_PUBLISH_OPTS_VERSION 1

typedef enum hfds_chess_publish_event_kind {
	HFDS_CHESS_PUBLISH_START = 0,     /* the plan: existing, next_batch */
	HFDS_CHESS_PUBLISH_PROGRESS = 1,  /* stats, batch being filled, rows in it */
	HFDS_CHESS_PUBLISH_BATCH = 2,     /* a batch was published (or written, dry run) */
	HFDS_CHESS_PUBLISH_PARTIAL = 3    /* the input ran out: a partial batch of `rows` follows */
} hfds_chess_publish_event_kind;

typedef struct hfds_chess_publish_event {
	hfds_chess_publish_event_kind kind;
	uint64_t batch;                  /* the batch's number in the repository (1-based) */
	uint64_t existing;               /* START: batches found in the repository */
	size_t rows, train_rows, test_rows;
	const char *sha;                 /* BATCH: its commit ("" for a dry run) */
	const hfds_chess_stats *stats;   /* games read so far (PROGRESS, BATCH) */
	double seconds;                  /* since the sampler started */
} hfds_chess_publish_event;

typedef struct hfds_chess_publish_opts {
	unsigned version;
	const char *repo_id;             /* required unless out_dir */
	const char *branch;              /* NULL = main */
	const char *tag;                 /* tag the last commit (NULL = none) */
	int is_private;                  /* when the repository is created */
	int resume;                      /* continue after the batches in the repository */
	const char *out_dir;             /* dry run: write the batches here, publish nothing */
	uint64_t batches;                /* default 3 */
	size_t batch_size;               /* default 100000 */
	double train_ratio;              /* default 0.95 */
	int window;                      /* default 10 */
	int threads;                     /* encoding threads (0 = all cores) */
	int codec;                       /* hfds_pq_codec, default zstd */
	hfds_chess_sample_opts sample;   /* the sampler's options */
	void (*on_event)(void *ctx, const hfds_chess_publish_event *ev);
	void (*on_problem)(void *ctx, const char *message);   /* bad games, file:line:col */
	void *ctx;
	/* Optional: polled about every 4096 positions (sampling thread) and 4096 rows written
	 * (publishing thread); nonzero stops the run with HFDS_ECANCELLED: the batch being
	 * written is dropped, no partial batch and no tag follow, a commit already begun
	 * completes. The repository is left at the last batch's commit, so `resume` continues. */
	int (*cancelled)(void *ctx);
} hfds_chess_publish_opts;

HFDS_EXTERN void hfds_chess_publish_opts_init(hfds_chess_publish_opts *o);

typedef struct hfds_chess_publish_result {
	uint64_t existing;               /* batches in the repository before the run */
	uint64_t batches;                /* batches published by this run */
	uint64_t rows_train, rows_test;
	char last_sha[HFDS_OID_HEX_SIZE];  /* "" when nothing was committed */
	hfds_chess_stats stats;
} hfds_chess_publish_result;

/*
 * Samples `paths` (expanded, see hfds_chess_expand_paths) and publishes o->batches batches
 * to o->repo_id on `hub` (created when missing), or writes them to o->out_dir (then `hub`
 * may be NULL). Running out of input publishes the partial batch (a PARTIAL event first).
 * Errors: HFDS_EEXISTS (the repository has batches and o->resume is not set), HFDS_ESTATE
 * (a tag but nothing was published), HFDS_EINVAL (options), and the hub's, the sampler's
 * and the writer's errors. `res` (may be NULL) is filled also on error.
 */
HFDS_EXTERN int hfds_chess_publish(hfds_hub *hub, char *const *paths, size_t npaths,
	const hfds_chess_publish_opts *o, hfds_chess_publish_result *res, hfds_error *err);

typedef struct hfds_chess_resume_plan {
	uint64_t existing;               /* batch numbers present (train or test) */
	uint64_t next_batch;             /* 1 + the highest batch number present */
	uint64_t skip_positions;         /* (next_batch - 1) x batch_size */
} hfds_chess_resume_plan;

/*
 * The one place that decides where a resumed run continues, from the repository's files
 * (`train/batch_N.parquet`, `test/batch_N.parquet`). HFDS_ELIMIT if the skip overflows.
 */
HFDS_EXTERN int hfds_chess_publish_resume_plan(hfds_chess_resume_plan *out, const hfds_ds_repo_file *files,
	size_t count, size_t batch_size, hfds_error *err);


/* ---- hfds_push: sources (JSON Lines, CSV, Parquet) to a published dataset ----------------
 *
 * `hfds push` as a library call. The sources of each (config, split) are read in order and
 * written as one dataset (hfds/dataset.h); features come from `features_json`, else the
 * first Parquet source's schema, else are inferred from the first JSON Lines / CSV rows.
 * Then, by the options: out_dir builds the folder only; from_dir publishes a built folder;
 * otherwise the writer is attached to the repository so each shard is uploaded while the
 * next is written (hfds/hub.h: workers, spool_max, keep), and the push ends with the
 * commit(s) (publish.max_files/max_bytes), or with no_commit by writing `manifest_path`
 * (hfds_ds_manifest) for hfds_push_commit_manifests.
 * Thread-safety: uses `hub` for the whole call; callbacks may come from upload threads, one
 * at a time.
 */
#define HFDS_PUSH_OPTIONS_VERSION 1

typedef struct hfds_push_source {
	const char *config;    /* NULL = "default" */
	const char *split;
	const char *files;     /* comma-separated paths; "-" = stdin */
} hfds_push_source;

typedef struct hfds_push_event {
	const char *event;     /* "features" (inferred; detail = their JSON), "rows", "shard",
	                          "dropped" (rows = keys ignored; path), "warning" (detail), and the
	                          upload events, as in hfds_hub_progress.event: "queued", "stored",
	                          "retained", "commit", "committed" */
	const char *config, *split, *path, *detail;
	uint64_t rows;         /* of the split being written */
	uint64_t shards;       /* shards closed so far */
	hfds_hub_progress up;  /* upload counters (zero before the first upload) */
} hfds_push_event;

typedef void (*hfds_push_progress_fn)(void *payload, const hfds_push_event *e);

typedef struct hfds_push_options {
	unsigned version;                 /* HFDS_PUSH_OPTIONS_VERSION (set by _init) */
	const char *repo_id;              /* required unless out_dir */
	const char *revision;             /* branch (NULL = main) */
	int is_private;
	const hfds_push_source *sources;
	size_t source_count;
	const char *features_json;        /* datasets' Features.to_dict() JSON, or NULL */
	size_t features_len;
	hfds_ds_options ds;               /* shards, codec, layout, set_default, replace_features, threads;
	                                     row_group_bytes 0 (what _init sets) = one ingest block
	                                     for JSON Lines / CSV sources (bounded memory), the
	                                     hfds_ds default (100e6) for Parquet ones */
	hfds_ingest_options ingest;       /* _init sets block_bytes to 4 MiB (half of convert's) */
	hfds_ds_publish_options publish;  /* title, description, max_files, max_bytes, warn */
	hfds_hub_upload_options upload;   /* workers, spool_max, keep (progress is set by hfds_push) */
	const char *out_dir;              /* build this folder only */
	const char *from_dir;             /* publish this built folder */
	int no_commit;                    /* upload, write manifest_path, commit nothing */
	const char *manifest_path;
	hfds_push_progress_fn progress;
	void *progress_payload;
} hfds_push_options;

typedef struct hfds_push_split {
	char *config, *split;
	uint64_t rows, files;
} hfds_push_split;

typedef struct hfds_push_result {
	char sha[41];                     /* the last commit ("" for out_dir / no_commit) */
	hfds_push_split *splits;          /* per distinct (config, split) pushed */
	size_t split_count;
	char *kept_dir;                   /* upload.keep: the folder holding the shards, else NULL */
	int unchanged;                    /* 1: nothing would change, no commit was made; sha is the
	                                     branch head (a rerun of a push that landed) */
} hfds_push_result;

HFDS_EXTERN void hfds_push_options_init(hfds_push_options *o);
HFDS_EXTERN void hfds_push_result_release(hfds_push_result *r);

/*
 * With upload.keep, the shards outlive the push: the staging folder becomes
 * `<staging root>/kept-<owner>--<name>-<commit, 12 digits>` (`$HFDS_HOME/spool` for a remote hub,
 * `<root>/tmp` for an embedded one; with no_commit the staging folder's suffix replaces the
 * commit), the shards under their repository paths (data/train-00000-of-00001.parquet),
 * named in out->kept_dir. It is never swept; removing it is the caller's business.
 *
 * Runs the push on `hub` (NULL only with out_dir). Errors: HFDS_EINVAL (options: no source,
 * from_dir with sources, stdin without features, bad names), the readers' errors naming
 * file:line, the hub's. On error nothing is committed (part commits of a large push may
 * have landed; a rerun re-sends nothing the server has).
 */
HFDS_EXTERN int hfds_push(hfds_hub *hub, const hfds_push_options *o, hfds_push_result *out, hfds_error *err);

/*
 * Merges manifests written by `hfds_push` with no_commit (files `paths`) into the card of
 * `repo_id` at `revision` and commits (publish options as for hfds_ds_publish). Returns 0
 * when committed, 1 when nothing would change (no commit; `sha` is the branch head).
 */
HFDS_EXTERN int hfds_push_commit_manifests(hfds_hub *hub, const char *repo_id, const char *revision,
	const char *const *paths, size_t n, const hfds_ds_publish_options *po, const hfds_ds_options *dso,
	char sha[41], hfds_error *err);

#ifdef __cplusplus
}
#endif
#endif
