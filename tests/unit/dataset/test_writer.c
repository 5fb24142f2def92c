/* The dataset writer on a local folder: shard roll-over and names, the card it writes,
 * re-pushes deleting stale shards, the append layout, name rules, features conflicts. */
#include "test.h"

#include <dirent.h>
#include <sys/stat.h>

#include "hfds/arrow.h"
#include "hfds/dataset.h"
#include "util/alloc.h"

static hfds_features *make_features(int with_score)
{
	hfds_features *f = hfds_features_new();
	hfds_features_add(f, "id", hfds_feature_value(HFDS_DTYPE_INT64), NULL);
	hfds_features_add(f, "text", hfds_feature_value(HFDS_DTYPE_STRING), NULL);
	if (with_score)
		hfds_features_add(f, "score", hfds_feature_value(HFDS_DTYPE_FLOAT64), NULL);
	return f;
}

/* rows [first, first+n) with ~100 bytes of hard-to-compress text each */
static int make_batch(hfds_ds *ds, const char *config, int64_t first, int64_t n, struct ArrowArray *out)
{
	hfds_arrow_builder *b = NULL;
	const struct ArrowSchema *s = hfds_ds_schema(ds, config);
	int64_t i;
	int rc;
	if (!s || hfds_arrow_builder_new(&b, s, NULL) < 0)
		return -1;
	for (i = first; i < first + n; i++) {
		char text[128];
		uint64_t x = (uint64_t)i * 0x9E3779B97F4A7C15ull;
		int k;
		for (k = 0; k < 100; k++) {
			x ^= x >> 13;
			x *= 0xff51afd7ed558ccdull;
			text[k] = (char)('a' + (x >> 40) % 26);
		}
		text[100] = '\0';
		hfds_arrow_builder_append_int(b, i, NULL);
		hfds_arrow_builder_append_str(b, text, NULL);
		if (s->n_children > 2)
			hfds_arrow_builder_append_double(b, (double)i / 2, NULL);
	}
	rc = hfds_arrow_builder_finish(b, out, NULL);
	hfds_arrow_builder_free(b);
	return rc;
}

static int write_rows(hfds_ds *ds, const char *config, const char *split, int64_t rows, int64_t per_batch)
{
	int64_t done = 0;
	while (done < rows) {
		struct ArrowArray a;
		int64_t n = rows - done < per_batch ? rows - done : per_batch;
		int rc;
		if (make_batch(ds, config, done, n, &a) < 0)
			return -1;
		rc = hfds_ds_write(ds, config, split, &a, NULL);
		a.release(&a);
		if (rc < 0)
			return rc;
		done += n;
	}
	return 0;
}

static int count_files(const char *dir, const char *prefix, int *hidden)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	if (hidden)
		*hidden = 0;
	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (e->d_name[0] == '.' && hidden)
			(*hidden)++;
		if (!strncmp(e->d_name, prefix, strlen(prefix)))
			n++;
	}
	closedir(d);
	return n;
}

