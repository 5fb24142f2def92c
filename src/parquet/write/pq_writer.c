/*
 * The Parquet writer's entry points: options, opening the output, shredding batches into the
 * slot that fills, and the buffered output every byte of the file goes through (sha256 as it
 * goes). Row groups in flight are in pq_rowgroup_w.c, the footer in pq_footer_w.c; the state
 * they share is in pq_writer_int.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parquet/format/pq_format.h"
#include "parquet/write/arrow_ipc_schema.h"
#include "parquet/write/pq_writer_int.h"
#include "util/afile.h"
#include "util/alloc.h"
#include "util/try.h"

#define OUT_BUF (1u << 20)
#define DIRECT_WRITE (64u << 10)
#define PARALLEL_WRITE (256u << 10)

void hfds_pq_writer_options_init(hfds_pq_writer_options *o)
{
	memset(o, 0, sizeof(*o));
	o->version = HFDS_PQ_WRITER_OPTIONS_VERSION;
	o->codec = HFDS_PQ_SNAPPY;
	o->page_version = 1;
	o->page_size = 1u << 20;
	o->page_row_limit = 20000;
	o->dictionary_page_limit = 1u << 20;
	o->row_group_bytes = 100000000;
	o->row_group_min_rows = 10;
	o->row_group_max_rows = 1048576;
	o->statistics = 1;
	o->max_statistics_size = 64;
	o->page_index = 1;
	o->threads = 0;
}

static const struct { const char *name; int codec; } codec_names[] = {
	{ "none", HFDS_PQ_UNCOMPRESSED }, { "uncompressed", HFDS_PQ_UNCOMPRESSED },
	{ "snappy", HFDS_PQ_SNAPPY }, { "gzip", HFDS_PQ_GZIP }, { "brotli", HFDS_PQ_BROTLI },
	{ "zstd", HFDS_PQ_ZSTD }, { "lz4", HFDS_PQ_LZ4_RAW }, { "lz4_raw", HFDS_PQ_LZ4_RAW },
};

int hfds_pq_codec_parse(const char *name, int *codec_out, hfds_error *err)
{
	for (size_t i = 0; name && i < sizeof(codec_names) / sizeof(codec_names[0]); i++) {
		if (!strcasecmp(name, codec_names[i].name)) {
			*codec_out = codec_names[i].codec;
			return 0;
		}
	}
	return hfds_error_set(err, HFDS_EINVAL, "unknown codec '%s' (none, snappy, gzip, brotli, zstd, lz4_raw)",
		name ? name : "");
}

const char *hfds_pq_codec_name(int codec)
{
	switch (codec) {
	case HFDS_PQ_UNCOMPRESSED: return "uncompressed";
	case HFDS_PQ_SNAPPY: return "snappy";
	case HFDS_PQ_GZIP: return "gzip";
	case HFDS_PQ_BROTLI: return "brotli";
	case HFDS_PQ_ZSTD: return "zstd";
	case HFDS_PQ_LZ4_RAW: return "lz4_raw";
	default: return "unknown";
	}
}

/* ---- output ---- */

typedef struct write_job {
	hfds_afile *file;
	const void *data;
	size_t n;
	int rc;
	hfds_error err;
} write_job;

static void write_task(void *arg)
{
	write_job *j = arg;
	hfds_error_init(&j->err);
	j->rc = hfds_afile_write(j->file, j->data, j->n, &j->err);
}

/* skip_sha256: no hash (nothing to overlap the write with either) */
static void hash(hfds_pq_writer *w, const void *data, size_t n)
{
	if (w->sha)
		hfds_sha256_update(w->sha, data, n);
}

/* Every byte of the file goes through here, hashed for its LFS id as it goes. Writing to a
 * path with a pool of two or more threads, a large piece (media pages) is handed to the file
 * by a pool worker while this thread hashes it: the kernel's page-cache copy and sha256 are the
 * two biggest costs of writing incompressible media and only read the same bytes. Each piece
 * is waited for before the next, so the file and the hash see the same bytes in the same
 * order. Sinks and write hooks are always called from the caller's thread. */
