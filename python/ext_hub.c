/*
 * hfds._hfds.Hub: one hub handle (hfds/hub.h) for Python, chosen like the CLI chooses it
 * (endpoint > HF_ENDPOINT > the Hub when a token is found > the embedded hub), with the
 * dataset operations of the library on top: publish a Writer's shards as one commit,
 * delete a config, purge, repository helpers, and the files of a split for loading.
 * Every call releases the GIL while the library works. The handle keeps at most one
 * staging folder (where a Writer puts the shards it will publish) and the repository that
 * Writer is attached to, so each closed shard is uploaded while the next is written and
 * publish only commits (as hfds_push does for the CLI).
 */
#include "ext.h"

#include <stdlib.h>
#include <string.h>

#include "hfds/dataset.h"
#include "hfds/hub.h"
#include "hfds/publish.h"
#include "hfds/store.h"
#include "util/alloc.h"

typedef struct {
	PyObject_HEAD
	hfds_target target;
	hfds_hub *hub;
	hfds_hub_staging *staging;
	hfds_hub_dataset *dataset; /* the repository `writer` is attached to (attach .. unstage) */
	PyObject *writer;          /* that Writer: closed before `dataset` goes (it borrows its ops) */
	ext_watch watch;           /* upload events to the push's progress callable */
} hub_obj;

static PyTypeObject *hub_type;

/* Hub(endpoint=None, token=None) */
static PyObject *hub_new(PyTypeObject *tp, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"endpoint", "token", NULL};
	const char *endpoint = NULL, *token = NULL;
	hfds_error err;
	hub_obj *h;
	int rc;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|zz", kwlist, &endpoint, &token))
		return NULL;
	if (!(h = (hub_obj *)PyType_GenericNew(tp, NULL, NULL)))
		return NULL;
	hfds_error_init(&err);
	rc = hfds_target_select(&h->target, endpoint, &err);
	if (rc == 0 && token && *token) {
		char *copy = strdup(token);
		if (!copy) {
			rc = hfds_error_set(&err, HFDS_ENOMEM, "out of memory");
		} else {
			free(h->target.token);
			h->target.token = copy;
		}
	}
	if (rc == 0) {
		Py_BEGIN_ALLOW_THREADS
		rc = hfds_hub_open_target(&h->hub, &h->target, &err);
		Py_END_ALLOW_THREADS
	}
	if (rc < 0) {
		Py_DECREF(h);
		return ext_raise(rc, &err);
	}
	return (PyObject *)h;
}

/* Closes the attached Writer, then stops the upload threads: without the GIL, as they call
 * the progress callable, which takes it. */
static void hub_detach(hub_obj *h)
{
	hfds_hub_dataset *d = h->dataset;
	PyObject *r;
	if (h->writer) {
		if (!(r = PyObject_CallMethod(h->writer, "close", NULL)))
			PyErr_WriteUnraisable(h->writer);
		Py_XDECREF(r);
		Py_CLEAR(h->writer);
	}
	h->dataset = NULL;
	Py_BEGIN_ALLOW_THREADS
	hfds_hub_dataset_free(d);
	Py_END_ALLOW_THREADS
	ext_watch_end(&h->watch);
}

/* The attachment first: its upload threads read the staging folder. */
static void hub_unstage_all(hub_obj *h)
{
	hfds_hub_staging *s = h->staging;
	hub_detach(h);
	h->staging = NULL;
	Py_BEGIN_ALLOW_THREADS
	hfds_hub_staging_free(s);
	Py_END_ALLOW_THREADS
}

static void hub_dealloc(PyObject *self)
{
	hub_obj *h = (hub_obj *)self;
	hub_unstage_all(h);
	hfds_hub_free(h->hub);
	hfds_target_release(&h->target);
	ext_dealloc(self);
}

/* where -> "embedded hub at /x (...)"; base -> the endpoint URL or the hub directory. */
static PyObject *hub_where(PyObject *self, void *c)
{
	return PyUnicode_FromString(hfds_hub_where(((hub_obj *)self)->hub));
}

static PyObject *hub_base(PyObject *self, void *c)
{
	hub_obj *h = (hub_obj *)self;
	return PyUnicode_FromString(h->target.endpoint ? h->target.endpoint : h->target.root ? h->target.root : "");
}

