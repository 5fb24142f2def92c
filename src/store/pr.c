/*
 * Pull-request refs (the Hub's `create_pr=1`): `refs/pr/N` is a ref outside refs/heads that
 * commits may target like a branch. Numbers grow from 1 per repository and are taken under
 * the writer lock, so two concurrent creators get different numbers.
 */
#include "store/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/try.h"

int hfds_store_pr_create(hfds_store_repo *repo, const char *from, unsigned *num, hfds_error *err)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	git_oid at;
	const char *name;
	char refname[64];
	unsigned max = 0;
	int rc = 0, g, fd = -1;
	HFDS_TRY(hfds_store__resolve_oid(&at, repo, from, err));
	HFDS_TRY(hfds_store__lock(&fd, repo, err));
	if ((g = git_reference_iterator_glob_new(&it, repo->git, "refs/pr/*")) < 0)
		STORE_GIT_FAIL(g, repo->id);
	while (git_reference_next_name(&name, it) == 0) {
		char *end;
		unsigned long n = strtoul(name + 8, &end, 10);
		if (*end == '\0' && n > max && n < 1000000000ul)
			max = (unsigned)n;
	}
	snprintf(refname, sizeof(refname), "refs/pr/%u", max + 1);
	if ((g = git_reference_create(&ref, repo->git, refname, &at, 0, "pull request")) < 0)
		STORE_GIT_FAIL(g, refname);
	*num = max + 1;
done:
	git_reference_free(ref);
	git_reference_iterator_free(it);
	hfds_store__unlock(fd);
	return rc;
}

int hfds_store_pr_list(hfds_store_refs **out, hfds_store_repo *repo, hfds_error *err)
{
	git_reference_iterator *it = NULL;
	hfds_store_refs *refs = NULL;
	const char *name;
	size_t cap = 0;
	int rc = 0, g;
	*out = NULL;
	HFDS_FAIL_IF(!(refs = hfds_calloc(1, sizeof(*refs))), HFDS_ENOMEM, err, "out of memory");
	if ((g = git_reference_iterator_glob_new(&it, repo->git, "refs/pr/*")) < 0)
		STORE_GIT_FAIL(g, repo->id);
	while (git_reference_next_name(&name, it) == 0) {
		hfds_store_ref *r;
		git_oid oid;
		if (git_reference_name_to_id(&oid, repo->git, name) < 0)
			continue;
		if (refs->count == cap) {
			size_t nc = cap ? cap * 2 : 8;
			hfds_store_ref *items = hfds_reallocarray(refs->items, nc, sizeof(*items));
			HFDS_FAIL_IF(!items, HFDS_ENOMEM, err, "out of memory");
			refs->items = items;
			cap = nc;
		}
		r = &refs->items[refs->count++];
		memset(r, 0, sizeof(*r));
		r->kind = HFDS_REF_PR;
		HFDS_FAIL_IF(!(r->name = hfds_strdup(name + 8)) || !(r->ref = hfds_strdup(name)), HFDS_ENOMEM, err,
			"out of memory");
		git_oid_tostr(r->target, sizeof(r->target), &oid);
	}
	*out = refs;
	refs = NULL;
done:
	git_reference_iterator_free(it);
	hfds_store_refs_free(refs);
	return rc;
}
