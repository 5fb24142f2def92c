/*
 * The store root and repository lifecycle: create (built in a temp dir, then renamed into
 * place so it appears complete or not at all), delete (renamed away, then removed), open.
 */
#include "store/store_internal.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/try.h"

int hfds_store__git_fail(hfds_error *err, int grc, const char *what)
{
	const git_error *e = git_error_last();
	int code = grc == GIT_ENOTFOUND ? HFDS_ENOTFOUND : grc == GIT_EEXISTS ? HFDS_EEXISTS
		: grc == GIT_EINVALIDSPEC ? HFDS_EINVAL : grc == GIT_ELOCKED || grc == GIT_EMODIFIED ? HFDS_ECONFLICT
		: HFDS_EIO;
	return hfds_error_set(err, code, "%s: %s", what, e && e->message ? e->message : "git error");
}

int hfds_store__mkdirs_for(const char *path, hfds_error *err)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);
	if (n >= sizeof(buf))
		return hfds_error_set(err, HFDS_ELIMIT, "%.60s...: path too long", path);
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			return hfds_error_set(err, HFDS_EIO, "%s: cannot create directory: %s", buf, strerror(errno));
		*p = '/';
	}
	return 0;
}

static void rm_tree(const char *dir);

/*
 * Removes what a crashed create, delete or object copy left in <root>/tmp. Only entries older than an
 * hour go, so a create or delete running in another process is never disturbed.
 */
static void sweep_staging(const char *root)
{
	char dir[PATH_MAX], path[PATH_MAX + 512];
	struct dirent *de;
	struct stat sb;
	time_t now = time(NULL);
	DIR *d;
	snprintf(dir, sizeof(dir), "%s/tmp", root);
	if (!(d = opendir(dir)))
		return;
	while ((de = readdir(d)) != NULL) {
		int object = !strncmp(de->d_name, "object-", 7); /* an LFS object being copied in */
		if (strncmp(de->d_name, "create-", 7) && strncmp(de->d_name, "delete-", 7) && !object)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &sb) != 0 || now - sb.st_mtime <= 3600)
			continue;
		if (object && S_ISREG(sb.st_mode))
			unlink(path);
		else if (!object && S_ISDIR(sb.st_mode))
			rm_tree(path);
	}
	closedir(d);
}

int hfds_store_default_root(char **out, hfds_error *err)
{
	const char *home = getenv("HFDS_HOME");
	if (home && *home)
		*out = hfds_path_join(home, "hub");
	else if ((home = getenv("HOME")) && *home)
		*out = hfds_path_join(home, ".cache/hfds/hub");
	else
		return hfds_error_set(err, HFDS_EINVAL, "cannot place the embedded hub: set HFDS_HOME or HOME");
	return *out ? 0 : hfds_error_set(err, HFDS_ENOMEM, "out of memory");
}

