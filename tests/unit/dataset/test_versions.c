/*
 * Every options struct carries the version its caller was compiled against; a struct of
 * another version (another layout) is refused at entry with HFDS_EINVAL naming the struct,
 * before anything is read from it, allocated or created.
 */
#include "test.h"
#include "hfds/dataset.h"
#include "hfds/parquet.h"
#include "hfds/parquet_reader.h"

#include <sys/stat.h>

static int refused(int rc, const hfds_error *err, const char *type)
{
	if (rc != HFDS_EINVAL || !strstr(err->message, type) || !strstr(err->message, "version")) {
		fprintf(stderr, "  rc %d, message \"%s\"\n", rc, err->message);
		return 0;
	}
	return 1;
}

static void test_writer_options_version(void)
{
	hfds_pq_writer_options o;
	hfds_pq_writer *w = NULL;
	struct ArrowSchema s;
	char path[4200];
	struct stat st;
	hfds_error err;
	hfds_error_init(&err);
	REQUIRE(hfds_arrow_schema_init(&s, "+s", "", 0, &err) == 0);
	hfds_pq_writer_options_init(&o);
	CHECK_EQ_INT(o.version, HFDS_PQ_WRITER_OPTIONS_VERSION);
	o.version = HFDS_PQ_WRITER_OPTIONS_VERSION + 1;
	snprintf(path, sizeof(path), "%s/w.parquet", test_tmpdir());
	CHECK(refused(hfds_pq_writer_open(&w, path, &s, &o, &err), &err, "hfds_pq_writer_options"));
	CHECK(w == NULL);
	CHECK(stat(path, &st) != 0); /* nothing created */
	s.release(&s);
}

static void test_reader_and_scan_options_version(void)
{
	hfds_pq_reader_options ro;
	hfds_pq_scan_options so;
	hfds_pq_reader *r = NULL;
	struct ArrowArrayStream st;
	const char *file = test_shared("testdata/parquet-testing/data/alltypes_plain.parquet");
	hfds_error err;
	hfds_error_init(&err);
	hfds_pq_reader_options_init(&ro);
	ro.version = 0;
	CHECK(refused(hfds_pq_reader_open_path(&r, file, &ro, &err), &err, "hfds_pq_reader_options"));
	CHECK(r == NULL);
	hfds_error_init(&err);
	CHECK(refused(hfds_pq_reader_open_memory(&r, "PAR1", 4, "m", &ro, &err), &err, "hfds_pq_reader_options"));
	hfds_error_init(&err);
	hfds_pq_reader_options_init(&ro);
	REQUIRE(hfds_pq_reader_open_path(&r, file, &ro, &err) == 0);
	hfds_pq_scan_options_init(&so);
	CHECK_EQ_INT(so.version, HFDS_PQ_SCAN_OPTIONS_VERSION);
	so.version = 7;
	CHECK(refused(hfds_pq_reader_scan(r, &so, &st, &err), &err, "hfds_pq_scan_options"));
	hfds_pq_reader_free(r);
}

static void test_ds_options_version(void)
{
	hfds_features *f = hfds_features_new();
	hfds_ds_options o;
	hfds_ds *ds = NULL;
	char dir[4200];
	struct stat st;
	hfds_error err;
	hfds_error_init(&err);
	REQUIRE(f != NULL);
	hfds_features_add(f, "id", hfds_feature_value(HFDS_DTYPE_INT64), NULL);
	hfds_ds_options_init(&o);
	o.version = 0;
	snprintf(dir, sizeof(dir), "%s/ds", test_tmpdir());
	CHECK(refused(hfds_ds_open(&ds, dir, f, &o, &err), &err, "hfds_ds_options"));
	CHECK(ds == NULL);
	CHECK(stat(dir, &st) != 0);
	hfds_features_free(f);
}

static int never(void *payload, char sha[41], hfds_error *err)
{
	*(int *)payload = 1;
	return hfds_error_set(err, HFDS_ERROR, "the repository was used");
}

static void test_publish_versions(void)
{
	hfds_ds_repo_ops ops;
	hfds_ds_publish_options po;
	int used = 0;
	size_t deleted = 0;
	hfds_error err;
	hfds_error_init(&err);
	hfds_ds_repo_ops_init(&ops);
	ops.payload = &used;
	ops.head = never;
	hfds_ds_publish_options_init(&po);
	CHECK_EQ_INT(po.version, HFDS_DS_PUBLISH_OPTIONS_VERSION);
	po.version = 2;
	CHECK(refused(hfds_ds_purge(&ops, &po, &deleted, NULL, &err), &err, "hfds_ds_publish_options"));
	hfds_error_init(&err);
	CHECK(refused(hfds_ds_delete_config(&ops, "c", &po, NULL, &err), &err, "hfds_ds_publish_options"));
	hfds_error_init(&err);
	CHECK(refused(hfds_ds_publish_folder(test_tmpdir(), &ops, &po, NULL, &err), &err, "hfds_ds_publish_options"));
	hfds_ds_publish_options_init(&po);
	ops.version = 0;
	hfds_error_init(&err);
	CHECK(refused(hfds_ds_purge(&ops, &po, &deleted, NULL, &err), &err, "hfds_ds_repo_ops"));
	hfds_error_init(&err);
	CHECK(refused(hfds_ds_purge(&ops, NULL, &deleted, NULL, &err), &err, "hfds_ds_repo_ops"));
	CHECK_EQ_INT(used, 0);
}

int main(void)
{
	RUN(test_writer_options_version);
	RUN(test_reader_and_scan_options_version);
	RUN(test_ds_options_version);
	RUN(test_publish_versions);
	TEST_END();
}
