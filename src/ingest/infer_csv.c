/*
 * The header and column types of a CSV file from its first records, as pyarrow.csv and
 * DuckDB infer them: each column takes the first of bool, int64, float64, date32,
 * timestamp[us] that every non-null sampled value parses as, else string; a column with
 * only nulls in the sample is string. Values after the sample that do not fit are errors
 * with their place, not silent re-typing.
 */
#include <stdio.h>
#include <string.h>

#include "ingest/ingest_int.h"
#include "ingest/values.h"
#include "util/alloc.h"
#include "util/try.h"

enum { C_BOOL = 1, C_INT = 2, C_FLOAT = 4, C_DATE = 8, C_TS = 16, C_ALL = 31 };

static unsigned shapes(const csv_field *c)
{
	unsigned m = 0;
	if (ing_parse_bool(c->p, c->len) >= 0)
		m |= C_BOOL;
	if (ing_looks_int(c->p, c->len))
		m |= C_INT | C_FLOAT;
	else if (ing_looks_float(c->p, c->len))
		m |= C_FLOAT;
	if (ing_looks_date(c->p, c->len))
		m |= C_DATE;
	else if (ing_looks_timestamp(c->p, c->len))
		m |= C_TS;
	return m;
}

int ing_infer_csv(hfds_features **out, char ***columns, size_t *ncolumns, const char *name, const char *data,
	size_t n, const hfds_ingest_options *o, hfds_error *err)
{
	int rc = 0;
	const char *s = data, *end = data + n, *why = NULL, *at = NULL;
	csv_fields fs = {0};
	char **names = NULL;
	unsigned *cand = NULL;
	unsigned char *seen = NULL;
	size_t ncol = 0, i, rows = 0, nlen = strlen(o->null_value);
	uint64_t line = 1;
	hfds_features *f = NULL;
	*out = NULL;
	while (s < end && rows <= o->infer_rows) {
		int open;
		const char *re = csv_record_end(s, end, o->quote, &open);
		uint64_t nl = 0;
		for (const char *q = s; (q = memchr(q, '\n', (size_t)(re - q))) != NULL; q++)
			nl++;
		if (*s == '\n' || (*s == '\r' && s + 1 < end && s[1] == '\n')) {
			s = re;
			line += nl;
			continue;
		}
		if (csv_split(&fs, s, re, o->delimiter, o->quote, &why, &at) < 0) {
			uint64_t l, c;
			ing_place(s, at, &l, &c);
			HFDS_FAIL(HFDS_EPARSE, err, "%s:%llu:%llu: %s", name, (unsigned long long)(line + l - 1), (unsigned long long)c, why);
		}
		if (!names) {
			ncol = fs.n;
			names = hfds_calloc(ncol, sizeof(*names));
			cand = hfds_calloc(ncol, sizeof(*cand));
			seen = hfds_calloc(ncol, 1);
			HFDS_FAIL_IF(!names || !cand || !seen, HFDS_ENOMEM, err, "out of memory");
			for (i = 0; i < ncol; i++) {
				char tmp[32];
				cand[i] = C_ALL;
				if (o->header) {
					names[i] = hfds_strndup(fs.f[i].p, fs.f[i].len);
				} else {
					snprintf(tmp, sizeof(tmp), "column%zu", i);
					names[i] = hfds_strdup(tmp);
				}
				HFDS_FAIL_IF(!names[i], HFDS_ENOMEM, err, "out of memory");
				for (size_t j = 0; j < i; j++)
					HFDS_FAIL_IF(!strcmp(names[i], names[j]), HFDS_EPARSE, err, "%s:%llu: column name '%s' appears twice",
						name, (unsigned long long)line, names[i]);
			}
			if (o->header) {
				s = re;
				line += nl;
				continue;
			}
		}
		HFDS_FAIL_IF(fs.n != ncol, HFDS_EPARSE, err, "%s:%llu:1: expected %zu fields, found %zu", name,
			(unsigned long long)line, ncol, fs.n);
		for (i = 0; i < ncol; i++) {
			const csv_field *c = &fs.f[i];
			if (!c->quoted && c->len == nlen && !memcmp(c->p, o->null_value, nlen))
				continue;
			seen[i] = 1;
			cand[i] &= shapes(c);
		}
		rows++;
		s = re;
		line += nl;
	}
	HFDS_FAIL_IF(!names, HFDS_EPARSE, err, "%s: no header and no rows to infer features from", name);
	f = hfds_features_new();
	HFDS_FAIL_IF(!f, HFDS_ENOMEM, err, "out of memory");
	for (i = 0; i < ncol; i++) {
		unsigned m = seen[i] ? cand[i] : 0;
		hfds_feature *col = m & C_BOOL ? hfds_feature_value(HFDS_DTYPE_BOOL)
			: m & C_INT ? hfds_feature_value(HFDS_DTYPE_INT64)
			: m & C_FLOAT ? hfds_feature_value(HFDS_DTYPE_FLOAT64)
			: m & C_DATE ? hfds_feature_value(HFDS_DTYPE_DATE32)
			: m & C_TS ? hfds_feature_timestamp(HFDS_ARROW_MICRO, NULL)
			: hfds_feature_value(HFDS_DTYPE_STRING);
		HFDS_FAIL_IF(!col, HFDS_ENOMEM, err, "out of memory");
		HFDS_TRY(hfds_features_add(f, names[i], col, err));
	}
	*out = f;
	f = NULL;
	*columns = names;
	*ncolumns = ncol;
	names = NULL;
done:
	if (names)
		for (i = 0; i < ncol; i++)
			hfds_free(names[i]);
	hfds_free(names);
	hfds_free(cand);
	hfds_free(seen);
	csv_fields_release(&fs);
	hfds_features_free(f);
	return rc;
}
