/*
 * Record assembly: maps the Parquet schema onto an Arrow field tree (pq_anode) following
 * LogicalTypes.md's backward-compatibility rules (2-level lists, bare repeated fields,
 * MAP_KEY_VALUE), and turns decoded levels + values into Arrow arrays.
 *
 * Each Arrow node finds its instances by scanning the levels of its first leaf: slot i starts
 * an instance when rep[i] <= rep_ctx and def[i] >= def_ctx; the instance is non-null when
 * def[i] >= def. Lists count elements at slots with rep <= elem_rep and def >= elem_def.
 * Children are built the same way from their own first leaf, and their lengths must agree.
 */
#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "parquet/read/assemble.h"
#include "parquet/format/pq_format.h"
#include "util/alloc.h"
#include "util/try.h"

enum { CV_COPY, CV_BOOL, CV_N8, CV_N16, CV_INT96, CV_DEC, CV_BYTES, CV_NULL };

/* ------------------------------------------------------------------ schema mapping */

static int is_list_annot(const pq_schema_elem *e)
{
	return e->lt == PQ_LT_LIST || e->converted_type == PQ_CT_LIST;
}

static int is_map_annot(const pq_schema_elem *e)
{
	return e->lt == PQ_LT_MAP || e->converted_type == PQ_CT_MAP || e->converted_type == PQ_CT_MAP_KEY_VALUE;
}

static int is_group(const pq_meta *m, int i)
{
	return m->nodes[i].leaf < 0;
}

static int dec_params(const pq_schema_elem *e, int *prec, int *scale)
{
	if (e->lt == PQ_LT_DECIMAL) {
		*prec = e->lt_precision;
		*scale = e->lt_scale;
		return 1;
	}
	if (e->converted_type == PQ_CT_DECIMAL) {
		*prec = e->precision;
		*scale = e->scale;
		return 1;
	}
	return 0;
}

static void leaf_format(const pq_schema_elem *e, pq_anode *a)
{
	int prec, scale, ct = e->converted_type, lt = e->lt;
	const char *f = NULL;
	a->conv = CV_COPY;
	if (lt == PQ_LT_UNKNOWN) {
		a->conv = CV_NULL;
		f = "n";
	} else if (e->type != PQ_BOOLEAN && e->type != PQ_FLOAT && e->type != PQ_DOUBLE && e->type != PQ_INT96 &&
		   dec_params(e, &prec, &scale) && prec > 0 && prec <= 76 && scale >= 0 && scale <= prec) {
		a->conv = CV_DEC;
		a->dec_scale = scale;
		snprintf(a->format, sizeof a->format, prec > 38 ? "d:%d,%d,256" : "d:%d,%d", prec, scale);
		return;
	}
	if (!f) switch (e->type) {
	case PQ_BOOLEAN: f = "b"; a->conv = CV_BOOL; break;
	case PQ_INT32:
		f = "i";
		if ((lt == PQ_LT_INTEGER && e->lt_bits == 8) || ct == PQ_CT_INT_8 || ct == PQ_CT_UINT_8) {
			int u = lt == PQ_LT_INTEGER ? !e->lt_signed : ct == PQ_CT_UINT_8;
			f = u ? "C" : "c";
			a->conv = CV_N8;
		} else if ((lt == PQ_LT_INTEGER && e->lt_bits == 16) || ct == PQ_CT_INT_16 || ct == PQ_CT_UINT_16) {
			int u = lt == PQ_LT_INTEGER ? !e->lt_signed : ct == PQ_CT_UINT_16;
			f = u ? "S" : "s";
			a->conv = CV_N16;
		} else if ((lt == PQ_LT_INTEGER && !e->lt_signed) || ct == PQ_CT_UINT_32) {
			f = "I";
		} else if (lt == PQ_LT_DATE || ct == PQ_CT_DATE) {
			f = "tdD";
		} else if ((lt == PQ_LT_TIME && e->lt_unit == PQ_UNIT_MILLIS) || ct == PQ_CT_TIME_MILLIS) {
			f = "ttm";
		}
		break;
	case PQ_INT64:
		f = "l";
		if ((lt == PQ_LT_INTEGER && !e->lt_signed) || ct == PQ_CT_UINT_64) {
			f = "L";
		} else if (lt == PQ_LT_TIME) {
			f = e->lt_unit == PQ_UNIT_NANOS ? "ttn" : "ttu";
		} else if (ct == PQ_CT_TIME_MICROS) {
			f = "ttu";
		} else if (lt == PQ_LT_TIMESTAMP) {
			const char *u = e->lt_unit == PQ_UNIT_MILLIS ? "tsm" : e->lt_unit == PQ_UNIT_NANOS ? "tsn" : "tsu";
			snprintf(a->format, sizeof a->format, "%s:%s", u, e->lt_utc ? "UTC" : "");
			return;
		} else if (ct == PQ_CT_TIMESTAMP_MILLIS || ct == PQ_CT_TIMESTAMP_MICROS) {
			snprintf(a->format, sizeof a->format, "%s:UTC", ct == PQ_CT_TIMESTAMP_MILLIS ? "tsm" : "tsu");
			return;
		}
		break;
	case PQ_INT96: f = "tsn:UTC"; a->conv = CV_INT96; break;
	case PQ_FLOAT: f = "f"; break;
	case PQ_DOUBLE: f = "g"; break;
	case PQ_BYTE_ARRAY:
		a->conv = CV_BYTES;
		f = (lt == PQ_LT_STRING || lt == PQ_LT_ENUM || lt == PQ_LT_JSON || ct == PQ_CT_UTF8 || ct == PQ_CT_ENUM ||
		     ct == PQ_CT_JSON) ? "u" : "z";
		break;
	case PQ_FIXED_LEN_BYTE_ARRAY:
		if (lt == PQ_LT_FLOAT16 && e->type_length == 2) {
			f = "e";
		} else {
			snprintf(a->format, sizeof a->format, "w:%d", e->type_length);
			return;
		}
		break;
	default: f = "n"; a->conv = CV_NULL; break;
	}
	snprintf(a->format, sizeof a->format, "%s", f);
}