static int raw_write(hfds_pq_writer *w, const void *data, size_t n, hfds_error *err)
{
	write_job job = { &w->file, data, n, 0, {0} };
	int rc;
	if (n == 0)
		return 0;
	if (w->sink || w->o.path_write_hook) {
		hash(w, data, n);
		rc = w->sink ? w->sink(w->payload, data, n, err)
			: w->o.path_write_hook(w->o.path_write_hook_payload, data, n, err);
		return rc < 0 ? hfds_error_set(err, rc, "write failed") : 0;
	}
	/* ahead of the queued encoding jobs: behind them the caller would end up writing it */
	if (!w->sha || !w->io || n < PARALLEL_WRITE || hfds_taskgroup_submit_first(w->io, write_task, &job, NULL) < 0) {
		hash(w, data, n);
		return hfds_afile_write(&w->file, data, n, err);
	}
	hash(w, data, n);
	hfds_taskgroup_wait(w->io);
	if (job.rc < 0 && err)
		*err = job.err;
	return job.rc;
}

int pqw_out_flush(hfds_pq_writer *w, hfds_error *err)
{
	int rc = raw_write(w, w->out.data, w->out.len, err);
	hfds_buf_clear(&w->out);
	return rc;
}

int pqw_emit(hfds_pq_writer *w, const void *data, size_t n, hfds_error *err)
{
	int rc = 0;
	if (n >= DIRECT_WRITE) {
		HFDS_TRY(pqw_out_flush(w, err));
		HFDS_TRY(raw_write(w, data, n, err));
	} else {
		if (w->out.len + n > OUT_BUF)
			HFDS_TRY(pqw_out_flush(w, err));
		HFDS_TRY(hfds_buf_append(&w->out, data, n, err));
	}
	w->offset += n;
done:
	return rc;
}

/*
 * Marks the writer failed, removes the partial temporary (the file that was at the path,
 * if any, is untouched) and names the path in the error. Jobs still running are waited
 * for: they may read values borrowed from the caller's batch.
 */
static int fail(hfds_pq_writer *w, int rc, hfds_error *err)
{
	w->failed = 1;
	pqw_wait_jobs(w);
	if (w->path) {
		hfds_afile_abort(&w->file);
		if (err && strncmp(err->message, w->path, strlen(w->path)) != 0)
			hfds_error_prefix(err, w->path);
	}
	return rc;
}

/* ---- options ---- */

