/*
 * The dataset commands' view of a target repository: picks the target (hfds/hub.h),
 * opens the embedded store and implements hfds_ds_repo_ops over it for one branch.
 */
#ifndef HFDS_CLI_PUSH_REPO_H
#define HFDS_CLI_PUSH_REPO_H

#include "hfds/dataset.h"
#include "hfds/store.h"

typedef struct push_repo {
	hfds_store *store;
	hfds_store_repo *repo;
	char *repo_id;
	char *branch;           /* target branch ("main" by default) */
	hfds_ds_repo_ops ops;
	char where[512];        /* "embedded hub at /x (...)" */
	char created[HFDS_OID_HEX_SIZE]; /* the initial commit when this run created the repo */
} push_repo;

/* Opens the target repo. `create` makes a missing dataset repo (private flag applies
 * then only); without it a missing repo is HFDS_ENOTFOUND. A remote target is
 * HFDS_EUNSUPPORTED for now. */
int push_repo_open(push_repo **out, const char *endpoint, const char *repo_id, const char *branch,
	int create, int is_private, hfds_error *err);
void push_repo_free(push_repo *p);

/* After a failed push: deletes the repo if this run created it and its main branch is
 * still at the initial commit (a failed first push leaves no empty repo). */
void push_repo_abandon(push_repo *p);

/* A fresh folder for shards next to the store's objects (so they can be hard-linked);
 * removed by the CLI's signal handler if the process is killed before
 * push_repo_remove_tree. */
int push_repo_staging(char **out, const push_repo *p, hfds_error *err);
/* rm -r of a folder made by push_repo_staging (best effort). */
void push_repo_remove_tree(const char *dir);

#endif
