/*
 * `hfds download --prepare`: datasets' own cache from a downloaded snapshot.
 *
 * Why it is needed: datasets 5.2's load_dataset("NS/NAME") with HF_HUB_OFFLINE=1 never looks
 * at the hub cache. dataset_module_factory calls _raise_if_offline_mode_is_enabled() before
 * hf_hub_download of the card, turns that into a ConnectionError and falls back to
 * CachedDatasetModuleFactory, which only accepts a dataset it prepared itself:
 * $HF_DATASETS_CACHE/{ns}___{snake(name)}/{config}/{version}/{hash}/ with dataset_info.json
 * (whose config_name must equal the folder's config) and one Arrow IPC stream per split,
 * {snake(name)}-{split}.arrow, read by datasets.packaged_modules.cache. So we write exactly
 * that, version 0.0.0 and hash = the commit (what datasets uses for a Hub dataset), for every
 * config and split of the card's dataset_info, with the rows of the files load_dataset would
 * read (hfds_ds_split_files over the snapshot folder) and the features of the shards'
 * `huggingface` metadata. Each config folder is built as "<commit>.incomplete" and renamed,
 * as datasets does, so a killed run leaves nothing datasets would trust.
 */
#include "hfds/stream.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataset/card.h"
#include "hfds/arrow.h"
#include "hfds/dataset.h"
#include "store/store_internal.h"
#include "stream/st_cache.h"
#include "util/afile.h"
#include "util/alloc.h"
#include "util/try.h"

/* ---- the snapshot folder as repository ops (read_file, list_files) ---- */

static int snap_read(void *payload, const char *rev, const char *path, char **data, size_t *len, hfds_error *err)
{
	int rc = 0;
	char *full = NULL;
	FILE *f = NULL;
	struct stat st;
	(void)rev;
	*data = NULL;
	*len = 0;
	HFDS_FAIL_IF(asprintf(&full, "%s/%s", (const char *)payload, path) < 0, HFDS_ENOMEM, err, "out of memory");
	if (!(f = fopen(full, "rb")))
		HFDS_FAIL(errno == ENOENT ? HFDS_ENOTFOUND : HFDS_EIO, err, "%s: %s", full, strerror(errno));
	HFDS_FAIL_IF(fstat(fileno(f), &st) != 0, HFDS_EIO, err, "%s: %s", full, strerror(errno));
	HFDS_FAIL_IF(!(*data = hfds_malloc((size_t)st.st_size + 1)), HFDS_ENOMEM, err, "out of memory");
	*len = fread(*data, 1, (size_t)st.st_size, f);
	(*data)[*len] = 0;
	HFDS_FAIL_IF(*len != (size_t)st.st_size, HFDS_EIO, err, "%s: short read", full);
done:
	if (f)
		fclose(f);
	if (rc < 0) {
		hfds_free(*data);
		*data = NULL;
	}
	hfds_free(full);
	return rc;
}

typedef struct listing {
	hfds_ds_repo_file *files;
	size_t count, cap;
} listing;

/* Every file under root/rel (the snapshot's symlinks are followed: they point at blobs). */
static int walk(const char *root, const char *rel, listing *l, int depth, hfds_error *err)
{
	int rc = 0;
	char *dir = NULL, *sub = NULL, *full = NULL;
	DIR *d = NULL;
	struct dirent *e;
	HFDS_FAIL_IF(depth > 64, HFDS_ELIMIT, err, "%s/%s: folders nested too deep", root, rel);
	HFDS_FAIL_IF(asprintf(&dir, "%s%s%s", root, *rel ? "/" : "", rel) < 0, HFDS_ENOMEM, err, "out of memory");
	HFDS_FAIL_IF(!(d = opendir(dir)), HFDS_EIO, err, "%s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		hfds_free(sub);
		hfds_free(full);
		sub = full = NULL;
		HFDS_FAIL_IF(asprintf(&sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name) < 0 ||
			asprintf(&full, "%s/%s", root, sub) < 0, HFDS_ENOMEM, err, "out of memory");
		HFDS_FAIL_IF(stat(full, &st) != 0, HFDS_EIO, err, "%s: %s", full, strerror(errno));
		if (S_ISDIR(st.st_mode)) {
			HFDS_TRY(walk(root, sub, l, depth + 1, err));
			continue;
		}
		if (l->count == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 16;
			hfds_ds_repo_file *n = hfds_realloc(l->files, cap * sizeof(*n));
			HFDS_FAIL_IF(!n, HFDS_ENOMEM, err, "out of memory");
			l->files = n;
			l->cap = cap;
		}
		l->files[l->count].path = sub;
		l->files[l->count++].size = (uint64_t)st.st_size;
		sub = NULL;
	}
done:
	if (d)
		closedir(d);
	hfds_free(dir);
	hfds_free(sub);
	hfds_free(full);
	return rc;
}

