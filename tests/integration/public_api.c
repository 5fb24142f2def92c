/*
 * A program that sees only the public API: it includes only <hfds/...> and links only the
 * shared libhfds (hidden visibility: just HFDS_EXTERN symbols exist). Everything the API
 * hands out is released with hfds_free or the object's _free, so a header that names an
 * unexported function, or memory that needs an internal free, fails to link or leaks
 * under LeakSanitizer. Writes and reads back one Parquet file in argv[1]'s folder.
 */
#include <hfds/arrow.h>
#include <hfds/common.h>
#include <hfds/dataset.h>
#include <hfds/features.h>
#include <hfds/parquet.h>
#include <hfds/parquet_reader.h>
#include <hfds/store.h>

#include <stdio.h>
#include <string.h>

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); return 1; } while (0)

static int round_trip(const char *dir, const hfds_features *f)
{
	char path[4096];
	struct ArrowSchema schema;
	struct ArrowArray batch;
	struct ArrowArrayStream st;
	hfds_arrow_builder *b = NULL;
	hfds_pq_writer *w = NULL;
	hfds_pq_reader *r = NULL;
	hfds_pq_writer_options wo;
	hfds_pq_scan_options so;
	hfds_pq_file_info info;
	hfds_error err;
	hfds_error_init(&err);
	snprintf(path, sizeof(path), "%s/public_api.parquet", dir);
	if (hfds_features_to_arrow_schema(&schema, f, 0, &err) < 0 || hfds_arrow_builder_new(&b, &schema, &err) < 0)
		FAIL("builder: %s", err.message);
	for (int i = 0; i < 3; i++)
		if (hfds_arrow_builder_append_int(b, i, &err) < 0 || hfds_arrow_builder_append_str(b, "row", &err) < 0)
			FAIL("append: %s", err.message);
	if (hfds_arrow_builder_finish(b, &batch, &err) < 0)
		FAIL("finish: %s", err.message);
	hfds_pq_writer_options_init(&wo);
	wo.threads = 1;
	if (hfds_pq_writer_open(&w, path, &schema, &wo, &err) < 0 || hfds_pq_writer_write(w, &batch, &err) < 0 ||
	    hfds_pq_writer_close(w, &info, &err) < 0)
		FAIL("write: %s", err.message);
	batch.release(&batch);
	schema.release(&schema);
	hfds_pq_writer_free(w);
	hfds_arrow_builder_free(b);
	if (hfds_pq_reader_open_path(&r, path, NULL, &err) < 0)
		FAIL("open: %s", err.message);
	if (hfds_pq_reader_num_rows(r) != 3)
		FAIL("read back %lld rows, wrote 3", (long long)hfds_pq_reader_num_rows(r));
	hfds_pq_scan_options_init(&so);
	if (hfds_pq_reader_scan(r, &so, &st, &err) < 0 || st.get_next(&st, &batch) != 0 || batch.length != 3)
		FAIL("scan: %s", err.message);
	batch.release(&batch);
	st.release(&st);
	hfds_pq_reader_free(r);
	return 0;
}

int main(int argc, char **argv)
{
	hfds_features *f = hfds_features_new();
	hfds_error err;
	char *json = NULL, *glob = NULL, *md = NULL;
	const char *keys[] = {"k"}, *values[] = {"v"};
	hfds_error_init(&err);
	if (argc != 2 || !f)
		FAIL("usage: public_api DIR");
	if (hfds_features_add(f, "id", hfds_feature_value(HFDS_DTYPE_INT64), &err) < 0 ||
	    hfds_features_add(f, "text", hfds_feature_value(HFDS_DTYPE_STRING), &err) < 0)
		FAIL("features: %s", err.message);
	if (hfds_features_to_json(&json, NULL, f, 0, &err) < 0 || !strstr(json, "\"int64\""))
		FAIL("features json: %s", err.message);
	if (hfds_ds_split_glob(&glob, "default", "train", HFDS_DS_LAYOUT_SHARDS, &err) < 0)
		FAIL("glob: %s", err.message);
	if (hfds_arrow_metadata_build(&md, keys, values, 1, &err) < 0 || hfds_arrow_metadata_count(md) != 1)
		FAIL("metadata: %s", err.message);
	hfds_free(json);
	hfds_free(glob);
	hfds_free(md);
	/* memory the caller hands over comes from hfds_malloc */
	char *mine = hfds_malloc(16);
	if (!mine)
		FAIL("hfds_malloc");
	hfds_free(mine);
	hfds_free(NULL);
	if (round_trip(argv[1], f) != 0)
		return 1;
	hfds_features_free(f);
	puts("public API ok");
	return 0;
}
