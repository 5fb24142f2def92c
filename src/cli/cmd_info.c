/*
 * hfds info FILE [--json]: footer-only summary (schema, HF features, row groups, codecs,
 * encodings, sizes, statistics). Reads the footer and nothing else. The library describes
 * the footer as JSON (hfds_pq_reader_describe); this file adds the Hugging Face features
 * and prints either that document or a text summary of it.
 */
#include <jansson.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hfds/features.h"
#include "hfds/parquet_reader.h"

static const char usage[] =
	"usage: hfds info FILE [--json] [--page-index]\n"
	"Show a Parquet file's schema, Hugging Face features, row groups, codecs, encodings,\n"
	"sizes and statistics (from the footer; no data is decoded). --page-index adds each\n"
	"column chunk's OffsetIndex/ColumnIndex (JSON output).\n";

/* The `huggingface` key through the features model (validates and normalises the JSON). */
static json_t *hf_features_json(const hfds_pq_reader *r)
{
	const char *v;
	size_t n;
	hfds_features *f = NULL;
	char *text = NULL;
	json_t *features;
	hfds_error ferr;
	if (hfds_pq_reader_kv(r, "huggingface", &v, &n) < 0)
		return json_null();
	hfds_error_init(&ferr);
	if (hfds_features_parse_hf_metadata(&f, v, n, &ferr) == 0 && hfds_features_to_json(&text, NULL, f, 0, &ferr) == 0)
		features = json_loads(text, JSON_DECODE_ANY, NULL);
	else
		features = json_sprintf("invalid huggingface metadata: %s", ferr.message);
	hfds_free(text);
	hfds_features_free(f);
	return features ? features : json_null();
}

/* The library's document with "hf_features" after "key_value_metadata". */
static json_t *info_json(hfds_pq_reader *r, const char *path, int with_index, hfds_error *err)
{
	char *text = NULL;
	json_t *doc, *out;
	const char *k;
	json_t *v;
	if (hfds_pq_reader_describe(r, path, with_index ? HFDS_PQ_DESCRIBE_PAGE_INDEX : 0, &text, err) < 0)
		return NULL;
	doc = json_loads(text, 0, NULL);
	hfds_free(text);
	if (!doc || !(out = json_object())) {
		json_decref(doc);
		hfds_error_set(err, HFDS_ENOMEM, "out of memory");
		return NULL;
	}
	json_object_foreach(doc, k, v) {
		json_object_set(out, k, v);
		if (!strcmp(k, "key_value_metadata"))
			json_object_set_new(out, "hf_features", hf_features_json(r));
	}
	json_decref(doc);
	return out;
}

static long long num(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static const char *str(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : dflt;
}

/* Prints a JSON value compactly after `prefix` (JSON text escapes control characters). */
static void print_compact(const char *prefix, json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	fputs(prefix, stdout);
	fputs(s ? s : "?", stdout);
	free(s);
}

static void print_text(json_t *j)
{
	json_t *schema = json_object_get(j, "schema"), *rgs = json_object_get(j, "row_groups");
	json_t *feat = json_object_get(j, "hf_features"), *kv = json_object_get(j, "key_value_metadata"), *v;
	const char *k;
	size_t i, g;
	cli_printf("file: %s\nsize: %lld bytes\ncreated_by: %s\nversion: %lld\nrows: %lld\nrow groups: %lld\ncolumns: %lld\n",
		   str(j, "file", ""), num(j, "size"), str(j, "created_by", "(none)"), num(j, "version"), num(j, "num_rows"),
		   num(j, "num_row_groups"), num(j, "num_columns"));
	printf("schema:\n");
	for (i = 1; i < json_array_size(schema); i++) {
		json_t *e = json_array_get(schema, i), *lt = json_object_get(e, "logical_type");
		int depth = (int)num(e, "depth");
		cli_printf("%*s%s %s", depth * 2, "", str(e, "repetition", ""), str(e, "type", "group"));
		if (json_object_get(e, "type_length"))
			printf("(%lld)", num(e, "type_length"));
		cli_printf(" %s", str(e, "name", ""));
		if (json_object_get(e, "converted_type"))
			printf(" (%s)", str(e, "converted_type", ""));
		if (lt)
			print_compact(" logical=", lt);
		if (json_object_get(e, "column"))
			printf("  [def %lld, rep %lld]", num(e, "max_definition_level"), num(e, "max_repetition_level"));
		printf("\n");
	}
	if (feat && !json_is_null(feat)) {
		print_compact("hf features: ", feat);
		printf("\n");
	}
	json_object_foreach(kv, k, v)
		cli_printf("kv: %s (%zu bytes)\n", k, json_is_string(v) ? json_string_length(v) : (size_t)0);
	for (g = 0; g < json_array_size(rgs); g++) {
		json_t *rg = json_array_get(rgs, g), *cols = json_object_get(rg, "columns");
		printf("row group %zu: %lld rows, %lld bytes\n", g, num(rg, "num_rows"), num(rg, "total_byte_size"));
		for (i = 0; i < json_array_size(cols); i++) {
			json_t *c = json_array_get(cols, i), *st = json_object_get(c, "statistics");
			char *enc = json_dumps(json_object_get(c, "encodings"), JSON_COMPACT);
			cli_printf("  %s: %s %s %s, %lld values, %lld -> %lld bytes", str(c, "path", ""), str(c, "type", ""),
				   str(c, "codec", ""), enc ? enc : "", num(c, "num_values"), num(c, "uncompressed_size"),
				   num(c, "compressed_size"));
			free(enc);
			if (st)
				print_compact(", stats ", st);
			printf("\n");
		}
	}
}

int cmd_info(int argc, char **argv)
{
	const char *path = NULL;
	int as_json = 0, with_index = 0, i, code = CLI_EXIT_OK;
	hfds_pq_reader *r = NULL;
	hfds_error err;
	json_t *j;
	hfds_error_init(&err);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return CLI_EXIT_OK;
		} else if (!strcmp(argv[i], "--json")) {
			as_json = 1;
		} else if (!strcmp(argv[i], "--page-index")) {
			with_index = as_json = 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_usage_error("info", "unknown option '%s'", argv[i]);
		} else if (!path) {
			path = argv[i];
		} else {
			return cli_usage_error("info", "unexpected argument '%s'", argv[i]);
		}
	}
	if (!path)
		return cli_usage_error("info", "missing FILE");
	if (hfds_pq_reader_open_path(&r, path, NULL, &err) < 0)
		return cli_fail(&err);
	j = info_json(r, path, with_index, &err);
	if (!j) {
		hfds_error_prefix(&err, path);
		code = cli_fail(&err);
	} else if (as_json) {
		char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (s)
			puts(s);
		free(s);
	} else {
		print_text(j);
	}
	json_decref(j);
	hfds_pq_reader_free(r);
	return code;
}
