/*
 * The hub: opens the backend the target names and dispatches every operation through its
 * table, after the argument checks common to all backends (repo ids, required strings).
 */
#include "hub/backend.h"

#include <string.h>

#include "util/alloc.h"
#include "util/try.h"

static int copy_target(hfds_target *dst, const hfds_target *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->kind = src->kind;
	if ((src->endpoint && !(dst->endpoint = hfds_strdup(src->endpoint))) ||
	    (src->root && !(dst->root = hfds_strdup(src->root))) ||
	    (src->token && !(dst->token = hfds_strdup(src->token))) ||
	    (src->why && !(dst->why = hfds_strdup(src->why))))
		return HFDS_ENOMEM;
	return 0;
}

int hfds_hub_open_target(hfds_hub **out, const hfds_target *t, hfds_error *err)
{
	hfds_hub *hub = NULL;
	int rc = 0;
	HFDS_ASSERT_ARG(out && t, err);
	*out = NULL;
	hub = hfds_calloc(1, sizeof(*hub));
	HFDS_FAIL_IF(!hub, HFDS_ENOMEM, err, "out of memory");
	HFDS_FAIL_IF(copy_target(&hub->target, t) < 0, HFDS_ENOMEM, err, "out of memory");
	hfds_target_describe(t, hub->where, sizeof(hub->where));
	if (t->kind == HFDS_TARGET_EMBEDDED)
		HFDS_TRY(hfds_hub__embedded_open(hub, err));
	else
		HFDS_TRY(hfds_hub__http_open(hub, err));
	*out = hub;
	hub = NULL;
done:
	hfds_hub_free(hub);
	return rc;
}

int hfds_hub_open(hfds_hub **out, const char *endpoint, hfds_error *err)
{
	hfds_target t;
	int rc;
	HFDS_ASSERT_ARG(out, err);
	*out = NULL;
	if ((rc = hfds_target_select(&t, endpoint, err)) < 0)
		return rc;
	rc = hfds_hub_open_target(out, &t, err);
	hfds_target_release(&t);
	return rc;
}

void hfds_hub_free(hfds_hub *hub)
{
	if (!hub)
		return;
	if (hub->be && hub->be->free)
		hub->be->free(hub);
	hfds_target_release(&hub->target);
	hfds_free(hub);
}

const char *hfds_hub_where(const hfds_hub *hub)
{
	return hub ? hub->where : "";
}

int hfds_hub_is_remote(const hfds_hub *hub)
{
	return hub && hub->target.kind == HFDS_TARGET_REMOTE;
}

void hfds_hub_set_upload_workers(hfds_hub *hub, unsigned n)
{
	if (hub)
		hub->upload_workers = n > 64 ? 64 : n;
}

int hfds_hub_whoami(hfds_hub *hub, hfds_hub_user *out, hfds_error *err)
{
	HFDS_ASSERT_ARG(hub && out, err);
	memset(out, 0, sizeof(*out));
	return hub->be->whoami(hub, out, err);
}

/* Every repo-level call starts with this: a handle and a valid id. */
#define CHECK_REPO(hub, id, err) \
	do { \
		int crc_; \
		HFDS_ASSERT_ARG((hub) && (id), err); \
		if ((crc_ = hfds_hub_repo_id_check(id, err)) < 0) \
			return crc_; \
	} while (0)

int hfds_hub_repo_create(hfds_hub *hub, hfds_repo_type type, const char *repo_id, int is_private, int exist_ok,
	hfds_error *err)
{
	int rc;
	CHECK_REPO(hub, repo_id, err);
	rc = hub->be->repo_create(hub, type, repo_id, is_private, err);
	if (rc == HFDS_EEXISTS && exist_ok) {
		if (err)
			hfds_error_init(err);
		return 1;
	}
	return rc;
}

