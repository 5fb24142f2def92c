/*
 * Manifests: the distributed push (Spark/Dask pattern). Each worker writes its shards and
 * stores them on the hub without committing, then describes them in a manifest (sha256,
 * size, rows per shard, rows and bytes per split, features per config). One committer
 * merges the manifests into a writer whose shards are all stored, and publishes it like
 * any writer: names are given at the commit (`{split}-{i}-of-{n}` over every manifest, in
 * the order given), the card gets the summed counts, stale shards go.
 */
#include "dataset/ds_internal.h"

#include <string.h>

#include "util/alloc.h"
#include "util/sha256.h"
#include "util/try.h"

#define MANIFEST_VERSION 1

static int put_config(json_t *configs, const ds_config *c, hfds_error *err)
{
	char *text = NULL;
	json_t *f;
	json_error_t je;
	int rc = 0;
	if (json_object_get(configs, c->name))
		return 0;
	HFDS_TRY(hfds_features_to_json(&text, NULL, c->features, 0, err));
	f = json_loads(text, 0, &je);
	HFDS_FAIL_IF(!f, HFDS_ENOMEM, err, "features JSON: %s", je.text);
	json_object_set_new(configs, c->name, json_pack("{so}", "features", f));
done:
	hfds_free(text);
	return rc;
}

int hfds_ds_manifest(hfds_ds *ds, char **out, hfds_error *err)
{
	json_t *root = NULL, *configs, *splits, *files;
	char *path = NULL;
	int rc = 0;
	HFDS_ASSERT_ARG(ds && out, err);
	*out = NULL;
	HFDS_FAIL_IF(ds->state != DS_OPEN, HFDS_ESTATE, err, "dataset writer is finished or failed");
	HFDS_FAIL_IF(!ds->repo || !ds->repo->upload, HFDS_EINVAL, err,
		"a manifest describes shards stored on a hub: attach the writer to the repository first");
	HFDS_TRY(hfds_ds__close_all(ds, err));
	if (ds->repo->upload_wait)
		HFDS_TRY(ds->repo->upload_wait(ds->repo->payload, err));
	root = json_pack("{sisiso so so}", "hfds_manifest", MANIFEST_VERSION, "layout", ds->opts.layout, "configs",
		json_object(), "splits", json_array(), "files", json_array());
	HFDS_FAIL_IF(!root, HFDS_ENOMEM, err, "out of memory");
	configs = json_object_get(root, "configs");
	splits = json_object_get(root, "splits");
	files = json_object_get(root, "files");
	for (size_t i = 0; i < ds->split_count; i++) {
		ds_split *s = ds->splits[i];
		HFDS_TRY(put_config(configs, s->config, err));
		json_array_append_new(splits, json_pack("{sssssIsI}", "config", s->config->name, "split", s->name,
			"num_examples", (json_int_t)s->num_examples, "num_bytes", (json_int_t)s->num_bytes));
		for (size_t k = 0; k < s->shard_count; k++) {
			ds_shard *sh = &s->shards[k];
			char hex[65];
			HFDS_FAIL_IF(!ds->repo->stored || !ds->repo->stored(ds->repo->payload, sh->local), HFDS_EINVAL, err,
				"%s: not stored on the hub as an LFS object (the server wants it inline), so no manifest can "
				"name it", sh->local);
			hfds_sha256_hex(sh->info.sha256, hex);
			if (ds->opts.layout == HFDS_DS_LAYOUT_APPEND)
				HFDS_TRY(hfds_ds_append_path(&path, s->config->name, s->name, k + 1, err));
			else
				HFDS_TRY(hfds_ds_shard_path(&path, s->config->name, s->name, k, s->shard_count, err));
			json_array_append_new(files, json_pack("{sssssssssIsI}", "config", s->config->name, "split", s->name,
				"path", path, "sha256", hex, "size", (json_int_t)sh->info.size, "num_rows",
				(json_int_t)sh->info.num_rows));
			hfds_free(path);
			path = NULL;
		}
	}
	*out = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	HFDS_FAIL_IF(!*out, HFDS_ENOMEM, err, "out of memory");
	ds->state = DS_DONE;   /* the shards are the hub's now */
done:
	hfds_free(path);
	json_decref(root);
	return rc;
}

/* The features of every config of one manifest, set on the writer (equal across manifests). */
static int take_configs(hfds_ds *ds, const json_t *configs, const char *name, hfds_error *err)
{
	const char *cfg;
	json_t *v;
	int rc = 0;
	json_object_foreach((json_t *)configs, cfg, v) {
		hfds_features *f = NULL;
		char *text = json_dumps(json_object_get(v, "features"), JSON_COMPACT);
		HFDS_FAIL_IF(!text, HFDS_EPARSE, err, "%s: configs.%s has no features", name, cfg);
		rc = hfds_features_parse_json(&f, text, strlen(text), err);
		free(text);
		if (rc < 0) {
			hfds_error_prefix(err, name);
			goto done;
		}
		rc = hfds_ds_set_config_features(ds, cfg, f, err);
		if (rc == HFDS_ESTATE) {
			/* already used by an earlier manifest: it must describe the same features */
			rc = 0;
			for (size_t i = 0; i < ds->config_count; i++)
				if (!strcmp(ds->configs[i]->name, cfg) && !hfds_features_equal(ds->configs[i]->features, f))
					rc = hfds_error_reset(err, HFDS_ECONFLICT, "%s: the features of config '%s' differ from an "
						"earlier manifest's", name, cfg);
			if (rc == 0 && err)
				hfds_error_init(err);
		}
		hfds_features_free(f);
		HFDS_TRY(rc);
	}
done:
	return rc;
}

