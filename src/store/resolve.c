/*
 * Revision resolution, in the Hub's order: HEAD, full ref names, branches, tags, then
 * full or abbreviated commit ids. Tags are peeled to the commit they name.
 */
#include "store/store_internal.h"

#include <stdio.h>
#include <string.h>

#include "util/try.h"

static int not_found(hfds_store_repo *repo, const char *rev, hfds_error *err)
{
	return hfds_error_set(err, HFDS_ENOTFOUND, "%s: invalid rev id: %.200s", repo->id, rev);
}

/* 1 if the ref exists (peeled commit in *out), 0 if not, negative on errors. */
static int try_ref(git_oid *out, hfds_store_repo *repo, const char *name, hfds_error *err)
{
	git_reference *ref = NULL;
	git_object *obj = NULL;
	int g = git_reference_lookup(&ref, repo->git, name);
	int rc = 0;
	if (g == GIT_ENOTFOUND || g == GIT_EINVALIDSPEC)
		return 0;
	if (g < 0)
		STORE_GIT_FAIL(g, name);
	if ((g = git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT)) < 0)
		STORE_GIT_FAIL(g, name);
	git_oid_cpy(out, git_object_id(obj));
	rc = 1;
done:
	git_object_free(obj);
	git_reference_free(ref);
	return rc;
}

static int all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

int hfds_store__resolve_oid(git_oid *out, hfds_store_repo *repo, const char *rev, hfds_error *err)
{
	char name[512];
	size_t n;
	int rc;
	if (!rev || !*rev || !strcmp(rev, "HEAD"))
		rev = STORE_MAIN;
	n = strlen(rev);
	if (n > 255)
		return not_found(repo, rev, err);
	if (!strncmp(rev, "refs/", 5)) {
		if ((rc = try_ref(out, repo, rev, err)) != 0)
			return rc < 0 ? rc : 0;
		return not_found(repo, rev, err);
	}
	snprintf(name, sizeof(name), "refs/heads/%s", rev);
	if ((rc = try_ref(out, repo, name, err)) != 0)
		return rc < 0 ? rc : 0;
	snprintf(name, sizeof(name), "refs/tags/%s", rev);
	if ((rc = try_ref(out, repo, name, err)) != 0)
		return rc < 0 ? rc : 0;
	if (n >= 5 && n <= 40 && all_hex(rev, n)) {
		git_oid prefix;
		git_object *obj = NULL;
		int g;
		if (git_oid_fromstrn(&prefix, rev, n) < 0)
			return not_found(repo, rev, err);
		g = git_object_lookup_prefix(&obj, repo->git, &prefix, n, GIT_OBJECT_COMMIT);
		if (g == GIT_EAMBIGUOUS)
			return hfds_error_set(err, HFDS_ENOTFOUND, "%s: ambiguous short commit id: %s", repo->id, rev);
		if (g < 0)
			return not_found(repo, rev, err);
		git_oid_cpy(out, git_object_id(obj));
		git_object_free(obj);
		return 0;
	}
	return not_found(repo, rev, err);
}

int hfds_store_resolve(char out[HFDS_OID_HEX_SIZE], hfds_store_repo *repo, const char *rev, hfds_error *err)
{
	git_oid oid;
	int rc = hfds_store__resolve_oid(&oid, repo, rev, err);
	if (rc == 0)
		git_oid_tostr(out, HFDS_OID_HEX_SIZE, &oid);
	return rc;
}

int hfds_store__commit_tree(git_tree **out, hfds_store_repo *repo, const git_oid *commit, hfds_error *err)
{
	git_commit *c = NULL;
	int rc = 0, g;
	if ((g = git_commit_lookup(&c, repo->git, commit)) < 0 || (g = git_commit_tree(out, c)) < 0)
		STORE_GIT_FAIL(g, repo->id);
done:
	git_commit_free(c);
	return rc;
}