static int leaf_range(const pq_meta *m, int node, int *first, int *last)
{
	int i;
	*first = -1;
	for (i = node; i < m->nschema; i++) {
		int j = i;
		while (j > node)
			j = m->nodes[j].parent;
		if (j != node && i != node)
			break;
		if (m->nodes[i].leaf >= 0) {
			if (*first < 0)
				*first = m->nodes[i].leaf;
			*last = m->nodes[i].leaf;
		}
	}
	return *first >= 0 ? 0 : -1;
}

static pq_anode *anode_new(const pq_meta *m, int node, int kind, int nchildren)
{
	pq_anode *a = hfds_calloc(1, sizeof *a);
	if (!a)
		return NULL;
	if (nchildren && !(a->children = hfds_calloc((size_t)nchildren, sizeof *a->children))) {
		hfds_free(a);
		return NULL;
	}
	a->nchildren = nchildren;
	a->kind = kind;
	a->node = node;
	a->name = m->schema[node].name;
	if (leaf_range(m, node, &a->leaf, &a->last_leaf) < 0)
		a->leaf = a->last_leaf = m->nodes[node].leaf;
	return a;
}

static int convert(const pq_meta *m, int node, int as_element, int16_t rep_ctx, int16_t def_ctx, pq_anode **out,
		   int depth, hfds_error *err);

/* List/map wrapper around repeated node `rnode`, whose element is built by `elem`. */
static int make_list(const pq_meta *m, int node, int nullable, int16_t def, int rnode, int elem_node,
		     int elem_as_element, int16_t rep_ctx, int16_t def_ctx, pq_anode **out, int depth, hfds_error *err)
{
	pq_anode *a = anode_new(m, node, PQ_AN_LIST, 1);
	int rc;
	if (!a)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	a->nullable = nullable;
	a->def = def;
	a->rep_ctx = rep_ctx;
	a->def_ctx = def_ctx;
	a->elem_def = m->nodes[rnode].def;
	a->elem_rep = m->nodes[rnode].rep;
	snprintf(a->format, sizeof a->format, "+l");
	rc = convert(m, elem_node, elem_as_element, a->elem_rep, a->elem_def, &a->children[0], depth + 1, err);
	if (rc < 0) {
		pq_anode_free(a);
		return rc;
	}
	*out = a;
	return 0;
}