int hfds_store_open(hfds_store **out, const char *root, hfds_error *err)
{
	hfds_store *st = NULL;
	char *dir = NULL, *lfs = NULL;
	char abs[PATH_MAX];
	int rc = 0;
	*out = NULL;
	if (root && *root)
		HFDS_FAIL_IF(!(dir = hfds_strdup(root)), HFDS_ENOMEM, err, "out of memory");
	else
		HFDS_TRY(hfds_store_default_root(&dir, err));
	while (strlen(dir) > 1 && dir[strlen(dir) - 1] == '/')
		dir[strlen(dir) - 1] = '\0';
	HFDS_FAIL_IF(!(lfs = hfds_path_join(dir, "lfs/objects/x")), HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(hfds_store__mkdirs_for(lfs, err));
	HFDS_FAIL_IF(!realpath(dir, abs), HFDS_EIO, err, "%s: %s", dir, strerror(errno));
	HFDS_FAIL_IF(!(st = hfds_calloc(1, sizeof(*st))), HFDS_ENOMEM, err, "out of memory");
	HFDS_FAIL_IF(!(st->root = hfds_strdup(abs)), HFDS_ENOMEM, err, "out of memory");
	st->lock_timeout_ms = 30000;
	sweep_staging(st->root);
	HFDS_FAIL_IF(git_libgit2_init() < 0, HFDS_EIO, err, "libgit2 initialisation failed");
	*out = st;
	st = NULL;
done:
	if (st) {
		hfds_free(st->root);
		hfds_free(st);
	}
	hfds_free(dir);
	hfds_free(lfs);
	return rc;
}

void hfds_store_free(hfds_store *st)
{
	if (!st)
		return;
	git_libgit2_shutdown();
	hfds_free(st->root);
	hfds_free(st);
}

const char *hfds_store_root(const hfds_store *st)
{
	return st->root;
}

void hfds_store_set_lock_timeout(hfds_store *st, unsigned milliseconds)
{
	st->lock_timeout_ms = milliseconds;
}

int hfds_store__repo_dir(char **out, const hfds_store *st, hfds_repo_type type, const char *id,
	hfds_error *err)
{
	size_t n = strlen(st->root) + strlen(id) + 32;
	if (!(*out = hfds_malloc(n)))
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	snprintf(*out, n, "%s/%ss/%s.git", st->root, hfds_repo_type_name(type), id);
	return 0;
}

static int check_id(const char *id, hfds_error *err)
{
	return hfds_repo_id_check(id, id ? strlen(id) : 0, err);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh directory under <root>/tmp for staging. */
static int stage_dir(char **out, const hfds_store *st, const char *what, hfds_error *err)
{
	size_t n = strlen(st->root) + 64;
	if (!(*out = hfds_malloc(n)))
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	snprintf(*out, n, "%s/tmp/%s-XXXXXX", st->root, what);
	if (hfds_store__mkdirs_for(*out, err) < 0 || !mkdtemp(*out)) {
		int rc = hfds_error_set(err, HFDS_EIO, "%s: cannot create: %s", *out, strerror(errno));
		hfds_free(*out);
		*out = NULL;
		return rc;
	}
	return 0;
}

static int init_repo(const char *dir, hfds_repo_type type, const char *id, int is_private, hfds_error *err)
{
	git_repository_init_options opts;
	git_repository *repo = NULL;
	git_config *cfg = NULL;
	git_treebuilder *tb = NULL;
	git_signature *sig = NULL;
	git_tree *tree = NULL;
	git_oid blob, tree_id, commit;
	const char *attrs = hfds_store__default_gitattributes(type);
	int rc = 0, g;
	time_t now = time(NULL);
	git_repository_init_options_init(&opts, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	opts.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_NO_REINIT;
	opts.initial_head = STORE_MAIN;
	if ((g = git_repository_init_ext(&repo, dir, &opts)) < 0)
		STORE_GIT_FAIL(g, dir);
	if ((g = git_repository_config(&cfg, repo)) < 0
		|| (g = git_config_set_bool(cfg, "hfds.private", is_private != 0)) < 0
		|| (g = git_config_set_string(cfg, "hfds.type", hfds_repo_type_name(type))) < 0
		|| (g = git_config_set_string(cfg, "hfds.id", id)) < 0
		|| (g = git_config_set_int64(cfg, "hfds.createdAt", (int64_t)now)) < 0)
		STORE_GIT_FAIL(g, "repo config");
	if ((g = git_blob_create_from_buffer(&blob, repo, attrs, strlen(attrs))) < 0
		|| (g = git_treebuilder_new(&tb, repo, NULL)) < 0
		|| (g = git_treebuilder_insert(NULL, tb, ".gitattributes", &blob, GIT_FILEMODE_BLOB)) < 0
		|| (g = git_treebuilder_write(&tree_id, tb)) < 0
		|| (g = git_tree_lookup(&tree, repo, &tree_id)) < 0
		|| (g = git_signature_new(&sig, "system", "system@huggingface.co", now, 0)) < 0
		|| (g = git_commit_create(&commit, repo, "refs/heads/" STORE_MAIN, sig, sig, NULL,
			"initial commit\n", tree, 0, NULL)) < 0)
		STORE_GIT_FAIL(g, "initial commit");
done:
	git_signature_free(sig);
	git_tree_free(tree);
	git_treebuilder_free(tb);
	git_config_free(cfg);
	git_repository_free(repo);
	return rc;
}

/*
 * `<repo>.git/lfs` is a relative symlink to the shared `<root>/lfs`, where git-lfs's
 * standalone file transfer looks for objects: `git clone` of a bare repository then checks
 * out real content when git-lfs is installed, and the root stays relocatable.
 */
static int link_lfs(const char *stage, const char *repo_id, hfds_error *err)
{
	char link_path[PATH_MAX], target[64] = "../../";
	snprintf(link_path, sizeof(link_path), "%s/lfs", stage);
	if (strchr(repo_id, '/'))
		strcat(target, "../");
	strcat(target, "lfs");
	if (symlink(target, link_path) != 0)
		return hfds_error_set(err, HFDS_EIO, "%s: cannot link the lfs store: %s", link_path, strerror(errno));
	return 0;
}

int hfds_store_repo_create(hfds_store *st, hfds_repo_type type, const char *repo_id,
	int is_private, hfds_error *err)
{
	char *dir = NULL, *stage = NULL;
	struct stat sb;
	int rc = 0;
	HFDS_TRY(check_id(repo_id, err));
	HFDS_TRY(hfds_store__repo_dir(&dir, st, type, repo_id, err));
	HFDS_FAIL_IF(stat(dir, &sb) == 0, HFDS_EEXISTS, err, "%s repo '%s' already exists",
		hfds_repo_type_name(type), repo_id);
	HFDS_TRY(stage_dir(&stage, st, "create", err));
	HFDS_TRY(init_repo(stage, type, repo_id, is_private, err));
	HFDS_TRY(link_lfs(stage, repo_id, err));
	HFDS_TRY(hfds_store__mkdirs_for(dir, err));
	/* rename() refuses a non-empty target, so of two concurrent creators one wins. */
	if (rename(stage, dir) != 0) {
		HFDS_FAIL_IF(errno == EEXIST || errno == ENOTEMPTY, HFDS_EEXISTS, err, "%s repo '%s' already exists",
			hfds_repo_type_name(type), repo_id);
		HFDS_FAIL(HFDS_EIO, err, "%s: cannot create: %s", dir, strerror(errno));
	}
	hfds_free(stage);
	stage = NULL;
done:
	if (stage) {
		rm_tree(stage);
		hfds_free(stage);
	}
	hfds_free(dir);
	return rc;
}

int hfds_store_repo_exists(hfds_store *st, hfds_repo_type type, const char *repo_id, hfds_error *err)
{
	char *dir = NULL;
	struct stat sb;
	int rc = 0;
	HFDS_TRY(check_id(repo_id, err));
	HFDS_TRY(hfds_store__repo_dir(&dir, st, type, repo_id, err));
	rc = stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode);
done:
	hfds_free(dir);
	return rc;
}

int hfds_store_repo_delete(hfds_store *st, hfds_repo_type type, const char *repo_id, hfds_error *err)
{
	hfds_store_repo *repo = NULL;
	char *trash = NULL;
	int rc = 0, fd = -1;
	HFDS_TRY(hfds_store_repo_open(&repo, st, type, repo_id, err));
	/* Wait for a running writer, then move the repository away in one step. */
	HFDS_TRY(hfds_store__lock(&fd, repo, err));
	HFDS_TRY(stage_dir(&trash, st, "delete", err));
	/* The staging directory is empty, and rename() may replace an empty directory. */
	HFDS_FAIL_IF(rename(repo->git_dir, trash) != 0, HFDS_EIO, err, "%s: cannot delete: %s", repo->git_dir, strerror(errno));
	rm_tree(trash);
done:
	hfds_store__unlock(fd);
	hfds_store_repo_free(repo);
	hfds_free(trash);
	return rc;
}

int hfds_store_repo_open(hfds_store_repo **out, hfds_store *st, hfds_repo_type type,
	const char *repo_id, hfds_error *err)
{
	hfds_store_repo *r = NULL;
	struct stat sb;
	int rc = 0, g;
	*out = NULL;
	HFDS_TRY(check_id(repo_id, err));
	HFDS_FAIL_IF(!(r = hfds_calloc(1, sizeof(*r))), HFDS_ENOMEM, err, "out of memory");
	r->st = st;
	r->type = type;
	snprintf(r->id, sizeof(r->id), "%s", repo_id);
	HFDS_TRY(hfds_store__repo_dir(&r->git_dir, st, type, repo_id, err));
	HFDS_FAIL_IF(stat(r->git_dir, &sb) != 0, HFDS_ENOTFOUND, err, "%s repo '%s' not found",
		hfds_repo_type_name(type), repo_id);
	if ((g = git_repository_open_bare(&r->git, r->git_dir)) < 0)
		STORE_GIT_FAIL(g, repo_id);
	*out = r;
	r = NULL;
done:
	hfds_store_repo_free(r);
	return rc;
}

void hfds_store_repo_free(hfds_store_repo *repo)
{
	if (!repo)
		return;
	git_repository_free(repo->git);
	hfds_free(repo->git_dir);
	hfds_free(repo);
}

int hfds_store_repo_set_private(hfds_store *st, hfds_repo_type type, const char *repo_id,
	int is_private, hfds_error *err)
{
	hfds_store_repo *repo = NULL;
	git_config *cfg = NULL;
	int rc = 0, g, fd = -1;
	HFDS_TRY(hfds_store_repo_open(&repo, st, type, repo_id, err));
	HFDS_TRY(hfds_store__lock(&fd, repo, err));
	if ((g = git_repository_config(&cfg, repo->git)) < 0 || (g = git_config_set_bool(cfg, "hfds.private", is_private != 0)) < 0)
		STORE_GIT_FAIL(g, repo_id);
done:
	git_config_free(cfg);
	hfds_store__unlock(fd);
	hfds_store_repo_free(repo);
	return rc;
}

int hfds_store_repo_info_get(hfds_store_repo_info *out, hfds_store_repo *repo, const char *rev,
	hfds_error *err)
{
	git_config *cfg = NULL;
	git_commit *commit = NULL;
	git_oid oid;
	int rc = 0, g, priv = 0;
	int64_t created = 0;
	memset(out, 0, sizeof(*out));
	HFDS_TRY(hfds_store__resolve_oid(&oid, repo, rev, err));
	if ((g = git_commit_lookup(&commit, repo->git, &oid)) < 0)
		STORE_GIT_FAIL(g, repo->id);
	if ((g = git_repository_config_snapshot(&cfg, repo->git)) < 0)
		STORE_GIT_FAIL(g, repo->id);
	if (git_config_get_bool(&priv, cfg, "hfds.private") < 0)
		priv = 0;
	if (git_config_get_int64(&created, cfg, "hfds.createdAt") < 0)
		created = 0;
	out->type = repo->type;
	snprintf(out->id, sizeof(out->id), "%s", repo->id);
	out->is_private = priv;
	git_oid_tostr(out->sha, sizeof(out->sha), &oid);
	out->last_modified = (int64_t)git_commit_time(commit);
	out->created_at = created;
	snprintf(out->git_dir, sizeof(out->git_dir), "%s", repo->git_dir);
done:
	git_config_free(cfg);
	git_commit_free(commit);
	return rc;
}
