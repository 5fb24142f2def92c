/*
 * hfds_push: the push planning `hfds push` used to hold, as a library call. It chooses the
 * features, reads every source of every (config, split) into one dataset writer, and ends
 * the way the options say: a built folder, a folder published, a commit (shards uploaded
 * while the next is written: the writer is attached to the repository before the first
 * row), or a manifest for a later hfds_push_commit_manifests.
 */
#include "hfds/publish.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hfds/parquet.h"
#include "hfds/parquet_reader.h"
#include "util/alloc.h"
#include "util/try.h"

#define PUSH_BLOCK_BYTES (4u << 20)

typedef struct push_run {
	const hfds_push_options *o;
	hfds_push_event ev;
} push_run;

static void emit(push_run *r, const char *event)
{
	if (r->o->progress) {
		r->ev.event = event;
		r->o->progress(r->o->progress_payload, &r->ev);
	}
}

/* The writer's events: a shard closed (its upload is queued right after). */
static void on_ds_progress(void *payload, const char *what, uint64_t done, uint64_t total)
{
	push_run *r = payload;
	(void)done;
	(void)total;
	if (!strcmp(what, "shard")) {
		r->ev.shards++;
		emit(r, "shard");
	}
}

static void on_upload(void *payload, const hfds_hub_progress *p)
{
	push_run *r = payload;
	hfds_push_event e;          /* not r->ev: the writing thread changes it meanwhile */
	memset(&e, 0, sizeof(e));
	e.up = *p;
	e.path = p->path;
	e.event = p->event;
	if (r->o->progress)
		r->o->progress(r->o->progress_payload, &e);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

static int features_from_parquet(hfds_features **out, const char *path, hfds_error *err)
{
	hfds_pq_reader *rd = NULL;
	struct ArrowSchema s;
	int rc = 0;
	memset(&s, 0, sizeof(s));
	HFDS_TRY(hfds_pq_reader_open_path(&rd, path, NULL, err));
	HFDS_TRY(hfds_pq_reader_schema(rd, &s, err));
	HFDS_TRY(hfds_features_from_arrow_schema(out, &s, err));
done:
	if (s.release)
		s.release(&s);
	hfds_pq_reader_free(rd);
	if (rc < 0)
		hfds_error_prefix(err, path);
	return rc;
}

static int write_parquet(push_run *r, hfds_ds *ds, const char *config, const char *split, const char *path,
	hfds_error *err)
{
	hfds_pq_reader *rd = NULL;
	struct ArrowArrayStream st;
	int rc = 0;
	memset(&st, 0, sizeof(st));
	HFDS_TRY(hfds_pq_reader_open_path(&rd, path, NULL, err));
	HFDS_TRY(hfds_pq_reader_scan(rd, NULL, &st, err));
	for (;;) {
		struct ArrowArray a;
		memset(&a, 0, sizeof(a));
		if (st.get_next(&st, &a)) {
			rc = hfds_pq_stream_error(&st, err);
			HFDS_FAIL_IF(rc == 0, HFDS_EIO, err, "read failed");
			goto done;
		}
		if (!a.release)
			break;
		rc = hfds_ds_write(ds, config, split, &a, err);
		r->ev.rows += (uint64_t)a.length;
		a.release(&a);
		HFDS_TRY(rc);
		emit(r, "rows");
	}
done:
	if (st.release)
		st.release(&st);
	hfds_pq_reader_free(rd);
	if (rc < 0 && err && !strstr(err->message, path))
		hfds_error_prefix(err, path);
	return rc;
}

static int write_rows(push_run *r, hfds_ds *ds, const hfds_features *f, const char *config, const char *split,
	const char *path, hfds_error *err)
{
	hfds_ingest *in = NULL;
	struct ArrowArray a;
	int rc = 0;
	HFDS_TRY(hfds_ingest_open(&in, path, f, &r->o->ingest, err));
	for (;;) {
		rc = hfds_ingest_next(in, &a, err);
		if (rc == HFDS_ITEROVER) {
			rc = 0;
			break;
		}
		HFDS_TRY(rc);
		rc = hfds_ds_write(ds, config, split, &a, err);
		r->ev.rows += (uint64_t)a.length;
		a.release(&a);
		HFDS_TRY(rc);
		emit(r, "rows");
	}
	if (hfds_ingest_ignored(in)) {
		uint64_t rows = r->ev.rows;
		r->ev.rows = hfds_ingest_ignored(in);
		r->ev.path = path;
		emit(r, "dropped");
		r->ev.rows = rows;
		r->ev.path = NULL;
	}
done:
	hfds_ingest_free(in);
	return rc;
}

/* --features, else the first Parquet source's schema, else inferred from the first rows. */
static int choose_features(push_run *r, hfds_features **out, hfds_error *err)
{
	const hfds_push_options *o = r->o;
	char *first = NULL, *comma;
	hfds_ingest *in = NULL;
	int rc = 0;
	if (o->features_json) {
		rc = hfds_features_parse_json(out, o->features_json, o->features_len, err);
		return rc;
	}
	first = hfds_strdup(o->sources[0].files);
	HFDS_FAIL_IF(!first, HFDS_ENOMEM, err, "out of memory");
	if ((comma = strchr(first, ',')) != NULL)
		*comma = '\0';
	HFDS_FAIL_IF(!strcmp(first, "-"), HFDS_EINVAL, err,
		"JSON Lines from stdin need --features F.json (the Features dict as JSON)");
	if (ends_with(first, ".parquet")) {
		HFDS_TRY(features_from_parquet(out, first, err));
	} else {
		char *json = NULL;
		HFDS_TRY(hfds_ingest_open(&in, first, NULL, &o->ingest, err));
		HFDS_TRY(hfds_features_copy(out, hfds_ingest_features(in), err));
		if (hfds_features_to_json(&json, NULL, *out, 0, NULL) == 0) {
			r->ev.path = first;
			r->ev.detail = json;
			emit(r, "features");
			r->ev.path = r->ev.detail = NULL;
		}
		hfds_free(json);
	}
done:
	hfds_ingest_free(in);
	hfds_free(first);
	return rc;
}

void hfds_push_options_init(hfds_push_options *o)
{
	memset(o, 0, sizeof(*o));
	o->version = HFDS_PUSH_OPTIONS_VERSION;
	hfds_ds_options_init(&o->ds);
	o->ds.row_group_bytes = 0; /* automatic: see only_parquet */
	hfds_ingest_options_init(&o->ingest);
	o->ingest.block_bytes = PUSH_BLOCK_BYTES;
	hfds_ds_publish_options_init(&o->publish);
	hfds_hub_upload_options_init(&o->upload);
}

void hfds_push_result_release(hfds_push_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->split_count; i++) {
		hfds_free(r->splits[i].config);
		hfds_free(r->splits[i].split);
	}
	hfds_free(r->splits);
	hfds_free(r->kept_dir);
	memset(r, 0, sizeof(*r));
}

