/*
 * hfds/store.h - the embedded hub: versioned repositories on the local disk.
 *
 * Every repository is a real bare git repository (libgit2) under the store root, laid out by
 * type and repo id: `<root>/datasets/<namespace>/<name>.git`, `<root>/models/...`,
 * `<root>/spaces/...`. Large and binary files are git-LFS pointer files in the tree; their
 * content lives once in a content-addressed object store shared by all repositories,
 * `<root>/lfs/objects/<h[0:2]>/<h[2:4]>/<sha256 hex>` (git-lfs's layout). `git clone` of a
 * bare repository works and shows the pointer files.
 *
 * Semantics mirror the Hugging Face Hub (spec/hub-protocol.md §2-§5):
 * - a new repository holds one commit by "system", titled "initial commit", adding the
 *   `.gitattributes` the Hub creates for that repo type; the default branch is "main";
 * - a commit is a list of operations (add, delete file, delete folder) applied in order to
 *   the head of one branch, with an optional parent-commit check (HFDS_ECONFLICT when the
 *   branch moved, and then nothing is changed);
 * - a file goes to LFS when its path matches a `filter=lfs` pattern of the `.gitattributes`
 *   in effect (the one added in the same commit, else the branch's), when it is larger than
 *   HFDS_STORE_LFS_THRESHOLD, or when its first 512 bytes hold a NUL or invalid UTF-8
 *   (the Hub's preupload rules); empty files are always regular.
 *
 * Durability: objects are written first, the branch ref is updated last with an atomic
 * compare-and-swap, so a process killed mid-commit leaves the branch at its previous commit.
 * LFS objects are written to a temp file and renamed (or hard-linked) into place.
 * Writers to one repository (commit, branch, tag, delete) are serialised by a lock file
 * (flock: a dead process's lock is released by the kernel); a writer waits up to the lock
 * timeout and then fails with HFDS_ECONFLICT.
 *
 * Thread-safety: an hfds_store may be shared by threads for read-only calls and repo
 * creation; an hfds_store_repo or hfds_store_commit handle belongs to one thread at a time.
 * Several handles on the same repository (in one or many processes) are safe.
 *
 * Strings returned inside result structs are owned by the struct and freed by its _free.
 * Revisions ("rev") accept: NULL or "HEAD" (the default branch), a branch, a tag, a full
 * `refs/heads/...` or `refs/tags/...` name, a full 40-hex commit id or a unique prefix of at
 * least 5 hex digits. Branches win over tags, tags over commit ids. An unknown revision is
 * HFDS_ENOTFOUND with the message "<repo>: invalid rev id: <rev>".
 */
#ifndef HFDS_STORE_H
#define HFDS_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "hfds/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Files larger than this many bytes always go to LFS (10 MiB, the Hub's preupload rule). */
#define HFDS_STORE_LFS_THRESHOLD (10u * 1024u * 1024u)
/* Longest name and namespace of a repo id (the Hub's rule), and of a path in a repo. */
#define HFDS_REPO_NAME_MAX 96
#define HFDS_REPO_PATH_MAX 4096
/* Buffer sizes for ids: "namespace/name" + NUL, 40-hex commit id + NUL, 64-hex + NUL. */
#define HFDS_REPO_ID_SIZE (2 * HFDS_REPO_NAME_MAX + 2)
#define HFDS_OID_HEX_SIZE 41
#define HFDS_SHA256_HEX_SIZE 65

typedef enum hfds_repo_type {
	HFDS_REPO_MODEL = 0,
	HFDS_REPO_DATASET = 1,
	HFDS_REPO_SPACE = 2
} hfds_repo_type;

/* "model", "dataset", "space". */
HFDS_EXTERN const char *hfds_repo_type_name(hfds_repo_type type);
/* Parses "model"/"dataset"/"space" (also the plural forms); HFDS_EINVAL otherwise. */
HFDS_EXTERN int hfds_repo_type_parse(hfds_repo_type *out, const char *s, hfds_error *err);

