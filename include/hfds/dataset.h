/*
 * hfds/dataset.h - Hugging Face datasets repositories: configs, splits, shards, the card.
 *
 * A dataset writer streams record batches into any (config, split) of one output folder
 * and lays them out the way `Dataset(Dict).push_to_hub` does (datasets-format.md §1, §4):
 *
 *   hfds_ds_options o;
 *   hfds_ds_options_init(&o);
 *   o.max_shard_size = 10 * 1000 * 1000;
 *   hfds_ds *ds;
 *   hfds_ds_open(&ds, "out", features, &o, &err);
 *   hfds_ds_write(ds, "en", "train", &batch, &err);      // any order, any number of times
 *   hfds_ds_finish(ds, &err);                            // names shards, writes README.md
 *   hfds_ds_free(ds);
 *
 * or, instead of hfds_ds_finish, hfds_ds_publish(ds, &repo_ops, &publish_options, sha, &err)
 * to publish everything as one commit of a hub repository.
 *
 * Layout: shards are `{data_dir}/{split}-{i:05d}-of-{n:05d}.parquet` (data_dir "data" for the
 * config "default", else the config name). Shards roll over on the written file size: big
 * batches are cut into slices of about max_shard_size / 8 (Arrow bytes), row groups are at
 * most max_shard_size / 8 uncompressed, and a shard is closed when the next slice could
 * push the file past max_shard_size (a single row group larger than that still makes a
 * larger shard). n is only known when the split closes, so shards are written under
 * hidden temporary names and get their final names only once the card merged.
 * HFDS_DS_LAYOUT_APPEND writes one file per split and push (more past max_shard_size),
 * `{split}/batch_{NNNNNN}.parquet`
 * (`{config}/{split}/...` for other configs), numbered after the files already there,
 * with the configs glob `{split}/` + `*.parquet`, and adds the counts to the card's.
 * Every shard carries the `huggingface` key (the features JSON) in its key/value metadata.
 *
 * Card: README.md gets dataset_info (features, splits with num_bytes / num_examples,
 * download_size, dataset_size) and configs (data_files globs, default: true with
 * set_default), merged into the existing card as push_to_hub merges: other keys, their
 * order and the Markdown body are kept; only the written configs' entries change.
 * num_bytes is the sum of the row groups' uncompressed sizes (as datasets does for
 * IterableDataset pushes).
 *
 * Thread-safety: one writer is used by one thread at a time; encoding uses `threads`.
 * Determinism: the bytes written depend only on the data, features and options.
 */
#ifndef HFDS_DATASET_H
#define HFDS_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "hfds/arrow_abi.h"
#include "hfds/common.h"
#include "hfds/features.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- names and sizes (pure functions) ------------------------------------------------ */

/* Parses a size as datasets' convert_file_size_to_int: "500MB" = 500e6, "1GB" = 1e9,
 * "5MiB" = 5 * 2^20, "500Mb" (lowercase b) = bits = 62.5e6, plain "1234" = bytes.
 * Errors: HFDS_EPARSE naming the text. */
HFDS_EXTERN int hfds_ds_parse_size(const char *text, uint64_t *out, hfds_error *err);

/* Split names must match ^\w+(\.\w+)*$ (no dashes). HFDS_EINVAL with the rule. */
HFDS_EXTERN int hfds_ds_check_split(const char *name, hfds_error *err);
/* Config names: not "data", usable as one folder name and in a glob. HFDS_EINVAL. */
HFDS_EXTERN int hfds_ds_check_config(const char *name, hfds_error *err);
/* "data" for "default", else the config name (borrowed). */
HFDS_EXTERN const char *hfds_ds_data_dir(const char *config);

typedef enum hfds_ds_layout {
	HFDS_DS_LAYOUT_SHARDS = 0,   /* {data_dir}/{split}-{i:05d}-of-{n:05d}.parquet */
	HFDS_DS_LAYOUT_APPEND = 1    /* [{config}/]{split}/batch_{NNNNNN}.parquet */
} hfds_ds_layout;

