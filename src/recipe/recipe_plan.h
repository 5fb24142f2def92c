/* A recipe resolved against its files (recipe_plan.c): the shaped label table, each row's
 * split, media columns and the configs' features. */
#ifndef HFDS_RECIPE_PLAN_H
#define HFDS_RECIPE_PLAN_H

#include "recipe/recipe_table.h"

typedef struct rc_media_col {
	const rc_media *spec;
	char *name;
	char **paths;       /* per row: the file, or NULL (null path or missing file) */
	char **names;       /* per row: the file name stored in Audio/Image `path` */
	uint64_t *sizes;
} rc_media_col;

typedef struct rc_config_plan {
	const rc_config *spec;
	hfds_features *features;
} rc_config_plan;

typedef struct rc_plan {
	rc_tab tab;
	int *row_split;     /* index into splits, -1 = no split */
	char **splits;
	size_t nsplits;
	rc_media_col *media;
	size_t nmedia;
	rc_config_plan *configs;
	size_t nconfigs;
	uint64_t unmatched, missing;
} rc_plan;

int rc_plan_make(rc_plan *p, const hfds_recipe *r, hfds_error *err);
void rc_plan_free(rc_plan *p);

#endif
