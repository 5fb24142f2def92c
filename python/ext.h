/*
 * The CPython extension `hfds._hfds`: a thin converter between Python objects and the C
 * library. Python hands Arrow data in and out through the Arrow PyCapsule interface
 * (capsules "arrow_schema", "arrow_array", "arrow_array_stream"); the C side never imports
 * pyarrow. Every call that does real work releases the GIL and, between record batches,
 * re-takes it to check for signals, so Ctrl-C stops a long write or read cleanly.
 *
 * Ownership: a capsule owns what it points to until a consumer moves it out (the Arrow
 * release callback is then NULL and the capsule's destructor does nothing).
 * Errors: every HFDS_E* code is raised as its own exception class (hfds.errors), carrying
 * the C message with its place and the code in `.code`.
 */
#ifndef HFDS_PY_EXT_H
#define HFDS_PY_EXT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "hfds/arrow_abi.h"
#include "hfds/common.h"

/* Raises the exception class of `code` with the message of `err` (or hfds_strerror).
 * Returns NULL for `return ext_raise(...)`. */
PyObject *ext_raise(int code, const hfds_error *err);
/* Creates the exception classes in module `m`. -1 on failure. */
int ext_errors_init(PyObject *m);

/* Capsules of the PyCapsule interface; they take ownership of *s / *a (moved). */
PyObject *ext_schema_capsule(struct ArrowSchema *s);
PyObject *ext_array_capsule(struct ArrowArray *a);
PyObject *ext_stream_capsule(struct ArrowArrayStream *st);
/* The stream inside an "arrow_array_stream" capsule (borrowed); NULL with an exception. */
struct ArrowArrayStream *ext_capsule_stream(PyObject *capsule);
struct ArrowSchema *ext_capsule_schema(PyObject *capsule);

/* The Stream type (hfds._hfds.Stream) wraps an ArrowArrayStream made by the library. */
int ext_stream_type_init(PyObject *m);
/* A new Stream object taking ownership of *st (moved); `err_of` gives the hfds code and
 * message of a failed get_next (may be NULL: errno codes become HFDS_EIO). */
PyObject *ext_stream_new(struct ArrowArrayStream *st, int (*err_of)(struct ArrowArrayStream *, hfds_error *));

/* A Stream over Parquet files of a dataset repository (list of (path, size)) at commit
 * `rev`, read through its own hub handle opened from target `t`, starting `skip` rows in. */
struct hfds_target;
PyObject *ext_stream_hub_files(const struct hfds_target *t, const char *repo_id, const char *rev, PyObject *files,
	PyObject *columns, long long skip);
/* The Hub type (hfds._hfds.Hub). */
int ext_hub_type_init(PyObject *m);

/* The Writer type (hfds._hfds.Writer) over hfds_ds. */
int ext_writer_type_init(PyObject *m);
/* The hfds_ds of a Writer object (borrowed); NULL with an exception. */
struct hfds_ds *ext_writer_ds(PyObject *obj);

/* Progress and Ctrl-C for one call into the library (ext_watch.c). Made and ended on the
 * calling thread with the GIL held; poll/event are called without it, from any thread. */
typedef struct ext_watch {
	pthread_t owner;            /* the thread that called into C: the one that runs signal handlers */
	PyObject *progress;         /* callable(what, done, total) or NULL (owned) */
	int stop;                   /* set (atomically) once a signal handler raised */
	PyObject *exc_type, *exc_value, *exc_tb; /* that exception, until ext_watch_end */
} ext_watch;
void ext_watch_init(ext_watch *w, PyObject *progress);
/* 1 when the call should stop (Ctrl-C); runs signal handlers when called on the owner. */
int ext_watch_poll(ext_watch *w);
/* Calls the progress callable, if any (errors are reported as unraisable, not propagated). */
void ext_watch_event(ext_watch *w, const char *what, uint64_t done, uint64_t total);
/* hfds_ds_progress_fn over an ext_watch payload. */
void ext_ds_progress(void *payload, const char *what, uint64_t done, uint64_t total);
/* Restores the exception a handler raised (-1) or returns 0; drops the callable. */
int ext_watch_end(ext_watch *w);

/* Module functions defined in the other files. */
PyObject *ext_read_parquet(PyObject *self, PyObject *args, PyObject *kw);
PyObject *ext_rows_batch(PyObject *self, PyObject *args);
PyObject *ext_chess_sample(PyObject *self, PyObject *args, PyObject *kw);

/* Creates the heap type of `spec` into *out and adds it to module `m` under its short name. */
int ext_add_type(PyObject *m, PyType_Spec *spec, PyTypeObject **out);
/* Frees a Python object of a heap type (Limited API: no direct tp_free access). */
void ext_dealloc(PyObject *self);

#endif