static int snap_list(void *payload, const char *rev, hfds_ds_repo_file **files, size_t *count, hfds_error *err)
{
	listing l = { NULL, 0, 0 };
	int rc = walk(payload, "", &l, 0, err);
	(void)rev;
	if (rc < 0) {
		hfds_ds_repo_files_free(l.files, l.count);
		l.files = NULL;
		l.count = 0;
	}
	*files = l.files;
	*count = l.count;
	return rc;
}

/* ---- names as datasets makes them ---- */

static int is_up(char c) { return c >= 'A' && c <= 'Z'; }
static int is_low(char c) { return c >= 'a' && c <= 'z'; }

/* datasets.naming.camelcase_to_snakecase: "([A-Z]+)([A-Z][a-z])" -> "\1_\2", then
 * "([a-z\d])([A-Z])" -> "\1_\2", then lowercase. */
static char *snake(const char *name)
{
	size_t n = strlen(name), i, o = 0;
	char *a = hfds_malloc(2 * n + 1), *b = hfds_malloc(4 * n + 1);
	if (!a || !b) {
		hfds_free(a);
		hfds_free(b);
		return NULL;
	}
	for (i = 0; i < n;) {
		size_t j = i;
		while (j < n && is_up(name[j]))
			j++;
		if (j - i >= 2 && j < n && is_low(name[j])) {
			memcpy(a + o, name + i, j - i - 1);
			o += j - i - 1;
			a[o++] = '_';
			a[o++] = name[j - 1];
			a[o++] = name[j];
			i = j + 1;
		} else if (j > i) {
			memcpy(a + o, name + i, j - i);
			o += j - i;
			i = j;
		} else {
			a[o++] = name[i++];
		}
	}
	a[o] = 0;
	for (i = 0, o = 0; a[i];) {
		if ((is_low(a[i]) || (a[i] >= '0' && a[i] <= '9')) && is_up(a[i + 1])) {
			b[o++] = a[i];
			b[o++] = '_';
			b[o++] = a[i + 1];
			i += 2;
		} else {
			b[o++] = a[i++];
		}
	}
	b[o] = 0;
	for (i = 0; i < o; i++)
		if (is_up(b[i]))
			b[i] = (char)(b[i] - 'A' + 'a');
	hfds_free(a);
	return b;
}

/* ---- one split: the rows of its files as one Arrow IPC stream ---- */

typedef struct split_out {
	uint64_t rows, bytes, download;  /* rows, Arrow bytes, Parquet bytes read */
	json_t *features;   /* from the first shard's `huggingface` metadata (owned) */
} split_out;

static int put(hfds_afile *f, uint8_t *msg, size_t len, split_out *so, int rc, hfds_error *err)
{
	if (rc == 0)
		rc = hfds_afile_write(f, msg, len, err);
	so->bytes += len;
	hfds_free(msg);
	return rc;
}

static int write_file_rows(hfds_afile *out, const char *path, int *started, split_out *so, hfds_error *err)
{
	int rc = 0;
	hfds_pq_reader *r = NULL;
	struct ArrowArrayStream rows = { 0 };
	struct ArrowSchema schema = { 0 }, own = { 0 };
	struct ArrowArray batch = { 0 };
	const char *kv;
	size_t kvlen = 0;
	char *md = NULL, *kvz = NULL;
	uint8_t *msg = NULL;
	size_t len = 0;
	HFDS_TRY(hfds_pq_reader_open_path(&r, path, NULL, err));
	if (!*started) {
		const char *key = "huggingface";
		json_t *hf;
		HFDS_FAIL_IF(hfds_pq_reader_kv(r, key, &kv, &kvlen) != 0, HFDS_EUNSUPPORTED, err,
			"%s: no 'huggingface' schema metadata: the features are unknown", path);
		HFDS_FAIL_IF(!(kvz = hfds_strndup(kv, kvlen)), HFDS_ENOMEM, err, "out of memory");
		hf = json_loads(kvz, 0, NULL);
		so->features = json_incref(json_object_get(json_object_get(hf, "info"), "features"));
		json_decref(hf);
		HFDS_FAIL_IF(!json_is_object(so->features), HFDS_ECORRUPT, err,
			"%s: 'huggingface' metadata without info.features", path);
		HFDS_TRY(hfds_arrow_metadata_build(&md, &key, (const char *const *)&kvz, 1, err));
	}
	HFDS_TRY(hfds_pq_reader_scan(r, NULL, &rows, err));
	HFDS_FAIL_IF(rows.get_schema(&rows, &schema) != 0, HFDS_ENOMEM, err, "out of memory");
	if (!*started) {
		HFDS_TRY(hfds_arrow_schema_copy(&own, &schema, err));
		HFDS_TRY(hfds_arrow_schema_set_metadata(&own, md, err));
		rc = hfds_stream_ipc_schema(&own, &msg, &len, err);
		HFDS_TRY(put(out, msg, len, so, rc, err));
		*started = 1;
	}
	for (;;) {
		if (rows.get_next(&rows, &batch) != 0) {
			hfds_pq_stream_error(&rows, err);
			HFDS_FAIL(err && err->code ? err->code : HFDS_ECORRUPT, err, "%s", err ? err->message : path);
		}
		if (!batch.release)
			break;
		so->rows += (uint64_t)batch.length;
		rc = hfds_stream_ipc_batch(&schema, &batch, &msg, &len, err);
		batch.release(&batch);
		HFDS_TRY(put(out, msg, len, so, rc, err));
	}
done:
	if (own.release)
		own.release(&own);
	if (schema.release)
		schema.release(&schema);
	if (rows.release)
		rows.release(&rows);
	hfds_pq_reader_free(r);
	hfds_free(md);
	hfds_free(kvz);
	return rc;
}

