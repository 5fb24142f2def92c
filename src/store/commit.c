/*
 * The commit builder. Operations are recorded first and applied at run time, under the
 * repository's writer lock, to an in-memory index loaded from the branch head. Objects (LFS
 * content, blobs, trees, the commit) are all written before the branch ref moves, and the
 * ref moves with a compare-and-swap on the head that was read: a crash at any point leaves
 * the branch at its old commit, with at most some unreferenced objects behind.
 */
#include "store/store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/try.h"

void (*hfds_store__before_ref_update)(void);

typedef enum { OP_ADD_FILE, OP_ADD_BUFFER, OP_ADD_LFS, OP_DELETE_FILE, OP_DELETE_FOLDER } op_kind;

typedef struct {
	op_kind kind;
	char *path;
	char *local;            /* OP_ADD_FILE */
	char sha[HFDS_SHA256_HEX_SIZE];
	int has_sha;
	uint64_t size;
	unsigned flags;
	uint8_t *data;          /* OP_ADD_BUFFER */
	size_t len;
} op;

struct hfds_store_commit {
	hfds_store_repo *repo;
	char *branch;
	char *title, *description;
	char *author_name, *author_email;
	char *parent;
	op *ops;
	size_t n, cap;
	int ran;
};

#define ATTRS_MAX (1u << 20)
#define SAMPLE_SIZE 512

static int oom(hfds_error *err)
{
	return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
}

int hfds_store_commit_new(hfds_store_commit **out, hfds_store_repo *repo, const char *branch, hfds_error *err)
{
	hfds_store_commit *c;
	*out = NULL;
	if (!(c = hfds_calloc(1, sizeof(*c))))
		return oom(err);
	c->repo = repo;
	if (!(c->branch = hfds_strdup(branch && *branch ? branch : STORE_MAIN))) {
		hfds_free(c);
		return oom(err);
	}
	*out = c;
	return 0;
}

void hfds_store_commit_free(hfds_store_commit *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		hfds_free(c->ops[i].path);
		hfds_free(c->ops[i].local);
		hfds_free(c->ops[i].data);
	}
	hfds_free(c->ops);
	hfds_free(c->branch);
	hfds_free(c->title);
	hfds_free(c->description);
	hfds_free(c->author_name);
	hfds_free(c->author_email);
	hfds_free(c->parent);
	hfds_free(c);
}

static int set_str(char **slot, const char *s, hfds_error *err)
{
	char *copy = NULL;
	if (s && !(copy = hfds_strdup(s)))
		return oom(err);
	hfds_free(*slot);
	*slot = copy;
	return 0;
}

int hfds_store_commit_set_message(hfds_store_commit *c, const char *title, const char *description,
	hfds_error *err)
{
	int rc;
	if (!title || !*title)
		return hfds_error_set(err, HFDS_EINVAL, "a commit needs a non-empty title");
	if ((rc = set_str(&c->title, title, err)) < 0)
		return rc;
	return set_str(&c->description, description && *description ? description : NULL, err);
}

int hfds_store_commit_set_author(hfds_store_commit *c, const char *name, const char *email, hfds_error *err)
{
	int rc;
	if (!name || !*name || !email)
		return hfds_error_set(err, HFDS_EINVAL, "a commit author needs a name and an email");
	if ((rc = set_str(&c->author_name, name, err)) < 0)
		return rc;
	return set_str(&c->author_email, email, err);
}

int hfds_store_commit_set_parent(hfds_store_commit *c, const char *parent, hfds_error *err)
{
	size_t n = parent ? strlen(parent) : 0;
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", parent[i]))
			n = 0;
	if (n < 7 || n > 40)
		return hfds_error_set(err, HFDS_EINVAL, "parent commit '%.60s' is not a commit id (7 to 40 hex digits)",
			parent ? parent : "");
	return set_str(&c->parent, parent, err);
}

/* Appends an operation on a checked copy of `path` (a trailing '/' is dropped when allowed). */
static int push_op(op **out, hfds_store_commit *c, op_kind kind, const char *path, int folder_ok, hfds_error *err)
{
	size_t len = path ? strlen(path) : 0;
	char *copy;
	int rc;
	if (c->ran)
		return hfds_error_set(err, HFDS_ESTATE, "commit already ran");
	while (folder_ok && len > 1 && path[len - 1] == '/')
		len--;
	if ((rc = hfds_repo_path_check(path, len, err)) < 0)
		return rc;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		op *ops = hfds_reallocarray(c->ops, cap, sizeof(op));
		if (!ops)
			return oom(err);
		c->ops = ops;
		c->cap = cap;
	}
	if (!(copy = hfds_strndup(path, len)))
		return oom(err);
	*out = &c->ops[c->n++];
	memset(*out, 0, sizeof(**out));
	(*out)->kind = kind;
	(*out)->path = copy;
	return 0;
}

