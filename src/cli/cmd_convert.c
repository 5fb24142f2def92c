/*
 * hfds convert IN OUT.parquet [--features F.json] [--codec C] [--page-version 1|2] [--threads N]:
 * rewrites Parquet or JSON Lines with the hfds writer, streaming batch by batch.
 * Parquet input keeps its Arrow types (and its `huggingface` metadata); --features then
 * only attaches features whose storage types equal the file's. JSON Lines is parsed as the
 * given features, or as features inferred from the first lines (int64, float64, bool,
 * string, lists, structs).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hfds/dataset.h"
#include "hfds/features.h"
#include "hfds/parquet.h"
#include "hfds/parquet_reader.h"
#include "util/alloc.h"

static const char usage[] =
	"usage: hfds convert IN OUT.parquet [--features F.json] [--codec C] [--page-version 1|2] [--threads N]\n"
	"Rewrite a Parquet or JSON Lines file as Parquet with the hfds writer.\n"
	"  --features F.json   Hugging Face features ({\"col\": {\"dtype\": ..., \"_type\": \"Value\"}, ...})\n"
	"  --codec C           none|snappy|gzip|brotli|zstd|lz4_raw (default snappy)\n"
	"  --page-version N    data page version 1 (default) or 2\n"
	"  --threads N         encoding threads (default: HFDS_THREADS, else all cores)\n";

#define INFER_LINES 1000

/* Feature for one JSON value; *out NULL when the value says nothing (null). */
static hfds_feature *infer_value(json_t *v, int depth);

static hfds_feature *merge(hfds_feature *a, hfds_feature *b)
{
	hfds_dtype da, db;
	if (!a)
		return b;
	if (!b)
		return a;
	da = hfds_feature_get_kind(a) == hfds_feature_get_kind(b) ? hfds_feature_dtype(a) : 0;
	db = hfds_feature_dtype(b);
	/* int64 + float64 -> float64; otherwise the first wins */
	if (da == HFDS_DTYPE_INT64 && db == HFDS_DTYPE_FLOAT64) {
		hfds_feature_free(a);
		return b;
	}
	hfds_feature_free(b);
	return a;
}

static hfds_feature *infer_value(json_t *v, int depth)
{
	if (depth > 32)
		return NULL;
	switch (json_typeof(v)) {
	case JSON_INTEGER: return hfds_feature_value(HFDS_DTYPE_INT64);
	case JSON_REAL: return hfds_feature_value(HFDS_DTYPE_FLOAT64);
	case JSON_TRUE:
	case JSON_FALSE: return hfds_feature_value(HFDS_DTYPE_BOOL);
	case JSON_STRING: return hfds_feature_value(HFDS_DTYPE_STRING);
	case JSON_ARRAY: {
		hfds_feature *item = NULL;
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e)
			item = merge(item, infer_value(e, depth + 1));
		return hfds_feature_list(item ? item : hfds_feature_value(HFDS_DTYPE_STRING), -1);
	}
	case JSON_OBJECT: {
		hfds_feature *s = hfds_feature_struct();
		const char *k;
		json_t *e;
		json_object_foreach(v, k, e) {
			hfds_feature *c = infer_value(e, depth + 1);
			if (hfds_feature_struct_add(s, k, c ? c : hfds_feature_value(HFDS_DTYPE_STRING), NULL) < 0)
				break;
		}
		return s;
	}
	default: return NULL;
	}
}

