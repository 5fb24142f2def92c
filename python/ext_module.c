/*
 * hfds._hfds module: exceptions, Arrow capsules, and the Features conversions (the JSON of
 * datasets' Features.to_dict() in, the canonical JSON or the Arrow storage schema out).
 * Features cross the boundary as JSON text so the Python side needs no C tree.
 */
#include "ext.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hfds/arrow.h"
#include "hfds/features.h"

/* ---- exceptions ------------------------------------------------------------------------ */

static const struct {
	int code;
	const char *name;     /* hfds.errors.<name> */
	const char *builtin;  /* extra base from builtins, or NULL */
	const char *doc;
} exc_table[] = {
	{HFDS_ERROR, "HfdsError", NULL, "Base class of every hfds error; .code is the HFDS_E* code."},
	{HFDS_ENOMEM, "OutOfMemory", "MemoryError", "An allocation failed (HFDS_ENOMEM)."},
	{HFDS_EINVAL, "InvalidArgument", "ValueError", "Invalid argument or misuse (HFDS_EINVAL)."},
	{HFDS_EIO, "IOFailure", "OSError", "An operating-system I/O call failed (HFDS_EIO)."},
	{HFDS_ECORRUPT, "CorruptInput", "ValueError", "Malformed binary input (HFDS_ECORRUPT)."},
	{HFDS_EPARSE, "ParseError", "ValueError", "Malformed text input (HFDS_EPARSE)."},
	{HFDS_ENOTFOUND, "NotFound", "LookupError", "A named thing does not exist (HFDS_ENOTFOUND)."},
	{HFDS_EEXISTS, "AlreadyExists", NULL, "A named thing already exists (HFDS_EEXISTS)."},
	{HFDS_ELIMIT, "LimitExceeded", NULL, "A configured limit would be exceeded (HFDS_ELIMIT)."},
	{HFDS_EUNSUPPORTED, "Unsupported", "NotImplementedError", "Valid input hfds does not implement (HFDS_EUNSUPPORTED)."},
	{HFDS_ECONFLICT, "Conflict", NULL, "Concurrent change or differing features (HFDS_ECONFLICT)."},
	{HFDS_ESTATE, "StateError", NULL, "Call not valid in the object's state (HFDS_ESTATE)."},
	{HFDS_EAUTH, "AuthError", "PermissionError", "Authentication or permission refused (HFDS_EAUTH)."},
	{HFDS_ENET, "NetworkError", "ConnectionError", "Network failure (HFDS_ENET)."},
	{HFDS_ECANCELLED, "Cancelled", NULL, "The operation was cancelled (HFDS_ECANCELLED)."},
};
#define EXC_COUNT (sizeof(exc_table) / sizeof(exc_table[0]))
static PyObject *exc_classes[EXC_COUNT];

int ext_errors_init(PyObject *m)
{
	size_t i;
	for (i = 0; i < EXC_COUNT; i++) {
		char qual[64];
		PyObject *bases;
		snprintf(qual, sizeof(qual), "hfds.errors.%s", exc_table[i].name);
		if (i == 0) {
			bases = PyTuple_Pack(1, PyExc_Exception);
		} else if (exc_table[i].builtin) {
			PyObject *mod = PyImport_ImportModule("builtins");
			PyObject *b = mod ? PyObject_GetAttrString(mod, exc_table[i].builtin) : NULL;
			Py_XDECREF(mod);
			if (!b)
				return -1;
			bases = PyTuple_Pack(2, exc_classes[0], b);
			Py_DECREF(b);
		} else {
			bases = PyTuple_Pack(1, exc_classes[0]);
		}
		if (!bases)
			return -1;
		exc_classes[i] = PyErr_NewExceptionWithDoc(qual, exc_table[i].doc, bases, NULL);
		Py_DECREF(bases);
		if (!exc_classes[i])
			return -1;
		Py_INCREF(exc_classes[i]);
		if (PyModule_AddObject(m, exc_table[i].name, exc_classes[i]) < 0) {
			Py_DECREF(exc_classes[i]);
			return -1;
		}
	}
	return 0;
}

