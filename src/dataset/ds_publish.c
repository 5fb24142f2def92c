/*
 * Publishing through a repository (hfds_ds_repo_ops): a dataset writer's shards, a built
 * folder, a config deletion or a purge, each as ONE commit based on the branch head that
 * was read, so a concurrent change is detected (HFDS_ECONFLICT) and the card re-merged.
 */
#include "dataset/ds_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/alloc.h"
#include "util/sha256.h"
#include "util/try.h"

#define DEFAULT_RETRIES 5

typedef struct repo_state {
	char head[41];
	hfds_ds_repo_file *files;
	size_t count;
	char *card;
	size_t card_len;
} repo_state;

static void state_release(repo_state *s)
{
	hfds_ds_repo_files_free(s->files, s->count);
	hfds_free(s->card);
	memset(s, 0, sizeof(*s));
}

static int read_state(repo_state *s, const hfds_ds_repo_ops *ops, hfds_error *err)
{
	int rc = 0;
	memset(s, 0, sizeof(*s));
	HFDS_TRY(ops->head(ops->payload, s->head, err));
	HFDS_TRY(ops->list_files(ops->payload, s->head, &s->files, &s->count, err));
	rc = ops->read_file(ops->payload, s->head, "README.md", &s->card, &s->card_len, err);
	if (rc == HFDS_ENOTFOUND) {
		if (err)
			hfds_error_init(err);
		rc = 0;
		s->card = NULL;
		s->card_len = 0;
	}
done:
	if (rc < 0)
		state_release(s);
	return rc;
}

static int retry_conflict(int rc, int attempt, int max, hfds_error *err)
{
	if (rc != HFDS_ECONFLICT || attempt >= max)
		return 0;
	if (err)
		hfds_error_init(err);
	return 1;
}

void hfds_ds_repo_ops_init(hfds_ds_repo_ops *ops)
{
	memset(ops, 0, sizeof(*ops));
	ops->version = HFDS_DS_REPO_OPS_VERSION;
}

void hfds_ds_publish_options_init(hfds_ds_publish_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->version = HFDS_DS_PUBLISH_OPTIONS_VERSION;
}

/* Entry check of every publish function: the ops (required) and options of this version. */
static int check_args(const hfds_ds_repo_ops *ops, const hfds_ds_publish_options *opts, hfds_error *err)
{
	HFDS_ASSERT_ARG(ops != NULL, err);
	HFDS_CHECK_VERSION(ops, HFDS_DS_REPO_OPS_VERSION, "hfds_ds_repo_ops", err);
	HFDS_CHECK_VERSION(opts, HFDS_DS_PUBLISH_OPTIONS_VERSION, "hfds_ds_publish_options", err);
	return 0;
}

/* The shard adds of the writer, in split order, from index `from`. */
static size_t fill_adds(hfds_ds_commit_add *adds, char (*hexes)[65], const hfds_ds *ds, size_t from)
{
	size_t i, k, n = 0, at = 0;
	for (i = 0; i < ds->split_count; i++) {
		for (k = 0; k < ds->splits[i]->shard_count; k++, at++) {
			ds_shard *sh = &ds->splits[i]->shards[k];
			if (at < from)
				continue;
			memset(&adds[n], 0, sizeof(adds[n]));
			hfds_sha256_hex(sh->info.sha256, hexes[n]);
			adds[n].path = sh->final;
			adds[n].local_path = sh->stored ? NULL : sh->local;
			adds[n].sha256_hex = hexes[n];
			adds[n].size = sh->info.size;
			adds[n].stored = sh->stored;
			n++;
		}
	}
	return n;
}

/* How many of adds[0..n) go into the next part commit: at most max_files, max_bytes. */
static size_t part_size(const hfds_ds_commit_add *adds, size_t n, size_t max_files, uint64_t max_bytes)
{
	size_t k = 0;
	uint64_t bytes = 0;
	while (k < n && k < max_files && (k == 0 || bytes + adds[k].size <= max_bytes))
		bytes += adds[k++].size;
	return k;
}