static int infer_jsonl(hfds_features **out, const char *path, hfds_error *err)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, nnames = 0, i;
	ssize_t n;
	int lines = 0, rc = 0;
	char **names = NULL;
	hfds_feature **feats = NULL;
	*out = NULL;
	if (!fp)
		return hfds_error_set(err, HFDS_ENOTFOUND, "%s: cannot open", path);
	while (lines < INFER_LINES && (n = getline(&line, &cap, fp)) > 0) {
		json_error_t je;
		json_t *obj = json_loadb(line, (size_t)n, JSON_DECODE_ANY, &je);
		const char *k;
		json_t *v;
		lines++;
		if (!obj || !json_is_object(obj)) {
			json_decref(obj);
			if (strspn(line, " \t\r\n") == (size_t)n)
				continue;
			rc = hfds_error_set(err, HFDS_EPARSE, "%s:%d: not a JSON object", path, lines);
			goto done;
		}
		json_object_foreach(obj, k, v) {
			for (i = 0; i < nnames && strcmp(names[i], k); i++)
				;
			if (i == nnames) {
				char **nn = realloc(names, (nnames + 1) * sizeof *names);
				hfds_feature **nf = nn ? realloc(feats, (nnames + 1) * sizeof *feats) : NULL;
				names = nn ? nn : names;
				feats = nf ? nf : feats;
				if (!nf || !(names[nnames] = strdup(k))) {
					json_decref(obj);
					rc = hfds_error_set(err, HFDS_ENOMEM, "out of memory");
					goto done;
				}
				feats[nnames++] = NULL;
			}
			feats[i] = merge(feats[i], infer_value(v, 0));
		}
		json_decref(obj);
	}
	/* fopen succeeds on a directory; the read fails (EISDIR) */
	if (ferror(fp)) {
		rc = hfds_error_set(err, HFDS_EIO, "%s: cannot read: %s", path, strerror(errno));
		goto done;
	}
	if (nnames == 0) {
		rc = hfds_error_set(err, HFDS_EPARSE, "%s:%d: no JSON object to infer the columns from (%s)", path, lines + 1,
				    lines ? "only empty objects or blank lines" : "empty file");
		goto done;
	}
	if (!(*out = hfds_features_new())) {
		rc = hfds_error_set(err, HFDS_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < nnames && rc == 0; i++) {
		rc = hfds_features_add(*out, names[i], feats[i] ? feats[i] : hfds_feature_value(HFDS_DTYPE_STRING), err);
		feats[i] = NULL;
	}
done:
	for (i = 0; i < nnames; i++) {
		free(names[i]);
		hfds_feature_free(feats[i]);
	}
	free(names);
	free(feats);
	free(line);
	fclose(fp);
	return rc;
}

