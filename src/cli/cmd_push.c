/* hfds push: JSON Lines / CSV / Parquet sources -> sharded dataset + card -> one commit. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hfds/dataset.h"
#include "hfds/features.h"
#include "hfds/ingest.h"
#include "hfds/parquet.h"
#include "hfds/parquet_reader.h"
#include "ingest_args.h"
#include "util/alloc.h"

static const char usage_text[] =
	"usage: hfds push REPO [--config C] --split NAME=FILE[,FILE...] ... [options]\n"
	"       hfds push REPO --from DIR [options]\n"
	"       hfds push --out DIR [--config C] --split NAME=FILE ... [options]\n"
	"\n"
	"Writes the rows of FILEs (Parquet when the name ends in .parquet, CSV for .csv/.tsv,\n"
	"else JSON Lines; .gz/.zst streamed) as\n"
	"sharded Parquet files plus a dataset card (README.md) laid out exactly as\n"
	"`datasets` push_to_hub does, and publishes everything as ONE commit of the dataset\n"
	"repo REPO (created if missing): shards `{data_dir}/{split}-00000-of-0000N.parquet`\n"
	"(data_dir is `data` for the config `default`, else the config name), the card merged\n"
	"into the existing one, and stale shards of the pushed splits deleted.\n"
	"Pushing one split replaces that split only; pushing several replaces the whole config.\n"
	"\n"
	"options:\n"
	"  --config C           config the following --split options go to (default: default);\n"
	"                       repeat --config C --split ... to push several configs at once\n"
	"  --split NAME=FILES   split name (letters, digits, _ and inner dots) and its sources,\n"
	"                       comma-separated; '-' reads JSON Lines (or --format csv) from stdin\n"
	"  --features F.json    the Features dict as datasets' Features.to_dict() JSON, e.g.\n"
	"                       {\"id\": {\"dtype\": \"int64\", \"_type\": \"Value\"}}; default: the\n"
	"                       first Parquet file's, or inferred from the first 1000 JSON lines\n"
	"                       (int64, float64, bool, string, lists, structs)\n"
	"  --max-shard-size S   roll over to a new shard at S bytes of Parquet (default 500MB;\n"
	"                       500MB = 500*10^6, 5MiB = 5*2^20, lowercase b = bits)\n"
	"  --codec NAME         snappy (default), zstd, gzip, brotli, lz4_raw, none\n"
	"  --append             append layout: add [{config}/]{split}/batch_NNNNNN.parquet files\n"
	"                       and add their counts to the card (nothing is deleted)\n"
	"  --message M          commit title (default \"Upload dataset\")\n"
	"  --description D      commit description\n"
	"  --revision BRANCH    commit to BRANCH (created from main if missing)\n"
	"  --private            create the repo private (only when it does not exist yet)\n"
	"  --set-default        mark the pushed config `default: true` in the card\n"
	"  --replace-features   allow new features for a config the card already describes\n"
	"                       (all its splits must be pushed together); refused otherwise\n"
	"  --legacy-sequence    write lists as \"Sequence\" / sequence: (datasets < 4.0 readers)\n"
	"  --out DIR            only build the folder DIR (shards + README.md), publish nothing\n"
	"  --from DIR           publish a folder built with --out\n"
	"  --endpoint E         hub to use: a path or file:// URL = embedded hub there\n"
	"  --threads N          encoding threads (default: all cores, or HFDS_THREADS)\n"
	"  --upload-workers N   parallel uploads to a remote hub (default 4)\n"
	"  -q, --quiet          no progress on stderr\n"
	"\n"
	"JSON Lines values: numbers/strings/booleans per dtype, binary as base64, ClassLabel as\n"
	"index or name, lists as arrays, structs as objects, Image/Audio as {\"bytes\": base64,\n"
	"\"path\": ...} or a path string, timestamps/dates as ISO strings or raw integers.\n"
	"\n"
	"examples:\n"
	"  hfds push me/reviews --split train=train.jsonl --split test=test.jsonl --features f.json\n"
	"  hfds push me/reviews --config fr --split train=fr.parquet --set-default\n"
	"  hfds push me/reviews --config fr --split train=a.parquet --max-shard-size 10MB --revision dev\n";

typedef struct src_split {
	const char *config;
	char *name;
	char *files;        /* comma-separated */
} src_split;