static int write_split(const char *snapshot, const hfds_ds_repo_ops *ops, const char *commit, const char *dir,
	const char *prefix, const char *config, const char *split, split_out *so, hfds_error *err)
{
	static const uint8_t eos[8] = { 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0 };
	int rc = 0, started = 0;
	size_t i, count = 0;
	hfds_ds_repo_file *files = NULL;
	hfds_afile out = HFDS_AFILE_INIT;
	char *path = NULL, *shard = NULL;
	HFDS_TRY(hfds_ds_split_files(ops, commit, config, split, &files, &count, err));
	HFDS_FAIL_IF(asprintf(&path, "%s/%s-%s.arrow", dir, prefix, split) < 0, HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(hfds_afile_open(&out, path, 0, err));
	for (i = 0; i < count; i++) {
		hfds_free(shard);
		HFDS_FAIL_IF(asprintf(&shard, "%s/%s", snapshot, files[i].path) < 0, HFDS_ENOMEM, err, "out of memory");
		so->download += files[i].size;
		HFDS_TRY(write_file_rows(&out, shard, &started, so, err));
	}
	HFDS_TRY(hfds_afile_write(&out, eos, sizeof(eos), err));
	HFDS_TRY(hfds_afile_commit(&out, err));
done:
	if (rc < 0)
		hfds_afile_abort(&out);
	hfds_ds_repo_files_free(files, count);
	hfds_free(path);
	hfds_free(shard);
	return rc;
}

/* ---- one config: its folder, its splits, dataset_info.json ---- */

static int write_info(const char *dir, const char *prefix, const char *config, json_t *features, json_t *splits,
	uint64_t size, uint64_t download, hfds_error *err)
{
	int rc = 0;
	char *path = NULL, *text = NULL;
	hfds_afile f = HFDS_AFILE_INIT;
	json_t *info = json_pack("{s:s, s:s, s:s, s:s, s:O, s:s, s:s, s:s, s:{s:s, s:i, s:i, s:i}, s:O, s:I, s:I, s:I}",
		"description", "", "citation", "", "homepage", "", "license", "", "features", features,
		"builder_name", "parquet", "dataset_name", prefix, "config_name", config,
		"version", "version_str", "0.0.0", "major", 0, "minor", 0, "patch", 0, "splits", splits,
		"download_size", (json_int_t)download, "dataset_size", (json_int_t)size,
		"size_in_bytes", (json_int_t)(size + download));
	HFDS_FAIL_IF(!info || !(text = json_dumps(info, JSON_INDENT(4) | JSON_PRESERVE_ORDER)), HFDS_ENOMEM, err,
		"out of memory");
	HFDS_FAIL_IF(asprintf(&path, "%s/dataset_info.json", dir) < 0, HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(hfds_afile_open(&f, path, 0, err));
	HFDS_TRY(hfds_afile_write(&f, text, strlen(text), err));
	HFDS_TRY(hfds_afile_commit(&f, err));
done:
	if (rc < 0)
		hfds_afile_abort(&f);
	json_decref(info);
	free(text);
	hfds_free(path);
	return rc;
}

/* rm -r of a folder of files (a stale .incomplete one) */
static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *p;
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && asprintf(&p, "%s/%s", dir, e->d_name) >= 0) {
			unlink(p);
			free(p);
		}
	if (d)
		closedir(d);
	rmdir(dir);
}

