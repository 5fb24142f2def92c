/*
 * Closing a dataset: name the shards now that each split's count is known, work out which
 * existing files the push makes stale (datasets' deletion rules, §1.3), and merge the card.
 * Used for a local folder (hfds_ds_finish) and for a repository commit (ds_publish.c).
 */
#include "dataset/ds_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/afile.h"
#include "util/alloc.h"
#include "util/try.h"

static json_t *fnode_json(const hfds_fnode *n, int depth)
{
	json_t *v = NULL;
	size_t i;
	if (!n || depth > 64)
		return NULL;
	switch (n->kind) {
	case HFDS_FNODE_NULL:
		return json_null();
	case HFDS_FNODE_BOOL:
		return json_boolean(n->str && !strcmp(n->str, "true"));
	case HFDS_FNODE_INT:
		return json_integer(n->num);
	case HFDS_FNODE_STR:
		return json_string(n->str ? n->str : "");
	case HFDS_FNODE_SEQ:
		v = json_array();
		for (i = 0; v && i < n->count; i++) {
			json_t *c = fnode_json(n->items[i], depth + 1);
			if (!c || json_array_append_new(v, c) < 0) {
				json_decref(v);
				return NULL;
			}
		}
		return v;
	case HFDS_FNODE_MAP:
		v = json_object();
		for (i = 0; v && i < n->count; i++) {
			json_t *c = fnode_json(n->items[i], depth + 1);
			if (!c || json_object_set_new(v, n->keys[i], c) < 0) {
				json_decref(v);
				return NULL;
			}
		}
		return v;
	}
	return NULL;
}

int hfds_ds__features_yaml(json_t **out, const hfds_features *f, unsigned flags, hfds_error *err)
{
	int rc = 0;
	hfds_fnode *n = NULL;
	HFDS_TRY(hfds_features_to_yaml(&n, f, flags, err));
	*out = fnode_json(n, 0);
	HFDS_FAIL_IF(!*out, HFDS_ENOMEM, err, "out of memory");
done:
	hfds_fnode_free(n);
	return rc;
}

int hfds_ds__glob_match(const char *pattern, const char *path)
{
	return fnmatch(pattern, path, strstr(pattern, "**") ? 0 : FNM_PATHNAME) == 0;
}

void hfds_ds__plan_release(ds_plan *plan)
{
	size_t i;
	hfds_free(plan->card);
	for (i = 0; i < plan->delete_count; i++)
		hfds_free(plan->deletes[i]);
	hfds_free(plan->deletes);
	memset(plan, 0, sizeof(*plan));
}

static int config_replaces(const hfds_ds *ds, const ds_config *c)
{
	size_t i, n = 0;
	if (ds->opts.layout == HFDS_DS_LAYOUT_APPEND)
		return 0;
	if (ds->opts.replace_config >= 0)
		return ds->opts.replace_config;
	for (i = 0; i < ds->split_count; i++)
		n += ds->splits[i]->config == c;
	return n > 1;
}

/* 1 + the highest batch number among existing `<folder>/batch_N.parquet` files. */
static uint64_t next_batch(const hfds_ds *ds, const ds_split *s, const hfds_ds_repo_file *files, size_t n)
{
	char *glob = NULL;
	uint64_t next = 1;
	size_t i, plen;
	if (hfds_ds_split_glob(&glob, s->config->name, s->name, HFDS_DS_LAYOUT_APPEND, NULL) < 0)
		return 1;
	plen = strlen(glob) - strlen("*.parquet");
	for (i = 0; i < n; i++) {
		const char *p = files[i].path;
		unsigned long long k;
		int used = 0;
		if (strncmp(p, glob, plen) != 0 || strchr(p + plen, '/'))
			continue;
		if (sscanf(p + plen, "batch_%llu.parquet%n", &k, &used) == 1 && p[plen + used] == '\0' && k + 1 > next)
			next = k + 1;
	}
	hfds_free(glob);
	return next;
}

/* Decides the final names. A shard whose name changes (re-planning after a conflict)
 * first moves to a unique hidden temp name, so placing the final names can never
 * overwrite another shard of this push. */
