/*
 * What a commit over HTTP would not change (hub-protocol.md §3.3 "No-op handling"): the
 * pieces http_commit.c uses to leave out additions whose path already holds their content,
 * as huggingface_hub's create_commit does. A regular file is compared by its git blob id
 * (preupload's oid), an object uploaded ahead of the commit through paths-info, which
 * reports the LFS sha256 of every path that exists.
 */
#include "hub/http_backend.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "util/alloc.h"
#include "util/try.h"

/* paths-info takes at most 1000 paths per call (413 above); huggingface_hub sends 500 */
#define PATHS_INFO_CHUNK 500

int hub_paths_info(httpb *h, hfds_repo_type type, const char *id, const char *rev, const char *const *paths,
	size_t n, hfds_store_tree *t, hfds_error *err)
{
	hfds_buf url;
	hub_resp rs;
	json_t *o = NULL, *list;
	int rc = 0;
	memset(&rs, 0, sizeof(rs));
	hfds_buf_init(&url, 0);
	HFDS_TRY(hub_api_url(&url, h, type, id, "paths-info", rev, NULL, err));
	for (size_t at = 0; at < n; at += PATHS_INFO_CHUNK) {
		o = json_pack("{s[]sb}", "paths", "expand", 0);
		list = o ? json_object_get(o, "paths") : NULL;
		HFDS_FAIL_IF(!list, HFDS_ENOMEM, err, "out of memory");
		for (size_t i = at; i < n && i < at + PATHS_INFO_CHUNK; i++)
			HFDS_FAIL_IF(json_array_append_new(list, json_string(paths[i])) < 0, HFDS_ENOMEM, err, "out of memory");
		HFDS_TRY(hub_call(h, "POST", (const char *)url.data, o, NULL, NULL, 0, 1, &rs, "paths-info", err));
		HFDS_TRY(hub_parse_tree_page(t, (const char *)rs.body.data, rs.body.len, err));
		hub_resp_release(&rs);
		json_decref(o);
		o = NULL;
	}
done:
	json_decref(o);
	hub_resp_release(&rs);
	hfds_buf_release(&url);
	return rc;
}

void hub_tree_release(hfds_store_tree *t)
{
	for (size_t i = 0; i < t->count; i++)
		hfds_store_entry_release(&t->items[i]);
	hfds_free(t->items);
	memset(t, 0, sizeof(*t));
}

int hub_git_blob_sha1(const uint8_t *data, size_t n, char hex[41], hfds_error *err)
{
	static const char digits[] = "0123456789abcdef";
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t md[20];
	char head[32];
	int k = snprintf(head, sizeof(head), "blob %zu", n), rc = 0;
	hex[0] = '\0';
	/* the header's NUL is part of what git hashes */
	HFDS_FAIL_IF(!ctx || EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1 || EVP_DigestUpdate(ctx, head, (size_t)k + 1) != 1
		|| EVP_DigestUpdate(ctx, data, n) != 1 || EVP_DigestFinal_ex(ctx, md, NULL) != 1, HFDS_ERROR, err,
		"sha1 failed");
	for (k = 0; k < 20; k++) {
		hex[2 * k] = digits[md[k] >> 4];
		hex[2 * k + 1] = digits[md[k] & 15];
	}
	hex[40] = '\0';
done:
	EVP_MD_CTX_free(ctx);
	return rc;
}

int hub_commit_deletes(const hfds_hub_commit_info *c, const char *path)
{
	for (size_t i = 0; i < c->count; i++) {
		const char *d = c->ops[i].path;
		size_t n = strlen(d);
		while (n && d[n - 1] == '/')
			n--;
		if (c->ops[i].kind == HFDS_HUB_OP_DELETE && !strncmp(path, d, n) && (!path[n] || path[n] == '/'))
			return 1;
	}
	return 0;
}
