/*
 * hfds convert IN OUT.parquet [--features F.json] [--codec C] [--page-version 1|2] [--threads N]:
 * rewrites Parquet, JSON Lines or CSV with the hfds writer, streaming batch by batch.
 * Parquet input keeps its Arrow types (and its `huggingface` metadata); --features then
 * only attaches features whose storage types equal the file's. JSON Lines and CSV go
 * through hfds/ingest.h as the given features, or as features inferred from the first rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hfds/dataset.h"
#include "hfds/features.h"
#include "hfds/ingest.h"
#include "hfds/parquet.h"
#include "hfds/parquet_reader.h"
#include "ingest_args.h"
#include "util/alloc.h"

static const char usage[] =
	"usage: hfds convert IN OUT.parquet [--features F.json] [--codec C] [--page-version 1|2] [options]\n"
	"Rewrite a Parquet, JSON Lines or CSV file (IN '-' = stdin) as Parquet with the hfds writer.\n"
	"  --features F.json   Hugging Face features ({\"col\": {\"dtype\": ..., \"_type\": \"Value\"}, ...})\n"
	"  --codec C           none|snappy|gzip|brotli|zstd|lz4_raw (default snappy)\n"
	"  --page-version N    data page version 1 (default) or 2\n"
	"  --threads N         parse and encoding threads (default: all cores, or HFDS_THREADS)\n";

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
	hfds_ingest *jl = NULL;
	hfds_ingest_options io;
	hfds_pq_writer *w = NULL;
	struct ArrowArrayStream st = {0};
	struct ArrowSchema file_schema = {0}, feat_schema = {0};
	const struct ArrowSchema *ws;
	hfds_pq_kv kv[1];
	char *hf_text = NULL, *ftext = NULL, *hf_feat = NULL;
	hfds_error err;
	int i, code = CLI_EXIT_OK, threads = 0, ia;
	size_t rg_bytes = 0;
	hfds_error_init(&err);
	hfds_pq_writer_options_init(&wo);
	wo.skip_sha256 = 1; /* closed without asking for the file's info */
	hfds_ingest_options_init(&io);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			fputs(cli_ingest_help, stdout);
			return CLI_EXIT_OK;
		} else if ((ia = cli_ingest_arg("convert", argc, argv, &i, &io, &rg_bytes)) != 0) {
			if (ia != 1)
				return ia;
		} else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
			if ((code = cli_threads_arg("convert", argv[++i], &threads)) != CLI_EXIT_OK)
				return code;
		} else if (!strcmp(argv[i], "--features") && i + 1 < argc) {
			features_path = argv[++i];
		} else if (!strcmp(argv[i], "--codec") && i + 1 < argc) {
			if (hfds_pq_codec_parse(argv[++i], &wo.codec, &err) < 0)
				return cli_usage_error("convert", "%s", err.message);
		} else if (!strcmp(argv[i], "--page-version") && i + 1 < argc) {
			long long pv;
			if ((code = cli_int("convert", "--page-version", argv[++i], 1, 2, &pv)) != CLI_EXIT_OK)
				return code;
			wo.page_version = (int)pv;
		} else if (!strcmp(argv[i], "--threads") || !strcmp(argv[i], "--features") || !strcmp(argv[i], "--codec") ||
			   !strcmp(argv[i], "--page-version")) {
			return cli_usage_error("convert", "%s needs a value", argv[i]);
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_usage_error("convert", "unknown option '%s'", argv[i]);
		} else if (!in) {
			in = argv[i];
		} else if (!out) {
			out = argv[i];
		} else {
			return cli_usage_error("convert", "unexpected argument '%s'", argv[i]);
		}
	}
	if (!in || !out)
		return cli_usage_error("convert", "expected IN and OUT.parquet");
	wo.threads = io.threads = cli_threads(threads);
	cli_ingest_one_arena();
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
		int rc_open;
		hfds_features *given = feats;
		feats = NULL;
		rc_open = hfds_ingest_open(&jl, in, given, &io, &err);
		hfds_features_free(given);
		if (rc_open < 0 || hfds_features_copy(&feats, hfds_ingest_features(jl), &err) < 0)
			goto fail;
		ws = hfds_ingest_schema(jl);
		wo.row_group_bytes = cli_ingest_row_group_bytes(&io, rg_bytes);
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
			rc = hfds_ingest_next(jl, &b, &err);
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
	if (jl && hfds_ingest_ignored(jl))
		fprintf(stderr, "hfds convert: %llu keys not in the features were dropped (--ignore-extra)\n",
			(unsigned long long)hfds_ingest_ignored(jl));
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
	hfds_ingest_free(jl);
	hfds_features_free(feats);
	hfds_free(hf_text);
	hfds_free(hf_feat);
	free(ftext);
	return code;
}
