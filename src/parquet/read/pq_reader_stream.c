/*
 * The record-batch stream: for each selected row group, each projected top-level field is
 * read with one coalesced range read (its leaves' chunks are adjacent in normal files) when
 * it is small, else a window at a time, decoded leaf by leaf and assembled into an Arrow
 * array. With threads, the fields of a row group (or of a few row groups, see refill) are
 * decoded in parallel. Peak memory: one row group of the projected fields per lane, plus
 * a window of PQ_CHUNK_WINDOW bytes per field being decoded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parquet/read/assemble.h"
#include "util/alloc.h"
#include "util/pool.h"
#include "util/try.h"

#define MAX_LANES 8

typedef struct pq_unit {
	uint64_t cost; /* estimated work */
	int id;        /* lane * nfields + field */
} pq_unit;

typedef struct scan {
	hfds_pq_reader *r;
	int *fields; /* indices into root->children */
	int nfields;
	int *rgs;
	int nrgs;
	int next;
	/* Up to `lanes` row groups decode at once (threads != 1), each lane with its own
	 * buffers; decoded batches (of row groups qrg[]) wait in q[qhead..qhead+qn). */
	int lanes;
	pq_colbuf **cbs; /* [lane * nfields + field], one per leaf: reused across row groups */
	hfds_buf *spans; /* [lane * nfields + field]: coalesced chunk bytes, reused likewise */
	pq_bufpool *pool;
	pq_unit *units;  /* [lanes * nfields]: the (row group, field) decodes of a refill */
	int *urc;        /* [lane * nfields + field]: their results */
	hfds_error *uerr;
	struct ArrowArray q[MAX_LANES];
	int qrg[MAX_LANES];
	int qrc[MAX_LANES];
	hfds_error qerr[MAX_LANES];
	int qhead, qn;
	hfds_error err;
} scan;

static int stream_schema(struct ArrowArrayStream *st, struct ArrowSchema *out)
{
	scan *s = st->private_data;
	pq_anode tmp;
	const pq_anode *root = s->r->root;
	int i, rc;
	pq_anode **kids = hfds_calloc((size_t)s->nfields + 1, sizeof *kids);
	if (!kids)
		return ENOMEM;
	for (i = 0; i < s->nfields; i++)
		kids[i] = root->children[s->fields[i]];
	tmp = *root;
	tmp.children = kids;
	tmp.nchildren = s->nfields;
	hfds_error_init(&s->err);
	rc = pq_anode_schema(&tmp, out, &s->err);
	hfds_free(kids);
	return rc < 0 ? ENOMEM : 0;
}

/* Reads and decodes the leaves of one top-level field (number fi of the projection) in row
 * group rg with the buffers of `lane`. */
static int read_field(scan *s, int lane, int fi, int rg, const pq_anode *f, struct ArrowArray *out, hfds_error *err)
{
	hfds_pq_reader *r = s->r;
	int nleaves = f->last_leaf - f->leaf + 1, i, rc = 0;
	pq_colbuf *cbs = s->cbs[lane * s->nfields + fi];
	hfds_buf *span = &s->spans[lane * s->nfields + fi], one;
	uint64_t lo = UINT64_MAX, hi = 0, sum = 0, off, len;
	int spanned = 0;
	hfds_buf_init(&one, r->opt.max_alloc);
	for (i = 0; i < nleaves; i++) {
		HFDS_TRY(pq_chunk_range(r, rg, f->leaf + i, &off, &len, err));
		if (off < lo)
			lo = off;
		if (off + len > hi)
			hi = off + len;
		sum += len;
	}
	/* one read for the whole field when the chunks are (nearly) adjacent and small; larger
	 * chunks are read a window at a time (pq_read_chunk), never held whole */
	if (hi - lo <= sum + 65536 && hi - lo <= PQ_CHUNK_WINDOW) {
		hfds_buf_clear(span);
		HFDS_TRY(hfds_buf_reserve(span, hi - lo ? hi - lo : 1, err));
		HFDS_TRY(pq_reader__read(r, lo, span->data, hi - lo, err));
		spanned = 1;
	}
	for (i = 0; i < nleaves; i++) {
		const uint8_t *bytes;
		HFDS_TRY(pq_chunk_range(r, rg, f->leaf + i, &off, &len, err));
		bytes = spanned ? span->data + (off - lo) : NULL;
		hfds_buf_clear(&one);
		HFDS_TRY(pq_read_chunk(r, rg, f->leaf + i, bytes, &one, len, off, &cbs[i], err));
	}
	HFDS_TRY(pq_anode_array(f, r, cbs, r->meta->row_groups[rg].num_rows, out, err));
done:
	for (i = 0; i < nleaves; i++)
		pq_colbuf_reset(&cbs[i]);
	hfds_buf_release(&one);
	return rc;
}

