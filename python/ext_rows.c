/*
 * Dict rows -> one Arrow record batch, natively: hfds._hfds.rows_batch(rows, schema) walks
 * each row's values along the features' storage schema and appends them to the library's
 * Arrow builder, so no row goes through JSON (which has no dates, datetimes or bytes).
 *
 * Conversions follow what pyarrow does for datasets' Dataset.from_list: int / float / bool /
 * str / bytes as themselves (ints also into float columns, anything with __index__ or
 * __float__ too, so numpy scalars work), None as null, a missing key as null, sequences into
 * list columns, dicts into struct columns, datetime.date into date32 (days since
 * 1970-01-01), datetime.datetime into timestamp columns in the column's unit (an aware
 * datetime is converted to UTC, a naive one is taken as it is, a date is its midnight).
 * A value that fits none of these is a TypeError naming the row and the column.
 *
 * The Limited API has no datetime C API: exact date/datetime objects are read from their
 * pickle state (one __reduce__ call), subclasses (pandas.Timestamp) through toordinal and
 * their attributes, and aware ones ask utcoffset (except datetime.timezone.utc).
 */
#include "ext.h"

#include <stdlib.h>
#include <string.h>

#include "hfds/arrow.h"

static PyObject *date_cls, *datetime_cls, *utc;

