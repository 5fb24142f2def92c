/*
 * CSV (RFC 4180) records -> Arrow batch. Fields may be quoted; inside quotes the delimiter,
 * CR and LF are data and a doubled quote is one quote. Records end at LF or CRLF outside
 * quotes. An unquoted field equal to the null value (default: empty) is null in any column,
 * while a quoted empty field is an empty string, as DuckDB reads them. Values are converted
 * with the same checked parsers as JSON Lines, so a CSV cell that does not fit its type is
 * an error with its line and column.
 */
#include <stdio.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "ingest/ingest_int.h"
#include "ingest/values.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/try.h"
#include "util/utf8.h"

/* Rows are staged per column, STAGE_ROWS at a time, and moved into the builder by bulk
 * appends: a store per value instead of a builder call with its cursor and checks. */
#define STAGE_ROWS 4096
typedef struct csv_stage {
	int width;                   /* bytes per value; 0: strings (int64 offsets + bytes) */
	hfds_buf vals, offs, valid;  /* values or bytes, offsets from a leading 0, a byte per row */
	size_t nulls;
} csv_stage;

struct csv_parser {
	const ing_shared *sh;
	csv_stage *stage;            /* per column, NULL when a column is not staged */
	size_t staged_rows;
	hfds_arrow_builder *b;
	csv_fields fs;
	size_t null_len;
	int64_t *nlabels;            /* per column: ClassLabel names, -1 when not a ClassLabel (looked up once) */
	hfds_error berr;             /* builder errors; empty until a call fails */
	size_t last_n;               /* bytes of the last block made into a batch */
};

/* csv_record_end that also tells whether the record holds a quote (one scan, not two) */
static const char *record_end(const char *s, const char *end, char quote, int *open, int *quoted)
{
	int inq = 0;
	*open = 0;
	*quoted = 0;
	while (s < end) {
		if (!inq) {
			const char *nl = memchr(s, '\n', (size_t)(end - s));
			const char *q = memchr(s, quote, (size_t)((nl ? nl : end) - s));
			if (!q)
				return nl ? nl + 1 : end;
			inq = 1;
			*quoted = 1;
			s = q + 1;
		} else {
			const char *q = memchr(s, quote, (size_t)(end - s));
			if (!q) {
				*open = 1;
				return end;
			}
			inq = 0;
			s = q + 1;
		}
	}
	*open = inq;
	return end;
}

const char *csv_record_end(const char *s, const char *end, char quote, int *open)
{
	int quoted;
	return record_end(s, end, quote, open, &quoted);
}

void csv_fields_release(csv_fields *fs)
{
	hfds_free(fs->f);
	hfds_free(fs->scratch);
	memset(fs, 0, sizeof(*fs));
}

static inline int add_field(csv_fields *fs, const char *p, size_t len, int quoted, const char *src)
{
	if (__builtin_expect(fs->n == fs->cap, 0)) {
		size_t cap = fs->cap ? fs->cap * 2 : 16;
		csv_field *nf = hfds_reallocarray(fs->f, cap, sizeof(*nf));
		if (!nf)
			return -1;
		fs->f = nf;
		fs->cap = cap;
	}
	fs->f[fs->n].p = p;
	fs->f[fs->n].len = len;
	fs->f[fs->n].quoted = quoted;
	fs->f[fs->n].src = src;
	fs->n++;
	return 0;
}

int csv_split(csv_fields *fs, const char *rec, const char *end, char delim, char quote, const char **why,
	const char **at)
{
	const char *s = rec;
	size_t need = (size_t)(end - rec), used = 0;
	fs->n = 0;
	/* the record without its line ending */
	if (end > rec && end[-1] == '\n')
		end--;
	if (end > rec && end[-1] == '\r')
		end--;
	if (need > fs->scratch_cap) {
		char *ns = hfds_realloc(fs->scratch, need);
		if (!ns) {
			*why = "out of memory";
			*at = rec;
			return -1;
		}
		fs->scratch = ns;
		fs->scratch_cap = need;
	}
	for (;;) {
		if (s < end && *s == quote) {
			/* quoted: copy with "" -> " into scratch */
			char *o = fs->scratch + used;
			const char *start = s++;
			size_t len = 0;
			for (;;) {
				const char *q = memchr(s, quote, (size_t)(end - s));
				if (!q) {
					*why = "quote never closed";
					*at = start;
					return -1;
				}
				memcpy(o + len, s, (size_t)(q - s));
				len += (size_t)(q - s);
				if (q + 1 < end && q[1] == quote) {
					o[len++] = quote;
					s = q + 2;
					continue;
				}
				s = q + 1;
				break;
			}
			if (s < end && *s != delim) {
				*why = "unexpected text after a closing quote";
				*at = s;
				return -1;
			}
			if (add_field(fs, o, len, 1, start) < 0)
				goto nomem;
			used += len;
		} else {
			/* fields are short: a byte loop beats two memchr calls */
			const char *fe = s;
			while (fe < end && *fe != delim && *fe != quote)
				fe++;
			if (fe < end && *fe == quote) {
				*why = "quote inside an unquoted field";
				*at = fe;
				return -1;
			}
			if (add_field(fs, s, (size_t)(fe - s), 0, s) < 0)
				goto nomem;
			s = fe;
		}
		if (s >= end)
			break;
		s++; /* the delimiter */
		if (s == end) {
			if (add_field(fs, s, 0, 0, s) < 0)
				goto nomem;
			break;
		}
	}
	return (int)(fs->n > 0x7fffffff ? 0x7fffffff : fs->n);
nomem:
	*why = "out of memory";
	*at = rec;
	return -1;
}

