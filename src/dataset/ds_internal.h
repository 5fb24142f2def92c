/*
 * Internals shared by the dataset writer (ds_writer.c), the finishing/publishing step
 * (ds_finish.c, ds_publish.c) and the card glue.
 */
#ifndef HFDS_DATASET_DS_INTERNAL_H
#define HFDS_DATASET_DS_INTERNAL_H

#include <jansson.h>

#include "dataset/card.h"
#include "dataset/ds_nbytes.h"
#include "hfds/dataset.h"
#include "hfds/features.h"
#include "hfds/parquet.h"

typedef struct ds_shard {
	char *local;            /* current local path (temp name, then the final name) */
	char *final;            /* path in the repo, set when the split is named */
	hfds_pq_file_info info;
	int stored;             /* on the hub already (hfds_ds_attach): the commit references it */
} ds_shard;

typedef struct ds_config {
	char *name;
	hfds_features *features;
	struct ArrowSchema schema;  /* storage schema with the `huggingface` metadata */
	char *hf_json;              /* value of the `huggingface` key */
	json_t *features_yaml;      /* card form */
	int used;                   /* a split was written: features are fixed */
	size_t order;               /* first-use order */
} ds_config;

typedef struct ds_split {
	ds_config *config;
	char *name;
	hfds_pq_writer *w;          /* open shard, or NULL */
	uint64_t flushed_written;   /* bytes_written of the open shard at its last flush */
	uint64_t pending_arrow;     /* Arrow bytes written to the open shard since that flush */
	uint64_t seen_arrow;        /* Arrow bytes of the split's flushed row groups ... */
	uint64_t seen_file;         /* ... and the file bytes they became (the size ratio) */
	ds_shard *shards;
	size_t shard_count, shard_cap;
	ds_nbytes arrow;            /* Arrow size of the rows written (the card's num_bytes) */
	uint64_t num_examples, num_bytes, download;
} ds_split;

enum { DS_OPEN = 0, DS_DONE = 1, DS_FAILED = 2 };

struct hfds_ds {
	char *dir;
	hfds_ds_options opts;
	hfds_features *features;
	ds_config **configs;
	size_t config_count;
	ds_split **splits;
	size_t split_count;
	int state;
	uint64_t tmp_seq;
	hfds_pool *pool;        /* shared by every shard writer: opts.pool or own_pool */
	hfds_pool *own_pool;
	hfds_pq_writer *spare;  /* the last closed shard writer: its buffers go to the next shard */
	const hfds_ds_repo_ops *repo;   /* hfds_ds_attach: closed shards go to repo->upload */
	int written;            /* a batch was written (attach comes before) */
};

/* The (config, split) writer, made at first use (names checked, config features fixed). */
int hfds_ds__get_split(ds_split **out, hfds_ds *ds, const char *config, const char *split, hfds_error *err);

/* Closes every open shard (writing an empty shard for a split that has none). */
int hfds_ds__close_all(hfds_ds *ds, hfds_error *err);

/* Given the files already in the target (repo or folder) and its card text (NULL = none):
 * names the shards (local files move to hidden temporary names), merges the card, and lists the existing
 * files the push makes stale. `card_out` is the new README.md text. */
typedef struct ds_plan {
	char *card;             /* rendered README.md */
	size_t card_len;
	char **deletes;         /* paths to delete */
	size_t delete_count;
} ds_plan;

int hfds_ds__plan(ds_plan *plan, hfds_ds *ds, const char *card_text, size_t card_len,
	const hfds_ds_repo_file *files, size_t file_count, hfds_error *err);
void hfds_ds__plan_release(ds_plan *plan);
/* Renames the planned shards to their final names under the writer's folder. */
int hfds_ds__place_shards(hfds_ds *ds, hfds_error *err);

/* fnmatch with `*` not crossing '/' and `**` crossing it (HfFileSystem glob). */
int hfds_ds__glob_match(const char *pattern, const char *path);

/* ds_folder.c, for hfds_ds_publish_folder: the non-hidden files below `dir` without ever
 * leaving it (links outside and names with control characters refused, FIFOs, sockets and
 * dangling links skipped through opts->warn); the folder's *.parquet files checked against
 * the card (readable, features, num_examples); the folder card's other keys and prose
 * copied into the card to commit. */
int hfds_ds__scan_publishable(const char *dir, const hfds_ds_publish_options *opts, hfds_ds_repo_file **files,
	size_t *count, hfds_error *err);
int hfds_ds__check_folder(const char *dir, const hfds_card *card, const hfds_ds_repo_file *files, size_t n,
	hfds_error *err);
int hfds_ds__keep_folder_card(hfds_card *dst, const hfds_card *src, hfds_error *err);

/* Every regular, non-hidden file below `root` (relative paths). */
int hfds_ds__scan_folder(const char *root, hfds_ds_repo_file **files, size_t *count, hfds_error *err);
/* Whole small file (README.md); HFDS_ENOTFOUND without a message when missing. */
int hfds_ds__read_file(const char *path, char **out, size_t *len, hfds_error *err);

/* jansson form of a features YAML tree. */
int hfds_ds__features_yaml(json_t **out, const hfds_features *f, unsigned flags, hfds_error *err);

#endif
