/* hfds_ds_publish / delete_config / purge against an in-memory repository implementing
 * hfds_ds_repo_ops: what one commit carries (adds, deletes, card) and the re-merge after
 * a conflict. (The embedded store itself is exercised by tests/integration/dataset.cmake.) */
#include "test.h"

#include "hfds/arrow.h"
#include "hfds/dataset.h"
#include "util/alloc.h"

#define MAXF 64

typedef struct memrepo {
	int head;                  /* commit counter */
	char *path[MAXF];
	uint64_t size[MAXF];
	char *readme;
	int commits;
	int conflicts_left;        /* make the next commits fail, after a concurrent change */
	size_t last_adds, last_deletes;
	char last_title[128];
} memrepo;

static int find(memrepo *m, const char *p)
{
	int i;
	for (i = 0; i < MAXF; i++)
		if (m->path[i] && !strcmp(m->path[i], p))
			return i;
	return -1;
}

static void put(memrepo *m, const char *p, uint64_t size)
{
	int i = find(m, p);
	if (i < 0)
		for (i = 0; i < MAXF && m->path[i]; i++)
			;
	if (i >= MAXF)
		return;
	if (!m->path[i])
		m->path[i] = strdup(p);
	m->size[i] = size;
}

static int m_head(void *pl, char sha[41], hfds_error *err)
{
	memrepo *m = pl;
	(void)err;
	snprintf(sha, 41, "%040d", m->head);
	return 0;
}

static int m_read(void *pl, const char *rev, const char *path, char **data, size_t *len, hfds_error *err)
{
	memrepo *m = pl;
	(void)rev;
	(void)err;
	if (strcmp(path, "README.md") != 0 || !m->readme)
		return HFDS_ENOTFOUND;
	*data = hfds_strdup(m->readme);
	*len = strlen(m->readme);
	return 0;
}

static int m_list(void *pl, const char *rev, hfds_ds_repo_file **files, size_t *count, hfds_error *err)
{
	memrepo *m = pl;
	size_t n = 0;
	int i;
	(void)rev;
	(void)err;
	*files = hfds_calloc(MAXF, sizeof(**files));
	for (i = 0; i < MAXF; i++) {
		if (!m->path[i])
			continue;
		(*files)[n].path = hfds_strdup(m->path[i]);
		(*files)[n].size = m->size[i];
		n++;
	}
	*count = n;
	return 0;
}

static int m_commit(void *pl, const hfds_ds_commit *c, char out[41], hfds_error *err)
{
	memrepo *m = pl;
	char head[41];
	size_t i;
	m_head(m, head, NULL);
	if (m->conflicts_left > 0) {
		/* someone pushed config "other" meanwhile */
		m->conflicts_left--;
		free(m->readme);
		m->readme = strdup("---\nconfigs:\n- config_name: other\n  data_files:\n  - split: train\n    path: other/train-*\n---\n");
		put(m, "other/train-00000-of-00001.parquet", 10);
		m->head++;
		return hfds_error_set(err, HFDS_ECONFLICT, "parent moved");
	}
	if (strcmp(c->parent, head) != 0)
		return hfds_error_set(err, HFDS_ECONFLICT, "parent moved");
	for (i = 0; i < c->delete_count; i++) {
		int k = find(m, c->deletes[i]);
		if (k < 0)
			return hfds_error_set(err, HFDS_ENOTFOUND, "%s: missing", c->deletes[i]);
		free(m->path[k]);
		m->path[k] = NULL;
	}
	for (i = 0; i < c->add_count; i++) {
		if (!strcmp(c->adds[i].path, "README.md")) {
			free(m->readme);
			m->readme = strndup(c->adds[i].data, c->adds[i].len);
			put(m, "README.md", c->adds[i].len);
		} else {
			/* a shard handed over by path, with its sha256 */
			if (!c->adds[i].local_path || !c->adds[i].sha256_hex || strlen(c->adds[i].sha256_hex) != 64)
				return hfds_error_set(err, HFDS_EINVAL, "shard without path or sha256");
			put(m, c->adds[i].path, c->adds[i].size);
		}
	}
	m->last_adds = c->add_count;
	m->last_deletes = c->delete_count;
	snprintf(m->last_title, sizeof(m->last_title), "%s", c->title);
	m->head++;
	m->commits++;
	snprintf(out, 41, "%040d", m->head);
	return 0;
}

static void memrepo_free(memrepo *m)
{
	int i;
	for (i = 0; i < MAXF; i++)
		free(m->path[i]);
	free(m->readme);
}

