/*
 * The dataset layer publishes shards + README in one commit through hfds_ds_repo_ops. A
 * recipe wraps those ops so the same commit also carries the auxiliary files (before the
 * README, which stays last), deletes every other file when purging (.gitattributes kept),
 * and starts the card from the recipe's body and keys: the card merge then writes configs
 * and dataset_info into it and keeps the prose.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "recipe/recipe_publish.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/try.h"

typedef rc_repo wrap;

static int has_key(const char *yaml, size_t len, const char *key)
{
	size_t k = strlen(key);
	for (size_t i = 0; i + k < len; i++)
		if ((i == 0 || yaml[i - 1] == '\n') && !strncmp(yaml + i, key, k) && yaml[i + k] == ':')
			return 1;
	return 0;
}

static int put_list(hfds_buf *b, const char *key, char **items, size_t n, hfds_error *err)
{
	int rc = hfds_buf_printf(b, err, "%s:\n", key);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = hfds_buf_printf(b, err, "- \"%s\"\n", items[i]);
	return rc;
}

/* The card to start from: `text` (a body or the repo's README) with the recipe's keys added
 * to its YAML header where the header does not set them. */
static int compose_card(const hfds_recipe *r, const char *text, size_t len, char **out, size_t *out_len,
	hfds_error *err)
{
	hfds_buf b;
	const char *yaml = "", *body = text;
	size_t ylen = 0;
	int rc = 0;
	hfds_buf_init(&b, 0);
	if (len >= 4 && !strncmp(text, "---\n", 4)) {
		const char *end = strstr(text + 4, "\n---");
		if (end) {
			yaml = text + 4;
			ylen = (size_t)(end + 1 - yaml);
			body = end + 4;
			if (*body == '\n')
				body++;
		}
	}
	if (!ylen && !r->license && !r->pretty_name && !r->tags && !r->task_categories) {
		HFDS_TRY(hfds_buf_append(&b, text, len, err));   /* nothing to add: the text as it is */
		goto out;
	}
	HFDS_TRY(hfds_buf_append_str(&b, "---\n", err));
	HFDS_TRY(hfds_buf_append(&b, yaml, ylen, err));
	if (r->license && !has_key(yaml, ylen, "license"))
		HFDS_TRY(hfds_buf_printf(&b, err, "license: \"%s\"\n", r->license));
	if (r->pretty_name && !has_key(yaml, ylen, "pretty_name"))
		HFDS_TRY(hfds_buf_printf(&b, err, "pretty_name: \"%s\"\n", r->pretty_name));
	if (r->tags && !has_key(yaml, ylen, "tags"))
		HFDS_TRY(put_list(&b, "tags", r->tags, r->ntags, err));
	if (r->task_categories && !has_key(yaml, ylen, "task_categories"))
		HFDS_TRY(put_list(&b, "task_categories", r->task_categories, r->ntask_categories, err));
	HFDS_TRY(hfds_buf_append_str(&b, "---\n", err));
	HFDS_TRY(hfds_buf_append(&b, body, len - (size_t)(body - text), err));
out:
	HFDS_TRY(hfds_buf_cstr(&b, err));
	*out_len = b.len;
	*out = (char *)hfds_buf_detach(&b, NULL);
done:
	hfds_buf_release(&b);
	return rc;
}

static int w_head(void *payload, char sha[41], hfds_error *err)
{
	wrap *w = payload;
	return w->inner->head(w->inner->payload, sha, err);
}

static int w_read(void *payload, const char *rev, const char *path, char **data, size_t *len, hfds_error *err)
{
	wrap *w = payload;
	char *text = NULL, *path_body = NULL;
	size_t tlen = 0;
	int rc = 0;
	if (strcmp(path, "README.md"))
		return w->inner->read_file(w->inner->payload, rev, path, data, len, err);
	if (w->r->card_body) {
		path_body = rc_resolve(w->r->base_dir, w->r->card_body);
		HFDS_FAIL_IF(!path_body, HFDS_ENOMEM, err, "out of memory");
		HFDS_TRY(rc_read_file(path_body, 64u << 20, &text, &tlen, err));
	} else if (!w->purge) {
		rc = w->inner->read_file(w->inner->payload, rev, path, &text, &tlen, err);
		if (rc == HFDS_ENOTFOUND) {
			hfds_error_init(err);
			rc = 0;
		}
		HFDS_TRY(rc);
	}
	rc = compose_card(w->r, text ? text : "", text ? tlen : 0, data, len, err);
done:
	free(text);
	free(path_body);
	return rc;
}

