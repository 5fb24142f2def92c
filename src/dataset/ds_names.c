/*
 * Names that push_to_hub enforces or produces: split names (datasets' `^\w+(\.\w+)*$`),
 * config names (not "data", which would clash with the default data_dir; safe as one
 * path component and inside a glob), shard paths and the append layout.
 */
#include "hfds/dataset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/try.h"

#define NAME_MAX_BYTES 200

/* Python's \w on str also matches Unicode letters and digits; every non-ASCII byte is
 * accepted here as part of such a character. */
static int word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		c >= 0x80;
}

int hfds_ds_check_split(const char *name, hfds_error *err)
{
	size_t i, n;
	int need_word = 1;
	if (!name || !*name)
		return hfds_error_set(err, HFDS_EINVAL, "split name is empty");
	n = strlen(name);
	if (n > NAME_MAX_BYTES)
		return hfds_error_set(err, HFDS_EINVAL, "split name is longer than %d bytes", NAME_MAX_BYTES);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (word_byte(c)) {
			need_word = 0;
		} else if (c == '.' && !need_word) {
			need_word = 1;
		} else {
			return hfds_error_set(err, HFDS_EINVAL,
				"split name '%s' must match ^\\w+(\\.\\w+)*$ (letters, digits, _ and inner dots, no dashes)",
				name);
		}
	}
	if (need_word)
		return hfds_error_set(err, HFDS_EINVAL,
			"split name '%s' must match ^\\w+(\\.\\w+)*$ (it may not end with a dot)", name);
	return 0;
}

int hfds_ds_check_config(const char *name, hfds_error *err)
{
	size_t i, n;
	if (!name || !*name)
		return hfds_error_set(err, HFDS_EINVAL, "config name is empty");
	n = strlen(name);
	if (n > NAME_MAX_BYTES)
		return hfds_error_set(err, HFDS_EINVAL, "config name is longer than %d bytes", NAME_MAX_BYTES);
	if (!strcmp(name, "data"))
		return hfds_error_set(err, HFDS_EINVAL,
			"config name 'data' is not allowed: it would clash with the folder of the default config");
	if (name[0] == '.' || name[0] == '_')
		return hfds_error_set(err, HFDS_EINVAL,
			"config name '%s' may not start with '.' or '_' (the loader ignores such folders)", name);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < 0x20 || c == 0x7f || strchr("/\\*?[]{}:\"'", c))
			return hfds_error_set(err, HFDS_EINVAL,
				"config name '%s': character '%c' is not allowed (it is used as a folder name and in globs)",
				name, c >= 0x20 && c != 0x7f ? c : '?');
	}
	return 0;
}

const char *hfds_ds_data_dir(const char *config)
{
	return !strcmp(config, "default") ? "data" : config;
}

int hfds_ds_shard_path(char **out, const char *config, const char *split, uint64_t index, uint64_t count,
	hfds_error *err)
{
	char *s = NULL;
	if (asprintf(&s, "%s/%s-%05llu-of-%05llu.parquet", hfds_ds_data_dir(config), split,
		(unsigned long long)index, (unsigned long long)count) < 0)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	*out = hfds_strdup(s);
	free(s);
	return *out ? 0 : hfds_error_set(err, HFDS_ENOMEM, "out of memory");
}

int hfds_ds_split_glob(char **out, const char *config, const char *split, int layout, hfds_error *err)
{
	char *s = NULL;
	int n;
	if (layout == HFDS_DS_LAYOUT_APPEND)
		n = !strcmp(config, "default") ? asprintf(&s, "%s/*.parquet", split)
			: asprintf(&s, "%s/%s/*.parquet", config, split);
	else
		n = asprintf(&s, "%s/%s-*", hfds_ds_data_dir(config), split);
	if (n < 0)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	*out = hfds_strdup(s);
	free(s);
	return *out ? 0 : hfds_error_set(err, HFDS_ENOMEM, "out of memory");
}

int hfds_ds_append_path(char **out, const char *config, const char *split, uint64_t batch, hfds_error *err)
{
	char *s = NULL;
	int n = !strcmp(config, "default") ? asprintf(&s, "%s/batch_%06llu.parquet", split, (unsigned long long)batch)
		: asprintf(&s, "%s/%s/batch_%06llu.parquet", config, split, (unsigned long long)batch);
	if (n < 0)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	*out = hfds_strdup(s);
	free(s);
	return *out ? 0 : hfds_error_set(err, HFDS_ENOMEM, "out of memory");
}