/*
 * Repo id rules (huggingface_hub validate_repo_id, ASCII only): "name" or "namespace/name";
 * each part 1..96 characters of [A-Za-z0-9._-], starting and ending with a letter, digit or
 * '_'; no "--" or ".." anywhere; the id does not end with ".git" (nor does the namespace,
 * which keeps the on-disk layout unambiguous). `len` is the byte length, so an embedded NUL
 * is caught. HFDS_EINVAL with a message naming the rule otherwise.
 */
HFDS_EXTERN int hfds_repo_id_check(const char *id, size_t len, hfds_error *err);

/*
 * Path-in-repo rules: 1..HFDS_REPO_PATH_MAX bytes, no NUL, no leading '/', no backslash,
 * no empty, "." or ".." segment (so no trailing '/'), no ".git" segment, valid UTF-8.
 * HFDS_EINVAL otherwise.
 */
HFDS_EXTERN int hfds_repo_path_check(const char *path, size_t len, hfds_error *err);

/* ---- the store ---------------------------------------------------------------------- */

typedef struct hfds_store hfds_store;

/*
 * Opens (creating the directories if needed) the store at `root`; NULL means
 * `$HFDS_HOME/hub`, else `~/.cache/hfds/hub`. The store is cheap to open.
 * Errors: HFDS_EIO (cannot create or reach the directory), HFDS_ENOMEM.
 */
HFDS_EXTERN int hfds_store_open(hfds_store **out, const char *root, hfds_error *err);
/* The default root: `$HFDS_HOME/hub`, else `$HOME/.cache/hfds/hub` (hfds_free). HFDS_EINVAL
 * when neither variable is set. Nothing is created. */
HFDS_EXTERN int hfds_store_default_root(char **out, hfds_error *err);
/* NULL-safe. Repo and commit handles opened from the store must be freed first. */
HFDS_EXTERN void hfds_store_free(hfds_store *st);
/* The absolute root directory (owned by the store). */
HFDS_EXTERN const char *hfds_store_root(const hfds_store *st);
/* How long a writer waits for another writer's lock (default 30000 ms; 0 = fail at once). */
HFDS_EXTERN void hfds_store_set_lock_timeout(hfds_store *st, unsigned milliseconds);

/*
 * Path of the LFS object for a 64-hex sha256 (whether or not it exists), e.g. for a
 * server that sends the file directly. `*out` is freed with hfds_free.
 */
HFDS_EXTERN int hfds_store_object_path(char **out, const hfds_store *st, const char *sha256_hex,
	hfds_error *err);

/*
 * Whether the LFS object exists: 1 (its size in *size, may be NULL), 0 if not, negative on
 * a malformed sha256 (HFDS_EINVAL) or an I/O error.
 */
HFDS_EXTERN int hfds_store_object_exists(const hfds_store *st, const char *sha256_hex, uint64_t *size,
	hfds_error *err);
/*
 * Stores a local file as an LFS object (e.g. an upload received by a server) and writes its
 * sha256 to `sha_out`. A file the library wrote itself under `<root>/tmp` (one hard link,
 * `sha256_hex` given, `size` checked with stat) is hard-linked, or renamed with
 * HFDS_STORE_ADD_MOVE. Any other file is copied while hashing and the copy is stored, so
 * later changes to the file never reach the object; a given `sha256_hex` that does not
 * match the bytes read is HFDS_ECORRUPT. Objects are read-only (0444); identical content
 * is stored once.
 */
HFDS_EXTERN int hfds_store_object_import(hfds_store *st, const char *local_path, const char *sha256_hex,
	uint64_t size, unsigned flags, char sha_out[HFDS_SHA256_HEX_SIZE], hfds_error *err);

/*
 * Creates a repository with the Hub's initial commit. HFDS_EEXISTS if it exists,
 * HFDS_EINVAL for a bad id. Creation is atomic: a concurrent creator gets HFDS_EEXISTS.
 */