/* Bits of the bytes of s[0..16) equal to the delimiter, LF or the quote. */
static inline uint32_t stop_bits(const char *s, char delim, char quote)
{
#if defined(__SSE2__)
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
	__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(delim)), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
		_mm_cmpeq_epi8(v, _mm_set1_epi8(quote)));
	return (uint32_t)_mm_movemask_epi8(m);
#else
	uint32_t m = 0;
	for (int i = 0; i < 16; i++)
		m |= (uint32_t)(s[i] == delim || s[i] == '\n' || s[i] == quote) << i;
	return m;
#endif
}

/*
 * The common record, without quotes, split in one pass: the delimiters, LF and quotes of 16
 * bytes at a time are found by one compare each (SSE2, a byte loop elsewhere) and only
 * those bytes are visited. Fields are spans into the record, as csv_split makes them (a CR
 * before the LF is not part of the last field). Returns the end of the record (past its
 * LF, or end), or NULL when a quote comes before the LF: csv_split then reads the record.
 */
static const char *split_plain(csv_fields *fs, const char *s, const char *end, char delim, char quote)
{
	const char *f = s, *base;
	fs->n = 0;
	for (;;) {
		uint32_t m;
		base = s;
		if (end - s >= 16) {
			m = stop_bits(s, delim, quote);
			s += 16;
		} else {
			m = 0;
			for (int i = 0; i < (int)(end - s); i++)
				m |= (uint32_t)(s[i] == delim || s[i] == '\n' || s[i] == quote) << i;
			s = end;
		}
		while (m) {
			const char *c = base + __builtin_ctz(m), *fe;
			m &= m - 1;
			if (*c == quote)
				return NULL;
			if (*c == delim) {
				if (add_field(fs, f, (size_t)(c - f), 0, f) < 0)
					return NULL;
				f = c + 1;
				continue;
			}
			fe = c > f && c[-1] == '\r' ? c - 1 : c;
			return add_field(fs, f, (size_t)(fe - f), 0, f) < 0 ? NULL : c + 1;
		}
		if (s == end) {
			const char *fe = end > f && end[-1] == '\r' ? end - 1 : end;
			return add_field(fs, f, (size_t)(fe - f), 0, f) < 0 ? NULL : end;
		}
	}
}

/* A cell's value, converted and checked for its column but not yet stored. */
enum { CV_NULL, CV_INT, CV_UINT, CV_DOUBLE, CV_BOOL, CV_BYTES };
typedef struct cval {
	int kind;
	int64_t i;
	uint64_t u;
	double d;
} cval;