int hfds_hub_repo_delete(hfds_hub *hub, hfds_repo_type type, const char *repo_id, hfds_error *err)
{
	CHECK_REPO(hub, repo_id, err);
	return hub->be->repo_delete(hub, type, repo_id, err);
}

int hfds_hub_repo_set_private(hfds_hub *hub, hfds_repo_type type, const char *repo_id, int is_private,
	hfds_error *err)
{
	CHECK_REPO(hub, repo_id, err);
	return hub->be->repo_set_private(hub, type, repo_id, is_private, err);
}

int hfds_hub_repo_info(hfds_store_repo_info *out, hfds_hub *hub, hfds_repo_type type, const char *repo_id,
	const char *rev, hfds_error *err)
{
	CHECK_REPO(hub, repo_id, err);
	HFDS_ASSERT_ARG(out, err);
	memset(out, 0, sizeof(*out));
	return hub->be->repo_info(out, hub, type, repo_id, rev, err);
}

int hfds_hub_resolve(char out[HFDS_OID_HEX_SIZE], hfds_hub *hub, hfds_repo_type type, const char *repo_id,
	const char *rev, hfds_error *err)
{
	hfds_store_repo_info info;
	int rc;
	HFDS_ASSERT_ARG(out, err);
	if ((rc = hfds_hub_repo_info(&info, hub, type, repo_id, rev, err)) < 0)
		return rc;
	memcpy(out, info.sha, HFDS_OID_HEX_SIZE);
	return 0;
}

int hfds_hub_tree_list(hfds_store_tree **out, hfds_hub *hub, hfds_repo_type type, const char *repo_id,
	const char *rev, const char *path, int recursive, hfds_error *err)
{
	CHECK_REPO(hub, repo_id, err);
	HFDS_ASSERT_ARG(out, err);
	*out = NULL;
	return hub->be->tree_list(out, hub, type, repo_id, rev, path, recursive, err);
}

int hfds_hub_read(uint8_t **out, size_t *out_len, hfds_hub *hub, hfds_repo_type type, const char *repo_id,
	const char *rev, const char *path, uint64_t offset, uint64_t length, size_t max_bytes, hfds_error *err)
{
	CHECK_REPO(hub, repo_id, err);
	HFDS_ASSERT_ARG(out && out_len && path, err);
	*out = NULL;
	*out_len = 0;
	return hub->be->read(out, out_len, hub, type, repo_id, rev, path, offset, length, max_bytes, err);
}

/* The fallback of a backend without read_to (the embedded hub reads local files, where a
 * copy per piece costs little). */
#define READ_TO_PIECE (8u << 20)

int hfds_hub_read_to(hfds_hub *hub, hfds_repo_type type, const char *repo_id, const char *rev,
	const char *path, uint64_t offset, uint64_t length, const hfds_hub_sink *sink, hfds_error *err)
{
	int rc = 0;
	CHECK_REPO(hub, repo_id, err);
	HFDS_ASSERT_ARG(path && sink && sink->write, err);
	if (hub->be->read_to)
		return hub->be->read_to(hub, type, repo_id, rev, path, offset, length, sink, err);
	if (sink->restart)
		sink->restart(sink->ud);
	while (length) {
		uint8_t *buf = NULL;
		size_t n = 0;
		uint64_t want = length < READ_TO_PIECE ? length : READ_TO_PIECE;
		if ((rc = hub->be->read(&buf, &n, hub, type, repo_id, rev, path, offset, want, READ_TO_PIECE + 1, err)) == 0
			&& n)
			rc = sink->write(sink->ud, buf, n, err);
		hfds_free(buf);
		if (rc < 0 || n < want)
			break;
		offset += n;
		length -= n;
	}
	return rc;
}

