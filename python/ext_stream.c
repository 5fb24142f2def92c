/*
 * hfds._hfds.Stream and the stream behind read_parquet and load.
 *
 * A Stream owns one ArrowArrayStream. `__arrow_c_stream__` moves it into a capsule, so
 * pyarrow, polars or DuckDB read the batches straight from the C reader with no copy and no
 * Python in between; `next_batch` hands out one batch at a time (for iteration and resumable
 * reading, counting rows). The file-backed stream (`src`) reads a list of Parquet files one
 * after the other and can start `skip` rows in: whole files and row groups are skipped from
 * the footers, and the first batch's columns are sliced with their Arrow offsets, so a
 * resume reads nothing it does not return.
 *
 * Speed: the Parquet reader decodes up to SRC_THREADS row groups at once (batches still come
 * in order). Over a hub, its concurrent range reads each take one of SRC_THREADS hub
 * handles (a handle serves one thread at a time), so the column chunks of the next row
 * groups download while the current one decodes.
 */
#include "ext.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hfds/arrow.h"
#include "hfds/dataset.h"
#include "hfds/hub.h"
#include "hfds/parquet_reader.h"
#include "util/alloc.h"

/* ---- the file-backed source stream ----------------------------------------------------- */

enum { SRC_MAX_THREADS = 8 };

/* Decoding threads (and hub handles): the cores, at least 2 so that over HTTP one range read
 * waits while another row group decodes, at most SRC_MAX_THREADS. */
static int src_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 2 ? 2 : n > SRC_MAX_THREADS ? SRC_MAX_THREADS : (int)n;
}

typedef struct src {
	char **paths;
	size_t npaths, cur;
	char **columns;
	size_t ncolumns;
	hfds_pq_reader *reader;
	struct ArrowArrayStream scan;
	int64_t skip;              /* rows still to skip */
	hfds_hub *hubs[SRC_MAX_THREADS]; /* set: paths are files of repo_id at rev, read through a hub */
	int nhubs, threads;
	int idle[SRC_MAX_THREADS], nidle; /* hub handles not in use, under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *repo_id, *rev;
	uint64_t *sizes;
	struct ArrowSchema schema; /* the first file's */
	int code;
	hfds_error err;
} src;