PyObject *ext_raise(int code, const hfds_error *err)
{
	size_t i, k = 0;
	const char *msg = err && err->code && err->message[0] ? err->message : hfds_strerror(code);
	PyObject *inst, *v;
	if (PyErr_Occurred())
		return NULL; /* a Python error (e.g. KeyboardInterrupt) already explains it */
	for (i = 1; i < EXC_COUNT; i++)
		if (exc_table[i].code == code)
			k = i;
	inst = PyObject_CallFunction(exc_classes[k], "s", msg);
	if (!inst)
		return NULL;
	v = PyLong_FromLong(code);
	if (v) {
		PyObject_SetAttrString(inst, "code", v);
		Py_DECREF(v);
	}
	v = PyUnicode_FromString(msg);
	if (v) {
		PyObject_SetAttrString(inst, "message", v);
		Py_DECREF(v);
	}
	PyErr_SetObject(exc_classes[k], inst);
	Py_DECREF(inst);
	return NULL;
}

/* ---- capsules -------------------------------------------------------------------------- */

static void release_schema(void *p)
{
	struct ArrowSchema *s = p;
	if (s->release)
		s->release(s);
}

static void release_array(void *p)
{
	struct ArrowArray *a = p;
	if (a->release)
		a->release(a);
}

static void release_stream(void *p)
{
	struct ArrowArrayStream *st = p;
	if (st->release)
		st->release(st);
}

/* The three C Data Interface structs differ only in size and where `release` lives. */
typedef struct capsule_kind {
	const char *name;
	size_t size, release_at;
	void (*release)(void *);
} capsule_kind;

static const capsule_kind kinds[] = {
	{"arrow_schema", sizeof(struct ArrowSchema), offsetof(struct ArrowSchema, release), release_schema},
	{"arrow_array", sizeof(struct ArrowArray), offsetof(struct ArrowArray, release), release_array},
	{"arrow_array_stream", sizeof(struct ArrowArrayStream), offsetof(struct ArrowArrayStream, release),
		release_stream},
};

static void capsule_free(PyObject *cap)
{
	const char *name = PyCapsule_GetName(cap);
	size_t i;
	for (i = 0; name && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!strcmp(name, kinds[i].name)) {
			void *p = PyCapsule_GetPointer(cap, name);
			if (p) {
				kinds[i].release(p);
				free(p);
			}
		}
	}
}

/* Moves the struct at `src` into a malloc'd copy owned by a new capsule; `src` is left
 * released (its release set to NULL), also on failure, when the struct is released. */
static PyObject *capsule_move(const capsule_kind *k, void *src)
{
	void *p = malloc(k->size);
	PyObject *cap;
	if (!p) {
		k->release(src);
		return PyErr_NoMemory();
	}
	memcpy(p, src, k->size);
	memset((char *)src + k->release_at, 0, sizeof(void (*)(void)));
	cap = PyCapsule_New(p, k->name, capsule_free);
	if (!cap) {
		k->release(p);
		free(p);
	}
	return cap;
}

PyObject *ext_schema_capsule(struct ArrowSchema *s)
{
	return capsule_move(&kinds[0], s);
}

PyObject *ext_array_capsule(struct ArrowArray *a)
{
	return capsule_move(&kinds[1], a);
}

PyObject *ext_stream_capsule(struct ArrowArrayStream *st)
{
	return capsule_move(&kinds[2], st);
}

/* The struct a capsule of kind `k` holds, if it was not moved out yet. */
static void *capsule_live(PyObject *capsule, const capsule_kind *k)
{
	void *p = PyCapsule_GetPointer(capsule, k->name);
	void (*release)(void) = NULL;
	if (p)
		memcpy(&release, (char *)p + k->release_at, sizeof(release));
	if (p && !release) {
		PyErr_Format(PyExc_ValueError, "the %s capsule was already consumed", k->name);
		return NULL;
	}
	return p;
}

struct ArrowArrayStream *ext_capsule_stream(PyObject *capsule)
{
	return capsule_live(capsule, &kinds[2]);
}

