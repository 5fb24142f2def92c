/*
 * hfds/hub.h - where repositories live: the Hugging Face Hub (or any server speaking its
 * HTTP protocol) or the embedded local hub (hfds/store.h).
 *
 * Target choice, in order of precedence:
 *   1. an explicit endpoint (the CLI's --endpoint);
 *   2. the HF_ENDPOINT environment variable;
 *   3. https://huggingface.co when an HF token is found: HF_TOKEN, HUGGING_FACE_HUB_TOKEN,
 *      the file HF_TOKEN_PATH, else $HF_HOME/token, else $XDG_CACHE_HOME/huggingface/token,
 *      else ~/.cache/huggingface/token (the Python client's order; CR/LF and surrounding
 *      blanks are stripped, an empty token counts as none);
 *   4. the embedded hub at its default root ($HFDS_HOME/hub, else ~/.cache/hfds/hub).
 * An endpoint value is an http(s) URL (remote), a `file://` URL or a filesystem path
 * (the embedded hub at that directory; `file://` alone means the default root).
 *
 * Thread-safety: hfds_target_select reads the environment; call it before starting threads.
 */
#ifndef HFDS_HUB_H
#define HFDS_HUB_H

#include <stddef.h>
#include <stdint.h>
#include "hfds/common.h"
#include "hfds/dataset.h"
#include "hfds/store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HFDS_HUB_DEFAULT_ENDPOINT "https://huggingface.co"

typedef enum hfds_target_kind {
	HFDS_TARGET_EMBEDDED = 0,
	HFDS_TARGET_REMOTE = 1
} hfds_target_kind;

/* Owned strings are freed by hfds_target_release. */
typedef struct hfds_target {
	hfds_target_kind kind;
	char *endpoint;   /* remote: the base URL without trailing '/'; embedded: NULL */
	char *root;       /* embedded: the hub directory (absolute or as given); remote: NULL */
	char *token;      /* the HF token if one was found (remote or not), else NULL */
	char *why;        /* one phrase on how the target was chosen, e.g. "from HF_ENDPOINT" */
} hfds_target;

/*
 * Chooses the target. `endpoint` is the explicit choice (NULL or "" for none).
 * Errors: HFDS_EINVAL (an endpoint with an unsupported scheme, an empty path),
 * HFDS_ENOMEM. On error `out` holds nothing to release.
 */
HFDS_EXTERN int hfds_target_select(hfds_target *out, const char *endpoint, hfds_error *err);
/* Frees the strings of a target (NULL-safe; the struct itself is the caller's). */
HFDS_EXTERN void hfds_target_release(hfds_target *t);
/*
 * One line describing the choice, for the CLI to announce ("embedded hub at /x (no HF token
 * found)", "https://huggingface.co (HF token from HF_TOKEN)"). Truncated to `cap`.
 */
HFDS_EXTERN void hfds_target_describe(const hfds_target *t, char *buf, size_t cap);

/*
 * Repo id rules (the Hub's, see hfds_repo_id_check in hfds/store.h), for a NUL-terminated
 * id. HFDS_EINVAL with a message naming the broken rule.
 */
HFDS_EXTERN int hfds_hub_repo_id_check(const char *repo_id, hfds_error *err);

/* ---- the hub: one interface over every backend ---------------------------------------
 *
 * An hfds_hub is opened from an endpoint (see the target choice above): an http(s) URL
 * gives the HTTP backend, a directory or `file://` URL the embedded store (hfds/store.h).
 * Every operation takes the repository by type and id and dispatches through one table of
 * functions (src/hub/backend.h), as libgit2 does for its object databases; the dataset
 * layer, the chess publisher and every command use only this interface.
 *
 * Results reuse the struct types of hfds/store.h (hfds_store_repo_info, hfds_store_tree,
 * hfds_store_refs, hfds_store_log) and are freed with their hfds_store_*_free function;
 * fields a backend cannot know are zero or empty (e.g. git_dir for a remote repository).
 *
 * Thread-safety: a hub handle belongs to one thread at a time (it caches the last opened
 * repository); open one hub per thread, or hand it over with a happens-before edge.
 * Tokens are never part of an error message.
 */