static void strv_free(char **v, size_t n)
{
	size_t i;
	if (!v)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void src_close_file(src *s)
{
	if (s->scan.release)
		s->scan.release(&s->scan);
	hfds_pq_reader_free(s->reader);
	s->reader = NULL;
}

/* A ranged read lands straight in the reader's buffer (no buffer allocated per read and
 * copied); a retried request starts the buffer again. */
typedef struct buf_sink {
	uint8_t *buf;
	size_t len, got;
} buf_sink;

static int buf_sink_write(void *ud, const uint8_t *data, size_t len, hfds_error *err)
{
	buf_sink *b = ud;
	if (len > b->len - b->got)
		return hfds_error_set(err, HFDS_ECORRUPT, "the hub sent more bytes than asked");
	memcpy(b->buf + b->got, data, len);
	b->got += len;
	return 0;
}

static void buf_sink_restart(void *ud)
{
	((buf_sink *)ud)->got = 0;
}

static int hub_read(void *ctx, uint64_t offset, void *buf, size_t len, hfds_error *err)
{
	src *s = ctx;
	buf_sink b = { buf, len, 0 };
	hfds_hub_sink sink = { buf_sink_write, buf_sink_restart, &b };
	int rc, k;
	pthread_mutex_lock(&s->mu);
	while (s->nidle == 0)
		pthread_cond_wait(&s->cv, &s->mu);
	k = s->idle[--s->nidle];
	pthread_mutex_unlock(&s->mu);
	rc = hfds_hub_read_to(s->hubs[k], HFDS_REPO_DATASET, s->repo_id, s->rev, s->paths[s->cur], offset, len, &sink,
		err);
	pthread_mutex_lock(&s->mu);
	s->idle[s->nidle++] = k;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	if (rc == 0 && b.got != len)
		rc = hfds_error_set(err, HFDS_ECORRUPT, "%s: short read at offset %llu", s->paths[s->cur],
			(unsigned long long)offset);
	return rc;
}

static int src_open_reader(src *s, hfds_error *err)
{
	hfds_pq_reader_options ro;
	hfds_pq_reader_options_init(&ro);
	ro.threads = s->threads;
	if (!s->nhubs)
		return hfds_pq_reader_open_path(&s->reader, s->paths[s->cur], &ro, err);
	return hfds_pq_reader_open_callback(&s->reader, s->sizes[s->cur], hub_read, s, s->paths[s->cur], &ro, err);
}

/* Opens paths[cur] (then the next ones while `skip` covers them whole) and starts its scan
 * at the first row group `skip` does not cover. *done = 1 when no file is left. */
static int src_open_next(src *s, int *done, hfds_error *err)
{
	*done = 0;
	while (s->cur < s->npaths) {
		hfds_pq_scan_options so;
		int64_t n;
		int *rgs = NULL, nrg, k = 0, i, rc;
		hfds_pq_scan_options_init(&so);
		rc = src_open_reader(s, err);
		if (rc < 0)
			return rc;
		n = hfds_pq_reader_num_rows(s->reader);
		if (s->skip >= n && s->cur + 1 < s->npaths) {
			s->skip -= n;
			src_close_file(s);
			s->cur++;
			continue;
		}
		nrg = hfds_pq_reader_num_row_groups(s->reader);
		rgs = malloc(sizeof(int) * (size_t)(nrg > 0 ? nrg : 1));
		if (!rgs)
			return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
		for (i = 0; i < nrg; i++) {
			int64_t r = hfds_pq_reader_row_group_num_rows(s->reader, i);
			if (s->skip >= r && s->skip > 0) {
				s->skip -= r;
				continue;
			}
			rgs[k++] = i;
		}
		so.columns = (const char *const *)s->columns;
		so.ncolumns = s->ncolumns;
		so.row_groups = rgs;
		so.nrow_groups = (size_t)k;
		rc = hfds_pq_reader_scan(s->reader, &so, &s->scan, err);
		free(rgs);
		return rc;
	}
	*done = 1;
	return 0;
}

static int src_fail(src *s, int code)
{
	s->code = code;
	return code == HFDS_ENOMEM ? ENOMEM : code == HFDS_EINVAL ? EINVAL : EIO;
}

static int src_get_schema(struct ArrowArrayStream *st, struct ArrowSchema *out)
{
	src *s = st->private_data;
	int rc = hfds_arrow_schema_copy(out, &s->schema, &s->err);
	return rc < 0 ? src_fail(s, rc) : 0;
}

static int src_next_parquet(src *s, struct ArrowArray *out)
{
	for (;;) {
		int done, rc;
		if (!s->scan.release) {
			rc = src_open_next(s, &done, &s->err);
			if (rc < 0)
				return rc;
			if (done) {
				out->release = NULL;
				return 0;
			}
		}
		rc = s->scan.get_next(&s->scan, out);
		if (rc) {
			rc = hfds_pq_stream_error(&s->scan, &s->err);
			return rc < 0 ? rc : HFDS_EIO;
		}
		if (out->release)
			return 0;
		src_close_file(s);
		s->cur++;
	}
}

/*
 * Ctrl-C while a consumer such as pa.table(stream) reads us without the GIL. Python runs signal
 * handlers on the main thread only, so that thread (only: another one taking the GIL here
 * could wait on a consumer that holds it) takes the GIL before each batch and runs them. When
 * a handler raised (KeyboardInterrupt), the stream ends there and the exception is set as
 * the thread's asynchronous exception, which Python raises as soon as it runs code again:
 * at the consumer's call. Returning an error instead would not do: pyarrow turns any error
 * of a C stream into its own ArrowInvalid/OSError (even for its own exported streams), and
 * an exception left set in the thread state while it builds that one is overwritten. Later
 * calls fail with HFDS_ECANCELLED, so no consumer reads on past the interrupt.
 */
static int src_interrupted(src *s)
{
	PyGILState_STATE g;
	PyObject *type, *value, *tb;
	int stop = 0;
	if (getpid() != (pid_t)syscall(SYS_gettid))
		return 0;
	g = PyGILState_Ensure();
	if (PyErr_CheckSignals() < 0) {
		PyErr_Fetch(&type, &value, &tb);
		PyThreadState_SetAsyncExc(PyThread_get_thread_ident(), type);
		Py_XDECREF(type);
		Py_XDECREF(value);
		Py_XDECREF(tb);
		stop = 1;
	}
	PyGILState_Release(g);
	if (stop) {
		s->code = hfds_error_set(&s->err, HFDS_ECANCELLED, "the stream was interrupted (KeyboardInterrupt)");
		src_close_file(s);
	}
	return stop;
}

static int src_get_next(struct ArrowArrayStream *st, struct ArrowArray *out)
{
	src *s = st->private_data;
	int rc;
	if (s->code)
		return src_fail(s, s->code);
	if (src_interrupted(s)) {
		out->release = NULL;
		return 0;
	}
	rc = src_next_parquet(s, out);
	/* a resume point inside a row group: the batch starts `skip` rows in */
	if (rc == 0 && out->release && s->skip > 0) {
		/* moved into each column, not the struct: pyarrow imports a record batch only
		 * with a zero top-level offset */
		int64_t k = s->skip < out->length ? s->skip : out->length, i;
		for (i = 0; i < out->n_children; i++) {
			struct ArrowArray *c = out->children[i];
			c->offset += k;
			c->length -= k;
			if (c->null_count)
				c->null_count = -1;
		}
		out->length -= k;
		s->skip -= k;
	}
	return rc < 0 ? src_fail(s, rc) : 0;
}

static const char *src_last_error(struct ArrowArrayStream *st)
{
	src *s = st->private_data;
	return s->code ? s->err.message : NULL;
}

static void src_release(struct ArrowArrayStream *st)
{
	src *s = st->private_data;
	int i;
	src_close_file(s);
	if (s->schema.release)
		s->schema.release(&s->schema);
	strv_free(s->paths, s->npaths);
	strv_free(s->columns, s->ncolumns);
	for (i = 0; i < s->nhubs; i++)
		hfds_hub_free(s->hubs[i]);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s->repo_id);
	free(s->rev);
	free(s->sizes);
	free(s);
	st->release = NULL;
}

