/*
 * Recipes: one YAML file that says how label tables, split lists and media files become a
 * sharded Hugging Face dataset (docs/recipes.md, docs/recipe.schema.json).
 *
 *   hfds_recipe_load(&r, "recipe.yaml", &err);
 *   hfds_recipe_build(r, &opts, &report, sha, &err);   // plan, write, publish
 *   hfds_recipe_report_free(report); hfds_recipe_free(r);
 *
 * Errors name the recipe's place ("recipe.yaml:12:5: unknown column 'x'"). Paths in the
 * recipe are relative to the recipe file's folder. A recipe is immutable after loading and
 * may be built from one thread at a time.
 */
#ifndef HFDS_RECIPE_H
#define HFDS_RECIPE_H

#include <stddef.h>
#include <stdint.h>
#include "hfds/common.h"
#include "hfds/dataset.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hfds_recipe hfds_recipe;

/* Parses recipe text; `name` is used in messages, `base_dir` resolves relative paths.
 * HFDS_EPARSE (YAML or schema) with "name:line:col: ...", HFDS_ENOMEM. */
HFDS_EXTERN int hfds_recipe_parse(hfds_recipe **out, const char *text, size_t len, const char *name,
	const char *base_dir, hfds_error *err);
/* Reads and parses a recipe file (HFDS_EIO when it cannot be read). */
HFDS_EXTERN int hfds_recipe_load(hfds_recipe **out, const char *path, hfds_error *err);
/* NULL-safe. */
HFDS_EXTERN void hfds_recipe_free(hfds_recipe *r);

#define HFDS_RECIPE_BUILD_OPTIONS_VERSION 1

typedef struct hfds_recipe_build_options {
	unsigned version;
	const char *const *configs;  /* configs to build (NULL = all of the recipe's) */
	size_t nconfigs;
	int dry_run;                 /* plan only: nothing is written or sent */
	int purge;                   /* delete every other file but .gitattributes in the commit */
	const char *out_dir;         /* write the dataset folder here (no publishing) */
	const char *staging_dir;     /* with ops: where shards are staged before the commit */
	const hfds_ds_repo_ops *ops; /* publish to this repo (one commit) */
	int threads;                 /* encoding threads (0 = all cores) */
} hfds_recipe_build_options;

HFDS_EXTERN void hfds_recipe_build_options_init(hfds_recipe_build_options *o);

/* What a build did (or, with dry_run, would do). */
typedef struct hfds_recipe_split_plan {
	char *config, *split;
	uint64_t rows, bytes, shards;   /* bytes: uncompressed estimate (dry run) or written */
} hfds_recipe_split_plan;

typedef struct hfds_recipe_report {
	hfds_recipe_split_plan *splits;
	size_t nsplits;
	uint64_t unmatched_rows;     /* rows no split took (left out) */
	uint64_t missing_media;      /* media files absent, stored as null (on_missing: null) */
	char **auxiliary;            /* repo paths of auxiliary files */
	size_t nauxiliary;
	char **purged;               /* files the purge deletes */
	size_t npurged;
} hfds_recipe_report;

/*
 * Loads the tables, joins, splits, embeds media and writes or publishes the configs, all
 * configs and auxiliary files in one commit (README.md last). *report (may be NULL) gets the
 * plan. Errors: HFDS_EPARSE / HFDS_ENOTFOUND / HFDS_ECONFLICT naming the recipe line, I/O
 * and hub errors; on error nothing is published.
 */
HFDS_EXTERN int hfds_recipe_build(const hfds_recipe *r, const hfds_recipe_build_options *o,
	hfds_recipe_report **report, char out_sha[41], hfds_error *err);
HFDS_EXTERN void hfds_recipe_report_free(hfds_recipe_report *rep);

#ifdef __cplusplus
}
#endif

#endif
