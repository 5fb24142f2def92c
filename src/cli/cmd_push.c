/* hfds push: argument parsing and printing around hfds_push (hfds/publish.h), which plans
 * and runs the push: sources -> sharded dataset + card -> uploads overlapping the writing
 * -> commit(s) or a manifest. */
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
#include "hfds/publish.h"
#include "ingest_args.h"
#include "push_progress.h"
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
	"repo REPO (created if missing; more past --commit-max-files, README.md last). Each\n"
	"shard is uploaded while the next is written; the commit references them. Shards are\n"
	"`{data_dir}/{split}-00000-of-0000N.parquet` (data_dir is `data` for the config\n"
	"`default`, else the config name), the card is merged into the existing one, and\n"
	"stale shards of the pushed splits are deleted.\n"
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
	"  --upload-workers N   upload threads (each shard is uploaded while the next is\n"
	"                       written; default 4 for a remote hub)\n"
	"  --spool-max SIZE     the writer waits while the shards not yet uploaded hold SIZE\n"
	"                       bytes: the spool never holds more than SIZE + one shard\n"
	"  --keep               keep the shards after the push (not with --spool-max): the\n"
	"                       staging folder becomes SPOOL/kept-OWNER--NAME-COMMIT12 (SPOOL:\n"
	"                       $HFDS_HOME/spool, or ROOT/tmp of an embedded hub), shards under\n"
	"                       their repo paths; the path is printed on stderr (event kept)\n"
	"  --commit-max-files N at most N files per commit (default 1000, or\n"
	"                       HFDS_COMMIT_MAX_FILES): more make several commits, README last;\n"
	"                       a commit slower than 40 s (HFDS_COMMIT_SLOW_MS) halves the cap\n"
	"                       of the next, a full and fast one doubles it back\n"
	"  --commit-max-bytes S at most S bytes of files per commit (default 50GB, or\n"
	"                       HFDS_COMMIT_MAX_BYTES)\n"
	"  --no-commit          upload the shards but commit nothing; needs --manifest\n"
	"  --manifest M.json    with --no-commit: describe the uploaded shards in M.json for\n"
	"                       `hfds commit REPO --manifest M.json ...`\n"
	"  --json               progress as one JSON object per line on stderr (events: features,\n"
	"                       rows, shard, queued, stored, retained, commit, committed,\n"
	"                       unchanged (a commit not made), no_changes, split, kept, done)\n"
	"  -q, --quiet          nothing on stderr but errors (default: one progress bar on a\n"
	"                       terminal, summary lines otherwise)\n"
	"\n"
	"A rerun that would change nothing makes no commit (on the Hub too: files whose\n"
	"content the repo already holds are left out, as huggingface_hub does) and says\n"
	"\"no changes: REPO is already at SHA\" (event no_changes); stdout has the head.\n"
	"\n"
	"exit codes: 0 done (or nothing to change), 1 the push failed (hub, network, I/O), 2 usage error,\n"
	"3 invalid input data (a source, the features, the repo's card).\n"
	"\n"
	"JSON Lines values: numbers/strings/booleans per dtype, binary as base64, ClassLabel as\n"
	"index or name, lists as arrays, structs as objects, Image/Audio as {\"bytes\": base64,\n"
	"\"path\": ...} or a path string, timestamps/dates as ISO strings or raw integers.\n"
	"\n"
	"examples:\n"
	"  hfds push me/reviews --split train=train.jsonl --split test=test.jsonl --features f.json\n"
	"  hfds push me/reviews --config fr --split train=fr.parquet --set-default\n"
	"  hfds push me/reviews --config fr --split train=a.parquet --max-shard-size 10MB --revision dev\n";