int hfds_hub_commit(hfds_hub *hub, hfds_repo_type type, const char *repo_id, const hfds_hub_commit_info *c,
	char out_sha[HFDS_OID_HEX_SIZE], hfds_error *err)
{
	CHECK_REPO(hub, repo_id, err);
	HFDS_ASSERT_ARG(c && (c->ops || !c->count), err);
	if (!c->title || !*c->title)
		return hfds_error_set(err, HFDS_EINVAL, "a commit needs a title");
	for (size_t i = 0; i < c->count; i++)
		if (!c->ops[i].path || (c->ops[i].kind == HFDS_HUB_OP_ADD_FILE && !c->ops[i].local_path) ||
		    (c->ops[i].kind == HFDS_HUB_OP_COPY && !c->ops[i].src_path) ||
		    (c->ops[i].kind == HFDS_HUB_OP_ADD_LFS && (!c->ops[i].sha256_hex || strlen(c->ops[i].sha256_hex) != 64)))
			return hfds_error_set(err, HFDS_EINVAL, "commit operation %zu: missing path or sha256", i);
	return hub->be->commit(hub, type, repo_id, c, out_sha, err);
}

int hfds_hub_upload_file(hfds_hub *hub, hfds_repo_type type, const char *repo_id, const char *branch,
	const char *path, const char *local_path, const char *sha256_hex, uint64_t size, int *stored, hfds_error *err)
{
	CHECK_REPO(hub, repo_id, err);
	HFDS_ASSERT_ARG(path && local_path && stored, err);
	*stored = 0;
	return hub->be->upload(hub, type, repo_id, branch ? branch : "main", path, local_path, sha256_hex, size,
		stored, err);
}

uint64_t hfds_hub_retries(const hfds_hub *hub)
{
	return hub && hub->be->retries ? hub->be->retries(hub) : 0;
}

const hfds_target *hfds_hub_target(const hfds_hub *hub)
{
	return hub ? &hub->target : NULL;
}

int hfds_hub_branch_create(hfds_hub *hub, hfds_repo_type type, const char *repo_id, const char *name,
	const char *from, hfds_error *err)
{
	CHECK_REPO(hub, repo_id, err);
	HFDS_ASSERT_ARG(name, err);
	return hub->be->branch_create(hub, type, repo_id, name, from, err);
}

int hfds_hub_branch_delete(hfds_hub *hub, hfds_repo_type type, const char *repo_id, const char *name,
	hfds_error *err)
{
	CHECK_REPO(hub, repo_id, err);
	HFDS_ASSERT_ARG(name, err);
	return hub->be->branch_delete(hub, type, repo_id, name, err);
}

int hfds_hub_tag_create(hfds_hub *hub, hfds_repo_type type, const char *repo_id, const char *name,
	const char *rev, const char *message, hfds_error *err)
{
	CHECK_REPO(hub, repo_id, err);
	HFDS_ASSERT_ARG(name, err);
	return hub->be->tag_create(hub, type, repo_id, name, rev, message, err);
}

int hfds_hub_tag_delete(hfds_hub *hub, hfds_repo_type type, const char *repo_id, const char *name,
	hfds_error *err)
{
	CHECK_REPO(hub, repo_id, err);
	HFDS_ASSERT_ARG(name, err);
	return hub->be->tag_delete(hub, type, repo_id, name, err);
}

int hfds_hub_refs_list(hfds_store_refs **out, hfds_hub *hub, hfds_repo_type type, const char *repo_id,
	hfds_error *err)
{
	CHECK_REPO(hub, repo_id, err);
	HFDS_ASSERT_ARG(out, err);
	*out = NULL;
	return hub->be->refs_list(out, hub, type, repo_id, err);
}

int hfds_hub_log(hfds_store_log **out, hfds_hub *hub, hfds_repo_type type, const char *repo_id,
	const char *rev, size_t limit, hfds_error *err)
{
	CHECK_REPO(hub, repo_id, err);
	HFDS_ASSERT_ARG(out, err);
	*out = NULL;
	return hub->be->log(out, hub, type, repo_id, rev, limit, err);
}