typedef struct progress {
	int on;
	uint64_t shards;
	uint64_t rows;         /* of the split being written */
	const char *config, *split;
} progress;

static void show(progress *p)
{
	if (p->on && p->config)
		fprintf(stderr, "\rhfds push: %s/%s: %llu rows; %llu shard(s) written", p->config, p->split,
			(unsigned long long)p->rows, (unsigned long long)p->shards);
}

static void on_progress(void *payload, const char *what, uint64_t done, uint64_t total)
{
	progress *p = payload;
	if (!p->on)
		return;
	if (!strcmp(what, "shard")) {
		p->shards++;
		show(p);
	} else if (!strcmp(what, "commit")) {
		fprintf(stderr, "\rhfds push: committing %llu file(s) and %llu deletion(s)\n", (unsigned long long)done,
			(unsigned long long)(total - done));
	}
	fflush(stderr);
}

static void on_warning(void *payload, const char *message)
{
	(void)payload;
	cli_eprintf("hfds push: warning: %s\n", message);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

static int read_text(const char *path, char **out, size_t *len, hfds_error *err)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n;
	if (!fp)
		return hfds_error_set(err, HFDS_EIO, "%s: %s", path, strerror(errno));
	if (fseek(fp, 0, SEEK_END) < 0 || (n = ftell(fp)) < 0 || n > (64l << 20) || fseek(fp, 0, SEEK_SET) < 0) {
		fclose(fp);
		return hfds_error_set(err, HFDS_EIO, "%s: cannot read (or larger than 64 MiB)", path);
	}
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		fclose(fp);
		return hfds_error_set(err, HFDS_EIO, "%s: read error", path);
	}
	buf[n] = '\0';
	fclose(fp);
	*out = buf;
	*len = (size_t)n;
	return 0;
}

/* Whether every file of every split is Parquet (their row groups keep the 100e6 default). */
static int only_parquet(const src_split *splits, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *f = splits[i].files;
		while (*f) {
			const char *c = strchr(f, ',');
			size_t len = c ? (size_t)(c - f) : strlen(f);
			if (len < 8 || memcmp(f + len - 8, ".parquet", 8))
				return 0;
			f += len + (c != NULL);
		}
	}
	return 1;
}

static int features_from_parquet(hfds_features **out, const char *path, hfds_error *err)
{
	hfds_pq_reader *r = NULL;
	struct ArrowSchema s;
	int rc;
	memset(&s, 0, sizeof(s));
	rc = hfds_pq_reader_open_path(&r, path, NULL, err);
	if (rc == 0)
		rc = hfds_pq_reader_schema(r, &s, err);
	if (rc == 0)
		rc = hfds_features_from_arrow_schema(out, &s, err);
	if (s.release)
		s.release(&s);
	hfds_pq_reader_free(r);
	if (rc < 0)
		hfds_error_prefix(err, path);
	return rc;
}

static int write_parquet(hfds_ds *ds, progress *prog, const char *config, const char *split, const char *path,
	hfds_error *err)
{
	hfds_pq_reader *r = NULL;
	struct ArrowArrayStream st;
	int rc;
	memset(&st, 0, sizeof(st));
	rc = hfds_pq_reader_open_path(&r, path, NULL, err);
	if (rc == 0)
		rc = hfds_pq_reader_scan(r, NULL, &st, err);
	if (rc == 0) {
		struct ArrowArray a;
		for (;;) {
			int e;
			memset(&a, 0, sizeof(a));
			e = st.get_next(&st, &a);
			if (e) {
				rc = hfds_pq_stream_error(&st, err);
				if (rc == 0)
					rc = hfds_error_set(err, HFDS_EIO, "read failed");
				break;
			}
			if (!a.release)
				break;
			rc = hfds_ds_write(ds, config, split, &a, err);
			prog->rows += (uint64_t)a.length;
			show(prog);
			a.release(&a);
			if (rc < 0)
				break;
		}
	}
	if (st.release)
		st.release(&st);
	hfds_pq_reader_free(r);
	if (rc < 0 && err && !strstr(err->message, path))
		hfds_error_prefix(err, path);
	return rc;
}

