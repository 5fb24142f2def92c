/*
 * What the upload URLs handed out by the LFS batch API receive (hub-protocol.md §3.2): a
 * whole object (PUT /_hfds/upload/...), one part of a multipart upload (PUT /_hfds/part/...)
 * and the completion of a multipart upload (POST /_hfds/complete/...). lfs.c signs the URLs.
 *
 * Memory stays bounded by libmicrohttpd's read buffer whatever the object size: bodies go
 * to disk as they arrive. The upload path is as fast as the disk because every byte is
 * touched once in user space (hashed and written from libmicrohttpd's buffer) and the
 * kernel is asked to write back every FLUSH_STEP bytes while the rest is still arriving,
 * so the fsync that makes an object durable before it is named waits only for the tail.
 *
 * A whole object streams into a temp file under <root>/tmp while it is hashed; an object
 * whose sha256 or size differs from the signed one is refused and its temp file removed.
 *
 * The parts of a multipart upload are written in place, at their offsets, into one shared
 * file <root>/tmp/mp-<oid>-<size>/data; each finished part leaves an empty marker file named
 * by its number. Its sha256 is computed while the parts arrive, over the in-order prefix
 * (mp_hash.c); the completion hashes only what that prefix lacks (or the whole file when a
 * part was rewritten), fsyncs the file and renames it into the store: no part is copied,
 * and no byte hashed twice when parts arrive in order. Part writers
 * hold a shared flock on the data file while they write and the completion an exclusive
 * one, so no late or retried part can write into a file after it was verified; a writer
 * whose file was taken by a completion meanwhile starts a new one. A part's ETag is an
 * opaque token (the clients only echo it back in the completion).
 */
#include "server/srv_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/try.h"

#define FLUSH_STEP (8u << 20)
#define HASH_BLOCK (1u << 20)
#define COMPLETE_WAIT_MS 10000   /* how long a completion waits for parts still being written */

static int is_part(const srv_req *r)
{
	return !strcmp(r->segs[1], "part");
}

void srv_upload_abort(srv_req *r)
{
	srv_mp_put(r->srv->mp, r->mp, 0);
	r->mp = NULL;
	if (r->fd >= 0)
		close(r->fd);   /* for a part, this also drops its shared lock */
	r->fd = -1;
	if (r->tmp_path) {
		unlink(r->tmp_path);
		hfds_free(r->tmp_path);
		r->tmp_path = NULL;
	}
	hfds_sha256_free(r->sha);
	r->sha = NULL;
}

/* "<root>/tmp/mp-<oid>-<size>" into dir (the folder of a multipart upload's data). */
static void mp_dir(const srv_req *r, uint64_t size, char *dir, size_t n)
{
	snprintf(dir, n, "%s/tmp/mp-%s-%llu", r->srv->root, r->segs[2], (unsigned long long)size);
}

static int open_temp(srv_req *r)
{
	size_t n = strlen(r->srv->root) + 40;
	if (!(r->tmp_path = hfds_malloc(n)))
		return -1;
	snprintf(r->tmp_path, n, "%s/tmp", r->srv->root);
	mkdir(r->tmp_path, 0777);
	snprintf(r->tmp_path, n, "%s/tmp/upload-XXXXXX", r->srv->root);
	if ((r->fd = mkostemp(r->tmp_path, O_CLOEXEC)) < 0) {
		hfds_free(r->tmp_path);
		r->tmp_path = NULL;
		return -1;
	}
	return hfds_sha256_new(&r->sha, NULL);
}

/*
 * Opens the shared data file of a multipart upload with a shared lock. The file a
 * completion has just stored (renamed away) is no longer at the path: open the new one.
 */