/* Path strings; *out is freed with hfds_free. */
HFDS_EXTERN int hfds_ds_shard_path(char **out, const char *config, const char *split, uint64_t index,
	uint64_t count, hfds_error *err);
HFDS_EXTERN int hfds_ds_append_path(char **out, const char *config, const char *split, uint64_t batch,
	hfds_error *err);
/* The card's data_files glob for a split: "{data_dir}/{split}-*" or "[{config}/]{split}/" "*.parquet". */
HFDS_EXTERN int hfds_ds_split_glob(char **out, const char *config, const char *split, int layout,
	hfds_error *err);

/* ---- the writer ---------------------------------------------------------------------- */

#define HFDS_DS_OPTIONS_VERSION 1

typedef void (*hfds_ds_progress_fn)(void *payload, const char *what, uint64_t done, uint64_t total);

typedef struct hfds_ds_options {
	unsigned version;
	uint64_t max_shard_size;  /* bytes of Parquet per shard; default 500e6 ("500MB") */
	int codec;                /* hfds_pq_codec; default snappy */
	size_t row_group_bytes;   /* uncompressed bytes per row group; default 100e6 (datasets >= 4.1),
	                             lowered to max_shard_size / 8 for small shards */
	int threads;              /* encoding threads; 0 = all cores */
	hfds_pool *pool;          /* borrowed; NULL = one pool of `threads` made at open. Either
	                             way every (config, split) writer shares that one pool */
	int layout;               /* hfds_ds_layout */
	int set_default;          /* mark the written config(s) `default: true` in the card */
	int replace_config;       /* 1: a config holds exactly the splits written (DatasetDict push:
	                             its other files and splits go); 0: only the written splits are
	                             replaced (Dataset push); -1 (default): 1 when the config got
	                             more than one split */
	unsigned features_flags;  /* HFDS_FEATURES_SEQUENCE to write "Sequence" (datasets < 4) */
	hfds_ds_progress_fn progress; /* optional, called from the writing thread */
	void *progress_payload;
	int replace_features;     /* a config the card already describes with other features is
	                             refused (HFDS_ECONFLICT) unless this is set and the push
	                             replaces all its splits */
	uint64_t append_batch;    /* append layout: the number of the first new batch_N file of
	                             every split; 0 (default) = 1 + the highest in the repo */
} hfds_ds_options;

HFDS_EXTERN void hfds_ds_options_init(hfds_ds_options *opts);

typedef struct hfds_ds hfds_ds;

/*
 * Opens a writer whose shards go below the folder `dir` (created if missing). `features`
 * (copied) describe every config unless hfds_ds_set_config_features says otherwise.
 * Errors: HFDS_EINVAL (bad options), HFDS_EIO (cannot create the folder), HFDS_ENOMEM.
 */
HFDS_EXTERN int hfds_ds_open(hfds_ds **out, const char *dir, const hfds_features *features,
	const hfds_ds_options *opts, hfds_error *err);

/* Features for one config (copied), before its first write. HFDS_ESTATE after it. */
HFDS_EXTERN int hfds_ds_set_config_features(hfds_ds *ds, const char *config, const hfds_features *features,
	hfds_error *err);

/* The Arrow storage schema batches for `config` must have (borrowed, valid until free). */
HFDS_EXTERN const struct ArrowSchema *hfds_ds_schema(hfds_ds *ds, const char *config);

/*
 * Appends a record batch (struct array of the config's storage schema; borrowed) to
 * (config, split). Errors: HFDS_EINVAL (bad config/split name, batch not matching),
 * HFDS_EIO, HFDS_ESTATE (after finish/publish or after a failure).
 */
HFDS_EXTERN int hfds_ds_write(hfds_ds *ds, const char *config, const char *split,
	const struct ArrowArray *batch, hfds_error *err);
/* Appends every batch of a stream (not released). */
HFDS_EXTERN int hfds_ds_write_stream(hfds_ds *ds, const char *config, const char *split,
	struct ArrowArrayStream *stream, hfds_error *err);
