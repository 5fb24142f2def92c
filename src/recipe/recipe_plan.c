/*
 * The plan of a recipe: tables loaded, joined and shaped; each row's split; each media
 * column's files checked (size, or missing); each config's columns and features. Building
 * the plan reads labels and stats media files but reads no media bytes, so a dry run costs
 * a directory walk.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "recipe/recipe_plan.h"
#include "util/alloc.h"
#include "util/try.h"

static int load_tables(rc_plan *p, const hfds_recipe *r, hfds_error *err)
{
	int rc = 0;
	char *path = NULL;
	for (size_t i = 0; i < r->ntables; i++) {
		rc_tab t;
		path = rc_resolve(r->base_dir, r->tables[i].path);
		HFDS_FAIL_IF(!path, HFDS_ENOMEM, err, "out of memory");
		if ((rc = rc_tab_load(i ? &t : &p->tab, path, err)) < 0) {
			char where[300];
			snprintf(where, sizeof(where), "%s:%d:%d: table '%s': ", r->name, r->tables[i].pos.line,
				r->tables[i].pos.col, r->tables[i].name);
			hfds_error_prefix(err, where);
			goto done;
		}
		if (i)
			HFDS_TRY(rc_tab_join(&p->tab, &t, &r->tables[i], r->name, err));
		free(path);
		path = NULL;
	}
	rc = rc_tab_shape(&p->tab, r, err);
done:
	free(path);
	return rc;
}

static int split_slot(rc_plan *p, const char *name, hfds_error *err)
{
	size_t i;
	for (i = 0; i < p->nsplits; i++)
		if (!strcmp(p->splits[i], name))
			return (int)i;
	char **g = hfds_reallocarray(p->splits, p->nsplits + 1, sizeof(char *));
	if (!g)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	p->splits = g;
	if (!(p->splits[p->nsplits] = hfds_strdup(name)))
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	return (int)p->nsplits++;
}

static uint64_t mix(uint64_t seed, const char *s)
{
	uint64_t h = 1469598103934665603ull ^ (seed * 0x9E3779B97F4A7C15ull);
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	return h ^ (h >> 33);
}

/* Row -> split index (-1 = none) by a JSON file of lists, a column's values or a hash. */
static int assign_splits(rc_plan *p, const hfds_recipe *r, hfds_error *err)
{
	const rc_split *s = &r->split;
	json_t *doc = NULL, *index = NULL;
	json_error_t je;
	char *path = NULL, buf[64];
	double *cut = NULL;
	int rc = 0, k;
	long c;
	size_t i, row;
	p->row_split = calloc(p->tab.nrows + 1, sizeof(int));
	HFDS_FAIL_IF(!p->row_split, HFDS_ENOMEM, err, "out of memory");
	if (s->mode == RC_SPLIT_NONE) {
		HFDS_TRY(k = split_slot(p, "train", err));
		goto done;
	}
	c = rc_tab_find(&p->tab, s->by);
	HFDS_FAIL_IF(c < 0, HFDS_ENOTFOUND, err, "%s:%d:%d: splits: unknown column '%s'", r->name, s->pos.line, s->pos.col,
		s->by);
	for (i = 0; i < s->nnames; i++) {
		const char *split = s->mode == RC_SPLIT_HASH ? s->names[i].key : s->names[i].value;
		if (hfds_ds_check_split(split, err) < 0) {
			hfds_error_init(err);
			HFDS_FAIL(HFDS_EINVAL, err, "%s:%d:%d: split name '%s' must match ^\\w+(\\.\\w+)*$", r->name,
				s->names[i].pos.line, s->names[i].pos.col, split);
		}
		HFDS_TRY(split_slot(p, split, err));
	}
	if (s->mode == RC_SPLIT_FILE) {
		path = rc_resolve(r->base_dir, s->file);
		HFDS_FAIL_IF(!path, HFDS_ENOMEM, err, "out of memory");
		doc = json_load_file(path, 0, &je);
		HFDS_FAIL_IF(!doc, HFDS_EPARSE, err, "%s:%d:%d: split file %s:%d:%d: %s", r->name, s->file_pos.line, s->file_pos.col,
			s->file, je.line, je.column, je.text);
		HFDS_FAIL_IF(!json_is_object(doc), HFDS_EPARSE, err, "%s:%d:%d: split file %s: expected an object of lists",
			r->name, s->file_pos.line, s->file_pos.col, s->file);
		/* value text -> split index, first list wins: one lookup per row */
		index = json_object();
		HFDS_FAIL_IF(!index, HFDS_ENOMEM, err, "out of memory");
		for (i = 0; i < s->nnames; i++) {
			json_t *list = json_object_get(doc, s->names[i].key), *e;
			size_t j;
			HFDS_FAIL_IF(!json_is_array(list), HFDS_EPARSE, err, "%s:%d:%d: split file %s has no list '%s'",
				r->name, s->names[i].pos.line, s->names[i].pos.col, s->file, s->names[i].key);
			HFDS_TRY(k = split_slot(p, s->names[i].value, err));
			json_array_foreach(list, j, e) {
				const char *key = json_is_string(e) ? json_string_value(e) : NULL;
				if (json_is_integer(e)) {
					snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(e));
					key = buf;
				}
				HFDS_FAIL_IF(!key, HFDS_EPARSE, err, "%s:%d:%d: split file %s: list '%s' item %zu is not a string or integer",
					r->name, s->names[i].pos.line, s->names[i].pos.col, s->file, s->names[i].key, j + 1);
				if (!json_object_get(index, key))
					HFDS_FAIL_IF(json_object_set_new(index, key, json_integer(k)) < 0, HFDS_ENOMEM, err, "out of memory");
			}
		}
	} else if (s->mode == RC_SPLIT_HASH) {
		double total = 0;
		cut = calloc(s->nnames + 1, sizeof(double));
		HFDS_FAIL_IF(!cut, HFDS_ENOMEM, err, "out of memory");
		for (i = 0; i < s->nnames; i++) {
			char *end;
			double v = strtod(s->names[i].value, &end);
			HFDS_FAIL_IF(*end || v < 0, HFDS_EINVAL, err, "%s:%d:%d: ratio '%s' is not a number >= 0", r->name,
				s->names[i].pos.line, s->names[i].pos.col, s->names[i].value);
			total += v;
			cut[i] = total;
		}
		HFDS_FAIL_IF(total <= 0, HFDS_EINVAL, err, "%s:%d:%d: ratios sum to 0", r->name, s->pos.line, s->pos.col);
		for (i = 0; i < s->nnames; i++)
			cut[i] /= total;
	}
	for (row = 0; row < p->tab.nrows; row++) {
		const char *v = rc_cell_text(&p->tab.cols[c], row, buf, sizeof(buf));
		p->row_split[row] = -1;
		if (!p->tab.cols[c].cells[row].valid)
			;
		else if (s->mode == RC_SPLIT_COLUMN) {
			for (i = 0; i < s->nnames && strcmp(s->names[i].key, v); i++)
				;
			if (i < s->nnames)
				HFDS_TRY(p->row_split[row] = split_slot(p, s->names[i].value, err));
		} else if (s->mode == RC_SPLIT_HASH) {
			double u = (double)(mix(s->seed, v) >> 11) / 9007199254740992.0;
			for (i = 0; i + 1 < s->nnames && u >= cut[i]; i++)
				;
			p->row_split[row] = (int)i;
		} else {
			json_t *slot = json_object_get(index, v);
			if (slot)
				p->row_split[row] = (int)json_integer_value(slot);
		}
		p->unmatched += p->row_split[row] < 0;
	}