static int w_list(void *payload, const char *rev, hfds_ds_repo_file **files, size_t *count, hfds_error *err)
{
	wrap *w = payload;
	int rc = w->inner->list_files(w->inner->payload, rev, files, count, err);
	size_t i, k = 0;
	if (rc < 0 || !w->purge)
		return rc;
	/* A purge starts from an empty repo: no old config or split survives in the card. */
	for (i = 0; i < *count; i++) {
		if (!strcmp((*files)[i].path, ".gitattributes"))
			(*files)[k++] = (*files)[i];
		else
			free((*files)[i].path);
	}
	*count = k;
	return 0;
}

static int in_adds(const hfds_ds_commit_add *adds, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(adds[i].path, path))
			return 1;
	return 0;
}

static int w_commit(void *payload, const hfds_ds_commit *c, char out_sha[41], hfds_error *err)
{
	wrap *w = payload;
	const hfds_recipe *r = w->r;
	hfds_ds_commit_add *adds = NULL, *readme = NULL;
	const char **dels = NULL;
	char **paths = NULL;
	hfds_ds_repo_file *files = NULL;
	size_t nfiles = 0, nadds = 0, ndels = 0, i;
	int rc = 0;
	adds = calloc(c->add_count + r->naux + 1, sizeof(*adds));
	paths = calloc(r->naux + 1, sizeof(char *));
	HFDS_FAIL_IF(!adds || !paths, HFDS_ENOMEM, err, "out of memory");
	for (i = 0; i < c->add_count; i++)
		if (!strcmp(c->adds[i].path, "README.md"))
			readme = (hfds_ds_commit_add *)&c->adds[i];
		else
			adds[nadds++] = c->adds[i];
	for (i = 0; i < r->naux; i++) {
		struct stat st;
		paths[i] = rc_resolve(r->base_dir, r->aux[i].key);
		HFDS_FAIL_IF(!paths[i], HFDS_ENOMEM, err, "out of memory");
		HFDS_FAIL_IF(stat(paths[i], &st) != 0, HFDS_ENOTFOUND, err, "%s:%d:%d: auxiliary file %s: %s", r->name,
			r->aux[i].pos.line, r->aux[i].pos.col, paths[i], strerror(errno));
		adds[nadds].path = r->aux[i].value;
		adds[nadds].local_path = paths[i];
		adds[nadds].size = (uint64_t)st.st_size;
		nadds++;
	}
	if (readme)
		adds[nadds++] = *readme;
	if (w->purge && c->parent && *c->parent) {
		HFDS_TRY(w->inner->list_files(w->inner->payload, c->parent, &files, &nfiles, err));
	}
	dels = calloc(c->delete_count + nfiles + 1, sizeof(char *));
	HFDS_FAIL_IF(!dels, HFDS_ENOMEM, err, "out of memory");
	for (i = 0; i < c->delete_count; i++)
		dels[ndels++] = c->deletes[i];
	for (i = 0; i < nfiles; i++) {
		size_t k;
		if (!strcmp(files[i].path, ".gitattributes") || in_adds(adds, nadds, files[i].path))
			continue;
		for (k = 0; k < c->delete_count && strcmp(c->deletes[k], files[i].path); k++)
			;
		if (k == c->delete_count)
			dels[ndels++] = files[i].path;
	}
	{
		hfds_ds_commit cc = *c;
		cc.adds = adds;
		cc.add_count = nadds;
		cc.deletes = dels;
		cc.delete_count = ndels;
		rc = w->inner->commit(w->inner->payload, &cc, out_sha, err);
	}
done:
	for (i = 0; paths && i < r->naux; i++)
		free(paths[i]);
	free(paths);
	free(adds);
	free(dels);
	hfds_ds_repo_files_free(files, nfiles);
	return rc;
}

/* Shards go to the inner repository's uploader as they are closed (hfds_ds_attach). */
static int w_upload(void *payload, const char *local_path, const char *path, const char *sha256_hex, uint64_t size,
	hfds_error *err)
{
	wrap *w = payload;
	return w->inner->upload(w->inner->payload, local_path, path, sha256_hex, size, err);
}