static int convert(const pq_meta *m, int node, int as_element, int16_t rep_ctx, int16_t def_ctx, pq_anode **out,
		   int depth, hfds_error *err)
{
	const pq_node *nd = &m->nodes[node];
	const pq_schema_elem *e = nd->el;
	pq_anode *a = NULL;
	int i, rc = 0;
	*out = NULL;
	if (depth > 200)
		return hfds_error_set(err, HFDS_ELIMIT, "footer: schema nested too deeply");
	/* A repeated field outside a LIST/MAP annotation: required list of required elements. */
	if (e->repetition == PQ_REPEATED && !as_element)
		return make_list(m, node, 0, def_ctx, node, node, 1, rep_ctx, def_ctx, out, depth, err);
	if (is_group(m, node) && is_list_annot(e) && nd->nchildren == 1 &&
	    m->schema[nd->children[0]].repetition == PQ_REPEATED) {
		int r = nd->children[0], elem;
		const pq_node *rn = &m->nodes[r];
		const pq_schema_elem *re = rn->el;
		char tuple[300];
		snprintf(tuple, sizeof tuple, "%s_tuple", e->name);
		if (!is_group(m, r) || rn->nchildren > 1 || !strcmp(re->name, "array") || !strcmp(re->name, tuple))
			elem = r; /* 2-level: the repeated node is the element */
		else
			elem = rn->children[0];
		return make_list(m, node, e->repetition == PQ_OPTIONAL, nd->def, r, elem, 1, rep_ctx, def_ctx, out,
				 depth, err);
	}
	if (is_group(m, node) && is_map_annot(e) && nd->nchildren == 1 && is_group(m, nd->children[0]) &&
	    m->schema[nd->children[0]].repetition == PQ_REPEATED) {
		int r = nd->children[0];
		const pq_node *rn = &m->nodes[r];
		if (rn->nchildren == 2) {
			pq_anode *ent;
			a = anode_new(m, node, PQ_AN_MAP, 1);
			if (!a)
				return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
			a->nullable = e->repetition == PQ_OPTIONAL;
			a->def = nd->def;
			a->rep_ctx = rep_ctx;
			a->def_ctx = def_ctx;
			a->elem_def = rn->def;
			a->elem_rep = rn->rep;
			snprintf(a->format, sizeof a->format, "+m");
			ent = a->children[0] = anode_new(m, r, PQ_AN_STRUCT, 2);
			if (!ent) {
				rc = hfds_error_set(err, HFDS_ENOMEM, "out of memory");
				goto done;
			}
			ent->name = "entries";
			ent->def = rn->def;
			ent->rep_ctx = rn->rep;
			ent->def_ctx = rn->def;
			snprintf(ent->format, sizeof ent->format, "+s");
			for (i = 0; i < 2; i++) {
				HFDS_TRY(convert(m, rn->children[i], 0, rn->rep, rn->def, &ent->children[i], depth + 1, err));
				ent->children[i]->name = i == 0 ? "key" : "value";
			}
			*out = a;
			return 0;
		}
		/* a map without values reads as a list of its keys */
		return make_list(m, node, e->repetition == PQ_OPTIONAL, nd->def, r, rn->children[0], 1, rep_ctx, def_ctx,
				 out, depth, err);
	}
	if (is_group(m, node)) {
		a = anode_new(m, node, PQ_AN_STRUCT, nd->nchildren);
		if (!a)
			return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
		a->nullable = e->repetition == PQ_OPTIONAL;
		a->def = nd->def;
		a->rep_ctx = rep_ctx;
		a->def_ctx = def_ctx;
		snprintf(a->format, sizeof a->format, "+s");
		for (i = 0; i < nd->nchildren; i++)
			HFDS_TRY(convert(m, nd->children[i], 0, rep_ctx, def_ctx, &a->children[i], depth + 1, err));
		*out = a;
		return 0;
	}
	a = anode_new(m, node, PQ_AN_LEAF, 0);
	if (!a)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	a->nullable = e->repetition == PQ_OPTIONAL;
	a->def = nd->def;
	a->rep_ctx = rep_ctx;
	a->def_ctx = def_ctx;
	leaf_format(e, a);
	*out = a;
	return 0;
done:
	pq_anode_free(a);
	return rc;
}

/* Leaves whose Arrow type is 8/16 bits wide get their INT32 values narrowed while decoding. */
static void mark_narrow(const pq_anode *a, unsigned char *narrow, int nleaves)
{
	int i;
	if (a->kind == PQ_AN_LEAF && a->leaf >= 0 && a->leaf < nleaves)
		narrow[a->leaf] = a->conv == CV_N8 ? 1 : a->conv == CV_N16 ? 2 : 0;
	for (i = 0; i < a->nchildren; i++)
		mark_narrow(a->children[i], narrow, nleaves);
}

int pq_anode_build(hfds_pq_reader *r, hfds_error *err)
{
	pq_anode *root;
	int rc = 0, i;
	const pq_meta *m = r->meta;
	if (r->root)
		return 0;
	root = anode_new(m, 0, PQ_AN_STRUCT, m->nodes[0].nchildren);
	if (!root)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	root->name = "";
	snprintf(root->format, sizeof root->format, "+s");
	for (i = 0; i < m->nodes[0].nchildren; i++)
		HFDS_TRY(convert(m, m->nodes[0].children[i], 0, 0, 0, &root->children[i], 0, err));
	if (!(r->leaf_narrow = hfds_calloc((size_t)m->nleaves + 1, 1)))
		HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
	mark_narrow(root, r->leaf_narrow, m->nleaves);
	r->root = root;
	root = NULL;
done:
	pq_anode_free(root);
	return rc;
}

void pq_anode_free(pq_anode *a)
{
	int i;
	if (!a)
		return;
	for (i = 0; i < a->nchildren; i++)
		pq_anode_free(a->children[i]);
	hfds_free(a->children);
	hfds_free(a);
}