HFDS_EXTERN int hfds_store_repo_create(hfds_store *st, hfds_repo_type type, const char *repo_id,
	int is_private, hfds_error *err);
/* Deletes a repository (its LFS objects stay in the shared store). HFDS_ENOTFOUND if absent. */
HFDS_EXTERN int hfds_store_repo_delete(hfds_store *st, hfds_repo_type type, const char *repo_id,
	hfds_error *err);
/* 1 if the repository exists, 0 if not, negative on a bad id. */
HFDS_EXTERN int hfds_store_repo_exists(hfds_store *st, hfds_repo_type type, const char *repo_id,
	hfds_error *err);
/* Changes the private flag. HFDS_ENOTFOUND if absent. */
HFDS_EXTERN int hfds_store_repo_set_private(hfds_store *st, hfds_repo_type type, const char *repo_id,
	int is_private, hfds_error *err);

/*
 * Renames repository `from` to `to` (same type), waiting for its writer lock.
 * HFDS_ENOTFOUND (no `from`), HFDS_EEXISTS (`to` taken), HFDS_EINVAL (bad id).
 */
HFDS_EXTERN int hfds_store_repo_move(hfds_store *st, hfds_repo_type type, const char *from, const char *to,
	hfds_error *err);

/*
 * The Hub's preupload rule: 1 when a file of `size` bytes at `path` goes to LFS (a
 * `filter=lfs` pattern of the .gitattributes text `attrs`, which may be NULL; larger than
 * HFDS_STORE_LFS_THRESHOLD; or a binary-looking first 512 bytes `sample`), else 0. Empty
 * files are always regular.
 */
HFDS_EXTERN int hfds_store_upload_is_lfs(const char *attrs, size_t attrs_len, const char *path, uint64_t size,
	const uint8_t *sample, size_t sample_len);

/* ---- one repository ----------------------------------------------------------------- */

typedef struct hfds_store_repo hfds_store_repo;

/* Opens an existing repository. HFDS_ENOTFOUND ("dataset repo 'ns/x' not found") if absent. */
HFDS_EXTERN int hfds_store_repo_open(hfds_store_repo **out, hfds_store *st, hfds_repo_type type,
	const char *repo_id, hfds_error *err);
HFDS_EXTERN void hfds_store_repo_free(hfds_store_repo *repo);

typedef struct hfds_store_repo_info {
	hfds_repo_type type;
	char id[HFDS_REPO_ID_SIZE];
	int is_private;
	char sha[HFDS_OID_HEX_SIZE];   /* the commit the asked revision resolves to */
	int64_t last_modified;         /* that commit's time, unix seconds */
	int64_t created_at;            /* the initial commit's time, unix seconds */
	char git_dir[4096];            /* absolute path of the bare repository */
} hfds_store_repo_info;

/* Fills `out` for revision `rev` (NULL = main). */
HFDS_EXTERN int hfds_store_repo_info_get(hfds_store_repo_info *out, hfds_store_repo *repo,
	const char *rev, hfds_error *err);

/* Resolves `rev` (see the top of this file) to a 40-hex commit id. */
HFDS_EXTERN int hfds_store_resolve(char out[HFDS_OID_HEX_SIZE], hfds_store_repo *repo,
	const char *rev, hfds_error *err);

/* ---- commits ------------------------------------------------------------------------ */

typedef struct hfds_store_commit hfds_store_commit;

/* Flags for hfds_store_commit_add_file / _add_buffer and hfds_store_object_import. */
enum {
	/* Rename the local file into the LFS store instead of hard-linking it. Once stored (a
	 * run that passed the lock and parent checks), the source path is gone even if the
	 * commit fails later. Only for LFS-bound files; regular files are copied into git. */
	HFDS_STORE_ADD_MOVE = 1u << 0,
	HFDS_STORE_ADD_FORCE_LFS = 1u << 1,     /* store through LFS whatever the rules say */
	HFDS_STORE_ADD_FORCE_REGULAR = 1u << 2  /* store as a plain git blob */
};