typedef struct hfds_hub hfds_hub;

/*
 * Opens the hub chosen by hfds_target_select(endpoint). Errors: HFDS_EINVAL (bad endpoint),
 * HFDS_EIO (the embedded hub's directory), HFDS_EUNSUPPORTED (a backend not built in).
 */
HFDS_EXTERN int hfds_hub_open(hfds_hub **out, const char *endpoint, hfds_error *err);
/* Same from a selected target (copied; the caller still releases `t`). */
HFDS_EXTERN int hfds_hub_open_target(hfds_hub **out, const hfds_target *t, hfds_error *err);
/* NULL-safe. Objects made from the hub (hfds_hub_dataset, hfds_hub_staging) go first. */
HFDS_EXTERN void hfds_hub_free(hfds_hub *hub);
/* The one-line description of the target (hfds_target_describe), owned by the hub. */
HFDS_EXTERN const char *hfds_hub_where(const hfds_hub *hub);
/* 1 for a remote (HTTP) hub, 0 for the embedded store. */
HFDS_EXTERN int hfds_hub_is_remote(const hfds_hub *hub);
/* Parallel connections for LFS uploads of the HTTP backend (1..64; 0 = the default:
 * HFDS_HUB_UPLOAD_WORKERS, else 4). No effect on the embedded hub. */
HFDS_EXTERN void hfds_hub_set_upload_workers(hfds_hub *hub, unsigned n);

typedef struct hfds_hub_user {
	char name[128];       /* the account name ("local" for the embedded hub) */
	int can_write;        /* the token may create repositories and commit */
} hfds_hub_user;

/* Who the token belongs to. HFDS_EAUTH for a missing, invalid or read-only token (the
 * message names where the token came from, never the token). */
HFDS_EXTERN int hfds_hub_whoami(hfds_hub *hub, hfds_hub_user *out, hfds_error *err);

/* Creates a repository with the Hub's initial commit. Returns 0 when created, 1 when it
 * already existed and `exist_ok` is set; HFDS_EEXISTS otherwise. */
HFDS_EXTERN int hfds_hub_repo_create(hfds_hub *hub, hfds_repo_type type, const char *repo_id, int is_private,
	int exist_ok, hfds_error *err);
/* HFDS_ENOTFOUND when absent. */
HFDS_EXTERN int hfds_hub_repo_delete(hfds_hub *hub, hfds_repo_type type, const char *repo_id, hfds_error *err);
/* Repository settings: the private flag. */
HFDS_EXTERN int hfds_hub_repo_set_private(hfds_hub *hub, hfds_repo_type type, const char *repo_id,
	int is_private, hfds_error *err);
/* Fills `out` for revision `rev` (NULL = main). HFDS_ENOTFOUND for an unknown repo or rev. */
HFDS_EXTERN int hfds_hub_repo_info(hfds_store_repo_info *out, hfds_hub *hub, hfds_repo_type type,
	const char *repo_id, const char *rev, hfds_error *err);
/* Resolves `rev` (branch, tag, commit id or prefix; NULL = main) to a 40-hex commit id. */
HFDS_EXTERN int hfds_hub_resolve(char out[HFDS_OID_HEX_SIZE], hfds_hub *hub, hfds_repo_type type,
	const char *repo_id, const char *rev, hfds_error *err);
/* Lists folder `path` at `rev` (see hfds_store_tree_list). */
HFDS_EXTERN int hfds_hub_tree_list(hfds_store_tree **out, hfds_hub *hub, hfds_repo_type type,
	const char *repo_id, const char *rev, const char *path, int recursive, hfds_error *err);
/* Reads a byte range of a file at `rev` (see hfds_store_read; `*out` freed with hfds_free). */
HFDS_EXTERN int hfds_hub_read(uint8_t **out, size_t *out_len, hfds_hub *hub, hfds_repo_type type,
	const char *repo_id, const char *rev, const char *path, uint64_t offset, uint64_t length,
	size_t max_bytes, hfds_error *err);