static int read_text(const char *path, char **out, size_t *len, hfds_error *err)
{
	FILE *fp = fopen(path, "rb");
	long n;
	if (!fp)
		return hfds_error_set(err, HFDS_ENOTFOUND, "%s: cannot open", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	if (n < 0 || n > (64L << 20) || !(*out = malloc((size_t)n + 1)) || fread(*out, 1, (size_t)n, fp) != (size_t)n) {
		fclose(fp);
		return hfds_error_set(err, HFDS_EIO, "%s: cannot read", path);
	}
	(*out)[n] = 0;
	*len = (size_t)n;
	fclose(fp);
	return 0;
}

/* Same storage layout: formats and child counts, recursively (names may differ in lists). */
static int same_layout(const struct ArrowSchema *a, const struct ArrowSchema *b, const char **where)
{
	int64_t i;
	if (strcmp(a->format, b->format) || a->n_children != b->n_children) {
		*where = a->name;
		return 0;
	}
	for (i = 0; i < a->n_children; i++)
		if (!same_layout(a->children[i], b->children[i], where))
			return 0;
	return 1;
}

static int is_parquet(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char m[4] = {0};
	int yes;
	if (!fp)
		return 0;
	yes = fread(m, 1, 4, fp) == 4 && !memcmp(m, "PAR1", 4);
	fclose(fp);
	return yes;
}

int cmd_convert(int argc, char **argv)
{
	const char *in = NULL, *out = NULL, *features_path = NULL;
	hfds_pq_writer_options wo;
	hfds_features *feats = NULL;
	hfds_pq_reader *r = NULL;
	hfds_ds_jsonl *jl = NULL;
	hfds_pq_writer *w = NULL;
	struct ArrowArrayStream st = {0};
	struct ArrowSchema file_schema = {0}, feat_schema = {0};
	const struct ArrowSchema *ws;
	hfds_pq_kv kv[1];
	char *hf_text = NULL, *ftext = NULL, *hf_feat = NULL;
	hfds_error err;
	int code = CLI_EXIT_OK;
	hfds_error_init(&err);
	hfds_pq_writer_options_init(&wo);
	const char *codec = NULL, *threads_text = NULL, *pos[2] = {NULL, NULL};
	long long page_version = 1;
	int npos = 0, threads = 0;
	const cli_opt opts[] = {
		CLI_STR("--features", NULL, &features_path),
		CLI_STR("--codec", NULL, &codec),
		CLI_INT("--page-version", NULL, &page_version, 1, 2),
		CLI_STR("--threads", NULL, &threads_text),
		CLI_END,
	};
	if ((code = cli_parse("convert", argc, argv, opts, usage, pos, 2, &npos)) != CLI_EXIT_OK)
		return code == CLI_PARSE_HELP ? CLI_EXIT_OK : code;
	if (codec && hfds_pq_codec_parse(codec, &wo.codec, &err) < 0)
		return cli_usage_error("convert", "%s", err.message);
	if (threads_text && (code = cli_threads_arg("convert", threads_text, &threads)) != CLI_EXIT_OK)
		return code;
	wo.page_version = (int)page_version;
	wo.threads = cli_threads(threads);
	in = pos[0];
	out = pos[1];
	if (!in || !out)
		return cli_usage_error("convert", "expected IN and OUT.parquet");
	if (features_path) {
		size_t n = 0;
		if (read_text(features_path, &ftext, &n, &err) < 0 || hfds_features_parse_json(&feats, ftext, n, &err) < 0)
			goto fail;
	}
	if (is_parquet(in)) {
		if (hfds_pq_reader_open_path(&r, in, NULL, &err) < 0 || hfds_pq_reader_scan(r, NULL, &st, &err) < 0)
			goto fail;
		if (st.get_schema(&st, &file_schema) != 0) {
			hfds_error_set(&err, HFDS_ENOMEM, "out of memory");
			goto fail;
		}
		ws = &file_schema;
		if (feats) {
			const char *where = "?";
			if (hfds_features_to_arrow_schema(&feat_schema, feats, HFDS_FEATURES_ARROW_HF_METADATA, &err) < 0)
				goto fail;
			if (!same_layout(&feat_schema, &file_schema, &where)) {
				hfds_error_set(&err, HFDS_EINVAL, "%s: column '%s': the features' storage type differs from the file's (convert does not cast Parquet columns)",
					       features_path, where);
				goto fail;
			}
			ws = &feat_schema;
		} else {
			const char *v;
			size_t n;
			if (hfds_pq_reader_kv(r, "huggingface", &v, &n) == 0 && (hf_text = hfds_strndup(v, n))) {
				kv[0].key = "huggingface";
				kv[0].value = hf_text;
				wo.kv = kv;
				wo.kv_count = 1;
			}
		}
	} else {
		if (!feats && infer_jsonl(&feats, in, &err) < 0)
			goto fail;
		if (hfds_features_to_arrow_schema(&feat_schema, feats, HFDS_FEATURES_ARROW_HF_METADATA, &err) < 0 ||
		    hfds_ds_jsonl_open(&jl, in, feats, &err) < 0)
			goto fail;
		ws = &feat_schema;
	}
	if (feats) {
		if (hfds_features_hf_metadata(&hf_feat, NULL, feats, 0, &err) < 0)
			goto fail;
		kv[0].key = "huggingface";
		kv[0].value = hf_feat;
		wo.kv = kv;
		wo.kv_count = 1;
	}
	if (hfds_pq_writer_open(&w, out, ws, &wo, &err) < 0)
		goto fail;
	for (;;) {
		struct ArrowArray b = {0};
		int rc;
		if (r) {
			if (st.get_next(&st, &b) != 0) {
				hfds_pq_stream_error(&st, &err);
				goto fail;
			}
			if (!b.release)
				break;
		} else {
			rc = hfds_ds_jsonl_next(jl, &b, 65536, 64u << 20, &err);
			if (rc == HFDS_ITEROVER)
				break;
			if (rc < 0)
				goto fail;
		}
		rc = hfds_pq_writer_write(w, &b, &err);
		b.release(&b);
		if (rc < 0)
			goto fail;
	}
	if (hfds_pq_writer_close(w, NULL, &err) < 0)
		goto fail;
	goto done;
fail:
	code = cli_fail(&err);
done:
	hfds_pq_writer_free(w);
	if (st.release)
		st.release(&st);
	if (file_schema.release)
		file_schema.release(&file_schema);
	if (feat_schema.release)
		feat_schema.release(&feat_schema);
	hfds_pq_reader_free(r);
	hfds_ds_jsonl_free(jl);
	hfds_features_free(feats);
	hfds_free(hf_text);
	hfds_free(hf_feat);
	free(ftext);
	return code;
}