static int datetime_classes(void)
{
	PyObject *mod, *tz;
	if (utc)
		return 0;
	if (!(mod = PyImport_ImportModule("datetime")))
		return -1;
	date_cls = PyObject_GetAttrString(mod, "date");
	datetime_cls = PyObject_GetAttrString(mod, "datetime");
	tz = PyObject_GetAttrString(mod, "timezone");
	utc = tz ? PyObject_GetAttrString(tz, "utc") : NULL;
	Py_XDECREF(tz);
	Py_DECREF(mod);
	return date_cls && datetime_cls && utc ? 0 : -1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/* Where a failing value sits, for messages: "row 12, column 'a.b'". */
typedef struct {
	Py_ssize_t row;
	char path[256];
} place;

static void place_push(place *p, const char *name, size_t *saved)
{
	size_t n = strlen(p->path);
	*saved = n;
	snprintf(p->path + n, sizeof(p->path) - n, "%s%s", n ? "." : "", name ? name : "");
}

/* type(v).__name__ (new reference; NULL only with an exception set). */
static PyObject *type_name(PyObject *v)
{
	return PyObject_GetAttrString((PyObject *)Py_TYPE(v), "__name__");
}

static int type_error(const place *p, const char *expected, PyObject *v)
{
	PyObject *name = type_name(v);
	if (name) {
		PyErr_Format(PyExc_TypeError, "row %zd, column '%s': expected %s, got %U", p->row, p->path, expected,
			name);
		Py_DECREF(name);
	}
	return -1;
}

/* The builder's message (range, nesting), as the hfds exception of its code. */
static int builder_error(const place *p, int rc, hfds_error *err)
{
	hfds_error e2;
	hfds_error_init(&e2);
	hfds_error_set(&e2, rc, "row %zd, column '%s': %s", p->row, p->path, err->message);
	ext_raise(rc, &e2);
	return -1;
}

/* 0 with *out, 1 / -1 when v is above / below the int64 range, -2 with an exception. */
static int long_value(PyObject *v, long long *out)
{
	int overflow = 0;
	*out = PyLong_AsLongLongAndOverflow(v, &overflow);
	if (*out == -1 && PyErr_Occurred())
		return -2;
	return overflow;
}

/* The UTC offset of an aware datetime in microseconds (0 for naive). */
static int utc_offset(PyObject *v, long long *us)
{
	PyObject *r = PyObject_CallMethod(v, "utcoffset", NULL), *secs;
	double sec;
	*us = 0;
	if (!r)
		return -1;
	if (r == Py_None) {
		Py_DECREF(r);
		return 0;
	}
	secs = PyObject_CallMethod(r, "total_seconds", NULL);
	Py_DECREF(r);
	if (!secs)
		return -1;
	sec = PyFloat_AsDouble(secs);
	Py_DECREF(secs);
	*us = (long long)(sec * 1e6 + (sec < 0 ? -0.5 : 0.5));
	return 0;
}

/* Fast path for exact date and datetime objects: their pickle state (what __reduce__ gives)
 * holds the fields as bytes (year as 2 bytes, month, day, [hour, minute, second,
 * microsecond as 3 bytes]), one call instead of one per field. 1 when not applicable. */
static int epoch_micros_fast(PyObject *v, long long *out)
{
	PyObject *r, *args, *state;
	const unsigned char *b;
	char *raw;
	Py_ssize_t len;
	int is_dt = Py_TYPE(v) == (PyTypeObject *)datetime_cls, rc = 0;
	long long us = 0;
	if (!is_dt && Py_TYPE(v) != (PyTypeObject *)date_cls)
		return 1;
	if (!(r = PyObject_CallMethod(v, "__reduce__", NULL)))
		return -1;
	args = PyTuple_Check(r) && PyTuple_Size(r) >= 2 ? PyTuple_GetItem(r, 1) : NULL;
	state = args && PyTuple_Check(args) && PyTuple_Size(args) >= 1 ? PyTuple_GetItem(args, 0) : NULL;
	if (!state || !PyBytes_Check(state) || PyBytes_AsStringAndSize(state, &raw, &len) < 0 ||
		len != (is_dt ? 10 : 4)) {
		PyErr_Clear();
		Py_DECREF(r);
		return 1;
	}
	b = (const unsigned char *)raw;
	if (is_dt) {
		us = ((long long)b[4] * 3600 + b[5] * 60 + b[6]) * 1000000LL + ((long long)b[7] << 16 | b[8] << 8 | b[9]);
		if (PyTuple_Size(args) > 1 && PyTuple_GetItem(args, 1) != utc) {
			long long off;
			rc = utc_offset(v, &off);
			us -= off;
		}
	}
	*out = days_from_civil((long long)b[0] << 8 | b[1], b[2] & 0x7f, b[3]) * 86400000000LL + us;
	Py_DECREF(r);
	return rc;
}

/* Microseconds since the epoch of a date or datetime (UTC when aware). */
static int epoch_micros(PyObject *v, long long *out)
{
	static const char *const parts[] = {"hour", "minute", "second", "microsecond"};
	static const long long scale[] = {3600000000LL, 60000000LL, 1000000LL, 1LL};
	PyObject *r;
	long long days, us = 0, x, off;
	size_t i;
	int rc = epoch_micros_fast(v, out);
	if (rc <= 0)
		return rc;
	if (!(r = PyObject_CallMethod(v, "toordinal", NULL)))
		return -1;
	days = PyLong_AsLongLong(r);
	Py_DECREF(r);
	if (days == -1 && PyErr_Occurred())
		return -1;
	days -= 719163; /* date(1970, 1, 1).toordinal() */
	if (PyObject_IsInstance(v, datetime_cls) == 1) {
		for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
			if (!(r = PyObject_GetAttrString(v, parts[i])))
				return -1;
			x = PyLong_AsLongLong(r);
			Py_DECREF(r);
			us += x * scale[i];
		}
		if (utc_offset(v, &off) < 0)
			return -1;
		us -= off;
	}
	*out = days * 86400000000LL + us;
	return 0;
}

static int append_value(hfds_arrow_builder *b, const struct ArrowSchema *s, PyObject *v, place *p,
	hfds_error *err);

static int append_list(hfds_arrow_builder *b, const struct ArrowSchema *s, PyObject *v, place *p, hfds_error *err)
{
	PyObject *seq, *item;
	Py_ssize_t i, n;
	int rc = 0;
	if (PyUnicode_Check(v) || PyBytes_Check(v) || PyDict_Check(v))
		return type_error(p, "a list", v);
	if (!(seq = PySequence_Fast(v, "")))  {
		PyErr_Clear();
		return type_error(p, "a list", v);
	}
	if ((rc = hfds_arrow_builder_begin_list(b, err)) < 0) {
		Py_DECREF(seq);
		return builder_error(p, rc, err);
	}
	n = PySequence_Size(seq);
	for (i = 0; rc == 0 && i < n; i++) {
		item = PySequence_GetItem(seq, i);
		rc = item ? append_value(b, s->children[0], item, p, err) : -1;
		Py_XDECREF(item);
	}
	Py_DECREF(seq);
	if (rc < 0)
		return rc;
	if ((rc = hfds_arrow_builder_end_list(b, err)) < 0)
		return builder_error(p, rc, err);
	return 0;
}