/* Where hfds_hub_read_to hands a file's bytes, in order. `write` gets the next `len` bytes
 * and returns 0, or a negative HFDS_E* code with `err` filled to stop the read (that error is
 * what hfds_hub_read_to returns). `restart` runs before every attempt of a request: a
 * request retried after a transient failure delivers again from its first byte, so the sink
 * drops what it got since then. Both run on the calling thread. */
typedef struct hfds_hub_sink {
	int (*write)(void *ud, const uint8_t *data, size_t len, hfds_error *err);
	void (*restart)(void *ud);
	void *ud;
} hfds_hub_sink;

/* Reads a byte range of a file at `rev` like hfds_hub_read, but hands it to `sink` as it
 * arrives instead of holding it in memory (large receive buffers, no copy). Fewer bytes
 * than asked reach the sink when the file is shorter. `sink` is not copied. */
HFDS_EXTERN int hfds_hub_read_to(hfds_hub *hub, hfds_repo_type type, const char *repo_id, const char *rev,
	const char *path, uint64_t offset, uint64_t length, const hfds_hub_sink *sink, hfds_error *err);

typedef enum hfds_hub_op_kind {
	HFDS_HUB_OP_ADD_FILE = 0,    /* path <- local_path (sha256_hex and size if known, else NULL) */
	HFDS_HUB_OP_ADD_BUFFER = 1,  /* path <- data[0..len) */
	HFDS_HUB_OP_DELETE = 2,      /* a file, or a whole folder given without a trailing '/' */
	HFDS_HUB_OP_COPY = 3,        /* path <- the file src_path at src_rev (NULL = the parent) */
	HFDS_HUB_OP_ADD_LFS = 4      /* path <- the LFS object sha256_hex of `size` bytes already on the
	                                hub (hfds_hub_upload_file); HFDS_ENOTFOUND if it is not */
} hfds_hub_op_kind;

typedef struct hfds_hub_op {
	hfds_hub_op_kind kind;
	const char *path;
	const char *local_path;
	const char *sha256_hex;
	uint64_t size;
	const void *data;
	size_t len;
	const char *src_path;
	const char *src_rev;
} hfds_hub_op;

typedef struct hfds_hub_commit_info {
	const char *branch;        /* NULL = main */
	const char *title;         /* required */
	const char *description;   /* may be NULL */
	const char *parent;        /* the commit the changes are based on: HFDS_ECONFLICT if moved */
	int create_pr;             /* open a pull request instead (HTTP backend only) */
	const hfds_hub_op *ops;
	size_t count;
} hfds_hub_commit_info;

/*
 * Applies the operations in order as ONE commit; `out_sha` (may be NULL) gets its id.
 * Returns 0 when a commit was made, 1 when nothing would change and no commit was made:
 * `out_sha` then gets the branch head (as huggingface_hub's create_commit, so a rerun adds
 * no empty commit, on the Hub too). The HTTP backend decides it before sending anything:
 * additions whose path already holds their content (preupload's oid: git blob sha1 of a
 * regular file, sha256 of an LFS one; paths-info for ADD_LFS) are left out unless the same
 * commit deletes the path; no deletion, no copy, nothing else left = no commit. The
 * embedded hub compares trees. With `parent`, a branch that moved is still HFDS_ECONFLICT.
 * Errors: HFDS_ECONFLICT (parent moved; nothing changed), HFDS_ENOTFOUND (branch, deleted
 * path, copy source), HFDS_EUNSUPPORTED (create_pr on the embedded hub), the backend's.
 */
HFDS_EXTERN int hfds_hub_commit(hfds_hub *hub, hfds_repo_type type, const char *repo_id,
	const hfds_hub_commit_info *c, char out_sha[HFDS_OID_HEX_SIZE], hfds_error *err);

