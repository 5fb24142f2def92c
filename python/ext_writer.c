/*
 * hfds._hfds.Writer: hfds_ds (dataset writer) for Python. `write` pulls every batch of an
 * Arrow stream capsule into one (config, split) with the GIL released; between batches it
 * takes the GIL back only to check for signals, so Ctrl-C raises KeyboardInterrupt after
 * the batch in progress and `close` then removes the unfinished shards (hfds_ds_free):
 * nothing half-written is left in the folder.
 */
#include "ext.h"

#include <stdlib.h>
#include <string.h>

#include "hfds/arrow.h"
#include "hfds/dataset.h"

typedef struct {
	PyObject_HEAD
	hfds_ds *ds;
	ext_watch watch;  /* the progress callable the library's events go to */
} writer_obj;

static PyTypeObject *writer_type;

static int writer_live(writer_obj *w)
{
	if (w->ds)
		return 1;
	ext_raise(HFDS_ESTATE, &(hfds_error){HFDS_ESTATE, "the writer is closed"});
	return 0;
}

/* Writer(folder, features_json, max_shard_size="500MB", append=False, set_default=False,
 *        threads=0, replace_features=False, replace_config=-1, progress=None)
 * progress: callable(what, done, total) for the library's events ("shard", "commit", ...)
 * and ("rows", rows written to the split so far, 0) after each batch. */
static PyObject *writer_new(PyTypeObject *tp, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"folder", "features", "max_shard_size", "append", "set_default", "threads",
		"replace_features", "replace_config", "progress", NULL};
	PyObject *progress = Py_None;
	const char *folder, *json, *size = "500MB";
	Py_ssize_t jlen;
	int append = 0, set_default = 0, threads = 0, replace = 0, replace_config = -1, rc;
	hfds_ds_options o;
	hfds_features *f = NULL;
	hfds_error err;
	writer_obj *w;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "ss#|sppipiO", kwlist, &folder, &json, &jlen, &size, &append,
		    &set_default, &threads, &replace, &replace_config, &progress))
		return NULL;
	if (progress != Py_None && !PyCallable_Check(progress))
		return PyErr_Format(PyExc_TypeError, "progress must be callable or None");
	hfds_error_init(&err);
	hfds_ds_options_init(&o);
	o.layout = append ? HFDS_DS_LAYOUT_APPEND : HFDS_DS_LAYOUT_SHARDS;
	o.set_default = set_default;
	o.threads = threads;
	o.replace_features = replace;
	o.replace_config = replace_config;
	rc = hfds_ds_parse_size(size, &o.max_shard_size, &err);
	if (rc == 0)
		rc = hfds_features_parse_json(&f, json, (size_t)jlen, &err);
	w = rc == 0 ? (writer_obj *)PyType_GenericNew(tp, NULL, NULL) : NULL;
	if (rc == 0 && !w) {
		hfds_features_free(f);
		return NULL;
	}
	if (rc == 0) {
		ext_watch_init(&w->watch, progress);
		if (w->watch.progress) {
			o.progress = ext_ds_progress;
			o.progress_payload = &w->watch;
		}
		Py_BEGIN_ALLOW_THREADS
		rc = hfds_ds_open(&w->ds, folder, f, &o, &err);
		Py_END_ALLOW_THREADS
	}
	hfds_features_free(f);
	if (rc < 0) {
		Py_XDECREF(w);
		return ext_raise(rc, &err);
	}
	return (PyObject *)w;
}

static void writer_dealloc(PyObject *self)
{
	writer_obj *w = (writer_obj *)self;
	hfds_ds_free(w->ds);
	ext_watch_end(&w->watch);
	ext_dealloc(self);
}

/* set_config_features(config, features_json) */
static PyObject *writer_config_features(PyObject *self, PyObject *args)
{
	writer_obj *w = (writer_obj *)self;
	const char *config, *json;
	Py_ssize_t jlen;
	hfds_features *f = NULL;
	hfds_error err;
	int rc;
	if (!PyArg_ParseTuple(args, "ss#", &config, &json, &jlen) || !writer_live(w))
		return NULL;
	hfds_error_init(&err);
	rc = hfds_features_parse_json(&f, json, (size_t)jlen, &err);
	if (rc == 0)
		rc = hfds_ds_set_config_features(w->ds, config, f, &err);
	hfds_features_free(f);
	if (rc < 0)
		return ext_raise(rc, &err);
	Py_RETURN_NONE;
}

/* schema(config) -> arrow_schema capsule: what batches for the config must look like. */
static PyObject *writer_schema(PyObject *self, PyObject *args)
{
	writer_obj *w = (writer_obj *)self;
	const char *config;
	struct ArrowSchema s = {0};
	hfds_error err;
	int rc;
	if (!PyArg_ParseTuple(args, "s", &config) || !writer_live(w))
		return NULL;
	hfds_error_init(&err);
	rc = hfds_arrow_schema_copy(&s, hfds_ds_schema(w->ds, config), &err);
	if (rc < 0)
		return ext_raise(rc, &err);
	return ext_schema_capsule(&s);
}

