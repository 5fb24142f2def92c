/*
 * A commit over HTTP (hub-protocol.md §3): preupload says how each added file travels
 * (inline or LFS, or ignored); the LFS batch API says which objects the server lacks, so a
 * rerun sends nothing it already has; missing objects go up by basic PUT or multipart
 * (parts in parallel on `workers` connections; to a server on this machine each object's
 * parts in order on one of them, see hfds_hub__loopback), then completion and verify; finally one
 * NDJSON commit with parentCommit. The commit itself is never blindly retried: when its
 * answer is lost (reset, timeout, 5xx) the branch is read first, and a head that moved to a
 * commit with our title is taken as ours, so a retry never makes a duplicate commit.
 *
 * No empty commits, decided here as huggingface_hub's create_commit does (the Hub itself
 * makes empty commits): an addition whose path already holds the same content is dropped
 * (preupload's `oid`: the git blob sha1 of a regular file, the sha256 of an LFS one; for
 * objects uploaded ahead of the commit, paths-info's), unless the commit also deletes its
 * path; when nothing is left (no changed addition, no deletion, no copy) no commit is sent
 * and the branch head is the answer (hfds_hub_commit returns 1).
 */
#include "hub/http_backend.h"
#include "hub/target.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/base64.h"
#include "util/pool.h"
#include "util/sha256.h"
#include "util/try.h"

#define PREUPLOAD_CHUNK 256
#define BATCH_CHUNK 256
#define REGULAR_MAX (64u << 20)

typedef struct add {
	const hfds_hub_op *op;
	const char *path;
	int fd;                    /* ADD_FILE */
	const uint8_t *mem;        /* ADD_BUFFER, or a copied regular file's content */
	uint8_t *owned;            /* content read for a copy */
	uint64_t size;
	char sha[HFDS_SHA256_HEX_SIZE];
	int lfs, ignore, copy_lfs;
	int same;                  /* the path already holds this content: left out of the commit */
	char remote[65];           /* preupload's oid for the path ("" when new) */
	hub_lfs_action act;
	char **etags;              /* multipart: one per part */
} add;

typedef struct put_job {
	add *a;
	const char *url;
	uint64_t off, len;
	size_t part;               /* 1-based for multipart parts, 0 for a basic PUT */
} put_job;

typedef struct put_pool {
	httpb *h;
	put_job *jobs;
	size_t count, next;
	int whole_objects;         /* a worker takes all parts of an object, in order (loopback) */
	pthread_mutex_t mu;
	int rc;
	hfds_error err;
} put_pool;

static void release_adds(add *adds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (adds[i].fd >= 0)
			close(adds[i].fd);
		hfds_free(adds[i].owned);
		for (size_t k = 0; adds[i].etags && k < adds[i].act.parts; k++)
			hfds_free(adds[i].etags[k]);
		hfds_free(adds[i].etags);
		hub_lfs_action_release(&adds[i].act);
	}
	hfds_free(adds);
}

/* Size and sha256 of an addition (hashed unless the caller vouched for it), fd opened. */
static int prepare(add *a, hfds_error *err)
{
	const hfds_hub_op *op = a->op;
	struct stat sb;
	uint8_t digest[32];
	int rc = 0;
	if (op->kind == HFDS_HUB_OP_ADD_BUFFER) {
		a->mem = op->data;
		a->size = op->len;
		HFDS_TRY(hfds_sha256_buffer(op->data, op->len, digest, err));
		hfds_sha256_hex(digest, a->sha);
		return 0;
	}
	a->fd = open(op->local_path, O_RDONLY | O_CLOEXEC);
	HFDS_FAIL_IF(a->fd < 0, errno == ENOENT ? HFDS_ENOTFOUND : HFDS_EIO, err, "%s: %s", op->local_path,
		strerror(errno));
	HFDS_FAIL_IF(fstat(a->fd, &sb) < 0 || !S_ISREG(sb.st_mode), HFDS_EIO, err, "%s: not a regular file",
		op->local_path);
	a->size = (uint64_t)sb.st_size;
	if (op->sha256_hex && strlen(op->sha256_hex) == 64) {
		HFDS_FAIL_IF(op->size != a->size, HFDS_EINVAL, err, "%s: %llu bytes, not the %llu given", op->local_path,
			(unsigned long long)a->size, (unsigned long long)op->size);
		memcpy(a->sha, op->sha256_hex, 65);
	} else {
		HFDS_TRY(hfds_sha256_file(op->local_path, digest, &a->size, err));
		hfds_sha256_hex(digest, a->sha);
	}
done:
	return rc;
}

/* prepare() of every addition. Hashing is the client's whole work before the first byte
 * can be offered (preupload and the LFS batch need each sha256), one core per file at
 * SHA-NI speed (~1.8 GB/s): a folder of several large shards is hashed on all cores, one
 * file per worker. The first failure in addition order is reported, as the serial loop did. */