/* 0 with *v, or 1 when the text does not fit the column (*why: the reason, or NULL). */
static int cell(const csv_parser *p, const char *fmt, int64_t nlabels, const csv_field *c, cval *v, const char **why)
{
	*why = NULL;
	if (!c->quoted && c->len == p->null_len && (c->len == 0 || !memcmp(c->p, p->sh->opt->null_value, c->len))) {
		v->kind = CV_NULL;
		return 0;
	}
	switch (fmt[0]) {
	case 'b': {
		int bv = ing_parse_bool(c->p, c->len);
		if (bv < 0)
			return 1;
		v->kind = CV_BOOL;
		v->i = bv;
		return 0;
	}
	case 'c': case 's': case 'i': case 'l': case 'C': case 'S': case 'I':
		if (ing_parse_int(c->p, c->len, &v->i, why) < 0 || !ing_int_fits(fmt[0], v->i))
			return 1;
		if (nlabels >= 0 && (v->i < -1 || v->i >= nlabels)) {
			*why = "ClassLabel index out of range";
			return 1;
		}
		v->kind = CV_INT;
		return 0;
	case 'L':
		if (ing_parse_uint(c->p, c->len, &v->u, why) < 0)
			return 1;
		v->kind = CV_UINT;
		return 0;
	case 'e': case 'f': case 'g':
		if (ing_parse_double(c->p, c->len, 1, &v->d, why) < 0)
			return 1;
		if (!ing_float_fits(fmt[0], v->d)) {
			*why = fmt[0] == 'e' ? "out of range for float16" : "out of range for float32";
			return 1;
		}
		v->kind = CV_DOUBLE;
		return 0;
	case 'u': case 'U': case 'z': case 'Z':
		v->kind = CV_BYTES;
		return 0;
	case 't':
		v->kind = CV_INT;
		if (fmt[1] == 'd') {
			int32_t days;
			if (ing_parse_date(c->p, c->len, &days, why) < 0)
				return 1;
			v->i = fmt[2] == 'D' ? days : (int64_t)days * 86400000;
		} else {
			int64_t per = fmt[2] == 's' ? 1 : fmt[2] == 'm' ? 1000 : fmt[2] == 'u' ? 1000000 : 1000000000;
			if (ing_parse_timestamp(c->p, c->len, per, &v->i, why) < 0)
				return 1;
		}
		return 0;
	default:
		*why = "this column type cannot be read from CSV";
		return 1;
	}
}

/* The row path: v appended to the builder's current column. */
static int push(csv_parser *p, const cval *v, const csv_field *c)
{
	switch (v->kind) {
	case CV_NULL: return hfds_arrow_builder_append_null(p->b, &p->berr);
	case CV_INT: return hfds_arrow_builder_append_int(p->b, v->i, &p->berr);
	case CV_UINT: return hfds_arrow_builder_append_uint(p->b, v->u, &p->berr);
	case CV_DOUBLE: return hfds_arrow_builder_append_double(p->b, v->d, &p->berr);
	case CV_BOOL: return hfds_arrow_builder_append_bool(p->b, (int)v->i, &p->berr);
	default: return hfds_arrow_builder_append_bytes(p->b, c->p, c->len, &p->berr);
	}
}

/* Bytes per staged value of a column (0: string offsets and bytes), or -1 when the column
 * is not staged (float16, times other than dates and timestamps): its parser then appends
 * row by row. */
static int stage_width(const char *fmt)
{
	switch (fmt[0]) {
	case 'b': case 'c': case 'C': return 1;
	case 's': case 'S': return 2;
	case 'i': case 'I': case 'f': return 4;
	case 'l': case 'L': case 'g': return 8;
	case 'u': case 'U': case 'z': case 'Z': return 0;
	case 't': return fmt[1] == 'd' ? (fmt[2] == 'D' ? 4 : 8) : fmt[1] == 's' ? 8 : -1;
	default: return -1;
	}
}

/* The staged path: v stored in its column's native layout (ints narrowed after their range
 * check, floats rounded as the builder rounds them). */
static int stage(csv_stage *st, const cval *v, const csv_field *c)
{
	union { int8_t i8; int16_t i16; int32_t i32; int64_t i64; uint64_t u64; float f; double d; } u;
	uint8_t valid = v->kind != CV_NULL;
	int rc;
	u.i64 = 0;
	if ((rc = hfds_buf_append(&st->valid, &valid, 1, NULL)) < 0)
		return rc;
	st->nulls += !valid;
	if (st->width == 0) {
		int64_t off;
		if (valid && (rc = hfds_buf_append(&st->vals, c->p, c->len, NULL)) < 0)
			return rc;
		off = (int64_t)st->vals.len;
		return hfds_buf_append(&st->offs, &off, 8, NULL);
	}
	if (v->kind == CV_DOUBLE) {
		if (st->width == 4)
			u.f = (float)v->d;
		else
			u.d = v->d;
	} else if (v->kind == CV_UINT) {
		u.u64 = v->u;
	} else {
		switch (st->width) {
		case 1: u.i8 = (int8_t)v->i; break;
		case 2: u.i16 = (int16_t)v->i; break;
		case 4: u.i32 = (int32_t)v->i; break;
		default: u.i64 = v->i; break;
		}
	}
	switch (st->width) {
	case 1: return hfds_buf_append(&st->vals, &u, 1, NULL);
	case 2: return hfds_buf_append(&st->vals, &u, 2, NULL);
	case 4: return hfds_buf_append(&st->vals, &u, 4, NULL);
	default: return hfds_buf_append(&st->vals, &u, 8, NULL);
	}
}