static PyObject *hub_remote(PyObject *self, void *c)
{
	return PyBool_FromLong(hfds_hub_is_remote(((hub_obj *)self)->hub));
}

/* stage() -> a fresh staging folder for a Writer (replacing an earlier one and its attachment). */
static PyObject *hub_stage(PyObject *self, PyObject *unused)
{
	hub_obj *h = (hub_obj *)self;
	hfds_error err;
	int rc;
	hfds_error_init(&err);
	hub_unstage_all(h);
	Py_BEGIN_ALLOW_THREADS
	rc = hfds_hub_staging_new(&h->staging, h->hub, &err);
	Py_END_ALLOW_THREADS
	if (rc < 0)
		return ext_raise(rc, &err);
	return PyUnicode_FromString(hfds_hub_staging_path(h->staging));
}

static PyObject *hub_unstage(PyObject *self, PyObject *unused)
{
	hub_unstage_all((hub_obj *)self);
	Py_RETURN_NONE;
}

typedef enum { OP_DELETE_CONFIG, OP_PURGE, OP_SPLIT_FILES } dataset_op;

/* Opens the dataset repo, runs one dataset-layer operation, closes it (GIL released). */
static int with_dataset(hub_obj *h, dataset_op op, const char *repo_id, const char *branch, const char *name,
	const char *split, const hfds_ds_publish_options *po, char sha[41],
	size_t *deleted, hfds_ds_repo_file **files, size_t *count, hfds_error *err)
{
	hfds_hub_dataset *d = NULL;
	int rc = hfds_hub_dataset_open(&d, h->hub, repo_id, branch, 0, err);
	if (rc == 0) {
		const hfds_ds_repo_ops *ops = hfds_hub_dataset_ops(d);
		switch (op) {
		case OP_DELETE_CONFIG: rc = hfds_ds_delete_config(ops, name, po, sha, err); break;
		case OP_PURGE: rc = hfds_ds_purge(ops, po, deleted, sha, err); break;
		case OP_SPLIT_FILES: rc = hfds_ds_split_files(ops, sha, name, split, files, count, err); break;
		}
	}
	hfds_hub_dataset_free(d);
	return rc;
}

/* The uploader's events: a shard stored on the hub, as ("stored", shards stored, handed over). */
static void on_upload(void *payload, const hfds_hub_progress *p)
{
	if (!strcmp(p->event, "stored"))
		ext_watch_event(payload, "stored", p->files_done, p->files_total);
}

/* attach(writer, repo_id, branch=None, private=False, upload_workers=0, progress=None,
 *        spool_max=None): opens (creating) the repository and attaches the Writer, before its
 * first write, so its shards are uploaded while the next is written. upload_workers > 0:
 * parallel uploads (else the hub's default); progress: callable(what, done, total) for
 * ("stored", ...) events; spool_max: a size ("2GB", "1000") the closed shards not yet
 * stored may hold before the writer waits (None: no bound). */