/* write(config, split, stream_capsule) -> rows written. */
static PyObject *writer_write(PyObject *self, PyObject *args)
{
	writer_obj *w = (writer_obj *)self;
	const char *config, *split;
	PyObject *cap;
	struct ArrowArrayStream *st;
	hfds_error err;
	long long rows = 0;
	int rc = 0, interrupted = 0;
	if (!PyArg_ParseTuple(args, "ssO", &config, &split, &cap) || !writer_live(w))
		return NULL;
	if (!(st = ext_capsule_stream(cap)))
		return NULL;
	hfds_error_init(&err);
	rc = hfds_ds_add_split(w->ds, config, split, &err);
	while (rc == 0) {
		struct ArrowArray a = {0};
		int more = 0;
		Py_BEGIN_ALLOW_THREADS
		if (st->get_next(st, &a)) {
			const char *m = st->get_last_error(st);
			rc = hfds_error_set(&err, HFDS_EIO, "reading the input stream: %s", m ? m : "error");
			/* Ctrl-C while a Python producer (a generator behind pyarrow) ran: pyarrow
			 * turns the KeyboardInterrupt into this message, which must stay Ctrl-C */
			interrupted = m && strstr(m, "KeyboardInterrupt") != NULL;
		} else if (a.release) {
			rows += a.length;
			rc = hfds_ds_write(w->ds, config, split, &a, &err);
			a.release(&a);
			more = 1;
		}
		Py_END_ALLOW_THREADS
		if (!more)
			break;
		if (PyErr_CheckSignals() < 0)
			return NULL;
		if (rc == 0)
			ext_watch_event(&w->watch, "rows", (uint64_t)rows, 0);
	}
	if (interrupted) {
		PyErr_SetNone(PyExc_KeyboardInterrupt);
		return NULL;
	}
	if (rc < 0)
		return ext_raise(rc, &err);
	return PyLong_FromLongLong(rows);
}

static PyObject *writer_finish(PyObject *self, PyObject *unused)
{
	writer_obj *w = (writer_obj *)self;
	hfds_error err;
	int rc;
	if (!writer_live(w))
		return NULL;
	hfds_error_init(&err);
	Py_BEGIN_ALLOW_THREADS
	rc = hfds_ds_finish(w->ds, &err);
	Py_END_ALLOW_THREADS
	if (rc < 0)
		return ext_raise(rc, &err);
	Py_RETURN_NONE;
}

/* stats(config, split) -> (num_examples, num_bytes, num_files) after finish/publish. */
static PyObject *writer_stats(PyObject *self, PyObject *args)
{
	writer_obj *w = (writer_obj *)self;
	const char *config, *split;
	uint64_t ex = 0, by = 0, fi = 0;
	if (!PyArg_ParseTuple(args, "ss", &config, &split) || !writer_live(w))
		return NULL;
	hfds_ds_split_stats(w->ds, config, split, &ex, &by, &fi);
	return Py_BuildValue("(KKK)", (unsigned long long)ex, (unsigned long long)by, (unsigned long long)fi);
}

/* close(): frees the writer; shards not finished are removed. */
static PyObject *writer_close(PyObject *self, PyObject *unused)
{
	writer_obj *w = (writer_obj *)self;
	hfds_ds *ds = w->ds;
	w->ds = NULL;
	Py_BEGIN_ALLOW_THREADS
	hfds_ds_free(ds);
	Py_END_ALLOW_THREADS
	ext_watch_end(&w->watch);
	Py_RETURN_NONE;
}

hfds_ds *ext_writer_ds(PyObject *obj)
{
	if (!PyObject_TypeCheck(obj, writer_type)) {
		PyErr_SetString(PyExc_TypeError, "expected a hfds._hfds.Writer");
		return NULL;
	}
	return writer_live((writer_obj *)obj) ? ((writer_obj *)obj)->ds : NULL;
}

static PyMethodDef writer_methods[] = {
	{"set_config_features", writer_config_features, METH_VARARGS, "Features of one config (JSON)."},
	{"schema", writer_schema, METH_VARARGS, "Storage schema capsule of a config."},
	{"write", writer_write, METH_VARARGS, "Writes every batch of a stream capsule to (config, split)."},
	{"finish", writer_finish, METH_NOARGS, "Names the shards and writes README.md."},
	{"stats", writer_stats, METH_VARARGS, "(num_examples, num_bytes, num_files) of a split."},
	{"close", writer_close, METH_NOARGS, "Frees the writer (unfinished shards are removed)."},
	{NULL, NULL, 0, NULL}
};

static PyType_Slot writer_slots[] = {
	{Py_tp_new, writer_new},
	{Py_tp_dealloc, writer_dealloc},
	{Py_tp_methods, writer_methods},
	{Py_tp_doc, "Dataset writer over hfds_ds (see hfds.write_dataset)."},
	{0, NULL}
};

static PyType_Spec writer_spec = {"hfds._hfds.Writer", sizeof(writer_obj), 0, Py_TPFLAGS_DEFAULT, writer_slots};

int ext_writer_type_init(PyObject *m)
{
	return ext_add_type(m, &writer_spec, &writer_type);
}