static int resolve_options(hfds_pq_writer *w, hfds_error *err)
{
	int rc = 0;
	const hfds_pq_writer_options *o = &w->o;
	HFDS_FAIL_IF(o->page_version != 1 && o->page_version != 2, HFDS_EINVAL, err,
		"page_version must be 1 or 2, not %d", o->page_version);
	HFDS_FAIL_IF(!pq_codec_supported(o->codec), HFDS_EINVAL, err, "unsupported codec %d", o->codec);
	w->colopts = hfds_calloc((size_t)w->schema->nleaves, sizeof(pqw_colopts));
	HFDS_FAIL_IF(!w->colopts, HFDS_ENOMEM, err, "out of memory");
	for (size_t i = 0; i < o->column_count; i++) {
		const char *p = o->columns[i].path;
		int found = 0;
		for (int j = 0; p && j < w->schema->nleaves && !found; j++)
			found = !strcmp(p, w->schema->leaves[j].path) || !strcmp(p, w->schema->leaves[j].top_name);
		HFDS_FAIL_IF(!found, HFDS_EINVAL, err, "column option '%s' matches no column", p ? p : "(null)");
	}
	for (int j = 0; j < w->schema->nleaves; j++) {
		const pqw_leaf *l = &w->schema->leaves[j];
		const hfds_pq_column_options *co = NULL;
		for (size_t i = 0; i < o->column_count; i++)
			if (!strcmp(o->columns[i].path, l->path))
				co = &o->columns[i];
		for (size_t i = 0; !co && i < o->column_count; i++)
			if (!strcmp(o->columns[i].path, l->top_name))
				co = &o->columns[i];
		pqw_colopts *c = &w->colopts[j];
		int enc = co ? co->encoding : HFDS_PQ_ENC_AUTO;
		c->codec = co && co->codec >= 0 ? co->codec : o->codec;
		c->probe = l->is_binary && !(co && co->codec >= 0); /* media: the codec only where it pays */
		c->level = co && co->codec_level ? co->codec_level : o->codec_level;
		c->statistics = co && co->statistics >= 0 ? co->statistics : o->statistics != 0;
		int dict_default = l->ptype != PQ_BOOLEAN && !l->is_binary &&
			(enc == HFDS_PQ_ENC_AUTO || enc == HFDS_PQ_ENC_DICTIONARY);
		c->dictionary = co && co->dictionary >= 0 ? co->dictionary : dict_default;
		HFDS_FAIL_IF(!pq_codec_supported(c->codec), HFDS_EINVAL, err, "column '%s': unsupported codec %d",
			l->path, c->codec);
		HFDS_FAIL_IF(c->dictionary && l->ptype == PQ_BOOLEAN, HFDS_EINVAL, err,
			"column '%s': dictionary encoding is not available for booleans", l->path);
		switch (enc) {
		case HFDS_PQ_ENC_AUTO: case HFDS_PQ_ENC_DICTIONARY: case HFDS_PQ_ENC_PLAIN:
			c->data_encoding = (l->ptype == PQ_BOOLEAN && o->page_version == 2 && enc == HFDS_PQ_ENC_AUTO)
				? PQ_ENC_RLE : PQ_ENC_PLAIN;
			break;
		case HFDS_PQ_ENC_DELTA_BINARY_PACKED:
			HFDS_FAIL_IF(l->ptype != PQ_INT32 && l->ptype != PQ_INT64, HFDS_EINVAL, err,
				"column '%s': DELTA_BINARY_PACKED needs an integer column", l->path);
			c->data_encoding = PQ_ENC_DELTA_BINARY_PACKED;
			break;
		case HFDS_PQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
			HFDS_FAIL_IF(l->ptype != PQ_BYTE_ARRAY, HFDS_EINVAL, err,
				"column '%s': DELTA_LENGTH_BYTE_ARRAY needs a string/binary column", l->path);
			c->data_encoding = PQ_ENC_DELTA_LENGTH_BYTE_ARRAY;
			break;
		case HFDS_PQ_ENC_BYTE_STREAM_SPLIT:
			HFDS_FAIL_IF(l->ptype != PQ_FLOAT && l->ptype != PQ_DOUBLE, HFDS_EINVAL, err,
				"column '%s': BYTE_STREAM_SPLIT needs a float/double column", l->path);
			c->data_encoding = PQ_ENC_BYTE_STREAM_SPLIT;
			break;
		default:
			HFDS_FAIL(HFDS_EINVAL, err, "column '%s': unknown encoding %d", l->path, enc);
		}
	}
done:
	return rc;
}

static int copy_kv(hfds_pq_writer *w, const char *key, const char *value, hfds_error *err)
{
	hfds_pq_kv *a = hfds_reallocarray(w->kv, w->nkv + 1, sizeof(*a));
	if (!a)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	w->kv = a;
	a[w->nkv].key = hfds_strdup(key);
	a[w->nkv].value = value ? hfds_strdup(value) : NULL;
	w->nkv++;
	if (!a[w->nkv - 1].key || (value && !a[w->nkv - 1].value))
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	return 0;
}

