/*
 * hfds download: a repository snapshot into the Hugging Face cache, so huggingface_hub and
 * datasets find it offline. The layout is huggingface_hub's file_download.py: blobs named by
 * the file's etag (sha256 for LFS, git blob sha1 otherwise), snapshots/<commit>/<path> as
 * relative symlinks to them, refs/<name> holding the commit. Every blob is checked before
 * it gets its final name, so a blob in the cache is always whole and right.
 */
#include "hfds/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stream/st_cache.h"
#include "util/alloc.h"
#include "util/sha256.h"
#include "util/try.h"

#define REQUEST (64u << 20)

typedef struct job {
	const char *endpoint, *repo_id;
	const char *repo_dir;            /* .../datasets--NS--NAME */
	const char *commit;
	hfds_store_entry **files;
	size_t count, next;
	pthread_mutex_t mu;
	hfds_error err;                  /* the first failure */
	hfds_download_report *rep;
} job;

static int mkdirs(const char *path, hfds_error *err)
{
	char buf[4096];
	size_t i, n = strlen(path);
	if (n >= sizeof(buf))
		return hfds_error_set(err, HFDS_EINVAL, "%s: path too long", path);
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++)
		if (buf[i] == '/' || buf[i] == 0) {
			char c = buf[i];
			buf[i] = 0;
			if (mkdir(buf, 0755) != 0 && errno != EEXIST)
				return hfds_error_set(err, HFDS_EIO, "%s: %s", buf, strerror(errno));
			buf[i] = c;
		}
	return 0;
}

static const char *blob_id(const hfds_store_entry *e)
{
	return e->is_lfs ? e->lfs_sha256 : e->oid;
}

/* A digest context started the way the blob's id is made (git's "blob N\0" header for sha1). */
static EVP_MD_CTX *hash_start(const hfds_store_entry *e)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char head[64];
	if (!ctx)
		return NULL;
	EVP_DigestInit_ex(ctx, e->is_lfs ? EVP_sha256() : EVP_sha1(), NULL);
	if (!e->is_lfs) {
		int hn = snprintf(head, sizeof(head), "blob %llu", (unsigned long long)e->size);
		EVP_DigestUpdate(ctx, head, (size_t)hn + 1);
	}
	return ctx;
}