static void on_warning(void *payload, const char *message)
{
	(void)payload;
	cli_eprintf("hfds push: warning: %s\n", message);
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

/* --commit-max-files / --commit-max-bytes, else their environment variables. */
static int commit_limits(hfds_ds_publish_options *po, const char *files, const char *bytes)
{
	const char *slow;
	long long n;
	hfds_error err;
	hfds_error_init(&err);
	if (!files)
		files = getenv("HFDS_COMMIT_MAX_FILES");
	if (!bytes)
		bytes = getenv("HFDS_COMMIT_MAX_BYTES");
	if (files && *files) {
		int code = cli_int("push", "--commit-max-files", files, 2, 1000000, &n);
		if (code != CLI_EXIT_OK)
			return code;
		po->max_files = (size_t)n;
	}
	if (bytes && *bytes && (hfds_ds_parse_size(bytes, &po->max_bytes, &err) < 0 || po->max_bytes == 0))
		return cli_usage_error("push", "--commit-max-bytes: %s", err.code ? err.message : "must be positive");
	if ((slow = getenv("HFDS_COMMIT_SLOW_MS")) && *slow) {
		int code = cli_int("push", "HFDS_COMMIT_SLOW_MS", slow, 1, 3600000, &n);
		if (code != CLI_EXIT_OK)
			return code;
		po->slow_commit_ms = (unsigned)n;
	}
	return CLI_EXIT_OK;
}

int cmd_push(int argc, char **argv)
{
	const char *config = "default", *features_path = NULL, *endpoint = NULL;
	const char *max_files = NULL, *max_bytes = NULL;
	hfds_push_source *sources = NULL;
	char **owned = NULL;
	size_t nowned = 0, i;
	hfds_push_options o;
	hfds_push_result res;
	hfds_hub *hub = NULL;
	char *text = NULL;
	size_t text_len = 0;
	int quiet = 0, json = 0, threads = 0, code = CLI_EXIT_OK, was_missing = 0, started = 0;
	push_progress prog;
	hfds_error err;

	hfds_error_init(&err);
	hfds_push_options_init(&o);
	memset(&res, 0, sizeof(res));
	sources = calloc((size_t)argc + 1, sizeof(*sources));
	owned = calloc(2 * (size_t)argc + 1, sizeof(*owned));
	if (!sources || !owned) {
		free(sources);
		free(owned);
		return CLI_EXIT_ERROR;
	}
	for (i = 1; i < (size_t)argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < (size_t)argc ? argv[i + 1] : NULL;
#define NEED_VALUE() do { if (!v) { code = cli_usage_error("push", "%s needs a value", a); goto done; } i++; } while (0)
		int ii = (int)i, ia;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage_text, stdout);
			fputs(cli_ingest_help, stdout);
			fputs("push reads 4MiB blocks by default and writes row groups of one block: convert's\n"
				"row groups in about 2/3 of its memory (53 MB for 2M rows on 2 threads).\n", stdout);
			goto done;
		} else if ((ia = cli_ingest_arg("push", argc, argv, &ii, &o.ingest, &o.ds.row_group_bytes)) != 0) {
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
			owned[nowned++] = hfds_strndup(v, (size_t)(eq - v));
			if (!owned[nowned - 1]) {
				code = cli_fail(&(hfds_error){ HFDS_ENOMEM, "out of memory" });
				goto done;
			}
			sources[o.source_count].config = config;
			sources[o.source_count].split = owned[nowned - 1];
			sources[o.source_count].files = eq + 1;
			o.source_count++;
		} else if (!strcmp(a, "--features")) {
			NEED_VALUE();
			features_path = v;
		} else if (!strcmp(a, "--max-shard-size")) {
			NEED_VALUE();
			if (hfds_ds_parse_size(v, &o.ds.max_shard_size, &err) < 0 || o.ds.max_shard_size == 0) {
				code = cli_usage_error("push", "--max-shard-size: %s", err.code ? err.message : "must be positive");
				goto done;
			}
		} else if (!strcmp(a, "--spool-max")) {
			NEED_VALUE();
			if (hfds_ds_parse_size(v, &o.upload.spool_max, &err) < 0 || o.upload.spool_max == 0) {
				code = cli_usage_error("push", "--spool-max: %s", err.code ? err.message : "must be positive");
				goto done;
			}
		} else if (!strcmp(a, "--codec")) {
			NEED_VALUE();
			if (hfds_pq_codec_parse(v, &o.ds.codec, &err) < 0) {
				code = cli_usage_error("push", "--codec: %s", err.message);
				goto done;
			}
		} else if (!strcmp(a, "--append")) {
			o.ds.layout = HFDS_DS_LAYOUT_APPEND;
		} else if (!strcmp(a, "--message") || !strcmp(a, "-m")) {
			NEED_VALUE();
			o.publish.title = v;
		} else if (!strcmp(a, "--description")) {
			NEED_VALUE();
			o.publish.description = v;
		} else if (!strcmp(a, "--revision")) {
			NEED_VALUE();
			o.revision = v;
		} else if (!strcmp(a, "--private")) {
			o.is_private = 1;
		} else if (!strcmp(a, "--set-default")) {
			o.ds.set_default = 1;
		} else if (!strcmp(a, "--replace-features")) {
			o.ds.replace_features = o.publish.replace_features = 1;
		} else if (!strcmp(a, "--legacy-sequence")) {
			o.ds.features_flags |= HFDS_FEATURES_SEQUENCE;
		} else if (!strcmp(a, "--out")) {
			NEED_VALUE();
			o.out_dir = v;
		} else if (!strcmp(a, "--from")) {
			NEED_VALUE();
			o.from_dir = v;
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
			o.upload.workers = (unsigned)n;
		} else if (!strcmp(a, "--commit-max-files")) {
			NEED_VALUE();
			max_files = v;
		} else if (!strcmp(a, "--commit-max-bytes")) {
			NEED_VALUE();
			max_bytes = v;
		} else if (!strcmp(a, "--keep")) {
			o.upload.keep = 1;
		} else if (!strcmp(a, "--no-commit")) {
			o.no_commit = 1;
		} else if (!strcmp(a, "--manifest")) {
			NEED_VALUE();
			o.manifest_path = v;
		} else if (!strcmp(a, "--json")) {
			json = 1;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			quiet = 1;
		} else if (a[0] == '-' && a[1]) {
			code = cli_usage_error("push", "unknown option '%s'", a);
			goto done;
		} else if (!o.repo_id) {
			o.repo_id = a;
		} else {
			code = cli_usage_error("push", "unexpected argument '%s'", a);
			goto done;
		}
#undef NEED_VALUE
	}
	if (!o.repo_id && !o.out_dir) {
		code = cli_usage_error("push", "missing REPO (or --out DIR)");
		goto done;
	}
	if (o.from_dir && (o.source_count || o.out_dir)) {
		code = cli_usage_error("push", "--from publishes a built folder: it takes no --split or --out");
		goto done;
	}
	if (!o.from_dir && o.source_count == 0) {
		code = cli_usage_error("push", "nothing to push: give --split NAME=FILE (or --from DIR)");
		goto done;
	}
	if (o.no_commit != !!o.manifest_path || (o.no_commit && (o.out_dir || o.from_dir))) {
		code = cli_usage_error("push", "--no-commit and --manifest go together (and not with --out or --from)");
		goto done;
	}
	if (o.upload.keep && o.upload.spool_max) {
		code = cli_usage_error("push", "--keep and --spool-max exclude each other");
		goto done;
	}
	if (!o.from_dir && !features_path && !strcmp(sources[0].files, "-")) {
		code = cli_usage_error("push", "JSON Lines from stdin need --features F.json (the Features dict as JSON)");
		goto done;
	}
	if ((code = commit_limits(&o.publish, max_files, max_bytes)) != CLI_EXIT_OK)
		goto done;
	push_progress_init(&prog, quiet ? PUSH_QUIET : json ? PUSH_JSON : isatty(2) ? PUSH_BAR : PUSH_LINES);
	started = 1;
	cli_clean_staging_on_signals();
	o.sources = sources;
	o.ds.threads = o.ingest.threads = cli_threads(threads);
	cli_ingest_one_arena();
	o.publish.warn = on_warning;
	o.progress = push_progress_event;
	o.progress_payload = &prog;
	if (features_path) {
		if (read_text(features_path, &text, &text_len, &err) < 0)
			goto fail;
		o.features_json = text;
		o.features_len = text_len;
	}
	if (!o.out_dir) {
		if (hfds_hub_open(&hub, endpoint, &err) < 0)
			goto fail;
		hfds_hub_set_upload_workers(hub, o.upload.workers);
		was_missing = cli_repo_missing(hub, o.repo_id);
		if (prog.mode == PUSH_LINES || prog.mode == PUSH_BAR)
			fprintf(stderr, "hfds push: %s\n", hfds_hub_where(hub));
	}
	if (hfds_push(hub, &o, &res, &err) < 0) {
		if (features_path && (err.code == HFDS_EPARSE || err.code == HFDS_EINVAL) && !strstr(err.message, features_path))
			hfds_error_prefix(&err, features_path);
		goto fail;
	}
	push_progress_done(&prog);
	for (i = 0; i < res.split_count && !quiet; i++) {
		char line[600];
		snprintf(line, sizeof(line), "%s/%s: %llu rows in %llu file(s)", res.splits[i].config, res.splits[i].split,
			(unsigned long long)res.splits[i].rows, (unsigned long long)res.splits[i].files);
		if (json)
			push_progress_emit(&prog, "split", "summary", line);
		else
			fprintf(stderr, "hfds push: %s\n", line);
	}
	if (res.unchanged && json)
		push_progress_unchanged(&prog, o.repo_id, res.sha);
	else if (res.unchanged && !quiet)
		cli_no_changes("push", o.repo_id, res.sha);
	if (o.out_dir)
		printf("%s\n", o.out_dir);
	else if (o.no_commit)
		printf("%s\n", o.manifest_path);
	else
		printf("%s\n", res.sha);
	if (res.kept_dir && json)
		push_progress_emit(&prog, "kept", "path", res.kept_dir);
	else if (res.kept_dir && !quiet)
		fprintf(stderr, "hfds push: kept the shards in %s\n", res.kept_dir);
	if (json)
		push_progress_emit(&prog, "done", "sha", res.sha);
	goto done;
fail:
	push_progress_done(&prog);
	code = cli_fail(&err);
	if (hub && o.repo_id)
		cli_repo_abandon(hub, o.repo_id, was_missing);
done:
	if (started)
		push_progress_release(&prog);
	hfds_push_result_release(&res);
	hfds_hub_free(hub);
	free(text);
	for (i = 0; i < nowned; i++)
		hfds_free(owned[i]);
	free(owned);
	free(sources);
	return code;
}