struct ArrowSchema *ext_capsule_schema(PyObject *capsule)
{
	return capsule_live(capsule, &kinds[0]);
}

int ext_add_type(PyObject *m, PyType_Spec *spec, PyTypeObject **out)
{
	const char *dot = strrchr(spec->name, '.');
	*out = (PyTypeObject *)PyType_FromSpec(spec);
	if (!*out)
		return -1;
	Py_INCREF(*out);
	if (PyModule_AddObject(m, dot ? dot + 1 : spec->name, (PyObject *)*out) < 0) {
		Py_DECREF(*out);
		return -1;
	}
	return 0;
}

void ext_dealloc(PyObject *self)
{
	PyTypeObject *tp = Py_TYPE(self);
	freefunc f = (freefunc)PyType_GetSlot(tp, Py_tp_free);
	f(self);
	Py_DECREF(tp);
}

/* ---- features -------------------------------------------------------------------------- */

/* Parses a str of Features JSON. A non-str sets TypeError and gives HFDS_EINVAL, which
 * ext_raise then leaves to the Python exception. */
static int features_of(hfds_features **f, PyObject *json, hfds_error *err)
{
	Py_ssize_t len;
	const char *s;
	if (!PyUnicode_Check(json)) {
		PyErr_SetString(PyExc_TypeError, "features JSON must be str");
		return HFDS_EINVAL;
	}
	s = PyUnicode_AsUTF8AndSize(json, &len);
	if (!s)
		return HFDS_EINVAL;
	return hfds_features_parse_json(f, s, (size_t)len, err);
}

static PyObject *json_result(int rc, char *text, size_t len, const hfds_error *err)
{
	PyObject *r;
	if (rc < 0)
		return ext_raise(rc, err);
	r = PyUnicode_FromStringAndSize(text, (Py_ssize_t)len);
	hfds_free(text);
	return r;
}

/* features_normalize(json) -> the canonical JSON (datasets' json.dumps of to_dict()). */
static PyObject *features_normalize(PyObject *self, PyObject *json)
{
	hfds_error err;
	hfds_features *f = NULL;
	char *text = NULL;
	size_t len = 0;
	int rc;
	hfds_error_init(&err);
	rc = features_of(&f, json, &err);
	if (rc == 0)
		rc = hfds_features_to_json(&text, &len, f, 0, &err);
	hfds_features_free(f);
	return json_result(rc, text, len, &err);
}

/* features_schema(json) -> "arrow_schema" capsule of the storage schema (with the
 * `huggingface` metadata, so readers get the features back). */
static PyObject *features_schema(PyObject *self, PyObject *json)
{
	hfds_error err;
	hfds_features *f = NULL;
	struct ArrowSchema s = {0};
	int rc;
	hfds_error_init(&err);
	rc = features_of(&f, json, &err);
	if (rc == 0)
		rc = hfds_features_to_arrow_schema(&s, f, HFDS_FEATURES_ARROW_HF_METADATA, &err);
	hfds_features_free(f);
	if (rc < 0)
		return ext_raise(rc, &err);
	return ext_schema_capsule(&s);
}

/* features_from_schema(schema_capsule) -> JSON, as Features.from_arrow_schema finds them. */
static PyObject *features_from_schema(PyObject *self, PyObject *cap)
{
	hfds_error err;
	hfds_features *f = NULL;
	char *text = NULL;
	size_t len = 0;
	int rc;
	struct ArrowSchema *s = ext_capsule_schema(cap);
	if (!s)
		return NULL;
	hfds_error_init(&err);
	rc = hfds_features_from_arrow_schema(&f, s, &err);
	if (rc == 0)
		rc = hfds_features_to_json(&text, &len, f, 0, &err);
	hfds_features_free(f);
	return json_result(rc, text, len, &err);
}

/* Same types (formats, child counts), top-level names in the same order; names below the
 * top level (list items) and metadata are ignored as the writer ignores them. */
