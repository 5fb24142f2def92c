/*
 * hfds verify: re-derives what a dataset repository promises and compares. The LFS pointers
 * promise a sha256 and a size, the card promises row counts and features, a Parquet file
 * promises a footer. Everything is read through hfds_hub_read, so the same code checks the
 * embedded hub and a remote one; objects are hashed in bounded chunks (never held whole),
 * shards are opened with ranged reads (only the footer is fetched).
 */
#include "hfds/stream.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dataset/card.h"
#include "dataset/ds_internal.h"
#include "hfds/features.h"
#include "hfds/parquet_reader.h"
#include "stream/st_rfile.h"
#include "util/alloc.h"
#include "util/sha256.h"
#include "util/try.h"

/* Bytes hashed per read; a read's limit is one more (the HTTP backend NUL-terminates). */
#define CHUNK (8u << 20)

typedef struct verifier {
	hfds_hub *hub;
	const char *repo_id;
	hfds_verify_fn fn;
	void *ctx;
	hfds_verify_report *rep;
} verifier;

static void say(verifier *v, int ok, const char *fmt, ...) HFDS_PRINTF(3, 4);
static void say(verifier *v, int ok, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!ok)
		v->rep->problems++;
	if (v->fn)
		v->fn(v->ctx, ok, line);
}

/* Hashes one LFS file chunk by chunk; a short or failed read is a finding, not an error. */
static int check_object(verifier *v, const hfds_store_entry *e, hfds_sha256 *h, hfds_error *err)
{
	uint64_t off = 0;
	uint8_t digest[32];
	char hex[65];
	hfds_error rerr;
	int rc;
	if ((rc = hfds_sha256_reset(h, err)) < 0)
		return rc;
	while (off < e->size) {
		uint8_t *buf = NULL;
		size_t n = 0;
		uint64_t want = e->size - off < CHUNK ? e->size - off : CHUNK;
		hfds_error_init(&rerr);
		rc = hfds_hub_read(&buf, &n, v->hub, HFDS_REPO_DATASET, v->repo_id, v->rep->commit, e->path, off, want,
			CHUNK + 1, &rerr);
		if (rc == HFDS_ENOMEM || rc == HFDS_ENET || rc == HFDS_EAUTH) {
			hfds_free(buf);
			return hfds_error_set(err, rc, "%s: %s", e->path, rerr.message);
		}
		if (rc < 0 || n == 0) {
			hfds_free(buf);
			say(v, 0, "%s: content ends at byte %llu but the pointer says size %llu%s%s", e->path,
				(unsigned long long)off, (unsigned long long)e->size, rc < 0 ? ": " : "", rc < 0 ? rerr.message : "");
			return 0;
		}
		rc = hfds_sha256_update(h, buf, n);
		hfds_free(buf);
		if (rc < 0)
			return hfds_error_set(err, rc, "%s: sha256 failed", e->path);
		off += n;
		v->rep->lfs_bytes += n;
	}
	v->rep->lfs_objects++;
	if ((rc = hfds_sha256_final(h, digest, err)) < 0)
		return rc;
	hfds_sha256_hex(digest, hex);
	if (strcmp(hex, e->lfs_sha256))
		say(v, 0, "%s: content sha256 %s but the pointer says %s", e->path, hex, e->lfs_sha256);
	return 0;
}

/* One shard: footer, rows (added to *rows), features against the card's. */
static int check_shard(verifier *v, const hfds_ds_repo_file *f, const json_t *card_features, uint64_t *rows,
	hfds_error *err)
{
	int rc = 0;
	hfds_rfile rf = { v->hub, v->repo_id, v->rep->commit, f->path, f->size, NULL, 0, 0, NULL };
	hfds_pq_reader *r = NULL;
	hfds_features *feat = NULL;
	json_t *yaml = NULL;
	hfds_error perr;
	const char *hf = NULL;
	size_t hf_len = 0;
	hfds_error_init(&perr);
	rc = hfds_rfile_open_parquet(&r, &rf, NULL, &perr);
	if (rc == HFDS_ENOMEM || rc == HFDS_ENET || rc == HFDS_EAUTH)
		HFDS_FAIL(rc, err, "%s: %s", f->path, perr.message);
	if (rc < 0) {
		say(v, 0, "%s: not a readable Parquet file: %s", f->path, perr.message);
		rc = 0;
		goto done;
	}
	v->rep->shards++;
	*rows += (uint64_t)hfds_pq_reader_num_rows(r);
	if (!card_features)
		goto done;
	if (hfds_pq_reader_kv(r, "huggingface", &hf, &hf_len) < 0) {
		say(v, 0, "%s: no 'huggingface' schema metadata, the card has features", f->path);
		goto done;
	}
	if (hfds_features_parse_hf_metadata(&feat, hf, hf_len, &perr) < 0 ||
		hfds_ds__features_yaml(&yaml, feat, 0, &perr) < 0) {
		say(v, 0, "%s: 'huggingface' metadata: %s", f->path, perr.message);
		goto done;
	}
	if (!json_equal(yaml, (json_t *)card_features))
		say(v, 0, "%s: features in its 'huggingface' metadata differ from the card's", f->path);
done:
	json_decref(yaml);
	hfds_features_free(feat);
	hfds_pq_reader_free(r);
	hfds_rfile_release(&rf);
	return rc;
}