static int src_error_of(struct ArrowArrayStream *st, hfds_error *err)
{
	src *s = st->private_data;
	if (st->get_next != src_get_next || !s->code)
		return HFDS_EIO;
	*err = s->err;
	return s->code;
}

static src *src_new(struct ArrowArrayStream *st)
{
	src *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	hfds_error_init(&s->err);
	s->threads = src_threads();
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	st->get_schema = src_get_schema;
	st->get_next = src_get_next;
	st->get_last_error = src_last_error;
	st->release = src_release;
	st->private_data = s;
	return s;
}

/* A list of str (or one str) as a malloc'd vector; -1 with an exception. */
static int strv_of(PyObject *obj, char ***out, size_t *n)
{
	PyObject *seq;
	Py_ssize_t i, len;
	*out = NULL;
	*n = 0;
	if (obj == Py_None)
		return 0;
	if (PyUnicode_Check(obj)) {
		seq = PyTuple_Pack(1, obj);
	} else {
		seq = PySequence_Tuple(obj);
	}
	if (!seq)
		return -1;
	len = PyTuple_Size(seq);
	*out = calloc((size_t)len + 1, sizeof(char *));
	if (!*out) {
		Py_DECREF(seq);
		PyErr_NoMemory();
		return -1;
	}
	for (i = 0; i < len; i++) {
		const char *s = PyUnicode_AsUTF8AndSize(PyTuple_GetItem(seq, i), NULL);
		if (!s || !((*out)[i] = strdup(s))) {
			if (s)
				PyErr_NoMemory();
			strv_free(*out, (size_t)i);
			*out = NULL;
			Py_DECREF(seq);
			return -1;
		}
	}
	*n = (size_t)len;
	Py_DECREF(seq);
	return 0;
}

/* Opens the first file of a new src (taking *st) and wraps it in a Stream. */
static PyObject *src_start(struct ArrowArrayStream *st)
{
	src *s = st->private_data;
	int rc, done;
	Py_BEGIN_ALLOW_THREADS
	rc = src_open_next(s, &done, &s->err);
	if (rc == 0 && !done) {
		rc = s->scan.get_schema(&s->scan, &s->schema);
		rc = rc ? hfds_error_set(&s->err, HFDS_EIO, "%s", s->scan.get_last_error(&s->scan)) : 0;
	}
	Py_END_ALLOW_THREADS
	if (rc < 0) {
		PyObject *r = ext_raise(rc, &s->err);
		st->release(st);
		return r;
	}
	return ext_stream_new(st, src_error_of);
}