static const char *cfg_of(const hfds_push_source *s)
{
	return s->config ? s->config : "default";
}

/* Rows and files of each distinct (config, split), in first-push order. */
static int collect_stats(hfds_push_result *res, const hfds_ds *ds, const hfds_push_options *o, hfds_error *err)
{
	int rc = 0;
	res->splits = hfds_calloc(o->source_count + 1, sizeof(*res->splits));
	HFDS_FAIL_IF(!res->splits, HFDS_ENOMEM, err, "out of memory");
	for (size_t i = 0; i < o->source_count; i++) {
		hfds_push_split *s = &res->splits[res->split_count];
		int seen = 0;
		for (size_t k = 0; k < res->split_count; k++)
			seen |= !strcmp(res->splits[k].config, cfg_of(&o->sources[i])) &&
				!strcmp(res->splits[k].split, o->sources[i].split);
		if (seen)
			continue;
		s->config = hfds_strdup(cfg_of(&o->sources[i]));
		s->split = hfds_strdup(o->sources[i].split);
		HFDS_FAIL_IF(!s->config || !s->split, HFDS_ENOMEM, err, "out of memory");
		res->split_count++;
		hfds_ds_split_stats(ds, s->config, s->split, &s->rows, NULL, &s->files);
	}
done:
	return rc;
}

static int write_manifest(const char *path, const char *text, hfds_error *err)
{
	FILE *fp = fopen(path, "wb");
	int bad;
	if (!fp)
		return hfds_error_set(err, HFDS_EIO, "%s: %s", path, strerror(errno));
	bad = fputs(text, fp) < 0 || fputc('\n', fp) < 0;
	bad |= fclose(fp) != 0;
	return bad ? hfds_error_set(err, HFDS_EIO, "%s: write error", path) : 0;
}

/* Every source of every (config, split), in the order given. */
static int write_sources(push_run *r, hfds_ds *ds, const hfds_features *f, hfds_error *err)
{
	const hfds_push_options *o = r->o;
	int rc = 0;
	char *list = NULL;
	for (size_t i = 0; i < o->source_count; i++) {
		const char *cfg = cfg_of(&o->sources[i]);
		char *save = NULL, *file;
		list = hfds_strdup(o->sources[i].files);
		HFDS_FAIL_IF(!list, HFDS_ENOMEM, err, "out of memory");
		HFDS_TRY(hfds_ds_add_split(ds, cfg, o->sources[i].split, err));
		if (!r->ev.split || strcmp(r->ev.config, cfg) || strcmp(r->ev.split, o->sources[i].split)) {
			r->ev.config = cfg;
			r->ev.split = o->sources[i].split;
			r->ev.rows = 0;
		}
		for (file = strtok_r(list, ",", &save); file; file = strtok_r(NULL, ",", &save))
			HFDS_TRY(ends_with(file, ".parquet") ? write_parquet(r, ds, cfg, o->sources[i].split, file, err)
				: write_rows(r, ds, f, cfg, o->sources[i].split, file, err));
		hfds_free(list);
		list = NULL;
	}
done:
	hfds_free(list);
	return rc;
}