/* Whether the rest fits the last commit beside README.md and the deletions. */
static int fits_last(const hfds_ds_commit_add *adds, size_t n, size_t ndel, size_t max_files, uint64_t max_bytes)
{
	uint64_t bytes = 0;
	for (size_t i = 0; i < n; i++)
		bytes += adds[i].size;
	return n + 1 + ndel <= max_files && bytes <= max_bytes;
}

/* How many commits adds[0..n) take at a cap of max_files: the part commits and the last. */
static size_t count_parts(const hfds_ds_commit_add *adds, size_t n, size_t ndel, size_t max_files, uint64_t max_bytes)
{
	size_t i = 0, parts = 1;
	while (i < n && !fits_last(adds + i, n - i, ndel, max_files, max_bytes)) {
		i += part_size(adds + i, n - i, max_files - 1, max_bytes);
		parts++;
	}
	return parts;
}

static uint64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/*
 * The next part commit's file cap after one of k files took `ms` (upload_large_folder's
 * rule): slow -> half, not below the floor; full and fast -> double, up to the given cap.
 */
static size_t adapt_cap(size_t cap, size_t max_files, size_t k, uint64_t ms, uint64_t slow_ms)
{
	size_t low = max_files / 4 < 2 ? 2 : max_files / 4 > 20 ? 20 : max_files / 4;
	if (ms > slow_ms)
		return cap / 2 > low ? cap / 2 : low < cap ? low : cap;
	if (k + 1 >= cap)
		return cap * 2 < max_files ? cap * 2 : max_files;
	return cap;
}

/* The repo's files without the paths this push added in its part commits, so the plan of
 * the last commit sees the repository as the first plan did (same names, same deletions). */
static void drop_ours(repo_state *st, const hfds_ds_commit_add *adds, size_t n)
{
	size_t j, w = 0;
	for (j = 0; j < st->count; j++) {
		int ours = 0;
		for (size_t i = 0; i < n && !ours; i++)
			ours = !strcmp(adds[i].path, st->files[j].path);
		if (ours)
			hfds_free(st->files[j].path);
		else
			st->files[w++] = st->files[j];
	}
	st->count = w;
}

/*
 * Shards whose content the attached repository stored while they were written (the
 * uploads finish first): the commit references them instead of sending the files.
 */
static int settle_uploads(hfds_ds *ds, const hfds_ds_repo_ops *ops, hfds_error *err)
{
	int rc = 0;
	if (!ds->repo)
		return 0;
	HFDS_FAIL_IF(ds->repo != ops && ds->repo->payload != ops->payload, HFDS_EINVAL, err,
		"the writer is attached to another repository than the one it is published to");
	if (ds->repo->upload_wait)
		HFDS_TRY(ds->repo->upload_wait(ds->repo->payload, err));
	for (size_t i = 0; i < ds->split_count; i++)
		for (size_t k = 0; k < ds->splits[i]->shard_count; k++) {
			ds_shard *sh = &ds->splits[i]->shards[k];
			sh->stored = ds->repo->stored && sh->local && ds->repo->stored(ds->repo->payload, sh->local);
		}
done:
	return rc;
}