/*
 * Stores the content of `local_path` (`size` bytes, `sha256_hex` or NULL to hash it) on the
 * hub ahead of the commit that adds it as `path` of `repo_id` at `branch` (NULL = main):
 * the HTTP backend asks preupload and sends the object through the LFS batch API (nothing
 * when the server has it); the embedded hub imports it into its object store (a hard link
 * for a file under its staging folder). *stored = 1 when the object is now on the hub, so
 * the commit may reference it with HFDS_HUB_OP_ADD_LFS and the local file may go; 0 when
 * the server wants the file inline (a regular file): the commit must carry it.
 * Thread-safety: as every call, one thread per hub handle; upload from several threads
 * with one hub each (hfds_hub_open_target of the same target).
 */
HFDS_EXTERN int hfds_hub_upload_file(hfds_hub *hub, hfds_repo_type type, const char *repo_id, const char *branch,
	const char *path, const char *local_path, const char *sha256_hex, uint64_t size, int *stored, hfds_error *err);
/* Requests the hub handle repeated after transient failures (429, 5xx, resets), so far. */
HFDS_EXTERN uint64_t hfds_hub_retries(const hfds_hub *hub);
/* The target the hub was opened from (owned by the hub), e.g. to open another handle. */
HFDS_EXTERN const hfds_target *hfds_hub_target(const hfds_hub *hub);

/* Branches and tags (see hfds_store_branch_create / _tag_create for the rules). */
HFDS_EXTERN int hfds_hub_branch_create(hfds_hub *hub, hfds_repo_type type, const char *repo_id,
	const char *name, const char *from, hfds_error *err);
HFDS_EXTERN int hfds_hub_branch_delete(hfds_hub *hub, hfds_repo_type type, const char *repo_id,
	const char *name, hfds_error *err);
HFDS_EXTERN int hfds_hub_tag_create(hfds_hub *hub, hfds_repo_type type, const char *repo_id,
	const char *name, const char *rev, const char *message, hfds_error *err);
HFDS_EXTERN int hfds_hub_tag_delete(hfds_hub *hub, hfds_repo_type type, const char *repo_id,
	const char *name, hfds_error *err);
HFDS_EXTERN int hfds_hub_refs_list(hfds_store_refs **out, hfds_hub *hub, hfds_repo_type type,
	const char *repo_id, hfds_error *err);
/* History from `rev` (NULL = main), newest first, at most `limit` entries (0 = all). */
HFDS_EXTERN int hfds_hub_log(hfds_store_log **out, hfds_hub *hub, hfds_repo_type type, const char *repo_id,
	const char *rev, size_t limit, hfds_error *err);

/* ---- staging: where shards are written before they are committed --------------------
 *
 * A fresh folder `<staging root>/push-XXXXXX` (for the embedded hub `<root>/tmp`, on the
 * file system of the LFS objects so shards are hard-linked, not copied). The folder holds a
 * lock (flock on `.lock`) for as long as the handle lives; opening a staging folder sweeps
 * the folders whose lock no one holds (pushes that were killed), never one in progress.
 */
typedef struct hfds_hub_staging hfds_hub_staging;

HFDS_EXTERN int hfds_hub_staging_new(hfds_hub_staging **out, hfds_hub *hub, hfds_error *err);
/* The folder's path (owned by the handle). */
HFDS_EXTERN const char *hfds_hub_staging_path(const hfds_hub_staging *s);
/* Removes the folder and everything in it, then releases the lock. NULL-safe. */
HFDS_EXTERN void hfds_hub_staging_free(hfds_hub_staging *s);
/*
 * Keeps what the folder holds after the handle is freed: renames it to `<staging root>/name`
 * (`name` one path component, not starting with "push-" or "init-", so no sweep removes it)
 * without its lock file, and writes that path to *kept (malloc, freed with hfds_free). Files
 * that share their inode with a stored object (an embedded hub's hard links) are replaced
 * by copies first, so editing a kept file never changes what was published. Afterwards
 * hfds_hub_staging_free only releases the handle. HFDS_EEXISTS if `name` exists, HFDS_EIO.
 */
HFDS_EXTERN int hfds_hub_staging_keep(hfds_hub_staging *s, const char *name, char **kept, hfds_error *err);
/*
 * Removes every staging folder this process holds, using only async-signal-safe calls: for a
 * program's SIGTERM/SIGINT handler, so a killed push leaves nothing behind (the handles must
 * not be used afterwards; the handler is expected to end the process).
 */
