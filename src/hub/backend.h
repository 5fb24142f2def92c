/*
 * The table of functions every hub backend fills (libgit2's git_odb_backend pattern):
 * hub.c checks arguments once and dispatches; a backend implements the operations over its
 * transport (embedded.c: the local store; http.c: the Hub's HTTP protocol).
 */
#ifndef HFDS_HUB_BACKEND_H
#define HFDS_HUB_BACKEND_H

#include "hfds/hub.h"

typedef struct hfds_hub_backend {
	const char *name;
	int (*whoami)(hfds_hub *hub, hfds_hub_user *out, hfds_error *err);
	int (*repo_create)(hfds_hub *hub, hfds_repo_type type, const char *id, int is_private, hfds_error *err);
	int (*repo_delete)(hfds_hub *hub, hfds_repo_type type, const char *id, hfds_error *err);
	int (*repo_set_private)(hfds_hub *hub, hfds_repo_type type, const char *id, int is_private, hfds_error *err);
	int (*repo_info)(hfds_store_repo_info *out, hfds_hub *hub, hfds_repo_type type, const char *id,
		const char *rev, hfds_error *err);
	int (*tree_list)(hfds_store_tree **out, hfds_hub *hub, hfds_repo_type type, const char *id,
		const char *rev, const char *path, int recursive, hfds_error *err);
	int (*read)(uint8_t **out, size_t *out_len, hfds_hub *hub, hfds_repo_type type, const char *id,
		const char *rev, const char *path, uint64_t offset, uint64_t length, size_t max_bytes, hfds_error *err);
	int (*commit)(hfds_hub *hub, hfds_repo_type type, const char *id, const hfds_hub_commit_info *c,
		char out_sha[HFDS_OID_HEX_SIZE], hfds_error *err);
	int (*branch_create)(hfds_hub *hub, hfds_repo_type type, const char *id, const char *name,
		const char *from, hfds_error *err);
	int (*branch_delete)(hfds_hub *hub, hfds_repo_type type, const char *id, const char *name, hfds_error *err);
	int (*tag_create)(hfds_hub *hub, hfds_repo_type type, const char *id, const char *name, const char *rev,
		const char *message, hfds_error *err);
	int (*tag_delete)(hfds_hub *hub, hfds_repo_type type, const char *id, const char *name, hfds_error *err);
	int (*refs_list)(hfds_store_refs **out, hfds_hub *hub, hfds_repo_type type, const char *id, hfds_error *err);
	int (*log)(hfds_store_log **out, hfds_hub *hub, hfds_repo_type type, const char *id, const char *rev,
		size_t limit, hfds_error *err);
	/* The folder under which staging folders are made (malloc, freed with free). */
	int (*staging_root)(char **out, hfds_hub *hub, hfds_error *err);
	void (*free)(hfds_hub *hub);
	/* Stores a file's content on the hub ahead of the commit that will reference it by
	 * sha256 (HFDS_HUB_OP_ADD_LFS); *stored = 0 when the file must travel with the commit
	 * (the server wants it inline). */
	int (*upload)(hfds_hub *hub, hfds_repo_type type, const char *id, const char *branch, const char *path,
		const char *local_path, const char *sha256_hex, uint64_t size, int *stored, hfds_error *err);
	/* Requests repeated after transient failures so far (0 for a local backend). */
	uint64_t (*retries)(const hfds_hub *hub);
	/* hfds_hub_read_to; NULL: hub.c reads pieces with `read` and hands them on. */
	int (*read_to)(hfds_hub *hub, hfds_repo_type type, const char *id, const char *rev, const char *path,
		uint64_t offset, uint64_t length, const hfds_hub_sink *sink, hfds_error *err);
} hfds_hub_backend;

struct hfds_hub {
	const hfds_hub_backend *be;
	void *impl;                 /* the backend's state */
	hfds_target target;         /* a copy of the target it was opened from */
	char where[4400];           /* hfds_target_describe */
	unsigned upload_workers;    /* hfds_hub_set_upload_workers (0 = the backend's default) */
};

/* Backend constructors: fill hub->be and hub->impl from hub->target. */
int hfds_hub__embedded_open(hfds_hub *hub, hfds_error *err);
int hfds_hub__http_open(hfds_hub *hub, hfds_error *err);

#endif