static hfds_ds_repo_ops ops_for(memrepo *m)
{
	hfds_ds_repo_ops o;
	hfds_ds_repo_ops_init(&o);
	o.payload = m;
	o.head = m_head;
	o.read_file = m_read;
	o.list_files = m_list;
	o.commit = m_commit;
	return o;
}

static int push(memrepo *m, const char *config, const char *const *splits, size_t n, int64_t rows, uint64_t max)
{
	hfds_features *f = hfds_features_new();
	hfds_ds_options o;
	hfds_ds *ds = NULL;
	hfds_ds_repo_ops ops = ops_for(m);
	char dir[4200], sha[41];
	static int seq;
	size_t s;
	int rc = 0;
	hfds_error err;
	hfds_error_init(&err);
	hfds_features_add(f, "id", hfds_feature_value(HFDS_DTYPE_INT64), NULL);
	hfds_features_add(f, "text", hfds_feature_value(HFDS_DTYPE_STRING), NULL);
	hfds_ds_options_init(&o);
	o.max_shard_size = max;
	o.threads = 1;
	snprintf(dir, sizeof(dir), "%s/stage%d", test_tmpdir(), seq++);
	if (hfds_ds_open(&ds, dir, f, &o, &err) < 0)
		rc = -1;
	for (s = 0; rc == 0 && s < n; s++) {
		hfds_arrow_builder *b = NULL;
		struct ArrowArray a;
		int64_t i;
		hfds_arrow_builder_new(&b, hfds_ds_schema(ds, config), NULL);
		for (i = 0; i < rows; i++) {
			char text[200];
			uint64_t x = (uint64_t)i * 0x9E3779B97F4A7C15ull + 1;
			int k;
			for (k = 0; k < 199; k++) {
				x ^= x >> 13;
				x *= 0xff51afd7ed558ccdull;
				text[k] = (char)('a' + (x >> 40) % 26);
			}
			text[199] = '\0';
			hfds_arrow_builder_append_int(b, i, NULL);
			hfds_arrow_builder_append_str(b, text, NULL);
		}
		hfds_arrow_builder_finish(b, &a, NULL);
		hfds_arrow_builder_free(b);
		rc = hfds_ds_write(ds, config, splits[s], &a, &err);
		a.release(&a);
	}
	if (rc == 0)
		rc = hfds_ds_publish(ds, &ops, NULL, sha, &err);
	if (rc < 0 && err.code)
		fprintf(stderr, "push: %s\n", err.message);
	hfds_ds_free(ds);
	hfds_features_free(f);
	return rc;
}

static int count_prefix(memrepo *m, const char *prefix)
{
	int i, n = 0;
	for (i = 0; i < MAXF; i++)
		n += m->path[i] && !strncmp(m->path[i], prefix, strlen(prefix));
	return n;
}

static void one_commit_with_stale_deletes(void)
{
	memrepo m;
	const char *three[] = {"train", "validation", "test"}, *one[] = {"train"};
	int tests;
	memset(&m, 0, sizeof(m));
	CHECK_EQ_INT(push(&m, "en", three, 3, 20000, 1000000), 0);
	CHECK_EQ_INT(m.commits, 1);
	CHECK(count_prefix(&m, "en/train-") >= 3);
	CHECK_EQ_INT(m.last_adds, (size_t)count_prefix(&m, "en/") + 1);
	CHECK_EQ_INT(m.last_deletes, 0);
	CHECK_EQ_STR(m.last_title, "Upload dataset");
	tests = count_prefix(&m, "en/test-");
	/* Dataset push of one smaller split: its old shards go in the same commit, others stay */
	CHECK_EQ_INT(push(&m, "en", one, 1, 100, 1000000), 0);
	CHECK_EQ_INT(m.commits, 2);
	CHECK_EQ_INT(count_prefix(&m, "en/train-"), 1);
	CHECK_EQ_INT(count_prefix(&m, "en/train-00000-of-00001.parquet"), 1);
	CHECK_EQ_INT(count_prefix(&m, "en/test-"), tests);
	CHECK(m.last_deletes >= 2);
	CHECK(m.readme && strstr(m.readme, "  - name: train\n    num_bytes: ") && strstr(m.readme, "    num_examples: 100\n"));
	CHECK(m.readme && strstr(m.readme, "path: en/validation-*"));
	memrepo_free(&m);
}

