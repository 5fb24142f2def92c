/* In-memory label tables of a recipe: loaded from Parquet, joined on a key, columns dropped,
 * renamed and cast. Labels are small next to media (SOUSA: 41 MB of labels for 96 GB of
 * audio), so they are held as cells; media never pass through here. */
#ifndef HFDS_RECIPE_TABLE_H
#define HFDS_RECIPE_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include "hfds/features.h"
#include "recipe/recipe_int.h"

typedef struct rc_cell {
	int valid;
	union { int64_t i; double d; char *s; } v;
} rc_cell;

typedef struct rc_col {
	char *name;
	char type;            /* 'i' integer, 'd' floating, 's' string, 'b' bool */
	hfds_dtype dtype;     /* the source's dtype, kept on output */
	rc_cell *cells;
	char **class_names;   /* after a class_label cast: names (type 'i' holds the index) */
	size_t nclass;
} rc_col;

typedef struct rc_tab {
	rc_col *cols;
	size_t ncols, nrows;
} rc_tab;

int rc_tab_load(rc_tab *t, const char *path, hfds_error *err);
/* Joins `right` into `left` on spec->on (one-to-one: duplicate keys on the right are an
 * error naming the recipe line). `right` is consumed. */
int rc_tab_join(rc_tab *left, rc_tab *right, const rc_table *spec, const char *recipe, hfds_error *err);
/* Applies the recipe's drop, rename and cast. */
int rc_tab_shape(rc_tab *t, const hfds_recipe *r, hfds_error *err);
/* Index of a column or -1. */
long rc_tab_find(const rc_tab *t, const char *name);
/* Removes column i. */
void rc_tab_remove(rc_tab *t, size_t i);
/* The feature a column is written with (caller frees). */
hfds_feature *rc_col_feature(const rc_col *c);
/* A cell as text for keys and split lookups ("" for null); buf holds numbers. */
const char *rc_cell_text(const rc_col *c, size_t row, char *buf, size_t cap);
void rc_tab_free(rc_tab *t);

#endif