static PyObject *hub_attach(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"writer", "repo_id", "branch", "private", "upload_workers", "progress", "spool_max",
		NULL};
	hub_obj *h = (hub_obj *)self;
	PyObject *wobj, *progress = Py_None;
	const char *repo_id, *branch = NULL, *spool_max = NULL;
	int is_private = 0, workers = 0, rc;
	hfds_hub_upload_options up;
	hfds_error err;
	struct hfds_ds *ds;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "Os|zpiOz", kwlist, &wobj, &repo_id, &branch, &is_private,
		    &workers, &progress, &spool_max))
		return NULL;
	if (progress != Py_None && !PyCallable_Check(progress))
		return PyErr_Format(PyExc_TypeError, "progress must be callable or None");
	if (!(ds = ext_writer_ds(wobj)))
		return NULL;
	if (h->dataset)
		return ext_raise(HFDS_ESTATE, &(hfds_error){HFDS_ESTATE, "a writer is attached already"});
	hfds_hub_upload_options_init(&up);
	hfds_error_init(&err);
	if (spool_max && hfds_ds_parse_size(spool_max, &up.spool_max, &err) < 0)
		return ext_raise(err.code, &err);
	if (spool_max && up.spool_max == 0)
		return PyErr_Format(PyExc_ValueError, "spool_max must be positive");
	if (workers > 0)
		hfds_hub_set_upload_workers(h->hub, (unsigned)workers);
	up.workers = workers > 0 ? (unsigned)workers : 0;
	ext_watch_init(&h->watch, progress);
	if (h->watch.progress) {
		up.progress = on_upload;
		up.progress_payload = &h->watch;
	}
	Py_BEGIN_ALLOW_THREADS
	rc = hfds_hub_dataset_open(&h->dataset, h->hub, repo_id, branch,
		HFDS_HUB_DATASET_CREATE | (is_private ? HFDS_HUB_DATASET_PRIVATE : 0), &err);
	if (rc == 0)
		rc = hfds_hub_dataset_set_upload(h->dataset, &up, &err);
	if (rc == 0)
		rc = hfds_ds_attach(ds, hfds_hub_dataset_ops(h->dataset), &err);
	Py_END_ALLOW_THREADS
	if (rc < 0) {
		hub_detach(h);
		return ext_raise(rc, &err);
	}
	Py_INCREF(wobj);
	h->writer = wobj;
	Py_RETURN_NONE;
}

/* publish(writer, title=None, description=None) -> sha: waits for the uploads and commits the
 * attached Writer's shards as one commit. */
static PyObject *hub_publish(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"writer", "title", "description", NULL};
	hub_obj *h = (hub_obj *)self;
	PyObject *wobj;
	hfds_ds_publish_options po = { .version = HFDS_DS_PUBLISH_OPTIONS_VERSION };
	hfds_error err;
	char sha[41] = "";
	struct hfds_ds *ds;
	int rc;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|zz", kwlist, &wobj, &po.title, &po.description))
		return NULL;
	if (!(ds = ext_writer_ds(wobj)))
		return NULL;
	if (!h->dataset || wobj != h->writer)
		return ext_raise(HFDS_ESTATE, &(hfds_error){HFDS_ESTATE, "the writer is not attached (Hub.attach)"});
	hfds_error_init(&err);
	Py_BEGIN_ALLOW_THREADS
	rc = hfds_ds_publish(ds, hfds_hub_dataset_ops(h->dataset), &po, sha, &err);
	Py_END_ALLOW_THREADS
	if (rc < 0)
		return ext_raise(rc, &err);
	return PyUnicode_FromString(sha);
}

/* delete_config(repo_id, config, branch=None, title=None, description=None) -> sha */
static PyObject *hub_delete_config(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"repo_id", "config", "branch", "title", "description", NULL};
	hub_obj *h = (hub_obj *)self;
	const char *repo_id, *config, *branch = NULL;
	hfds_ds_publish_options po = { .version = HFDS_DS_PUBLISH_OPTIONS_VERSION };
	hfds_error err;
	char sha[41] = "";
	int rc;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "ss|zzz", kwlist, &repo_id, &config, &branch, &po.title,
		    &po.description))
		return NULL;
	hfds_error_init(&err);
	Py_BEGIN_ALLOW_THREADS
	rc = with_dataset(h, OP_DELETE_CONFIG, repo_id, branch, config, NULL, &po, sha, NULL, NULL, NULL,
		&err);
	Py_END_ALLOW_THREADS
	if (rc < 0)
		return ext_raise(rc, &err);
	return PyUnicode_FromString(sha);
}

/* purge(repo_id, branch=None, title=None) -> (files deleted, sha) */
static PyObject *hub_purge(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"repo_id", "branch", "title", NULL};
	hub_obj *h = (hub_obj *)self;
	const char *repo_id, *branch = NULL;
	hfds_ds_publish_options po = { .version = HFDS_DS_PUBLISH_OPTIONS_VERSION };
	hfds_error err;
	char sha[41] = "";
	size_t deleted = 0;
	int rc;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "s|zz", kwlist, &repo_id, &branch, &po.title))
		return NULL;
	hfds_error_init(&err);
	Py_BEGIN_ALLOW_THREADS
	rc = with_dataset(h, OP_PURGE, repo_id, branch, NULL, NULL, &po, sha, &deleted, NULL, NULL, &err);
	Py_END_ALLOW_THREADS
	if (rc < 0)
		return ext_raise(rc, &err);
	return Py_BuildValue("(ns)", (Py_ssize_t)deleted, sha);
}