/* Declares a split with no rows yet (it gets one empty shard). */
HFDS_EXTERN int hfds_ds_add_split(hfds_ds *ds, const char *config, const char *split, hfds_error *err);
/*
 * Closes the split's open shard now, so the Parquet writer's buffers (two row groups) are
 * freed while other splits are written; a later write to the split starts a new shard.
 * For callers that write splits one after the other (hfds build): only one writer is alive.
 * Nothing to do when the split has no open shard. Errors: HFDS_EIO, HFDS_ESTATE.
 */
HFDS_EXTERN int hfds_ds_end_split(hfds_ds *ds, const char *config, const char *split, hfds_error *err);

/*
 * Closes every split, names the shards and writes `dir/README.md`, merged into the card
 * already in `dir` if there is one. Errors: HFDS_EIO, HFDS_EPARSE (existing card invalid,
 * naming the line), HFDS_ECONFLICT (features differ from the card's for that config,
 * see replace_features).
 */
HFDS_EXTERN int hfds_ds_finish(hfds_ds *ds, hfds_error *err);

/* After finish/publish: rows, uncompressed bytes and files of one split (0 if unknown). */
HFDS_EXTERN int hfds_ds_split_stats(const hfds_ds *ds, const char *config, const char *split,
	uint64_t *num_examples, uint64_t *num_bytes, uint64_t *num_files);

/* Frees the writer; shards not yet finished or published are removed. NULL-safe. */
HFDS_EXTERN void hfds_ds_free(hfds_ds *ds);

/* ---- publishing through a repository ------------------------------------------------- */

typedef struct hfds_ds_repo_file {
	char *path;     /* path in the repo */
	uint64_t size;  /* content size */
} hfds_ds_repo_file;

typedef struct hfds_ds_commit_add {
	const char *path;        /* path in the repo */
	const char *local_path;  /* a file, or NULL when data/len hold the content */
	const char *sha256_hex;  /* known sha256 of local_path (may be NULL) */
	uint64_t size;
	const void *data;
	size_t len;
	int stored;              /* the content is on the repository's hub already (ops->upload):
	                            referenced by sha256_hex and size; local_path may be NULL */
} hfds_ds_commit_add;

typedef struct hfds_ds_commit {
	const char *parent;      /* 40-hex commit the changes are based on */
	const char *title;
	const char *description; /* may be NULL */
	const hfds_ds_commit_add *adds;
	size_t add_count;
	const char *const *deletes;
	size_t delete_count;
} hfds_ds_commit;

/*
 * What a publish needs from a repository (the embedded store or a remote hub). All
 * functions refer to the target branch chosen when the ops were made; strings and arrays
 * they return are allocated with hfds_malloc and freed by the caller (hfds_ds_repo_files_free).
 *  head:       the branch's current commit (creating the branch first if the target says so)
 *  read_file:  content of a file at commit `rev`; HFDS_ENOTFOUND when absent
 *  list_files: every file (recursively) at commit `rev`
 *  commit:     one commit with `parent` checked: HFDS_ECONFLICT when the branch moved
 */
#define HFDS_DS_REPO_OPS_VERSION 1

typedef struct hfds_ds_repo_ops {
	unsigned version;   /* HFDS_DS_REPO_OPS_VERSION (set by _init); another is HFDS_EINVAL */
	void *payload;
	int (*head)(void *payload, char sha[41], hfds_error *err);
	int (*read_file)(void *payload, const char *rev, const char *path, char **data, size_t *len, hfds_error *err);
	int (*list_files)(void *payload, const char *rev, hfds_ds_repo_file **files, size_t *count, hfds_error *err);
	int (*commit)(void *payload, const hfds_ds_commit *c, char out_sha[41], hfds_error *err);
	/* Optional (NULL: shards travel with the commit). upload starts storing a closed shard
	 * on the repository's hub in the background (`path` is a name for the server's
	 * regular-vs-LFS choice) and may block while the spool is full; the file may be removed
	 * once stored. upload_wait waits for every upload started and returns their first
	 * error; stored tells whether local_path's content is on the hub (then the commit
	 * references it, hfds_ds_commit_add.stored). */
	int (*upload)(void *payload, const char *local_path, const char *path, const char *sha256_hex, uint64_t size,
		hfds_error *err);
	int (*upload_wait)(void *payload, hfds_error *err);
	int (*stored)(void *payload, const char *local_path);
} hfds_ds_repo_ops;

