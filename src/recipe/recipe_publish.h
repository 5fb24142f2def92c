/* Publishing a recipe's dataset (recipe_publish.c): the dataset layer's one-commit publish,
 * with the recipe's auxiliary files, purge deletes and card body put into that commit. */
#ifndef HFDS_RECIPE_PUBLISH_H
#define HFDS_RECIPE_PUBLISH_H

#include "hfds/dataset.h"
#include "recipe/recipe_int.h"

int rc_publish(hfds_ds *ds, const hfds_ds_repo_ops *ops, const hfds_recipe *r, hfds_recipe_report *rep, int purge,
	char out_sha[41], hfds_error *err);
/* Fills rep->purged with the files at the repo's head a purge deletes (none if no repo). */
int rc_publish_purge_list(const hfds_ds_repo_ops *ops, const hfds_recipe *r, hfds_recipe_report *rep,
	hfds_error *err);
/* Copies the auxiliary files into a dataset folder. */
int rc_publish_copy_auxiliary(const hfds_recipe *r, const char *dir, hfds_error *err);

#endif