/* Hashes the first `len` bytes a killed run left in the partial file. */
static int hash_prefix(EVP_MD_CTX *ctx, const char *path, uint64_t len, hfds_error *err)
{
	int rc = 0, fd = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t *buf = NULL;
	ssize_t n = 0;
	HFDS_FAIL_IF(fd < 0, HFDS_EIO, err, "%s: %s", path, strerror(errno));
	HFDS_FAIL_IF(!(buf = hfds_malloc(1u << 20)), HFDS_ENOMEM, err, "out of memory");
	while (len && (n = read(fd, buf, len < (1u << 20) ? (size_t)len : (1u << 20))) > 0) {
		EVP_DigestUpdate(ctx, buf, (size_t)n);
		len -= (uint64_t)n;
	}
	HFDS_FAIL_IF(n < 0 || len, HFDS_EIO, err, "%s: %s", path, n < 0 ? strerror(errno) : "shorter than it was");
done:
	hfds_free(buf);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int hash_check(EVP_MD_CTX *ctx, const hfds_store_entry *e, hfds_error *err)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0, i;
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	for (i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	if (strcmp(hex, blob_id(e)))
		return hfds_error_set(err, HFDS_ECORRUPT, "%s: downloaded content hashes to %s, expected %s", e->path, hex,
			blob_id(e));
	return 0;
}

/* The blob being written: bytes are hashed and appended as they arrive. `mark` is the digest
 * and length at the start of the current request, so a retried request starts again there. */
typedef struct blob_sink {
	int fd;
	const char *part;
	EVP_MD_CTX *ctx, *mark;
	uint64_t mark_off, off;
	int failed;
} blob_sink;

static void sink_restart(void *ud)
{
	blob_sink *b = ud;
	if (b->off != b->mark_off && (!EVP_MD_CTX_copy_ex(b->ctx, b->mark) || ftruncate(b->fd, (off_t)b->mark_off) != 0))
		b->failed = 1;   /* reported by the next write */
	b->off = b->mark_off;
}

static int sink_write(void *ud, const uint8_t *data, size_t len, hfds_error *err)
{
	blob_sink *b = ud;
	size_t done = 0;
	if (b->failed)
		return hfds_error_set(err, HFDS_EIO, "%s: cannot rewind for a retried request", b->part);
	while (done < len) {
		ssize_t w = write(b->fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return hfds_error_set(err, HFDS_EIO, "%s: %s", b->part, w < 0 ? strerror(errno) : "cannot write");
		done += (size_t)w;
	}
	EVP_DigestUpdate(b->ctx, data, len);
	b->off += len;
	return 0;
}

/* One blob (continuing a partial one), hashed as it is written (the partial prefix first),
 * checked, then renamed to its final name; a blob that does not match is removed. Pieces of
 * REQUEST bytes go straight from the socket to the file (hfds_hub_read_to); a request that
 * fails midway is retried from its first byte, so at most one piece is fetched twice.
 * Durability is huggingface_hub's: no fsync. Under load one fsync per blob was lost in the
 * noise, but on a quiet machine it makes the download wait for the disk, which the reference
 * does not. A killed process never leaves a
 * wrong blob, since the name comes only after the content matched; after a power loss or a
 * kernel crash a renamed blob may have lost content the kernel had not yet written back, as
 * with the reference. */
static int fetch_blob(job *j, hfds_hub *hub, const hfds_store_entry *e, hfds_error *err)
{
	int rc = 0;
	char *blob = NULL, *part = NULL;
	struct stat st;
	uint64_t start = 0;
	blob_sink b;
	hfds_hub_sink sink = { sink_write, sink_restart, &b };
	memset(&b, 0, sizeof(b));
	b.fd = -1;
	HFDS_FAIL_IF(asprintf(&blob, "%s/blobs/%s", j->repo_dir, blob_id(e)) < 0 ||
		asprintf(&part, "%s.incomplete", blob) < 0, HFDS_ENOMEM, err, "out of memory");
	b.part = part;
	if (stat(blob, &st) != 0 || (uint64_t)st.st_size != e->size) {
		HFDS_FAIL_IF(!(b.ctx = hash_start(e)) || !(b.mark = EVP_MD_CTX_new()), HFDS_ENOMEM, err, "out of memory");
		b.fd = open(part, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		HFDS_FAIL_IF(b.fd < 0, HFDS_EIO, err, "%s: %s", part, strerror(errno));
		HFDS_FAIL_IF(fstat(b.fd, &st) != 0, HFDS_EIO, err, "%s: %s", part, strerror(errno));
		b.off = (uint64_t)st.st_size;
		if (b.off > e->size) {
			HFDS_FAIL_IF(ftruncate(b.fd, 0) != 0, HFDS_EIO, err, "%s: %s", part, strerror(errno));
			b.off = 0;
		}
		if (b.off)
			HFDS_TRY(hash_prefix(b.ctx, part, b.off, err));
		start = b.off;
		while (b.off < e->size) {
			uint64_t want = e->size - b.off < REQUEST ? e->size - b.off : REQUEST;
			HFDS_FAIL_IF(!EVP_MD_CTX_copy_ex(b.mark, b.ctx), HFDS_ENOMEM, err, "out of memory");
			b.mark_off = b.off;
			HFDS_TRY(hfds_hub_read_to(hub, HFDS_REPO_DATASET, j->repo_id, j->commit, e->path, b.off, want, &sink,
				err));
			HFDS_FAIL_IF(b.off != b.mark_off + want, HFDS_ECORRUPT, err, "%s: content ends at byte %llu, expected %llu",
				e->path, (unsigned long long)b.off, (unsigned long long)e->size);
		}
		HFDS_FAIL_IF(close(b.fd) != 0, HFDS_EIO, err, "%s: %s", part, strerror(errno));
		b.fd = -1;
		if ((rc = hash_check(b.ctx, e, err)) < 0) {
			unlink(part);
			goto done;
		}
		HFDS_FAIL_IF(rename(part, blob) != 0, HFDS_EIO, err, "%s: %s", blob, strerror(errno));
		pthread_mutex_lock(&j->mu);
		j->rep->bytes += b.off - start;
		j->rep->fetched++;
		pthread_mutex_unlock(&j->mu);
	}
done:
	EVP_MD_CTX_free(b.ctx);
	EVP_MD_CTX_free(b.mark);
	if (b.fd >= 0)
		close(b.fd);
	free(blob);
	free(part);
	return rc;
}

/* The snapshot's symlink for one file. */
static int link_file(const char *repo_dir, const char *commit, const hfds_store_entry *e, hfds_error *err)
{
	int rc = 0;
	char *link = NULL, *target = NULL, *dir = NULL;
	const char *p;
	size_t depth = 0;
	HFDS_FAIL_IF(asprintf(&link, "%s/snapshots/%s/%s", repo_dir, commit, e->path) < 0, HFDS_ENOMEM, err,
		"out of memory");
	/* snapshots/<commit>/<path> -> ../../[../]*blobs/<id> */
	for (p = e->path; *p; p++)
		depth += *p == '/';
	HFDS_FAIL_IF(!(target = hfds_malloc(3 * (depth + 2) + 80)), HFDS_ENOMEM, err, "out of memory");
	target[0] = 0;
	for (size_t i = 0; i < depth + 2; i++)
		strcat(target, "../");
	strcat(target, "blobs/");
	strcat(target, blob_id(e));
	HFDS_FAIL_IF(!(dir = hfds_strdup(link)), HFDS_ENOMEM, err, "out of memory");
	*strrchr(dir, '/') = 0;
	HFDS_TRY(mkdirs(dir, err));
	unlink(link);
	HFDS_FAIL_IF(symlink(target, link) != 0, HFDS_EIO, err, "%s: %s", link, strerror(errno));
done:
	free(link);
	hfds_free(target);
	hfds_free(dir);
	return rc;
}

static void *worker(void *arg)
{
	job *j = arg;
	hfds_hub *hub = NULL;
	hfds_error err;
	hfds_error_init(&err);
	if (hfds_hub_open(&hub, j->endpoint, &err) == 0) {
		for (;;) {
			size_t i;
			pthread_mutex_lock(&j->mu);
			i = j->err.code ? j->count : j->next++;
			pthread_mutex_unlock(&j->mu);
			if (i >= j->count || fetch_blob(j, hub, j->files[i], &err) < 0)
				break;
		}
	}
	pthread_mutex_lock(&j->mu);
	if (err.code && !j->err.code)
		j->err = err;
	pthread_mutex_unlock(&j->mu);
	hfds_hub_free(hub);
	return NULL;
}

static int wanted(const hfds_download_options *opt, const char *path)
{
	size_t i;
	if (!opt || !opt->ninclude)
		return 1;
	for (i = 0; i < opt->ninclude; i++)
		if (fnmatch(opt->include[i], path, 0) == 0)
			return 1;
	return 0;
}

static int by_blob(const void *a, const void *b)
{
	return strcmp(blob_id(*(hfds_store_entry *const *)a), blob_id(*(hfds_store_entry *const *)b));
}

static int is_commit_id(const char *s)
{
	return s && strlen(s) == HFDS_OID_HEX_SIZE - 1 && strspn(s, "0123456789abcdef") == HFDS_OID_HEX_SIZE - 1;
}

static int write_ref(const char *repo_dir, const char *name, const char *commit, hfds_error *err)
{
	int rc = 0;
	char *path = NULL, *tmp = NULL;
	FILE *f = NULL;
	HFDS_FAIL_IF(asprintf(&path, "%s/refs/%s", repo_dir, name) < 0 || asprintf(&tmp, "%s.tmp", path) < 0,
		HFDS_ENOMEM, err, "out of memory");
	*strrchr(path, '/') = 0;
	HFDS_TRY(mkdirs(path, err));
	path[strlen(path)] = '/';
	HFDS_FAIL_IF(!(f = fopen(tmp, "w")) || fputs(commit, f) < 0, HFDS_EIO, err, "%s: %s", tmp, strerror(errno));
	HFDS_FAIL_IF(fclose(f) != 0 || rename(tmp, path) != 0, HFDS_EIO, err, "%s: %s", path, strerror(errno));
	f = NULL;
done:
	if (f)
		fclose(f);
	free(path);
	free(tmp);
	return rc;
}

char *hfds_st__hf_cache(const char *given, const char *env, const char *sub)
{
	const char *v;
	char *out = NULL;
	if (given)
		return hfds_strdup(given);
	if ((v = getenv(env)) && *v)
		return hfds_strdup(v);
	if ((v = getenv("HF_HOME")) && *v)
		return asprintf(&out, "%s/%s", v, sub) < 0 ? NULL : out;
	if ((v = getenv("XDG_CACHE_HOME")) && *v)
		return asprintf(&out, "%s/huggingface/%s", v, sub) < 0 ? NULL : out;
	return asprintf(&out, "%s/.cache/huggingface/%s", (v = getenv("HOME")) ? v : ".", sub) < 0 ? NULL : out;
}

void hfds_download_options_init(hfds_download_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->version = HFDS_DOWNLOAD_OPTIONS_VERSION;
}

int hfds_download(const char *endpoint, const char *repo_id, const hfds_download_options *opt,
	hfds_download_report *report, hfds_error *err)
{
	int rc = 0;
	size_t i, n = 0;
	unsigned w, nw = opt && opt->workers ? opt->workers : 4;
	char *root = NULL, *repo_dir = NULL;
	const char *p;
	hfds_hub *hub = NULL;
	hfds_store_tree *tree = NULL;
	hfds_store_entry **files = NULL, **blobs = NULL;
	size_t nb = 0;
	pthread_t th[64];
	job j;
	const char *rev = opt && opt->revision ? opt->revision : "main";
	memset(report, 0, sizeof(*report));
	memset(&j, 0, sizeof(j));
	HFDS_ASSERT_ARG(repo_id, err);
	HFDS_CHECK_VERSION(opt, HFDS_DOWNLOAD_OPTIONS_VERSION, "hfds_download_options", err);
	if (nw > 64)
		nw = 64;
	HFDS_TRY(hfds_hub_open(&hub, endpoint, err));
	HFDS_TRY(hfds_hub_resolve(report->commit, hub, HFDS_REPO_DATASET, repo_id, rev, err));
	HFDS_TRY(hfds_hub_tree_list(&tree, hub, HFDS_REPO_DATASET, repo_id, report->commit, "", 1, err));
	/* huggingface_hub's repo_folder_name: "datasets--" + the id with '/' as "--" */
	p = strchr(repo_id, '/');
	HFDS_FAIL_IF(!(root = hfds_st__hf_cache(opt ? opt->cache_dir : NULL, "HF_HUB_CACHE", "hub")) ||
		asprintf(&repo_dir, "%s/datasets--%.*s%s%s", root,
		p ? (int)(p - repo_id) : (int)strlen(repo_id), repo_id, p ? "--" : "", p ? p + 1 : "") < 0, HFDS_ENOMEM,
		err, "out of memory");
	HFDS_FAIL_IF(!(files = hfds_calloc(tree->count + 1, sizeof(*files))), HFDS_ENOMEM, err, "out of memory");
	for (i = 0; i < tree->count; i++)
		if (!tree->items[i].is_dir && wanted(opt, tree->items[i].path))
			files[n++] = &tree->items[i];
	{
		char *bdir = NULL, *snap = NULL;
		int bad = asprintf(&bdir, "%s/blobs", repo_dir) < 0 || asprintf(&snap, "%s/snapshots/%s", repo_dir,
			report->commit) < 0;
		if (!bad && (rc = mkdirs(bdir, err)) == 0)
			rc = mkdirs(snap, err);
		if (!bad)
			snprintf(report->snapshot, sizeof(report->snapshot), "%s", snap);
		free(bdir);
		free(snap);
		HFDS_FAIL_IF(bad, HFDS_ENOMEM, err, "out of memory");
		HFDS_TRY(rc);
	}
	j.endpoint = endpoint;
	j.repo_id = repo_id;
	j.repo_dir = repo_dir;
	j.commit = report->commit;
	/* files with the same content share a blob: fetch each blob once */
	HFDS_FAIL_IF(!(blobs = hfds_calloc(n + 1, sizeof(*blobs))), HFDS_ENOMEM, err, "out of memory");
	memcpy(blobs, files, n * sizeof(*files));
	qsort(blobs, n, sizeof(*blobs), by_blob);
	for (i = 0; i < n; i++)
		if (!nb || strcmp(blob_id(blobs[nb - 1]), blob_id(blobs[i])))
			blobs[nb++] = blobs[i];
	j.files = blobs;
	j.count = nb;
	j.rep = report;
	pthread_mutex_init(&j.mu, NULL);
	for (w = 0; w < nw && w < nb; w++)
		if (pthread_create(&th[w], NULL, worker, &j) != 0)
			break;
	for (unsigned k = 0; k < w; k++)
		pthread_join(th[k], NULL);
	pthread_mutex_destroy(&j.mu);
	if (j.err.code) {
		if (err)
			*err = j.err;
		rc = j.err.code;
		goto done;
	}
	HFDS_FAIL_IF(w == 0 && nb > 0, HFDS_ERROR, err, "cannot start a download thread");
	for (i = 0; i < n; i++)
		HFDS_TRY(link_file(repo_dir, report->commit, files[i], err));
	report->files = n;
	if (!is_commit_id(rev))
		HFDS_TRY(write_ref(repo_dir, rev, report->commit, err));
done:
	hfds_free(files);
	hfds_free(blobs);
	hfds_store_tree_free(tree);
	hfds_hub_free(hub);
	hfds_free(root);
	free(repo_dir);
	return rc;
}
