/* Commit history of a revision, newest first (the Hub's list-commits order). */
#include "store/store_internal.h"

#include <string.h>

#include "util/alloc.h"
#include "util/try.h"

void hfds_store_log_free(hfds_store_log *log)
{
	if (!log)
		return;
	for (size_t i = 0; i < log->count; i++) {
		hfds_free(log->items[i].title);
		hfds_free(log->items[i].message);
		hfds_free(log->items[i].author);
	}
	hfds_free(log->items);
	hfds_free(log);
}

static int fill(hfds_store_log_entry *e, const git_commit *c, hfds_error *err)
{
	const char *msg = git_commit_message(c), *nl, *body;
	const git_signature *a = git_commit_author(c);
	memset(e, 0, sizeof(*e));
	git_oid_tostr(e->id, sizeof(e->id), git_commit_id(c));
	if (!msg)
		msg = "";
	nl = strchr(msg, '\n');
	body = nl ? nl + 1 : msg + strlen(msg);
	while (*body == '\n')
		body++;
	e->title = hfds_strndup(msg, nl ? (size_t)(nl - msg) : strlen(msg));
	e->message = hfds_strdup(body);
	e->author = hfds_strdup(a && a->name ? a->name : "");
	e->date = a ? (int64_t)a->when.time : (int64_t)git_commit_time(c);
	if (!e->title || !e->message || !e->author)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	/* The stored message ends with a newline; the body is reported without it. */
	for (size_t n = strlen(e->message); n > 0 && e->message[n - 1] == '\n'; n--)
		e->message[n - 1] = '\0';
	return 0;
}

int hfds_store_log_list(hfds_store_log **out, hfds_store_repo *repo, const char *rev, size_t limit,
	hfds_error *err)
{
	hfds_store_log *log = NULL;
	git_revwalk *walk = NULL;
	git_commit *c = NULL;
	git_oid start, id;
	size_t cap = 0;
	int rc = 0, g;
	*out = NULL;
	HFDS_TRY(hfds_store__resolve_oid(&start, repo, rev, err));
	HFDS_FAIL_IF(!(log = hfds_calloc(1, sizeof(*log))), HFDS_ENOMEM, err, "out of memory");
	if ((g = git_revwalk_new(&walk, repo->git)) < 0 || (g = git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME)) < 0
		|| (g = git_revwalk_push(walk, &start)) < 0)
		STORE_GIT_FAIL(g, repo->id);
	while ((!limit || log->count < limit) && (g = git_revwalk_next(&id, walk)) == 0) {
		if (log->count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			hfds_store_log_entry *items = hfds_reallocarray(log->items, ncap, sizeof(*items));
			HFDS_FAIL_IF(!items, HFDS_ENOMEM, err, "out of memory");
			log->items = items;
			cap = ncap;
		}
		if ((g = git_commit_lookup(&c, repo->git, &id)) < 0)
			STORE_GIT_FAIL(g, repo->id);
		rc = fill(&log->items[log->count], c, err);
		log->count++;
		git_commit_free(c);
		c = NULL;
		if (rc < 0)
			goto done;
	}
	if (g < 0 && g != GIT_ITEROVER)
		STORE_GIT_FAIL(g, repo->id);
	*out = log;
	log = NULL;
done:
	git_commit_free(c);
	git_revwalk_free(walk);
	hfds_store_log_free(log);
	return rc;
}