int hfds_ds_publish(hfds_ds *ds, const hfds_ds_repo_ops *ops, const hfds_ds_publish_options *opts,
	char out_sha[41], hfds_error *err)
{
	int rc = 0, attempt, max = opts && opts->max_retries > 0 ? opts->max_retries : DEFAULT_RETRIES;
	size_t max_files = opts && opts->max_files ? opts->max_files : HFDS_DS_COMMIT_MAX_FILES;
	uint64_t max_bytes = opts && opts->max_bytes ? opts->max_bytes : HFDS_DS_COMMIT_MAX_BYTES;
	uint64_t slow_ms = opts && opts->slow_commit_ms ? opts->slow_commit_ms : 40000;
	const char *title = opts && opts->title ? opts->title : "Upload dataset";
	repo_state st;
	ds_plan plan;
	hfds_ds_commit_add *adds = NULL;
	char (*hexes)[65] = NULL, *part_title = NULL, head[41];
	size_t nshards = 0, i, n, sent = 0, parts = 0, planned, cap;
	hfds_ds_commit c;
	if ((rc = check_args(ops, opts, err)) < 0)
		return rc;
	memset(&st, 0, sizeof(st));
	memset(&plan, 0, sizeof(plan));
	HFDS_FAIL_IF(ds->state != DS_OPEN, HFDS_ESTATE, err,
		ds->state == DS_DONE ? "dataset writer is already finished" : "dataset writer failed earlier");
	HFDS_TRY(hfds_ds__close_all(ds, err));
	HFDS_TRY(settle_uploads(ds, ops, err));
	for (i = 0; i < ds->split_count; i++)
		nshards += ds->splits[i]->shard_count;
	adds = hfds_calloc(nshards + 1, sizeof(*adds));
	hexes = hfds_calloc(nshards + 1, sizeof(*hexes));
	HFDS_FAIL_IF(!adds || !hexes, HFDS_ENOMEM, err, "out of memory");
	if (max_files < 2)
		max_files = 2;
	cap = max_files;

	/* too much for one commit: the shards go first in part commits, each on the last */
	HFDS_TRY(read_state(&st, ops, err));
	HFDS_TRY(hfds_ds__plan(&plan, ds, st.card, st.card_len, st.files, st.count, err));
	HFDS_TRY(hfds_ds__place_shards(ds, err));
	memcpy(head, st.head, sizeof(head));
	n = fill_adds(adds, hexes, ds, 0);
	/* deletions beyond the cap go with the last commit: only shards are split off */
	planned = count_parts(adds, n, plan.delete_count, cap, max_bytes);
	while (sent < n && !fits_last(adds + sent, n - sent, plan.delete_count, cap, max_bytes)) {
		size_t k = part_size(adds + sent, n - sent, cap - 1, max_bytes), was = cap;
		uint64_t t0 = now_ms();
		free(part_title);
		part_title = NULL;
		HFDS_FAIL_IF(asprintf(&part_title, "%s (part %05zu-of-%05zu)", title, parts, planned) < 0, HFDS_ENOMEM, err,
			"out of memory");
		memset(&c, 0, sizeof(c));
		c.parent = head;
		c.title = part_title;
		c.description = opts ? opts->description : NULL;
		c.adds = adds + sent;
		c.add_count = k;
		if (ds->opts.progress)
			ds->opts.progress(ds->opts.progress_payload, "commit", k, k);
		for (attempt = 0;; attempt++) {
			rc = ops->commit(ops->payload, &c, head, err);
			if (rc == 0 || !retry_conflict(rc, attempt, max, err))
				break;
			HFDS_TRY(ops->head(ops->payload, head, err));
		}
		HFDS_TRY(rc);
		sent += k;
		parts++;
		cap = adapt_cap(cap, max_files, k, now_ms() - t0, slow_ms);
		if (cap != was)   /* the titles number the parts as they now go */
			planned = parts + count_parts(adds + sent, n - sent, plan.delete_count, cap, max_bytes);
	}

	for (attempt = 0;; attempt++) {
		if (attempt > 0 || parts > 0) {
			state_release(&st);
			hfds_ds__plan_release(&plan);
			HFDS_TRY(read_state(&st, ops, err));
			drop_ours(&st, adds, sent);
			HFDS_TRY(hfds_ds__plan(&plan, ds, st.card, st.card_len, st.files, st.count, err));
			HFDS_TRY(hfds_ds__place_shards(ds, err));
		}
		n = fill_adds(adds + sent, hexes + sent, ds, sent);
		memset(&adds[sent + n], 0, sizeof(adds[0]));
		adds[sent + n].path = "README.md";
		adds[sent + n].data = plan.card;
		adds[sent + n].len = plan.card_len;
		n++;
		if (parts) {
			free(part_title);
			part_title = NULL;
			HFDS_FAIL_IF(asprintf(&part_title, "%s (part %05zu-of-%05zu)", title, parts, parts + 1) < 0,
				HFDS_ENOMEM, err, "out of memory");
		}
		memset(&c, 0, sizeof(c));
		c.parent = st.head;
		c.title = parts ? part_title : title;
		c.description = opts ? opts->description : NULL;
		c.adds = adds + sent;
		c.add_count = n;
		c.deletes = (const char *const *)plan.deletes;
		c.delete_count = plan.delete_count;
		if (ds->opts.progress)
			ds->opts.progress(ds->opts.progress_payload, "commit", n, n + plan.delete_count);
		rc = ops->commit(ops->payload, &c, out_sha, err);
		if (rc == 0)
			break;
		if (!retry_conflict(rc, attempt, max, err))
			goto done;
	}
	ds->state = DS_DONE;
done:
	if (rc < 0 && ds->state == DS_OPEN)
		ds->state = DS_FAILED;
	state_release(&st);
	hfds_ds__plan_release(&plan);
	hfds_free(adds);
	hfds_free(hexes);
	free(part_title);
	return rc;
}