done:
	json_decref(index);
	json_decref(doc);
	free(path);
	free(cut);
	return rc;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* Media: path columns become media columns; files are stat'ed, missing ones counted. */
static int plan_media(rc_plan *p, const hfds_recipe *r, hfds_error *err)
{
	int rc = 0;
	p->media = calloc(r->nmedia + 1, sizeof(rc_media_col));
	HFDS_FAIL_IF(!p->media, HFDS_ENOMEM, err, "out of memory");
	for (size_t m = 0; m < r->nmedia; m++) {
		const rc_media *md = &r->media[m];
		rc_media_col *mc = &p->media[p->nmedia++];
		long c = rc_tab_find(&p->tab, md->from);
		char *base = NULL;
		mc->spec = md;
		HFDS_FAIL_IF(c < 0, HFDS_ENOTFOUND, err, "%s:%d:%d: media '%s': unknown column '%s'", r->name, md->pos.line,
			md->pos.col, md->name, md->from);
		HFDS_FAIL_IF(p->tab.cols[c].type != 's', HFDS_EINVAL, err, "%s:%d:%d: media '%s': column '%s' is not a string",
			r->name, md->pos.line, md->pos.col, md->name, md->from);
		HFDS_FAIL_IF(rc_tab_find(&p->tab, md->name) >= 0 && strcmp(md->name, md->from), HFDS_ECONFLICT, err,
			"%s:%d:%d: media '%s': a column has that name", r->name, md->pos.line, md->pos.col, md->name);
		mc->paths = calloc(p->tab.nrows + 1, sizeof(char *));
		mc->names = calloc(p->tab.nrows + 1, sizeof(char *));
		mc->sizes = calloc(p->tab.nrows + 1, sizeof(uint64_t));
		HFDS_FAIL_IF(!mc->paths || !mc->names || !mc->sizes, HFDS_ENOMEM, err, "out of memory");
		base = rc_resolve(r->base_dir, md->base ? md->base : ".");
		HFDS_FAIL_IF(!base, HFDS_ENOMEM, err, "out of memory");
		for (size_t row = 0; row < p->tab.nrows && rc == 0; row++) {
			rc_cell *e = &p->tab.cols[c].cells[row];
			struct stat st;
			if (!e->valid || p->row_split[row] < 0)
				continue;
			mc->paths[row] = rc_resolve(base, e->v.s);
			mc->names[row] = hfds_strdup(base_name(e->v.s));
			if (!mc->paths[row] || !mc->names[row])
				rc = hfds_error_set(err, HFDS_ENOMEM, "out of memory");
			else if (stat(mc->paths[row], &st) != 0 || !S_ISREG(st.st_mode)) {
				if (!md->on_missing_null)
					rc = hfds_error_set(err, HFDS_ENOTFOUND, "%s:%d:%d: media '%s': row %zu: no file %s "
						"(on_missing: null stores a null)", r->name, md->pos.line, md->pos.col, md->name,
						row + 1, mc->paths[row]);
				free(mc->paths[row]);
				mc->paths[row] = NULL;
				p->missing++;
			} else
				mc->sizes[row] = (uint64_t)st.st_size;
		}
		free(base);
		if (rc < 0)
			goto done;
		mc->name = hfds_strdup(md->name);
		HFDS_FAIL_IF(!mc->name, HFDS_ENOMEM, err, "out of memory");
		rc_tab_remove(&p->tab, (size_t)c);
	}
done:
	return rc;
}