int hfds_store_commit_add_file(hfds_store_commit *c, const char *path_in_repo, const char *local_path,
	const char *sha256_hex, uint64_t size, unsigned flags, hfds_error *err)
{
	op *o;
	int rc;
	if (!local_path || !*local_path)
		return hfds_error_set(err, HFDS_EINVAL, "%s: missing local file", path_in_repo ? path_in_repo : "");
	if (sha256_hex && strlen(sha256_hex) != 64)
		return hfds_error_set(err, HFDS_EINVAL, "%s: '%.70s' is not a 64-hex sha256", local_path, sha256_hex);
	if ((rc = push_op(&o, c, OP_ADD_FILE, path_in_repo, 0, err)) < 0)
		return rc;
	if (!(o->local = hfds_strdup(local_path))) {
		c->n--;
		hfds_free(o->path);
		return oom(err);
	}
	if (sha256_hex) {
		for (int i = 0; i < 64; i++)
			o->sha[i] = (char)((sha256_hex[i] >= 'A' && sha256_hex[i] <= 'F') ? sha256_hex[i] + 32 : sha256_hex[i]);
		o->has_sha = 1;
		o->size = size;
	}
	o->flags = flags;
	return 0;
}

int hfds_store_commit_add_buffer(hfds_store_commit *c, const char *path_in_repo, const void *data,
	size_t len, unsigned flags, hfds_error *err)
{
	op *o;
	int rc;
	if ((rc = push_op(&o, c, OP_ADD_BUFFER, path_in_repo, 0, err)) < 0)
		return rc;
	if (!(o->data = hfds_malloc(len ? len : 1))) {
		c->n--;
		hfds_free(o->path);
		return oom(err);
	}
	if (len)
		memcpy(o->data, data, len);
	o->len = len;
	o->size = len;
	o->flags = flags;
	return 0;
}

int hfds_store_commit_add_lfs(hfds_store_commit *c, const char *path_in_repo, const char *sha256_hex,
	uint64_t size, hfds_error *err)
{
	op *o;
	int rc;
	if (!sha256_hex || strlen(sha256_hex) != 64 || strspn(sha256_hex, "0123456789abcdef") != 64)
		return hfds_error_set(err, HFDS_EINVAL, "%s: '%.70s' is not a lower-case 64-hex sha256",
			path_in_repo ? path_in_repo : "", sha256_hex ? sha256_hex : "");
	if ((rc = push_op(&o, c, OP_ADD_LFS, path_in_repo, 0, err)) < 0)
		return rc;
	memcpy(o->sha, sha256_hex, 65);
	o->has_sha = 1;
	o->size = size;
	return 0;
}

int hfds_store_commit_delete_file(hfds_store_commit *c, const char *path, hfds_error *err)
{
	op *o;
	return push_op(&o, c, OP_DELETE_FILE, path, 1, err);
}

int hfds_store_commit_delete_folder(hfds_store_commit *c, const char *path, hfds_error *err)
{
	op *o;
	return push_op(&o, c, OP_DELETE_FOLDER, path, 1, err);
}

/* ---- run ---------------------------------------------------------------------------- */