static int add_delete(char ***list, size_t *n, const char *path, hfds_error *err)
{
	char **grown = hfds_reallocarray(*list, *n + 1, sizeof(*grown));
	if (!grown)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	*list = grown;
	grown[*n] = hfds_strdup(path);
	if (!grown[*n])
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	(*n)++;
	return 0;
}

static void free_list(char **list, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		hfds_free(list[i]);
	hfds_free(list);
}

static int matches_any(const json_t *patterns, const char *path)
{
	size_t i;
	json_t *p;
	json_array_foreach(patterns, i, p)
		if (hfds_ds__glob_match(json_string_value(p), path))
			return 1;
	return 0;
}

static int appends(const json_t *patterns)
{
	size_t i;
	json_t *p;
	json_array_foreach(patterns, i, p) {
		const char *s = json_string_value(p);
		size_t n = s ? strlen(s) : 0;
		if (n >= 10 && !strcmp(s + n - 10, "/*.parquet"))
			return 1;
	}
	return 0;
}

int hfds_ds_publish_folder(const char *dir, const hfds_ds_repo_ops *ops, const hfds_ds_publish_options *opts,
	char out_sha[41], hfds_error *err)
{
	int rc = 0, attempt, max = opts && opts->max_retries > 0 ? opts->max_retries : DEFAULT_RETRIES;
	hfds_ds_repo_file *local = NULL;
	size_t nlocal = 0, i, j, n, ndel = 0;
	char *text = NULL, *path = NULL, **deletes = NULL;
	size_t text_len = 0;
	hfds_card *src = NULL, *dst = NULL;
	json_t *names = NULL, *patterns = NULL, *name;
	repo_state st;
	hfds_ds_commit_add *adds = NULL;
	char **locals = NULL;
	hfds_buf card;
	hfds_ds_commit c;
	if ((rc = check_args(ops, opts, err)) < 0)
		return rc;
	memset(&st, 0, sizeof(st));
	hfds_buf_init(&card, HFDS_CARD_MAX_BYTES);
	HFDS_FAIL_IF(asprintf(&path, "%s/README.md", dir) < 0, HFDS_ENOMEM, err, "out of memory");
	rc = hfds_ds__read_file(path, &text, &text_len, err);
	HFDS_FAIL_IF(rc == HFDS_ENOTFOUND, HFDS_ENOTFOUND, err,
		"%s: no README.md: build the folder with `hfds push --out` first", dir);
	HFDS_TRY(rc);
	HFDS_TRY(hfds_card__parse(&src, text, text_len, path, err));
	HFDS_TRY(hfds_card__config_names(&names, src, err));
	HFDS_FAIL_IF(json_array_size(names) == 0, HFDS_EINVAL, err, "%s: the card lists no configs", path);
	HFDS_TRY(hfds_ds__scan_publishable(dir, opts, &local, &nlocal, err));
	HFDS_TRY(hfds_ds__check_folder(dir, src, local, nlocal, err));
	adds = hfds_calloc(nlocal + 1, sizeof(*adds));
	locals = hfds_calloc(nlocal + 1, sizeof(*locals));
	HFDS_FAIL_IF(!adds || !locals, HFDS_ENOMEM, err, "out of memory");
	n = 0;
	for (i = 0; i < nlocal; i++) {
		if (!strcmp(local[i].path, "README.md"))
			continue;
		HFDS_FAIL_IF(asprintf(&locals[n], "%s/%s", dir, local[i].path) < 0, HFDS_ENOMEM, err, "out of memory");
		adds[n].path = local[i].path;
		adds[n].local_path = locals[n];
		adds[n].size = local[i].size;
		n++;
	}
	for (attempt = 0;; attempt++) {
		HFDS_TRY(read_state(&st, ops, err));
		HFDS_TRY(hfds_card__parse(&dst, st.card, st.card_len, "README.md", err));
		json_array_foreach(names, i, name) {
			const char *cfg = json_string_value(name);
			const json_t *was = hfds_card__config_features(dst, cfg), *now = hfds_card__config_features(src, cfg);
			HFDS_FAIL_IF(was && now && !json_equal((json_t *)was, (json_t *)now) && !(opts && opts->replace_features),
				HFDS_ECONFLICT, err,
				"features of config '%s' in %s differ from the repo's README.md; nothing was changed: "
				"replace them on purpose with --replace-features", cfg, path);
			HFDS_TRY(hfds_card__import_config(dst, src, cfg, err));
			HFDS_TRY(hfds_card__config_patterns(&patterns, src, cfg, err));
			for (j = 0; j < st.count; j++) {
				size_t k;
				int fresh = 0;
				for (k = 0; k < n && !fresh; k++)
					fresh = !strcmp(adds[k].path, st.files[j].path);
				/* append-layout globs ("{split}/" "*.parquet") keep earlier batches */
				if (!fresh && matches_any(patterns, st.files[j].path) && !appends(patterns))
					HFDS_TRY(add_delete(&deletes, &ndel, st.files[j].path, err));
			}
			json_decref(patterns);
			patterns = NULL;
		}
		HFDS_TRY(hfds_ds__keep_folder_card(dst, src, err));
		hfds_buf_clear(&card);
		HFDS_TRY(hfds_card__render(dst, &card, err));
		adds[n].path = "README.md";
		adds[n].local_path = NULL;
		adds[n].data = card.data;
		adds[n].len = card.len;
		memset(&c, 0, sizeof(c));
		c.parent = st.head;
		c.title = opts && opts->title ? opts->title : "Upload dataset";
		c.description = opts ? opts->description : NULL;
		c.adds = adds;
		c.add_count = n + 1;
		c.deletes = (const char *const *)deletes;
		c.delete_count = ndel;
		rc = ops->commit(ops->payload, &c, out_sha, err);
		state_release(&st);
		hfds_card__free(dst);
		dst = NULL;
		free_list(deletes, ndel);
		deletes = NULL;
		ndel = 0;
		if (rc == 0 || !retry_conflict(rc, attempt, max, err))
			goto done;
	}
done:
	state_release(&st);
	free_list(deletes, ndel);
	if (locals)
		for (i = 0; i < nlocal + 1; i++)
			free(locals[i]);
	hfds_free(locals);
	hfds_free(adds);
	hfds_ds_repo_files_free(local, nlocal);
	hfds_card__free(src);
	hfds_card__free(dst);
	json_decref(names);
	json_decref(patterns);
	hfds_buf_release(&card);
	hfds_free(text);
	free(path);
	return rc;
}

