/*
 * Renaming a repository (the Hub's /api/repos/move): the bare repository directory is
 * renamed under the source's writer lock, so a commit in flight finishes first and no
 * writer sees a half-moved repository; the LFS objects are shared and do not move.
 */
#include "store/store_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/try.h"

int hfds_store_repo_move(hfds_store *st, hfds_repo_type type, const char *from, const char *to,
	hfds_error *err)
{
	hfds_store_repo *repo = NULL;
	git_repository *moved = NULL;
	git_config *cfg = NULL;
	char *dst = NULL, link_path[PATH_MAX], target[64] = "../../";
	struct stat sb;
	int rc = 0, fd = -1, g;
	HFDS_TRY(hfds_repo_id_check(to, to ? strlen(to) : 0, err));
	HFDS_TRY(hfds_store_repo_open(&repo, st, type, from, err));
	HFDS_TRY(hfds_store__repo_dir(&dst, st, type, to, err));
	HFDS_TRY(hfds_store__lock(&fd, repo, err));
	HFDS_FAIL_IF(stat(dst, &sb) == 0, HFDS_EEXISTS, err, "A %s repository called %s already exists",
		hfds_repo_type_name(type), to);
	HFDS_TRY(hfds_store__mkdirs_for(dst, err));
	HFDS_FAIL_IF(rename(repo->git_dir, dst) != 0, errno == ENOTEMPTY || errno == EEXIST ? HFDS_EEXISTS : HFDS_EIO,
		err, "%s: cannot move: %s", dst, strerror(errno));
	/* The lfs link is relative to the repository's depth. */
	snprintf(link_path, sizeof(link_path), "%s/lfs", dst);
	if (strchr(to, '/'))
		strcat(target, "../");
	strcat(target, "lfs");
	unlink(link_path);
	HFDS_FAIL_IF(symlink(target, link_path) != 0, HFDS_EIO, err, "%s: %s", link_path, strerror(errno));
	if ((g = git_repository_open_bare(&moved, dst)) < 0 || (g = git_repository_config(&cfg, moved)) < 0
		|| (g = git_config_set_string(cfg, "hfds.id", to)) < 0)
		STORE_GIT_FAIL(g, to);
done:
	git_config_free(cfg);
	git_repository_free(moved);
	hfds_store__unlock(fd);
	hfds_store_repo_free(repo);
	hfds_free(dst);
	return rc;
}