static void conflict_remerges_card(void)
{
	memrepo m;
	const char *one[] = {"train"};
	memset(&m, 0, sizeof(m));
	m.conflicts_left = 2;
	CHECK_EQ_INT(push(&m, "fr", one, 1, 50, 500000000), 0);
	CHECK_EQ_INT(m.commits, 1);
	/* the concurrent push's config survives in the card merged on the new head */
	CHECK(m.readme && strstr(m.readme, "- config_name: fr\n") && strstr(m.readme, "- config_name: other\n"));
	CHECK_EQ_INT(count_prefix(&m, "other/"), 1);
	memrepo_free(&m);
}

static void delete_config_and_purge(void)
{
	memrepo m;
	const char *two[] = {"train", "test"};
	hfds_ds_repo_ops ops = ops_for(&m);
	size_t deleted = 0;
	char sha[41];
	hfds_error err;
	memset(&m, 0, sizeof(m));
	put(&m, ".gitattributes", 100);
	CHECK_EQ_INT(push(&m, "a", two, 2, 10, 500000000), 0);
	CHECK_EQ_INT(push(&m, "b", two, 2, 10, 500000000), 0);
	CHECK_EQ_INT(hfds_ds_delete_config(&ops, "a", NULL, sha, NULL), 0);
	CHECK_EQ_STR(m.last_title, "Delete 'a' config");
	CHECK_EQ_INT(m.last_deletes, 2);
	CHECK_EQ_INT(count_prefix(&m, "a/"), 0);
	CHECK_EQ_INT(count_prefix(&m, "b/"), 2);
	CHECK(m.readme && !strstr(m.readme, "config_name: a") && strstr(m.readme, "dataset_info:\n  config_name: b\n"));
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_ds_delete_config(&ops, "zz", NULL, sha, &err), HFDS_ENOTFOUND);
	CHECK_EQ_INT(hfds_ds_purge(&ops, NULL, &deleted, sha, NULL), 0);
	CHECK_EQ_INT(deleted, 3);
	CHECK_EQ_INT(count_prefix(&m, ""), 1);
	CHECK_EQ_INT(count_prefix(&m, ".gitattributes"), 1);
	memrepo_free(&m);
}

static void split_files_follow_the_card(void)
{
	memrepo m;
	const char *two[] = {"train", "test"};
	hfds_ds_repo_ops ops = ops_for(&m);
	hfds_ds_repo_file *files = NULL;
	size_t n = 0;
	hfds_error err;
	memset(&m, 0, sizeof(m));
	/* no card: the push_to_hub layout of the default config */
	put(&m, "data/train-00001-of-00002.parquet", 5);
	put(&m, "data/train-00000-of-00002.parquet", 7);
	put(&m, "data/test-00000-of-00001.parquet", 3);
	CHECK_EQ_INT(hfds_ds_split_files(&ops, "0", NULL, "train", &files, &n, NULL), 0);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_STR(files[0].path, "data/train-00000-of-00002.parquet");
	CHECK_EQ_INT(files[0].size, 7);
	hfds_ds_repo_files_free(files, n);
	/* the push lists the data/ files it found as config "default" (as datasets does), which
	 * stays the config picked without a name; "en" is found by its globs, whose `*` does not
	 * cross a folder */
	CHECK_EQ_INT(push(&m, "en", two, 2, 10, 500000000), 0);
	put(&m, "en/train-extra/not-a-shard.parquet", 1);
	CHECK_EQ_INT(hfds_ds_split_files(&ops, "0", NULL, "test", &files, &n, NULL), 0);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_STR(files[0].path, "data/test-00000-of-00001.parquet");
	hfds_ds_repo_files_free(files, n);
	CHECK_EQ_INT(hfds_ds_split_files(&ops, "0", "en", "train", &files, &n, NULL), 0);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_STR(files[0].path, "en/train-00000-of-00001.parquet");
	hfds_ds_repo_files_free(files, n);
	/* a repo with one config (datasets picks it without a name) */
	memrepo_free(&m);
	memset(&m, 0, sizeof(m));
	CHECK_EQ_INT(push(&m, "fr", two, 2, 10, 500000000), 0);
	CHECK_EQ_INT(hfds_ds_split_files(&ops, "0", NULL, "train", &files, &n, NULL), 0);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_STR(files[0].path, "fr/train-00000-of-00001.parquet");
	hfds_ds_repo_files_free(files, n);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_ds_split_files(&ops, "0", "fr", "validation", &files, &n, &err), HFDS_ENOTFOUND);
	CHECK(strstr(err.message, "config 'fr' has no files for split 'validation'") != NULL);
	CHECK(files == NULL && n == 0);
	memrepo_free(&m);
}

int main(void)
{
	RUN(split_files_follow_the_card);
	RUN(one_commit_with_stale_deletes);
	RUN(conflict_remerges_card);
	RUN(delete_config_and_purge);
	TEST_END();
}
