/*
 * Branches and tags. Names must be valid git ref names; "refs/..." names are refused as
 * the Hub refuses them. Every change takes the writer lock, like a commit.
 */
#include "store/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/try.h"

static int check_name(char *refname, size_t cap, const char *prefix, const char *name, const char *what,
	hfds_error *err)
{
	int valid = 0;
	/* a leading '-' is a valid ref name, but git refuses it for branches and tags (it would
	 * read as an option on every command line that names it) */
	if (!name || !*name || name[0] == '-' || strlen(name) > 255 || !strncmp(name, "refs/", 5) || !strcmp(name, "HEAD"))
		return hfds_error_set(err, HFDS_EINVAL, "invalid %s name '%.100s'", what, name ? name : "");
	snprintf(refname, cap, "%s%s", prefix, name);
	if (git_reference_name_is_valid(&valid, refname) < 0 || !valid)
		return hfds_error_set(err, HFDS_EINVAL, "invalid %s name '%.100s'", what, name);
	return 0;
}

int hfds_store_branch_create(hfds_store_repo *repo, const char *name, const char *from, hfds_error *err)
{
	char refname[300];
	git_reference *ref = NULL;
	git_oid target;
	int rc = 0, g, fd = -1;
	HFDS_TRY(check_name(refname, sizeof(refname), "refs/heads/", name, "branch", err));
	HFDS_TRY(hfds_store__lock(&fd, repo, err));
	HFDS_TRY(hfds_store__resolve_oid(&target, repo, from, err));
	g = git_reference_create(&ref, repo->git, refname, &target, 0, "branch");
	if (g == GIT_EEXISTS)
		HFDS_FAIL(HFDS_EEXISTS, err, "%s: reference %s already exists", repo->id, refname);
	if (g < 0)
		STORE_GIT_FAIL(g, refname);
done:
	git_reference_free(ref);
	hfds_store__unlock(fd);
	return rc;
}

static int delete_ref(hfds_store_repo *repo, const char *refname, const char *name, hfds_error *err)
{
	git_reference *ref = NULL;
	int rc = 0, g, fd = -1;
	HFDS_TRY(hfds_store__lock(&fd, repo, err));
	g = git_reference_lookup(&ref, repo->git, refname);
	if (g == GIT_ENOTFOUND)
		HFDS_FAIL(HFDS_ENOTFOUND, err, "%s: invalid rev id: %s", repo->id, name);
	if (g < 0 || (g = git_reference_delete(ref)) < 0)
		STORE_GIT_FAIL(g, refname);
done:
	git_reference_free(ref);
	hfds_store__unlock(fd);
	return rc;
}

int hfds_store_branch_delete(hfds_store_repo *repo, const char *name, hfds_error *err)
{
	char refname[300];
	int rc = check_name(refname, sizeof(refname), "refs/heads/", name, "branch", err);
	if (rc < 0)
		return rc;
	if (!strcmp(name, STORE_MAIN))
		return hfds_error_set(err, HFDS_ESTATE, "%s: cannot delete refs/heads/main", repo->id);
	return delete_ref(repo, refname, name, err);
}

int hfds_store_tag_create(hfds_store_repo *repo, const char *name, const char *rev, const char *message,
	hfds_error *err)
{
	char refname[300];
	git_object *target = NULL;
	git_signature *sig = NULL;
	git_reference *existing = NULL;
	git_oid commit, tag;
	int rc = 0, g, fd = -1;
	HFDS_TRY(check_name(refname, sizeof(refname), "refs/tags/", name, "tag", err));
	HFDS_TRY(hfds_store__lock(&fd, repo, err));
	HFDS_TRY(hfds_store__resolve_oid(&commit, repo, rev, err));
	if (git_reference_lookup(&existing, repo->git, refname) == 0)
		HFDS_FAIL(HFDS_EEXISTS, err, "%s: tag %s already exists", repo->id, name);
	if ((g = git_object_lookup(&target, repo->git, &commit, GIT_OBJECT_COMMIT)) < 0)
		STORE_GIT_FAIL(g, repo->id);
	if (message) {
		if ((g = git_signature_now(&sig, "hfds", "hfds@localhost")) < 0
			|| (g = git_tag_create(&tag, repo->git, name, target, sig, message, 0)) < 0)
			STORE_GIT_FAIL(g, refname);
	} else if ((g = git_tag_create_lightweight(&tag, repo->git, name, target, 0)) < 0) {
		STORE_GIT_FAIL(g, refname);
	}
done:
	git_reference_free(existing);
	git_signature_free(sig);
	git_object_free(target);
	hfds_store__unlock(fd);
	return rc;
}

