/* hfds_push as a C program uses it, against the embedded hub: shards handed to the hub
 * while writing (stored events before the commit, spool empty afterwards), several commits
 * under a tiny cap with README.md only in the last, and two no-commit pushes merged from
 * their manifests into one commit with the summed rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "hfds/publish.h"
#include "util/alloc.h"

typedef struct seen {
	int shards, stored, stored_before_commit, commits;
	uint64_t peak_spool;
} seen;

static void on_event(void *payload, const hfds_push_event *e)
{
	seen *s = payload;
	if (!strcmp(e->event, "shard"))
		s->shards++;
	if (!strcmp(e->event, "stored")) {
		s->stored++;
		if (!s->commits)
			s->stored_before_commit++;
	}
	if (!strcmp(e->event, "commit"))
		s->commits++;
	if (e->up.spool_bytes > s->peak_spool)
		s->peak_spool = e->up.spool_bytes;
}

static const char *write_rows(const char *name, int n, int start)
{
	static char path[4][4200];
	static int slot;
	char *p = path[slot++ % 4];
	FILE *fp;
	snprintf(p, 4200, "%s/%s", test_tmpdir(), name);
	fp = fopen(p, "w");
	CHECK(fp != NULL);
	if (!fp)
		return p;
	for (int i = start; i < start + n; i++)
		fprintf(fp, "{\"id\": %d, \"text\": \"row %d %.*s\"}\n", i, i, i % 40, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	fclose(fp);
	return p;
}

static size_t log_count(hfds_hub *hub, const char *repo)
{
	hfds_store_log *log = NULL;
	size_t n;
	if (hfds_hub_log(&log, hub, HFDS_REPO_DATASET, repo, NULL, 0, NULL) < 0)
		return 0;
	n = log->count;
	hfds_store_log_free(log);
	return n;
}

static int has_readme(hfds_hub *hub, const char *repo, const char *rev)
{
	uint8_t *data = NULL;
	size_t n = 0;
	int rc = hfds_hub_read(&data, &n, hub, HFDS_REPO_DATASET, repo, rev, "README.md", 0, UINT64_MAX, 1 << 20, NULL);
	hfds_free(data);
	return rc == 0;
}

static int push_rows(hfds_hub *hub, const char *repo, const char *file, uint64_t shard, size_t max_files, int layout,
	seen *s, hfds_push_result *out)
{
	hfds_push_options o;
	hfds_push_source src = {NULL, "train", NULL};
	hfds_push_result res;
	hfds_error err;
	int rc;
	hfds_error_init(&err);
	src.files = file;
	hfds_push_options_init(&o);
	o.repo_id = repo;
	o.sources = &src;
	o.source_count = 1;
	o.ds.max_shard_size = shard;
	o.ds.threads = 1;
	o.ds.layout = layout;
	o.publish.max_files = max_files;
	o.progress = s ? on_event : NULL;
	o.progress_payload = s;
	rc = hfds_push(hub, &o, &res, &err);
	if (rc < 0)
		printf("push: %s\n", err.message);
	if (out)
		*out = res;
	else
		hfds_push_result_release(&res);
	return rc;
}

static void push_batched(void)
{
	char root[4300];
	hfds_hub *hub = NULL;
	hfds_push_result res;
	hfds_store_log *log = NULL;
	seen s = {0, 0, 0, 0, 0};
	hfds_error err;
	hfds_error_init(&err);
	snprintf(root, sizeof(root), "%s/hub1", test_tmpdir());
	REQUIRE(hfds_hub_open(&hub, root, &err) == 0);
	CHECK_EQ_INT(push_rows(hub, "me/batched", write_rows("a.jsonl", 4000, 0), 16000, 3, HFDS_DS_LAYOUT_SHARDS, &s,
		&res), 0);
	REQUIRE(res.split_count == 1);
	CHECK_EQ_INT(res.splits[0].rows, 4000);
	CHECK(s.shards >= 5);
	CHECK_EQ_INT(s.stored_before_commit, s.shards);   /* all in the store before any commit */
	CHECK(s.commits >= 3);
	CHECK_EQ_INT(log_count(hub, "me/batched"), (size_t)s.commits + 1);
	REQUIRE(hfds_hub_log(&log, hub, HFDS_REPO_DATASET, "me/batched", NULL, 0, &err) == 0);
	CHECK(has_readme(hub, "me/batched", log->items[0].id));
	CHECK(!has_readme(hub, "me/batched", log->items[1].id));   /* README.md comes last */
	CHECK(strstr(log->items[1].title, "(part 00000-of-") || strstr(log->items[1].title, "(part "));
	hfds_store_log_free(log);
	hfds_push_result_release(&res);
	hfds_hub_free(hub);
}

/* More stale shards to delete than a commit may hold: the deletions go with README.md in the
 * last commit (this once looped on empty part commits); append batches keep their numbers
 * across part commits. */
