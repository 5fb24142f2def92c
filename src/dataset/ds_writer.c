/*
 * The dataset writer: one Parquet writer per open (config, split), shards rolled over by
 * their written size, temp names until the split's shard count is known.
 */
#include "dataset/ds_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hfds/arrow.h"
#include "util/alloc.h"
#include "util/sha256.h"
#include "util/try.h"

#define MIN_ROW_GROUP_BYTES (64u << 10)

void hfds_ds_options_init(hfds_ds_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->version = HFDS_DS_OPTIONS_VERSION;
	opts->max_shard_size = 500000000ull;
	opts->codec = HFDS_PQ_SNAPPY;
	opts->row_group_bytes = 100000000u;
	opts->layout = HFDS_DS_LAYOUT_SHARDS;
	opts->replace_config = -1;
}

/* mkdir -p */
static int make_dirs(const char *path, hfds_error *err)
{
	int rc = 0;
	char *p = hfds_strdup(path), *s;
	HFDS_FAIL_IF(!p, HFDS_ENOMEM, err, "out of memory");
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST)
			HFDS_FAIL(HFDS_EIO, err, "%s: cannot create folder: %s", p, strerror(errno));
		*s = '/';
	}
	if (mkdir(p, 0777) < 0 && errno != EEXIST)
		HFDS_FAIL(HFDS_EIO, err, "%s: cannot create folder: %s", p, strerror(errno));
done:
	hfds_free(p);
	return rc;
}

static void config_free(ds_config *c)
{
	if (!c)
		return;
	hfds_free(c->name);
	hfds_features_free(c->features);
	if (c->schema.release)
		c->schema.release(&c->schema);
	hfds_free(c->hf_json);
	json_decref(c->features_yaml);
	hfds_free(c);
}

static int config_set_features(ds_config *c, const hfds_features *f, unsigned flags, hfds_error *err)
{
	int rc = 0;
	hfds_features *copy = NULL;
	struct ArrowSchema schema;
	char *hf = NULL;
	json_t *yaml = NULL;
	memset(&schema, 0, sizeof(schema));
	HFDS_TRY(hfds_features_copy(&copy, f, err));
	HFDS_TRY(hfds_features_to_arrow_schema(&schema, copy, HFDS_FEATURES_ARROW_HF_METADATA | flags, err));
	HFDS_TRY(hfds_features_hf_metadata(&hf, NULL, copy, flags, err));
	HFDS_TRY(hfds_ds__features_yaml(&yaml, copy, flags, err));
	hfds_features_free(c->features);
	if (c->schema.release)
		c->schema.release(&c->schema);
	hfds_free(c->hf_json);
	json_decref(c->features_yaml);
	c->features = copy;
	c->schema = schema;
	c->hf_json = hf;
	c->features_yaml = yaml;
	copy = NULL;
	schema.release = NULL;
	hf = NULL;
	yaml = NULL;
done:
	hfds_features_free(copy);
	if (schema.release)
		schema.release(&schema);
	hfds_free(hf);
	json_decref(yaml);
	return rc;
}

