/*
 * The Parquet writer: batches are shredded into per-leaf column buffers; when a row group is
 * full its chunks are planned (pages, dictionary) in parallel per leaf, every page is encoded
 * + compressed in parallel on the pool, and the results are written in schema order. Page
 * indexes and the footer are written at close.
 *
 * Two row-group slots make a pipeline: while the pool encodes row group k, the caller writes
 * out row group k-1 and shreds row group k+1 into the other slot, so neither the shredding
 * nor the file write (and its sha256) leaves a core idle. With one thread everything runs
 * inline and only one slot is used.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hfds/parquet.h"
#include "parquet/colwriter.h"
#include "parquet/pageindex.h"
#include "parquet/pq_format.h"
#include "parquet/pq_schema_w.h"
#include "parquet/shred.h"
#include "parquet/stats.h"
#include "parquet/thrift_enc.h"
#include "util/alloc.h"
#include "util/pool.h"
#include "util/sha256.h"
#include "util/try.h"

#ifndef HFDS_BUILD_ID
#define HFDS_BUILD_ID "dev"
#endif

#define OUT_BUF (1u << 20)
#define DIRECT_WRITE (64u << 10)

/* What the footer needs of a written column chunk. */
typedef struct chunk_meta {
	int64_t data_page_offset, dict_page_offset; /* dict: -1 = none */
	int64_t total_unc, total_comp, num_values;
	int encodings[8];
	int nenc;
	int32_t n_dict_pages, n_dict_data, n_plain_data; /* encoding_stats */
	int plain_encoding;
	int codec;
	int stats;                  /* Statistics written */
	int has_minmax, min_exact, max_exact, legacy;
	int64_t null_count;
	uint8_t *min, *max;
	size_t min_len, max_len;
	uint8_t *ci, *oi;           /* serialized page index, NULL = none */
	size_t ci_len, oi_len;
	int64_t ci_off, oi_off;
} chunk_meta;

typedef struct rg_meta {
	int64_t num_rows, total_byte_size, total_compressed, file_offset;
	chunk_meta *cols;
} rg_meta;

struct hfds_pq_writer;

/* A task on the pool: plan a leaf (page -2), encode its dictionary page (-1) or a page. */
struct job { struct hfds_pq_writer *w; struct rg_slot *s; int leaf; int page; };

/* One row group in flight: its column buffers, the chunks encoded from them, their jobs. */
typedef struct rg_slot {
	pqw_colbuf *cbs;
	pqw_chunk *chunks;
	pq_dict **dicts;
	uint32_t **smaps;           /* direct-mapped dictionaries (8/16-bit leaves) */
	int32_t **sents;
	hfds_error *leaf_errs;
	struct job **jobs;          /* per leaf */
	size_t *capjobs;
	hfds_taskgroup **groups;    /* per leaf: its jobs, so chunks are written out as they finish */
	int64_t rows;               /* rows shredded into cbs */
	int encoding;               /* its jobs were submitted; not written out yet */
} rg_slot;

struct hfds_pq_writer {
	pqw_schema *schema;
	hfds_pq_writer_options o;
	pqw_colopts *colopts;
	rg_slot slots[2];
	int cur;                    /* the slot receiving rows */
	/* output */
	char *path;
	int fd;
	hfds_pq_sink_fn sink;
	void *payload;
	hfds_buf out;
	uint64_t offset;            /* bytes emitted (logical) */
	hfds_sha256 *sha;
	/* state */
	int failed, closed;
	int64_t rows_in;            /* rows shredded so far */
	int64_t total_rows;         /* rows written out */
	rg_meta *rgs;
	size_t nrgs, caprgs;
	hfds_pq_kv *kv;
	size_t nkv;
	/* threads */
	hfds_pool *pool;
	pthread_mutex_t kit_lock;
	pqw_kit **kits;
	size_t nkits, capkits, kits_made;
	/* per-call scratch for parallel work */
	const struct ArrowArray *batch;
	int64_t slice_start, slice_end;
};

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