static void deletions_and_append(void)
{
	char root[4300];
	hfds_hub *hub = NULL;
	hfds_store_tree *t = NULL;
	size_t parquet = 0;
	const char *many = write_rows("many.jsonl", 3000, 0), *few = write_rows("few.jsonl", 50, 0);
	snprintf(root, sizeof(root), "%s/hub3", test_tmpdir());
	REQUIRE(hfds_hub_open(&hub, root, NULL) == 0);
	CHECK_EQ_INT(push_rows(hub, "me/stale", many, 8000, 0, HFDS_DS_LAYOUT_SHARDS, NULL, NULL), 0);
	CHECK_EQ_INT(push_rows(hub, "me/stale", few, 8000, 3, HFDS_DS_LAYOUT_SHARDS, NULL, NULL), 0);
	REQUIRE(hfds_hub_tree_list(&t, hub, HFDS_REPO_DATASET, "me/stale", NULL, "data", 1, NULL) == 0);
	CHECK_EQ_INT(t->count, 1);
	CHECK_EQ_STR(t->items[0].path, "data/train-00000-of-00001.parquet");
	hfds_store_tree_free(t);
	t = NULL;
	CHECK_EQ_INT(push_rows(hub, "me/app", few, 8000, 0, HFDS_DS_LAYOUT_APPEND, NULL, NULL), 0);
	CHECK_EQ_INT(push_rows(hub, "me/app", many, 8000, 3, HFDS_DS_LAYOUT_APPEND, NULL, NULL), 0);
	REQUIRE(hfds_hub_tree_list(&t, hub, HFDS_REPO_DATASET, "me/app", NULL, "train", 1, NULL) == 0);
	for (size_t i = 0; i < t->count; i++) {
		char want[64];
		snprintf(want, sizeof(want), "train/batch_%06zu.parquet", i + 1);
		CHECK_EQ_STR(t->items[i].path, want);
		parquet++;
	}
	CHECK(parquet >= 5);
	CHECK(log_count(hub, "me/app") >= 4);
	hfds_store_tree_free(t);
	hfds_hub_free(hub);
}

static void manifests(void)
{
	char root[4300], m1[4300], m2[4300], sha[41];
	const char *paths[2] = {m1, m2};
	hfds_hub *hub = NULL;
	hfds_push_options o;
	hfds_push_source src = {NULL, "train", NULL};
	hfds_push_result res;
	hfds_ds_publish_options po;
	hfds_ds_repo_file *files = NULL;
	size_t nfiles = 0;
	hfds_hub_dataset *d = NULL;
	hfds_error err;
	hfds_error_init(&err);
	snprintf(root, sizeof(root), "%s/hub2", test_tmpdir());
	snprintf(m1, sizeof(m1), "%s/m1.json", test_tmpdir());
	snprintf(m2, sizeof(m2), "%s/m2.json", test_tmpdir());
	REQUIRE(hfds_hub_open(&hub, root, &err) == 0);
	for (int w = 0; w < 2; w++) {
		src.files = write_rows(w ? "w1.jsonl" : "w0.jsonl", 600 + 100 * w, 1000 * w);
		hfds_push_options_init(&o);
		o.repo_id = "me/dist";
		o.sources = &src;
		o.source_count = 1;
		o.ds.max_shard_size = 8000;
		o.ds.threads = 1;
		o.no_commit = 1;
		o.manifest_path = paths[w];
		CHECK_EQ_INT(hfds_push(hub, &o, &res, &err), 0);
		hfds_push_result_release(&res);
	}
	CHECK_EQ_INT(log_count(hub, "me/dist"), 1);   /* nothing committed yet */
	hfds_ds_publish_options_init(&po);
	CHECK_EQ_INT(hfds_push_commit_manifests(hub, "me/dist", NULL, paths, 2, &po, NULL, sha, &err), 0);
	CHECK_EQ_INT(log_count(hub, "me/dist"), 2);
	REQUIRE(hfds_hub_dataset_open(&d, hub, "me/dist", NULL, 0, &err) == 0);
	CHECK_EQ_INT(hfds_ds_split_files(hfds_hub_dataset_ops(d), sha, NULL, "train", &files, &nfiles, &err), 0);
	CHECK(nfiles >= 4);
	if (nfiles)
		CHECK(strstr(files[0].path, "-of-") != NULL);
	hfds_ds_repo_files_free(files, nfiles);
	hfds_hub_dataset_free(d);
	/* a manifest that is not one: a parse error naming the file */
	{
		FILE *fp = fopen(m1, "w");
		REQUIRE(fp != NULL);
		fputs("{\"hfds_manifest\": 1,\n \"configs\": [", fp);
		fclose(fp);
		CHECK_EQ_INT(hfds_push_commit_manifests(hub, "me/dist", NULL, paths, 2, &po, NULL, sha, &err), HFDS_EPARSE);
		CHECK(strstr(err.message, "m1.json:") != NULL);
	}
	hfds_hub_free(hub);
}

int main(void)
{
	RUN(push_batched);
	RUN(manifests);
	RUN(deletions_and_append);
	TEST_END();
}