HFDS_EXTERN void hfds_hub_staging_remove_all_on_signal(void);

/* ---- a dataset repository as the dataset layer sees it ------------------------------ */

typedef struct hfds_hub_dataset hfds_hub_dataset;

enum {
	HFDS_HUB_DATASET_CREATE = 1u << 0,   /* create the repo when missing */
	HFDS_HUB_DATASET_PRIVATE = 1u << 1   /* ... as a private repo */
};

/*
 * The dataset repo `repo_id` on `hub`, for commits to `branch` (NULL = main; a missing
 * branch is created from main at the first publish, like push_to_hub(revision=...)).
 * Without HFDS_HUB_DATASET_CREATE a missing repo is HFDS_ENOTFOUND. The hub must outlive it.
 */
HFDS_EXTERN int hfds_hub_dataset_open(hfds_hub_dataset **out, hfds_hub *hub, const char *repo_id,
	const char *branch, unsigned flags, hfds_error *err);
HFDS_EXTERN void hfds_hub_dataset_free(hfds_hub_dataset *d);
/* The operations hfds_ds_publish and friends take (owned by `d`). Their `upload` stores
 * the shards of a writer attached with hfds_ds_attach in the background (see below). */
HFDS_EXTERN const hfds_ds_repo_ops *hfds_hub_dataset_ops(hfds_hub_dataset *d);
/* Commits made through the ops so far; `*unchanged` (may be NULL) gets how many commits
 * were not made because nothing would change (hfds_hub_commit returned 1). A publish that
 * made none and skipped some left the branch where it was ("no changes"). */
HFDS_EXTERN size_t hfds_hub_dataset_commits(const hfds_hub_dataset *d, size_t *unchanged);

/* ---- uploads while writing: overlap, a bounded spool, progress ----------------------
 *
 * A writer attached to the dataset's ops (hfds_ds_attach) hands each shard to the dataset
 * as soon as it is closed; `workers` threads, each with its own hub handle, store it on
 * the hub (hfds_hub_upload_file) while the next shard is written, then remove it from the
 * spool unless `keep`. With `spool_max`, the writer waits while the closed shards not yet
 * stored hold more than that many bytes, so the spool never holds more than spool_max
 * plus the shard being written. The commit then references the stored objects.
 */
typedef struct hfds_hub_progress {
	const char *event;       /* "queued", "stored" (uploaded), "retained" (server wants it inline),
	                            "commit" (a commit starts), "committed", "unchanged" (no commit:
	                            nothing would change) */
	const char *path;        /* the file concerned, or NULL */
	uint64_t files_done, files_total;   /* shards stored / handed over so far */
	uint64_t bytes_done, bytes_total;   /* their bytes */
	uint64_t spool_bytes;    /* bytes of handed-over shards still in the spool */
	uint64_t retries;        /* requests repeated after transient failures, all handles */
} hfds_hub_progress;

/* Called with the uploader's lock held (keep it short), from the writing thread or a worker. */
typedef void (*hfds_hub_progress_fn)(void *payload, const hfds_hub_progress *p);

#define HFDS_HUB_UPLOAD_OPTIONS_VERSION 1

typedef struct hfds_hub_upload_options {
	unsigned version;        /* HFDS_HUB_UPLOAD_OPTIONS_VERSION (set by _init) */
	unsigned workers;        /* upload threads; 0 = the hub's upload workers (remote), 1 (embedded) */
	uint64_t spool_max;      /* bytes; 0 = no bound */
	int keep;                /* stored shards stay in the spool (not with spool_max) */
	hfds_hub_progress_fn progress;
	void *progress_payload;
} hfds_hub_upload_options;

HFDS_EXTERN void hfds_hub_upload_options_init(hfds_hub_upload_options *o);
/* Before the first upload. HFDS_EINVAL for keep with spool_max, HFDS_ESTATE after uploads began. */
HFDS_EXTERN int hfds_hub_dataset_set_upload(hfds_hub_dataset *d, const hfds_hub_upload_options *o,
	hfds_error *err);

#ifdef __cplusplus
}
#endif
#endif