int hfds_ds_delete_config(const hfds_ds_repo_ops *ops, const char *config, const hfds_ds_publish_options *opts,
	char out_sha[41], hfds_error *err)
{
	int rc = 0, attempt, found = 0, max = opts && opts->max_retries > 0 ? opts->max_retries : DEFAULT_RETRIES;
	repo_state st;
	hfds_card *card = NULL;
	json_t *patterns = NULL;
	char **deletes = NULL, *title = NULL, *desc = NULL;
	size_t ndel = 0, j;
	hfds_buf text;
	hfds_ds_commit_add add;
	hfds_ds_commit c;
	if ((rc = check_args(ops, opts, err)) < 0)
		return rc;
	memset(&st, 0, sizeof(st));
	hfds_buf_init(&text, HFDS_CARD_MAX_BYTES);
	HFDS_FAIL_IF(!config || !*config, HFDS_EINVAL, err, "config name is empty");
	HFDS_FAIL_IF(asprintf(&title, "Delete '%s' config", config) < 0 || asprintf(&desc, "Delete '%s' config.", config) < 0,
		HFDS_ENOMEM, err, "out of memory");
	for (attempt = 0;; attempt++) {
		HFDS_TRY(read_state(&st, ops, err));
		HFDS_TRY(hfds_card__parse(&card, st.card, st.card_len, "README.md", err));
		HFDS_TRY(hfds_card__config_patterns(&patterns, card, config, err));
		for (j = 0; j < st.count; j++)
			if (matches_any(patterns, st.files[j].path))
				HFDS_TRY(add_delete(&deletes, &ndel, st.files[j].path, err));
		HFDS_TRY(hfds_card__delete_config(card, config, &found, err));
		HFDS_FAIL_IF(!found && ndel == 0, HFDS_ENOTFOUND, err, "config '%s' not found in the dataset card", config);
		hfds_buf_clear(&text);
		HFDS_TRY(hfds_card__render(card, &text, err));
		memset(&add, 0, sizeof(add));
		add.path = "README.md";
		add.data = text.data;
		add.len = text.len;
		memset(&c, 0, sizeof(c));
		c.parent = st.head;
		c.title = opts && opts->title ? opts->title : title;
		c.description = opts && opts->description ? opts->description : desc;
		c.adds = &add;
		c.add_count = 1;
		c.deletes = (const char *const *)deletes;
		c.delete_count = ndel;
		rc = ops->commit(ops->payload, &c, out_sha, err);
		state_release(&st);
		hfds_card__free(card);
		card = NULL;
		json_decref(patterns);
		patterns = NULL;
		free_list(deletes, ndel);
		deletes = NULL;
		ndel = 0;
		if (rc == 0 || !retry_conflict(rc, attempt, max, err))
			goto done;
	}
done:
	state_release(&st);
	hfds_card__free(card);
	json_decref(patterns);
	free_list(deletes, ndel);
	hfds_buf_release(&text);
	free(title);
	free(desc);
	return rc;
}