static int name_shards(hfds_ds *ds, const hfds_ds_repo_file *files, size_t file_count, hfds_error *err)
{
	int rc = 0;
	size_t i, k;
	for (i = 0; i < ds->split_count; i++) {
		ds_split *s = ds->splits[i];
		uint64_t base = ds->opts.layout != HFDS_DS_LAYOUT_APPEND ? 0
			: ds->opts.append_batch ? ds->opts.append_batch : next_batch(ds, s, files, file_count);
		for (k = 0; k < s->shard_count; k++) {
			ds_shard *sh = &s->shards[k];
			char *final = NULL;
			if (ds->opts.layout == HFDS_DS_LAYOUT_APPEND)
				HFDS_TRY(hfds_ds_append_path(&final, s->config->name, s->name, base + k, err));
			else
				HFDS_TRY(hfds_ds_shard_path(&final, s->config->name, s->name, k, s->shard_count, err));
			if (sh->final && !strcmp(sh->final, final)) {
				hfds_free(final);
				continue;
			}
			hfds_free(sh->final);
			sh->final = final;
			if (sh->local && !sh->stored) {
				char *slash = strrchr(sh->local, '/'), *tmp = NULL;
				HFDS_FAIL_IF(asprintf(&tmp, "%.*s/.tmp-name-%llu.parquet", (int)(slash - sh->local), sh->local,
					(unsigned long long)ds->tmp_seq++) < 0, HFDS_ENOMEM, err, "out of memory");
				if (rename(sh->local, tmp) < 0) {
					rc = hfds_error_set(err, HFDS_EIO, "%s: cannot rename: %s", sh->local, strerror(errno));
					free(tmp);
					goto done;
				}
				hfds_free(sh->local);
				sh->local = hfds_strdup(tmp);
				free(tmp);
				HFDS_FAIL_IF(!sh->local, HFDS_ENOMEM, err, "out of memory");
			}
		}
	}
done:
	return rc;
}

/* Renames the shards to their final names in the folder (after the card merge succeeded,
 * so a refused push never replaces files already there). */
int hfds_ds__place_shards(hfds_ds *ds, hfds_error *err)
{
	int rc = 0;
	size_t i, k;
	char *path = NULL;
	for (i = 0; i < ds->split_count; i++) {
		ds_split *s = ds->splits[i];
		for (k = 0; k < s->shard_count; k++) {
			ds_shard *sh = &s->shards[k];
			char *p = NULL;
			if (!sh->local || (sh->stored && access(sh->local, F_OK) != 0))
				continue;   /* on the hub already and gone from the spool */
			HFDS_FAIL_IF(asprintf(&p, "%s/%s", ds->dir, sh->final) < 0, HFDS_ENOMEM, err, "out of memory");
			path = hfds_strdup(p);
			free(p);
			HFDS_FAIL_IF(!path, HFDS_ENOMEM, err, "out of memory");
			if (strcmp(path, sh->local) != 0) {
				HFDS_FAIL_IF(rename(sh->local, path) < 0, HFDS_EIO, err, "%s: cannot rename to %s: %s",
					sh->local, path, strerror(errno));
				hfds_free(sh->local);
				sh->local = path;
			} else {
				hfds_free(path);
			}
			path = NULL;
		}
	}
done:
	hfds_free(path);
	return rc;
}

static int is_new_file(const hfds_ds *ds, const char *path)
{
	size_t i, k;
	for (i = 0; i < ds->split_count; i++)
		for (k = 0; k < ds->splits[i]->shard_count; k++)
			if (ds->splits[i]->shards[k].final && !strcmp(ds->splits[i]->shards[k].final, path))
				return 1;
	return 0;
}

/* `{data_dir}/<anything without '/'>`, not hidden */
static int directly_in(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && path[n] == '/' && path[n + 1] && path[n + 1] != '.' && !strchr(path + n + 1, '/');
}

static int add_delete(ds_plan *plan, const char *path, hfds_error *err)
{
	char **grown = hfds_reallocarray(plan->deletes, plan->delete_count + 1, sizeof(*grown));
	if (!grown)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	plan->deletes = grown;
	plan->deletes[plan->delete_count] = hfds_strdup(path);
	if (!plan->deletes[plan->delete_count])
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	plan->delete_count++;
	return 0;
}