static int schema_same(const struct ArrowSchema *a, const struct ArrowSchema *b, int top, char *why, size_t cap)
{
	int64_t i;
	if (strcmp(a->format, b->format) || a->n_children != b->n_children) {
		snprintf(why, cap, "'%s' is %s, expected %s", a->name ? a->name : "", a->format, b->format);
		return 0;
	}
	for (i = 0; i < a->n_children; i++) {
		const struct ArrowSchema *x = a->children[i], *y = b->children[i];
		if (top && strcmp(x->name ? x->name : "", y->name ? y->name : "")) {
			snprintf(why, cap, "column %lld is '%s', expected '%s'", (long long)i, x->name ? x->name : "",
				y->name ? y->name : "");
			return 0;
		}
		if (!schema_same(x, y, 0, why, cap))
			return 0;
	}
	return 1;
}

/* stream_matches(stream_capsule, schema_capsule) -> None when the stream's schema is the
 * target's, else a str saying the first difference. The stream is not consumed. */
static PyObject *stream_matches(PyObject *self, PyObject *args)
{
	PyObject *scap, *tcap;
	struct ArrowArrayStream *st;
	struct ArrowSchema *target, have = {0};
	char why[256];
	int rc, same;
	if (!PyArg_ParseTuple(args, "OO", &scap, &tcap))
		return NULL;
	if (!(st = ext_capsule_stream(scap)) || !(target = ext_capsule_schema(tcap)))
		return NULL;
	rc = st->get_schema(st, &have);
	if (rc) {
		const char *m = st->get_last_error(st);
		return PyErr_Format(PyExc_ValueError, "the Arrow stream has no schema: %s", m ? m : "error");
	}
	same = schema_same(&have, target, 1, why, sizeof(why));
	have.release(&have);
	if (same)
		Py_RETURN_NONE;
	return PyUnicode_FromString(why);
}

/* stream_schema(stream_capsule) -> arrow_schema capsule (the stream is not consumed). */
static PyObject *stream_schema(PyObject *self, PyObject *scap)
{
	struct ArrowArrayStream *st = ext_capsule_stream(scap);
	struct ArrowSchema s = {0};
	if (!st)
		return NULL;
	if (st->get_schema(st, &s)) {
		const char *m = st->get_last_error(st);
		return PyErr_Format(PyExc_ValueError, "the Arrow stream has no schema: %s", m ? m : "error");
	}
	return ext_schema_capsule(&s);
}

static PyMethodDef methods[] = {
	{"stream_schema", stream_schema, METH_O, "Schema capsule of a stream capsule."},
	{"features_normalize", features_normalize, METH_O, "Canonical Features JSON."},
	{"features_schema", features_schema, METH_O, "Arrow storage schema capsule of Features JSON."},
	{"features_from_schema", features_from_schema, METH_O, "Features JSON of an Arrow schema capsule."},
	{"stream_matches", stream_matches, METH_VARARGS, "None if a stream has the target schema."},
	{"read_parquet", (PyCFunction)(void (*)(void))ext_read_parquet, METH_VARARGS | METH_KEYWORDS,
		"Stream of a Parquet file's row groups."},
	{"rows_batch", ext_rows_batch, METH_VARARGS, "Stream capsule of one batch made from a list of dict rows."},
	{"chess_sample", (PyCFunction)(void (*)(void))ext_chess_sample, METH_VARARGS | METH_KEYWORDS,
		"Chesspos rows sampled from PGN sources."},
	{NULL, NULL, 0, NULL}
};

static struct PyModuleDef moddef = {
	PyModuleDef_HEAD_INIT, "hfds._hfds", "C core of hfds (see the hfds package).", -1, methods,
	NULL, NULL, NULL, NULL
};

PyMODINIT_FUNC PyInit__hfds(void);
PyMODINIT_FUNC PyInit__hfds(void)
{
	PyObject *m = PyModule_Create(&moddef);
	if (!m)
		return NULL;
	if (ext_errors_init(m) < 0 || ext_stream_type_init(m) < 0 || ext_writer_type_init(m) < 0 || ext_hub_type_init(m) < 0 ||
		PyModule_AddStringConstant(m, "version", hfds_version()) < 0) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
