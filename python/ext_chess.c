/*
 * hfds._hfds.chess_sample: positions sampled from PGN sources by the library's samplers
 * (hfds_chess_sample), as a Stream of chesspos rows (hfds_chess_rows_batch). The 69-byte
 * token vectors are gathered first (69 bytes per position; `limit` caps them), then cut into
 * batches on demand, so the Arrow rows of only one batch exist at a time.
 */
#include "ext.h"

#include <stdlib.h>
#include <string.h>

#include "hfds/arrow.h"
#include "hfds/chess.h"

typedef struct tokens {
	int8_t *data;
	size_t n, cap, limit, pos;
	int window;
	size_t batch_rows;
	hfds_arrow_builder *b;
} tokens;

static int on_position(void *ctx, const hfds_chess_position *p, hfds_error *err)
{
	tokens *t = ctx;
	if (t->limit && t->n >= t->limit)
		return HFDS_ECANCELLED;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 4096;
		int8_t *d = realloc(t->data, cap * HFDS_CHESS_TOKENS);
		if (!d)
			return hfds_error_set(err, HFDS_ENOMEM, "out of memory for %zu positions", cap);
		t->data = d;
		t->cap = cap;
	}
	hfds_chess_encode(p->board, t->data + t->n * HFDS_CHESS_TOKENS);
	t->n++;
	return 0;
}

static int next_batch(void *payload, struct ArrowArray *out, hfds_error *err)
{
	tokens *t = payload;
	size_t k = t->n - t->pos < t->batch_rows ? t->n - t->pos : t->batch_rows;
	int rc;
	if (!k)
		return HFDS_ITEROVER;
	rc = hfds_chess_rows_batch(out, t->b, t->data + t->pos * HFDS_CHESS_TOKENS, k, t->window, err);
	if (rc == 0)
		t->pos += k;
	return rc;
}

static void tokens_free(void *payload)
{
	tokens *t = payload;
	hfds_arrow_builder_free(t->b);
	free(t->data);
	free(t);
}

/* chess_sample(paths, sampler="ply-curve", seed=0, min_elo=2000, subsample=0.33, min_ply=0,
 *              max_ply=0, window=1, batch_rows=65536, limit=0) -> (Stream, stats dict) */
PyObject *ext_chess_sample(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"paths", "sampler", "seed", "min_elo", "subsample", "min_ply", "max_ply",
		"window", "batch_rows", "limit", NULL};
	PyObject *paths_obj, *seq = NULL, *r = NULL;
	const char *sampler = "ply-curve";
	unsigned long long seed = 0;
	long long limit = 0, batch_rows = 65536;
	int window = 1, rc = 0;
	hfds_chess_sample_opts o;
	hfds_chess_stats stats = {0};
	hfds_features *f = NULL;
	struct ArrowSchema schema = {0};
	struct ArrowArrayStream st = {0};
	char **given = NULL, **paths = NULL;
	size_t npaths = 0;
	Py_ssize_t i, n;
	tokens *t;
	hfds_error err;
	hfds_chess_sample_opts_init(&o);
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|sKddiiiLL", kwlist, &paths_obj, &sampler, &seed, &o.min_elo,
		    &o.subsample, &o.min_ply, &o.max_ply, &window, &batch_rows, &limit))
		return NULL;
	if ((o.sampler = hfds_chess_sampler_from_name(sampler)) < 0)
		return PyErr_Format(PyExc_ValueError, "unknown sampler '%s' (ply-curve, chesspos-v1, all)", sampler);
	if (window < 1 || batch_rows < 1 || limit < 0)
		return PyErr_Format(PyExc_ValueError, "window and batch_rows must be >= 1, limit >= 0");
	o.seed = seed;
	seq = PyUnicode_Check(paths_obj) ? PyTuple_Pack(1, paths_obj) : PySequence_Tuple(paths_obj);
	if (!seq)
		return NULL;
	n = PyTuple_Size(seq);
	if (!(t = calloc(1, sizeof(*t))) || !(given = calloc((size_t)n + 1, sizeof(char *)))) {
		free(t);
		Py_DECREF(seq);
		return PyErr_NoMemory();
	}
	for (i = 0; i < n; i++) {
		PyObject *p = PyOS_FSPath(PyTuple_GetItem(seq, i));
		const char *s = p ? PyUnicode_AsUTF8AndSize(p, NULL) : NULL;
		given[i] = s ? strdup(s) : NULL;
		Py_XDECREF(p);
		if (!given[i])
			goto done;
	}
	t->window = window;
	t->batch_rows = (size_t)batch_rows;
	t->limit = (size_t)limit;
	hfds_error_init(&err);
	Py_BEGIN_ALLOW_THREADS
	rc = hfds_chess_expand_paths(&paths, &npaths, given, (size_t)n, 1, &err);
	if (rc == 0)
		rc = hfds_chess_sample(paths, npaths, &o, on_position, t, NULL, &stats, &err);
	if (rc == 0)
		rc = hfds_chess_features_new(&f, window, &err);
	if (rc == 0)
		rc = hfds_features_to_arrow_schema(&schema, f, HFDS_FEATURES_ARROW_HF_METADATA, &err);
	if (rc == 0)
		rc = hfds_arrow_builder_new(&t->b, &schema, &err);
	if (rc == 0) {
		/* the stream owns t from here, even when it fails */
		rc = hfds_arrow_stream_init(&st, &schema, next_batch, t, tokens_free, &err);
		t = NULL;
	}
	Py_END_ALLOW_THREADS
	if (rc < 0) {
		ext_raise(rc, &err);
		goto done;
	}
	{
		PyObject *sobj = ext_stream_new(&st, NULL);
		if (sobj)
			r = Py_BuildValue("(N{sKsKsKsKsK})", sobj, "games", (unsigned long long)stats.games, "positions",
				(unsigned long long)stats.positions, "plies", (unsigned long long)stats.plies, "bad_games",
				(unsigned long long)stats.bad_games, "bytes", (unsigned long long)stats.bytes);
	}
done:
	if (t)
		tokens_free(t);
	if (schema.release)
		schema.release(&schema);
	hfds_features_free(f);
	hfds_chess_paths_free(paths);
	for (i = 0; given && i < n; i++)
		free(given[i]);
	free(given);
	Py_DECREF(seq);
	return r;
}