typedef struct bpriv {
	struct ArrowArray *kids;
	struct ArrowArray **kidp;
	int n;
	const void *bufs[1];
} bpriv;

static void batch_release(struct ArrowArray *a)
{
	bpriv *p = a->private_data;
	int i;
	if (!a->release)
		return;
	for (i = 0; i < p->n; i++)
		if (p->kids[i].release)
			p->kids[i].release(&p->kids[i]);
	hfds_free(p->kids);
	hfds_free(p->kidp);
	hfds_free(p);
	a->release = NULL;
}

/* Next non-empty selected row group, or -1. */
static int take_rg(scan *s)
{
	while (s->next < s->nrgs && s->r->meta->row_groups[s->rgs[s->next]].num_rows == 0)
		s->next++;
	return s->next < s->nrgs ? s->rgs[s->next++] : -1;
}

/* An empty struct batch for row group rg whose children the units fill in. */
static int batch_new(scan *s, int rg, struct ArrowArray *out, hfds_error *err)
{
	bpriv *p;
	int i;
	memset(out, 0, sizeof *out);
	if (!(p = hfds_calloc(1, sizeof *p)) || !(p->kids = hfds_calloc((size_t)s->nfields + 1, sizeof *p->kids)) ||
	    !(p->kidp = hfds_calloc((size_t)s->nfields + 1, sizeof *p->kidp))) {
		if (p)
			hfds_free(p->kids);
		hfds_free(p);
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	}
	for (i = 0; i < s->nfields; i++)
		p->kidp[i] = &p->kids[i];
	p->n = s->nfields;
	out->private_data = p;
	out->release = batch_release;
	out->length = s->r->meta->row_groups[rg].num_rows;
	out->n_buffers = 1;
	out->buffers = p->bufs;
	out->n_children = s->nfields;
	out->children = p->kidp;
	return 0;
}

/* Estimated decoding work of field fi in row group rg: bytes to decompress and decode plus
 * a per-value share (dictionary-encoded strings are small on disk but not to gather). */
static uint64_t field_cost(const scan *s, int rg, int fi)
{
	const pq_anode *f = s->r->root->children[s->fields[fi]];
	const pq_chunk *cc = s->r->meta->row_groups[rg].columns;
	uint64_t c = 1;
	int l;
	for (l = f->leaf; l <= f->last_leaf; l++) {
		if (cc[l].meta.total_uncompressed_size > 0)
			c += (uint64_t)cc[l].meta.total_uncompressed_size;
		if (cc[l].meta.num_values > 0)
			c += 4 * (uint64_t)cc[l].meta.num_values;
	}
	return c;
}

/* Longest thread time when units of these costs (largest first) go to the first free of
 * `threads` threads, as the pool's FIFO queue hands them out. */
static uint64_t lpt_span(const pq_unit *u, int n, int threads)
{
	uint64_t load[64] = {0}, mx = 0;
	int i, t, best;
	threads = threads > 64 ? 64 : threads;
	for (i = 0; i < n; i++) {
		for (best = 0, t = 1; t < threads; t++)
			if (load[t] < load[best])
				best = t;
		load[best] += u[i].cost;
	}
	for (t = 0; t < threads; t++)
		mx = load[t] > mx ? load[t] : mx;
	return mx;
}

static int cost_desc(const void *a, const void *b)
{
	const pq_unit *x = a, *y = b;
	return x->cost != y->cost ? (x->cost < y->cost ? 1 : -1) : (x->id > y->id) - (x->id < y->id);
}

static void unit_run(void *arg, size_t i)
{
	scan *s = arg;
	int u = s->units[i].id, lane = u / s->nfields, fi = u % s->nfields;
	bpriv *p = s->q[lane].private_data;
	hfds_error_init(&s->uerr[u]);
	s->urc[u] = read_field(s, lane, fi, s->qrg[lane], s->r->root->children[s->fields[fi]], &p->kids[fi], &s->uerr[u]);
}

/* Units for row groups qrg[0..n), largest first (unsorted with one thread: schema order). */
static void plan_units(scan *s, int n, int threads)
{
	int i;
	for (i = 0; i < n * s->nfields; i++) {
		s->units[i].id = i;
		s->units[i].cost = threads > 1 ? field_cost(s, s->qrg[i / s->nfields], i % s->nfields) : 0;
	}
	if (threads > 1)
		qsort(s->units, (size_t)(n * s->nfields), sizeof *s->units, cost_desc);
}

/* Decodes the next row groups into q[0..qn): every (row group, field) pair is one unit on
 * the pool, largest first. As many row groups go at once as it takes to keep the threads
 * busy: one when its fields balance over the threads (the least memory in flight), else up
 * to `lanes` (a file whose work is in one field). Errors: per row group, the first failing
 * field in schema order; the stream stops after the batches before it. */