static PyObject *files_list(hfds_ds_repo_file *files, size_t count)
{
	PyObject *l = PyList_New((Py_ssize_t)count);
	size_t i;
	for (i = 0; l && i < count; i++) {
		PyObject *t = Py_BuildValue("(sK)", files[i].path, (unsigned long long)files[i].size);
		if (!t) {
			Py_CLEAR(l);
			break;
		}
		PyList_SetItem(l, (Py_ssize_t)i, t);
	}
	hfds_ds_repo_files_free(files, count);
	return l;
}

/* resolve(repo_id, revision=None) -> 40-hex commit */
static PyObject *hub_resolve(PyObject *self, PyObject *args)
{
	hub_obj *h = (hub_obj *)self;
	const char *repo_id, *rev = NULL;
	char sha[HFDS_OID_HEX_SIZE] = "";
	hfds_error err;
	int rc;
	if (!PyArg_ParseTuple(args, "s|z", &repo_id, &rev))
		return NULL;
	hfds_error_init(&err);
	Py_BEGIN_ALLOW_THREADS
	rc = hfds_hub_resolve(sha, h->hub, HFDS_REPO_DATASET, repo_id, rev, &err);
	Py_END_ALLOW_THREADS
	if (rc < 0)
		return ext_raise(rc, &err);
	return PyUnicode_FromString(sha);
}

/* split_files(repo_id, sha, config, split) -> [(path, size)] as load_dataset picks them */
static PyObject *hub_split_files(PyObject *self, PyObject *args)
{
	hub_obj *h = (hub_obj *)self;
	const char *repo_id, *sha, *config, *split;
	hfds_ds_repo_file *files = NULL;
	size_t count = 0;
	char rev[41];
	hfds_error err;
	int rc;
	if (!PyArg_ParseTuple(args, "sszs", &repo_id, &sha, &config, &split))
		return NULL;
	snprintf(rev, sizeof(rev), "%s", sha);
	hfds_error_init(&err);
	Py_BEGIN_ALLOW_THREADS
	rc = with_dataset(h, OP_SPLIT_FILES, repo_id, NULL, config, split, NULL, rev, NULL, &files, &count,
		&err);
	Py_END_ALLOW_THREADS
	if (rc < 0)
		return ext_raise(rc, &err);
	return files_list(files, count);
}

/* files(repo_id, revision=None) -> [(path, size)] of every file */
static PyObject *hub_files(PyObject *self, PyObject *args)
{
	hub_obj *h = (hub_obj *)self;
	const char *repo_id, *rev = NULL;
	hfds_store_tree *tree = NULL;
	hfds_error err;
	PyObject *l;
	size_t i;
	int rc;
	if (!PyArg_ParseTuple(args, "s|z", &repo_id, &rev))
		return NULL;
	hfds_error_init(&err);
	Py_BEGIN_ALLOW_THREADS
	rc = hfds_hub_tree_list(&tree, h->hub, HFDS_REPO_DATASET, repo_id, rev, NULL, 1, &err);
	Py_END_ALLOW_THREADS
	if (rc < 0)
		return ext_raise(rc, &err);
	l = PyList_New(0);
	for (i = 0; l && i < tree->count; i++) {
		PyObject *t;
		if (tree->items[i].is_dir)
			continue;
		t = Py_BuildValue("(sK)", tree->items[i].path, (unsigned long long)tree->items[i].size);
		if (!t || PyList_Append(l, t) < 0)
			Py_CLEAR(l);
		Py_XDECREF(t);
	}
	hfds_store_tree_free(tree);
	return l;
}

/* read_files(repo_id, sha, [(path, size)], columns=None, skip_rows=0) -> Stream */
static PyObject *hub_read_files(PyObject *self, PyObject *args)
{
	hub_obj *h = (hub_obj *)self;
	const char *repo_id, *sha;
	PyObject *files, *columns = Py_None;
	long long skip = 0;
	if (!PyArg_ParseTuple(args, "ssO|OL", &repo_id, &sha, &files, &columns, &skip))
		return NULL;
	return ext_stream_hub_files(&h->target, repo_id, sha, files, columns, skip);
}