static int write_rows(hfds_ds *ds, progress *prog, const hfds_features *f, const hfds_ingest_options *io,
	const char *config, const char *split, const char *path, hfds_error *err)
{
	hfds_ingest *r = NULL;
	struct ArrowArray a;
	int rc = hfds_ingest_open(&r, path, f, io, err);
	while (rc == 0) {
		rc = hfds_ingest_next(r, &a, err);
		if (rc == HFDS_ITEROVER) {
			rc = 0;
			break;
		}
		if (rc < 0)
			break;
		rc = hfds_ds_write(ds, config, split, &a, err);
		prog->rows += (uint64_t)a.length;
		show(prog);
		a.release(&a);
	}
	if (rc == 0 && hfds_ingest_ignored(r))
		fprintf(stderr, "hfds push: %s: %llu keys not in the features were dropped (--ignore-extra)\n", path,
			(unsigned long long)hfds_ingest_ignored(r));
	hfds_ingest_free(r);
	return rc;
}

/* Features inferred from the first rows of a JSON Lines or CSV file. */
static int infer_features(hfds_features **out, const char *path, const hfds_ingest_options *io, hfds_error *err)
{
	hfds_ingest *r = NULL;
	int rc = hfds_ingest_open(&r, path, NULL, io, err);
	if (rc == 0)
		rc = hfds_features_copy(out, hfds_ingest_features(r), err);
	hfds_ingest_free(r);
	return rc;
}

int cmd_push(int argc, char **argv)
{
	const char *repo_id = NULL, *config = "default", *features_path = NULL, *out_dir = NULL, *from_dir = NULL;
	const char *endpoint = NULL, *revision = NULL, *message = NULL, *description = NULL;
	src_split *splits = NULL;
	size_t nsplits = 0, i;
	hfds_ds_options o;
	hfds_ingest_options io;
	hfds_ds_publish_options po;
	hfds_features *features = NULL;
	hfds_ds *ds = NULL;
	cli_dataset repo = {0};
	hfds_hub_staging *staging = NULL;
	char *text = NULL, sha[41] = "";
	size_t text_len = 0;
	int is_private = 0, quiet = 0, threads = 0, rc = 0, code = CLI_EXIT_OK;
	long upload_workers = 0;
	size_t rg_bytes = 0;
	progress prog = {0, 0, 0, NULL, NULL};
	hfds_error err;

	hfds_error_init(&err);
	hfds_ds_options_init(&o);
	hfds_ingest_options_init(&io);
	hfds_ds_publish_options_init(&po);
	splits = calloc((size_t)argc + 1, sizeof(*splits));
	if (!splits)
		return CLI_EXIT_ERROR;
	for (i = 1; i < (size_t)argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < (size_t)argc ? argv[i + 1] : NULL;
#define NEED_VALUE() do { if (!v) { code = cli_usage_error("push", "%s needs a value", a); goto done; } i++; } while (0)
		int ii = (int)i, ia;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage_text, stdout);
			fputs(cli_ingest_help, stdout);
			goto done;
		} else if ((ia = cli_ingest_arg("push", argc, argv, &ii, &io, &rg_bytes)) != 0) {
			if (ia != 1) {
				code = ia;
				goto done;
			}
			i = (size_t)ii;
		} else if (!strcmp(a, "--config")) {
			NEED_VALUE();
			config = v;
		} else if (!strcmp(a, "--split")) {
			const char *eq;
			NEED_VALUE();
			eq = strchr(v, '=');
			if (!eq || eq == v || !eq[1]) {
				code = cli_usage_error("push", "--split wants NAME=FILE[,FILE...], got '%s'", v);
				goto done;
			}
			splits[nsplits].config = config;
			splits[nsplits].name = hfds_strndup(v, (size_t)(eq - v));
			splits[nsplits].files = hfds_strdup(eq + 1);
			if (!splits[nsplits].name || !splits[nsplits].files) {
				hfds_free(splits[nsplits].name);
				hfds_free(splits[nsplits].files);
				code = cli_fail(&(hfds_error){ HFDS_ENOMEM, "out of memory" });
				goto done;
			}
			nsplits++;
		} else if (!strcmp(a, "--features")) {
			NEED_VALUE();
			features_path = v;
		} else if (!strcmp(a, "--max-shard-size")) {
			NEED_VALUE();
			if (hfds_ds_parse_size(v, &o.max_shard_size, &err) < 0 || o.max_shard_size == 0) {
				code = cli_usage_error("push", "--max-shard-size: %s", err.code ? err.message : "must be positive");
				goto done;
			}
		} else if (!strcmp(a, "--codec")) {
			NEED_VALUE();
			if (hfds_pq_codec_parse(v, &o.codec, &err) < 0) {
				code = cli_usage_error("push", "--codec: %s", err.message);
				goto done;
			}
		} else if (!strcmp(a, "--append")) {
			o.layout = HFDS_DS_LAYOUT_APPEND;
		} else if (!strcmp(a, "--message") || !strcmp(a, "-m")) {
			NEED_VALUE();
			message = v;
		} else if (!strcmp(a, "--description")) {
			NEED_VALUE();
			description = v;
		} else if (!strcmp(a, "--revision")) {
			NEED_VALUE();
			revision = v;
		} else if (!strcmp(a, "--private")) {
			is_private = 1;
		} else if (!strcmp(a, "--set-default")) {
			o.set_default = 1;
		} else if (!strcmp(a, "--replace-features")) {
			o.replace_features = 1;
		} else if (!strcmp(a, "--legacy-sequence")) {
			o.features_flags |= HFDS_FEATURES_SEQUENCE;
		} else if (!strcmp(a, "--out")) {
			NEED_VALUE();
			out_dir = v;
		} else if (!strcmp(a, "--from")) {
			NEED_VALUE();
			from_dir = v;
		} else if (!strcmp(a, "--endpoint")) {
			NEED_VALUE();
			endpoint = v;
		} else if (!strcmp(a, "--threads")) {
			NEED_VALUE();
			if ((code = cli_threads_arg("push", v, &threads)) != CLI_EXIT_OK)
				goto done;
		} else if (!strcmp(a, "--upload-workers")) {
			long long n;
			NEED_VALUE();
			if ((code = cli_int("push", a, v, 1, 64, &n)) != CLI_EXIT_OK)
				goto done;
			upload_workers = (int)n;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			quiet = 1;
		} else if (a[0] == '-' && a[1]) {
			code = cli_usage_error("push", "unknown option '%s'", a);
			goto done;
		} else if (!repo_id) {
			repo_id = a;
		} else {
			code = cli_usage_error("push", "unexpected argument '%s'", a);
			goto done;
		}
