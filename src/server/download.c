/*
 * Downloads (hub-protocol.md §4.3): /resolve/ and /raw/ answer 200 directly (never a
 * redirect), with the headers huggingface_hub's HEAD needs (X-Repo-Commit, ETag,
 * X-Linked-Etag, X-Linked-Size) and single-range 206 for hf.js and streaming readers.
 * LFS content is sent from the object file (sendfile through libmicrohttpd); regular files
 * come out of git, which keeps them small.
 */
#include "server/srv_int.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"

static int not_found(srv_req *r, const char *sha, const char *path)
{
	static const char text[] = "{\"error\":\"Entry not found\"}";
	struct MHD_Response *resp;
	(void)path;
	r->bytes = strlen(text);
	resp = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	MHD_add_response_header(resp, "X-Error-Code", "EntryNotFound");
	MHD_add_response_header(resp, "X-Error-Message", "Entry not found");
	MHD_add_response_header(resp, "X-Repo-Commit", sha);
	return srv_queue(r, 404, resp);
}

int srv_resolve(srv_req *r, hfds_repo_type t, const char *id, const char *rev, const char *path, int raw)
{
	hfds_store_repo *repo;
	hfds_store_entry e;
	hfds_error err;
	char sha[HFDS_OID_HEX_SIZE], etag[80], num[32], *local = NULL;
	uint64_t size;
	srv_range range;
	int rng, lfs, fd = -1, ok;
	struct MHD_Response *resp = NULL;
	hfds_error_init(&err);
	memset(&e, 0, sizeof(e));
	if (!(repo = srv_open_rev(r, t, id, rev, sha)))
		return MHD_YES;
	if (!*path || hfds_store_stat(&e, repo, sha, path, NULL) < 0 || e.is_dir) {
		hfds_store_entry_release(&e);
		hfds_store_repo_free(repo);
		return not_found(r, sha, path);
	}
	lfs = e.is_lfs && !raw;
	size = raw && e.is_lfs ? e.lfs_pointer_size : e.size;
	rng = srv_range_parse(srv_header(r, "Range"), size, &range);
	if (rng == HFDS_ELIMIT) {
		snprintf(num, sizeof(num), "bytes */%llu", (unsigned long long)size);
		hfds_store_entry_release(&e);
		hfds_store_repo_free(repo);
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(resp, "Content-Range", num);
		return srv_queue(r, 416, resp);
	}
	if (rng != 1) {
		range.start = 0;
		range.len = size;
	}
	if (lfs) {
		struct stat sb;
		hfds_store *st;
		if (srv_store(r, &st, &err) < 0 || hfds_store_object_path(&local, st, e.lfs_sha256, &err) < 0
			|| (fd = open(local, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &sb) != 0 || (uint64_t)sb.st_size != size) {
			if (fd >= 0)
				close(fd);
			hfds_free(local);
			hfds_store_entry_release(&e);
			hfds_store_repo_free(repo);
			return srv_reply_error(r, 500, NULL, "LFS object of %s is missing or damaged", path);
		}
		hfds_free(local);
		resp = MHD_create_response_from_fd_at_offset64(range.len, fd, range.start);
		if (!resp)
			close(fd);
	} else {
		uint8_t *data = NULL;
		size_t len = 0;
		if (hfds_store_read(&data, &len, repo, sha, path, range.start, range.len, 0, raw ? HFDS_STORE_READ_RAW : 0,
			&err) < 0) {
			hfds_store_entry_release(&e);
			hfds_store_repo_free(repo);
			return srv_reply_hfds(r, err.code, &err, "entry");
		}
		resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_COPY);
		hfds_free(data);
	}
	if (!resp) {
		hfds_store_entry_release(&e);
		hfds_store_repo_free(repo);
		return MHD_NO;
	}
	r->bytes = strcmp(r->method, "HEAD") ? range.len : 0;
	snprintf(etag, sizeof(etag), "\"%s\"", lfs ? e.lfs_sha256 : e.oid);
	MHD_add_response_header(resp, "ETag", etag);
	MHD_add_response_header(resp, "X-Repo-Commit", sha);
	MHD_add_response_header(resp, "Accept-Ranges", "bytes");
	MHD_add_response_header(resp, "Content-Type", "application/octet-stream");
	if (lfs) {
		MHD_add_response_header(resp, "X-Linked-Etag", etag);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)size);
		MHD_add_response_header(resp, "X-Linked-Size", num);
	}
	if (rng == 1) {
		char cr[96];
		snprintf(cr, sizeof(cr), "bytes %llu-%llu/%llu", (unsigned long long)range.start,
			(unsigned long long)(range.start + range.len - 1), (unsigned long long)size);
		MHD_add_response_header(resp, "Content-Range", cr);
	}
	ok = srv_queue(r, rng == 1 ? 206 : 200, resp);
	hfds_store_entry_release(&e);
	hfds_store_repo_free(repo);
	return ok;
}