/* create_repo(repo_id, private=False, exist_ok=True) -> True when created */
static PyObject *hub_create_repo(PyObject *self, PyObject *args)
{
	hub_obj *h = (hub_obj *)self;
	const char *repo_id;
	int is_private = 0, exist_ok = 1, rc;
	hfds_error err;
	if (!PyArg_ParseTuple(args, "s|pp", &repo_id, &is_private, &exist_ok))
		return NULL;
	hfds_error_init(&err);
	Py_BEGIN_ALLOW_THREADS
	rc = hfds_hub_repo_create(h->hub, HFDS_REPO_DATASET, repo_id, is_private, exist_ok, &err);
	Py_END_ALLOW_THREADS
	if (rc < 0)
		return ext_raise(rc, &err);
	return PyBool_FromLong(rc == 0);
}

/* delete_repo(repo_id) */
static PyObject *hub_delete_repo(PyObject *self, PyObject *args)
{
	hub_obj *h = (hub_obj *)self;
	const char *repo_id;
	hfds_error err;
	int rc;
	if (!PyArg_ParseTuple(args, "s", &repo_id))
		return NULL;
	hfds_error_init(&err);
	Py_BEGIN_ALLOW_THREADS
	rc = hfds_hub_repo_delete(h->hub, HFDS_REPO_DATASET, repo_id, &err);
	Py_END_ALLOW_THREADS
	if (rc < 0)
		return ext_raise(rc, &err);
	Py_RETURN_NONE;
}

/* create_tag(repo_id, tag, revision=None, message=None) / create_branch(repo_id, branch, revision=None) */
static PyObject *hub_create_ref(PyObject *self, PyObject *args, int tag)
{
	hub_obj *h = (hub_obj *)self;
	const char *repo_id, *name, *rev = NULL, *message = NULL;
	hfds_error err;
	int rc;
	if (!PyArg_ParseTuple(args, "ss|zz", &repo_id, &name, &rev, &message))
		return NULL;
	hfds_error_init(&err);
	Py_BEGIN_ALLOW_THREADS
	rc = tag ? hfds_hub_tag_create(h->hub, HFDS_REPO_DATASET, repo_id, name, rev, message, &err)
		 : hfds_hub_branch_create(h->hub, HFDS_REPO_DATASET, repo_id, name, rev, &err);
	Py_END_ALLOW_THREADS
	if (rc < 0)
		return ext_raise(rc, &err);
	Py_RETURN_NONE;
}

static PyObject *hub_create_tag(PyObject *self, PyObject *args)
{
	return hub_create_ref(self, args, 1);
}

static PyObject *hub_create_branch(PyObject *self, PyObject *args)
{
	return hub_create_ref(self, args, 0);
}

/* log(repo_id, revision=None, limit=0) -> [{"id", "title", "message", "author", "date"}] */
static PyObject *hub_log(PyObject *self, PyObject *args)
{
	hub_obj *h = (hub_obj *)self;
	const char *repo_id, *rev = NULL;
	Py_ssize_t limit = 0;
	hfds_store_log *log = NULL;
	hfds_error err;
	PyObject *l;
	size_t i;
	int rc;
	if (!PyArg_ParseTuple(args, "s|zn", &repo_id, &rev, &limit))
		return NULL;
	hfds_error_init(&err);
	Py_BEGIN_ALLOW_THREADS
	rc = hfds_hub_log(&log, h->hub, HFDS_REPO_DATASET, repo_id, rev, (size_t)(limit > 0 ? limit : 0), &err);
	Py_END_ALLOW_THREADS
	if (rc < 0)
		return ext_raise(rc, &err);
	l = PyList_New((Py_ssize_t)log->count);
	for (i = 0; l && i < log->count; i++) {
		const hfds_store_log_entry *e = &log->items[i];
		PyObject *d = Py_BuildValue("{sssssssssL}", "id", e->id, "title", e->title ? e->title : "", "message",
			e->message ? e->message : "", "author", e->author ? e->author : "", "date", (long long)e->date);
		if (!d)
			Py_CLEAR(l);
		else
			PyList_SetItem(l, (Py_ssize_t)i, d);
	}
	hfds_store_log_free(log);
	return l;
}