static int check_splits(verifier *v, const hfds_ds_repo_ops *ops, hfds_error *err)
{
	int rc = 0;
	char *text = NULL;
	size_t len = 0, i, j, count = 0;
	hfds_card *card = NULL;
	json_t *splits = NULL, *s;
	hfds_ds_repo_file *files = NULL;
	hfds_error ferr;
	rc = ops->read_file(ops->payload, v->rep->commit, "README.md", &text, &len, err);
	if (rc == HFDS_ENOTFOUND) {
		hfds_error_init(err);
		say(v, 0, "README.md: missing, so there are no row counts or features to check");
		rc = 0;
		goto done;
	}
	HFDS_TRY(rc);
	HFDS_TRY(hfds_card__parse(&card, text, len, "README.md", err));
	HFDS_TRY(hfds_card__info_splits(&splits, card, err));
	if (json_array_size(splits) == 0)
		say(v, 0, "README.md: dataset_info lists no splits");
	json_array_foreach(splits, i, s) {
		const char *config = json_string_value(json_object_get(s, "config"));
		const char *split = json_string_value(json_object_get(s, "split"));
		uint64_t want = (uint64_t)json_integer_value(json_object_get(s, "num_examples")), rows = 0;
		size_t before = v->rep->problems;
		hfds_error_init(&ferr);
		rc = hfds_ds_split_files(ops, v->rep->commit, config, split, &files, &count, &ferr);
		if (rc == HFDS_ENOTFOUND || rc == HFDS_EPARSE) {
			say(v, 0, "%s/%s: %s", config, split, ferr.message);
			rc = 0;
			continue;
		}
		if (rc < 0) {
			hfds_error_set(err, rc, "%s", ferr.message);
			goto done;
		}
		for (j = 0; j < count && rc == 0; j++)
			rc = check_shard(v, &files[j], hfds_card__config_features(card, config), &rows, err);
		hfds_ds_repo_files_free(files, count);
		files = NULL;
		HFDS_TRY(rc);
		v->rep->splits++;
		if (rows != want)
			say(v, 0, "%s/%s: %llu rows in %zu files but the card's num_examples is %llu", config, split,
				(unsigned long long)rows, count, (unsigned long long)want);
		else if (v->rep->problems == before)
			say(v, 1, "%s/%s: %llu rows in %zu files, as the card says", config, split,
				(unsigned long long)rows, count);
	}
done:
	json_decref(splits);
	hfds_card__free(card);
	hfds_free(text);
	return rc;
}

int hfds_verify(hfds_hub *hub, const char *repo_id, const char *rev, hfds_verify_fn fn, void *ctx,
	hfds_verify_report *report, hfds_error *err)
{
	int rc = 0;
	size_t i;
	hfds_store_tree *tree = NULL;
	hfds_sha256 *h = NULL;
	hfds_hub_dataset *ds = NULL;
	verifier v = { hub, repo_id, fn, ctx, report };
	HFDS_ASSERT_ARG(hub && repo_id && report, err);
	memset(report, 0, sizeof(*report));
	HFDS_TRY(hfds_hub_resolve(report->commit, hub, HFDS_REPO_DATASET, repo_id, rev, err));
	HFDS_TRY(hfds_hub_tree_list(&tree, hub, HFDS_REPO_DATASET, repo_id, report->commit, "", 1, err));
	HFDS_TRY(hfds_sha256_new(&h, err));
	for (i = 0; i < tree->count; i++)
		if (tree->items[i].is_lfs)
			HFDS_TRY(check_object(&v, &tree->items[i], h, err));
	HFDS_TRY(hfds_hub_dataset_open(&ds, hub, repo_id, NULL, 0, err));
	HFDS_TRY(check_splits(&v, hfds_hub_dataset_ops(ds), err));
done:
	hfds_hub_dataset_free(ds);
	hfds_sha256_free(h);
	hfds_store_tree_free(tree);
	return rc;
}