/* ------------------------------------------------------------------ ArrowSchema */

typedef struct spriv {
	char *format, *name;
	struct ArrowSchema *kids;
	struct ArrowSchema **kidp;
	int64_t nkids;
} spriv;

static void schema_release(struct ArrowSchema *s)
{
	spriv *p = s->private_data;
	int64_t i;
	if (!s->release)
		return;
	for (i = 0; p && i < p->nkids; i++)
		if (p->kids[i].release)
			p->kids[i].release(&p->kids[i]);
	if (p) {
		hfds_free(p->format);
		hfds_free(p->name);
		hfds_free(p->kids);
		hfds_free(p->kidp);
		hfds_free(p);
	}
	s->release = NULL;
}

int pq_anode_schema(const pq_anode *a, struct ArrowSchema *out, hfds_error *err)
{
	spriv *p = hfds_calloc(1, sizeof *p);
	int i, rc = 0;
	memset(out, 0, sizeof *out);
	if (!p)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	out->private_data = p;
	out->release = schema_release;
	p->format = hfds_strdup(a->format);
	p->name = hfds_strdup(a->name ? a->name : "");
	if (a->nchildren) {
		p->kids = hfds_calloc((size_t)a->nchildren, sizeof *p->kids);
		p->kidp = hfds_calloc((size_t)a->nchildren, sizeof *p->kidp);
	}
	if (!p->format || !p->name || (a->nchildren && (!p->kids || !p->kidp)))
		HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
	out->format = p->format;
	out->name = p->name;
	out->flags = a->nullable ? ARROW_FLAG_NULLABLE : 0;
	for (i = 0; i < a->nchildren; i++) {
		p->kidp[i] = &p->kids[i];
		p->nkids = i + 1;
		HFDS_TRY(pq_anode_schema(a->children[i], &p->kids[i], err));
	}
	out->n_children = a->nchildren;
	out->children = p->kidp;
done:
	if (rc < 0)
		schema_release(out);
	return rc;
}

/* ------------------------------------------------------------------ arrays */

typedef struct apriv {
	void *buf[3];
	const void *bufp[3];
	size_t cap[3];      /* > 0: buf[i] goes back to pool on release */
	pq_bufpool *pool;   /* referenced while set */
	struct ArrowArray *kids;
	struct ArrowArray **kidp;
	int64_t nkids;
} apriv;

static void array_release(struct ArrowArray *a)
{
	apriv *p = a->private_data;
	int64_t i;
	if (!a->release)
		return;
	if (p) {
		for (i = 0; i < p->nkids; i++)
			if (p->kids[i].release)
				p->kids[i].release(&p->kids[i]);
		for (i = 0; i < 3; i++)
			if (p->pool && p->cap[i])
				pq_bufpool_put(p->pool, p->buf[i], p->cap[i]);
			else
				hfds_free(p->buf[i]);
		pq_bufpool_unref(p->pool, 0);
		hfds_free(p->kids);
		hfds_free(p->kidp);
		hfds_free(p);
	}
	a->release = NULL;
}

static int array_init(struct ArrowArray *out, int64_t len, int nbuf, int nkids, hfds_error *err)
{
	apriv *p = hfds_calloc(1, sizeof *p);
	int i;
	memset(out, 0, sizeof *out);
	if (!p)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	out->private_data = p;
	out->release = array_release;
	out->length = len;
	out->n_buffers = nbuf;
	out->buffers = p->bufp;
	if (nkids) {
		p->kids = hfds_calloc((size_t)nkids, sizeof *p->kids);
		p->kidp = hfds_calloc((size_t)nkids, sizeof *p->kidp);
		if (!p->kids || !p->kidp)
			return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
		for (i = 0; i < nkids; i++)
			p->kidp[i] = &p->kids[i];
	}
	out->n_children = nkids;
	out->children = p->kidp;
	return 0;
}

static void *array_buf(struct ArrowArray *a, int i, void *mem)
{
	apriv *p = a->private_data;
	p->buf[i] = mem;
	p->bufp[i] = mem;
	return mem;
}

static void *array_alloc(struct ArrowArray *a, int i, size_t bytes)
{
	return array_buf(a, i, hfds_calloc(bytes ? bytes : 1, 1));
}

/* Buffer i becomes `mem` (cap bytes) that returns to `pool` when the array is released. */
static void *array_pooled(struct ArrowArray *a, int i, void *mem, size_t cap, pq_bufpool *pool)
{
	apriv *p = a->private_data;
	if (mem && pool && cap) {
		if (!p->pool) {
			pq_bufpool_ref(pool);
			p->pool = pool;
		}
		p->cap[i] = cap;
	}
	return array_buf(a, i, mem);
}