/* The chess publisher's events as progress events: ("games", games read, 0) while sampling,
 * ("batch", batches published by this run, batches asked for) after each commit. */
typedef struct {
	ext_watch watch;
	uint64_t batches, published;
} chess_ctx;

static void chess_event(void *ctx, const hfds_chess_publish_event *ev)
{
	chess_ctx *c = ctx;
	if (ev->kind == HFDS_CHESS_PUBLISH_PROGRESS)
		ext_watch_event(&c->watch, "games", ev->stats ? ev->stats->games : 0, 0);
	else if (ev->kind == HFDS_CHESS_PUBLISH_BATCH)
		ext_watch_event(&c->watch, "batch", ++c->published, c->batches);
}

static int chess_cancelled(void *ctx)
{
	return ext_watch_poll(&((chess_ctx *)ctx)->watch);
}

/* chess_push(paths, repo_id, branch=None, tag=None, private=False, resume=False, batches=3,
 *            batch_size=100000, train_ratio=0.95, window=10, threads=0, sampler="ply-curve",
 *            seed=0, min_elo=2000, subsample=0.33, min_ply=0, max_ply=0, upload_workers=0,
 *            progress=None) -> result dict. Ctrl-C stops it (KeyboardInterrupt) at the next
 * poll of the publisher: the repository keeps the batches committed so far. */
static PyObject *hub_chess_push(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"paths", "repo_id", "branch", "tag", "private", "resume", "batches", "batch_size",
		"train_ratio", "window", "threads", "sampler", "seed", "min_elo", "subsample", "min_ply", "max_ply",
		"upload_workers", "progress", NULL};
	hub_obj *h = (hub_obj *)self;
	hfds_chess_publish_opts o;
	hfds_chess_publish_result res;
	chess_ctx ctx;
	PyObject *paths_obj, *seq, *progress = Py_None;
	int workers = 0;
	const char *sampler = "ply-curve";
	unsigned long long batches = 3, batch_size = 100000, seed = 0;
	char **given = NULL, **paths = NULL;
	size_t npaths = 0;
	Py_ssize_t i, n = 0;
	hfds_error err;
	int rc = 0;
	hfds_chess_publish_opts_init(&o);
	memset(&res, 0, sizeof(res));
	if (!PyArg_ParseTupleAndKeywords(args, kw, "Os|zzppKKdiisKddiiiO", kwlist, &paths_obj, &o.repo_id,
		    &o.branch, &o.tag, &o.is_private, &o.resume, &batches, &batch_size, &o.train_ratio, &o.window,
		    &o.threads, &sampler, &seed, &o.sample.min_elo, &o.sample.subsample, &o.sample.min_ply,
		    &o.sample.max_ply, &workers, &progress))
		return NULL;
	if (progress != Py_None && !PyCallable_Check(progress))
		return PyErr_Format(PyExc_TypeError, "progress must be callable or None");
	if ((o.sample.sampler = hfds_chess_sampler_from_name(sampler)) < 0)
		return PyErr_Format(PyExc_ValueError, "unknown sampler '%s' (ply-curve, chesspos-v1, all)", sampler);
	o.sample.seed = seed;
	o.batches = batches;
	o.batch_size = (size_t)batch_size;
	if (!(seq = PySequence_Tuple(paths_obj)))
		return NULL;
	n = PyTuple_Size(seq);
	if (!(given = calloc((size_t)n + 1, sizeof(char *)))) {
		Py_DECREF(seq);
		return PyErr_NoMemory();
	}
	for (i = 0; i < n; i++) {
		const char *s = PyUnicode_AsUTF8AndSize(PyTuple_GetItem(seq, i), NULL);
		if (!s || !(given[i] = strdup(s))) {
			if (s)
				PyErr_NoMemory();
			goto done;
		}
	}
	hfds_error_init(&err);
	if (workers > 0)
		hfds_hub_set_upload_workers(h->hub, (unsigned)workers);
	ext_watch_init(&ctx.watch, progress);
	ctx.batches = o.batches;
	ctx.published = 0;
	o.on_event = chess_event;
	o.cancelled = chess_cancelled;
	o.ctx = &ctx;
	Py_BEGIN_ALLOW_THREADS
	rc = hfds_chess_expand_paths(&paths, &npaths, given, (size_t)n, 1, &err);
	if (rc == 0)
		rc = hfds_chess_publish(h->hub, paths, npaths, &o, &res, &err);
	Py_END_ALLOW_THREADS
	if (ext_watch_end(&ctx.watch) < 0)
		goto done; /* KeyboardInterrupt (or what a signal handler raised) */
	if (rc < 0) {
		ext_raise(rc, &err);
		goto done;
	}