/*
 * Creates the pull-request ref `refs/pr/N` at `from` (NULL = main), N one more than the
 * highest existing; *num receives N. Commits target it with branch "refs/pr/N".
 */
HFDS_EXTERN int hfds_store_pr_create(hfds_store_repo *repo, const char *from, unsigned *num, hfds_error *err);

/*
 * Starts a commit on `branch` (NULL = main; "refs/pr/N" for a pull-request ref). Nothing touches the repository before
 * hfds_store_commit_run. The branch must exist when the commit runs (else HFDS_ENOTFOUND).
 */
HFDS_EXTERN int hfds_store_commit_new(hfds_store_commit **out, hfds_store_repo *repo,
	const char *branch, hfds_error *err);
HFDS_EXTERN void hfds_store_commit_free(hfds_store_commit *c);

/* Title (required, non-empty) and optional description; the git message is "title\n\ndesc". */
HFDS_EXTERN int hfds_store_commit_set_message(hfds_store_commit *c, const char *title,
	const char *description, hfds_error *err);
/* Author (default "hfds <hfds@localhost>"). */
HFDS_EXTERN int hfds_store_commit_set_author(hfds_store_commit *c, const char *name,
	const char *email, hfds_error *err);
/*
 * The commit the caller based its changes on (full id or a prefix of >= 7 hex digits). When
 * the branch head differs at run time, the run fails with HFDS_ECONFLICT and changes nothing.
 */
HFDS_EXTERN int hfds_store_commit_set_parent(hfds_store_commit *c, const char *parent,
	hfds_error *err);

/*
 * Adds (or replaces) `path_in_repo` with the content of the local file `local_path`.
 * When `sha256_hex` is given, the caller vouches that it is the file's sha256 and `size` its
 * size (checked with stat). An LFS-bound file goes to the object store as in
 * hfds_store_object_import: hard-linked (renamed with HFDS_STORE_ADD_MOVE) without being
 * read only when it is the library's own staged file under `<root>/tmp`, else copied while
 * hashing (a mismatch with `sha256_hex` fails the commit with HFDS_ECORRUPT). Paths are
 * checked here (HFDS_EINVAL); the file is opened when the commit runs.
 */
HFDS_EXTERN int hfds_store_commit_add_file(hfds_store_commit *c, const char *path_in_repo,
	const char *local_path, const char *sha256_hex, uint64_t size, unsigned flags,
	hfds_error *err);
/* Adds (or replaces) `path_in_repo` with a copy of `len` bytes at `data`. */
HFDS_EXTERN int hfds_store_commit_add_buffer(hfds_store_commit *c, const char *path_in_repo,
	const void *data, size_t len, unsigned flags, hfds_error *err);
/*
 * Adds (or replaces) `path_in_repo` with a pointer to an LFS object already in the store
 * (the Hub's `lfsFile` operation). `size` UINT64_MAX means "look it up". At run time a
 * missing object, or one of another size, fails the commit with HFDS_ENOTFOUND.
 */
HFDS_EXTERN int hfds_store_commit_add_lfs(hfds_store_commit *c, const char *path_in_repo,
	const char *sha256_hex, uint64_t size, hfds_error *err);
/*
 * Deletes a file (or, like the Hub, a whole directory given without a trailing '/').
 * At run time a missing path fails the commit with HFDS_ENOTFOUND
 * ("<path>: a file with this name doesn't exist").
 */
HFDS_EXTERN int hfds_store_commit_delete_file(hfds_store_commit *c, const char *path,
	hfds_error *err);
/* Deletes everything under a folder (trailing '/' optional). Missing -> HFDS_ENOTFOUND at run. */
HFDS_EXTERN int hfds_store_commit_delete_folder(hfds_store_commit *c, const char *path,
	hfds_error *err);

