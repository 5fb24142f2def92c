/* Publishing a recipe's dataset (recipe_publish.c): the dataset layer's one-commit publish,
 * with the recipe's auxiliary files, purge deletes and card body put into that commit. */
#ifndef HFDS_RECIPE_PUBLISH_H
#define HFDS_RECIPE_PUBLISH_H

#include "hfds/dataset.h"
#include "recipe/recipe_int.h"

/* The repository a recipe publishes to: `inner`'s ops wrapped so the commit also carries the
 * auxiliary files and the purge's deletes and the card starts from the recipe's body. The
 * dataset writer is attached to `ops` (hfds_ds_attach), so each shard is uploaded through
 * `inner` while the next is written; rc_publish then commits with the same ops. */
typedef struct rc_repo {
	const hfds_ds_repo_ops *inner;
	const hfds_recipe *r;
	hfds_recipe_report *rep;
	int purge;
	hfds_ds_repo_ops ops;
} rc_repo;

/* Cannot fail; every pointer is borrowed for the life of `w`. */
void rc_repo_init(rc_repo *w, const hfds_ds_repo_ops *inner, const hfds_recipe *r, hfds_recipe_report *rep,
	int purge);
/* One commit: the writer's shards (stored already when attached), auxiliary files, README. */
int rc_publish(hfds_ds *ds, rc_repo *w, char out_sha[41], hfds_error *err);
/* Fills rep->purged with the files at the repo's head a purge deletes (none if no repo). */
int rc_publish_purge_list(const hfds_ds_repo_ops *ops, const hfds_recipe *r, hfds_recipe_report *rep,
	hfds_error *err);
/* Copies the auxiliary files into a dataset folder. */
int rc_publish_copy_auxiliary(const hfds_recipe *r, const char *dir, hfds_error *err);

#endif