done:
	hfds_chess_paths_free(paths);
	for (i = 0; i < n; i++)
		free(given[i]);
	free(given);
	Py_DECREF(seq);
	if (PyErr_Occurred())
		return NULL;
	return Py_BuildValue("{sKsKsKsKsssKsK}", "existing", (unsigned long long)res.existing, "batches",
		(unsigned long long)res.batches, "rows_train", (unsigned long long)res.rows_train, "rows_test",
		(unsigned long long)res.rows_test, "sha", res.last_sha, "games", (unsigned long long)res.stats.games,
		"positions", (unsigned long long)res.stats.positions);
}

static PyMethodDef hub_methods[] = {
	{"chess_push", (PyCFunction)(void (*)(void))hub_chess_push, METH_VARARGS | METH_KEYWORDS,
		"Samples PGN and publishes numbered batches (hfds_chess_publish)."},
	{"stage", hub_stage, METH_NOARGS, "A fresh staging folder for a Writer."},
	{"unstage", hub_unstage, METH_NOARGS, "Removes the staging folder."},
	{"attach", (PyCFunction)(void (*)(void))hub_attach, METH_VARARGS | METH_KEYWORDS,
		"Attaches a Writer to a repository (uploads while writing)."},
	{"publish", (PyCFunction)(void (*)(void))hub_publish, METH_VARARGS | METH_KEYWORDS,
		"Commits the attached Writer."},
	{"delete_config", (PyCFunction)(void (*)(void))hub_delete_config, METH_VARARGS | METH_KEYWORDS,
		"Deletes a config."},
	{"purge", (PyCFunction)(void (*)(void))hub_purge, METH_VARARGS | METH_KEYWORDS, "Deletes every file."},
	{"resolve", hub_resolve, METH_VARARGS, "Commit of a revision."},
	{"files", hub_files, METH_VARARGS, "Every file at a revision."},
	{"split_files", hub_split_files, METH_VARARGS, "Files of a split."},
	{"read_files", hub_read_files, METH_VARARGS, "Stream over repository Parquet files."},
	{"create_repo", hub_create_repo, METH_VARARGS, "Creates a dataset repository."},
	{"delete_repo", hub_delete_repo, METH_VARARGS, "Deletes a dataset repository."},
	{"create_tag", hub_create_tag, METH_VARARGS, "Tags a revision."},
	{"create_branch", hub_create_branch, METH_VARARGS, "Creates a branch."},
	{"log", hub_log, METH_VARARGS, "History of a revision."},
	{NULL, NULL, 0, NULL}
};

static PyGetSetDef hub_getset[] = {
	{"where", hub_where, NULL, "How the target was chosen.", NULL},
	{"base", hub_base, NULL, "Endpoint URL or hub directory.", NULL},
	{"remote", hub_remote, NULL, "True for an HTTP hub.", NULL},
	{NULL, NULL, NULL, NULL, NULL}
};

static PyType_Slot hub_slots[] = {
	{Py_tp_new, hub_new},
	{Py_tp_dealloc, hub_dealloc},
	{Py_tp_methods, hub_methods},
	{Py_tp_getset, hub_getset},
	{Py_tp_doc, "A hub handle (see hfds.push_to_hub)."},
	{0, NULL}
};

static PyType_Spec hub_spec = {"hfds._hfds.Hub", sizeof(hub_obj), 0, Py_TPFLAGS_DEFAULT, hub_slots};

int ext_hub_type_init(PyObject *m)
{
	return ext_add_type(m, &hub_spec, &hub_type);
}