/* Zeroes the callbacks and sets the version; the caller fills the rest. Cannot fail. */
HFDS_EXTERN void hfds_ds_repo_ops_init(hfds_ds_repo_ops *ops);

HFDS_EXTERN void hfds_ds_repo_files_free(hfds_ds_repo_file *files, size_t count);

/*
 * Tells the writer the repository it will be published to, before its first write: each
 * shard is handed to ops->upload as soon as it is closed (when the ops have one), so it is
 * uploaded while the next is written, and hfds_ds_publish(ds, ops, ...) with the SAME ops
 * then only commits. `ops` is borrowed until the writer is freed. HFDS_ESTATE after a write.
 */
HFDS_EXTERN int hfds_ds_attach(hfds_ds *ds, const hfds_ds_repo_ops *ops, hfds_error *err);


#define HFDS_DS_PUBLISH_OPTIONS_VERSION 1

typedef struct hfds_ds_publish_options {
	unsigned version;         /* HFDS_DS_PUBLISH_OPTIONS_VERSION (set by _init) */
	const char *title;        /* default "Upload dataset" */
	const char *description;  /* may be NULL */
	int max_retries;          /* re-merges after HFDS_ECONFLICT; default (0) = 5 */
	int replace_features;     /* hfds_ds_publish_folder: allow a config's features to change */
	/* hfds_ds_publish_folder: told about each skipped file (FIFO, socket, device, dangling
	 * link), one message naming it; NULL = skip silently */
	void (*warn)(void *payload, const char *message);
	void *warn_payload;
	/* Commits stay within the Hub's limits: at most max_files files (additions and deletions)
	 * and max_bytes bytes of added content per commit; more makes several commits titled
	 * "<title> (part 00000-of-00002)" with the shards, then the last one with the rest, the
	 * deletions and README.md. 0 = the defaults (HFDS_DS_COMMIT_MAX_FILES, _MAX_BYTES). The
	 * file cap adapts as huggingface_hub's upload_large_folder does: a part commit slower
	 * than slow_commit_ms halves it for the next one (not below min(20, max_files / 4), at
	 * least 2), a full part commit faster than that doubles it again, up to max_files. */
	size_t max_files;
	uint64_t max_bytes;
	unsigned slow_commit_ms;  /* 0 = 40000 (upload_large_folder's 40 s) */
} hfds_ds_publish_options;

/* upload_large_folder's largest commit size, and a byte budget that keeps a commit whose
 * answer is lost cheap to check and redo. */
#define HFDS_DS_COMMIT_MAX_FILES 1000
#define HFDS_DS_COMMIT_MAX_BYTES (50ull * 1000 * 1000 * 1000)

/* Fills the defaults and the version. Cannot fail. `opts` arguments below may be NULL. */
HFDS_EXTERN void hfds_ds_publish_options_init(hfds_ds_publish_options *opts);

/*
 * Closes the splits, merges the card with the repository's README.md at the branch head,
 * and makes ONE commit: shards + README.md + deletions of the stale shards of the written
 * splits (Dataset push: `{data_dir}/{split}-*`; DatasetDict push: every file directly in
 * `{data_dir}/`), as datasets does. When the branch moved meanwhile the card is re-read
 * and re-merged (up to max_retries). The shard files in the writer's folder are handed to
 * the commit by path with their sha256 (the store hard-links them). `out_sha` (may be
 * NULL) receives the new commit. Errors: HFDS_ECONFLICT (features differ from the card's
 * for the config, see replace_features: nothing is committed), HFDS_EPARSE (the repo's card
 * is invalid, naming the line), and the ops' errors.
 */
HFDS_EXTERN int hfds_ds_publish(hfds_ds *ds, const hfds_ds_repo_ops *ops, const hfds_ds_publish_options *opts,
	char out_sha[41], hfds_error *err);

