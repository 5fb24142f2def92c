/*
 * Which files hold a split of a repository, as datasets' load_dataset resolves them: the
 * card's `configs` data_files globs for that split (HfFileSystem glob rules), else the
 * push_to_hub layout. Readers (hfds.load, the CLI) use it so they read exactly the files
 * the official client would.
 */
#include "dataset/ds_internal.h"

#include <stdlib.h>
#include <string.h>

#include "dataset/card.h"
#include "util/alloc.h"
#include "util/try.h"

static int by_path(const void *a, const void *b)
{
	return strcmp(((const hfds_ds_repo_file *)a)->path, ((const hfds_ds_repo_file *)b)->path);
}

int hfds_ds_split_files(const hfds_ds_repo_ops *ops, const char *rev, const char *config, const char *split,
	hfds_ds_repo_file **out, size_t *out_count, hfds_error *err)
{
	int rc = 0;
	char *text = NULL, *glob = NULL;
	size_t text_len = 0, count = 0, i, k, n = 0;
	hfds_ds_repo_file *files = NULL, *picked = NULL;
	hfds_card *card = NULL;
	json_t *patterns = NULL, *p;
	*out = NULL;
	*out_count = 0;
	HFDS_ASSERT_ARG(ops && rev && split, err);
	rc = ops->read_file(ops->payload, rev, "README.md", &text, &text_len, err);
	if (rc == HFDS_ENOTFOUND) {
		if (err)
			hfds_error_init(err);
		rc = 0;
	}
	HFDS_TRY(rc);
	HFDS_TRY(hfds_card__parse(&card, text, text_len, "README.md", err));
	if (!config)
		config = hfds_card__default_config(card);
	HFDS_TRY(hfds_card__split_patterns(&patterns, card, config, split, err));
	if (json_array_size(patterns) == 0) {
		HFDS_TRY(hfds_ds_split_glob(&glob, config, split, HFDS_DS_LAYOUT_SHARDS, err));
		HFDS_FAIL_IF(json_array_append_new(patterns, json_string(glob)) < 0, HFDS_ENOMEM, err, "out of memory");
	}
	HFDS_TRY(ops->list_files(ops->payload, rev, &files, &count, err));
	picked = hfds_calloc(count + 1, sizeof(*picked));
	HFDS_FAIL_IF(!picked, HFDS_ENOMEM, err, "out of memory");
	for (i = 0; i < count; i++) {
		int hit = 0;
		json_array_foreach(patterns, k, p)
			hit |= hfds_ds__glob_match(json_string_value(p), files[i].path);
		if (!hit)
			continue;
		picked[n++] = files[i];
		files[i].path = NULL;
	}
	HFDS_FAIL_IF(n == 0, HFDS_ENOTFOUND, err, "config '%s' has no files for split '%s' at %.12s", config, split, rev);
	qsort(picked, n, sizeof(*picked), by_path);
	*out = picked;
	*out_count = n;
	picked = NULL;
done:
	if (picked)
		hfds_ds_repo_files_free(picked, n);
	hfds_ds_repo_files_free(files, count);
	json_decref(patterns);
	hfds_card__free(card);
	hfds_free(text);
	hfds_free(glob);
	return rc;
}
