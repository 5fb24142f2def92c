/* The parsed recipe (recipe_parse.c) as the engine (recipe_build.c, recipe_table.c) uses it.
 * Every item keeps the line and column it came from, for messages. */
#ifndef HFDS_RECIPE_INT_H
#define HFDS_RECIPE_INT_H

#include <stddef.h>
#include <stdint.h>
#include "hfds/recipe.h"

typedef struct rc_pos { int line, col; } rc_pos;

typedef struct rc_table {
	char *name, *path, *on;
	int left;                 /* how: left (1) or inner (0) */
	rc_pos pos, on_pos;
} rc_table;

typedef struct rc_pair { char *key, *value; rc_pos pos; } rc_pair;

typedef struct rc_cast {
	char *column, *type;      /* type: a value dtype or "class_label" */
	char **names;             /* class_label names (NULL: sorted distinct values) */
	size_t nnames;
	rc_pos pos;
} rc_cast;

enum { RC_MEDIA_AUDIO, RC_MEDIA_IMAGE, RC_MEDIA_BINARY };

typedef struct rc_media {
	char *name, *from, *base;
	int kind, on_missing_null;
	int64_t sampling_rate;
	rc_pos pos;
} rc_media;

typedef struct rc_config {
	char *name;
	int is_default;
	char **columns, **drop;   /* columns NULL = all */
	size_t ncolumns, ndrop;
	rc_pos pos;
} rc_config;

enum { RC_SPLIT_NONE, RC_SPLIT_FILE, RC_SPLIT_COLUMN, RC_SPLIT_HASH };

typedef struct rc_split {
	int mode;
	char *by, *file;
	rc_pair *names;           /* file key or column value -> split name; hash: split -> ratio */
	size_t nnames;
	uint64_t seed;
	rc_pos pos, file_pos;
} rc_split;

struct hfds_recipe {
	char *name, *base_dir;
	rc_table *tables; size_t ntables;
	char **drop; size_t ndrop; rc_pos drop_pos;
	rc_pair *rename; size_t nrename;
	rc_cast *casts; size_t ncasts;
	rc_split split;
	rc_media *media; size_t nmedia;
	rc_config *configs; size_t nconfigs;
	rc_pair *aux; size_t naux;       /* key: local path, value: repo path */
	char *card_body, *license, *pretty_name;
	char **tags; size_t ntags;
	char **task_categories; size_t ntask_categories;
	uint64_t max_shard_size;
};

/* "dir/path" unless path is absolute (malloc'd, NULL when out of memory). */
char *rc_resolve(const char *base_dir, const char *path);
/* A whole file (NUL-terminated, malloc'd); HFDS_ELIMIT past `max` bytes, HFDS_EIO. */
int rc_read_file(const char *path, size_t max, char **data, size_t *len, hfds_error *err);

#endif