static int open_common(hfds_pq_writer **out, const char *path, hfds_pq_sink_fn sink, void *payload,
	const struct ArrowSchema *schema, const hfds_pq_writer_options *opts, hfds_error *err)
{
	int rc = 0;
	char *arrow_schema = NULL;
	hfds_pq_writer *w = hfds_calloc(1, sizeof(*w));
	*out = NULL;
	HFDS_FAIL_IF(!w, HFDS_ENOMEM, err, "out of memory");
	w->file.fd = -1;
	pthread_mutex_init(&w->kit_lock, NULL);
	hfds_buf_init(&w->out, 0);
	if (opts)
		w->o = *opts;
	else
		hfds_pq_writer_options_init(&w->o);
	w->o.kv = NULL;
	w->o.kv_count = 0;
	HFDS_TRY(pqw_schema_build(&w->schema, schema, err));
	HFDS_TRY(resolve_options(w, err));
	w->o.columns = NULL;
	w->o.column_count = 0;
	int has_arrow_schema = 0;
	for (size_t i = 0; opts && i < opts->kv_count; i++) {
		HFDS_TRY(copy_kv(w, opts->kv[i].key, opts->kv[i].value, err));
		has_arrow_schema |= !strcmp(opts->kv[i].key, "ARROW:schema");
	}
	if (!has_arrow_schema) { /* moved last when the footer is written */
		HFDS_TRY(pq_arrow_schema_b64(&arrow_schema, schema, err));
		HFDS_TRY(copy_kv(w, "ARROW:schema", arrow_schema, err));
	}
	if (!w->o.skip_sha256)
		HFDS_TRY(hfds_sha256_new(&w->sha, err));
	if (w->o.pool) {
		w->pool = w->o.pool;
	} else {
		HFDS_TRY(hfds_pool_new(&w->own_pool, w->o.threads, err));
		w->pool = w->own_pool;
	}
	if (hfds_pool_threads(w->pool) > 1)
		HFDS_TRY(hfds_taskgroup_new(&w->io, w->pool, err));
	/* the second slot only pays off when the pool can encode while the caller works */
	for (int k = 0; k < (hfds_pool_threads(w->pool) > 1 ? 2 : 1); k++)
		HFDS_TRY(pqw_slot_init(w, &w->slots[k], err));
	HFDS_TRY(hfds_buf_reserve(&w->out, OUT_BUF, err));
	if (path) {
		w->path = hfds_strdup(path);
		HFDS_FAIL_IF(!w->path, HFDS_ENOMEM, err, "out of memory");
		/* Written to a temporary beside the path and renamed over it at close: a failed
		 * write leaves the old file as it was, the output may be an input still being
		 * read, and a file in the way is replaced by a new inode, never modified (it may
		 * be hard-linked elsewhere). */
		HFDS_TRY(hfds_afile_open(&w->file, path, 0, err));
	} else {
		w->sink = sink;
		w->payload = payload;
	}
	HFDS_TRY(pqw_emit(w, PQ_MAGIC, 4, err));
	*out = w;
	w = NULL;
done:
	hfds_free(arrow_schema);
	if (w) {
		if (w->file.fd >= 0)
			fail(w, rc, err);
		hfds_pq_writer_free(w);
	}
	return rc;
}

int hfds_pq_writer_open(hfds_pq_writer **out, const char *path, const struct ArrowSchema *schema,
	const hfds_pq_writer_options *opts, hfds_error *err)
{
	HFDS_ASSERT_ARG(out && path && schema, err);
	HFDS_CHECK_VERSION(opts, HFDS_PQ_WRITER_OPTIONS_VERSION, "hfds_pq_writer_options", err);
	return open_common(out, path, NULL, NULL, schema, opts, err);
}

/* prev's slots fit w: same pool (so the same slot count and task groups), same leaves and
 * column options (so the same dictionaries), and prev is closed, so its slots are empty. */
static int can_take_slots(const hfds_pq_writer *w, const hfds_pq_writer *prev)
{
	if (!prev || !prev->closed || prev->failed || prev->own_pool || w->own_pool || prev->pool != w->pool
		|| prev->schema->nleaves != w->schema->nleaves || prev->nkits != prev->kits_made)
		return 0;
	for (int i = 0; i < w->schema->nleaves; i++) {
		const pqw_leaf *a = &w->schema->leaves[i], *b = &prev->schema->leaves[i];
		if (a->src != b->src || a->value_width != b->value_width
			|| memcmp(&w->colopts[i], &prev->colopts[i], sizeof(w->colopts[i])) != 0)
			return 0;
	}
	return 1;
}