static int want_column(const rc_plan *p, const char *name)
{
	if (rc_tab_find(&p->tab, name) >= 0)
		return 1;
	for (size_t m = 0; m < p->nmedia; m++)
		if (!strcmp(p->media[m].name, name))
			return 1;
	return 0;
}

static int add_feature(rc_plan *p, hfds_features *f, const char *name, hfds_error *err)
{
	long c = rc_tab_find(&p->tab, name);
	hfds_feature *ft = NULL;
	if (c >= 0)
		ft = rc_col_feature(&p->tab.cols[c]);
	else
		for (size_t m = 0; m < p->nmedia; m++)
			if (!strcmp(p->media[m].name, name)) {
				const rc_media *md = p->media[m].spec;
				ft = md->kind == RC_MEDIA_AUDIO ? hfds_feature_audio(md->sampling_rate)
					: md->kind == RC_MEDIA_IMAGE ? hfds_feature_image(NULL) : hfds_feature_value(HFDS_DTYPE_BINARY);
			}
	if (!ft)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	return hfds_features_add(f, name, ft, err);
}

/* Each config's features: all columns (table order, then media), `columns`, or minus `drop`. */
static int plan_configs(rc_plan *p, const hfds_recipe *r, hfds_error *err)
{
	static const rc_config all = { .name = "default", .is_default = 0 };
	size_t n = r->nconfigs ? r->nconfigs : 1, i, j;
	int rc = 0;
	p->configs = calloc(n + 1, sizeof(rc_config_plan));
	HFDS_FAIL_IF(!p->configs, HFDS_ENOMEM, err, "out of memory");
	for (i = 0; i < n; i++) {
		const rc_config *cf = r->nconfigs ? &r->configs[i] : &all;
		rc_config_plan *cp = &p->configs[p->nconfigs++];
		cp->spec = cf;
		cp->features = hfds_features_new();
		HFDS_FAIL_IF(!cp->features, HFDS_ENOMEM, err, "out of memory");
		for (j = 0; j < cf->ncolumns; j++) {
			HFDS_FAIL_IF(!want_column(p, cf->columns[j]), HFDS_ENOTFOUND, err, "%s:%d:%d: config '%s': unknown column '%s'",
				r->name, cf->pos.line, cf->pos.col, cf->name, cf->columns[j]);
			HFDS_TRY(add_feature(p, cp->features, cf->columns[j], err));
		}
		for (j = 0; j < cf->ndrop; j++)
			HFDS_FAIL_IF(!want_column(p, cf->drop[j]), HFDS_ENOTFOUND, err, "%s:%d:%d: config '%s': unknown column '%s'",
				r->name, cf->pos.line, cf->pos.col, cf->name, cf->drop[j]);
		if (cf->columns)
			continue;
		for (j = 0; j < p->tab.ncols + p->nmedia; j++) {
			const char *name = j < p->tab.ncols ? p->tab.cols[j].name : p->media[j - p->tab.ncols].name;
			size_t d;
			for (d = 0; d < cf->ndrop && strcmp(cf->drop[d], name); d++)
				;
			if (d == cf->ndrop)
				HFDS_TRY(add_feature(p, cp->features, name, err));
		}
		HFDS_FAIL_IF(!hfds_features_count(cp->features), HFDS_EINVAL, err, "%s:%d:%d: config '%s' has no column",
			r->name, cf->pos.line, cf->pos.col, cf->name);
	}
done:
	return rc;
}

int rc_plan_make(rc_plan *p, const hfds_recipe *r, hfds_error *err)
{
	int rc = 0;
	memset(p, 0, sizeof(*p));
	HFDS_TRY(load_tables(p, r, err));
	HFDS_TRY(assign_splits(p, r, err));
	HFDS_TRY(plan_media(p, r, err));
	HFDS_TRY(plan_configs(p, r, err));
done:
	if (rc < 0)
		rc_plan_free(p);
	return rc;
}

void rc_plan_free(rc_plan *p)
{
	size_t i, row;
	for (i = 0; i < p->nmedia; i++) {
		for (row = 0; row < p->tab.nrows; row++) {
			free(p->media[i].paths[row]);
			free(p->media[i].names ? p->media[i].names[row] : NULL);
		}
		free(p->media[i].paths);
		free(p->media[i].names);
		free(p->media[i].sizes);
		free(p->media[i].name);
	}
	free(p->media);
	for (i = 0; i < p->nconfigs; i++)
		hfds_features_free(p->configs[i].features);
	free(p->configs);
	for (i = 0; i < p->nsplits; i++)
		free(p->splits[i]);
	free(p->splits);
	free(p->row_split);
	rc_tab_free(&p->tab);
	memset(p, 0, sizeof(*p));
}