#undef NEED_VALUE
	}
	if (!repo_id && !out_dir) {
		code = cli_usage_error("push", "missing REPO (or --out DIR)");
		goto done;
	}
	if (from_dir && (nsplits || out_dir)) {
		code = cli_usage_error("push", "--from publishes a built folder: it takes no --split or --out");
		goto done;
	}
	if (!from_dir && nsplits == 0) {
		code = cli_usage_error("push", "nothing to push: give --split NAME=FILE (or --from DIR)");
		goto done;
	}
	prog.on = !quiet && isatty(2);
	cli_clean_staging_on_signals();
	o.threads = io.threads = cli_threads(threads);
	if (rg_bytes || !only_parquet(splits, nsplits)) /* bounded memory for JSON Lines / CSV */
		o.row_group_bytes = cli_ingest_row_group_bytes(&io, rg_bytes);
	o.progress = on_progress;
	o.progress_payload = &prog;
	po.title = message;
	po.description = description;
	po.replace_features = o.replace_features;
	po.warn = on_warning;

	if (from_dir) {
		if ((rc = cli_dataset_open(&repo, endpoint, repo_id, revision,
			HFDS_HUB_DATASET_CREATE | (is_private ? HFDS_HUB_DATASET_PRIVATE : 0), &err)) < 0)
			goto fail;
		hfds_hub_set_upload_workers(repo.hub, (unsigned)upload_workers);
		if (!quiet)
			fprintf(stderr, "hfds push: %s\n", repo.where);
		if ((rc = hfds_ds_publish_folder(from_dir, repo.ops, &po, sha, &err)) < 0)
			goto fail;
		printf("%s\n", sha);
		goto done;
	}

	/* features: --features JSON, else the first Parquet source's schema */
	if (features_path) {
		if ((rc = read_text(features_path, &text, &text_len, &err)) < 0 ||
			(rc = hfds_features_parse_json(&features, text, text_len, &err)) < 0) {
			hfds_error_prefix(&err, features_path);
			goto fail;
		}
	} else {
		char *first = NULL, *comma;
		first = hfds_strdup(splits[0].files);
		comma = first ? strchr(first, ',') : NULL;
		if (comma)
			*comma = '\0';
		if (!first || !strcmp(first, "-")) {
			hfds_free(first);
			code = cli_usage_error("push", "JSON Lines from stdin need --features F.json (the Features dict as JSON)");
			goto done;
		}
		if (ends_with(first, ".parquet")) {
			rc = features_from_parquet(&features, first, &err);
		} else {
			rc = infer_features(&features, first, &io, &err);
			if (rc == 0 && !quiet) {
				char *json = NULL;
				if (hfds_features_to_json(&json, NULL, features, 0, NULL) == 0)
					fprintf(stderr, "hfds push: features inferred from the first lines of %s "
						"(pass --features to choose): %s\n", first, json);
				hfds_free(json);
			}
		}
		hfds_free(first);
		if (rc < 0)
			goto fail;
	}
	for (i = 0; i < nsplits; i++) {
		if ((rc = hfds_ds_check_config(splits[i].config, &err)) < 0 || (rc = hfds_ds_check_split(splits[i].name, &err)) < 0)
			goto fail;
	}

	if (!out_dir) {
		if ((rc = cli_dataset_open(&repo, endpoint, repo_id, revision,
			HFDS_HUB_DATASET_CREATE | (is_private ? HFDS_HUB_DATASET_PRIVATE : 0), &err)) < 0)
			goto fail;
		hfds_hub_set_upload_workers(repo.hub, (unsigned)upload_workers);
		if (!quiet)
			fprintf(stderr, "hfds push: %s\n", repo.where);
		if ((rc = hfds_hub_staging_new(&staging, repo.hub, &err)) < 0)
			goto fail;
	}
	if ((rc = hfds_ds_open(&ds, out_dir ? out_dir : hfds_hub_staging_path(staging), features, &o, &err)) < 0)
		goto fail;
	for (i = 0; i < nsplits; i++) {
		char *list = hfds_strdup(splits[i].files), *save = NULL, *file;
		if (!list) {
			rc = hfds_error_set(&err, HFDS_ENOMEM, "out of memory");
			goto fail;
		}
		rc = hfds_ds_add_split(ds, splits[i].config, splits[i].name, &err);
		if (!prog.config || strcmp(prog.config, splits[i].config) || strcmp(prog.split, splits[i].name)) {
			if (prog.on && prog.config)
				fputc('\n', stderr);
			prog.config = splits[i].config;
			prog.split = splits[i].name;
			prog.rows = 0;
		}
		for (file = strtok_r(list, ",", &save); rc == 0 && file; file = strtok_r(NULL, ",", &save))
			rc = ends_with(file, ".parquet") ? write_parquet(ds, &prog, splits[i].config, splits[i].name, file, &err)
				: write_rows(ds, &prog, features, &io, splits[i].config, splits[i].name, file, &err);
		hfds_free(list);
		if (rc < 0)
			goto fail;
	}
	if (out_dir) {
		if ((rc = hfds_ds_finish(ds, &err)) < 0)
			goto fail;
	} else {
		if ((rc = hfds_ds_publish(ds, repo.ops, &po, sha, &err)) < 0)
			goto fail;
	}
	if (prog.on && out_dir)
		fputc('\n', stderr);
	for (i = 0; i < nsplits; i++) {
		uint64_t rows = 0, files = 0;
		size_t k;
		int seen = 0;
		for (k = 0; k < i; k++)
			seen |= !strcmp(splits[k].config, splits[i].config) && !strcmp(splits[k].name, splits[i].name);
		if (seen)
			continue;
		hfds_ds_split_stats(ds, splits[i].config, splits[i].name, &rows, NULL, &files);
		if (!quiet)
			fprintf(stderr, "hfds push: %s/%s: %llu rows in %llu file(s)\n", splits[i].config, splits[i].name,
				(unsigned long long)rows, (unsigned long long)files);
	}
	if (out_dir)
		printf("%s\n", out_dir);
	else
		printf("%s\n", sha);
	goto done;
fail:
	code = cli_fail(&err);
	cli_dataset_abandon(&repo);
done:
	hfds_ds_free(ds);
	hfds_hub_staging_free(staging);
	cli_dataset_close(&repo);
	hfds_features_free(features);
	free(text);
	for (i = 0; i < nsplits; i++) {
		hfds_free(splits[i].name);
		hfds_free(splits[i].files);
	}
	free(splits);
	return code;
}