/*
 * Publishes a folder built by hfds_ds_finish (`hfds push --out`): every file below `dir`
 * except hidden ones, the card merged per config found in the folder's card, and the
 * stale files of those configs deleted (not for append-layout globs, which keep earlier
 * batches), in one commit. The folder card's entries replace the repo card's for its
 * configs; its other keys (license, tags, ...) and its prose, when it has any, are kept.
 * Before anything is committed: the walk never leaves `dir` (a symbolic link resolving
 * outside it, or a name with a newline or other control character, is HFDS_EINVAL; FIFOs,
 * sockets, devices and dangling links are skipped and reported through opts->warn), and
 * every *.parquet file must be readable Parquet whose features equal the card's for its
 * config, with row counts equal to the card's num_examples per split (else HFDS_EINVAL or
 * the reader's error, naming the file).
 */
HFDS_EXTERN int hfds_ds_publish_folder(const char *dir, const hfds_ds_repo_ops *ops,
	const hfds_ds_publish_options *opts, char out_sha[41], hfds_error *err);

/*
 * delete_from_hub: deletes the files of `config` (its data_files globs expanded over the
 * repo) and its card entries, in one commit titled "Delete '<config>' config".
 * HFDS_ENOTFOUND when neither the card nor the repo knows the config.
 */
HFDS_EXTERN int hfds_ds_delete_config(const hfds_ds_repo_ops *ops, const char *config,
	const hfds_ds_publish_options *opts, char out_sha[41], hfds_error *err);

/* Deletes every file except `.gitattributes` in one commit. *deleted gets the count. */
HFDS_EXTERN int hfds_ds_purge(const hfds_ds_repo_ops *ops, const hfds_ds_publish_options *opts,
	size_t *deleted, char out_sha[41], hfds_error *err);

/*
 * The files of one split of a repository at commit `rev`, as load_dataset resolves them:
 * `config` NULL picks the card's only config, else the one marked `default: true`, else
 * "default"; its data_files globs for `split` (HfFileSystem rules: `*` stays within a
 * folder) are matched over every file, or `{data_dir}/{split}-*` when the card has no entry.
 * Sorted by path; *files is freed with hfds_ds_repo_files_free. Errors: HFDS_ENOTFOUND (no
 * file matches: unknown config or split), HFDS_EPARSE (the card, naming the line), the ops'.
 */
HFDS_EXTERN int hfds_ds_split_files(const hfds_ds_repo_ops *ops, const char *rev, const char *config,
	const char *split, hfds_ds_repo_file **files, size_t *count, hfds_error *err);

/* ---- manifests: many writers, one commit ------------------------------------------
 *
 * The distributed push: several writers (processes, machines) each attach to the same
 * repository, write their part and, instead of publishing, describe their stored shards in
 * a manifest; one committer merges the manifests and publishes them as one dataset.
 * Manifest JSON: {"hfds_manifest": 1, "layout": 0|1, "configs": {name: {"features": {...}}},
 * "splits": [{config, split, num_examples, num_bytes}], "files": [{config, split, path,
 * sha256, size, num_rows}]} (`path` is the name the file would have alone; the commit
 * names the merged shards anew).
 */

/* Closes the splits, waits for the uploads and renders the manifest (*out freed with free).
 * The writer must be attached (hfds_ds_attach) to ops that store shards; a shard the server
 * wanted inline is HFDS_EINVAL. The writer is finished afterwards. */
HFDS_EXTERN int hfds_ds_manifest(hfds_ds *ds, char **out, hfds_error *err);

/*
 * A writer holding the shards of `n` manifests (texts[i] of lens[i] bytes, names[i] for
 * errors), in that order, to publish with hfds_ds_publish (nothing is written to `dir`
 * unless a split has no shard). Features of a config must be equal in every manifest
 * (else HFDS_ECONFLICT); a malformed manifest is HFDS_EPARSE naming it (file:line:col).
 */
HFDS_EXTERN int hfds_ds_open_manifests(hfds_ds **out, const char *dir, const char *const *texts,
	const size_t *lens, const char *const *names, size_t n, const hfds_ds_options *opts, hfds_error *err);

/* Rows from JSON Lines and CSV files: hfds/ingest.h. */

#ifdef __cplusplus
}
#endif
#endif
