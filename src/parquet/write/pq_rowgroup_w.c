/*
 * Row groups in flight. A full slot's leaves are planned by one job each (pages, dictionary),
 * which then queues a job per page; pages are encoded into their own slots, so the bytes never
 * depend on scheduling. With two slots, the caller writes out row group k-1 (each chunk as
 * soon as its jobs are done) while the pool encodes row group k and the next one fills.
 */
#include <stdatomic.h>
#include <string.h>

#include "parquet/write/pageindex.h"
#include "parquet/format/pq_format.h"
#include "parquet/write/pq_writer_int.h"
#include "parquet/write/stats.h"
#include "util/alloc.h"
#include "util/try.h"

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

int pqw_slot_init(hfds_pq_writer *w, rg_slot *s, hfds_error *err)
{
	int rc = 0;
	int nl = w->schema->nleaves;
	s->cbs = hfds_calloc((size_t)nl, sizeof(pqw_colbuf));
	s->chunks = hfds_calloc((size_t)nl, sizeof(pqw_chunk));
	s->dicts = hfds_calloc((size_t)nl, sizeof(pq_dict *));
	s->leaf_errs = hfds_calloc((size_t)nl, sizeof(hfds_error));
	s->smaps = hfds_calloc((size_t)nl, sizeof(uint32_t *));
	s->sents = hfds_calloc((size_t)nl, sizeof(int32_t *));
	s->sent_caps = hfds_calloc((size_t)nl, sizeof(size_t));
	s->jobs = hfds_calloc((size_t)nl, sizeof(*s->jobs));
	s->capjobs = hfds_calloc((size_t)nl, sizeof(size_t));
	s->groups = hfds_calloc((size_t)nl, sizeof(hfds_taskgroup *));
	HFDS_FAIL_IF(!s->cbs || !s->chunks || !s->dicts || !s->leaf_errs || !s->smaps || !s->sents || !s->sent_caps || !s->jobs ||
		!s->capjobs || !s->groups, HFDS_ENOMEM, err, "out of memory");
	for (int i = 0; i < nl; i++) {
		pqw_colbuf_init(&s->cbs[i]);
		pqw_chunk_init(&s->chunks[i]);
		/* small-domain columns get their direct map at their first value (start_row_group) */
		if (w->colopts[i].dictionary && !pqw_small_dict(&w->schema->leaves[i])) {
			HFDS_TRY(pq_dict_new(&s->dicts[i], w->schema->leaves[i].src, w->schema->leaves[i].value_width, err));
		}
		HFDS_TRY(hfds_taskgroup_new(&s->groups[i], w->pool, err));
	}
done:
	return rc;
}

/* Waits for the slot's jobs, then frees it. */
void pqw_slot_release(hfds_pq_writer *w, rg_slot *s)
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
	hfds_free(s->sent_caps);
	hfds_free(s->cbs);
	hfds_free(s->chunks);
	hfds_free(s->dicts);
	hfds_free(s->leaf_errs);
	hfds_free(s->jobs);
	hfds_free(s->capjobs);
	hfds_free(s->groups);
}

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
		HFDS_TRY(pqw_emit(w, c->dict_out.data, c->dict_out.len, err));
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
		HFDS_TRY(pqw_emit(w, pqw_page_bytes(pg), pqw_page_size(pg), err));
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

/* Room in the direct-mapped dictionary of leaf i for a row group of n values: `sent` holds
 * at most min(n, domain) entries, grown as row groups need; the 256-slot map of 8-bit
 * leaves comes with the first value. Memory follows the data, not the domain. */
static int small_dict_room(rg_slot *s, int i, const pqw_leaf *leaf, size_t n, hfds_error *err)
{
	size_t slots = pqw_small_dict_slots(leaf), need = n < slots ? n : slots;
	if (n == 0)
		return 0;
	if (pqw_small_dict_mapped(leaf) && !s->smaps[i]) {
		if (!(s->smaps[i] = hfds_malloc(slots * sizeof(uint32_t))))
			return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
		memset(s->smaps[i], 0xff, slots * sizeof(uint32_t));
		need = slots;
	}
	if (need > s->sent_caps[i]) {
		int32_t *g = hfds_reallocarray(s->sents[i], need, sizeof(int32_t));
		if (!g)
			return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
		s->sents[i] = g;
		s->sent_caps[i] = need;
	}
	return 0;
}

/* Submits the jobs that encode slot s's row group; they run on the pool. */
static int start_row_group(hfds_pq_writer *w, rg_slot *s, hfds_error *err)
{
	int rc = 0;
	int nl = w->schema->nleaves;
	for (int i = 0; i < nl; i++) {
		const pqw_leaf *leaf = &w->schema->leaves[i];
		if (w->colopts[i].dictionary && pqw_small_dict(leaf))
			HFDS_TRY(small_dict_room(s, i, leaf, (size_t)s->cbs[i].nvalues, err));
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
int pqw_end_row_group(hfds_pq_writer *w, hfds_error *err)
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
int pqw_drain(hfds_pq_writer *w, hfds_error *err)
{
	int rc = 0;
	HFDS_TRY(pqw_end_row_group(w, err));
	for (int k = 0; k < 2; k++) /* at most one is still encoding after end_row_group */
		if (w->slots[k].encoding)
			HFDS_TRY(finish_row_group(w, &w->slots[k], err));
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
int pqw_return_batch(hfds_pq_writer *w, hfds_error *err)
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

void pqw_wait_jobs(hfds_pq_writer *w)
{
	for (int k = 0; k < 2 && w->schema; k++)
		for (int i = 0; w->slots[k].groups && i < w->schema->nleaves; i++)
			if (w->slots[k].groups[i]) /* NULL: the slot's set-up failed before it */
				hfds_taskgroup_wait(w->slots[k].groups[i]);
}