/* A buffer of `bytes` that the caller overwrites completely: recycled when possible. */
static void *array_take(struct ArrowArray *a, int i, size_t bytes, pq_bufpool *pool)
{
	size_t cap = 0;
	void *mem = pq_bufpool_get(pool, bytes, &cap);
	if (mem && cap < bytes) {
		pq_bufpool_put(pool, mem, cap);
		mem = NULL;
	}
	if (!mem) {
		cap = bytes ? bytes : 1;
		mem = hfds_malloc(cap);
	}
	return array_pooled(a, i, mem, cap, pool);
}

/* Hands a decoded buffer to the array (zero copy). */
static void *array_detach(struct ArrowArray *a, int i, hfds_buf *b, pq_bufpool *pool)
{
	size_t cap = b->cap, len;
	return array_pooled(a, i, hfds_buf_detach(b, &len), cap, pool);
}

typedef struct levels {
	const uint16_t *def, *rep;
	size_t n;
	int max_def;
} levels;

static levels lv_of(const pq_colbuf *cb, const hfds_pq_reader *r, int leaf)
{
	levels l;
	l.def = cb->def.len ? (const uint16_t *)(const void *)cb->def.data : NULL;
	l.rep = cb->rep.len ? (const uint16_t *)(const void *)cb->rep.data : NULL;
	l.n = cb->nlevels;
	l.max_def = r->meta->leaves[leaf].max_def;
	return l;
}

#define DEF(l, i) ((l).def ? (int)(l).def[i] : (l).max_def)
#define REP(l, i) ((l).rep ? (int)(l).rep[i] : 0)

static int build(const pq_anode *a, const hfds_pq_reader *r, pq_colbuf *cbs, int base, int64_t hint,
		 struct ArrowArray *out, hfds_error *err);

/* Sign-extends a big-endian two's complement integer of n bytes into w little-endian bytes. */
static int be_to_le(const uint8_t *src, size_t n, uint8_t *dst, size_t w)
{
	size_t i;
	uint8_t fill = n && (src[0] & 0x80) ? 0xff : 0;
	if (n == 16 && w == 16) { /* the common FLBA(16) decimal: two byte swaps */
		uint64_t hi, lo;
		memcpy(&hi, src, 8);
		memcpy(&lo, src + 8, 8);
		hi = __builtin_bswap64(hi);
		lo = __builtin_bswap64(lo);
		memcpy(dst, &lo, 8);
		memcpy(dst + 8, &hi, 8);
		return 0;
	}
	if (n > w) {
		for (i = 0; i < n - w; i++)
			if (src[i] != fill)
				return -1;
		src += n - w;
		n = w;
	}
	for (i = 0; i < w; i++)
		dst[i] = i < n ? src[n - 1 - i] : fill;
	return 0;
}