int hfds_store_tag_delete(hfds_store_repo *repo, const char *name, hfds_error *err)
{
	char refname[300];
	int rc = check_name(refname, sizeof(refname), "refs/tags/", name, "tag", err);
	if (rc < 0)
		return rc;
	return delete_ref(repo, refname, name, err);
}

static int ref_cmp(const void *a, const void *b)
{
	const hfds_store_ref *x = a, *y = b;
	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	return strcmp(x->name, y->name);
}

void hfds_store_refs_free(hfds_store_refs *refs)
{
	if (!refs)
		return;
	for (size_t i = 0; i < refs->count; i++) {
		hfds_free(refs->items[i].name);
		hfds_free(refs->items[i].ref);
		hfds_free(refs->items[i].message);
	}
	hfds_free(refs->items);
	hfds_free(refs);
}

static int add_ref(hfds_store_refs *refs, size_t *cap, git_repository *git, git_reference *ref, hfds_error *err)
{
	const char *full = git_reference_name(ref);
	hfds_store_ref *r;
	git_object *peeled = NULL;
	git_tag *tag = NULL;
	int is_branch = !strncmp(full, "refs/heads/", 11), rc = 0;
	if (!is_branch && strncmp(full, "refs/tags/", 10))
		return 0;
	if (git_reference_peel(&peeled, ref, GIT_OBJECT_COMMIT) < 0)
		return 0; /* a ref to something that is not a commit is not listed */
	if (refs->count == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		hfds_store_ref *items = hfds_reallocarray(refs->items, ncap, sizeof(*items));
		HFDS_FAIL_IF(!items, HFDS_ENOMEM, err, "out of memory");
		refs->items = items;
		*cap = ncap;
	}
	r = &refs->items[refs->count];
	memset(r, 0, sizeof(*r));
	r->kind = is_branch ? HFDS_REF_BRANCH : HFDS_REF_TAG;
	r->ref = hfds_strdup(full);
	r->name = hfds_strdup(full + (is_branch ? 11 : 10));
	git_oid_tostr(r->target, sizeof(r->target), git_object_id(peeled));
	if (!is_branch && git_reference_target(ref) && git_tag_lookup(&tag, git, git_reference_target(ref)) == 0) {
		const char *m = git_tag_message(tag);
		r->message = hfds_strdup(m ? m : "");
		HFDS_FAIL_IF(!r->message, HFDS_ENOMEM, err, "out of memory");
	}
	refs->count++;
	HFDS_FAIL_IF(!r->ref || !r->name, HFDS_ENOMEM, err, "out of memory");
done:
	git_tag_free(tag);
	git_object_free(peeled);
	return rc;
}

int hfds_store_refs_list(hfds_store_refs **out, hfds_store_repo *repo, hfds_error *err)
{
	hfds_store_refs *refs = NULL;
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	size_t cap = 0;
	int rc = 0, g;
	*out = NULL;
	HFDS_FAIL_IF(!(refs = hfds_calloc(1, sizeof(*refs))), HFDS_ENOMEM, err, "out of memory");
	if ((g = git_reference_iterator_new(&it, repo->git)) < 0)
		STORE_GIT_FAIL(g, repo->id);
	while ((g = git_reference_next(&ref, it)) == 0) {
		rc = add_ref(refs, &cap, repo->git, ref, err);
		git_reference_free(ref);
		if (rc < 0)
			goto done;
	}
	if (g != GIT_ITEROVER)
		STORE_GIT_FAIL(g, repo->id);
	if (refs->count)
		qsort(refs->items, refs->count, sizeof(*refs->items), ref_cmp);
	*out = refs;
	refs = NULL;
done:
	git_reference_iterator_free(it);
	hfds_store_refs_free(refs);
	return rc;
}