int hfds_ds_purge(const hfds_ds_repo_ops *ops, const hfds_ds_publish_options *opts, size_t *deleted,
	char out_sha[41], hfds_error *err)
{
	int rc = 0, attempt, max = opts && opts->max_retries > 0 ? opts->max_retries : DEFAULT_RETRIES;
	repo_state st;
	char **deletes = NULL;
	size_t ndel = 0, j;
	hfds_ds_commit c;
	if ((rc = check_args(ops, opts, err)) < 0)
		return rc;
	memset(&st, 0, sizeof(st));
	if (deleted)
		*deleted = 0;
	for (attempt = 0;; attempt++) {
		HFDS_TRY(read_state(&st, ops, err));
		for (j = 0; j < st.count; j++)
			if (strcmp(st.files[j].path, ".gitattributes") != 0)
				HFDS_TRY(add_delete(&deletes, &ndel, st.files[j].path, err));
		if (ndel == 0) {
			if (out_sha)
				memcpy(out_sha, st.head, 41);
			goto done;
		}
		memset(&c, 0, sizeof(c));
		c.parent = st.head;
		c.title = opts && opts->title ? opts->title : "Delete all files";
		c.description = opts ? opts->description : NULL;
		c.deletes = (const char *const *)deletes;
		c.delete_count = ndel;
		rc = ops->commit(ops->payload, &c, out_sha, err);
		if (rc == 0 && deleted)
			*deleted = ndel;
		state_release(&st);
		free_list(deletes, ndel);
		deletes = NULL;
		ndel = 0;
		if (rc == 0 || !retry_conflict(rc, attempt, max, err))
			goto done;
	}
done:
	state_release(&st);
	free_list(deletes, ndel);
	return rc;
}