/* The fields of a struct in schema order, from a dict (missing keys are null). */
static int append_fields(hfds_arrow_builder *b, const struct ArrowSchema *s, PyObject *d, place *p,
	hfds_error *err)
{
	int64_t i;
	for (i = 0; i < s->n_children; i++) {
		size_t saved;
		PyObject *item;
		int rc;
		place_push(p, s->children[i]->name, &saved);
		item = PyDict_GetItemString(d, s->children[i]->name ? s->children[i]->name : "");
		rc = append_value(b, s->children[i], item ? item : Py_None, p, err);
		if (rc < 0)
			return rc;
		p->path[saved] = '\0';
	}
	return 0;
}

static int append_scalar(hfds_arrow_builder *b, const struct ArrowSchema *s, PyObject *v, place *p,
	hfds_error *err)
{
	const char *f = s->format;
	long long ll;
	int rc = 0, ov;
	if (f[0] == 'b' && !f[1]) {
		if (!PyBool_Check(v) && !PyLong_Check(v))
			return type_error(p, "a bool", v);
		rc = hfds_arrow_builder_append_bool(b, PyObject_IsTrue(v), err);
	} else if (strchr("cCsSiIlL", f[0]) && !f[1]) {
		PyObject *idx;
		if (PyFloat_Check(v) || PyUnicode_Check(v) || !(idx = PyNumber_Index(v))) {
			PyErr_Clear();
			return type_error(p, "an int", v);
		}
		if ((ov = long_value(idx, &ll)) == -2) {
			Py_DECREF(idx);
			return -1;
		}
		if (ov > 0) {
			unsigned long long u = PyLong_AsUnsignedLongLong(idx);
			if (u == (unsigned long long)-1 && PyErr_Occurred()) {
				Py_DECREF(idx);
				PyErr_Clear();
				return type_error(p, "an int that fits 64 bits", v);
			}
			rc = hfds_arrow_builder_append_uint(b, u, err);
		} else if (ov < 0) {
			Py_DECREF(idx);
			return type_error(p, "an int that fits 64 bits", v);
		} else {
			rc = hfds_arrow_builder_append_int(b, ll, err);
		}
		Py_DECREF(idx);
	} else if (strchr("efg", f[0]) && !f[1]) {
		double d;
		if (PyUnicode_Check(v) || PyBytes_Check(v))
			return type_error(p, "a float", v);
		d = PyFloat_AsDouble(v);
		if (d == -1.0 && PyErr_Occurred()) {
			PyErr_Clear();
			return type_error(p, "a float", v);
		}
		rc = hfds_arrow_builder_append_double(b, d, err);
	} else if (strchr("uUzZw", f[0])) {
		const char *data;
		Py_ssize_t len;
		PyObject *tmp = NULL;
		if (PyUnicode_Check(v)) {
			if (!(data = PyUnicode_AsUTF8AndSize(v, &len)))
				return -1;
		} else if (f[0] != 'u' && f[0] != 'U' && (PyBytes_Check(v) || PyByteArray_Check(v) ||
			       PyMemoryView_Check(v))) {
			if (!(tmp = PyBytes_FromObject(v)) || PyBytes_AsStringAndSize(tmp, (char **)&data, &len) < 0) {
				Py_XDECREF(tmp);
				return -1;
			}
		} else {
			return type_error(p, f[0] == 'u' || f[0] == 'U' ? "a str" : "bytes", v);
		}
		rc = hfds_arrow_builder_append_bytes(b, data, (size_t)len, err);
		Py_XDECREF(tmp);
	} else if (!strcmp(f, "tdD") || (f[0] == 't' && f[1] == 's')) {
		long long us;
		if (PyObject_IsInstance(v, date_cls) != 1)
			return type_error(p, f[1] == 'd' ? "a datetime.date" : "a datetime.datetime", v);
		if (epoch_micros(v, &us) < 0)
			return -1;
		if (f[1] == 'd') {
			ll = us / 86400000000LL - (us % 86400000000LL < 0);
		} else {
			switch (f[2]) {
			case 's': ll = us / 1000000 - (us % 1000000 < 0); break;
			case 'm': ll = us / 1000 - (us % 1000 < 0); break;
			case 'n':
				if (us > INT64_MAX / 1000 || us < INT64_MIN / 1000)
					return type_error(p, "a datetime within the nanosecond range (1677-2262)", v);
				ll = us * 1000;
				break;
			default: ll = us;
			}
		}
		rc = hfds_arrow_builder_append_int(b, ll, err);
	} else {
		PyErr_Format(PyExc_NotImplementedError, "row %zd, column '%s': Arrow type '%s' is not built from "
			"Python values", p->row, p->path, f);
		return -1;
	}
	return rc < 0 ? builder_error(p, rc, err) : 0;
}