static int prepare_config(const char *snapshot, const hfds_ds_repo_ops *ops, const char *base, const char *commit,
	const char *prefix, const char *config, json_t *rows, hfds_error *err)
{
	int rc = 0;
	size_t i;
	json_t *row, *features = NULL, *splits = json_object();
	char *dir = NULL, *tmp = NULL, *probe = NULL;
	uint64_t size = 0, download = 0;
	struct stat st;
	HFDS_FAIL_IF(!splits, HFDS_ENOMEM, err, "out of memory");
	HFDS_FAIL_IF(asprintf(&dir, "%s/%s/0.0.0/%s", base, config, commit) < 0 ||
		asprintf(&tmp, "%s.incomplete", dir) < 0 || asprintf(&probe, "%s/dataset_info.json", tmp) < 0,
		HFDS_ENOMEM, err, "out of memory");
	if (stat(dir, &st) == 0)
		goto done; /* prepared before: the commit's files never change */
	remove_dir(tmp);
	HFDS_TRY(hfds_store__mkdirs_for(probe, err));
	json_array_foreach(rows, i, row) {
		const char *split = json_string_value(json_object_get(row, "split"));
		split_out so = { 0, 0, 0, NULL };
		if (strcmp(json_string_value(json_object_get(row, "config")), config))
			continue;
		rc = write_split(snapshot, ops, commit, tmp, prefix, config, split, &so, err);
		if (rc == 0 && !features)
			features = json_incref(so.features);
		json_decref(so.features);
		HFDS_TRY(rc);
		HFDS_FAIL_IF(json_object_set_new(splits, split, json_pack("{s:s, s:I, s:I, s:s}", "name", split,
			"num_bytes", (json_int_t)so.bytes, "num_examples", (json_int_t)so.rows, "dataset_name", prefix)) != 0,
			HFDS_ENOMEM, err, "out of memory");
		size += so.bytes;
		download += so.download;
	}
	HFDS_TRY(write_info(tmp, prefix, config, features, splits, size, download, err));
	HFDS_FAIL_IF(rename(tmp, dir) != 0, HFDS_EIO, err, "%s: %s", dir, strerror(errno));
done:
	if (rc < 0 && tmp)
		remove_dir(tmp);
	json_decref(features);
	json_decref(splits);
	hfds_free(dir);
	hfds_free(tmp);
	hfds_free(probe);
	return rc;
}

int hfds_download_prepare(const char *repo_id, const hfds_download_report *rep, const char *cache_dir,
	hfds_error *err)
{
	int rc = 0;
	size_t i, j;
	char *text = NULL, *root = NULL, *base = NULL, *name = NULL, *ns = NULL;
	size_t len = 0;
	hfds_card *card = NULL;
	json_t *rows = NULL, *row;
	hfds_ds_repo_ops ops;
	const char *slash = strchr(repo_id, '/');
	hfds_download_report copy = *rep;
	hfds_ds_repo_ops_init(&ops);
	ops.payload = copy.snapshot;
	ops.read_file = snap_read;
	ops.list_files = snap_list;
	HFDS_TRY(snap_read(copy.snapshot, NULL, "README.md", &text, &len, err));
	HFDS_TRY(hfds_card__parse(&card, text, len, "README.md", err));
	HFDS_TRY(hfds_card__info_splits(&rows, card, err));
	HFDS_FAIL_IF(json_array_size(rows) == 0, HFDS_EUNSUPPORTED, err,
		"%s: the card has no dataset_info splits to prepare", repo_id);
	HFDS_FAIL_IF(!(root = hfds_st__hf_cache(cache_dir, "HF_DATASETS_CACHE", "datasets")) ||
		!(name = snake(slash ? slash + 1 : repo_id)) ||
		!(ns = hfds_strndup(repo_id, slash ? (size_t)(slash - repo_id) : 0)), HFDS_ENOMEM, err, "out of memory");
	HFDS_FAIL_IF(asprintf(&base, slash ? "%s/%s___%s" : "%s/%.0s%s", root, ns, name) < 0, HFDS_ENOMEM, err,
		"out of memory");
	json_array_foreach(rows, i, row) {
		const char *config = json_string_value(json_object_get(row, "config"));
		int seen = 0;
		for (j = 0; j < i; j++)
			seen |= !strcmp(config, json_string_value(json_object_get(json_array_get(rows, j), "config")));
		if (!seen)
			HFDS_TRY(prepare_config(copy.snapshot, &ops, base, rep->commit, name, config, rows, err));
	}
done:
	json_decref(rows);
	hfds_card__free(card);
	hfds_free(text);
	hfds_free(root);
	hfds_free(base);
	hfds_free(name);
	hfds_free(ns);
	return rc;
}