static int build_leaf(const pq_anode *a, const hfds_pq_reader *r, pq_colbuf *cb, struct ArrowArray *out,
		      hfds_error *err)
{
	levels l = lv_of(cb, r, a->leaf);
	pq_values *v = &cb->vals;
	size_t i, n = 0, vi = 0, k, nulls = 0;
	uint8_t *valid = NULL;
	int rc;
	int dec256 = strstr(a->format, ",256") != NULL;
	size_t aw; /* arrow value width */
	if (!l.def) { /* no definition levels: every slot is a value */
		n = l.n;
	} else if (a->def_ctx == 0) { /* a top-level leaf: every slot is an entry */
		n = l.n;
		nulls = l.max_def > 0 ? pq_count_le16(l.def, l.n, l.max_def - 1) : 0;
	} else {
		for (i = 0; i < l.n; i++) {
			int in = l.def[i] >= a->def_ctx;
			n += (size_t)in;
			nulls += (size_t)(in & (l.def[i] < l.max_def));
		}
	}
	if (n + 1 > r->opt.max_alloc / 4)
		return hfds_error_set(err, HFDS_ELIMIT, "column %s: %zu values exceed the allocation limit",
				      r->meta->leaves[a->leaf].path, n);
	if (a->conv == CV_NULL) {
		HFDS_TRY(array_init(out, (int64_t)n, 0, 0, err));
		out->null_count = (int64_t)n;
		return 0;
	}
	HFDS_TRY(array_init(out, (int64_t)n, a->conv == CV_BYTES ? 3 : 2, 0, err));
	/* validity */
	if (n - nulls > v->count)
		HFDS_FAIL(HFDS_ECORRUPT, err, "column %s: %zu values decoded, levels need %zu", r->meta->leaves[a->leaf].path,
			  v->count, n - nulls);
	out->null_count = (int64_t)nulls;
	if (nulls) {
		if (!(valid = array_alloc(out, 0, (n + 7) / 8)))
			HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
		if (a->def_ctx == 0) { /* slot i is entry i: 8 levels make one validity byte */
			i = 0;
#ifdef __SSE2__
			{ /* 16 levels compared at once, their 16 results packed into two bytes */
				const __m128i mv = _mm_set1_epi16((short)l.max_def);
				for (; i + 16 <= l.n; i += 16) {
					__m128i e0 = _mm_cmpeq_epi16(_mm_loadu_si128((const __m128i *)(const void *)(l.def + i)), mv);
					__m128i e1 = _mm_cmpeq_epi16(_mm_loadu_si128((const __m128i *)(const void *)(l.def + i + 8)), mv);
					unsigned m = (unsigned)_mm_movemask_epi8(_mm_packs_epi16(e0, e1));
					valid[i / 8] = (uint8_t)m;
					valid[i / 8 + 1] = (uint8_t)(m >> 8);
				}
			}
#endif
			for (; i + 8 <= l.n; i += 8) {
				unsigned byte = 0, j;
				for (j = 0; j < 8; j++)
					byte |= (unsigned)(l.def[i + j] == l.max_def) << j;
				valid[i / 8] = (uint8_t)byte;
			}
			for (; i < l.n; i++)
				valid[i / 8] |= (uint8_t)((l.def[i] == l.max_def) << (i % 8));
		} else {
			for (i = 0, k = 0; i < l.n; i++) {
				int d = DEF(l, i);
				if (d < a->def_ctx)
					continue;
				if (d == l.max_def)
					valid[k / 8] |= (uint8_t)(1u << (k % 8));
				k++;
			}
		}
	}
	if (a->conv == CV_BYTES) {
		int32_t *off;
		const int32_t *src = (const int32_t *)(const void *)v->offsets.data;
		if (!nulls && n == v->count && v->offsets.len) {
			array_detach(out, 1, &v->offsets, cb->pool);
		} else {
			if (!(off = array_alloc(out, 1, (n + 1) * 4)))
				HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
			for (i = 0, k = 0, vi = 0; i < l.n; i++) {
				int d = DEF(l, i);
				if (d < a->def_ctx)
					continue;
				if (d == l.max_def)
					vi++;
				off[k + 1] = vi ? src[vi] : 0;
				k++;
			}
		}
		if (v->data.len)
			array_detach(out, 2, &v->data, cb->pool);
		else
			array_alloc(out, 2, 1);
		if (!out->buffers[1] || !out->buffers[2])
			HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
		return 0;
	}
	if (a->conv == CV_BOOL) {
		uint8_t *bits = array_alloc(out, 1, (n + 7) / 8);
		if (!bits)
			HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
		for (i = 0, k = 0, vi = 0; i < l.n; i++) {
			int d = DEF(l, i);
			if (d < a->def_ctx)
				continue;
			if (d == l.max_def && v->fixed.data[vi++])
				bits[k / 8] |= (uint8_t)(1u << (k % 8));
			k++;
		}
		return 0;
	}
	switch (a->conv) {
	case CV_N8: aw = 1; break;
	case CV_N16: aw = 2; break;
	case CV_INT96: aw = 8; break;
	case CV_DEC: aw = dec256 ? 32 : 16; break;
	default: aw = v->width; break;
	}
	if ((n + 1) > r->opt.max_alloc / (aw > 4 ? aw : 4))
		HFDS_FAIL(HFDS_ELIMIT, err, "column %s: %zu values exceed the allocation limit", r->meta->leaves[a->leaf].path, n);
	if ((a->conv == CV_COPY || ((a->conv == CV_N8 || a->conv == CV_N16) && v->width == aw)) && !nulls &&
	    n == v->count && v->fixed.len) {
		array_detach(out, 1, &v->fixed, cb->pool);
		return 0;
	}
	if ((a->conv == CV_COPY || ((a->conv == CV_N8 || a->conv == CV_N16) && v->width == aw)) && a->def_ctx == 0 &&
	    l.def && (aw == 1 || aw == 2 || aw == 4 || aw == 8)) {
		/* top-level nullable fixed-width values: spread, zeros under the nulls */
		uint8_t *dst = array_take(out, 1, n * aw, cb->pool);
		const uint8_t *src = v->fixed.data;
		if (!dst)
			HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
#define SPREAD(T) do { T *o_ = (T *)(void *)dst; for (i = 0; i < l.n; i++) { T x_ = 0; \
	if (l.def[i] == l.max_def) { memcpy(&x_, src + vi * sizeof(T), sizeof(T)); vi++; } o_[i] = x_; } } while (0)
		switch (aw) {
		case 1: SPREAD(uint8_t); break;
		case 2: SPREAD(uint16_t); break;
		case 4: SPREAD(uint32_t); break;
		default: SPREAD(uint64_t); break;
		}