static int open_part(srv_req *r, uint64_t size)
{
	char dir[4300], path[4400];
	struct stat a, b;
	int tries;
	snprintf(dir, sizeof(dir), "%s/tmp", r->srv->root);
	mkdir(dir, 0777);
	mp_dir(r, size, dir, sizeof(dir));
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return -1;
	snprintf(path, sizeof(path), "%s/data", dir);
	for (tries = 0; tries < 3; tries++) {
		if ((r->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)   /* read: mp_hash catches up */
			return -1;
		if (flock(r->fd, LOCK_SH) == 0 && fstat(r->fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino
			&& a.st_dev == b.st_dev)
			return 0;
		close(r->fd);
		r->fd = -1;
	}
	errno = EAGAIN;
	return -1;
}

/* Expected byte count of this PUT (the object, or one part of it) and, for a part, its
 * offset in the object; the part size into *chunk (0 for a whole object). */
static int expected_len(srv_req *r, uint64_t *want, uint64_t *off, uint64_t *chunk_out)
{
	uint64_t size, chunk, part;
	if (!srv_upload_url_ok(r, &size, chunk_out))
		return 0;
	chunk = *chunk_out;
	if (!is_part(r)) {
		if (r->nseg != 7 || chunk != 0)
			return 0;
		*want = size;
		*off = 0;
		return 1;
	}
	if (r->nseg != 8 || !chunk || !srv_parse_u64(r->segs[7], &part) || part < 1 || part > srv_upload_parts(size, chunk))
		return 0;
	*want = part < srv_upload_parts(size, chunk) ? chunk : size - (part - 1) * chunk;
	*off = (part - 1) * chunk;
	return 1;
}

/* Reserves the blocks of what this PUT will write, keeping the file's size: ext4 then maps
 * each page written to a block already allocated instead of reserving delayed allocations
 * page by page (a quarter to a third of the system time of the buffered writes). Best
 * effort: a file system without fallocate allocates as it goes. */
static void reserve(srv_req *r)
{
	if (r->want)
		(void)fallocate(r->fd, FALLOC_FL_KEEP_SIZE, (off_t)r->off, (off_t)r->want);
}

int srv_upload_begin(srv_req *r)
{
	uint64_t size = 0, chunk = 0;
	const char *cl = srv_header(r, "Content-Length");
	if (!expected_len(r, &r->want, &r->off, &chunk))
		return srv_reply_error(r, 403, NULL, "upload URL invalid or expired");
	if (cl && strtoull(cl, NULL, 10) != r->want)
		return srv_reply_error(r, 400, NULL, "upload: Content-Length %s, expected %llu bytes", cl,
			(unsigned long long)r->want);
	srv_parse_u64(r->segs[3], &size);
	if ((is_part(r) ? open_part(r, size) : open_temp(r)) < 0)
		return srv_reply_error(r, 500, NULL, "cannot create a temp file: %s", strerror(errno));
	reserve(r);
	if (is_part(r))
		r->mp = srv_mp_get(r->srv->mp, r->segs[2], size, chunk, r->fd);
	return MHD_YES;
}

/* Starts the write-back of what was written since the last call, once FLUSH_STEP bytes
 * are pending, without waiting for it. */
static void start_writeback(srv_req *r)
{
	if (r->got - r->flushed < FLUSH_STEP)
		return;
	(void)sync_file_range(r->fd, (off_t)(r->off + r->flushed), (off_t)(r->got - r->flushed), SYNC_FILE_RANGE_WRITE);
	r->flushed = r->got;
}

int srv_upload_data(srv_req *r, const char *data, size_t n)
{
	const char *start = data;
	uint64_t at = r->off + r->got;
	size_t len = n;
	if (r->io_failed)
		return 0;
	if (r->got + n > r->want) {
		r->io_failed = 1;   /* more bytes than announced: cut the connection */
		return -1;
	}
	if (r->sha)
		hfds_sha256_update(r->sha, data, n);
	while (n) {
		ssize_t w = pwrite(r->fd, data, n, (off_t)(r->off + r->got));
		if (w < 0) {
			if (errno == EINTR)
				continue;
			r->io_failed = 1;
			return 0;
		}
		data += w;
		n -= (size_t)w;
		r->got += (uint64_t)w;
	}
	srv_mp_wrote(r->mp, r->fd, r->off, at, start, len);
	start_writeback(r);
	return 0;
}

/* A part is received: its marker says so to the completion. */
static int finish_part(srv_req *r)
{
	char dir[4300], marker[4400];
	uint64_t size = 0;
	int fd;
	srv_parse_u64(r->segs[3], &size);
	mp_dir(r, size, dir, sizeof(dir));
	snprintf(marker, sizeof(marker), "%s/%s", dir, r->segs[7]);
	if ((fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		srv_upload_abort(r);
		return srv_reply_error(r, 500, NULL, "upload: %s: %s", marker, strerror(errno));
	}
	close(fd);
	srv_mp_part_done(r->mp, r->fd, dir);
	srv_upload_abort(r);   /* closes the data file: the lock goes */
	{
		char etag[48];
		struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		snprintf(etag, sizeof(etag), "\"%.24s-%s\"", r->segs[2], r->segs[7]);
		MHD_add_response_header(resp, "ETag", etag);
		return srv_queue(r, 200, resp);
	}
}

int srv_upload_finish(srv_req *r)
{
	uint8_t d[32];
	char hex[65], sha[HFDS_SHA256_HEX_SIZE];
	hfds_store *st;
	hfds_error err;
	hfds_error_init(&err);
	if (r->io_failed || r->got != r->want) {
		srv_upload_abort(r);
		return srv_reply_error(r, 400, NULL, "upload: received %llu bytes, expected %llu", (unsigned long long)r->got,
			(unsigned long long)r->want);
	}
	if (is_part(r))
		return finish_part(r);
	if (hfds_sha256_final(r->sha, d, &err) < 0) {
		srv_upload_abort(r);
		return srv_reply_error(r, 500, NULL, "upload: %s", err.message);
	}
	hfds_sha256_hex(d, hex);
	if (strcmp(hex, r->segs[2]) != 0) {
		srv_upload_abort(r);
		return srv_reply_error(r, 400, NULL, "upload: content has sha256 %s, expected %s", hex, r->segs[2]);
	}
	if (fdatasync(r->fd) != 0 || close(r->fd) != 0) {
		r->fd = -1;
		srv_upload_abort(r);
		return srv_reply_error(r, 500, NULL, "upload: cannot write: %s", strerror(errno));
	}
	r->fd = -1;
	if (srv_store(r, &st, &err) < 0
		|| hfds_store_object_import(st, r->tmp_path, hex, r->want, HFDS_STORE_ADD_MOVE, sha, &err) < 0) {
		srv_upload_abort(r);
		return srv_reply_hfds(r, err.code, &err, NULL);
	}
	hfds_free(r->tmp_path);
	r->tmp_path = NULL;
	{
		char etag[40];
		struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		snprintf(etag, sizeof(etag), "\"%.32s\"", hex);
		MHD_add_response_header(resp, "ETag", etag);
		return srv_queue(r, 200, resp);
	}
}

/* The completion's body names the object and lists parts 1..N in order: 1 = it does. */
static int completion_body_ok(srv_req *r, json_t *b, uint64_t nparts)
{
	json_t *parts = json_object_get(b, "parts"), *p;
	const char *boid = json_string_value(json_object_get(b, "oid"));
	size_t k;
	int ok = boid && !strcmp(boid, r->segs[2]) && json_is_array(parts) && json_array_size(parts) == nparts;
	json_array_foreach(parts, k, p)
		if (json_integer_value(json_object_get(p, "partNumber")) != (json_int_t)(k + 1))
			ok = 0;
	return ok;
}

/* Takes the exclusive lock on the data file, waiting a while for parts still arriving. */
static int lock_exclusive(int fd)
{
	struct timespec pause = {0, 50 * 1000 * 1000};
	for (int waited = 0; waited < COMPLETE_WAIT_MS; waited += 50) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		nanosleep(&pause, NULL);
	}
	return -1;
}

/* Removes the data file and markers of a multipart upload (after it was stored or refused). */
static void mp_remove(const char *dir, uint64_t nparts)
{
	char path[4400];
	for (uint64_t i = 1; i <= nparts; i++) {
		snprintf(path, sizeof(path), "%s/%llu", dir, (unsigned long long)i);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/data", dir);
	unlink(path);
	rmdir(dir);
}

/* Hashes the first `size` bytes of fd into hex; the number of bytes read into *got. */
static int hash_fd(int fd, uint64_t size, char hex[65], uint64_t *got)
{
	hfds_sha256 *h = NULL;
	uint8_t d[32], *buf = hfds_malloc(HASH_BLOCK);
	int rc = -1;
	*got = 0;
	if (!buf || hfds_sha256_new(&h, NULL) < 0)
		goto done;
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	while (*got < size) {
		ssize_t n = pread(fd, buf, HASH_BLOCK, (off_t)*got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto done;
		hfds_sha256_update(h, buf, (size_t)n);
		*got += (uint64_t)n;
	}
	if (hfds_sha256_final(h, d, NULL) == 0) {
		hfds_sha256_hex(d, hex);
		rc = 0;
	}
done:
	hfds_sha256_free(h);
	hfds_free(buf);
	return rc;
}

int srv_upload_complete(srv_req *r)
{
	uint64_t size, chunk, n, i, got = 0;
	char dir[4300], path[4400], hex[65], sha[HFDS_SHA256_HEX_SIZE];
	struct stat sb;
	hfds_store *st;
	hfds_error err;
	json_t *b;
	srv_mp *mp;
	int fd = -1, ok, answer, hashed;
	hfds_error_init(&err);
	if (r->nseg != 7 || !srv_upload_url_ok(r, &size, &chunk) || !chunk)
		return srv_reply_error(r, 403, NULL, "completion URL invalid or expired");
	n = srv_upload_parts(size, chunk);
	if (!(b = srv_body_json(r)))
		return MHD_YES;
	ok = completion_body_ok(r, b, n);
	json_decref(b);
	if (!ok)
		return srv_reply_error(r, 400, NULL, "multipart completion: expected oid %s and parts 1..%llu in order",
			r->segs[2], (unsigned long long)n);
	mp_dir(r, size, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/data", dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return srv_reply_error(r, 400, NULL, "multipart: no part of %s was received", r->segs[2]);
	if (lock_exclusive(fd) < 0) {
		/* a part still arriving (a stalled or slow connection): the client may try again */
		close(fd);
		return srv_reply_json_h(r, 503, json_pack("{s:s}", "error", "multipart: parts are still being received"),
			"Retry-After", "5");
	}
	for (i = 1; i <= n; i++) {
		snprintf(path, sizeof(path), "%s/%llu", dir, (unsigned long long)i);
		if (stat(path, &sb) != 0)
			break;
	}
	if (i <= n || fstat(fd, &sb) != 0 || (uint64_t)sb.st_size != size) {
		answer = srv_reply_error(r, 400, NULL, "multipart: part %llu missing or incomplete (%llu of %llu bytes)",
			(unsigned long long)(i <= n ? i : n), (unsigned long long)sb.st_size, (unsigned long long)size);
		close(fd);
		return answer;
	}
	/* the prefix hashed while the parts arrived, finished; else the whole file */
	mp = srv_mp_get(r->srv->mp, r->segs[2], size, chunk, fd);
	hashed = srv_mp_finish(mp, fd, hex) == 0;
	srv_mp_put(r->srv->mp, mp, 1);
	if (!hashed && (hash_fd(fd, size, hex, &got) < 0 || got != size)) {
		close(fd);
		return srv_reply_error(r, 500, NULL, "multipart: reading the parts back failed: %s", strerror(errno));
	}
	if (strcmp(hex, r->segs[2]) != 0) {
		mp_remove(dir, n);   /* parts with other bytes: the client has to send them again */
		close(fd);
		return srv_reply_error(r, 400, NULL, "multipart: content has sha256 %s, expected %s", hex, r->segs[2]);
	}
	snprintf(path, sizeof(path), "%s/data", dir);
	if (fsync(fd) != 0 || srv_store(r, &st, &err) < 0
		|| hfds_store_object_import(st, path, hex, size, HFDS_STORE_ADD_MOVE, sha, &err) < 0) {
		close(fd);
		if (!err.message[0])
			hfds_error_set(&err, HFDS_EIO, "%s: fsync: %s", path, strerror(errno));
		return srv_reply_hfds(r, err.code ? err.code : HFDS_EIO, &err, NULL);
	}
	mp_remove(dir, n);
	close(fd);   /* parts waiting for the lock now see the file gone */
	return srv_reply_json(r, 200, json_pack("{s:b}", "success", 1));
}