/*
 * Applies the operations in order to the branch head and creates the commit. Writes the new
 * commit id to `out_sha` (may be NULL). When the operations leave the tree as it is, no
 * commit is made and `out_sha` gets the head (the Hub's clients skip empty commits too; a
 * publish rerun after its commit landed adds none). The handle cannot be run twice (HFDS_ESTATE).
 * Errors: HFDS_ECONFLICT (parent moved, or the lock stayed held), HFDS_ENOTFOUND (branch or
 * deleted path missing, local file missing), HFDS_EINVAL (file/directory clash),
 * HFDS_EIO, HFDS_ENOMEM. On any error the branch is unchanged.
 */
HFDS_EXTERN int hfds_store_commit_run(hfds_store_commit *c, char out_sha[HFDS_OID_HEX_SIZE],
	hfds_error *err);

/*
 * Replaces the history of `branch` (NULL = main) by one root commit with its current tree and
 * `message` (the Hub's super-squash); the new id goes to out_sha (may be NULL).
 * HFDS_ENOTFOUND (no such branch), HFDS_ECONFLICT (lock held too long).
 */
HFDS_EXTERN int hfds_store_squash(hfds_store_repo *repo, const char *branch, const char *message,
	char out_sha[HFDS_OID_HEX_SIZE], hfds_error *err);

/* ---- branches, tags, refs ----------------------------------------------------------- */

/* Creates branch `name` at `from` (NULL = main). HFDS_EEXISTS, HFDS_EINVAL (bad name,
 * or a name starting with "refs/"), HFDS_ENOTFOUND (unknown `from`). */
HFDS_EXTERN int hfds_store_branch_create(hfds_store_repo *repo, const char *name, const char *from,
	hfds_error *err);
/* HFDS_ESTATE for main ("cannot delete refs/heads/main"), HFDS_ENOTFOUND if absent. */
HFDS_EXTERN int hfds_store_branch_delete(hfds_store_repo *repo, const char *name, hfds_error *err);
/* Tags `rev` (NULL = main): lightweight when `message` is NULL, annotated otherwise.
 * HFDS_EEXISTS, HFDS_EINVAL (bad name), HFDS_ENOTFOUND (unknown rev). */
HFDS_EXTERN int hfds_store_tag_create(hfds_store_repo *repo, const char *name, const char *rev,
	const char *message, hfds_error *err);
HFDS_EXTERN int hfds_store_tag_delete(hfds_store_repo *repo, const char *name, hfds_error *err);

typedef enum hfds_store_ref_kind { HFDS_REF_BRANCH = 0, HFDS_REF_TAG = 1, HFDS_REF_PR = 2 } hfds_store_ref_kind;

typedef struct hfds_store_ref {
	hfds_store_ref_kind kind;
	char *name;                             /* "main", "v1" */
	char *ref;                              /* "refs/heads/main", "refs/tags/v1" */
	char target[HFDS_OID_HEX_SIZE];         /* the commit it points to (tags peeled) */
	char *message;                          /* annotated tag message, else NULL */
} hfds_store_ref;

typedef struct hfds_store_refs {
	size_t count;
	hfds_store_ref *items;                  /* branches first, then tags; each sorted by name */
} hfds_store_refs;

HFDS_EXTERN int hfds_store_refs_list(hfds_store_refs **out, hfds_store_repo *repo, hfds_error *err);
HFDS_EXTERN void hfds_store_refs_free(hfds_store_refs *refs);
/* The pull-request refs (kind HFDS_REF_PR, name "N", ref "refs/pr/N"), in no set order. */
HFDS_EXTERN int hfds_store_pr_list(hfds_store_refs **out, hfds_store_repo *repo, hfds_error *err);

/* ---- history ------------------------------------------------------------------------ */

typedef struct hfds_store_log_entry {
	char id[HFDS_OID_HEX_SIZE];
	char *title;                            /* first line of the message */
	char *message;                          /* the rest, without leading blank lines ("" if none) */
	char *author;                           /* author name */
	int64_t date;                           /* author time, unix seconds */
} hfds_store_log_entry;