/* `data/{split}-NNNNN-of-NNNNN...`: the split name, or 0 */
static int legacy_split(const char *path, char *split, size_t cap)
{
	const char *base, *dash;
	size_t n, k;
	if (strncmp(path, "data/", 5) != 0 || strchr(path + 5, '/'))
		return 0;
	base = path + 5;
	for (dash = strchr(base, '-'); dash; dash = strchr(dash + 1, '-')) {
		const char *t = dash + 1;
		for (k = 0; k < 5 && t[k] >= '0' && t[k] <= '9'; k++)
			;
		if (k != 5 || strncmp(t + 5, "-of-", 4) != 0)
			continue;
		for (k = 0; k < 5 && t[9 + k] >= '0' && t[9 + k] <= '9'; k++)
			;
		if (k != 5)
			continue;
		n = (size_t)(dash - base);
		if (n == 0 || n >= cap)
			return 0;
		memcpy(split, base, n);
		split[n] = '\0';
		return hfds_ds_check_split(split, NULL) == 0;
	}
	return 0;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* push_to_hub's legacy upgrade: a card without `configs` over a repo holding
 * data/{split}-NNNNN-of-NNNNN files gets a "default" config listing those splits first, in the
 * order their first files come in the sorted file list (datasets walks fs.glob's result). */
static int legacy_configs(hfds_card *card, const hfds_ds_repo_file *files, size_t n, int *added, hfds_error *err)
{
	int rc = 0;
	json_t *seen = NULL, *entry = NULL, *df = NULL;
	const char **paths = NULL;
	char split[256];
	size_t i, count = 0;
	if (json_object_get(card->meta, "configs"))
		return 0;
	seen = json_object();
	df = json_array();
	paths = hfds_calloc(n ? n : 1, sizeof(*paths));
	HFDS_FAIL_IF(!seen || !df || !paths, HFDS_ENOMEM, err, "out of memory");
	for (i = 0; i < n; i++)
		if (legacy_split(files[i].path, split, sizeof(split)))
			paths[count++] = files[i].path;
	if (count == 0)
		goto done;
	qsort(paths, count, sizeof(*paths), by_path);
	for (i = 0; i < count; i++) {
		char *glob = NULL;
		legacy_split(paths[i], split, sizeof(split));
		if (json_object_get(seen, split))
			continue;
		HFDS_FAIL_IF(json_object_set_new(seen, split, json_true()) < 0, HFDS_ENOMEM, err, "out of memory");
		HFDS_TRY(hfds_ds_split_glob(&glob, "default", split, HFDS_DS_LAYOUT_SHARDS, err));
		rc = json_array_append_new(df, json_pack("{s:s, s:s}", "split", split, "path", glob)) < 0 ? HFDS_ENOMEM : 0;
		hfds_free(glob);
		HFDS_FAIL_IF(rc < 0, HFDS_ENOMEM, err, "out of memory");
	}
	entry = json_pack("[{s:s, s:O}]", "config_name", "default", "data_files", df);
	HFDS_FAIL_IF(!entry || json_object_set_new(card->meta, "configs", entry) < 0, HFDS_ENOMEM, err, "out of memory");
	entry = NULL;
	*added = 1;
done:
	hfds_free(paths);
	json_decref(df);
	json_decref(entry);
	json_decref(seen);
	return rc;
}

int hfds_ds__plan(ds_plan *plan, hfds_ds *ds, const char *card_text, size_t card_len,
	const hfds_ds_repo_file *files, size_t file_count, hfds_error *err)
{
	int rc = 0;
	hfds_card *card = NULL;
	hfds_card_split *splits = NULL;
	char *glob = NULL;
	hfds_buf out;
	size_t ci, i, f;
	int legacy = 0;
	memset(plan, 0, sizeof(*plan));
	hfds_buf_init(&out, HFDS_CARD_MAX_BYTES);
	HFDS_TRY(hfds_card__parse(&card, card_text, card_len, "README.md", err));
	HFDS_TRY(legacy_configs(card, files, file_count, &legacy, err));
	HFDS_TRY(name_shards(ds, files, file_count, err));
	splits = hfds_calloc(ds->split_count ? ds->split_count : 1, sizeof(*splits));
	HFDS_FAIL_IF(!splits, HFDS_ENOMEM, err, "out of memory");
	for (ci = 0; ci < ds->config_count; ci++) {
		ds_config *c = ds->configs[ci];
		hfds_card_update u;
		int replace = config_replaces(ds, c);
		const char *data_dir = hfds_ds_data_dir(c->name);
		memset(&u, 0, sizeof(u));
		u.config = c->name;
		u.features_yaml = c->features_yaml;
		u.splits = splits;
		u.layout = ds->opts.layout;
		u.replace_config = replace;
		u.append = ds->opts.layout == HFDS_DS_LAYOUT_APPEND;
		u.set_default = ds->opts.set_default;
		u.replace_features = ds->opts.replace_features;
		for (i = 0; i < ds->split_count; i++) {
			ds_split *s = ds->splits[i];
			if (s->config != c)
				continue;
			splits[u.split_count].name = s->name;
			splits[u.split_count].num_bytes = s->num_bytes;
			splits[u.split_count].num_examples = s->num_examples;
			u.split_count++;
			u.download_added += s->download;
			if (ds->opts.layout == HFDS_DS_LAYOUT_APPEND)
				continue;
			HFDS_TRY(hfds_ds_split_glob(&glob, c->name, s->name, HFDS_DS_LAYOUT_SHARDS, err));
			for (f = 0; f < file_count; f++) {
				if (!hfds_ds__glob_match(glob, files[f].path))
					continue;
				u.download_removed += files[f].size;
				if (!replace && !is_new_file(ds, files[f].path))
					HFDS_TRY(add_delete(plan, files[f].path, err));
			}
			hfds_free(glob);
			glob = NULL;
		}
		if (u.split_count == 0)
			continue;
		if (replace)
			for (f = 0; f < file_count; f++)
				if (directly_in(files[f].path, data_dir) && !is_new_file(ds, files[f].path))
					HFDS_TRY(add_delete(plan, files[f].path, err));
		rc = hfds_card__update(card, &u, err);
		HFDS_TRY(rc);
	}
	if (legacy) {
		/* the synthesized configs were not in the card: they go after dataset_info */
		json_t *cf = json_incref(json_object_get(card->meta, "configs"));
		json_object_del(card->meta, "configs");
		HFDS_FAIL_IF(json_object_set_new(card->meta, "configs", cf) < 0, HFDS_ENOMEM, err, "out of memory");
	}
	HFDS_TRY(hfds_card__render(card, &out, err));
	HFDS_TRY(hfds_buf_cstr(&out, err));
	plan->card = (char *)hfds_buf_detach(&out, &plan->card_len);
done:
	if (rc < 0)
		hfds_ds__plan_release(plan);
	hfds_free(glob);
	hfds_free(splits);
	hfds_buf_release(&out);
	hfds_card__free(card);
	return rc;
}

/* ---- local folders ---- */

static int scan(const char *root, const char *rel, hfds_ds_repo_file **files, size_t *n, size_t *cap,
	int depth, hfds_error *err)
{
	int rc = 0;
	char *dirpath = NULL;
	DIR *d = NULL;
	struct dirent *e;
	HFDS_FAIL_IF(depth > 32, HFDS_ELIMIT, err, "%s: folders nested too deep", root);
	HFDS_FAIL_IF(asprintf(&dirpath, "%s%s%s", root, *rel ? "/" : "", rel) < 0, HFDS_ENOMEM, err, "out of memory");
	d = opendir(dirpath);
	if (!d) {
		if (errno == ENOENT)
			goto done;
		HFDS_FAIL(HFDS_EIO, err, "%s: cannot list: %s", dirpath, strerror(errno));
	}
	while ((e = readdir(d)) != NULL) {
		char *child = NULL, *full = NULL;
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		if (asprintf(&child, "%s%s%s", rel, *rel ? "/" : "", e->d_name) < 0)
			HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
		if (asprintf(&full, "%s/%s", dirpath, e->d_name) < 0) {
			free(child);
			HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
		}
		if (stat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
			rc = scan(root, child, files, n, cap, depth + 1, err);
		} else if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
			if (*n == *cap) {
				size_t nc = *cap ? 2 * *cap : 16;
				hfds_ds_repo_file *g = hfds_reallocarray(*files, nc, sizeof(*g));
				if (!g)
					rc = hfds_error_set(err, HFDS_ENOMEM, "out of memory");
				else
					*files = g, *cap = nc;
			}
			if (rc == 0) {
				(*files)[*n].path = hfds_strdup(child);
				(*files)[*n].size = (uint64_t)st.st_size;
				if (!(*files)[*n].path)
					rc = hfds_error_set(err, HFDS_ENOMEM, "out of memory");
				else
					(*n)++;
			}
		}
		free(child);
		free(full);
		if (rc < 0)
			goto done;
	}
done:
	if (d)
		closedir(d);
	free(dirpath);
	return rc;
}

int hfds_ds__scan_folder(const char *root, hfds_ds_repo_file **files, size_t *count, hfds_error *err)
{
	size_t cap = 0;
	int rc;
	*files = NULL;
	*count = 0;
	rc = scan(root, "", files, count, &cap, 0, err);
	if (rc < 0) {
		hfds_ds_repo_files_free(*files, *count);
		*files = NULL;
		*count = 0;
	}
	return rc;
}

void hfds_ds_repo_files_free(hfds_ds_repo_file *files, size_t count)
{
	size_t i;
	if (!files)
		return;
	for (i = 0; i < count; i++)
		hfds_free(files[i].path);
	hfds_free(files);
}

static int read_small_file(const char *path, char **out, size_t *len, hfds_error *err)
{
	int rc = 0;
	FILE *fp = fopen(path, "rb");
	hfds_buf b;
	char chunk[65536];
	size_t n;
	hfds_buf_init(&b, 64u << 20);
	*out = NULL;
	*len = 0;
	if (!fp)
		return errno == ENOENT ? HFDS_ENOTFOUND : hfds_error_set(err, HFDS_EIO, "%s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		HFDS_TRY(hfds_buf_append(&b, chunk, n, err));
	HFDS_FAIL_IF(ferror(fp), HFDS_EIO, err, "%s: read error", path);
	HFDS_TRY(hfds_buf_cstr(&b, err));
	*out = (char *)hfds_buf_detach(&b, len);
done:
	fclose(fp);
	hfds_buf_release(&b);
	return rc;
}

int hfds_ds__read_file(const char *path, char **out, size_t *len, hfds_error *err)
{
	return read_small_file(path, out, len, err);
}

/* The new card is written completely (beside README.md) before any file of the folder
 * changes; only then are the shards renamed over their final names, the stale files
 * deleted and the card renamed into place. A failure before the swap leaves the folder as
 * it was, without a temporary. */
int hfds_ds_finish(hfds_ds *ds, hfds_error *err)
{
	int rc = 0;
	hfds_ds_repo_file *files = NULL;
	size_t count = 0, i;
	char *card = NULL, *readme = NULL;
	size_t card_len = 0;
	ds_plan plan;
	hfds_afile out = HFDS_AFILE_INIT;
	memset(&plan, 0, sizeof(plan));
	HFDS_FAIL_IF(ds->state != DS_OPEN, HFDS_ESTATE, err,
		ds->state == DS_DONE ? "dataset writer is already finished" : "dataset writer failed earlier");
	HFDS_TRY(hfds_ds__close_all(ds, err));
	HFDS_TRY(hfds_ds__scan_folder(ds->dir, &files, &count, err));
	HFDS_FAIL_IF(asprintf(&readme, "%s/README.md", ds->dir) < 0, HFDS_ENOMEM, err, "out of memory");
	rc = read_small_file(readme, &card, &card_len, err);
	if (rc == HFDS_ENOTFOUND)
		rc = 0;
	HFDS_TRY(rc);
	HFDS_TRY(hfds_ds__plan(&plan, ds, card, card_len, files, count, err));
	HFDS_TRY(hfds_afile_open(&out, readme, 0, err));
	HFDS_TRY(hfds_afile_write(&out, plan.card, plan.card_len, err));
	HFDS_TRY(hfds_ds__place_shards(ds, err));
	for (i = 0; i < plan.delete_count; i++) {
		char *p = NULL;
		HFDS_FAIL_IF(asprintf(&p, "%s/%s", ds->dir, plan.deletes[i]) < 0, HFDS_ENOMEM, err, "out of memory");
		if (unlink(p) < 0 && errno != ENOENT) {
			rc = hfds_error_set(err, HFDS_EIO, "%s: cannot delete: %s", p, strerror(errno));
			free(p);
			goto done;
		}
		free(p);
	}
	HFDS_TRY(hfds_afile_commit(&out, err));
	ds->state = DS_DONE;
done:
	hfds_afile_abort(&out);
	if (rc < 0 && ds->state == DS_OPEN)
		ds->state = DS_FAILED;
	hfds_ds__plan_release(&plan);
	hfds_ds_repo_files_free(files, count);
	hfds_free(card);
	free(readme);
	return rc;
}