static int raw_write(hfds_pq_writer *w, const void *data, size_t n, hfds_error *err)
{
	if (n == 0)
		return 0;
	hfds_sha256_update(w->sha, data, n);
	if (w->sink || w->o.path_write_hook) {
		int rc = w->sink ? w->sink(w->payload, data, n, err)
			: w->o.path_write_hook(w->o.path_write_hook_payload, data, n, err);
		if (rc < 0)
			return hfds_error_set(err, rc, "write failed");
		return 0;
	}
	const uint8_t *p = data;
	while (n > 0) {
		ssize_t k = write(w->fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return hfds_error_set(err, HFDS_EIO, "write failed: %s", k < 0 ? strerror(errno) : "no progress");
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int out_flush(hfds_pq_writer *w, hfds_error *err)
{
	int rc = raw_write(w, w->out.data, w->out.len, err);
	hfds_buf_clear(&w->out);
	return rc;
}

static int emit(hfds_pq_writer *w, const void *data, size_t n, hfds_error *err)
{
	int rc = 0;
	if (n >= DIRECT_WRITE) {
		HFDS_TRY(out_flush(w, err));
		HFDS_TRY(raw_write(w, data, n, err));
	} else {
		if (w->out.len + n > OUT_BUF)
			HFDS_TRY(out_flush(w, err));
		HFDS_TRY(hfds_buf_append(&w->out, data, n, err));
	}
	w->offset += n;
done:
	return rc;
}

/*
 * Marks the writer failed, removes a partial file and names it in the error. Jobs still
 * running are waited for: they may read values borrowed from the caller's batch.
 */
static int fail(hfds_pq_writer *w, int rc, hfds_error *err)
{
	w->failed = 1;
	for (int k = 0; k < 2 && w->schema; k++)
		for (int i = 0; w->slots[k].groups && i < w->schema->nleaves; i++)
			hfds_taskgroup_wait(w->slots[k].groups[i]);
	if (w->path) {
		if (w->fd >= 0) {
			close(w->fd);
			w->fd = -1;
		}
		unlink(w->path);
		if (err && strncmp(err->message, w->path, strlen(w->path)) != 0)
			hfds_error_prefix(err, w->path);
	}
	return rc;
}

/* ---- kits (per-thread scratch) ---- */

static pqw_kit *kit_get(hfds_pq_writer *w, hfds_error *err)
{
	pqw_kit *k = NULL;
	int make = 0;
	pthread_mutex_lock(&w->kit_lock);
	if (w->nkits > 0) {
		k = w->kits[--w->nkits];
	} else {
		if (w->kits_made == w->capkits) {
			size_t cap = w->capkits ? w->capkits * 2 : 4;
			pqw_kit **a = hfds_reallocarray(w->kits, cap, sizeof(*a));
			if (a) {
				w->kits = a;
				w->capkits = cap;
			}
		}
		if (w->kits_made < w->capkits) {
			w->kits_made++;
			make = 1;
		}
	}
	pthread_mutex_unlock(&w->kit_lock);
	if (make && pqw_kit_new(&k, err) < 0)
		k = NULL;
	return k;
}

static void kit_put(hfds_pq_writer *w, pqw_kit *k)
{
	pthread_mutex_lock(&w->kit_lock);
	w->kits[w->nkits++] = k; /* capkits >= number of kits ever created */
	pthread_mutex_unlock(&w->kit_lock);
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
		c->codec = co && co->codec >= 0 ? co->codec : l->is_binary ? HFDS_PQ_UNCOMPRESSED : o->codec;
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

static int slot_init(hfds_pq_writer *w, rg_slot *s, hfds_error *err)
{
	int rc = 0;
	int nl = w->schema->nleaves;
	s->cbs = hfds_calloc((size_t)nl, sizeof(pqw_colbuf));
	s->chunks = hfds_calloc((size_t)nl, sizeof(pqw_chunk));
	s->dicts = hfds_calloc((size_t)nl, sizeof(pq_dict *));
	s->leaf_errs = hfds_calloc((size_t)nl, sizeof(hfds_error));
	s->smaps = hfds_calloc((size_t)nl, sizeof(uint32_t *));
	s->sents = hfds_calloc((size_t)nl, sizeof(int32_t *));
	s->jobs = hfds_calloc((size_t)nl, sizeof(*s->jobs));
	s->capjobs = hfds_calloc((size_t)nl, sizeof(size_t));
	s->groups = hfds_calloc((size_t)nl, sizeof(hfds_taskgroup *));
	HFDS_FAIL_IF(!s->cbs || !s->chunks || !s->dicts || !s->leaf_errs || !s->smaps || !s->sents || !s->jobs ||
		!s->capjobs || !s->groups, HFDS_ENOMEM, err, "out of memory");
	for (int i = 0; i < nl; i++) {
		pqw_colbuf_init(&s->cbs[i]);
		pqw_chunk_init(&s->chunks[i]);
		if (w->colopts[i].dictionary && pqw_small_dict(&w->schema->leaves[i])) {
			s->smaps[i] = hfds_malloc(PQW_SMALL_DICT_SLOTS * sizeof(uint32_t));
			s->sents[i] = hfds_malloc(PQW_SMALL_DICT_SLOTS * sizeof(int32_t));
			HFDS_FAIL_IF(!s->smaps[i] || !s->sents[i], HFDS_ENOMEM, err, "out of memory");
			memset(s->smaps[i], 0xff, PQW_SMALL_DICT_SLOTS * sizeof(uint32_t));
		} else if (w->colopts[i].dictionary) {
			HFDS_TRY(pq_dict_new(&s->dicts[i], w->schema->leaves[i].src, w->schema->leaves[i].value_width, err));
		}
		HFDS_TRY(hfds_taskgroup_new(&s->groups[i], w->pool, err));
	}
done:
	return rc;
}

/* Waits for the slot's jobs, then frees it. */
static void slot_release(hfds_pq_writer *w, rg_slot *s)
{
	int nl = w->schema ? w->schema->nleaves : 0;
	for (int i = 0; s->groups && i < nl; i++)
		hfds_taskgroup_free(s->groups[i]);
	for (int i = 0; i < nl; i++) {
		if (s->cbs)
			pqw_colbuf_release(&s->cbs[i]);
		if (s->chunks)
			pqw_chunk_release(&s->chunks[i]);
		if (s->dicts)
			pq_dict_free(s->dicts[i]);
		if (s->smaps)
			hfds_free(s->smaps[i]);
		if (s->sents)
			hfds_free(s->sents[i]);
		if (s->jobs)
			hfds_free(s->jobs[i]);
	}
	hfds_free(s->smaps);
	hfds_free(s->sents);
	hfds_free(s->cbs);
	hfds_free(s->chunks);
	hfds_free(s->dicts);
	hfds_free(s->leaf_errs);
	hfds_free(s->jobs);
	hfds_free(s->capjobs);
	hfds_free(s->groups);
}

static int open_common(hfds_pq_writer **out, const char *path, hfds_pq_sink_fn sink, void *payload,
	const struct ArrowSchema *schema, const hfds_pq_writer_options *opts, hfds_error *err)
{
	int rc = 0;
	hfds_pq_writer *w = hfds_calloc(1, sizeof(*w));
	*out = NULL;
	HFDS_FAIL_IF(!w, HFDS_ENOMEM, err, "out of memory");
	w->fd = -1;
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
	for (size_t i = 0; opts && i < opts->kv_count; i++)
		HFDS_TRY(copy_kv(w, opts->kv[i].key, opts->kv[i].value, err));
	HFDS_TRY(hfds_sha256_new(&w->sha, err));
	HFDS_TRY(hfds_pool_new(&w->pool, w->o.threads, err));
	/* the second slot only pays off when the pool can encode while the caller works */
	for (int k = 0; k < (hfds_pool_threads(w->pool) > 1 ? 2 : 1); k++)
		HFDS_TRY(slot_init(w, &w->slots[k], err));
	HFDS_TRY(hfds_buf_reserve(&w->out, OUT_BUF, err));
	if (path) {
		w->path = hfds_strdup(path);
		HFDS_FAIL_IF(!w->path, HFDS_ENOMEM, err, "out of memory");
		/* A regular file in the way is replaced by a new inode, not truncated: it may be
		 * hard-linked elsewhere (the hub's object store links shards), and ext4 flushes a
		 * truncated file synchronously at close. */
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
			unlink(path);
		w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		HFDS_FAIL_IF(w->fd < 0, HFDS_EIO, err, "%s: cannot create: %s", path, strerror(errno));
	} else {
		w->sink = sink;
		w->payload = payload;
	}
	HFDS_TRY(emit(w, PQ_MAGIC, 4, err));
	*out = w;
	w = NULL;
done:
	if (w) {
		if (w->fd >= 0)
			fail(w, rc, err);
		hfds_pq_writer_free(w);
	}
	return rc;
}

int hfds_pq_writer_open(hfds_pq_writer **out, const char *path, const struct ArrowSchema *schema,
	const hfds_pq_writer_options *opts, hfds_error *err)
{
	HFDS_ASSERT_ARG(out && path && schema, err);
	return open_common(out, path, NULL, NULL, schema, opts, err);
}

int hfds_pq_writer_open_sink(hfds_pq_writer **out, hfds_pq_sink_fn sink, void *payload,
	const struct ArrowSchema *schema, const hfds_pq_writer_options *opts, hfds_error *err)
{
	HFDS_ASSERT_ARG(out && sink && schema, err);
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

/* ---- row group flush ---- */

/*
 * Per row group a small task graph on the pool: one job per leaf plans its pages and builds
 * its dictionary, then queues one job per page (and one for the dictionary page), so the
 * pages of quick leaves are encoded while a slow leaf still builds its dictionary.
 */
static void page_job(void *arg)
{
	struct job *j = arg;
	hfds_pq_writer *w = j->w;
	pqw_chunk *c = &j->s->chunks[j->leaf];
	hfds_error e;
	hfds_error_init(&e);
	pqw_kit *k = kit_get(w, &e);
	if (!k) {
		if (j->page < 0) {
			c->rc = HFDS_ENOMEM;
			hfds_error_set(&c->err, HFDS_ENOMEM, "out of memory");
		} else {
			c->pages[j->page].rc = HFDS_ENOMEM;
			hfds_error_set(&c->pages[j->page].err, HFDS_ENOMEM, "out of memory");
		}
		return;
	}
	if (j->page < 0)
		pqw_chunk_encode_dict(c, k);
	else
		pqw_chunk_encode_page(c, (size_t)j->page, k);
	kit_put(w, k);
}

/* Queues the dictionary-page job and the page jobs of leaf i, using job slots from `base`. */
static void submit_pages(hfds_pq_writer *w, rg_slot *s, int i, size_t base)
{
	pqw_chunk *c = &s->chunks[i];
	struct job *js = s->jobs[i] + base;
	for (size_t p = 0; p <= c->npages; p++) {
		int page = p == 0 ? -1 : (int)p - 1;
		if (page < 0 && !c->dict_pages)
			continue;
		js[p] = (struct job){ w, s, i, page };
		if (hfds_taskgroup_submit(s->groups[i], page_job, &js[p], &s->leaf_errs[i]) < 0)
			return;
	}
}

/* One page's value set (direct-mapped dictionaries); the last one builds the dictionary. */
static void presence_job(void *arg)
{
	struct job *j = arg;
	pqw_chunk *c = &j->s->chunks[j->leaf];
	pqw_chunk_presence(c, (size_t)j->page);
	if (atomic_fetch_sub(&c->pending, 1) == 1) {
		pqw_chunk_small_dict(c);
		submit_pages(j->w, j->s, j->leaf, 1 + c->npages);
	}
}

static void leaf_job(void *arg)
{
	struct job *j = arg;
	hfds_pq_writer *w = j->w;
	rg_slot *s = j->s;
	int i = j->leaf;
	hfds_error *err = &s->leaf_errs[i];
	pqw_chunk *c = &s->chunks[i];
	if ((c->smap ? pqw_chunk_plan_small(c, err) : pqw_chunk_plan(c, err)) < 0)
		return;
	/* slots: 0 this job, 1..npages presence jobs, then the dictionary + page jobs; the
	 * array must not move once jobs point into it */
	size_t need = 2 * c->npages + 3;
	if (s->capjobs[i] < need) {
		struct job *a = hfds_reallocarray(s->jobs[i], need, sizeof(*a));
		if (!a) {
			hfds_error_set(err, HFDS_ENOMEM, "out of memory");
			return;
		}
		s->jobs[i] = a;
		s->capjobs[i] = need;
	}
	if (!c->smap || c->npages == 0) {
		if (c->smap)
			pqw_chunk_small_dict(c);
		submit_pages(w, s, i, 1 + c->npages);
		return;
	}
	atomic_store(&c->pending, c->npages);
	for (size_t p = 0; p < c->npages; p++) {
		s->jobs[i][1 + p] = (struct job){ w, s, i, (int)p };
		if (hfds_taskgroup_submit(s->groups[i], presence_job, &s->jobs[i][1 + p], err) < 0) {
			atomic_fetch_sub(&c->pending, c->npages - p - 1); /* stays above 0: no dictionary step */
			return;
		}
	}
}

static void add_encoding(chunk_meta *m, int e)
{
	for (int i = 0; i < m->nenc; i++)
		if (m->encodings[i] == e)
			return;
	m->encodings[m->nenc++] = e;
}

static int copy_bound(uint8_t **dst, size_t *len, const pqw_bound *b)
{
	*dst = hfds_malloc(b->len ? b->len : 1);
	if (!*dst)
		return -1;
	memcpy(*dst, b->ptr, b->len);
	*len = b->len;
	return 0;
}

static int chunk_stats_meta(hfds_pq_writer *w, chunk_meta *m, const pqw_chunk *c, hfds_error *err)
{
	const pqw_leaf *l = c->leaf;
	m->stats = c->o.statistics;
	m->null_count = c->stats.null_count;
	if (!m->stats || !pqw_stats_ordered(l))
		return 0;
	pqw_bound mn, mx;
	if (pqw_stats_bound(&mn, &c->stats, l, 0, w->o.max_statistics_size) < 0)
		return 0;
	if (pqw_stats_bound(&mx, &c->stats, l, 1, w->o.max_statistics_size) < 0) {
		pqw_bound_release(&mn);
		return 0;
	}
	int bad = copy_bound(&m->min, &m->min_len, &mn) < 0 || copy_bound(&m->max, &m->max_len, &mx) < 0;
	m->min_exact = mn.exact;
	m->max_exact = mx.exact;
	pqw_bound_release(&mn);
	pqw_bound_release(&mx);
	if (bad)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	m->has_minmax = 1;
	m->legacy = l->sort == PQS_I32 || l->sort == PQS_I64 || l->sort == PQS_FLOAT || l->sort == PQS_DOUBLE ||
		l->sort == PQS_F16;
	return 0;
}

static int write_chunk(hfds_pq_writer *w, pqw_chunk *c, chunk_meta *m, hfds_error *err)
{
	int rc = 0;
	hfds_buf tmp;
	hfds_buf_init(&tmp, 0);
	m->codec = c->o.codec;
	m->dict_page_offset = -1;
	m->num_values = c->cb->nentries;
	m->plain_encoding = c->o.data_encoding;
	if (c->dict_pages) {
		m->dict_page_offset = (int64_t)w->offset;
		m->total_unc += c->dict_uncompressed;
		m->total_comp += (int64_t)c->dict_out.len;
		m->n_dict_pages = 1;
		add_encoding(m, PQ_ENC_PLAIN);
		HFDS_TRY(emit(w, c->dict_out.data, c->dict_out.len, err));
	}
	add_encoding(m, PQ_ENC_RLE);
	m->data_page_offset = (int64_t)w->offset;
	for (size_t p = 0; p < c->npages; p++) {
		pqw_page *pg = &c->pages[p];
		add_encoding(m, pg->encoding);
		if (pg->encoding == PQ_ENC_RLE_DICTIONARY)
			m->n_dict_data++;
		else
			m->n_plain_data++;
		m->total_unc += pg->uncompressed;
		m->total_comp += (int64_t)pqw_page_size(pg);
		HFDS_TRY(emit(w, pqw_page_bytes(pg), pqw_page_size(pg), err));
	}
	HFDS_TRY(chunk_stats_meta(w, m, c, err));
	if (w->o.page_index) {
		HFDS_TRY(pqw_offset_index(&tmp, c, m->data_page_offset, err));
		m->oi = hfds_buf_detach(&tmp, &m->oi_len);
		int has;
		HFDS_TRY(has = pqw_column_index(&tmp, c, w->o.max_statistics_size, err));
		if (has)
			m->ci = hfds_buf_detach(&tmp, &m->ci_len);
	}
done:
	hfds_buf_release(&tmp);
	return rc;
}

/* Submits the jobs that encode slot s's row group; they run on the pool. */
static int start_row_group(hfds_pq_writer *w, rg_slot *s, hfds_error *err)
{
	int rc = 0;
	int nl = w->schema->nleaves;
	for (int i = 0; i < nl; i++) {
		pqw_chunk_reset(&s->chunks[i], &w->schema->leaves[i], &s->cbs[i], &w->colopts[i], &w->o, s->dicts[i],
			s->smaps[i], s->sents[i]);
		hfds_error_init(&s->leaf_errs[i]);
		if (s->capjobs[i] == 0) {
			s->jobs[i] = hfds_calloc(16, sizeof(struct job));
			HFDS_FAIL_IF(!s->jobs[i], HFDS_ENOMEM, err, "out of memory");
			s->capjobs[i] = 16;
		}
	}
	s->encoding = 1;
	for (int i = 0; i < nl; i++) {
		s->jobs[i][0] = (struct job){ w, s, i, -2 };
		HFDS_FAIL_IF(hfds_taskgroup_submit(s->groups[i], leaf_job, &s->jobs[i][0], err) < 0, HFDS_ENOMEM, err,
			"out of memory");
	}
done:
	return rc;
}

/*
 * Writes slot s's row group out, each chunk as soon as its jobs are done (the pool keeps
 * encoding the later chunks meanwhile); s is then empty.
 */
static int finish_row_group(hfds_pq_writer *w, rg_slot *s, hfds_error *err)
{
	int rc = 0;
	int nl = w->schema->nleaves;
	rg_meta *rg = NULL;
	if (w->nrgs == w->caprgs) {
		size_t cap = w->caprgs ? w->caprgs * 2 : 8;
		rg_meta *r = hfds_reallocarray(w->rgs, cap, sizeof(*r));
		HFDS_FAIL_IF(!r, HFDS_ENOMEM, err, "out of memory");
		w->rgs = r;
		w->caprgs = cap;
	}
	rg = &w->rgs[w->nrgs];
	memset(rg, 0, sizeof(*rg));
	rg->cols = hfds_calloc((size_t)nl, sizeof(chunk_meta));
	HFDS_FAIL_IF(!rg->cols, HFDS_ENOMEM, err, "out of memory");
	w->nrgs++;
	rg->num_rows = s->rows;
	rg->file_offset = (int64_t)w->offset;
	for (int i = 0; i < nl; i++) {
		hfds_taskgroup_wait(s->groups[i]);
		if (s->leaf_errs[i].code < 0)
			HFDS_FAIL(s->leaf_errs[i].code, err, "%s", s->leaf_errs[i].message);
		HFDS_TRY(pqw_chunk_finish(&s->chunks[i], err));
		HFDS_TRY(write_chunk(w, &s->chunks[i], &rg->cols[i], err));
		rg->total_byte_size += rg->cols[i].total_unc;
		rg->total_compressed += rg->cols[i].total_comp;
	}
	w->total_rows += s->rows;
	s->rows = 0;
	for (int i = 0; i < nl; i++)
		pqw_colbuf_clear(&s->cbs[i]);
done:
	s->encoding = 0;
	return rc;
}

/*
 * Ends the row group in the current slot: its encoding starts, the previous row group (if
 * still in flight) is written out meanwhile, and the other slot takes the next rows.
 */
static int end_row_group(hfds_pq_writer *w, hfds_error *err)
{
	int rc = 0;
	rg_slot *s = &w->slots[w->cur];
	if (s->rows == 0)
		return 0;
	HFDS_TRY(start_row_group(w, s, err));
	if (!w->slots[1].groups) {
		HFDS_TRY(finish_row_group(w, s, err));
		return 0;
	}
	w->cur ^= 1;
	if (w->slots[w->cur].encoding)
		HFDS_TRY(finish_row_group(w, &w->slots[w->cur], err));
done:
	return rc;
}

/* Ends the current row group and writes out everything in flight. */
static int drain(hfds_pq_writer *w, hfds_error *err)
{
	int rc = 0;
	HFDS_TRY(end_row_group(w, err));
	for (int k = 0; k < 2; k++) /* at most one is still encoding after end_row_group */
		if (w->slots[k].encoding)
			HFDS_TRY(finish_row_group(w, &w->slots[k], err));
done:
	return rc;
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

static int slot_borrows(const hfds_pq_writer *w, const rg_slot *s)
{
	for (int i = 0; s->cbs && i < w->schema->nleaves; i++)
		if (s->cbs[i].borrowed)
			return 1;
	return 0;
}

/*
 * The caller is about to get its batch back: values borrowed from it are copied into the
 * slot still filling, and a row group encoding from borrowed values is written out first.
 */
static int return_batch(hfds_pq_writer *w, hfds_error *err)
{
	int rc = 0;
	rg_slot *s = &w->slots[w->cur], *o = &w->slots[w->cur ^ 1];
	for (int i = 0; i < w->schema->nleaves; i++)
		HFDS_TRY(pqw_colbuf_own(&s->cbs[i], err));
	if (o->encoding && slot_borrows(w, o))
		HFDS_TRY(finish_row_group(w, o, err));
done:
	return rc;
}

static int write_batch(hfds_pq_writer *w, const struct ArrowArray *b, hfds_error *err)
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
			HFDS_TRY(end_row_group(w, err));
	}
	HFDS_TRY(return_batch(w, err));
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

int hfds_pq_writer_write(hfds_pq_writer *w, const struct ArrowArray *batch, hfds_error *err)
{
	int rc;
	HFDS_ASSERT_ARG(w && batch, err);
	if ((rc = usable(w, err)) < 0)
		return rc;
	if ((rc = write_batch(w, batch, err)) < 0)
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
		rc = write_batch(w, &a, err);
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
	if ((rc = drain(w, err)) < 0 || (rc = out_flush(w, err)) < 0)
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

/* ---- footer ---- */

static void write_logical(pq_tw *tw, const pqw_node *n)
{
	if (!n->logical)
		return;
	pq_tw_field_struct_begin(tw, 10);
	pq_tw_field_struct_begin(tw, (int16_t)n->logical);
	if (n->logical == PQ_LT_INTEGER) {
		pq_tw_field_i8(tw, 1, (int8_t)n->lt_bits);
		pq_tw_field_bool(tw, 2, n->lt_signed);
	} else if (n->logical == PQ_LT_DECIMAL) {
		pq_tw_field_i32(tw, 1, n->scale);
		pq_tw_field_i32(tw, 2, n->precision);
	} else if (n->logical == PQ_LT_TIMESTAMP) {
		pq_tw_field_bool(tw, 1, n->lt_utc);
		pq_tw_field_struct_begin(tw, 2);
		pq_tw_field_struct_begin(tw, (int16_t)n->lt_unit);
		pq_tw_struct_end(tw);
		pq_tw_struct_end(tw);
	}
	pq_tw_struct_end(tw);
	pq_tw_struct_end(tw);
}

static void write_column_meta(pq_tw *tw, hfds_pq_writer *w, int i, const chunk_meta *m)
{
	const pqw_leaf *l = &w->schema->leaves[i];
	pq_tw_field_struct_begin(tw, 3);
	pq_tw_field_i32(tw, 1, l->ptype);
	pq_tw_field_list_begin(tw, 2, PQ_TT_I32, (size_t)m->nenc);
	for (int e = 0; e < m->nenc; e++)
		pq_tw_i32(tw, m->encodings[e]);
	pq_tw_field_list_begin(tw, 3, PQ_TT_BINARY, (size_t)l->npath);
	for (int p = 0; p < l->npath; p++)
		pq_tw_string(tw, l->path_parts[p]);
	pq_tw_field_i32(tw, 4, m->codec);
	pq_tw_field_i64(tw, 5, m->num_values);
	pq_tw_field_i64(tw, 6, m->total_unc);
	pq_tw_field_i64(tw, 7, m->total_comp);
	pq_tw_field_i64(tw, 9, m->data_page_offset);
	if (m->dict_page_offset >= 0)
		pq_tw_field_i64(tw, 11, m->dict_page_offset);
	if (m->stats) {
		pq_tw_field_struct_begin(tw, 12);
		if (m->has_minmax && m->legacy) {
			pq_tw_field_binary(tw, 1, m->max, m->max_len);
			pq_tw_field_binary(tw, 2, m->min, m->min_len);
		}
		pq_tw_field_i64(tw, 3, m->null_count);
		if (m->has_minmax) {
			pq_tw_field_binary(tw, 5, m->max, m->max_len);
			pq_tw_field_binary(tw, 6, m->min, m->min_len);
			pq_tw_field_bool(tw, 7, m->max_exact);
			pq_tw_field_bool(tw, 8, m->min_exact);
		}
		pq_tw_struct_end(tw);
	}
	size_t nes = (m->n_dict_pages > 0) + (m->n_dict_data > 0) + (m->n_plain_data > 0);
	pq_tw_field_list_begin(tw, 13, PQ_TT_STRUCT, nes);
	if (m->n_dict_pages) {
		pq_tw_struct_begin(tw);
		pq_tw_field_i32(tw, 1, PQ_PAGE_DICTIONARY);
		pq_tw_field_i32(tw, 2, PQ_ENC_PLAIN);
		pq_tw_field_i32(tw, 3, m->n_dict_pages);
		pq_tw_struct_end(tw);
	}
	if (m->n_dict_data) {
		pq_tw_struct_begin(tw);
		pq_tw_field_i32(tw, 1, PQ_PAGE_DATA);
		pq_tw_field_i32(tw, 2, PQ_ENC_RLE_DICTIONARY);
		pq_tw_field_i32(tw, 3, m->n_dict_data);
		pq_tw_struct_end(tw);
	}
	if (m->n_plain_data) {
		pq_tw_struct_begin(tw);
		pq_tw_field_i32(tw, 1, PQ_PAGE_DATA);
		pq_tw_field_i32(tw, 2, m->plain_encoding);
		pq_tw_field_i32(tw, 3, m->n_plain_data);
		pq_tw_struct_end(tw);
	}
	pq_tw_struct_end(tw);
}

static int write_footer(hfds_pq_writer *w, hfds_error *err)
{
	int rc = 0;
	int nl = w->schema->nleaves;
	hfds_buf meta;
	hfds_buf_init(&meta, 0);
	/* page index: all ColumnIndexes, then all OffsetIndexes */
	for (size_t r = 0; r < w->nrgs; r++)
		for (int i = 0; i < nl; i++) {
			chunk_meta *m = &w->rgs[r].cols[i];
			if (m->ci) {
				m->ci_off = (int64_t)w->offset;
				HFDS_TRY(emit(w, m->ci, m->ci_len, err));
			}
		}
	for (size_t r = 0; r < w->nrgs; r++)
		for (int i = 0; i < nl; i++) {
			chunk_meta *m = &w->rgs[r].cols[i];
			if (m->oi) {
				m->oi_off = (int64_t)w->offset;
				HFDS_TRY(emit(w, m->oi, m->oi_len, err));
			}
		}
	pq_tw tw;
	pq_tw_init(&tw, &meta);
	pq_tw_struct_begin(&tw);
	pq_tw_field_i32(&tw, 1, 1);
	pq_tw_field_list_begin(&tw, 2, PQ_TT_STRUCT, (size_t)w->schema->nnodes);
	for (int i = 0; i < w->schema->nnodes; i++) {
		const pqw_node *n = &w->schema->nodes[i];
		pq_tw_struct_begin(&tw);
		if (n->ptype >= 0)
			pq_tw_field_i32(&tw, 1, n->ptype);
		if (n->ptype == PQ_FIXED_LEN_BYTE_ARRAY)
			pq_tw_field_i32(&tw, 2, n->type_length);
		if (i > 0)
			pq_tw_field_i32(&tw, 3, n->repetition);
		pq_tw_field_string(&tw, 4, n->name);
		if (n->ptype < 0)
			pq_tw_field_i32(&tw, 5, n->num_children);
		if (n->converted >= 0)
			pq_tw_field_i32(&tw, 6, n->converted);
		if (n->logical == PQ_LT_DECIMAL) {
			pq_tw_field_i32(&tw, 7, n->scale);
			pq_tw_field_i32(&tw, 8, n->precision);
		}
		write_logical(&tw, n);
		pq_tw_struct_end(&tw);
	}
	pq_tw_field_i64(&tw, 3, w->total_rows);
	pq_tw_field_list_begin(&tw, 4, PQ_TT_STRUCT, w->nrgs);
	for (size_t r = 0; r < w->nrgs; r++) {
		const rg_meta *rg = &w->rgs[r];
		pq_tw_struct_begin(&tw);
		pq_tw_field_list_begin(&tw, 1, PQ_TT_STRUCT, (size_t)nl);
		for (int i = 0; i < nl; i++) {
			const chunk_meta *m = &rg->cols[i];
			pq_tw_struct_begin(&tw);
			pq_tw_field_i64(&tw, 2, 0);
			write_column_meta(&tw, w, i, m);
			if (m->oi) {
				pq_tw_field_i64(&tw, 4, m->oi_off);
				pq_tw_field_i32(&tw, 5, (int32_t)m->oi_len);
			}
			if (m->ci) {
				pq_tw_field_i64(&tw, 6, m->ci_off);
				pq_tw_field_i32(&tw, 7, (int32_t)m->ci_len);
			}
			pq_tw_struct_end(&tw);
		}
		pq_tw_field_i64(&tw, 2, rg->total_byte_size);
		pq_tw_field_i64(&tw, 3, rg->num_rows);
		pq_tw_field_i64(&tw, 5, rg->file_offset);
		pq_tw_field_i64(&tw, 6, rg->total_compressed);
		pq_tw_field_i16(&tw, 7, (int16_t)r);
		pq_tw_struct_end(&tw);
	}
	if (w->nkv) {
		pq_tw_field_list_begin(&tw, 5, PQ_TT_STRUCT, w->nkv);
		for (size_t i = 0; i < w->nkv; i++) {
			pq_tw_struct_begin(&tw);
			pq_tw_field_string(&tw, 1, w->kv[i].key);
			if (w->kv[i].value)
				pq_tw_field_string(&tw, 2, w->kv[i].value);
			pq_tw_struct_end(&tw);
		}
	}
	pq_tw_field_string(&tw, 6, "hfds version " HFDS_VERSION " (build " HFDS_BUILD_ID ")");
	pq_tw_field_list_begin(&tw, 7, PQ_TT_STRUCT, (size_t)nl);
	for (int i = 0; i < nl; i++) {
		pq_tw_struct_begin(&tw);
		pq_tw_field_struct_begin(&tw, 1);
		pq_tw_struct_end(&tw);
		pq_tw_struct_end(&tw);
	}
	pq_tw_struct_end(&tw);
	HFDS_TRY(pq_tw_finish(&tw, err));
	HFDS_FAIL_IF(meta.len > UINT32_MAX, HFDS_ELIMIT, err, "footer too large");
	uint8_t tail[8];
	uint32_t len = (uint32_t)meta.len;
	for (int i = 0; i < 4; i++)
		tail[i] = (uint8_t)(len >> (8 * i));
	memcpy(tail + 4, PQ_MAGIC, 4);
	HFDS_TRY(emit(w, meta.data, meta.len, err));
	HFDS_TRY(emit(w, tail, 8, err));
	HFDS_TRY(out_flush(w, err));
done:
	hfds_buf_release(&meta);
	return rc;
}

int hfds_pq_writer_close(hfds_pq_writer *w, hfds_pq_file_info *info, hfds_error *err)
{
	int rc = 0;
	HFDS_ASSERT_ARG(w, err);
	if ((rc = usable(w, err)) < 0)
		return rc;
	HFDS_TRY(drain(w, err));
	HFDS_TRY(write_footer(w, err));
	if (w->fd >= 0) {
		int fd = w->fd;
		w->fd = -1;
		HFDS_FAIL_IF(close(fd) < 0, HFDS_EIO, err, "close failed: %s", strerror(errno));
	}
	w->closed = 1;
	if (info) {
		memset(info, 0, sizeof(*info));
		info->size = w->offset;
		info->num_rows = (uint64_t)w->total_rows;
		info->num_row_groups = (uint32_t)w->nrgs;
		for (size_t r = 0; r < w->nrgs; r++)
			info->uncompressed_bytes += (uint64_t)w->rgs[r].total_byte_size;
		hfds_sha256_final(w->sha, info->sha256);
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
	if (w->fd >= 0)
		close(w->fd);
	for (int k = 0; k < 2; k++)
		slot_release(w, &w->slots[k]);
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
	hfds_pool_free(w->pool);
	hfds_sha256_free(w->sha);
	hfds_buf_release(&w->out);
	pqw_schema_free(w->schema);
	hfds_free(w->path);
	pthread_mutex_destroy(&w->kit_lock);
	hfds_free(w);
}