int hfds_ds_open(hfds_ds **out, const char *dir, const hfds_features *features, const hfds_ds_options *opts,
	hfds_error *err)
{
	int rc = 0;
	hfds_ds *ds = NULL;
	*out = NULL;
	HFDS_ASSERT_ARG(dir && features, err);
	HFDS_CHECK_VERSION(opts, HFDS_DS_OPTIONS_VERSION, "hfds_ds_options", err);
	ds = hfds_calloc(1, sizeof(*ds));
	HFDS_FAIL_IF(!ds, HFDS_ENOMEM, err, "out of memory");
	if (opts)
		ds->opts = *opts;
	else
		hfds_ds_options_init(&ds->opts);
	HFDS_FAIL_IF(ds->opts.max_shard_size == 0, HFDS_EINVAL, err, "max_shard_size must be positive");
	HFDS_FAIL_IF(ds->opts.layout != HFDS_DS_LAYOUT_SHARDS && ds->opts.layout != HFDS_DS_LAYOUT_APPEND,
		HFDS_EINVAL, err, "unknown dataset layout %d", ds->opts.layout);
	HFDS_FAIL_IF(hfds_features_count(features) == 0, HFDS_EINVAL, err, "features have no column");
	ds->dir = hfds_strdup(dir);
	HFDS_FAIL_IF(!ds->dir, HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(hfds_features_copy(&ds->features, features, err));
	HFDS_TRY(make_dirs(dir, err));
	if (ds->opts.pool) {
		ds->pool = ds->opts.pool;
	} else {
		HFDS_TRY(hfds_pool_new(&ds->own_pool, ds->opts.threads, err));
		ds->pool = ds->own_pool;
	}
	*out = ds;
	ds = NULL;
done:
	hfds_ds_free(ds);
	return rc;
}

static ds_config *find_config(const hfds_ds *ds, const char *name)
{
	size_t i;
	for (i = 0; i < ds->config_count; i++)
		if (!strcmp(ds->configs[i]->name, name))
			return ds->configs[i];
	return NULL;
}

static int get_config(ds_config **out, hfds_ds *ds, const char *name, hfds_error *err)
{
	int rc = 0;
	ds_config *c = find_config(ds, name), **grown;
	if (c) {
		*out = c;
		return 0;
	}
	HFDS_TRY(hfds_ds_check_config(name, err));
	c = hfds_calloc(1, sizeof(*c));
	HFDS_FAIL_IF(!c, HFDS_ENOMEM, err, "out of memory");
	c->name = hfds_strdup(name);
	HFDS_FAIL_IF(!c->name, HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(config_set_features(c, ds->features, ds->opts.features_flags, err));
	grown = hfds_reallocarray(ds->configs, ds->config_count + 1, sizeof(*grown));
	HFDS_FAIL_IF(!grown, HFDS_ENOMEM, err, "out of memory");
	ds->configs = grown;
	c->order = ds->config_count;
	ds->configs[ds->config_count++] = c;
	*out = c;
	c = NULL;
done:
	config_free(c);
	return rc;
}

int hfds_ds_set_config_features(hfds_ds *ds, const char *config, const hfds_features *features, hfds_error *err)
{
	int rc = 0;
	ds_config *c;
	HFDS_FAIL_IF(ds->state != DS_OPEN, HFDS_ESTATE, err, "dataset writer is already finished");
	HFDS_TRY(get_config(&c, ds, config, err));
	HFDS_FAIL_IF(c->used, HFDS_ESTATE, err, "config '%s': features cannot change after the first write", config);
	HFDS_TRY(config_set_features(c, features, ds->opts.features_flags, err));
done:
	return rc;
}

const struct ArrowSchema *hfds_ds_schema(hfds_ds *ds, const char *config)
{
	ds_config *c;
	if (get_config(&c, ds, config, NULL) < 0)
		return NULL;
	return &c->schema;
}

static ds_split *find_split(const hfds_ds *ds, const char *config, const char *split)
{
	size_t i;
	for (i = 0; i < ds->split_count; i++)
		if (!strcmp(ds->splits[i]->config->name, config) && !strcmp(ds->splits[i]->name, split))
			return ds->splits[i];
	return NULL;
}

static void split_free(ds_split *s)
{
	size_t i;
	if (!s)
		return;
	if (s->w) {
		/* the open shard: freeing its writer removes the partial file */
		hfds_pq_writer_free(s->w);
		hfds_free(s->shards[s->shard_count].local);
	}
	for (i = 0; i < s->shard_count; i++) {
		hfds_free(s->shards[i].local);
		hfds_free(s->shards[i].final);
	}
	hfds_free(s->shards);
	hfds_ds__nbytes_release(&s->arrow);
	hfds_free(s->name);
	hfds_free(s);
}

int hfds_ds__get_split(ds_split **out, hfds_ds *ds, const char *config, const char *split, hfds_error *err)
{
	int rc = 0;
	ds_split *s = find_split(ds, config, split), **grown;
	ds_config *c;
	if (s) {
		*out = s;
		return 0;
	}
	HFDS_TRY(hfds_ds_check_split(split, err));
	HFDS_TRY(get_config(&c, ds, config, err));
	s = hfds_calloc(1, sizeof(*s));
	HFDS_FAIL_IF(!s, HFDS_ENOMEM, err, "out of memory");
	s->config = c;
	s->name = hfds_strdup(split);
	HFDS_FAIL_IF(!s->name, HFDS_ENOMEM, err, "out of memory");
	grown = hfds_reallocarray(ds->splits, ds->split_count + 1, sizeof(*grown));
	HFDS_FAIL_IF(!grown, HFDS_ENOMEM, err, "out of memory");
	ds->splits = grown;
	ds->splits[ds->split_count++] = s;
	c->used = 1;
	*out = s;
	s = NULL;
done:
	split_free(s);
	return rc;
}

/* The folder the split's files go to: data_dir for shards, [{config}/]{split} for batches. */
static int split_folder(char **out, const hfds_ds *ds, const ds_split *s, hfds_error *err)
{
	char *p = NULL;
	int n;
	if (ds->opts.layout == HFDS_DS_LAYOUT_APPEND)
		n = !strcmp(s->config->name, "default") ? asprintf(&p, "%s/%s", ds->dir, s->name)
			: asprintf(&p, "%s/%s/%s", ds->dir, s->config->name, s->name);
	else
		n = asprintf(&p, "%s/%s", ds->dir, hfds_ds_data_dir(s->config->name));
	if (n < 0)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	*out = hfds_strdup(p);
	free(p);
	return *out ? 0 : hfds_error_set(err, HFDS_ENOMEM, "out of memory");
}

/* Row-group target of a split's shards: at most an eighth of a shard, so shards end close
 * to max_shard_size. */
static uint64_t row_group_target(const hfds_ds *ds)
{
	uint64_t rg = ds->opts.row_group_bytes;
	if (rg > ds->opts.max_shard_size / 8)
		rg = ds->opts.max_shard_size / 8;
	return rg < MIN_ROW_GROUP_BYTES ? MIN_ROW_GROUP_BYTES : rg;
}

static int open_shard(hfds_ds *ds, ds_split *s, hfds_error *err)
{
	int rc = 0;
	char *folder = NULL, *path = NULL, *tmp = NULL;
	hfds_pq_writer_options o;
	hfds_pq_kv kv;
	ds_shard *grown;
	HFDS_TRY(split_folder(&folder, ds, s, err));
	HFDS_TRY(make_dirs(folder, err));
	HFDS_FAIL_IF(asprintf(&tmp, "%s/.tmp-%s-%05zu.parquet", folder, s->name, s->shard_count) < 0,
		HFDS_ENOMEM, err, "out of memory");
	path = hfds_strdup(tmp);
	HFDS_FAIL_IF(!path, HFDS_ENOMEM, err, "out of memory");
	if (s->shard_count == s->shard_cap) {
		size_t cap = s->shard_cap ? 2 * s->shard_cap : 4;
		grown = hfds_reallocarray(s->shards, cap, sizeof(*grown));
		HFDS_FAIL_IF(!grown, HFDS_ENOMEM, err, "out of memory");
		s->shards = grown;
		s->shard_cap = cap;
	}
	hfds_pq_writer_options_init(&o);
	o.codec = ds->opts.codec;
	o.pool = ds->pool;
	o.row_group_bytes = row_group_target(ds);
	kv.key = "huggingface";
	kv.value = s->config->hf_json;
	o.kv = &kv;
	o.kv_count = 1;
	/* the closed writer's grown buffers, not fresh memory: each fresh page costs a fault
	 * (and on VMs that hand freed memory back to the host, a costly one) */
	rc = hfds_pq_writer_open_next(&s->w, ds->spare, path, &s->config->schema, &o, err);
	hfds_pq_writer_free(ds->spare);
	ds->spare = NULL;
	HFDS_TRY(rc);
	memset(&s->shards[s->shard_count], 0, sizeof(ds_shard));
	s->shards[s->shard_count].local = path;
	path = NULL;
	s->flushed_written = 0;
	s->pending_arrow = 0;
done:
	free(tmp);
	hfds_free(path);
	hfds_free(folder);
	return rc;
}

static int close_shard(hfds_ds *ds, ds_split *s, hfds_error *err)
{
	int rc = 0;
	ds_shard *sh = &s->shards[s->shard_count];
	HFDS_TRY(hfds_pq_writer_close(s->w, &sh->info, err));
	hfds_pq_writer_free(ds->spare);
	ds->spare = s->w;
	s->w = NULL;
	s->shard_count++;
	s->num_examples += sh->info.num_rows;
	s->num_bytes = hfds_ds__nbytes_total(&s->arrow);
	s->download += sh->info.size;
	if (ds->opts.progress)
		ds->opts.progress(ds->opts.progress_payload, "shard", s->shard_count, 0);
	if (ds->repo && ds->repo->upload) {
		/* uploaded while the next shard is written; the name only guides regular-vs-LFS */
		char hex[65];
		hfds_sha256_hex(sh->info.sha256, hex);
		HFDS_TRY(ds->repo->upload(ds->repo->payload, sh->local, sh->local + strlen(ds->dir) + 1, hex,
			sh->info.size, err));
	}
done:
	if (rc < 0) {
		hfds_pq_writer_free(s->w);
		s->w = NULL;
		hfds_free(sh->local);
		sh->local = NULL;
	}
	return rc;
}

static void no_release(struct ArrowArray *a)
{
	a->release = NULL;
}

/* Room kept for the footer and page index written at close: 64 KiB, or an eighth of a small
 * max_shard_size (a margin above the limit itself made every 64-row slice a shard). */
#define SHARD_FOOTER_MARGIN (64u * 1024u)
static uint64_t footer_margin(uint64_t max)
{
	return max / 8 < SHARD_FOOTER_MARGIN ? max / 8 : SHARD_FOOTER_MARGIN;
}

/*
 * Writes rows [first, first+n) of the batch (about `bytes` Arrow bytes) to the split's open
 * shard, opening one, and rolls over before the shard could pass max_shard_size.
 * Row groups are flushed at known points, so the file-to-Arrow size ratio of the split is
 * measured, not guessed; the shard is closed when what it holds (written bytes plus the
 * rows still in memory) and the next slice, both scaled by that ratio with a 25% margin,
 * would not fit.
 */
static int write_slice(hfds_ds *ds, ds_split *s, const struct ArrowArray *batch, int64_t first, int64_t n,
	uint64_t bytes, hfds_error *err)
{
	int rc = 0;
	uint64_t written, max = ds->opts.max_shard_size;
	double ratio, est;
	struct ArrowArray view = *batch;
	view.offset = batch->offset + first;
	view.length = n;
	view.null_count = batch->null_count == 0 ? 0 : -1;
	view.release = no_release;
	if (!s->w)
		HFDS_TRY(open_shard(ds, s, err));
	/* held: the slices of one batch are read in place; hfds_ds_write releases it */
	HFDS_TRY(hfds_pq_writer_write_held(s->w, first == 0 && n == batch->length ? batch : &view, err));
	s->pending_arrow += bytes;
	if (s->pending_arrow >= row_group_target(ds)) {
		HFDS_TRY(hfds_pq_writer_flush(s->w, err));
		written = hfds_pq_writer_bytes_written(s->w);
		s->seen_file += written - s->flushed_written;
		s->seen_arrow += s->pending_arrow;
		s->flushed_written = written;
		s->pending_arrow = 0;
	}
	written = hfds_pq_writer_bytes_written(s->w);
	ratio = s->seen_arrow ? (double)s->seen_file / (double)s->seen_arrow : 1.0;
	est = (double)written + 1.25 * ratio * (double)(s->pending_arrow + bytes) + (double)footer_margin(max);
	if (written >= max || est > (double)max)
		HFDS_TRY(close_shard(ds, s, err));
done:
	return rc;
}

int hfds_ds_write(hfds_ds *ds, const char *config, const char *split, const struct ArrowArray *batch,
	hfds_error *err)
{
	int rc = 0;
	ds_split *s;
	uint64_t bytes, target;
	int64_t step, first;
	HFDS_FAIL_IF(ds->state != DS_OPEN, HFDS_ESTATE, err,
		ds->state == DS_DONE ? "dataset writer is already finished" : "dataset writer failed earlier");
	HFDS_TRY(hfds_ds__get_split(&s, ds, config, split, err));
	ds->written = 1;
	if (batch->length == 0)
		goto done;
	HFDS_FAIL_IF(batch->length < 0 || batch->offset < 0 || batch->n_children != s->config->schema.n_children,
		HFDS_EINVAL, err, "%s/%s: the batch does not match the config's schema (%lld columns, expected %lld)",
		config, split, (long long)batch->n_children, (long long)s->config->schema.n_children);
	/* slices of about an eighth of a shard, so that roll-over happens near the limit even
	 * when one batch holds several shards' worth of rows */
	HFDS_TRY(hfds_arrow_array_validate(batch, &s->config->schema, err));
	/* the batch's Arrow size: what it adds to the split's (the card's num_bytes) */
	bytes = hfds_ds__nbytes_total(&s->arrow);
	HFDS_TRY(hfds_ds__nbytes_add(&s->arrow, &s->config->schema, batch, err));
	bytes = hfds_ds__nbytes_total(&s->arrow) - bytes;
	target = ds->opts.max_shard_size / 8 ? ds->opts.max_shard_size / 8 : 1;
	step = batch->length;
	if (bytes > target)
		step = (int64_t)((double)batch->length * (double)target / (double)bytes);
	/* whole 64-row groups keep validity bitmaps of the slices byte-aligned */
	step = step < 64 ? 64 : step - step % 64;
	for (first = 0; first < batch->length; first += step) {
		int64_t n = first + step <= batch->length ? step : batch->length - first;
		HFDS_TRY(write_slice(ds, s, batch, first, n,
			(uint64_t)((double)bytes * (double)n / (double)batch->length), err));
	}
	if (s->w)
		HFDS_TRY(hfds_pq_writer_release_batch(s->w, err));
done:
	if (rc < 0 && rc != HFDS_ESTATE && rc != HFDS_EINVAL)
		ds->state = DS_FAILED;
	return rc;
}

int hfds_ds_attach(hfds_ds *ds, const hfds_ds_repo_ops *ops, hfds_error *err)
{
	HFDS_ASSERT_ARG(ds && ops, err);
	HFDS_CHECK_VERSION(ops, HFDS_DS_REPO_OPS_VERSION, "hfds_ds_repo_ops", err);
	if (ds->written || ds->state != DS_OPEN)
		return hfds_error_set(err, HFDS_ESTATE, "attach the repository before the first write");
	ds->repo = ops;
	return 0;
}

int hfds_ds_write_stream(hfds_ds *ds, const char *config, const char *split, struct ArrowArrayStream *stream,
	hfds_error *err)
{
	int rc = 0;
	struct ArrowArray a;
	for (;;) {
		int e;
		memset(&a, 0, sizeof(a));
		e = stream->get_next(stream, &a);
		if (e) {
			const char *m = stream->get_last_error ? stream->get_last_error(stream) : NULL;
			HFDS_FAIL(HFDS_EIO, err, "stream: %s", m ? m : strerror(e));
		}
		if (!a.release)
			break;
		rc = hfds_ds_write(ds, config, split, &a, err);
		a.release(&a);
		if (rc < 0)
			goto done;
	}
done:
	return rc;
}

int hfds_ds_add_split(hfds_ds *ds, const char *config, const char *split, hfds_error *err)
{
	ds_split *s;
	if (ds->state != DS_OPEN)
		return hfds_error_set(err, HFDS_ESTATE, "dataset writer is already finished");
	return hfds_ds__get_split(&s, ds, config, split, err);
}

int hfds_ds_end_split(hfds_ds *ds, const char *config, const char *split, hfds_error *err)
{
	int rc = 0;
	ds_split *s;
	HFDS_FAIL_IF(ds->state != DS_OPEN, HFDS_ESTATE, err, "dataset writer is already finished");
	s = find_split(ds, config, split);
	if (s && s->w && (rc = close_shard(ds, s, err)) < 0)
		ds->state = DS_FAILED;
done:
	return rc;
}

int hfds_ds__close_all(hfds_ds *ds, hfds_error *err)
{
	int rc = 0;
	size_t i;
	for (i = 0; i < ds->split_count; i++) {
		ds_split *s = ds->splits[i];
		if (!s->w && s->shard_count == 0)
			HFDS_TRY(open_shard(ds, s, err)); /* an empty split still gets one file */
		if (s->w)
			HFDS_TRY(close_shard(ds, s, err));
	}
	hfds_pq_writer_free(ds->spare);   /* no shard follows */
	ds->spare = NULL;
done:
	if (rc < 0)
		ds->state = DS_FAILED;
	return rc;
}

int hfds_ds_split_stats(const hfds_ds *ds, const char *config, const char *split, uint64_t *num_examples,
	uint64_t *num_bytes, uint64_t *num_files)
{
	ds_split *s = find_split(ds, config, split);
	if (num_examples)
		*num_examples = s ? s->num_examples : 0;
	if (num_bytes)
		*num_bytes = s ? s->num_bytes : 0;
	if (num_files)
		*num_files = s ? s->shard_count : 0;
	return s ? 0 : HFDS_ENOTFOUND;
}

void hfds_ds_free(hfds_ds *ds)
{
	size_t i, k;
	if (!ds)
		return;
	for (i = 0; i < ds->split_count; i++) {
		ds_split *s = ds->splits[i];
		if (ds->state != DS_DONE)
			for (k = 0; k < s->shard_count; k++)
				if (s->shards[k].local)
					unlink(s->shards[k].local);
		split_free(s);
	}
	for (i = 0; i < ds->config_count; i++)
		config_free(ds->configs[i]);
	hfds_free(ds->splits);
	hfds_free(ds->configs);
	hfds_features_free(ds->features);
	hfds_free(ds->dir);
	hfds_pq_writer_free(ds->spare);
	hfds_pool_free(ds->own_pool);
	hfds_free(ds);
}