static char *slurp(const char *path)
{
	return test_slurp(path, NULL);
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static char dir1[4200];

static void dataset_dict_shards_and_card(void)
{
	hfds_features *f = make_features(0);
	hfds_ds_options o;
	hfds_ds *ds = NULL;
	hfds_error err;
	char path[4400], *card;
	uint64_t rows = 0, files = 0, nbytes = 0;
	int hidden = 0, n;
	hfds_error_init(&err);
	snprintf(dir1, sizeof(dir1), "%s/dd", test_tmpdir());
	hfds_ds_options_init(&o);
	o.max_shard_size = 1500000; /* 1.5 MB: row groups of 1 MiB (the floor) */
	o.threads = 1;
	REQUIRE(hfds_ds_open(&ds, dir1, f, &o, &err) == 0);
	CHECK_EQ_INT(write_rows(ds, "default", "train", 60000, 5000), 0);
	CHECK_EQ_INT(write_rows(ds, "default", "test", 1000, 1000), 0);
	CHECK_EQ_INT(hfds_ds_finish(ds, &err), 0);
	if (err.code)
		fprintf(stderr, "%s\n", err.message);
	CHECK_EQ_INT(hfds_ds_split_stats(ds, "default", "train", &rows, &nbytes, &files), 0);
	CHECK_EQ_INT(rows, 60000);
	CHECK(files >= 3);
	/* the Arrow size pyarrow's Table.nbytes gives (no nulls: no bitmaps): int64 8 bytes, a
	 * string 4 offset bytes + 100 characters, whatever the batches and shards */
	CHECK_EQ_INT(nbytes, 60000 * (8 + 4 + 100));
	CHECK_EQ_INT(hfds_ds_split_stats(ds, "default", "test", NULL, &nbytes, NULL), 0);
	CHECK_EQ_INT(nbytes, 1000 * (8 + 4 + 100));
	snprintf(path, sizeof(path), "%s/data", dir1);
	n = count_files(path, "train-", &hidden);
	CHECK_EQ_INT(n, (int)files);
	CHECK_EQ_INT(hidden, 0);
	snprintf(path, sizeof(path), "%s/data/train-00000-of-%05d.parquet", dir1, (int)files);
	CHECK(exists(path));
	snprintf(path, sizeof(path), "%s/data/train-%05d-of-%05d.parquet", dir1, (int)files - 1, (int)files);
	CHECK(exists(path));
	snprintf(path, sizeof(path), "%s/data/test-00000-of-00001.parquet", dir1);
	CHECK(exists(path));
	snprintf(path, sizeof(path), "%s/README.md", dir1);
	card = slurp(path);
	REQUIRE(card);
	CHECK(!strncmp(card, "---\ndataset_info:\n  features:\n  - name: id\n    dtype: int64\n  - name: text\n"
		"    dtype: string\n  splits:\n  - name: train\n", 100));
	CHECK(strstr(card, "    num_examples: 60000\n  - name: test\n") != NULL);
	CHECK(strstr(card, "configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train-*\n"
		"  - split: test\n    path: data/test-*\n---\n") != NULL);
	free(card);
	hfds_ds_free(ds);
	hfds_features_free(f);
}

static void repush_fewer_shards_deletes_stale(void)
{
	hfds_features *f = make_features(0);
	hfds_ds_options o;
	hfds_ds *ds = NULL;
	char path[4400];
	uint64_t files = 0;
	REQUIRE(dir1[0]);
	hfds_ds_options_init(&o);
	o.max_shard_size = 1500000;
	o.threads = 1;
	REQUIRE(hfds_ds_open(&ds, dir1, f, &o, NULL) == 0);
	CHECK_EQ_INT(write_rows(ds, "default", "train", 500, 500), 0);
	CHECK_EQ_INT(write_rows(ds, "default", "validation", 10, 10), 0);
	CHECK_EQ_INT(hfds_ds_finish(ds, NULL), 0);
	hfds_ds_split_stats(ds, "default", "train", NULL, NULL, &files);
	CHECK_EQ_INT(files, 1);
	snprintf(path, sizeof(path), "%s/data", dir1);
	/* DatasetDict push: the old train shards and the dropped test split are gone */
	CHECK_EQ_INT(count_files(path, "train-", NULL), 1);
	CHECK_EQ_INT(count_files(path, "test-", NULL), 0);
	CHECK_EQ_INT(count_files(path, "validation-", NULL), 1);
	hfds_ds_free(ds);
	hfds_features_free(f);
}

static void single_split_keeps_others_and_checks_features(void)
{
	hfds_features *f = make_features(0), *g = make_features(1);
	hfds_ds_options o;
	hfds_ds *ds = NULL;
	hfds_error err;
	char path[4400], *before, *after;
	REQUIRE(dir1[0]);
	hfds_ds_options_init(&o);
	o.threads = 1;
	snprintf(path, sizeof(path), "%s/README.md", dir1);
	before = slurp(path);
	/* other features for 'train' while 'validation' stays: refused, nothing changes */
	hfds_error_init(&err);
	REQUIRE(hfds_ds_open(&ds, dir1, g, &o, NULL) == 0);
	CHECK_EQ_INT(write_rows(ds, "default", "train", 20, 20), 0);
	CHECK_EQ_INT(hfds_ds_finish(ds, &err), HFDS_ECONFLICT);
	CHECK(strstr(err.message, "features") != NULL);
	hfds_ds_free(ds);
	ds = NULL;
	after = slurp(path);
	CHECK(before && after && !strcmp(before, after));
	free(after);
	/* and the shard that had the same name is still the old one */
	snprintf(path, sizeof(path), "%s/data/train-00000-of-00001.parquet", dir1);
	CHECK(exists(path));
	snprintf(path, sizeof(path), "%s/README.md", dir1);
	/* same features: train replaced, validation kept */
	REQUIRE(hfds_ds_open(&ds, dir1, f, &o, NULL) == 0);
	CHECK_EQ_INT(write_rows(ds, "default", "train", 20, 20), 0);
	CHECK_EQ_INT(hfds_ds_finish(ds, NULL), 0);
	after = slurp(path);
	CHECK(after && strstr(after, "  - name: train\n    num_bytes: ") && strstr(after, "    num_examples: 20\n"));
	CHECK(after && strstr(after, "  - name: validation\n"));
	snprintf(path, sizeof(path), "%s/data", dir1);
	CHECK_EQ_INT(count_files(path, "validation-", NULL), 1);
	CHECK_EQ_INT(count_files(path, "train-", NULL), 1);
	free(before);
	free(after);
	hfds_ds_free(ds);
	hfds_features_free(f);
	hfds_features_free(g);
}

static void append_layout(void)
{
	hfds_features *f = make_features(0);
	hfds_ds_options o;
	hfds_ds *ds = NULL;
	char dir[4200], path[4400], *card;
	int round;
	snprintf(dir, sizeof(dir), "%s/append", test_tmpdir());
	hfds_ds_options_init(&o);
	o.layout = HFDS_DS_LAYOUT_APPEND;
	o.threads = 1;
	for (round = 0; round < 2; round++) {
		REQUIRE(hfds_ds_open(&ds, dir, f, &o, NULL) == 0);
		CHECK_EQ_INT(write_rows(ds, "default", "train", 100, 100), 0);
		CHECK_EQ_INT(hfds_ds_finish(ds, NULL), 0);
		hfds_ds_free(ds);
		ds = NULL;
	}
	snprintf(path, sizeof(path), "%s/train/batch_000001.parquet", dir);
	CHECK(exists(path));
	snprintf(path, sizeof(path), "%s/train/batch_000002.parquet", dir);
	CHECK(exists(path));
	snprintf(path, sizeof(path), "%s/README.md", dir);
	card = slurp(path);
	CHECK(card && strstr(card, "    num_examples: 200\n"));
	CHECK(card && strstr(card, "  - split: train\n    path: train/*.parquet\n"));
	free(card);
	hfds_features_free(f);
}

static void names_refused(void)
{
	hfds_features *f = make_features(0);
	hfds_ds *ds = NULL;
	struct ArrowArray a;
	char dir[4200];
	hfds_error err;
	snprintf(dir, sizeof(dir), "%s/names", test_tmpdir());
	REQUIRE(hfds_ds_open(&ds, dir, f, NULL, NULL) == 0);
	REQUIRE(make_batch(ds, "default", 0, 3, &a) == 0);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_ds_write(ds, "default", "my-split", &a, &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "my-split") != NULL);
	CHECK_EQ_INT(hfds_ds_write(ds, "data", "train", &a, NULL), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_ds_write(ds, "default", "train", &a, NULL), 0);
	a.release(&a);
	hfds_ds_free(ds); /* not finished: the shard is removed */
	snprintf(dir, sizeof(dir), "%s/names/data", test_tmpdir());
	CHECK_EQ_INT(count_files(dir, "", NULL), 0);
	hfds_features_free(f);
}