#undef SPREAD
		return 0;
	}
	{
		uint8_t *dst = array_alloc(out, 1, n * aw);
		const int32_t *boff = (const int32_t *)(const void *)v->offsets.data;
		if (!dst)
			HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
		for (i = 0, k = 0, vi = 0; i < l.n; i++) {
			int d = DEF(l, i);
			uint8_t *o;
			const uint8_t *s;
			if (d < a->def_ctx)
				continue;
			o = dst + k * aw;
			k++;
			if (d != l.max_def)
				continue;
			s = v->width ? v->fixed.data + vi * v->width : NULL;
			switch (a->conv) {
			case CV_COPY: memcpy(o, s, aw); break;
			case CV_N8: *o = *s; break;
			case CV_N16: memcpy(o, s, 2); break;
			case CV_INT96: {
				uint64_t nanos;
				uint32_t jd;
				int64_t ns;
				memcpy(&nanos, s, 8);
				memcpy(&jd, s + 8, 4);
				ns = (int64_t)(((uint64_t)((int64_t)jd - 2440588) * UINT64_C(86400000000000)) + nanos);
				memcpy(o, &ns, 8);
				break;
			}
			case CV_DEC: {
				int bad;
				if (v->type == PQ_INT32 || v->type == PQ_INT64) {
					int64_t x = 0;
					if (v->type == PQ_INT32) {
						int32_t y;
						memcpy(&y, s, 4);
						x = y;
					} else {
						memcpy(&x, s, 8);
					}
					memcpy(o, &x, 8);
					memset(o + 8, x < 0 ? 0xff : 0, aw - 8);
					bad = 0;
				} else if (v->type == PQ_BYTE_ARRAY) {
					bad = be_to_le(v->data.data + boff[vi], (size_t)(boff[vi + 1] - boff[vi]), o, aw);
				} else {
					bad = be_to_le(s, v->width, o, aw);
				}
				if (bad)
					HFDS_FAIL(HFDS_ECORRUPT, err, "column %s: decimal value wider than its precision",
						  r->meta->leaves[a->leaf].path);
				break;
			}
			}
			vi++;
		}
	}
	return 0;
done:
	return rc;
}

/* Fast paths for a column without nulls (no definition levels): only the repetition levels
 * place list boundaries. Blocks of 8 slots are classified with SSE2 so that the common runs
 * (inner elements of fixed-shape lists) cost one compare per 8 slots. */
size_t pq_count_le16(const uint16_t *rep, size_t n, int t)
{
	size_t i = 0, c = 0;
#ifdef __SSE2__
	const __m128i tv = _mm_set1_epi16((short)t);
	while (i + 8 <= n) { /* per-lane counts of slots above t, summed every 4096 blocks */
		__m128i acc = _mm_setzero_si128();
		uint16_t lanes[8];
		size_t blocks = 0, above = 0;
		int j;
		for (; i + 8 <= n && blocks < 4096; i += 8, blocks++) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(rep + i));
			acc = _mm_sub_epi16(acc, _mm_cmpgt_epi16(v, tv));
		}
		_mm_storeu_si128((__m128i *)(void *)lanes, acc);
		for (j = 0; j < 8; j++)
			above += lanes[j];
		c += blocks * 8 - above;
	}
#endif
	for (; i < n; i++)
		c += rep[i] <= t;
	return c;
}

/* off[k] = number of elements (slots with rep <= elem_rep) before the k-th list start (slot
 * with rep <= rep_ctx), for at most `starts` starts (off has starts + 1 entries); returns the
 * element count, or -1 when the slots hold a different number of starts. */
static int64_t list_offsets_nodef(const uint16_t *rep, size_t n, int rep_ctx, int elem_rep, int32_t *off,
				  size_t starts)
{
	size_t i = 0, k = 0;
	int64_t elems = 0;
#ifdef __SSE2__
	const __m128i cv = _mm_set1_epi16((short)rep_ctx), ev = _mm_set1_epi16((short)elem_rep);
#endif
	while (i < n) {
#ifdef __SSE2__
		if (i + 8 <= n) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(rep + i));
			int above_elem = _mm_movemask_epi8(_mm_cmpgt_epi16(v, ev));
			if (above_elem == 0xffff) { /* no start, no element */
				i += 8;
				continue;
			}
			if (above_elem == 0 && _mm_movemask_epi8(_mm_cmpgt_epi16(v, cv)) == 0xffff) {
				elems += 8; /* 8 elements, no start */
				i += 8;
				continue;
			}
		}
#endif
		off[k] = (int32_t)elems;
		k += rep[i] <= rep_ctx;
		elems += rep[i] <= elem_rep;
		i++;
		if (k > starts)
			return -1;
	}
	return k == starts ? elems : -1;
}

/* hint: the number of instances the parent expects (-1: unknown); a null-free node takes it
 * instead of counting, and every list checks it against its own levels. */