/* Reads at most `max` bytes from the start of a file. */
static int read_head(hfds_buf *out, const char *path, size_t max, hfds_error *err)
{
	uint8_t block[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
	if (fd < 0)
		return hfds_error_set(err, errno == ENOENT ? HFDS_ENOTFOUND : HFDS_EIO, "%s: cannot open: %s",
			path, strerror(errno));
	while (out->len < max) {
		size_t want = max - out->len < sizeof(block) ? max - out->len : sizeof(block);
		ssize_t n = read(fd, block, want);
		if (n < 0 && errno == EINTR)
			continue;
		HFDS_FAIL_IF(n < 0, HFDS_EIO, err, "%s: read failed: %s", path, strerror(errno));
		if (n == 0)
			break;
		HFDS_TRY(hfds_buf_append(out, block, (size_t)n, err));
	}
done:
	close(fd);
	return rc;
}

/* The .gitattributes in effect: the last one this commit adds, else the branch's. */
static int load_attrs(hfds_buf *attrs, hfds_store_commit *c, git_index *index, hfds_error *err)
{
	const git_index_entry *e;
	git_blob *blob = NULL;
	int rc = 0, g;
	for (size_t i = c->n; i-- > 0;) {
		op *o = &c->ops[i];
		if (strcmp(o->path, ".gitattributes"))
			continue;
		if (o->kind == OP_ADD_BUFFER)
			return hfds_buf_append(attrs, o->data, o->len < ATTRS_MAX ? o->len : ATTRS_MAX, err);
		if (o->kind == OP_ADD_FILE)
			return read_head(attrs, o->local, ATTRS_MAX, err);
		return 0; /* deleted */
	}
	if (!(e = git_index_get_bypath(index, ".gitattributes", 0)))
		return 0;
	if ((g = git_blob_lookup(&blob, c->repo->git, &e->id)) < 0)
		STORE_GIT_FAIL(g, ".gitattributes");
	{
		size_t n = (size_t)git_blob_rawsize(blob);
		HFDS_TRY(hfds_buf_append(attrs, git_blob_rawcontent(blob), n < ATTRS_MAX ? n : ATTRS_MAX, err));
	}
done:
	git_blob_free(blob);
	return rc;
}

/* Decides LFS vs regular for an add, with the Hub's rules (see store.h). */
static int wants_lfs(int *lfs, const op *o, uint64_t size, const hfds_buf *attrs, hfds_error *err)
{
	hfds_buf sample;
	int rc = 0;
	*lfs = 0;
	if (o->flags & HFDS_STORE_ADD_FORCE_REGULAR)
		return 0;
	if (o->flags & HFDS_STORE_ADD_FORCE_LFS) {
		*lfs = 1;
		return 0;
	}
	if (size == 0)
		return 0;
	if (hfds_store__attr_is_lfs((const char *)attrs->data, attrs->len, o->path) || size > HFDS_STORE_LFS_THRESHOLD) {
		*lfs = 1;
		return 0;
	}
	if (o->kind == OP_ADD_BUFFER) {
		*lfs = hfds_store__looks_binary(o->data, o->len < SAMPLE_SIZE ? o->len : SAMPLE_SIZE);
		return 0;
	}
	hfds_buf_init(&sample, SAMPLE_SIZE);
	HFDS_TRY(read_head(&sample, o->local, SAMPLE_SIZE, err));
	*lfs = hfds_store__looks_binary(sample.data, sample.len);
done:
	hfds_buf_release(&sample);
	return rc;
}

/* Writes the content of one add (LFS object + pointer blob, or a plain blob). */
static int write_add(git_oid *blob, hfds_store_commit *c, op *o, const hfds_buf *attrs, hfds_error *err)
{
	git_repository *git = c->repo->git;
	uint64_t size = o->size;
	int rc = 0, g, lfs;
	if (o->kind == OP_ADD_LFS) {
		uint64_t have = 0;
		char ptr[256];
		size_t n;
		int found = hfds_store_object_exists(c->repo->st, o->sha, &have, err);
		HFDS_FAIL_IF(found < 0, found, err, "%s: lfs object lookup failed", o->path);
		HFDS_FAIL_IF(!found || (size != UINT64_MAX && have != size), HFDS_ENOTFOUND, err,
			"%s: lfs object %s (%llu bytes) was not uploaded", o->path, o->sha, (unsigned long long)size);
		n = hfds_store__pointer_format(ptr, sizeof(ptr), o->sha, have);
		if ((g = git_blob_create_from_buffer(blob, git, ptr, n)) < 0)
			STORE_GIT_FAIL(g, o->path);
		goto done;
	}
	if (o->kind == OP_ADD_FILE && !o->has_sha) {
		struct stat sb;
		if (stat(o->local, &sb) != 0)
			HFDS_FAIL(errno == ENOENT ? HFDS_ENOTFOUND : HFDS_EIO, err, "%s: %s", o->local, strerror(errno));
		HFDS_FAIL_IF(!S_ISREG(sb.st_mode), HFDS_EINVAL, err, "%s: not a regular file", o->local);
		size = (uint64_t)sb.st_size;
	}
	HFDS_TRY(wants_lfs(&lfs, o, size, attrs, err));
	if (lfs) {
		char sha[HFDS_SHA256_HEX_SIZE], ptr[256];
		size_t n;
		if (o->kind == OP_ADD_BUFFER)
			HFDS_TRY(hfds_store__object_put_buffer(c->repo->st, o->data, o->len, sha, err));
		else
			HFDS_TRY(hfds_store__object_put_file(c->repo->st, o->local, o->has_sha ? o->sha : NULL, size,
				(o->flags & HFDS_STORE_ADD_MOVE) != 0, sha, &size, err));
		n = hfds_store__pointer_format(ptr, sizeof(ptr), sha, size);
		if ((g = git_blob_create_from_buffer(blob, git, ptr, n)) < 0)
			STORE_GIT_FAIL(g, o->path);
	} else if (o->kind == OP_ADD_BUFFER) {
		if ((g = git_blob_create_from_buffer(blob, git, o->data, o->len)) < 0)
			STORE_GIT_FAIL(g, o->path);
	} else {
		if ((g = git_blob_create_from_disk(blob, git, o->local)) < 0)
			STORE_GIT_FAIL(g, o->local);
	}
done:
	return rc;
}

/* 1 if some index entry lies under folder `path`. */
static int has_folder(git_index *index, const char *path)
{
	char prefix[HFDS_REPO_PATH_MAX + 2];
	size_t pos;
	const git_index_entry *e;
	snprintf(prefix, sizeof(prefix), "%s/", path);
	if (git_index_find_prefix(&pos, index, prefix) < 0)
		return 0;
	e = git_index_get_byindex(index, pos);
	return e && !strncmp(e->path, prefix, strlen(prefix));
}

/*
 * A file cannot replace a folder, nor live below a file: git trees cannot hold both, and
 * libgit2's index would otherwise drop one side silently.
 */
static int df_conflict(git_index *index, const char *path, hfds_error *err)
{
	char prefix[HFDS_REPO_PATH_MAX + 1];
	if (has_folder(index, path))
		return hfds_error_set(err, HFDS_EINVAL, "%s: a folder with this name exists (delete it first)", path);
	snprintf(prefix, sizeof(prefix), "%s", path);
	for (char *slash = strchr(prefix, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (git_index_get_bypath(index, prefix, 0))
			return hfds_error_set(err, HFDS_EINVAL, "%s: '%s' is a file, not a folder (delete it first)",
				path, prefix);
		*slash = '/';
	}
	return 0;
}

static int apply_ops(git_index *index, hfds_store_commit *c, hfds_error *err)
{
	hfds_buf attrs;
	int rc = 0, g;
	hfds_buf_init(&attrs, ATTRS_MAX + 1);
	HFDS_TRY(load_attrs(&attrs, c, index, err));
	for (size_t i = 0; i < c->n; i++) {
		op *o = &c->ops[i];
		if (o->kind == OP_ADD_FILE || o->kind == OP_ADD_BUFFER || o->kind == OP_ADD_LFS) {
			git_index_entry e;
			git_oid blob;
			HFDS_TRY(df_conflict(index, o->path, err));
			HFDS_TRY(write_add(&blob, c, o, &attrs, err));
			memset(&e, 0, sizeof(e));
			e.mode = GIT_FILEMODE_BLOB;
			e.id = blob;
			e.path = o->path;
			if ((g = git_index_add(index, &e)) < 0)
				STORE_GIT_FAIL(g, o->path);
		} else if (o->kind == OP_DELETE_FILE && git_index_get_bypath(index, o->path, 0)) {
			if ((g = git_index_remove(index, o->path, 0)) < 0)
				STORE_GIT_FAIL(g, o->path);
		} else if (has_folder(index, o->path)) {
			if ((g = git_index_remove_directory(index, o->path, 0)) < 0)
				STORE_GIT_FAIL(g, o->path);
		} else if (o->kind == OP_DELETE_FOLDER && git_index_get_bypath(index, o->path, 0)) {
			if ((g = git_index_remove(index, o->path, 0)) < 0)
				STORE_GIT_FAIL(g, o->path);
		} else {
			HFDS_FAIL(HFDS_ENOTFOUND, err, "%s: a %s with this name doesn't exist", o->path,
				o->kind == OP_DELETE_FILE ? "file" : "folder");
		}
	}
done:
	hfds_buf_release(&attrs);
	return rc;
}

static int build_message(hfds_buf *msg, const hfds_store_commit *c, hfds_error *err)
{
	int rc = 0;
	HFDS_TRY(hfds_buf_printf(msg, err, "%s\n", c->title));
	if (c->description)
		HFDS_TRY(hfds_buf_printf(msg, err, "\n%s\n", c->description));
	HFDS_TRY(hfds_buf_cstr(msg, err));
done:
	return rc;
}

int hfds_store_commit_run(hfds_store_commit *c, char out_sha[HFDS_OID_HEX_SIZE], hfds_error *err)
{
	hfds_store_repo *repo = c->repo;
	git_reference *ref = NULL, *new_ref = NULL;
	git_commit *head_commit = NULL;
	git_tree *head_tree = NULL, *tree = NULL;
	git_index *index = NULL;
	git_signature *sig = NULL;
	git_oid head, tree_id, commit_id;
	hfds_buf msg;
	char refname[512], head_hex[HFDS_OID_HEX_SIZE];
	int rc = 0, g, fd = -1;
	hfds_buf_init(&msg, 0);
	HFDS_FAIL_IF(c->ran, HFDS_ESTATE, err, "commit already ran");
	c->ran = 1;
	HFDS_FAIL_IF(!c->title, HFDS_EINVAL, err, "a commit needs a title (hfds_store_commit_set_message)");
	HFDS_TRY(build_message(&msg, c, err));
	/* A branch, or a pull-request ref (hfds_store_pr_create) named in full. */
	snprintf(refname, sizeof(refname), strncmp(c->branch, "refs/pr/", 8) ? "refs/heads/%s" : "%s", c->branch);
	HFDS_TRY(hfds_store__lock(&fd, repo, err));

	g = git_reference_lookup(&ref, repo->git, refname);
	if (g == GIT_ENOTFOUND || g == GIT_EINVALIDSPEC)
		HFDS_FAIL(HFDS_ENOTFOUND, err, "%s: invalid rev id: %s (commits go to an existing branch)",
			repo->id, c->branch);
	if (g < 0 || (g = git_reference_resolve(&new_ref, ref)) < 0)
		STORE_GIT_FAIL(g, refname);
	git_oid_cpy(&head, git_reference_target(new_ref));
	git_reference_free(new_ref);
	new_ref = NULL;
	git_oid_tostr(head_hex, sizeof(head_hex), &head);
	HFDS_FAIL_IF(c->parent && strncasecmp(head_hex, c->parent, strlen(c->parent)) != 0, HFDS_ECONFLICT, err,
		"%s@%s: the branch was updated since parent commit %s (head is now %s)",
		repo->id, c->branch, c->parent, head_hex);

	if ((g = git_commit_lookup(&head_commit, repo->git, &head)) < 0 || (g = git_commit_tree(&head_tree, head_commit)) < 0
		|| (g = git_index_new(&index)) < 0 || (g = git_index_read_tree(index, head_tree)) < 0)
		STORE_GIT_FAIL(g, repo->id);
	HFDS_TRY(apply_ops(index, c, err));
	if ((g = git_index_write_tree_to(&tree_id, index, repo->git)) < 0 || (g = git_tree_lookup(&tree, repo->git, &tree_id)) < 0)
		STORE_GIT_FAIL(g, repo->id);
	if (git_oid_equal(&tree_id, git_tree_id(head_tree))) {
		/* Nothing changes: no empty commit, the head is the answer. A publish rerun after its
		 * commit landed (the answer lost, the client killed) thus adds no second commit. */
		if (out_sha)
			memcpy(out_sha, head_hex, HFDS_OID_HEX_SIZE);
		goto done;
	}
	if ((g = git_signature_now(&sig, c->author_name ? c->author_name : "hfds",
		c->author_email ? c->author_email : "hfds@localhost")) < 0)
		STORE_GIT_FAIL(g, "commit author");
	if ((g = git_commit_create(&commit_id, repo->git, NULL, sig, sig, NULL, (const char *)msg.data, tree, 1,
		(const git_commit **)&head_commit)) < 0)
		STORE_GIT_FAIL(g, repo->id);

	if (hfds_store__before_ref_update)
		hfds_store__before_ref_update();
	/* The one step that publishes the commit: an atomic compare-and-swap of the branch. */
	g = git_reference_create_matching(&new_ref, repo->git, refname, &commit_id, 1, &head, c->title);
	if (g == GIT_EMODIFIED || g == GIT_ELOCKED)
		HFDS_FAIL(HFDS_ECONFLICT, err, "%s@%s: the branch moved during the commit", repo->id, c->branch);
	if (g < 0)
		STORE_GIT_FAIL(g, refname);
	if (out_sha)
		git_oid_tostr(out_sha, HFDS_OID_HEX_SIZE, &commit_id);
done:
	hfds_store__unlock(fd);
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(index);
	git_tree_free(head_tree);
	git_commit_free(head_commit);
	git_reference_free(new_ref);
	git_reference_free(ref);
	hfds_buf_release(&msg);
	return rc;
}
