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

#ifdef __cplusplus
}
#endif
#endif