static int w_upload_wait(void *payload, hfds_error *err)
{
	wrap *w = payload;
	return w->inner->upload_wait(w->inner->payload, err);
}

static int w_stored(void *payload, const char *local_path)
{
	wrap *w = payload;
	return w->inner->stored(w->inner->payload, local_path);
}

void rc_repo_init(rc_repo *w, const hfds_ds_repo_ops *inner, const hfds_recipe *r, hfds_recipe_report *rep,
	int purge)
{
	memset(w, 0, sizeof(*w));
	w->inner = inner;
	w->r = r;
	w->rep = rep;
	w->purge = purge;
	hfds_ds_repo_ops_init(&w->ops);
	w->ops.payload = w;
	w->ops.head = w_head;
	w->ops.read_file = w_read;
	w->ops.list_files = w_list;
	w->ops.commit = w_commit;
	/* all three or none: a repository without background uploads gets the files in the commit */
	if (inner->upload && inner->upload_wait && inner->stored) {
		w->ops.upload = w_upload;
		w->ops.upload_wait = w_upload_wait;
		w->ops.stored = w_stored;
	}
}

int rc_publish(hfds_ds *ds, rc_repo *w, char out_sha[41], hfds_error *err)
{
	hfds_ds_publish_options po;
	hfds_ds_publish_options_init(&po);
	po.title = w->purge ? "Build dataset from recipe (purge)" : "Build dataset from recipe";
	po.replace_features = 1;
	return hfds_ds_publish(ds, &w->ops, &po, out_sha, err);
}

int rc_publish_purge_list(const hfds_ds_repo_ops *ops, const hfds_recipe *r, hfds_recipe_report *rep,
	hfds_error *err)
{
	char sha[41] = "";
	hfds_ds_repo_file *files = NULL;
	size_t n = 0, i;
	int rc = ops->head(ops->payload, sha, err);
	(void)r;
	if (rc == HFDS_ENOTFOUND || (rc == 0 && !*sha)) {
		hfds_error_init(err);
		return 0;
	}
	HFDS_TRY(rc);
	HFDS_TRY(ops->list_files(ops->payload, sha, &files, &n, err));
	rep->purged = calloc(n + 1, sizeof(char *));
	HFDS_FAIL_IF(!rep->purged, HFDS_ENOMEM, err, "out of memory");
	for (i = 0; i < n; i++) {
		if (!strcmp(files[i].path, ".gitattributes"))
			continue;
		rep->purged[rep->npurged] = files[i].path;
		files[i].path = NULL;
		rep->npurged++;
	}
done:
	hfds_ds_repo_files_free(files, n);
	return rc;
}

/* Streams src to dst (auxiliary tables can be gigabytes), creating dst's folders below dir. */
static int copy_file(const char *src, char *dst, size_t dir_len, hfds_error *err)
{
	FILE *in = NULL, *out = NULL;
	char chunk[65536];
	size_t n;
	int rc = 0;
	for (char *s = strchr(dst + dir_len + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(dst, 0777);
		*s = '/';
	}
	in = fopen(src, "rb");
	HFDS_FAIL_IF(!in, HFDS_EIO, err, "%s: cannot open: %s", src, strerror(errno));
	out = fopen(dst, "wb");
	HFDS_FAIL_IF(!out, HFDS_EIO, err, "%s: cannot create: %s", dst, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		HFDS_FAIL_IF(fwrite(chunk, 1, n, out) != n, HFDS_EIO, err, "%s: cannot write: %s", dst, strerror(errno));
	HFDS_FAIL_IF(ferror(in), HFDS_EIO, err, "%s: read failed", src);
done:
	if (in)
		fclose(in);
	if (out && fclose(out) != 0 && rc == 0)
		rc = hfds_error_set(err, HFDS_EIO, "%s: cannot write", dst);
	return rc;
}

int rc_publish_copy_auxiliary(const hfds_recipe *r, const char *dir, hfds_error *err)
{
	int rc = 0;
	for (size_t i = 0; i < r->naux && rc == 0; i++) {
		char *src = rc_resolve(r->base_dir, r->aux[i].key), *dst = hfds_path_join(dir, r->aux[i].value);
		rc = src && dst ? copy_file(src, dst, strlen(dir), err) : hfds_error_set(err, HFDS_ENOMEM, "out of memory");
		free(src);
		free(dst);
	}
	return rc;
}