/* Moves the staged rows into the builder, a bulk append per column. */
static int flush(csv_parser *p)
{
	size_t nf = (size_t)p->sh->schema->n_children;
	int rc;
	if (p->staged_rows == 0)
		return 0;
	for (size_t i = 0; i < nf; i++) {
		csv_stage *st = &p->stage[i];
		const uint8_t *valid = st->nulls ? st->valid.data : NULL;
		if (st->width > 0)
			rc = hfds_arrow_builder_append_fixed(p->b, (int64_t)i, st->vals.data, p->staged_rows, valid, &p->berr);
		else
			rc = hfds_arrow_builder_append_binary(p->b, (int64_t)i, (const int64_t *)(const void *)st->offs.data,
				st->vals.data ? st->vals.data : (const uint8_t *)"", p->staged_rows, valid, &p->berr);
		if (rc < 0)
			return rc;
		hfds_buf_clear(&st->vals);
		hfds_buf_clear(&st->valid);
		st->offs.len = 8; /* the leading 0 */
		st->nulls = 0;
	}
	p->staged_rows = 0;
	return 0;
}

/* Staging for every column, or none when one column cannot be staged. */
static int stage_new(csv_parser *p, hfds_error *err)
{
	size_t nf = (size_t)p->sh->schema->n_children;
	int64_t zero = 0;
	for (size_t i = 0; i < nf; i++)
		if (stage_width(p->sh->schema->children[i]->format) < 0)
			return 0;
	p->stage = hfds_calloc(nf ? nf : 1, sizeof(*p->stage));
	if (!p->stage)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	for (size_t i = 0; i < nf; i++) {
		csv_stage *st = &p->stage[i];
		st->width = stage_width(p->sh->schema->children[i]->format);
		hfds_buf_init(&st->vals, 0);
		hfds_buf_init(&st->offs, 0);
		hfds_buf_init(&st->valid, 0);
		if (hfds_buf_append(&st->offs, &zero, 8, err) < 0)
			return HFDS_ENOMEM;
	}
	return 0;
}

int csv_parser_new(csv_parser **out, const ing_shared *sh, hfds_error *err)
{
	int rc = 0;
	csv_parser *p = hfds_calloc(1, sizeof(*p));
	*out = NULL;
	HFDS_FAIL_IF(!p, HFDS_ENOMEM, err, "out of memory");
	p->sh = sh;
	hfds_error_init(&p->berr);
	p->null_len = strlen(sh->opt->null_value);
	p->nlabels = hfds_calloc(sh->schema->n_children > 0 ? (size_t)sh->schema->n_children : 1, sizeof(*p->nlabels));
	HFDS_FAIL_IF(!p->nlabels, HFDS_ENOMEM, err, "out of memory");
	for (int64_t i = 0; i < sh->schema->n_children; i++) {
		const hfds_feature *f = hfds_features_at(sh->features, (size_t)i);
		p->nlabels[i] = f && hfds_feature_get_kind(f) == HFDS_FEATURE_CLASS_LABEL ? (int64_t)hfds_feature_count(f) : -1;
	}
	HFDS_TRY(hfds_arrow_builder_new(&p->b, sh->schema, err));
	HFDS_TRY(stage_new(p, err));
	*out = p;
	p = NULL;
done:
	csv_parser_free(p);
	return rc;
}

void csv_parser_free(csv_parser *p)
{
	if (!p)
		return;
	hfds_arrow_builder_free(p->b);
	hfds_free(p->nlabels);
	for (int64_t i = 0; p->stage && i < p->sh->schema->n_children; i++) {
		hfds_buf_release(&p->stage[i].vals);
		hfds_buf_release(&p->stage[i].offs);
		hfds_buf_release(&p->stage[i].valid);
	}
	hfds_free(p->stage);
	csv_fields_release(&p->fs);
	hfds_free(p);
}

/* A builder failure (out of memory, offsets past 2^31) as the block's failure. */
static int fail_builder(csv_parser *p, ing_fail *fail, int rc, uint64_t lineno)
{
	rc = ing_failf(fail, rc, lineno, 0, "%s", p->berr.message[0] ? p->berr.message : "out of memory");
	hfds_error_init(&p->berr);
	return rc;
}