/* read_parquet(paths, columns=None, skip_rows=0) -> Stream over the files in order. */
PyObject *ext_read_parquet(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"paths", "columns", "skip_rows", NULL};
	PyObject *paths, *columns = Py_None;
	long long skip = 0;
	struct ArrowArrayStream st = {0};
	src *s;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|OL", kwlist, &paths, &columns, &skip))
		return NULL;
	if (skip < 0)
		return PyErr_Format(PyExc_ValueError, "skip_rows must be >= 0");
	if (!(s = src_new(&st)))
		return PyErr_NoMemory();
	if (strv_of(paths, &s->paths, &s->npaths) < 0 || strv_of(columns, &s->columns, &s->ncolumns) < 0) {
		st.release(&st);
		return NULL;
	}
	if (!s->npaths) {
		st.release(&st);
		return PyErr_Format(PyExc_ValueError, "no Parquet file given");
	}
	s->skip = skip;
	return src_start(&st);
}

PyObject *ext_stream_hub_files(const hfds_target *t, const char *repo_id, const char *rev, PyObject *files,
	PyObject *columns, long long skip)
{
	struct ArrowArrayStream st = {0};
	hfds_error err;
	Py_ssize_t i, n;
	src *s;
	int rc;
	if (!PyList_Check(files) || (n = PyList_Size(files)) == 0)
		return PyErr_Format(PyExc_ValueError, "no files to read");
	if (!(s = src_new(&st)))
		return PyErr_NoMemory();
	s->repo_id = strdup(repo_id);
	s->rev = strdup(rev);
	s->paths = calloc((size_t)n + 1, sizeof(char *));
	s->sizes = calloc((size_t)n + 1, sizeof(uint64_t));
	if (!s->repo_id || !s->rev || !s->paths || !s->sizes) {
		st.release(&st);
		return PyErr_NoMemory();
	}
	for (i = 0; i < n; i++) {
		const char *path;
		unsigned long long size;
		if (!PyArg_ParseTuple(PyList_GetItem(files, i), "sK", &path, &size) || !(s->paths[i] = strdup(path))) {
			if (!PyErr_Occurred())
				PyErr_NoMemory();
			s->npaths = (size_t)i;
			st.release(&st);
			return NULL;
		}
		s->sizes[i] = size;
	}
	s->npaths = (size_t)n;
	if (strv_of(columns, &s->columns, &s->ncolumns) < 0) {
		st.release(&st);
		return NULL;
	}
	s->skip = skip;
	hfds_error_init(&err);
	/* the stream's own hub handles: a hub belongs to one thread, the stream may move, and
	 * the reader's threads read concurrently */
	for (rc = 0; rc == 0 && s->nhubs < s->threads; s->nhubs++) {
		rc = hfds_hub_open_target(&s->hubs[s->nhubs], t, &err);
		s->idle[s->nidle++] = s->nhubs;
	}
	if (rc < 0) {
		st.release(&st);
		return ext_raise(rc, &err);
	}
	return src_start(&st);
}

/* ---- the Stream type ------------------------------------------------------------------- */

typedef struct {
	PyObject_HEAD
	struct ArrowArrayStream st;
	int (*err_of)(struct ArrowArrayStream *, hfds_error *);
	long long rows, batches;
} stream_obj;

static PyTypeObject *stream_type;

PyObject *ext_stream_new(struct ArrowArrayStream *st, int (*err_of)(struct ArrowArrayStream *, hfds_error *))
{
	stream_obj *o = PyObject_New(stream_obj, stream_type);
	if (!o) {
		st->release(st);
		return NULL;
	}
	o->st = *st;
	st->release = NULL;
	o->err_of = err_of;
	o->rows = o->batches = 0;
	return (PyObject *)o;
}

static void stream_dealloc(PyObject *self)
{
	stream_obj *o = (stream_obj *)self;
	if (o->st.release)
		o->st.release(&o->st);
	ext_dealloc(self);
}