static void determinism_across_threads(void)
{
	hfds_features *f = make_features(1);
	hfds_ds_options o;
	hfds_ds *ds = NULL;
	char dir[4200], a[4400], b[4400], *x, *y;
	int t;
	for (t = 0; t < 2; t++) {
		snprintf(dir, sizeof(dir), "%s/det%d", test_tmpdir(), t);
		hfds_ds_options_init(&o);
		o.threads = t ? 2 : 1;
		REQUIRE(hfds_ds_open(&ds, dir, f, &o, NULL) == 0);
		CHECK_EQ_INT(write_rows(ds, "en", "train", 3000, 700), 0);
		CHECK_EQ_INT(hfds_ds_finish(ds, NULL), 0);
		hfds_ds_free(ds);
		ds = NULL;
	}
	snprintf(a, sizeof(a), "%s/det0/README.md", test_tmpdir());
	snprintf(b, sizeof(b), "%s/det1/README.md", test_tmpdir());
	x = slurp(a);
	y = slurp(b);
	CHECK(x && y && !strcmp(x, y));
	CHECK(x && strstr(x, "dataset_info:\n  config_name: en\n"));
	free(x);
	free(y);
	hfds_features_free(f);
}

static void legacy_layout_gets_configs(void)
{
	hfds_features *f = make_features(0);
	hfds_ds *ds = NULL;
	char dir[4200], path[4400], *card;
	FILE *fp;
	snprintf(dir, sizeof(dir), "%s/legacy", test_tmpdir());
	mkdir(dir, 0777);
	snprintf(path, sizeof(path), "%s/data", dir);
	mkdir(path, 0777);
	/* files of an old push_to_hub (2.3-2.14 names with a fingerprint), no card */
	snprintf(path, sizeof(path), "%s/data/test-00000-of-00001-0123456789abcdef.parquet", dir);
	fp = fopen(path, "wb");
	REQUIRE(fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/data/train-00000-of-00001.parquet", dir);
	fp = fopen(path, "wb");
	REQUIRE(fp);
	fclose(fp);
	REQUIRE(hfds_ds_open(&ds, dir, f, NULL, NULL) == 0);
	CHECK_EQ_INT(write_rows(ds, "default", "validation", 10, 10), 0);
	CHECK_EQ_INT(hfds_ds_finish(ds, NULL), 0);
	snprintf(path, sizeof(path), "%s/README.md", dir);
	card = slurp(path);
	/* the found splits in the order of the sorted file list (datasets walks fs.glob), then the pushed one */
	CHECK(card && strstr(card, "configs:\n- config_name: default\n  data_files:\n  - split: test\n    path: data/test-*\n"
		"  - split: train\n    path: data/train-*\n  - split: validation\n    path: data/validation-*\n---\n"));
	free(card);
	hfds_ds_free(ds);
	hfds_features_free(f);
}

/* hfds_ds_end_split closes the split's shard at once (hfds build ends each split so one
 * Parquet writer is alive): the shard is complete on disk before finish, a later write to the
 * split starts a second shard, ending a split with no open shard does nothing, and ending
 * after finish is refused. */
static void end_split_closes_the_shard(void)
{
	hfds_features *f = make_features(0);
	hfds_ds_options o;
	hfds_ds *ds = NULL;
	hfds_error err;
	char dir[4200], path[4400];
	uint64_t rows = 0, files = 0;
	int hidden = 0;
	hfds_error_init(&err);
	snprintf(dir, sizeof(dir), "%s/endsplit", test_tmpdir());
	hfds_ds_options_init(&o);
	o.threads = 1;
	REQUIRE(hfds_ds_open(&ds, dir, f, &o, &err) == 0);
	CHECK_EQ_INT(write_rows(ds, "default", "train", 300, 100), 0);
	CHECK_EQ_INT(hfds_ds_end_split(ds, "default", "train", &err), 0);
	snprintf(path, sizeof(path), "%s/data", dir);
	CHECK_EQ_INT(count_files(path, "train-", &hidden), 0);
	CHECK_EQ_INT(hidden, 1);   /* the closed shard, named at finish */
	CHECK_EQ_INT(hfds_ds_end_split(ds, "default", "train", &err), 0);
	CHECK_EQ_INT(hfds_ds_end_split(ds, "default", "nothing-yet", &err), 0);
	CHECK_EQ_INT(write_rows(ds, "default", "train", 50, 50), 0);
	CHECK_EQ_INT(hfds_ds_finish(ds, &err), 0);
	CHECK_EQ_INT(hfds_ds_split_stats(ds, "default", "train", &rows, NULL, &files), 0);
	CHECK_EQ_INT(rows, 350);
	CHECK_EQ_INT(files, 2);
	CHECK_EQ_INT(count_files(path, "train-", NULL), 2);
	CHECK_EQ_INT(hfds_ds_end_split(ds, "default", "train", &err), HFDS_ESTATE);
	hfds_ds_free(ds);
	hfds_features_free(f);
}

int main(void)
{
	RUN(dataset_dict_shards_and_card);
	RUN(repush_fewer_shards_deletes_stale);
	RUN(single_split_keeps_others_and_checks_features);
	RUN(append_layout);
	RUN(names_refused);
	RUN(determinism_across_threads);
	RUN(legacy_layout_gets_configs);
	RUN(end_split_closes_the_shard);
	TEST_END();
}