int hfds_pq_writer_open_next(hfds_pq_writer **out, hfds_pq_writer *prev, const char *path,
	const struct ArrowSchema *schema, const hfds_pq_writer_options *opts, hfds_error *err)
{
	int rc;
	hfds_pq_writer *w;
	HFDS_ASSERT_ARG(out && path && schema, err);
	HFDS_CHECK_VERSION(opts, HFDS_PQ_WRITER_OPTIONS_VERSION, "hfds_pq_writer_options", err);
	if ((rc = open_common(out, path, NULL, NULL, schema, opts, err)) < 0)
		return rc;
	w = *out;
	if (can_take_slots(w, prev)) {
		/* both writers' slots are empty and idle: the new one keeps prev's grown buffers */
		hfds_pq_writer t;
		memcpy(t.slots, w->slots, sizeof(t.slots));
		memcpy(w->slots, prev->slots, sizeof(t.slots));
		memcpy(prev->slots, t.slots, sizeof(t.slots));
		t.kits = w->kits, t.nkits = w->nkits, t.capkits = w->capkits, t.kits_made = w->kits_made;
		w->kits = prev->kits, w->nkits = prev->nkits, w->capkits = prev->capkits, w->kits_made = prev->kits_made;
		prev->kits = t.kits, prev->nkits = t.nkits, prev->capkits = t.capkits, prev->kits_made = t.kits_made;
	}
	return 0;
}

int hfds_pq_writer_open_sink(hfds_pq_writer **out, hfds_pq_sink_fn sink, void *payload,
	const struct ArrowSchema *schema, const hfds_pq_writer_options *opts, hfds_error *err)
{
	HFDS_ASSERT_ARG(out && sink && schema, err);
	HFDS_CHECK_VERSION(opts, HFDS_PQ_WRITER_OPTIONS_VERSION, "hfds_pq_writer_options", err);
	return open_common(out, NULL, sink, payload, schema, opts, err);
}

/* ---- shredding ---- */

static void shred_task(void *arg, size_t i)
{
	hfds_pq_writer *w = arg;
	rg_slot *s = &w->slots[w->cur];
	const pqw_leaf *l = &w->schema->leaves[i];
	const struct ArrowArray *b = w->batch;
	hfds_error_init(&s->leaf_errs[i]);
	pqw_shred(&s->cbs[i], l, b->children[l->top], b->offset + w->slice_start, b->offset + w->slice_end,
		w->rows_in, &s->leaf_errs[i]);
}

static int first_leaf_error(hfds_pq_writer *w, const rg_slot *s, hfds_error *err)
{
	for (int i = 0; i < w->schema->nleaves; i++)
		if (s->leaf_errs[i].code < 0)
			return hfds_error_set(err, s->leaf_errs[i].code, "%s", s->leaf_errs[i].message);
	return 0;
}

static uint64_t rg_bytes(const hfds_pq_writer *w, const rg_slot *s)
{
	uint64_t n = 0;
	for (int i = 0; i < w->schema->nleaves; i++)
		n += pqw_colbuf_bytes(&s->cbs[i]);
	return n;
}

/* ---- write ---- */

static int check_batch(hfds_pq_writer *w, const struct ArrowArray *b, hfds_error *err)
{
	int rc = 0;
	HFDS_FAIL_IF(b->release == NULL, HFDS_EINVAL, err, "batch: released array");
	HFDS_FAIL_IF(b->n_children != w->schema->ncolumns, HFDS_EINVAL, err,
		"batch has %lld columns, the schema %d", (long long)b->n_children, w->schema->ncolumns);
	HFDS_FAIL_IF(b->length < 0 || b->offset < 0, HFDS_EINVAL, err, "batch: negative length or offset");
	for (int64_t i = 0; i < b->n_children; i++) {
		const struct ArrowArray *c = b->children[i];
		HFDS_FAIL_IF(!c || c->length < b->offset + b->length, HFDS_EINVAL, err,
			"batch column %lld: array shorter than the batch (%lld < %lld)", (long long)i,
			c ? (long long)c->length : 0LL, (long long)(b->offset + b->length));
	}
	for (int i = 0; i < w->schema->nleaves; i++) {
		const pqw_leaf *l = &w->schema->leaves[i];
		HFDS_TRY(pqw_shred_check(l, b->children[l->top], err));
	}
done:
	return rc;
}