typedef struct prep_job {
	add *adds;
	int *rc;
	hfds_error *errs;
} prep_job;

static void prepare_one(void *arg, size_t i)
{
	prep_job *j = arg;
	hfds_error_init(&j->errs[i]);
	j->rc[i] = prepare(&j->adds[i], &j->errs[i]);
}

static int prepare_all(add *adds, size_t n, hfds_error *err)
{
	size_t i, hashed = 0;
	int rc = 0, threads;
	hfds_pool *pool = NULL;
	prep_job j = {adds, NULL, NULL};
	for (i = 0; i < n; i++)
		hashed += adds[i].op->kind != HFDS_HUB_OP_ADD_BUFFER &&
			!(adds[i].op->sha256_hex && strlen(adds[i].op->sha256_hex) == 64);
	threads = hfds_cpu_count() < (int)hashed ? hfds_cpu_count() : (int)hashed;
	if (threads < 2) {
		for (i = 0; i < n; i++)
			HFDS_TRY(prepare(&adds[i], err));
		return 0;
	}
	j.rc = hfds_calloc(n, sizeof(*j.rc));
	j.errs = hfds_calloc(n, sizeof(*j.errs));
	HFDS_FAIL_IF(!j.rc || !j.errs, HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(hfds_pool_new(&pool, threads, err));
	hfds_pool_run(pool, n, prepare_one, &j);
	for (i = 0; i < n && !rc; i++)
		if (j.rc[i] < 0)
			rc = hfds_error_set(err, j.rc[i], "%s", j.errs[i].message);
done:
	hfds_pool_free(pool);
	hfds_free(j.rc);
	hfds_free(j.errs);
	return rc;
}

/* Up to n bytes from offset of an addition's content. */
static int read_at(const add *a, uint8_t *dst, uint64_t off, size_t n, hfds_error *err)
{
	size_t got = 0;
	if (a->mem) {
		memcpy(dst, a->mem + off, n);
		return 0;
	}
	while (got < n) {
		ssize_t r = pread(a->fd, dst + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return hfds_error_set(err, HFDS_EIO, "%s: short read: %s", a->op->local_path, r < 0 ? strerror(errno)
				: "the file shrank");
		got += (size_t)r;
	}
	return 0;
}

static int preupload(httpb *h, hfds_repo_type type, const char *id, const char *rev, add *adds, size_t n,
	char head[HFDS_OID_HEX_SIZE], hfds_error *err)
{
	hfds_buf url;
	hub_resp rs;
	json_t *body = NULL, *files;
	const char **paths = NULL;
	hub_preupload *modes = NULL;
	uint8_t sample[512];
	int rc = 0;
	hfds_buf_init(&url, 0);
	memset(&rs, 0, sizeof(rs));
	HFDS_TRY(hub_api_url(&url, h, type, id, "preupload", rev, NULL, err));
	paths = hfds_calloc(PREUPLOAD_CHUNK, sizeof(*paths));
	modes = hfds_calloc(PREUPLOAD_CHUNK, sizeof(*modes));
	HFDS_FAIL_IF(!paths || !modes, HFDS_ENOMEM, err, "out of memory");
	for (size_t at = 0; at < n; at += PREUPLOAD_CHUNK) {
		size_t m = n - at < PREUPLOAD_CHUNK ? n - at : PREUPLOAD_CHUNK;
		body = json_object();
		files = json_array();
		HFDS_FAIL_IF(!body || !files, HFDS_ENOMEM, err, "out of memory");
		json_object_set_new(body, "files", files);
		for (size_t i = 0; i < m; i++) {
			add *a = &adds[at + i];
			size_t k = a->size < sizeof(sample) ? (size_t)a->size : sizeof(sample);
			char b64[700];
			HFDS_TRY(read_at(a, sample, 0, k, err));
			hfds_base64_encode(b64, sample, k);
			b64[hfds_base64_encoded_len(k)] = '\0';
			json_array_append_new(files, json_pack("{sssssI}", "path", a->path, "sample", b64, "size",
				(json_int_t)a->size));
			paths[i] = a->path;
		}
		HFDS_TRY(hub_call(h, "POST", (const char *)url.data, body, NULL, NULL, 0, 1, &rs, "preupload", err));
		HFDS_TRY(hub_parse_preupload(modes, paths, m, (const char *)rs.body.data, rs.body.len, head, err));
		for (size_t i = 0; i < m; i++) {
			adds[at + i].lfs = modes[i].lfs && adds[at + i].size > 0;   /* empty files are regular */
			adds[at + i].ignore = modes[i].ignore;
			memcpy(adds[at + i].remote, modes[i].oid, sizeof(adds[at + i].remote));
		}
		json_decref(body);
		body = NULL;
		hub_resp_release(&rs);
	}
done:
	json_decref(body);
	hub_resp_release(&rs);
	hfds_buf_release(&url);
	hfds_free(paths);
	hfds_free(modes);
	return rc;
}

/* The LFS batch API for the LFS additions: who needs uploading and where. */
static int lfs_batch(httpb *h, hfds_repo_type type, const char *id, const char *rev, add **lfs, size_t n,
	hfds_error *err)
{
	hfds_buf url;
	hub_resp rs;
	json_t *body = NULL, *objs;
	const char **oids = NULL;
	uint64_t *sizes = NULL;
	hub_lfs_action *acts = NULL;
	int rc = 0;
	hfds_buf_init(&url, 0);
	memset(&rs, 0, sizeof(rs));
	HFDS_TRY(hfds_buf_printf(&url, err, "%s/%s%s.git/info/lfs/objects/batch", h->cfg.endpoint,
		hub_git_prefix(type), id));
	HFDS_TRY(hfds_buf_cstr(&url, err));
	oids = hfds_calloc(BATCH_CHUNK, sizeof(*oids));
	sizes = hfds_calloc(BATCH_CHUNK, sizeof(*sizes));
	acts = hfds_calloc(BATCH_CHUNK, sizeof(*acts));
	HFDS_FAIL_IF(!oids || !sizes || !acts, HFDS_ENOMEM, err, "out of memory");
	for (size_t at = 0; at < n; at += BATCH_CHUNK) {
		size_t m = n - at < BATCH_CHUNK ? n - at : BATCH_CHUNK;
		char *text;
		body = json_pack("{ss s[ss] ss s{ss}}", "operation", "upload", "transfers", "basic", "multipart",
			"hash_algo", "sha256", "ref", "name", rev);
		objs = json_array();
		HFDS_FAIL_IF(!body || !objs, HFDS_ENOMEM, err, "out of memory");
		json_object_set_new(body, "objects", objs);
		for (size_t i = 0; i < m; i++) {
			oids[i] = lfs[at + i]->sha;
			sizes[i] = lfs[at + i]->size;
			json_array_append_new(objs, json_pack("{sssI}", "oid", oids[i], "size", (json_int_t)sizes[i]));
		}
		text = json_dumps(body, JSON_COMPACT);
		HFDS_FAIL_IF(!text, HFDS_ENOMEM, err, "out of memory");
		rc = hub_call(h, "POST", (const char *)url.data, NULL, "application/vnd.git-lfs+json", text, strlen(text), 1,
			&rs, "lfs batch", err);
		free(text);
		HFDS_TRY(rc);
		memset(acts, 0, BATCH_CHUNK * sizeof(*acts));
		rc = hub_parse_lfs_batch(acts, oids, sizes, m, (const char *)rs.body.data, rs.body.len, err);
		for (size_t i = 0; i < m; i++) {
			if (rc == 0)
				lfs[at + i]->act = acts[i];
			else
				hub_lfs_action_release(&acts[i]);
		}
		HFDS_TRY(rc);
		json_decref(body);
		body = NULL;
		hub_resp_release(&rs);
	}
done:
	json_decref(body);
	hub_resp_release(&rs);
	hfds_buf_release(&url);
	hfds_free(oids);
	hfds_free(sizes);
	hfds_free(acts);
	return rc;
}

static int put_one(hub_conn *c, put_job *j, hfds_error *err)
{
	hub_req rq;
	hub_resp rs;
	int rc = 0;
	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	rq.method = "PUT";
	rq.url = j->url;
	rq.retry = 1;
	rq.fd = j->a->mem ? -1 : j->a->fd;
	rq.file_off = j->off;
	rq.file_len = j->len;
	if (j->a->mem) {
		rq.body = j->a->mem + j->off;
		rq.body_len = (size_t)j->len;
	}
	rq.content_type = "application/octet-stream";
	HFDS_TRY(hub_http_do(c, &rq, &rs, err));
	if (rs.status < 200 || rs.status > 299)
		HFDS_TRY(hub_http_fail(c, &rs, j->a->path, err));
	if (j->part) {
		HFDS_FAIL_IF(!rs.etag[0], HFDS_ERROR, err, "%s: part %zu: the answer has no ETag", j->a->path, j->part);
		HFDS_FAIL_IF(!(j->a->etags[j->part - 1] = hfds_strdup(rs.etag)), HFDS_ENOMEM, err, "out of memory");
	}
done:
	hub_resp_release(&rs);
	return rc;
}

static void *put_worker(void *arg)
{
	put_pool *p = arg;
	hub_conn *c = NULL;
	hfds_error e;
	int rc;
	hfds_error_init(&e);
	rc = hub_conn_new(&c, &p->h->cfg, &e);
	for (;;) {
		size_t k, end;
		pthread_mutex_lock(&p->mu);
		if (rc < 0 && p->rc == 0) {
			p->rc = rc;
			p->err = e;
		}
		k = p->rc == 0 ? p->next : p->count;
		end = k < p->count ? k + 1 : k;
		while (p->whole_objects && end < p->count && p->jobs[end].a == p->jobs[k].a)
			end++;   /* an object's parts are contiguous in jobs */
		if (p->rc == 0)
			p->next = end;
		pthread_mutex_unlock(&p->mu);
		if (k >= p->count)
			break;
		for (; k < end && rc == 0; k++)
			rc = put_one(c, &p->jobs[k], &e);
	}
	hub_conn_free(c);
	return NULL;
}

/* Runs the PUTs on up to `workers` threads, each with its own connection. */
static int run_puts(httpb *h, put_job *jobs, size_t n, hfds_error *err)
{
	put_pool p;
	pthread_t th[64];
	size_t k, started = 0, want = n < h->workers ? n : h->workers;
	memset(&p, 0, sizeof(p));
	p.h = h;
	p.jobs = jobs;
	p.count = n;
	p.whole_objects = hfds_hub__loopback(h->cfg.endpoint);
	pthread_mutex_init(&p.mu, NULL);
	if (want > 64)
		want = 64;
	for (k = 0; k < want; k++)
		started += pthread_create(&th[started], NULL, put_worker, &p) == 0;
	if (!started && n)
		put_worker(&p);
	for (k = 0; k < started; k++)
		pthread_join(th[k], NULL);
	pthread_mutex_destroy(&p.mu);
	if (p.rc < 0)
		return hfds_error_set(err, p.rc, "%s", p.err.message);
	return 0;
}

/* Completion of a multipart upload, then verify when offered. */
static int finish_object(httpb *h, add *a, hfds_error *err)
{
	hub_req rq;
	hub_resp rs;
	json_t *o = NULL, *parts;
	char *text = NULL;
	int rc = 0;
	memset(&rs, 0, sizeof(rs));
	memset(&rq, 0, sizeof(rq));
	rq.fd = -1;
	rq.retry = 1;
	rq.method = "POST";
	rq.content_type = "application/vnd.git-lfs+json";
	rq.accept = "application/vnd.git-lfs+json";
	if (a->act.chunk_size) {
		o = json_pack("{ss}", "oid", a->sha);
		parts = json_array();
		HFDS_FAIL_IF(!o || !parts, HFDS_ENOMEM, err, "out of memory");
		json_object_set_new(o, "parts", parts);
		for (size_t i = 0; i < a->act.parts; i++)
			json_array_append_new(parts, json_pack("{sIss}", "partNumber", (json_int_t)(i + 1), "etag", a->etags[i]));
		HFDS_FAIL_IF(!(text = json_dumps(o, JSON_COMPACT)), HFDS_ENOMEM, err, "out of memory");
		rq.url = a->act.upload_href;
		rq.body = text;
		rq.body_len = strlen(text);
		HFDS_TRY(hub_http_do(h->conn, &rq, &rs, err));
		if (rs.status < 200 || rs.status > 299)
			HFDS_TRY(hub_http_fail(h->conn, &rs, a->path, err));
		json_decref(o);
		o = NULL;
		free(text);
		text = NULL;
	}
	if (a->act.verify_href) {
		o = json_pack("{sssI}", "oid", a->sha, "size", (json_int_t)a->size);
		HFDS_FAIL_IF(!o || !(text = json_dumps(o, JSON_COMPACT)), HFDS_ENOMEM, err, "out of memory");
		rq.url = a->act.verify_href;
		rq.body = text;
		rq.body_len = strlen(text);
		rq.auth = 1;   /* the client's token, and only to the endpoint's host */
		HFDS_TRY(hub_http_do(h->conn, &rq, &rs, err));
		if (rs.status < 200 || rs.status > 299)
			HFDS_TRY(hub_http_fail(h->conn, &rs, a->path, err));
	}
done:
	json_decref(o);
	free(text);
	hub_resp_release(&rs);
	return rc;
}

/* Uploads what the server lacks: basic objects and multipart parts in one parallel pool. */
static int upload_lfs(httpb *h, add **lfs, size_t n, hfds_error *err)
{
	put_job *jobs = NULL;
	size_t total = 0, k = 0;
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		if (lfs[i]->act.upload_href)
			total += lfs[i]->act.chunk_size ? lfs[i]->act.parts : 1;
	if (!total)
		return 0;
	jobs = hfds_calloc(total, sizeof(*jobs));
	HFDS_FAIL_IF(!jobs, HFDS_ENOMEM, err, "out of memory");
	for (size_t i = 0; i < n; i++) {
		add *a = lfs[i];
		if (!a->act.upload_href)
			continue;
		if (!a->act.chunk_size) {
			jobs[k++] = (put_job){a, a->act.upload_href, 0, a->size, 0};
			continue;
		}
		a->etags = hfds_calloc(a->act.parts + 1, sizeof(char *));
		HFDS_FAIL_IF(!a->etags, HFDS_ENOMEM, err, "out of memory");
		for (size_t p = 0; p < a->act.parts; p++) {
			uint64_t off = (uint64_t)p * a->act.chunk_size;
			uint64_t len = a->size - off < a->act.chunk_size ? a->size - off : a->act.chunk_size;
			jobs[k++] = (put_job){a, a->act.part_hrefs[p], off, len, p + 1};
		}
	}
	HFDS_TRY(run_puts(h, jobs, k, err));
	for (size_t i = 0; i < n; i++)
		if (lfs[i]->act.upload_href || lfs[i]->act.verify_href)
			HFDS_TRY(finish_object(h, lfs[i], err));
done:
	hfds_free(jobs);
	return rc;
}

/* A copy: LFS content by reference, a regular file's bytes read and re-sent. */
static int prepare_copy(hfds_hub *hub, hfds_repo_type type, const char *id, add *a, const char *base,
	hfds_error *err)
{
	httpb *h = hub->impl;
	hfds_store_tree t;
	const char *rev = a->op->src_rev ? a->op->src_rev : base;
	size_t n = 0;
	int rc = 0;
	memset(&t, 0, sizeof(t));
	HFDS_TRY(hub_paths_info(h, type, id, rev, &a->op->src_path, 1, &t, err));
	HFDS_FAIL_IF(t.count != 1 || t.items[0].is_dir, HFDS_ENOTFOUND, err, "%s: no such file at %s to copy",
		a->op->src_path, rev);
	a->size = t.items[0].size;
	if (t.items[0].is_lfs) {
		a->copy_lfs = a->lfs = 1;
		memcpy(a->sha, t.items[0].lfs_sha256, sizeof(a->sha));
	} else {
		HFDS_TRY(hub->be->read(&a->owned, &n, hub, type, id, rev, a->op->src_path, 0, UINT64_MAX, REGULAR_MAX, err));
		a->mem = a->owned;
		a->size = n;
	}
done:
	hub_tree_release(&t);
	return rc;
}

/* git's blob id of a regular addition (preupload's oid of a regular file); "" for one too
 * large to be regular (it then counts as changed). */
static int blob_id(const add *a, char hex[41], hfds_error *err)
{
	uint8_t *data = NULL;
	int rc = 0;
	hex[0] = '\0';
	if (a->size > REGULAR_MAX)
		return 0;
	data = hfds_malloc(a->size ? (size_t)a->size : 1);
	HFDS_FAIL_IF(!data, HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(read_at(a, data, 0, (size_t)a->size, err));
	HFDS_TRY(hub_git_blob_sha1(data, (size_t)a->size, hex, err));
done:
	hfds_free(data);
	return rc;
}

/* Marks the additions whose path already holds their content at `rev`: files asked about in
 * preupload by its oid, objects uploaded ahead of the commit (ADD_LFS) by paths-info. */
static int mark_unchanged(httpb *h, hfds_repo_type type, const char *id, const char *rev,
	const hfds_hub_commit_info *c, add *adds, size_t nadds, hfds_error *err)
{
	hfds_store_tree t;
	const char **paths = NULL;
	char sha1[41];
	size_t i, k, n = 0;
	int rc = 0;
	memset(&t, 0, sizeof(t));
	for (i = 0; i < nadds; i++) {
		add *a = &adds[i];
		if (a->ignore || hub_commit_deletes(c, a->path) || a->op->kind == HFDS_HUB_OP_COPY)
			continue;
		if (a->op->kind == HFDS_HUB_OP_ADD_LFS) {
			n++;
		} else if (a->remote[0] && a->lfs) {
			a->same = !strcasecmp(a->remote, a->sha);
		} else if (a->remote[0]) {
			HFDS_TRY(blob_id(a, sha1, err));
			a->same = !strcmp(a->remote, sha1);
		}
	}
	if (!n)
		goto done;
	paths = hfds_calloc(n, sizeof(*paths));
	HFDS_FAIL_IF(!paths, HFDS_ENOMEM, err, "out of memory");
	for (i = 0, n = 0; i < nadds; i++)
		if (adds[i].op->kind == HFDS_HUB_OP_ADD_LFS && !hub_commit_deletes(c, adds[i].path))
			paths[n++] = adds[i].path;
	HFDS_TRY(hub_paths_info(h, type, id, rev, paths, n, &t, err));
	for (k = 0; k < t.count; k++)
		for (i = 0; i < nadds; i++)
			if (adds[i].op->kind == HFDS_HUB_OP_ADD_LFS && !adds[i].same && !strcmp(adds[i].path, t.items[k].path)) {
				adds[i].same = !t.items[k].is_dir && t.items[k].is_lfs && !strcasecmp(t.items[k].lfs_sha256, adds[i].sha)
					&& !hub_commit_deletes(c, adds[i].path);
				break;
			}
done:
	hfds_free(paths);
	hub_tree_release(&t);
	return rc;
}

/* Nothing to send: every addition ignored or unchanged, no deletion, no copy. */
static int nothing_changes(const hfds_hub_commit_info *c, const add *adds, size_t nadds)
{
	for (size_t i = 0; i < c->count; i++)
		if (c->ops[i].kind == HFDS_HUB_OP_DELETE || c->ops[i].kind == HFDS_HUB_OP_COPY)
			return 0;
	for (size_t i = 0; i < nadds; i++)
		if (!adds[i].ignore && !adds[i].same)
			return 0;
	return 1;
}

static int ndjson_line(hfds_buf *b, const char *key, json_t *value, hfds_error *err)
{
	json_t *line = json_pack("{ssso}", "key", key, "value", value);
	char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;
	int rc = text ? hfds_buf_printf(b, err, "%s\n", text) : hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	free(text);
	json_decref(line);
	return rc;
}

/* A regular file's line: its whole content in base64. */
static int file_line(hfds_buf *b, const add *a, hfds_error *err)
{
	hfds_buf b64;
	uint8_t *data = NULL;
	int rc = 0;
	hfds_buf_init(&b64, 0);
	HFDS_FAIL_IF(a->size > REGULAR_MAX, HFDS_ELIMIT, err, "%s: %llu bytes is too large for a regular file",
		a->path, (unsigned long long)a->size);
	data = hfds_malloc(a->size ? (size_t)a->size : 1);
	HFDS_FAIL_IF(!data, HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(read_at(a, data, 0, (size_t)a->size, err));
	HFDS_TRY(hfds_base64_append(&b64, data, (size_t)a->size, err));
	HFDS_TRY(ndjson_line(b, "file", json_pack("{sss s#ss}", "path", a->path, "content", (const char *)b64.data,
		(int)b64.len, "encoding", "base64"), err));
done:
	hfds_free(data);
	hfds_buf_release(&b64);
	return rc;
}

static int by_op(const void *x, const void *y)
{
	const hfds_hub_op *a = (*(add *const *)x)->op, *b = (*(add *const *)y)->op;
	return a < b ? -1 : a > b;
}

/* Deletions, then the additions in the caller's order (as huggingface_hub writes them), not
 * in the order they were prepared: objects uploaded before the commit (ADD_LFS) keep their
 * place, so a README.md given last stays last. */
static int build_ndjson(hfds_buf *b, const hfds_hub_commit_info *c, add *adds, size_t nadds, hfds_error *err)
{
	int rc = 0;
	add **order = NULL;
	json_t *hdr = json_pack("{ssss}", "summary", c->title, "description", c->description ? c->description : "");
	HFDS_FAIL_IF(!hdr, HFDS_ENOMEM, err, "out of memory");
	if (c->parent)
		json_object_set_new(hdr, "parentCommit", json_string(c->parent));
	HFDS_TRY(ndjson_line(b, "header", hdr, err));
	for (size_t i = 0; i < c->count; i++)
		if (c->ops[i].kind == HFDS_HUB_OP_DELETE)
			HFDS_TRY(ndjson_line(b, "deletedFile", json_pack("{ss}", "path", c->ops[i].path), err));
	order = hfds_calloc(nadds + 1, sizeof(*order));
	HFDS_FAIL_IF(!order, HFDS_ENOMEM, err, "out of memory");
	for (size_t i = 0; i < nadds; i++)
		order[i] = &adds[i];
	qsort(order, nadds, sizeof(*order), by_op);
	for (size_t i = 0; i < nadds; i++) {
		add *a = order[i];
		if (a->ignore || a->same)
			continue;
		if (a->lfs)
			HFDS_TRY(ndjson_line(b, "lfsFile", json_pack("{sssssssI}", "path", a->path, "algo", "sha256", "oid",
				a->sha, "size", (json_int_t)a->size), err));
		else
			HFDS_TRY(file_line(b, a, err));
	}
done:
	hfds_free(order);
	return rc;
}

/* After a lost answer: the branch's head, and whether its newest commit is ours. */
static int landed(hfds_hub *hub, hfds_repo_type type, const char *id, const char *branch, const char *before,
	const char *title, char sha[HFDS_OID_HEX_SIZE])
{
	hfds_store_log *log = NULL;
	int ours = 0;
	if (hub->be->log(&log, hub, type, id, branch, 1, NULL) == 0 && log->count == 1 &&
	    strcmp(log->items[0].id, before) != 0 && !strcmp(log->items[0].title, title)) {
		memcpy(sha, log->items[0].id, HFDS_OID_HEX_SIZE);
		ours = 1;
	}
	hfds_store_log_free(log);
	return ours;
}

static int post_commit(hfds_hub *hub, hfds_repo_type type, const char *id, const hfds_hub_commit_info *c,
	const char *branch, const char *head, const hfds_buf *body, char sha[HFDS_OID_HEX_SIZE], hfds_error *err)
{
	httpb *h = hub->impl;
	hfds_store_repo_info info;
	hfds_buf url;
	hub_req rq;
	hub_resp rs;
	unsigned k;
	int rc = 0;
	hfds_buf_init(&url, 0);
	memset(&rs, 0, sizeof(rs));
	memset(&rq, 0, sizeof(rq));
	/* the head before (preupload's commitOid, else asked), to recognise our commit if its
	 * answer is lost */
	if (head[0])
		memcpy(info.sha, head, sizeof(info.sha));
	else
		HFDS_TRY(hub->be->repo_info(&info, hub, type, id, branch, err));
	HFDS_TRY(hub_api_url(&url, h, type, id, "commit", branch, NULL, err));
	if (c->create_pr) {
		HFDS_TRY(hfds_buf_printf(&url, err, "?create_pr=1"));
		HFDS_TRY(hfds_buf_cstr(&url, err));
	}
	rq.method = "POST";
	rq.url = (const char *)url.data;
	rq.fd = -1;
	rq.auth = 1;
	rq.fresh = 1;
	rq.content_type = "application/x-ndjson";
	rq.accept = "application/json";
	rq.body = body->data;
	rq.body_len = body->len;
	for (k = 1;; k++) {
		int lost;
		hfds_error e;
		hfds_error_init(&e);
		rc = hub_http_do(h->conn, &rq, &rs, &e);   /* retry = 0: one attempt */
		lost = rc == HFDS_ENET || (rc == 0 && (rs.status == 500 || rs.status == 502 || rs.status == 503 ||
			rs.status == 504));
		if (rc == 0 && rs.status >= 200 && rs.status <= 299) {
			rc = hub_parse_commit(sha, (const char *)rs.body.data, rs.body.len, err);
			break;
		}
		if (lost && !c->create_pr && landed(hub, type, id, branch, info.sha, c->title, sha)) {
			rc = 0;
			break;
		}
		if ((!lost && !(rc == 0 && (rs.status == 429 || rs.status == 408))) || k >= h->cfg.attempts) {
			if (rc == 0)
				rc = hub_http_fail(h->conn, &rs, "commit", err);
			else
				hfds_error_set(err, rc, "%s", e.message);
			break;
		}
		{
			double s = rs.retry_after >= 0 ? rs.retry_after : h->cfg.base_delay_ms / 1000.0 * (1u << (k < 4 ? k - 1 : 3));
			struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
			__atomic_fetch_add(&h->cfg.retries, 1, __ATOMIC_RELAXED);
			nanosleep(&ts, NULL);
		}
	}
done:
	hub_resp_release(&rs);
	hfds_buf_release(&url);
	return rc;
}

int hub_http_commit(hfds_hub *hub, hfds_repo_type type, const char *id, const hfds_hub_commit_info *c,
	char out_sha[HFDS_OID_HEX_SIZE], hfds_error *err)
{
	httpb *h = hub->impl;
	const char *branch = c->branch ? c->branch : "main";
	add *adds = NULL, **lfs = NULL;
	size_t nadds = 0, nlfs = 0, i;
	hfds_buf body;
	char sha[HFDS_OID_HEX_SIZE] = "", base[HFDS_OID_HEX_SIZE] = "", head[HFDS_OID_HEX_SIZE] = "";
	int rc = 0;
	hfds_buf_init(&body, 0);
	if (hub->upload_workers)
		h->workers = hub->upload_workers;
	adds = hfds_calloc(c->count + 1, sizeof(*adds));
	lfs = hfds_calloc(c->count + 1, sizeof(*lfs));
	HFDS_FAIL_IF(!adds || !lfs, HFDS_ENOMEM, err, "out of memory");
	/* additions first (asked about in preupload), then objects already sent (LFS by
	 * construction), then copies (settled from the repo) */
	for (int pass = 0; pass < 3; pass++) {
		for (i = 0; i < c->count; i++) {
			const hfds_hub_op *op = &c->ops[i];
			int kind_pass = op->kind == HFDS_HUB_OP_ADD_LFS ? 1 : op->kind == HFDS_HUB_OP_COPY ? 2 : 0;
			if (op->kind == HFDS_HUB_OP_DELETE || kind_pass != pass)
				continue;
			adds[nadds].op = op;
			adds[nadds].path = op->path;
			adds[nadds].fd = -1;
			nadds++;
			if (pass == 0)
				continue;   /* prepared together below */
			if (pass == 1) {
				adds[nadds - 1].lfs = 1;
				adds[nadds - 1].size = op->size;
				memcpy(adds[nadds - 1].sha, op->sha256_hex, 64);
				adds[nadds - 1].sha[64] = '\0';
				continue;
			}
			if (!base[0] && c->parent) {
				snprintf(base, sizeof(base), "%s", c->parent);
			} else if (!base[0]) {
				hfds_store_repo_info info;
				HFDS_TRY(hub->be->repo_info(&info, hub, type, id, branch, err));
				memcpy(base, info.sha, sizeof(base));
			}
			HFDS_TRY(prepare_copy(hub, type, id, &adds[nadds - 1], base, err));
		}
		if (!pass && nadds) {
			HFDS_TRY(prepare_all(adds, nadds, err));
			HFDS_TRY(preupload(h, type, id, branch, adds, nadds, head, err));
		}
	}
	HFDS_TRY(mark_unchanged(h, type, id, c->parent ? c->parent : branch, c, adds, nadds, err));
	if (nothing_changes(c, adds, nadds)) {
		/* no commit: the branch head (preupload's commitOid, else asked) is the answer */
		if (!head[0]) {
			hfds_store_repo_info info;
			HFDS_TRY(hub->be->repo_info(&info, hub, type, id, branch, err));
			memcpy(head, info.sha, sizeof(head));
		}
		HFDS_FAIL_IF(c->parent && strncasecmp(head, c->parent, strlen(c->parent)) != 0, HFDS_ECONFLICT, err,
			"%s@%s: the branch was updated since parent commit %s (head is now %s)", id, branch, c->parent, head);
		if (out_sha)
			memcpy(out_sha, head, HFDS_OID_HEX_SIZE);
		rc = 1;
		goto done;
	}
	for (i = 0; i < nadds; i++)
		if (adds[i].lfs && !adds[i].ignore && !adds[i].same && !adds[i].copy_lfs)
			lfs[nlfs++] = &adds[i];
	if (nlfs) {
		HFDS_TRY(lfs_batch(h, type, id, branch, lfs, nlfs, err));
		/* an object said to be on the server must be there: the batch API is the check */
		for (i = 0; i < nlfs; i++)
			HFDS_FAIL_IF(lfs[i]->op->kind == HFDS_HUB_OP_ADD_LFS && lfs[i]->act.upload_href, HFDS_ENOTFOUND, err,
				"%s: the LFS object %s was uploaded earlier but the server does not have it", lfs[i]->path,
				lfs[i]->sha);
		HFDS_TRY(upload_lfs(h, lfs, nlfs, err));
	}
	HFDS_TRY(build_ndjson(&body, c, adds, nadds, err));
	HFDS_TRY(post_commit(hub, type, id, c, branch, head, &body, sha, err));
	if (out_sha)
		memcpy(out_sha, sha, HFDS_OID_HEX_SIZE);
done:
	release_adds(adds, nadds);
	hfds_free(lfs);
	hfds_buf_release(&body);
	return rc;
}

int hub_http_upload(hfds_hub *hub, hfds_repo_type type, const char *id, const char *branch, const char *path,
	const char *local_path, const char *sha256_hex, uint64_t size, int *stored, hfds_error *err)
{
	httpb *h = hub->impl;
	hfds_hub_op op;
	add *a = hfds_calloc(1, sizeof(*a));
	char head[HFDS_OID_HEX_SIZE] = "";
	int rc = 0;
	HFDS_FAIL_IF(!a, HFDS_ENOMEM, err, "out of memory");
	memset(&op, 0, sizeof(op));
	op.kind = HFDS_HUB_OP_ADD_FILE;
	op.path = path;
	op.local_path = local_path;
	op.sha256_hex = sha256_hex;
	op.size = size;
	a->op = &op;
	a->path = path;
	a->fd = -1;
	if (hub->upload_workers)
		h->workers = hub->upload_workers;
	HFDS_TRY(prepare(a, err));
	HFDS_TRY(preupload(h, type, id, branch, a, 1, head, err));
	if (a->lfs && !a->ignore && !strcasecmp(a->remote, a->sha)) {
		*stored = 1;   /* the path already holds the object: the server has it */
	} else if (a->lfs && !a->ignore) {
		HFDS_TRY(lfs_batch(h, type, id, branch, &a, 1, err));
		HFDS_TRY(upload_lfs(h, &a, 1, err));
		*stored = 1;
	}
done:
	if (a)
		release_adds(a, 1);
	return rc;
}