static int append_value(hfds_arrow_builder *b, const struct ArrowSchema *s, PyObject *v, place *p,
	hfds_error *err)
{
	const char *f = s->format;
	int rc;
	if (v == Py_None) {
		if ((rc = hfds_arrow_builder_append_null(b, err)) < 0)
			return builder_error(p, rc, err);
		return 0;
	}
	if (f[0] == '+' && (f[1] == 'l' || f[1] == 'L' || f[1] == 'w'))
		return append_list(b, s, v, p, err);
	if (f[0] == '+' && f[1] == 's') {
		if (!PyDict_Check(v))
			return type_error(p, "a dict", v);
		if ((rc = hfds_arrow_builder_begin_struct(b, err)) < 0)
			return builder_error(p, rc, err);
		if ((rc = append_fields(b, s, v, p, err)) < 0)
			return rc;
		if ((rc = hfds_arrow_builder_end_struct(b, err)) < 0)
			return builder_error(p, rc, err);
		return 0;
	}
	return append_scalar(b, s, v, p, err);
}

/* rows_batch(rows, schema_capsule, first_row=0) -> "arrow_array_stream" capsule of one batch.
 * `rows`: a list of dicts; `first_row` numbers them in messages. */
PyObject *ext_rows_batch(PyObject *self, PyObject *args)
{
	PyObject *rows, *scap;
	Py_ssize_t first = 0, i, n;
	struct ArrowSchema *schema;
	struct ArrowArray batch = {0};
	struct ArrowArrayStream st = {0};
	hfds_arrow_builder *b = NULL;
	hfds_error err;
	place p;
	int rc;
	if (!PyArg_ParseTuple(args, "O!O|n", &PyList_Type, &rows, &scap, &first))
		return NULL;
	if (!(schema = ext_capsule_schema(scap)) || datetime_classes() < 0)
		return NULL;
	hfds_error_init(&err);
	if ((rc = hfds_arrow_builder_new(&b, schema, &err)) < 0)
		return ext_raise(rc, &err);
	n = PyList_Size(rows);
	for (i = 0, rc = 0; rc == 0 && i < n; i++) {
		PyObject *row = PyList_GetItem(rows, i);
		p.row = first + i;
		p.path[0] = '\0';
		if (!PyDict_Check(row)) {
			PyObject *name = type_name(row);
			if (name) {
				PyErr_Format(PyExc_TypeError, "row %zd: expected a dict, got %U", p.row, name);
				Py_DECREF(name);
			}
			rc = -1;
		} else {
			rc = append_fields(b, schema, row, &p, &err);
		}
	}
	if (rc == 0 && (rc = hfds_arrow_builder_finish(b, &batch, &err)) == 0)
		rc = hfds_arrow_stream_from_batches(&st, schema, &batch, 1, &err);
	hfds_arrow_builder_free(b);
	if (rc < 0)
		return PyErr_Occurred() ? NULL : ext_raise(rc, &err);
	return ext_stream_capsule(&st);
}