static int add_shard(ds_split *s, const json_t *file, const char *name, hfds_error *err)
{
	const char *sha = json_string_value(json_object_get(file, "sha256"));
	json_int_t size = json_integer_value(json_object_get(file, "size"));
	json_int_t rows = json_integer_value(json_object_get(file, "num_rows"));
	ds_shard *sh;
	int rc = 0;
	HFDS_FAIL_IF(!sha || strlen(sha) != 64 || size < 0 || rows < 0, HFDS_EPARSE, err,
		"%s: a file entry needs sha256 (64 hex), size and num_rows", name);
	if (s->shard_count == s->shard_cap) {
		size_t cap = s->shard_cap ? 2 * s->shard_cap : 4;
		ds_shard *grown = hfds_reallocarray(s->shards, cap, sizeof(*grown));
		HFDS_FAIL_IF(!grown, HFDS_ENOMEM, err, "out of memory");
		s->shards = grown;
		s->shard_cap = cap;
	}
	sh = &s->shards[s->shard_count];
	memset(sh, 0, sizeof(*sh));
	for (int i = 0; i < 32; i++) {
		unsigned v;
		HFDS_FAIL_IF(sscanf(sha + 2 * i, "%2x", &v) != 1, HFDS_EPARSE, err, "%s: sha256 '%s' is not hex", name, sha);
		sh->info.sha256[i] = (uint8_t)v;
	}
	sh->info.size = (uint64_t)size;
	sh->info.num_rows = (uint64_t)rows;
	sh->stored = 1;
	s->shard_count++;
	s->download += (uint64_t)size;
done:
	return rc;
}

int hfds_ds_open_manifests(hfds_ds **out, const char *dir, const char *const *texts, const size_t *lens,
	const char *const *names, size_t n, const hfds_ds_options *opts, hfds_error *err)
{
	hfds_ds *ds = NULL;
	hfds_features *first = NULL;
	json_t **docs = NULL;
	json_error_t je;
	hfds_ds_options o;
	int rc = 0;
	HFDS_ASSERT_ARG(out && dir && texts && lens && names, err);
	*out = NULL;
	HFDS_FAIL_IF(n == 0, HFDS_EINVAL, err, "no manifest given");
	docs = hfds_calloc(n, sizeof(*docs));
	HFDS_FAIL_IF(!docs, HFDS_ENOMEM, err, "out of memory");
	for (size_t m = 0; m < n; m++) {
		json_t *cf;
		docs[m] = json_loadb(texts[m], lens[m], 0, &je);
		HFDS_FAIL_IF(!docs[m], HFDS_EPARSE, err, "%s:%d:%d: %s", names[m], je.line, je.column, je.text);
		HFDS_FAIL_IF(json_integer_value(json_object_get(docs[m], "hfds_manifest")) != MANIFEST_VERSION ||
			!json_is_object(json_object_get(docs[m], "configs")) || !json_is_array(json_object_get(docs[m], "files"))
			|| !json_is_array(json_object_get(docs[m], "splits")), HFDS_EPARSE, err,
			"%s: not an hfds manifest (expected hfds_manifest: %d, configs, splits, files)", names[m],
			MANIFEST_VERSION);
		if (!first) {
			const char *k;
			json_t *v;
			json_object_foreach(json_object_get(docs[m], "configs"), k, v) {
				char *text = json_dumps(json_object_get(v, "features"), JSON_COMPACT);
				if (text) {
					rc = hfds_features_parse_json(&first, text, strlen(text), err);
					free(text);
					HFDS_TRY(rc);
				}
				break;
			}
		}
		cf = json_object_get(docs[m], "layout");
		HFDS_FAIL_IF(m > 0 && !json_equal(cf, json_object_get(docs[0], "layout")), HFDS_EINVAL, err,
			"%s: another layout than %s's", names[m], names[0]);
	}
	HFDS_FAIL_IF(!first, HFDS_EPARSE, err, "%s: no config with features", names[0]);
	if (opts)
		o = *opts;
	else
		hfds_ds_options_init(&o);
	o.layout = (int)json_integer_value(json_object_get(docs[0], "layout"));
	HFDS_TRY(hfds_ds_open(&ds, dir, first, &o, err));
	for (size_t m = 0; m < n; m++) {
		size_t i;
		json_t *e;
		HFDS_TRY(take_configs(ds, json_object_get(docs[m], "configs"), names[m], err));
		json_array_foreach(json_object_get(docs[m], "splits"), i, e) {
			ds_split *s;
			const char *cfg = json_string_value(json_object_get(e, "config"));
			const char *sp = json_string_value(json_object_get(e, "split"));
			HFDS_FAIL_IF(!cfg || !sp, HFDS_EPARSE, err, "%s: splits[%zu] needs config and split", names[m], i);
			HFDS_TRY(hfds_ds__get_split(&s, ds, cfg, sp, err));
			s->num_examples += (uint64_t)json_integer_value(json_object_get(e, "num_examples"));
			s->num_bytes += (uint64_t)json_integer_value(json_object_get(e, "num_bytes"));
		}
		json_array_foreach(json_object_get(docs[m], "files"), i, e) {
			ds_split *s;
			const char *cfg = json_string_value(json_object_get(e, "config"));
			const char *sp = json_string_value(json_object_get(e, "split"));
			HFDS_FAIL_IF(!cfg || !sp, HFDS_EPARSE, err, "%s: files[%zu] needs config and split", names[m], i);
			HFDS_TRY(hfds_ds__get_split(&s, ds, cfg, sp, err));
			HFDS_TRY(add_shard(s, e, names[m], err));
		}
	}
	ds->written = 1;
	*out = ds;
	ds = NULL;
done:
	for (size_t m = 0; docs && m < n; m++)
		json_decref(docs[m]);
	hfds_free(docs);
	hfds_features_free(first);
	hfds_ds_free(ds);
	return rc;
}