/* Whether every source file is Parquet. JSON Lines / CSV sources get row groups of one ingest
 * block unless the options name a size. A push reads PUSH_BLOCK_BYTES blocks, half of
 * `convert`'s: its row groups are convert's (4 MiB) while the blocks parsed and held in flight
 * (two rounds of `threads` blocks, each with its Arrow batch) take half the memory: 2M JSON
 * Lines rows to `hfds serve` peak at 53 MB instead of 78 on 2 threads for the same CPU
 * (bench/hub). Everything depends on the block size only, so the bytes written do not depend
 * on the thread count. Parquet sources keep the 100e6 default. */
static int only_parquet(const hfds_push_options *o)
{
	for (size_t i = 0; i < o->source_count; i++) {
		const char *f = o->sources[i].files;
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

/* The staging folder survives as kept-<owner>--<name>-<commit or staging suffix>. */
static int keep_staging(hfds_hub_staging *staging, const hfds_push_options *o, hfds_push_result *out,
	hfds_error *err)
{
	const char *slash = strchr(o->repo_id, '/'), *dir = hfds_hub_staging_path(staging);
	char name[300];
	if (out->sha[0])
		snprintf(name, sizeof(name), "kept-%.*s--%.100s-%.12s", slash ? (int)(slash - o->repo_id) : 0, o->repo_id,
			slash ? slash + 1 : o->repo_id, out->sha);
	else
		snprintf(name, sizeof(name), "kept-%.*s--%.100s-%s", slash ? (int)(slash - o->repo_id) : 0, o->repo_id,
			slash ? slash + 1 : o->repo_id, strrchr(dir, '-') + 1);
	return hfds_hub_staging_keep(staging, name, &out->kept_dir, err);
}

/* The publish made no commit and skipped at least one: the branch stayed where it was. */
static int unchanged_publish(const hfds_hub_dataset *repo, const hfds_push_options *o)
{
	size_t skipped = 0;
	if (!repo || o->no_commit)
		return 0;
	return hfds_hub_dataset_commits(repo, &skipped) == 0 && skipped > 0;
}

int hfds_push(hfds_hub *hub, const hfds_push_options *o, hfds_push_result *out, hfds_error *err)
{
	push_run r;
	hfds_features *features = NULL;
	hfds_hub_dataset *repo = NULL;
	hfds_hub_staging *staging = NULL;
	hfds_ds *ds = NULL;
	hfds_ds_options dso;
	hfds_hub_upload_options up;
	char *manifest = NULL;
	int rc = 0;
	HFDS_ASSERT_ARG(o && out, err);
	HFDS_CHECK_VERSION(o, HFDS_PUSH_OPTIONS_VERSION, "hfds_push_options", err);
	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	r.o = o;
	HFDS_FAIL_IF(!o->out_dir && (!hub || !o->repo_id), HFDS_EINVAL, err, "missing the repository (or an out folder)");
	HFDS_FAIL_IF(o->from_dir && (o->source_count || o->out_dir), HFDS_EINVAL, err,
		"publishing a built folder takes no sources and no out folder");
	HFDS_FAIL_IF(!o->from_dir && o->source_count == 0, HFDS_EINVAL, err, "nothing to push: no source");
	HFDS_FAIL_IF(o->no_commit && (!o->manifest_path || o->out_dir || o->from_dir), HFDS_EINVAL, err,
		"no commit needs a manifest path, and no out or from folder");
	if (!o->out_dir) {
		HFDS_TRY(hfds_hub_dataset_open(&repo, hub, o->repo_id, o->revision,
			HFDS_HUB_DATASET_CREATE | (o->is_private ? HFDS_HUB_DATASET_PRIVATE : 0), err));
		up = o->upload;
		up.progress = on_upload;
		up.progress_payload = &r;
		HFDS_TRY(hfds_hub_dataset_set_upload(repo, &up, err));
	}
	if (o->from_dir) {
		HFDS_TRY(hfds_ds_publish_folder(o->from_dir, hfds_hub_dataset_ops(repo), &o->publish, out->sha, err));
		out->unchanged = unchanged_publish(repo, o);
		goto done;
	}
	HFDS_TRY(choose_features(&r, &features, err));
	for (size_t i = 0; i < o->source_count; i++) {
		HFDS_TRY(hfds_ds_check_config(cfg_of(&o->sources[i]), err));
		HFDS_TRY(hfds_ds_check_split(o->sources[i].split, err));
	}
	dso = o->ds;
	if (!dso.row_group_bytes) {
		hfds_ds_options d;
		hfds_ds_options_init(&d);
		dso.row_group_bytes = only_parquet(o) ? d.row_group_bytes : o->ingest.block_bytes;
	}
	dso.progress = on_ds_progress;
	dso.progress_payload = &r;
	if (!o->out_dir)
		HFDS_TRY(hfds_hub_staging_new(&staging, hub, err));
	HFDS_TRY(hfds_ds_open(&ds, o->out_dir ? o->out_dir : hfds_hub_staging_path(staging), features, &dso, err));
	if (repo)
		HFDS_TRY(hfds_ds_attach(ds, hfds_hub_dataset_ops(repo), err));
	HFDS_TRY(write_sources(&r, ds, features, err));
	if (o->out_dir) {
		HFDS_TRY(hfds_ds_finish(ds, err));
	} else if (o->no_commit) {
		HFDS_TRY(hfds_ds_manifest(ds, &manifest, err));
		HFDS_TRY(write_manifest(o->manifest_path, manifest, err));
	} else {
		HFDS_TRY(hfds_ds_publish(ds, hfds_hub_dataset_ops(repo), &o->publish, out->sha, err));
	}
	HFDS_TRY(collect_stats(out, ds, o, err));
	out->unchanged = unchanged_publish(repo, o);
	if (o->upload.keep && staging)   /* out_dir: the folder is the user's already */
		HFDS_TRY(keep_staging(staging, o, out, err));
done:
	if (rc < 0)
		hfds_push_result_release(out);
	free(manifest);
	hfds_ds_free(ds);
	hfds_hub_dataset_free(repo);   /* stops the upload threads before the spool goes */
	hfds_hub_staging_free(staging);
	hfds_features_free(features);
	return rc;
}

static int read_all(const char *path, char **out, size_t *len, hfds_error *err)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	*out = NULL;
	HFDS_FAIL_IF(!fp, HFDS_EIO, err, "%s: %s", path, strerror(errno));
	for (;;) {
		size_t got;
		if (n + 4096 > cap) {
			char *grown;
			cap = cap ? 2 * cap : 65536;
			HFDS_FAIL_IF(cap > (256u << 20), HFDS_ELIMIT, err, "%s: larger than 256 MiB", path);
			grown = hfds_realloc(buf, cap);
			HFDS_FAIL_IF(!grown, HFDS_ENOMEM, err, "out of memory");
			buf = grown;
		}
		got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (got == 0)
			break;
	}
	HFDS_FAIL_IF(ferror(fp), HFDS_EIO, err, "%s: read error", path);
	*out = buf;
	*len = n;
	buf = NULL;
done:
	if (fp)
		fclose(fp);
	hfds_free(buf);
	return rc;
}

int hfds_push_commit_manifests(hfds_hub *hub, const char *repo_id, const char *revision,
	const char *const *paths, size_t n, const hfds_ds_publish_options *po, const hfds_ds_options *dso,
	char sha[41], hfds_error *err)
{
	hfds_hub_dataset *repo = NULL;
	hfds_hub_staging *staging = NULL;
	hfds_ds *ds = NULL;
	char **texts = NULL;
	size_t *lens = NULL, skipped = 0;
	int rc = 0;
	HFDS_ASSERT_ARG(hub && repo_id && paths, err);
	texts = hfds_calloc(n + 1, sizeof(*texts));
	lens = hfds_calloc(n + 1, sizeof(*lens));
	HFDS_FAIL_IF(!texts || !lens, HFDS_ENOMEM, err, "out of memory");
	for (size_t i = 0; i < n; i++)
		HFDS_TRY(read_all(paths[i], &texts[i], &lens[i], err));
	HFDS_TRY(hfds_hub_dataset_open(&repo, hub, repo_id, revision, HFDS_HUB_DATASET_CREATE, err));
	HFDS_TRY(hfds_hub_staging_new(&staging, hub, err));
	HFDS_TRY(hfds_ds_open_manifests(&ds, hfds_hub_staging_path(staging), (const char *const *)texts, lens, paths,
		n, dso, err));
	HFDS_TRY(hfds_ds_publish(ds, hfds_hub_dataset_ops(repo), po, sha, err));
	rc = hfds_hub_dataset_commits(repo, &skipped) == 0 && skipped > 0;
done:
	for (size_t i = 0; texts && i < n; i++)
		hfds_free(texts[i]);
	hfds_free(texts);
	hfds_free(lens);
	hfds_ds_free(ds);
	hfds_hub_dataset_free(repo);
	hfds_hub_staging_free(staging);
	return rc;
}