int csv_parse_block(csv_parser *p, const char *block, size_t n, struct ArrowArray *out, size_t *bytes,
	uint64_t *lines, ing_fail *fail)
{
	const ing_shared *sh = p->sh;
	const char *s = block, *end = block + n;
	size_t bad_utf8 = hfds_utf8_validate(block, n), nf = (size_t)sh->schema->n_children;
	uint64_t lineno = 1;
	int rc;
	memset(out, 0, sizeof(*out));
	*bytes = 0;
	hfds_arrow_builder_reset(p->b);
	for (size_t i = 0; p->stage && i < nf; i++) { /* what a failed block left staged */
		hfds_buf_clear(&p->stage[i].vals);
		hfds_buf_clear(&p->stage[i].valid);
		p->stage[i].offs.len = 8;
		p->stage[i].nulls = 0;
	}
	p->staged_rows = 0;
	/* room for this block's values at the last block's bytes per input byte, with 5% to
	 * spare: blocks are cut at one size, so their batches are built without growing */
	if (p->last_n)
		hfds_arrow_builder_presize(p->b, (double)n / (double)p->last_n * 1.05);
	if (bad_utf8 < n) {
		uint64_t line, col;
		ing_place(block, block + bad_utf8, &line, &col);
		return ing_failf(fail, HFDS_EPARSE, line, col, "invalid UTF-8");
	}
	while (s < end) {
		int open, quoted; /* an unclosed quote is reported by csv_split with its place */
		const char *re, *why = NULL, *at = NULL;
		const char *body = s;
		uint64_t nl = 0;
		if (*s != '\n' && *s != '\r' && (re = split_plain(&p->fs, s, end, sh->opt->delimiter, sh->opt->quote)) != NULL) {
			nl = re[-1] == '\n';
			goto fields;
		}
		re = record_end(s, end, sh->opt->quote, &open, &quoted);
		if (!quoted)
			nl = re > s && re[-1] == '\n'; /* no quotes: the only newline ends the record */
		else
			for (const char *q = s; (q = memchr(q, '\n', (size_t)(re - q))) != NULL; q++)
				nl++;
		while (body < re && (*body == '\r' || *body == '\n'))
			body++;
		if (body == re) { /* blank line */
			lineno += nl;
			s = re;
			continue;
		}
		if (csv_split(&p->fs, s, re, sh->opt->delimiter, sh->opt->quote, &why, &at) < 0) {
			uint64_t line, col;
			ing_place(block, at, &line, &col);
			return ing_failf(fail, HFDS_EPARSE, line, col, "%s", why);
		}
	fields:
		if (p->fs.n != sh->csv_ncolumns)
			return ing_failf(fail, HFDS_EPARSE, lineno, 1, "expected %zu fields, found %zu", sh->csv_ncolumns, p->fs.n);
		for (size_t i = 0; i < nf; i++) {
			const csv_field *c = &p->fs.f[sh->csv_map[i]];
			const struct ArrowSchema *cs = sh->schema->children[i];
			cval v;
			rc = cell(p, cs->format, p->nlabels[i], c, &v, &why);
			if (rc == 0)
				rc = p->stage ? stage(&p->stage[i], &v, c) : push(p, &v, c);
			if (rc != 0) {
				uint64_t line, col;
				hfds_arrow_builder_abort_row(p->b);
				if (rc < 0)
					return fail_builder(p, fail, rc, lineno);
				/* the field's own place (a quoted one's opening quote): a record with
				 * embedded newlines spans lines, so its start would mislead */
				ing_place(block, c->src, &line, &col);
				return ing_failf(fail, HFDS_EINVAL, line, col, "expected %s for '%s', found \"%.*s\"%s%s%s",
					hfds_feature_get_kind(hfds_features_at(sh->features, i)) == HFDS_FEATURE_VALUE
						? hfds_feature_dtype_name(hfds_features_at(sh->features, i)) : cs->format,
					cs->name, (int)(c->len > 40 ? 40 : c->len), c->p, why ? " (" : "", why ? why : "", why ? ")" : "");
			}
		}
		if (p->stage && ++p->staged_rows == STAGE_ROWS && (rc = flush(p)) < 0)
			return fail_builder(p, fail, rc, lineno);
		lineno += nl;
		s = re;
	}
	*lines = lineno - 1;
	if (p->stage && (rc = flush(p)) < 0)
		return fail_builder(p, fail, rc, lineno);
	if (hfds_arrow_builder_rows(p->b) == 0)
		return 0;
	*bytes = hfds_arrow_builder_bytes(p->b);
	{
		hfds_error e;
		hfds_error_init(&e);
		if ((rc = hfds_arrow_builder_finish(p->b, out, &e)) < 0)
			return ing_failf(fail, rc, lineno, 0, "%s", e.message);
	}
	p->last_n = n;
	return 0;
}