typedef struct hfds_store_log {
	size_t count;
	hfds_store_log_entry *items;            /* newest first; the last is the initial commit */
} hfds_store_log;

/* History from `rev` (NULL = main); at most `limit` entries (0 = all). */
HFDS_EXTERN int hfds_store_log_list(hfds_store_log **out, hfds_store_repo *repo, const char *rev,
	size_t limit, hfds_error *err);
HFDS_EXTERN void hfds_store_log_free(hfds_store_log *log);

/* ---- tree and file content ---------------------------------------------------------- */

typedef struct hfds_store_entry {
	char *path;                             /* full path from the repo root */
	int is_dir;
	uint64_t size;                          /* content size (the real size for LFS); 0 for dirs */
	char oid[HFDS_OID_HEX_SIZE];            /* git blob sha1 (of the pointer for LFS) or tree sha1 */
	int is_lfs;
	char lfs_sha256[HFDS_SHA256_HEX_SIZE];  /* LFS only */
	uint64_t lfs_pointer_size;              /* LFS only: size of the pointer blob */
} hfds_store_entry;

typedef struct hfds_store_tree {
	char commit[HFDS_OID_HEX_SIZE];         /* the commit that was listed */
	size_t count;
	hfds_store_entry *items;                /* git order (sorted by path within a folder) */
} hfds_store_tree;

/*
 * Lists folder `path` ("" or NULL = root) at `rev`. Non-recursive: the folder's direct
 * children. Recursive: every file below it plus every intermediate directory, in pre-order
 * (a directory right before its contents), as the Hub does. A path naming a file lists that
 * file alone. HFDS_ENOTFOUND ("<path>: entry not found") for a missing path.
 */
HFDS_EXTERN int hfds_store_tree_list(hfds_store_tree **out, hfds_store_repo *repo, const char *rev,
	const char *path, int recursive, hfds_error *err);
HFDS_EXTERN void hfds_store_tree_free(hfds_store_tree *tree);

/* Describes one file or directory at `rev`; strings owned by `out`, release with
 * hfds_store_entry_release. HFDS_ENOTFOUND if absent. */
HFDS_EXTERN int hfds_store_stat(hfds_store_entry *out, hfds_store_repo *repo, const char *rev,
	const char *path, hfds_error *err);
HFDS_EXTERN void hfds_store_entry_release(hfds_store_entry *entry);

/* Read flags. */
enum {
	HFDS_STORE_READ_RAW = 1u << 0   /* return the git blob as stored (the pointer for LFS) */
};

/*
 * Reads up to `length` bytes of file `path` at `rev`, starting at `offset` (LFS pointers are
 * resolved through the object store unless HFDS_STORE_READ_RAW). `length` UINT64_MAX means
 * to the end. The result is clipped to the file's end (an offset past the end gives 0
 * bytes); more than `max_bytes` (0 = 256 MiB) is HFDS_ELIMIT. `*out` is freed with hfds_free
 * (a NUL is appended, not counted). HFDS_ENOTFOUND for a missing file or LFS object,
 * HFDS_EINVAL for a directory, HFDS_ECORRUPT if an LFS object has the wrong size.
 */
HFDS_EXTERN int hfds_store_read(uint8_t **out, size_t *out_len, hfds_store_repo *repo,
	const char *rev, const char *path, uint64_t offset, uint64_t length, size_t max_bytes,
	unsigned flags, hfds_error *err);

/*
 * For a file at `rev`: a local path from which its content can be read directly (the LFS
 * object, or NULL for a regular file, whose content only git holds: use hfds_store_read).
 * `*out` (possibly NULL) is freed with hfds_free. Lets readers open a Parquet shard in place.
 */
HFDS_EXTERN int hfds_store_file_local_path(char **out, hfds_store_repo *repo, const char *rev,
	const char *path, hfds_error *err);

#ifdef __cplusplus
}
#endif
#endif