static int refill(scan *s, hfds_error *err)
{
	int threads = s->r->pool ? hfds_pool_threads(s->r->pool) : 1, w = 1, n = 0, i, j, rc = 0;
	uint64_t total = 0;
	s->qhead = 0;
	s->qn = 0;
	if (threads > 1 && s->lanes > 1 && s->next < s->nrgs) { /* judged on the next row group */
		s->qrg[0] = s->rgs[s->next];
		plan_units(s, 1, threads);
		for (i = 0; i < s->nfields; i++)
			total += s->units[i].cost;
		if (lpt_span(s->units, s->nfields, threads) * 100 > total * 115 / (uint64_t)threads)
			w = s->lanes;
	}
	while (n < w && (s->qrg[n] = take_rg(s)) >= 0) {
		if ((rc = batch_new(s, s->qrg[n], &s->q[n], err)) < 0) {
			for (i = 0; i < n; i++)
				s->q[i].release(&s->q[i]);
			return rc;
		}
		n++;
	}
	plan_units(s, n, threads);
	hfds_pool_run(s->r->pool, (size_t)(n * s->nfields), unit_run, s);
	for (i = 0; i < n; i++) {
		hfds_error_init(&s->qerr[i]);
		s->qrc[i] = 0;
		for (j = 0; j < s->nfields && s->qrc[i] == 0; j++)
			if (s->urc[i * s->nfields + j] < 0) {
				s->qrc[i] = s->urc[i * s->nfields + j];
				s->qerr[i] = s->uerr[i * s->nfields + j];
				if (s->r->name)
					hfds_error_prefix(&s->qerr[i], s->r->name);
			}
	}
	s->qn = n;
	return 0;
}

static int next_batch(scan *s, struct ArrowArray *out, hfds_error *err)
{
	memset(out, 0, sizeof *out);
	if (s->qn == 0) {
		int rc = refill(s, err);
		if (rc < 0)
			return rc;
	}
	if (s->qn > 0) { /* in row-group order; an error ends the stream after the batches before it */
		int i = s->qhead++;
		s->qn--;
		if (s->qrc[i] < 0) {
			s->q[i].release(&s->q[i]);
			for (; s->qn > 0; s->qn--, s->qhead++)
				s->q[s->qhead].release(&s->q[s->qhead]);
			if (err && err->code == 0)
				*err = s->qerr[i];
			return s->qrc[i];
		}
		*out = s->q[i];
		memset(&s->q[i], 0, sizeof s->q[i]);
	}
	return 0; /* at the end out->release stays NULL */
}

static int stream_next(struct ArrowArrayStream *st, struct ArrowArray *out)
{
	scan *s = st->private_data;
	int rc;
	hfds_error_init(&s->err);
	rc = next_batch(s, out, &s->err);
	if (rc == 0)
		return 0;
	s->next = s->nrgs; /* an error ends the stream */
	return rc == HFDS_ENOMEM ? ENOMEM : rc == HFDS_ELIMIT ? ENOMEM : rc == HFDS_EUNSUPPORTED ? ENOSYS : EIO;
}

static const char *stream_error(struct ArrowArrayStream *st)
{
	scan *s = st->private_data;
	return s->err.message[0] ? s->err.message : NULL;
}

int hfds_pq_stream_error(struct ArrowArrayStream *st, hfds_error *err)
{
	scan *s = st->private_data;
	if (!s || s->err.code == 0)
		return 0;
	if (err && err->code == 0)
		*err = s->err;
	return s->err.code;
}

static void scan_free(scan *s)
{
	int i, j;
	if (!s)
		return;
	for (i = 0; i < s->qn; i++)
		if (s->q[s->qhead + i].release)
			s->q[s->qhead + i].release(&s->q[s->qhead + i]);
	for (i = 0; s->cbs && i < s->lanes * s->nfields; i++) {
		const pq_anode *f = s->r->root->children[s->fields[i % s->nfields]];
		for (j = 0; s->cbs[i] && j <= f->last_leaf - f->leaf; j++)
			pq_colbuf_release(&s->cbs[i][j]);
		hfds_free(s->cbs[i]);
	}
	for (i = 0; s->spans && i < s->lanes * s->nfields; i++)
		hfds_buf_release(&s->spans[i]);
	hfds_free(s->cbs);
	hfds_free(s->spans);
	hfds_free(s->units);
	hfds_free(s->urc);
	hfds_free(s->uerr);
	pq_bufpool_unref(s->pool, 1);
	hfds_free(s->fields);
	hfds_free(s->rgs);
	hfds_free(s);
}

static void stream_release(struct ArrowArrayStream *st)
{
	if (!st->release)
		return;
	scan_free(st->private_data);
	st->release = NULL;
}

