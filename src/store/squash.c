/*
 * Super-squash (the Hub's POST .../super-squash/{branch}): the branch becomes one root commit
 * holding its current tree. Done under the writer lock with a compare-and-swap of the branch,
 * like any commit; the old commits stay reachable from tags and other branches.
 */
#include "store/store_internal.h"

#include <stdio.h>
#include <string.h>

#include "util/try.h"

int hfds_store_squash(hfds_store_repo *repo, const char *branch, const char *message, char out_sha[HFDS_OID_HEX_SIZE],
	hfds_error *err)
{
	git_reference *ref = NULL, *moved = NULL;
	git_commit *head = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	git_oid id;
	char refname[512];
	int rc = 0, g, fd = -1;
	snprintf(refname, sizeof(refname), "refs/heads/%s", branch && *branch ? branch : STORE_MAIN);
	HFDS_FAIL_IF(!message || !*message, HFDS_EINVAL, err, "super-squash needs a message");
	HFDS_TRY(hfds_store__lock(&fd, repo, err));
	g = git_reference_lookup(&ref, repo->git, refname);
	if (g == GIT_ENOTFOUND || g == GIT_EINVALIDSPEC)
		HFDS_FAIL(HFDS_ENOTFOUND, err, "%s: invalid rev id: %s", repo->id, branch);
	if (g < 0 || (g = git_commit_lookup(&head, repo->git, git_reference_target(ref))) < 0
		|| (g = git_commit_tree(&tree, head)) < 0 || (g = git_signature_now(&sig, "hfds", "hfds@localhost")) < 0
		|| (g = git_commit_create(&id, repo->git, NULL, sig, sig, NULL, message, tree, 0, NULL)) < 0)
		STORE_GIT_FAIL(g, repo->id);
	g = git_reference_create_matching(&moved, repo->git, refname, &id, 1, git_commit_id(head), "super-squash");
	if (g == GIT_EMODIFIED || g == GIT_ELOCKED)
		HFDS_FAIL(HFDS_ECONFLICT, err, "%s@%s: the branch moved during the squash", repo->id, branch);
	if (g < 0)
		STORE_GIT_FAIL(g, refname);
	if (out_sha)
		git_oid_tostr(out_sha, HFDS_OID_HEX_SIZE, &id);
done:
	git_reference_free(moved);
	git_signature_free(sig);
	git_tree_free(tree);
	git_commit_free(head);
	git_reference_free(ref);
	hfds_store__unlock(fd);
	return rc;
}