/* hold: values may stay borrowed from b after the call (hfds_pq_writer_write_held). */
static int write_batch(hfds_pq_writer *w, const struct ArrowArray *b, int hold, hfds_error *err)
{
	int rc = 0;
	HFDS_TRY(check_batch(w, b, err));
	int64_t r = 0;
	uint64_t target = w->o.row_group_bytes ? w->o.row_group_bytes : 1;
	int64_t maxr = w->o.row_group_max_rows ? (int64_t)w->o.row_group_max_rows : INT64_MAX;
	int64_t minr = (int64_t)w->o.row_group_min_rows;
	while (r < b->length) {
		rg_slot *s = &w->slots[w->cur];
		int64_t n = b->length - r;
		uint64_t have = rg_bytes(w, s);
		if (s->rows > 0) {
			uint64_t bpr = have / (uint64_t)s->rows + 1;
			int64_t est = have >= target ? 1 : (int64_t)((target - have) / bpr) + 1;
			if (est < minr - s->rows)
				est = minr - s->rows;
			if (n > est)
				n = est;
		} else if (n > 1024) {
			n = 1024; /* a probe slice to learn the bytes per row */
		}
		if (n > maxr - s->rows)
			n = maxr - s->rows;
		w->batch = b;
		w->slice_start = r;
		w->slice_end = r + n;
		if (w->slots[w->cur ^ 1].encoding) /* the pool is busy encoding: queued shred tasks would wait */
			for (int i = 0; i < w->schema->nleaves; i++)
				shred_task(w, (size_t)i);
		else
			hfds_pool_run(w->pool, (size_t)w->schema->nleaves, shred_task, w);
		HFDS_TRY(first_leaf_error(w, s, err));
		s->rows += n;
		w->rows_in += n;
		r += n;
		if (s->rows >= maxr || (rg_bytes(w, s) >= target && s->rows >= minr))
			HFDS_TRY(pqw_end_row_group(w, err));
	}
	if (!hold)
		HFDS_TRY(pqw_return_batch(w, err));
done:
	w->batch = NULL;
	return rc;
}

static int usable(hfds_pq_writer *w, hfds_error *err)
{
	if (w->failed)
		return hfds_error_set(err, HFDS_ESTATE, "writer failed earlier");
	if (w->closed)
		return hfds_error_set(err, HFDS_ESTATE, "writer is closed");
	return 0;
}

static int write_call(hfds_pq_writer *w, const struct ArrowArray *batch, int hold, hfds_error *err)
{
	int rc;
	HFDS_ASSERT_ARG(w && batch, err);
	if ((rc = usable(w, err)) < 0)
		return rc;
	if ((rc = write_batch(w, batch, hold, err)) < 0)
		return fail(w, rc, err);
	return 0;
}

int hfds_pq_writer_write(hfds_pq_writer *w, const struct ArrowArray *batch, hfds_error *err)
{
	return write_call(w, batch, 0, err);
}

int hfds_pq_writer_write_held(hfds_pq_writer *w, const struct ArrowArray *batch, hfds_error *err)
{
	return write_call(w, batch, 1, err);
}

int hfds_pq_writer_release_batch(hfds_pq_writer *w, hfds_error *err)
{
	int rc;
	HFDS_ASSERT_ARG(w, err);
	if ((rc = usable(w, err)) < 0)
		return rc;
	if ((rc = pqw_return_batch(w, err)) < 0)
		return fail(w, rc, err);
	return 0;
}

