/*
 * The record-batch stream: for each selected row group, each projected top-level field is
 * read with one coalesced range read (its leaves' chunks are adjacent in normal files),
 * decoded leaf by leaf, assembled into an Arrow array, and its buffers dropped before the
 * next field. Peak memory: one row group of the projected fields.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "parquet/read/assemble.h"
#include "util/alloc.h"
#include "util/pool.h"
#include "util/try.h"

#define MAX_LANES 8

typedef struct scan {
	hfds_pq_reader *r;
	int *fields; /* indices into root->children */
	int nfields;
	int *rgs;
	int nrgs;
	int next;
	/* Row groups decode `lanes` at a time in parallel (threads != 1 and several row groups
	 * left), each lane with its own buffers; decoded batches wait in q[qhead..qhead+qn). */
	int lanes;
	pq_colbuf **cbs; /* [lane * nfields + field], one per leaf: reused across row groups */
	hfds_buf *spans; /* [lane * nfields + field]: coalesced chunk bytes, reused likewise */
	pq_bufpool *pool;
	struct ArrowArray q[MAX_LANES];
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
	/* one read for the whole field when the chunks are (nearly) adjacent */
	if (hi - lo <= sum + 65536 && hi - lo <= r->opt.max_alloc) {
		hfds_buf_clear(span);
		HFDS_TRY(hfds_buf_reserve(span, hi - lo ? hi - lo : 1, err));
		HFDS_TRY(pq_reader__read(r, lo, span->data, hi - lo, err));
		spanned = 1;
	}
	for (i = 0; i < nleaves; i++) {
		const uint8_t *bytes;
		HFDS_TRY(pq_chunk_range(r, rg, f->leaf + i, &off, &len, err));
		if (spanned) {
			bytes = span->data + (off - lo);
		} else {
			hfds_buf_clear(&one);
			HFDS_TRY(hfds_buf_reserve(&one, len ? len : 1, err));
			HFDS_TRY(pq_reader__read(r, off, one.data, len, err));
			bytes = one.data;
		}
		HFDS_TRY(pq_read_chunk(r, rg, f->leaf + i, bytes, len, off, &cbs[i], err));
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

typedef struct par {
	scan *s;
	int rg;
	struct ArrowArray *kids;
	hfds_error *errs;
	int *rcs;
} par;

static void par_field(void *arg, size_t i)
{
	par *p = arg;
	hfds_error_init(&p->errs[i]);
	p->rcs[i] = read_field(p->s, 0, (int)i, p->rg, p->s->r->root->children[p->s->fields[i]], &p->kids[i], &p->errs[i]);
}

/* Fields in parallel; the first failing field in schema order reports (deterministic). */
static int read_fields_parallel(scan *s, int rg, bpriv *bp, hfds_error *err)
{
	par p;
	int i, rc = 0;
	p.s = s;
	p.rg = rg;
	p.kids = bp->kids;
	p.errs = hfds_calloc((size_t)s->nfields, sizeof *p.errs);
	p.rcs = hfds_calloc((size_t)s->nfields, sizeof *p.rcs);
	if (!p.errs || !p.rcs) {
		hfds_free(p.errs);
		hfds_free(p.rcs);
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	}
	for (i = 0; i < s->nfields; i++)
		bp->kidp[i] = &bp->kids[i];
	bp->n = s->nfields;
	hfds_pool_run(s->r->pool, (size_t)s->nfields, par_field, &p);
	for (i = 0; i < s->nfields && rc == 0; i++)
		if (p.rcs[i] < 0) {
			rc = p.rcs[i];
			if (err && err->code == 0)
				*err = p.errs[i];
		}
	hfds_free(p.errs);
	hfds_free(p.rcs);
	return rc;
}

/* Decodes row group rg into out (a struct batch) with the buffers of `lane`; `fields_parallel`
 * spreads its fields over the pool instead. */
static int decode_rg(scan *s, int lane, int rg, int fields_parallel, struct ArrowArray *out, hfds_error *err)
{
	hfds_pq_reader *r = s->r;
	int i, rc = 0;
	bpriv *p;
	memset(out, 0, sizeof *out);
	if (!(p = hfds_calloc(1, sizeof *p)) || !(p->kids = hfds_calloc((size_t)s->nfields + 1, sizeof *p->kids)) ||
	    !(p->kidp = hfds_calloc((size_t)s->nfields + 1, sizeof *p->kidp))) {
		if (p) {
			hfds_free(p->kids);
			hfds_free(p);
		}
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	}
	out->private_data = p;
	out->release = batch_release;
	out->length = r->meta->row_groups[rg].num_rows;
	out->n_buffers = 1;
	out->buffers = p->bufs;
	out->n_children = s->nfields;
	out->children = p->kidp;
	if (fields_parallel) {
		HFDS_TRY(read_fields_parallel(s, rg, p, err));
		return 0;
	}
	for (i = 0; i < s->nfields; i++) {
		p->kidp[i] = &p->kids[i];
		p->n = i + 1;
		HFDS_TRY(read_field(s, lane, i, rg, r->root->children[s->fields[i]], &p->kids[i], err));
	}
	return 0;
done:
	batch_release(out);
	if (r->name)
		hfds_error_prefix(err, r->name);
	return rc;
}

typedef struct lanejob {
	scan *s;
	int rgs[MAX_LANES];
} lanejob;

static void lane_run(void *arg, size_t i)
{
	lanejob *j = arg;
	scan *s = j->s;
	hfds_error_init(&s->qerr[i]);
	s->qrc[i] = decode_rg(s, (int)i, j->rgs[i], 0, &s->q[i], &s->qerr[i]);
}

/* Next non-empty selected row group, or -1. */
static int take_rg(scan *s)
{
	while (s->next < s->nrgs && s->r->meta->row_groups[s->rgs[s->next]].num_rows == 0)
		s->next++;
	return s->next < s->nrgs ? s->rgs[s->next++] : -1;
}

static int next_batch(scan *s, struct ArrowArray *out, hfds_error *err)
{
	hfds_pq_reader *r = s->r;
	int rg, n = 0;
	lanejob j;
	memset(out, 0, sizeof *out);
	if (s->qn == 0 && s->lanes > 1) { /* refill: up to `lanes` row groups in parallel */
		while (n < s->lanes && (rg = take_rg(s)) >= 0)
			j.rgs[n++] = rg;
		if (n > 1) {
			j.s = s;
			hfds_pool_run(r->pool, (size_t)n, lane_run, &j);
			s->qhead = 0;
			s->qn = n;
		} else if (n == 1) { /* the last one: its fields in parallel */
			return decode_rg(s, 0, j.rgs[0], s->nfields > 1, out, err);
		} else {
			return 0;
		}
	}
	if (s->qn > 0) { /* in row-group order; an error ends the stream after the batches before it */
		int i = s->qhead++;
		s->qn--;
		if (s->qrc[i] < 0) {
			for (; s->qn > 0; s->qn--, s->qhead++)
				if (s->q[s->qhead].release)
					s->q[s->qhead].release(&s->q[s->qhead]);
			if (err && err->code == 0)
				*err = s->qerr[i];
			return s->qrc[i];
		}
		*out = s->q[i];
		memset(&s->q[i], 0, sizeof s->q[i]);
		return 0;
	}
	if ((rg = take_rg(s)) < 0)
		return 0; /* end: out->release stays NULL */
	return decode_rg(s, 0, rg, r->pool && s->nfields > 1, out, err);
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
	    !(s->spans = hfds_calloc((size_t)(s->lanes * s->nfields) + 1, sizeof *s->spans)))
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