int hfds_pq_reader_schema(hfds_pq_reader *r, struct ArrowSchema *out, hfds_error *err)
{
	int rc = pq_anode_build(r, err);
	if (rc < 0)
		return rc;
	return pq_anode_schema(r->root, out, err);
}

void hfds_pq_scan_options_init(hfds_pq_scan_options *opt)
{
	memset(opt, 0, sizeof *opt);
	opt->version = HFDS_PQ_SCAN_OPTIONS_VERSION;
}

int hfds_pq_reader_scan(hfds_pq_reader *r, const hfds_pq_scan_options *opt, struct ArrowArrayStream *out,
			hfds_error *err)
{
	scan *s = NULL;
	int rc = 0, i, j;
	size_t k;
	memset(out, 0, sizeof *out);
	HFDS_CHECK_VERSION(opt, HFDS_PQ_SCAN_OPTIONS_VERSION, "hfds_pq_scan_options", err);
	HFDS_TRY(pq_anode_build(r, err));
	if (r->opt.threads != 1 && !r->pool)
		HFDS_TRY(hfds_pool_new(&r->pool, r->opt.threads, err));
	if (!(s = hfds_calloc(1, sizeof *s)))
		HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
	s->r = r;
	if (opt && opt->columns) {
		if (!(s->fields = hfds_calloc(opt->ncolumns + 1, sizeof(int))))
			HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
		for (k = 0; k < opt->ncolumns; k++) {
			for (j = 0; j < r->root->nchildren; j++)
				if (!strcmp(r->root->children[j]->name, opt->columns[k]))
					break;
			if (j == r->root->nchildren)
				HFDS_FAIL(HFDS_ENOTFOUND, err, "%s: no column named '%s'", r->name ? r->name : "parquet",
					  opt->columns[k]);
			s->fields[s->nfields++] = j;
		}
	} else {
		if (!(s->fields = hfds_calloc((size_t)r->root->nchildren + 1, sizeof(int))))
			HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
		for (j = 0; j < r->root->nchildren; j++)
			s->fields[s->nfields++] = j;
	}
	if (opt && opt->row_groups) {
		if (!(s->rgs = hfds_calloc(opt->nrow_groups + 1, sizeof(int))))
			HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
		for (k = 0; k < opt->nrow_groups; k++) {
			if (opt->row_groups[k] < 0 || opt->row_groups[k] >= r->meta->nrow_groups)
				HFDS_FAIL(HFDS_EINVAL, err, "row group %d does not exist (%d row groups)", opt->row_groups[k],
					  r->meta->nrow_groups);
			s->rgs[s->nrgs++] = opt->row_groups[k];
		}
	} else {
		if (!(s->rgs = hfds_calloc((size_t)r->meta->nrow_groups + 1, sizeof(int))))
			HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
		for (i = 0; i < r->meta->nrow_groups; i++)
			s->rgs[s->nrgs++] = i;
	}
	s->lanes = r->pool ? hfds_pool_threads(r->pool) : 1;
	s->lanes = s->lanes > MAX_LANES ? MAX_LANES : s->lanes < 1 ? 1 : s->lanes;
	s->lanes = s->lanes > s->nrgs ? (s->nrgs > 0 ? s->nrgs : 1) : s->lanes;
	if (!(s->pool = pq_bufpool_new()) ||
	    !(s->cbs = hfds_calloc((size_t)(s->lanes * s->nfields) + 1, sizeof *s->cbs)) ||
	    !(s->spans = hfds_calloc((size_t)(s->lanes * s->nfields) + 1, sizeof *s->spans)) ||
	    !(s->units = hfds_calloc((size_t)(s->lanes * s->nfields) + 1, sizeof *s->units)) ||
	    !(s->urc = hfds_calloc((size_t)(s->lanes * s->nfields) + 1, sizeof *s->urc)) ||
	    !(s->uerr = hfds_calloc((size_t)(s->lanes * s->nfields) + 1, sizeof *s->uerr)))
		HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
	for (i = 0; i < s->lanes * s->nfields; i++) {
		const pq_anode *f = r->root->children[s->fields[i % s->nfields]];
		hfds_buf_init(&s->spans[i], r->opt.max_alloc);
		if (!(s->cbs[i] = hfds_calloc((size_t)(f->last_leaf - f->leaf + 1), sizeof **s->cbs)))
			HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
		for (j = 0; j <= f->last_leaf - f->leaf; j++) {
			pq_colbuf_init(&s->cbs[i][j], r->meta, f->leaf + j, r->leaf_narrow[f->leaf + j], r->opt.max_alloc);
			s->cbs[i][j].pool = s->pool;
		}
	}
	out->get_schema = stream_schema;
	out->get_next = stream_next;
	out->get_last_error = stream_error;
	out->release = stream_release;
	out->private_data = s;
	s = NULL;
done:
	scan_free(s);
	return rc;
}