static int stream_live(stream_obj *o)
{
	if (o->st.release)
		return 1;
	ext_raise(HFDS_ESTATE, &(hfds_error){HFDS_ESTATE, "the stream was already exported or closed"});
	return 0;
}

static PyObject *stream_raise(stream_obj *o, int errno_rc)
{
	hfds_error err;
	int code;
	hfds_error_init(&err);
	code = o->err_of ? o->err_of(&o->st, &err) : HFDS_EIO;
	if (!err.code) {
		const char *m = o->st.get_last_error(&o->st);
		hfds_error_set(&err, code, "%s", m ? m : hfds_strerror(code));
	}
	return ext_raise(code, &err);
}

static PyObject *stream_export(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"requested_schema", NULL};
	PyObject *req = Py_None;
	stream_obj *o = (stream_obj *)self;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O", kwlist, &req))
		return NULL;
	if (!stream_live(o))
		return NULL;
	/* requested_schema is a hint the protocol lets producers ignore: the batches are what
	 * the files hold. */
	return ext_stream_capsule(&o->st);
}

static PyObject *stream_schema(PyObject *self, PyObject *unused)
{
	stream_obj *o = (stream_obj *)self;
	struct ArrowSchema s = {0};
	if (!stream_live(o))
		return NULL;
	if (o->st.get_schema(&o->st, &s))
		return stream_raise(o, 0);
	return ext_schema_capsule(&s);
}

/* next_batch() -> (schema capsule, array capsule), or None at the end. */
static PyObject *stream_next_batch(PyObject *self, PyObject *unused)
{
	stream_obj *o = (stream_obj *)self;
	struct ArrowArray a = {0};
	struct ArrowSchema s = {0};
	PyObject *sc, *ac;
	int rc;
	if (!stream_live(o) || PyErr_CheckSignals() < 0)
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	rc = o->st.get_next(&o->st, &a);
	Py_END_ALLOW_THREADS
	if (rc)
		return stream_raise(o, rc);
	if (!a.release)
		Py_RETURN_NONE;
	if (o->st.get_schema(&o->st, &s)) {
		a.release(&a);
		return stream_raise(o, 0);
	}
	o->rows += a.length;
	o->batches++;
	sc = ext_schema_capsule(&s);
	ac = ext_array_capsule(&a);
	if (!sc || !ac) {
		Py_XDECREF(sc);
		Py_XDECREF(ac);
		return NULL;
	}
	return Py_BuildValue("(NN)", sc, ac);
}

static PyObject *stream_close(PyObject *self, PyObject *unused)
{
	stream_obj *o = (stream_obj *)self;
	if (o->st.release)
		o->st.release(&o->st);
	Py_RETURN_NONE;
}

static PyObject *stream_get_rows(PyObject *self, void *c)
{
	return PyLong_FromLongLong(((stream_obj *)self)->rows);
}

static PyMethodDef stream_methods[] = {
	{"__arrow_c_stream__", (PyCFunction)(void (*)(void))stream_export, METH_VARARGS | METH_KEYWORDS,
		"Moves the stream into an arrow_array_stream capsule (once)."},
	{"__arrow_c_schema__", stream_schema, METH_NOARGS, "The schema as an arrow_schema capsule."},
	{"next_batch", stream_next_batch, METH_NOARGS, "(schema, array) capsules of the next batch or None."},
	{"close", stream_close, METH_NOARGS, "Releases the stream and its files."},
	{NULL, NULL, 0, NULL}
};

static PyGetSetDef stream_getset[] = {
	{"rows", stream_get_rows, NULL, "Rows handed out by next_batch so far.", NULL},
	{NULL, NULL, NULL, NULL, NULL}
};

static PyType_Slot stream_slots[] = {
	{Py_tp_dealloc, stream_dealloc},
	{Py_tp_methods, stream_methods},
	{Py_tp_getset, stream_getset},
	{Py_tp_doc, "An Arrow stream made by hfds (see hfds.Stream)."},
	{0, NULL}
};

static PyType_Spec stream_spec = {"hfds._hfds.Stream", sizeof(stream_obj), 0, Py_TPFLAGS_DEFAULT, stream_slots};

int ext_stream_type_init(PyObject *m)
{
	return ext_add_type(m, &stream_spec, &stream_type);
}
