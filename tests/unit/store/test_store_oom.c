/* Allocation failures at every point of the store's main paths: clean errors, no leaks
 * (ASan checks at exit), and the repository never left half-changed. */
#include <string.h>

#include "store_fixture.h"

/* One round of the common operations; returns the first error code (0 if all passed). */
static int round_trip(hfds_store *st, const char *id)
{
	hfds_store_repo *repo = NULL;
	hfds_store_commit *c = NULL;
	hfds_store_tree *tree = NULL;
	hfds_store_log *log = NULL;
	hfds_store_refs *refs = NULL;
	uint8_t *data = NULL;
	size_t n;
	char sha[HFDS_OID_HEX_SIZE];
	int rc;
	if ((rc = hfds_store_repo_open(&repo, st, HFDS_REPO_DATASET, id, NULL)) < 0)
		goto done;
	if ((rc = hfds_store_commit_new(&c, repo, NULL, NULL)) < 0
		|| (rc = hfds_store_commit_set_message(c, "oom round", "desc", NULL)) < 0
		|| (rc = hfds_store_commit_add_buffer(c, "data/train-00000-of-00001.parquet", "PAR1xyzPAR1", 11, 0, NULL)) < 0
		|| (rc = hfds_store_commit_add_buffer(c, "README.md", "# card\n", 7, 0, NULL)) < 0
		|| (rc = hfds_store_commit_run(c, sha, NULL)) < 0)
		goto done;
	if ((rc = hfds_store_tree_list(&tree, repo, NULL, NULL, 1, NULL)) < 0
		|| (rc = hfds_store_log_list(&log, repo, NULL, 0, NULL)) < 0
		|| (rc = hfds_store_refs_list(&refs, repo, NULL)) < 0
		|| (rc = hfds_store_read(&data, &n, repo, NULL, "data/train-00000-of-00001.parquet", 2, 5, 0, 0, NULL)) < 0)
		goto done;
done:
	hfds_free(data);
	hfds_store_refs_free(refs);
	hfds_store_log_free(log);
	hfds_store_tree_free(tree);
	hfds_store_commit_free(c);
	hfds_store_repo_free(repo);
	return rc;
}

static void every_allocation_fails_once(void)
{
	hfds_store *st = fx_store();
	hfds_store_repo *repo = NULL;
	hfds_store_log *log = NULL;
	char id[64];
	int completed = 0, failures = 0;
	REQUIRE(st);
	for (uint64_t k = 1; k < 1000 && !completed; k++) {
		int rc;
		snprintf(id, sizeof(id), "ns/oom%llu", (unsigned long long)k);
		hfds_alloc_fail_after(k);
		rc = hfds_store_repo_create(st, HFDS_REPO_DATASET, id, 0, NULL);
		if (rc == 0)
			rc = round_trip(st, id);
		hfds_alloc_fail_after(0);
		if (rc == 0)
			completed = 1;
		else if (rc == HFDS_ENOMEM)
			failures++;
		else {
			fprintf(stderr, "allocation %llu: unexpected code %d\n", (unsigned long long)k, rc);
			CHECK(0);
		}
		/* A failed round leaves the repository absent or with at most one new commit. */
		if (hfds_store_repo_open(&repo, st, HFDS_REPO_DATASET, id, NULL) == 0) {
			REQUIRE(hfds_store_log_list(&log, repo, NULL, 0, NULL) == 0);
			CHECK(log->count == 1 || log->count == 2);
			hfds_store_log_free(log);
			hfds_store_repo_free(repo);
		}
	}
	CHECK(completed);
	CHECK(failures > 10);
	printf("%d injected failures, all clean\n", failures);
	hfds_store_free(st);
}

int main(void)
{
	RUN(every_allocation_fails_once);
	TEST_END();
}