static int build(const pq_anode *a, const hfds_pq_reader *r, pq_colbuf *cbs, int base, int64_t hint,
		 struct ArrowArray *out, hfds_error *err)
{
	levels l;
	size_t i, n = 0, nulls = 0, k;
	uint8_t *valid = NULL;
	int rc = 0, c;
	if (a->kind == PQ_AN_LEAF)
		return build_leaf(a, r, &cbs[a->leaf - base], out, err);
	l = lv_of(&cbs[a->leaf - base], r, a->leaf);
	if (!l.def && l.rep) { /* no nulls: every slot is present, starts depend on rep alone */
		if (l.n && l.rep[0] > a->rep_ctx)
			return hfds_error_set(err, HFDS_ECORRUPT, "column %s: list element before its list",
					      r->meta->leaves[a->leaf].path);
		n = hint >= 0 ? (size_t)hint : pq_count_le16(l.rep, l.n, a->rep_ctx);
	} else {
		for (i = 0; i < l.n; i++)
			if (REP(l, i) <= a->rep_ctx && DEF(l, i) >= a->def_ctx) {
				n++;
				nulls += DEF(l, i) < a->def;
			}
	}
	if (n + 1 > r->opt.max_alloc / 4)
		return hfds_error_set(err, HFDS_ELIMIT, "column %s: %zu entries exceed the allocation limit",
				      r->meta->leaves[a->leaf].path, n);
	if (a->kind == PQ_AN_STRUCT) {
		HFDS_TRY(array_init(out, (int64_t)n, 1, a->nchildren, err));
	} else {
		HFDS_TRY(array_init(out, (int64_t)n, 2, 1, err));
	}
	out->null_count = (int64_t)nulls;
	if (nulls) {
		if (!(valid = array_alloc(out, 0, (n + 7) / 8)))
			HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
		for (i = 0, k = 0; i < l.n; i++)
			if (REP(l, i) <= a->rep_ctx && DEF(l, i) >= a->def_ctx) {
				if (DEF(l, i) >= a->def)
					valid[k / 8] |= (uint8_t)(1u << (k % 8));
				k++;
			}
	}
	if (a->kind != PQ_AN_STRUCT) {
		int32_t *off = array_take(out, 1, (n + 1) * 4, cbs[a->leaf - base].pool);
		int64_t elems = 0;
		if (!off)
			HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
		if (!l.def && l.rep) {
			if (l.n > INT32_MAX)
				HFDS_FAIL(HFDS_ELIMIT, err, "list with more than 2^31 elements in one batch");
			elems = list_offsets_nodef(l.rep, l.n, a->rep_ctx, a->elem_rep, off, n);
			if (elems < 0)
				HFDS_FAIL(HFDS_ECORRUPT, err, "column %s: list count differs from the parent's (columns disagree)",
					  r->meta->leaves[a->leaf].path);
		} else {
			for (i = 0, k = 0; i < l.n; i++) {
				if (REP(l, i) <= a->rep_ctx && DEF(l, i) >= a->def_ctx)
					off[k++] = (int32_t)elems;
				if (REP(l, i) <= a->elem_rep && DEF(l, i) >= a->elem_def) {
					if (k == 0)
						HFDS_FAIL(HFDS_ECORRUPT, err, "column %s: list element before its list",
							  r->meta->leaves[a->leaf].path);
					if (++elems > INT32_MAX)
						HFDS_FAIL(HFDS_ELIMIT, err, "list with more than 2^31 elements in one batch");
				}
			}
		}
		off[n] = (int32_t)elems;
	}
	{
		apriv *p = out->private_data;
		for (c = 0; c < a->nchildren; c++) {
			int64_t want = a->kind == PQ_AN_STRUCT ? (int64_t)n : ((int32_t *)p->buf[1])[n];
			p->nkids = c + 1;
			HFDS_TRY(build(a->children[c], r, cbs, base, want, &p->kids[c], err));
			if (p->kids[c].length != want)
				HFDS_FAIL(HFDS_ECORRUPT, err, "column %s: %lld entries where the parent needs %lld (columns disagree)",
					  r->meta->leaves[a->children[c]->leaf].path, (long long)p->kids[c].length, (long long)want);
		}
	}
	return 0;
done:
	return rc;
}

int pq_anode_array(const pq_anode *a, const hfds_pq_reader *r, pq_colbuf *cbs, int64_t nrows,
		   struct ArrowArray *out, hfds_error *err)
{
	int rc = build(a, r, cbs, a->leaf, nrows, out, err);
	if (rc == 0 && out->length != nrows)
		rc = hfds_error_set(err, HFDS_ECORRUPT, "field %s: %lld rows, the row group has %lld", a->name,
				    (long long)out->length, (long long)nrows);
	if (rc < 0 && out->release)
		out->release(out);
	return rc;
}
