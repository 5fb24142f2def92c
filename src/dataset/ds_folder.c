/*
 * What hfds_ds_publish_folder may take from a user's folder, decided before anything is
 * committed. The walk never leaves the folder: a symbolic link that resolves outside it
 * is refused (it once published /etc/passwd), names with control characters are refused
 * (a newline cannot be a repo path), FIFOs, sockets, devices and dangling links are
 * skipped with a warning (opening a FIFO would block the push). Every *.parquet file must
 * be a readable Parquet file, and the files of each split of the card must carry the
 * card's features and add up to its num_examples, so a card never describes files it
 * does not match. Finally the folder card's own keys and prose are kept.
 */
#include "dataset/ds_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

#include "hfds/parquet_reader.h"
#include "util/alloc.h"
#include "util/try.h"

typedef struct walk {
	const char *dir;              /* as the caller named it */
	char *real;                   /* realpath of dir */
	hfds_ds_repo_file *files;
	size_t n, cap;
	const hfds_ds_publish_options *opts;
} walk;

static void warn(const walk *w, const char *fmt, const char *path, const char *what)
{
	char msg[4400];
	if (!w->opts || !w->opts->warn)
		return;
	snprintf(msg, sizeof(msg), fmt, path, what);
	w->opts->warn(w->opts->warn_payload, msg);
}