int hfds_pq_writer_write_stream(hfds_pq_writer *w, struct ArrowArrayStream *stream, hfds_error *err)
{
	int rc;
	HFDS_ASSERT_ARG(w && stream, err);
	if ((rc = usable(w, err)) < 0)
		return rc;
	for (;;) {
		struct ArrowArray a;
		memset(&a, 0, sizeof(a));
		int e = stream->get_next(stream, &a);
		if (e != 0) {
			const char *msg = stream->get_last_error ? stream->get_last_error(stream) : NULL;
			rc = hfds_error_set(err, HFDS_EIO, "stream: %s", msg ? msg : strerror(e));
			return fail(w, rc, err);
		}
		if (!a.release)
			return 0;
		rc = write_batch(w, &a, 0, err);
		a.release(&a);
		if (rc < 0)
			return fail(w, rc, err);
	}
}

int hfds_pq_writer_flush(hfds_pq_writer *w, hfds_error *err)
{
	int rc;
	HFDS_ASSERT_ARG(w, err);
	if ((rc = usable(w, err)) < 0)
		return rc;
	if ((rc = pqw_drain(w, err)) < 0 || (rc = pqw_out_flush(w, err)) < 0)
		return fail(w, rc, err);
	return 0;
}

uint64_t hfds_pq_writer_bytes_written(const hfds_pq_writer *w)
{
	return w ? w->offset : 0;
}

int hfds_pq_writer_add_kv(hfds_pq_writer *w, const char *key, const char *value, hfds_error *err)
{
	int rc;
	HFDS_ASSERT_ARG(w && key, err);
	if ((rc = usable(w, err)) < 0)
		return rc;
	return copy_kv(w, key, value, err);
}

int hfds_pq_writer_close(hfds_pq_writer *w, hfds_pq_file_info *info, hfds_error *err)
{
	int rc = 0;
	HFDS_ASSERT_ARG(w, err);
	if ((rc = usable(w, err)) < 0)
		return rc;
	HFDS_TRY(pqw_drain(w, err));
	HFDS_TRY(pqw_write_footer(w, err));
	if (w->path)
		HFDS_TRY(hfds_afile_commit(&w->file, err));
	w->closed = 1;
	if (info) {
		memset(info, 0, sizeof(*info));
		info->size = w->offset;
		info->num_rows = (uint64_t)w->total_rows;
		info->num_row_groups = (uint32_t)w->nrgs;
		for (size_t r = 0; r < w->nrgs; r++)
			info->uncompressed_bytes += (uint64_t)w->rgs[r].total_byte_size;
		if (w->sha)
			HFDS_TRY(hfds_sha256_final(w->sha, info->sha256, err));
	}
done:
	if (rc < 0)
		return fail(w, rc, err);
	return rc;
}

void hfds_pq_writer_free(hfds_pq_writer *w)
{
	if (!w)
		return;
	if (!w->closed && !w->failed)
		fail(w, 0, NULL);
	hfds_afile_abort(&w->file);
	for (int k = 0; k < 2; k++)
		pqw_slot_release(w, &w->slots[k]);
	int nl = w->schema ? w->schema->nleaves : 0;
	for (size_t r = 0; r < w->nrgs; r++) {
		for (int i = 0; i < nl; i++) {
			chunk_meta *m = &w->rgs[r].cols[i];
			hfds_free(m->min);
			hfds_free(m->max);
			hfds_free(m->ci);
			hfds_free(m->oi);
		}
		hfds_free(w->rgs[r].cols);
	}
	hfds_free(w->rgs);
	hfds_free(w->colopts);
	for (size_t i = 0; i < w->nkv; i++) {
		hfds_free((char *)w->kv[i].key);
		hfds_free((char *)w->kv[i].value);
	}
	hfds_free(w->kv);
	for (size_t i = 0; i < w->nkits; i++)
		pqw_kit_free(w->kits[i]);
	hfds_free(w->kits);
	hfds_taskgroup_free(w->io);
	hfds_pool_free(w->own_pool);
	hfds_sha256_free(w->sha);
	hfds_buf_release(&w->out);
	pqw_schema_free(w->schema);
	hfds_free(w->path);
	pthread_mutex_destroy(&w->kit_lock);
	hfds_free(w);
}
