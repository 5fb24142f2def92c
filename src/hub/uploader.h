/*
 * The background uploader of a dataset repository (ds_repo.c): shards closed by the writer
 * are stored on the hub by worker threads while the next shard is written, and leave the
 * spool once stored (unless kept); the writer waits when the spool holds spool_max bytes.
 */
#ifndef HFDS_HUB_UPLOADER_H
#define HFDS_HUB_UPLOADER_H

#include "hfds/hub.h"

typedef struct hub_uploader hub_uploader;

/* Threads start at the first add; each opens its own hub handle from `hub`'s target. */
int hub_uploader_new(hub_uploader **out, hfds_hub *hub, const char *repo_id, const char *branch,
	const hfds_hub_upload_options *o, hfds_error *err);
/* Queues a file (`path` is the name preupload is asked about); blocks while the spool is full.
 * Returns the first upload error met so far. */
int hub_uploader_add(hub_uploader *u, const char *local_path, const char *path, const char *sha256_hex,
	uint64_t size, hfds_error *err);
/* Waits until the queue is empty and nothing is in flight; the first upload error. */
int hub_uploader_wait(hub_uploader *u, hfds_error *err);
/* 1 when local_path was stored on the hub (the commit references it by sha256). */
int hub_uploader_stored(hub_uploader *u, const char *local_path);
/* Reports a phase of the publish to the progress callback (e.g. "commit"). */
void hub_uploader_event(hub_uploader *u, const char *event, const char *path);
/* Stops the workers (queued files are dropped) and frees. NULL-safe. */
void hub_uploader_free(hub_uploader *u);

#endif