static int add_file(walk *w, const char *rel, uint64_t size, hfds_error *err)
{
	if (w->n == w->cap) {
		size_t nc = w->cap ? 2 * w->cap : 16;
		hfds_ds_repo_file *g = hfds_reallocarray(w->files, nc, sizeof(*g));
		if (!g)
			return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
		w->files = g;
		w->cap = nc;
	}
	if (!(w->files[w->n].path = hfds_strdup(rel)))
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	w->files[w->n++].size = size;
	return 0;
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static const char *kind_of(mode_t m)
{
	return S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" : S_ISCHR(m) || S_ISBLK(m) ? "a device" : "not a regular file";
}

static int walk_dir(walk *w, const char *rel, int depth, hfds_error *err);

/* One entry `rel` (relative to the folder) at `full`. */
static int walk_entry(walk *w, const char *rel, const char *full, int depth, hfds_error *err)
{
	struct stat st;
	char *target = NULL;
	int rc = 0;
	HFDS_FAIL_IF(lstat(full, &st) != 0, HFDS_EIO, err, "%s: %s", full, strerror(errno));
	if (S_ISLNK(st.st_mode)) {
		size_t n = strlen(w->real);
		target = realpath(full, NULL);
		if (!target) {
			warn(w, "%s: %s symbolic link: skipped", full, errno == ENOENT ? "dangling" : "unresolvable");
			goto done;
		}
		HFDS_FAIL_IF(strncmp(target, w->real, n) != 0 || (target[n] != '/' && target[n] != '\0'), HFDS_EINVAL, err,
			"%s: a symbolic link to %s, outside %s: refused (nothing was published)", full, target, w->dir);
		HFDS_FAIL_IF(stat(full, &st) != 0, HFDS_EIO, err, "%s: %s", full, strerror(errno));
	}
	if (S_ISDIR(st.st_mode))
		HFDS_TRY(walk_dir(w, rel, depth + 1, err));
	else if (S_ISREG(st.st_mode))
		HFDS_TRY(add_file(w, rel, (uint64_t)st.st_size, err));
	else
		warn(w, "%s: %s: skipped", full, kind_of(st.st_mode));
done:
	free(target);
	return rc;
}

static int walk_dir(walk *w, const char *rel, int depth, hfds_error *err)
{
	int rc = 0;
	char *dirpath = NULL, *child = NULL, *full = NULL;
	DIR *d = NULL;
	struct dirent *e;
	HFDS_FAIL_IF(depth > 32, HFDS_ELIMIT, err, "%s/%s: folders nested too deep (a link cycle?)", w->dir, rel);
	HFDS_FAIL_IF(asprintf(&dirpath, "%s%s%s", w->dir, *rel ? "/" : "", rel) < 0, HFDS_ENOMEM, err, "out of memory");
	d = opendir(dirpath);
	HFDS_FAIL_IF(!d, errno == ENOENT ? HFDS_ENOTFOUND : HFDS_EIO, err, "%s: cannot list: %s", dirpath, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		HFDS_FAIL_IF(has_control(e->d_name), HFDS_EINVAL, err,
			"%s/%s: a file name with a newline or another control character cannot be published", dirpath,
			e->d_name);
		HFDS_FAIL_IF(asprintf(&child, "%s%s%s", rel, *rel ? "/" : "", e->d_name) < 0 ||
			asprintf(&full, "%s/%s", dirpath, e->d_name) < 0, HFDS_ENOMEM, err, "out of memory");
		HFDS_TRY(walk_entry(w, child, full, depth, err));
		free(child);
		free(full);
		child = full = NULL;
	}
done:
	if (d)
		closedir(d);
	free(dirpath);
	free(child);
	free(full);
	return rc;
}

int hfds_ds__scan_publishable(const char *dir, const hfds_ds_publish_options *opts, hfds_ds_repo_file **files,
	size_t *count, hfds_error *err)
{
	walk w;
	int rc = 0;
	memset(&w, 0, sizeof(w));
	w.dir = dir;
	w.opts = opts;
	*files = NULL;
	*count = 0;
	w.real = realpath(dir, NULL);
	HFDS_FAIL_IF(!w.real, errno == ENOENT ? HFDS_ENOTFOUND : HFDS_EIO, err, "%s: %s", dir, strerror(errno));
	HFDS_TRY(walk_dir(&w, "", 0, err));
	*files = w.files;
	*count = w.n;
	w.files = NULL;
done:
	hfds_ds_repo_files_free(w.files, w.n);
	free(w.real);
	return rc;
}

/* ---- shards against the card ---- */

typedef struct shard_facts {
	int64_t rows;
	json_t *yaml[2];              /* features in the card's YAML form: List, Sequence */
	json_t *columns;              /* the file's top-level column names */
} shard_facts;

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

static int read_facts(shard_facts *f, const char *path, hfds_error *err)
{
	hfds_pq_reader *r = NULL;
	hfds_features *feat = NULL;
	struct ArrowSchema s;
	const char *hf = NULL;
	size_t hf_len = 0;
	int rc = 0;
	memset(&s, 0, sizeof(s));
	rc = hfds_pq_reader_open_path(&r, path, NULL, err);
	if (rc < 0) {
		if (err) {
			hfds_error_prefix(err, "not a readable Parquet file");
			hfds_error_prefix(err, path);
		}
		goto done;
	}
	f->rows = hfds_pq_reader_num_rows(r);
	HFDS_TRY(hfds_pq_reader_schema(r, &s, err));
	HFDS_FAIL_IF(!(f->columns = json_array()), HFDS_ENOMEM, err, "out of memory");
	for (int64_t i = 0; i < s.n_children; i++)
		HFDS_FAIL_IF(json_array_append_new(f->columns, json_string(s.children[i]->name ? s.children[i]->name : "")) < 0,
			HFDS_ENOMEM, err, "out of memory");
	/* the features the writer recorded, as datasets reads them; else what the columns say */
	if (hfds_pq_reader_kv(r, "huggingface", &hf, &hf_len) == 0)
		HFDS_TRY(hfds_features_parse_hf_metadata(&feat, hf, hf_len, err));
	else
		HFDS_TRY(hfds_features_from_arrow_schema(&feat, &s, err));
	HFDS_TRY(hfds_ds__features_yaml(&f->yaml[0], feat, 0, err));
	HFDS_TRY(hfds_ds__features_yaml(&f->yaml[1], feat, HFDS_FEATURES_SEQUENCE, err));
done:
	if (rc < 0 && err && !strstr(err->message, path))
		hfds_error_prefix(err, path);
	if (s.release)
		s.release(&s);
	hfds_features_free(feat);
	hfds_pq_reader_free(r);
	return rc;
}

/* The (split, patterns) pairs of one `configs` entry's data_files, called per pattern. */
typedef int (*pattern_fn)(void *ctx, const char *split, const char *pattern, hfds_error *err);

static int each_pattern(const json_t *data_files, pattern_fn fn, void *ctx, hfds_error *err)
{
	size_t i, j;
	json_t *e, *p;
	int rc = 0;
	if (json_is_string(data_files))
		return fn(ctx, "train", json_string_value(data_files), err);
	json_array_foreach(data_files, i, e) {
		const char *split = json_string_value(json_object_get(e, "split"));
		json_t *path = json_object_get(e, "path");
		if (json_is_string(e)) {
			HFDS_TRY(fn(ctx, "train", json_string_value(e), err));
			continue;
		}
		if (!split)
			continue;
		if (json_is_string(path))
			HFDS_TRY(fn(ctx, split, json_string_value(path), err));
		else
			json_array_foreach(path, j, p)
				if (json_is_string(p))
					HFDS_TRY(fn(ctx, split, json_string_value(p), err));
	}
done:
	return rc;
}

typedef struct check_ctx {
	const char *dir;
	const hfds_card *card;
	const char *config;
	const json_t *features;       /* the card's, YAML form; NULL = not stated */
	const hfds_ds_repo_file *files;
	const shard_facts *facts;
	size_t n;
	const char *split;            /* the split being summed */
	uint64_t rows;
} check_ctx;

/* The file's columns are the card's feature names, in order. */
static int same_names(const json_t *columns, const json_t *features)
{
	size_t i;
	json_t *e;
	if (json_array_size(columns) != json_array_size(features))
		return 0;
	json_array_foreach(features, i, e) {
		const char *a = json_string_value(json_object_get(e, "name")), *b = json_string_value(json_array_get(columns, i));
		if (!a || !b || strcmp(a, b) != 0)
			return 0;
	}
	return 1;
}

static int check_pattern(void *payload, const char *split, const char *pattern, hfds_error *err)
{
	check_ctx *c = payload;
	size_t i;
	if (strcmp(split, c->split) != 0)
		return 0;
	for (i = 0; i < c->n; i++) {
		const shard_facts *f = &c->facts[i];
		if (!f->yaml[0] || !hfds_ds__glob_match(pattern, c->files[i].path))
			continue;
		if (c->features && ((!json_equal(f->yaml[0], (json_t *)c->features) &&
			!json_equal(f->yaml[1], (json_t *)c->features)) || !same_names(f->columns, c->features)))
			return hfds_error_set(err, HFDS_EINVAL,
				"%s/%s: its columns do not match the features the card gives config '%s' (nothing was published)",
				c->dir, c->files[i].path, c->config);
		c->rows += (uint64_t)f->rows;
	}
	return 0;
}

/* Collects the split names of a config (once each) into a JSON array. */
static int note_split(void *payload, const char *split, const char *pattern, hfds_error *err)
{
	json_t *names = payload;
	size_t i;
	json_t *v;
	(void)pattern;
	json_array_foreach(names, i, v)
		if (!strcmp(json_string_value(v), split))
			return 0;
	return json_array_append_new(names, json_string(split)) < 0 ? hfds_error_set(err, HFDS_ENOMEM, "out of memory") : 0;
}

static int check_config(check_ctx *c, const json_t *data_files, hfds_error *err)
{
	json_t *splits = json_array(), *v;
	size_t i;
	int rc = 0;
	HFDS_FAIL_IF(!splits, HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(each_pattern(data_files, note_split, splits, err));
	json_array_foreach(splits, i, v) {
		uint64_t want;
		c->split = json_string_value(v);
		c->rows = 0;
		HFDS_TRY(each_pattern(data_files, check_pattern, c, err));
		HFDS_FAIL_IF(hfds_card__split_examples_find(c->card, c->config, c->split, &want) && want != c->rows,
			HFDS_EINVAL, err,
			"%s/README.md: split '%s' of config '%s' has num_examples %llu but its files hold %llu rows "
			"(nothing was published)", c->dir, c->split, c->config, (unsigned long long)want,
			(unsigned long long)c->rows);
	}
done:
	json_decref(splits);
	return rc;
}

int hfds_ds__check_folder(const char *dir, const hfds_card *card, const hfds_ds_repo_file *files, size_t n,
	hfds_error *err)
{
	shard_facts *facts = hfds_calloc(n ? n : 1, sizeof(*facts));
	json_t *configs = json_object_get(card->meta, "configs"), *e;
	char *path = NULL;
	size_t i;
	int rc = 0;
	HFDS_FAIL_IF(!facts, HFDS_ENOMEM, err, "out of memory");
	for (i = 0; i < n; i++) {
		if (!ends_with(files[i].path, ".parquet"))
			continue;
		HFDS_FAIL_IF(asprintf(&path, "%s/%s", dir, files[i].path) < 0, HFDS_ENOMEM, err, "out of memory");
		HFDS_TRY(read_facts(&facts[i], path, err));
		free(path);
		path = NULL;
	}
	json_array_foreach(configs, i, e) {
		check_ctx c;
		memset(&c, 0, sizeof(c));
		c.dir = dir;
		c.card = card;
		c.config = json_string_value(json_object_get(e, "config_name"));
		if (!c.config)
			continue;
		c.features = hfds_card__config_features(card, c.config);
		c.files = files;
		c.facts = facts;
		c.n = n;
		HFDS_TRY(check_config(&c, json_object_get(e, "data_files"), err));
	}
done:
	free(path);
	for (i = 0; facts && i < n; i++) {
		json_decref(facts[i].yaml[0]);
		json_decref(facts[i].yaml[1]);
		json_decref(facts[i].columns);
	}
	hfds_free(facts);
	return rc;
}

int hfds_ds__keep_folder_card(hfds_card *dst, const hfds_card *src, hfds_error *err)
{
	const char *key;
	json_t *v;
	const char *b = src->body;
	json_object_foreach(src->meta, key, v) {
		if (!strcmp(key, "dataset_info") || !strcmp(key, "configs"))
			continue;
		if (json_object_set(dst->meta, key, v) < 0)
			return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	}
	while (b && (*b == ' ' || *b == '\n' || *b == '\r' || *b == '\t'))
		b++;
	if (b && *b) {
		char *copy = hfds_strdup(src->body);
		if (!copy)
			return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
		hfds_free(dst->body);
		dst->body = copy;
	}
	return 0;
}
