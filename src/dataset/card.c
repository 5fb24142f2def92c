/*
 * push_to_hub's card merge (datasets _get_updated_dataset_card) and delete_from_hub's card
 * edit. Only this config's entries are rebuilt; other configs and other top-level keys are
 * kept as they are, in their order; configs and dataset_info are re-sorted by name and
 * dataset_info becomes a mapping when one config is left, a list otherwise.
 */
#include "dataset/card.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset/card_yaml.h"
#include "hfds/dataset.h"
#include "util/alloc.h"
#include "util/try.h"

#define MAX_CARD_BYTES (64u << 20)

static int nomem(hfds_error *err)
{
	return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
}

/* huggingface_hub: ^(\s*---[\r\n]+)([\S\s]*?)([\r\n]+---(\r\n|\n|$)) */
static int find_front_matter(const char *t, size_t n, size_t *y0, size_t *y1, size_t *body)
{
	size_t i = 0, p;
	while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r' || t[i] == '\f' || t[i] == '\v'))
		i++;
	if (n - i < 3 || strncmp(t + i, "---", 3) != 0)
		return 0;
	i += 3;
	if (i >= n || (t[i] != '\n' && t[i] != '\r'))
		return 0;
	/* [\r\n]+ is greedy but may give back characters: try the longest first, the yaml
	 * start is the first position whose lazy search succeeds. */
	{
		size_t run = i;
		while (run < n && (t[run] == '\n' || t[run] == '\r'))
			run++;
		for (; run > i; run--) {
			for (p = run; p < n; p++) {
				size_t q = p;
				if (t[q] != '\n' && t[q] != '\r')
					continue;
				while (q < n && (t[q] == '\n' || t[q] == '\r'))
					q++;
				/* the run p..q may end anywhere; the regex backtracks over it too */
				{
					size_t e;
					for (e = q; e > p; e--) {
						if (n - e >= 3 && !strncmp(t + e, "---", 3)) {
							size_t after = e + 3;
							if (after == n) {
								*y0 = run, *y1 = p, *body = after;
								return 1;
							}
							if (t[after] == '\n') {
								*y0 = run, *y1 = p, *body = after + 1;
								return 1;
							}
							if (t[after] == '\r' && after + 1 < n && t[after + 1] == '\n') {
								*y0 = run, *y1 = p, *body = after + 2;
								return 1;
							}
						}
					}
				}
				p = q - 1;
			}
		}
	}
	return 0;
}

/* huggingface_hub's _detect_line_ending (the Hub server's rule): the card is written back with
 * the line break it was read with, so that an edit does not rewrite every line. Where that rule
 * says "\r" (old Mac breaks) huggingface_hub writes a front matter it cannot read back (its
 * closing '---' needs a "\n"): "\n" is used instead. */
static const char *line_ending(const char *t, size_t n)
{
	size_t cr = 0, lf = 0, crlf = 0, i;
	for (i = 0; i < n; i++) {
		if (t[i] == '\r') {
			cr++;
			crlf += i + 1 < n && t[i + 1] == '\n';
		} else if (t[i] == '\n') {
			lf++;
		}
	}
	return cr + lf > 0 && crlf == cr && crlf == lf ? "\r\n" : "\n";
}

/* Whether the text starts (after blank space) with a line "---": a front matter was meant;
 * `at` is where that line starts. */
static int opens_front_matter(const char *t, size_t n, size_t *at)
{
	size_t i = 0;
	while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r' || t[i] == '\f' || t[i] == '\v'))
		i++;
	while (i > 0 && t[i - 1] != '\n')
		i--;
	*at = i;
	while (i < n && (t[i] == ' ' || t[i] == '\t'))
		i++;
	return n - i >= 3 && !strncmp(t + i, "---", 3) && (n - i == 3 || t[i + 3] == '\n' || t[i + 3] == '\r');
}

int hfds_card__parse(hfds_card **out, const char *text, size_t len, const char *what, hfds_error *err)
{
	int rc = 0;
	hfds_card *c = NULL;
	size_t y0, y1, body, k;
	int line = 1, found;
	*out = NULL;
	HFDS_FAIL_IF(len > MAX_CARD_BYTES, HFDS_ELIMIT, err, "%s: larger than %u bytes", what, MAX_CARD_BYTES);
	c = hfds_calloc(1, sizeof(*c));
	HFDS_FAIL_IF(!c, HFDS_ENOMEM, err, "out of memory");
	/* huggingface_hub does not see a front matter after a UTF-8 BOM and would prepend a
	 * second one; the BOM is dropped instead (the card is written back without it) */
	if (text && len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
		text += 3;
		len -= 3;
	}
	found = text && find_front_matter(text, len, &y0, &y1, &body);
	if (text && !found && opens_front_matter(text, len, &k)) {
		size_t i;
		for (i = 0; i < k; i++)
			line += text[i] == '\n';
		HFDS_FAIL(HFDS_EPARSE, err,
			"%s:%d:1: the front matter opened by '---' is never closed: expected a line '---' after "
			"the YAML (a card must not start with '---' otherwise)", what, line);
	}
	c->eol = text ? line_ending(text, len) : "\n";
	if (found) {
		for (k = 0; k < y0; k++)
			line += text[k] == '\n';
		HFDS_TRY(hfds_card__yaml_parse(&c->meta, text + y0, y1 - y0, what, line, err));
		c->body = hfds_strndup(text + body, len - body);
	} else {
		c->meta = json_object();
		c->body = text ? hfds_strndup(text, len) : hfds_strdup("");
	}
	HFDS_FAIL_IF(!c->meta || !c->body, HFDS_ENOMEM, err, "out of memory");
	*out = c;
	c = NULL;
done:
	hfds_card__free(c);
	return rc;
}

int hfds_card__render(const hfds_card *card, hfds_buf *out, hfds_error *err)
{
	int rc = 0;
	json_t *meta = NULL, *v;
	const char *k;
	hfds_buf yaml;
	hfds_buf_init(&yaml, out->max == SIZE_MAX ? 0 : out->max);
	/* huggingface_hub's CardData.to_dict drops top-level None values */
	meta = json_object();
	HFDS_FAIL_IF(!meta, HFDS_ENOMEM, err, "out of memory");
	json_object_foreach(card->meta, k, v)
		if (!json_is_null(v))
			HFDS_FAIL_IF(json_object_set(meta, k, v) < 0, HFDS_ENOMEM, err, "out of memory");
	if (!card->eol || !strcmp(card->eol, "\n")) {
		HFDS_TRY(hfds_buf_append_str(out, "---\n", err));
		HFDS_TRY(hfds_card__yaml_emit(out, meta, err));
		HFDS_TRY(hfds_buf_append_str(out, "\n---\n", err));
	} else {
		/* PyYAML's line_break applies to every break it writes, inside scalars too */
		size_t i;
		HFDS_TRY(hfds_card__yaml_emit(&yaml, meta, err));
		HFDS_TRY(hfds_buf_append_str(out, "---", err));
		HFDS_TRY(hfds_buf_append_str(out, card->eol, err));
		for (i = 0; i < yaml.len; i++) {
			if (yaml.data[i] == '\n')
				HFDS_TRY(hfds_buf_append_str(out, card->eol, err));
			else
				HFDS_TRY(hfds_buf_append_byte(out, yaml.data[i], err));
		}
		HFDS_TRY(hfds_buf_append_str(out, card->eol, err));
		HFDS_TRY(hfds_buf_append_str(out, "---", err));
		HFDS_TRY(hfds_buf_append_str(out, card->eol, err));
	}
	HFDS_TRY(hfds_buf_append_str(out, card->body, err));
done:
	json_decref(meta);
	hfds_buf_release(&yaml);
	return rc;
}

void hfds_card__free(hfds_card *card)
{
	if (!card)
		return;
	json_decref(card->meta);
	hfds_free(card->body);
	hfds_free(card);
}

static const char *entry_name(const json_t *entry)
{
	const char *s = json_string_value(json_object_get(entry, "config_name"));
	return s ? s : "default";
}

/* dataset_info as a new array of (borrowed) entries, whatever its form in the card. */
static int info_list(json_t **out, const json_t *meta, hfds_error *err)
{
	json_t *di = json_object_get(meta, "dataset_info"), *arr = json_array();
	size_t i;
	json_t *e;
	if (!arr)
		return nomem(err);
	if (json_is_object(di)) {
		json_array_append(arr, di);
	} else if (json_is_array(di)) {
		json_array_foreach(di, i, e) {
			if (!json_is_object(e)) {
				json_decref(arr);
				return hfds_error_set(err, HFDS_EPARSE, "README.md: dataset_info entry %zu is not a mapping", i);
			}
			json_array_append(arr, e);
		}
	} else if (di && !json_is_null(di)) {
		json_decref(arr);
		return hfds_error_set(err, HFDS_EPARSE, "README.md: dataset_info must be a mapping or a list");
	}
	*out = arr;
	return 0;
}

static int config_list(json_t **out, const json_t *meta, hfds_error *err)
{
	json_t *cf = json_object_get(meta, "configs"), *arr = json_array();
	size_t i;
	json_t *e;
	if (!arr)
		return nomem(err);
	if (json_is_array(cf)) {
		json_array_foreach(cf, i, e) {
			if (!json_is_object(e) || !json_is_string(json_object_get(e, "config_name"))) {
				json_decref(arr);
				return hfds_error_set(err, HFDS_EPARSE,
					"README.md: configs entry %zu must be a mapping with a config_name", i);
			}
			json_array_append(arr, e);
		}
	} else if (cf && !json_is_null(cf)) {
		json_decref(arr);
		return hfds_error_set(err, HFDS_EPARSE, "README.md: configs must be a list");
	}
	*out = arr;
	return 0;
}

static json_t *find_entry(const json_t *list, const char *config, size_t *index)
{
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e) {
		if (!strcmp(entry_name(e), config)) {
			if (index)
				*index = i;
			return e;
		}
	}
	return NULL;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(entry_name(*(json_t *const *)a), entry_name(*(json_t *const *)b));
}

/* New array with the entries sorted by config_name (stable enough: names are unique). */
static json_t *sorted(const json_t *list)
{
	size_t n = json_array_size(list), i;
	json_t **v = hfds_calloc(n ? n : 1, sizeof(*v)), *out = json_array();
	if (!v || !out) {
		hfds_free(v);
		json_decref(out);
		return NULL;
	}
	for (i = 0; i < n; i++)
		v[i] = json_array_get(list, i);
	qsort(v, n, sizeof(*v), by_name);
	for (i = 0; i < n; i++)
		json_array_append(out, v[i]);
	hfds_free(v);
	return out;
}

/* Keeps the key's position when it exists, else appends it. */
static int set_key(json_t *meta, const char *key, json_t *value, hfds_error *err)
{
	if (!value)
		return nomem(err);
	if (json_object_set_new(meta, key, value) < 0)
		return nomem(err);
	return 0;
}

/*
 * A dataset_info entry as datasets' DatasetInfosDict.to_dataset_card_data writes it:
 * config_name first (a card entry may lack it or hold it later), omitted only for the single
 * entry of the config "default". A list entry without config_name made datasets' own merge
 * fail with KeyError: 'config_name' on the next push_to_hub.
 */
static json_t *named_info(const json_t *entry, int in_list)
{
	const char *name = entry_name(entry), *k;
	json_t *m = json_object(), *v;
	if (!m)
		return NULL;
	if ((in_list || strcmp(name, "default") != 0) && json_object_set_new(m, "config_name", json_string(name)) < 0)
		goto fail;
	json_object_foreach((json_t *)entry, k, v)
		if (strcmp(k, "config_name") != 0 && json_object_set(m, k, v) < 0)
			goto fail;
	return m;
fail:
	json_decref(m);
	return NULL;
}

static int store_lists(json_t *meta, const json_t *infos, const json_t *configs, hfds_error *err)
{
	int rc = 0;
	json_t *list = NULL, *e;
	size_t i;
	/* dataset_info goes before configs in a new card */
	if (json_array_size(infos) == 0) {
		json_object_del(meta, "dataset_info");
	} else if (json_array_size(infos) == 1) {
		HFDS_TRY(set_key(meta, "dataset_info", named_info(json_array_get(infos, 0), 0), err));
	} else {
		list = sorted(infos);
		HFDS_FAIL_IF(!list, HFDS_ENOMEM, err, "out of memory");
		json_array_foreach(list, i, e) {
			json_t *named = named_info(e, 1);
			HFDS_FAIL_IF(!named || json_array_set_new(list, i, named) < 0, HFDS_ENOMEM, err, "out of memory");
		}
		HFDS_TRY(set_key(meta, "dataset_info", json_incref(list), err));
	}
	if (json_array_size(configs) == 0)
		json_object_del(meta, "configs");
	else
		HFDS_TRY(set_key(meta, "configs", sorted(configs), err));
done:
	json_decref(list);
	return rc;
}

/* A split of a dataset_info entry, or NULL. */
static json_t *find_split(const json_t *info, const char *split)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(info, "splits"), i, s) {
		const char *n = json_string_value(json_object_get(s, "name"));
		if (n && !strcmp(n, split))
			return s;
	}
	return NULL;
}

static uint64_t uint_of(const json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
}

static json_t *split_entry(const char *name, uint64_t nbytes, uint64_t nexamples)
{
	return json_pack("{s:s, s:I, s:I}", "name", name, "num_bytes", (json_int_t)nbytes, "num_examples",
		(json_int_t)nexamples);
}

static int is_pushed(const hfds_card_update *u, const char *split)
{
	size_t i;
	for (i = 0; i < u->split_count; i++)
		if (!strcmp(u->splits[i].name, split))
			return 1;
	return 0;
}

static const hfds_card_split *pushed(const hfds_card_update *u, const char *split)
{
	size_t i;
	for (i = 0; i < u->split_count; i++)
		if (!strcmp(u->splits[i].name, split))
			return &u->splits[i];
	return NULL;
}

/* "column 'id': {...} in the card, {...} now" for the first differing entry. */
static void describe_difference(char *buf, size_t cap, const json_t *card, const json_t *now)
{
	size_t i, n = json_array_size(card) > json_array_size(now) ? json_array_size(card) : json_array_size(now);
	for (i = 0; i < n; i++) {
		json_t *a = json_array_get(card, i), *b = json_array_get(now, i);
		char *ta, *tb;
		if (a && b && json_equal(a, b))
			continue;
		ta = a ? json_dumps(a, JSON_COMPACT) : NULL;
		tb = b ? json_dumps(b, JSON_COMPACT) : NULL;
		snprintf(buf, cap, "column '%s': %s in the card, %s now",
			json_string_value(json_object_get(a ? a : b, "name")) ? json_string_value(json_object_get(a ? a : b, "name")) : "?",
			ta ? ta : "none", tb ? tb : "none");
		free(ta);
		free(tb);
		return;
	}
	snprintf(buf, cap, "the features are not a list in the card");
}

/* The config's new dataset_info entry. */
static int build_info(json_t **out, const json_t *old, const hfds_card_update *u, hfds_error *err)
{
	int rc = 0;
	json_t *info = NULL, *splits = NULL, *s;
	size_t i;
	int64_t dataset_size = 0, download = 0;
	int keep_old = old && !u->replace_config && json_is_array(json_object_get(old, "splits"));
	int others = 0;
	const json_t *old_features = old ? json_object_get(old, "features") : NULL;
	*out = NULL;
	splits = json_array();
	HFDS_FAIL_IF(!splits, HFDS_ENOMEM, err, "out of memory");
	if (keep_old) {
		json_array_foreach(json_object_get(old, "splits"), i, s) {
			const char *n = json_string_value(json_object_get(s, "name"));
			if (n && !is_pushed(u, n))
				others = 1;
		}
	}
	if (old_features && !json_equal((json_t *)old_features, (json_t *)u->features_yaml)) {
		char what[300];
		describe_difference(what, sizeof(what), old_features, u->features_yaml);
		if (others)
			HFDS_FAIL(HFDS_ECONFLICT, err,
				"features of the new data differ from config '%s' in README.md (%s); the config keeps "
				"its other splits, which must share one schema: push all its splits together with "
				"--replace-features to replace them", u->config, what);
		if (!u->replace_features)
			HFDS_FAIL(HFDS_ECONFLICT, err,
				"features of the new data differ from config '%s' in README.md (%s); nothing was "
				"changed: replace the config's features on purpose with --replace-features",
				u->config, what);
	}
	if (keep_old) {
		dataset_size = (int64_t)uint_of(json_object_get(old, "dataset_size"));
		download = (int64_t)uint_of(json_object_get(old, "download_size"));
		json_array_foreach(json_object_get(old, "splits"), i, s) {
			const char *n = json_string_value(json_object_get(s, "name"));
			const hfds_card_split *p = n ? pushed(u, n) : NULL;
			json_t *ne;
			if (!p) {
				HFDS_FAIL_IF(json_array_append(splits, s) < 0, HFDS_ENOMEM, err, "out of memory");
				continue;
			}
			if (!u->append) {
				/* replaced: datasets pops the split and adds it again, at the end */
				dataset_size -= (int64_t)uint_of(json_object_get(s, "num_bytes"));
				continue;
			}
			ne = split_entry(n, uint_of(json_object_get(s, "num_bytes")) + p->num_bytes,
				uint_of(json_object_get(s, "num_examples")) + p->num_examples);
			dataset_size += (int64_t)p->num_bytes;
			HFDS_FAIL_IF(!ne || json_array_append_new(splits, ne) < 0, HFDS_ENOMEM, err, "out of memory");
		}
		for (i = 0; i < u->split_count; i++) {
			if (u->append && find_split(old, u->splits[i].name))
				continue;
			s = split_entry(u->splits[i].name, u->splits[i].num_bytes, u->splits[i].num_examples);
			HFDS_FAIL_IF(!s || json_array_append_new(splits, s) < 0, HFDS_ENOMEM, err, "out of memory");
			dataset_size += (int64_t)u->splits[i].num_bytes;
		}
		download = download - (int64_t)u->download_removed + (int64_t)u->download_added;
	} else {
		for (i = 0; i < u->split_count; i++) {
			s = split_entry(u->splits[i].name, u->splits[i].num_bytes, u->splits[i].num_examples);
			HFDS_FAIL_IF(!s || json_array_append_new(splits, s) < 0, HFDS_ENOMEM, err, "out of memory");
			dataset_size += (int64_t)u->splits[i].num_bytes;
		}
		download = (int64_t)u->download_added;
	}
	if (download < 0)
		download = 0;
	if (dataset_size < 0)
		dataset_size = 0;
	info = json_object();
	HFDS_FAIL_IF(!info, HFDS_ENOMEM, err, "out of memory");
	HFDS_FAIL_IF(json_object_set_new(info, "config_name", json_string(u->config)) < 0 ||
		json_object_set_new(info, "features",
			json_deep_copy(others ? json_object_get(old, "features") : u->features_yaml)) < 0 ||
		json_object_set(info, "splits", splits) < 0 ||
		json_object_set_new(info, "download_size", json_integer(download)) < 0 ||
		json_object_set_new(info, "dataset_size", json_integer(dataset_size)) < 0,
		HFDS_ENOMEM, err, "out of memory");
	*out = info;
	info = NULL;
done:
	json_decref(splits);
	json_decref(info);
	return rc;
}

/* data_files in the card may be a string, a list of strings, a list of {split, path} or a
 * {split: path} mapping; this returns the {split, path} list form (new reference). */
static json_t *data_files_list(const json_t *df)
{
	json_t *out = json_array(), *v;
	const char *k;
	size_t i;
	if (!out)
		return NULL;
	if (json_is_string(df) || (json_is_array(df) && json_array_size(df) && json_is_string(json_array_get(df, 0)))) {
		json_array_append_new(out, json_pack("{s:s, s:O}", "split", "train", "path", df));
	} else if (json_is_array(df)) {
		json_array_foreach(df, i, v)
			if (json_is_object(v))
				json_array_append(out, v);
	} else if (json_is_object(df)) {
		json_object_foreach((json_t *)df, k, v)
			json_array_append_new(out, json_pack("{s:s, s:O}", "split", k, "path", v));
	}
	return out;
}

static int build_config(json_t **out, const json_t *old, const hfds_card_update *u, hfds_error *err)
{
	int rc = 0;
	json_t *entry = NULL, *files = NULL, *e;
	size_t i, j;
	char *glob = NULL;
	*out = NULL;
	files = (old && !u->replace_config) ? data_files_list(json_object_get(old, "data_files")) : json_array();
	HFDS_FAIL_IF(!files, HFDS_ENOMEM, err, "out of memory");
	for (i = 0; i < u->split_count; i++) {
		int replaced = 0;
		HFDS_TRY(hfds_ds_split_glob(&glob, u->config, u->splits[i].name, u->layout, err));
		json_array_foreach(files, j, e) {
			const char *s = json_string_value(json_object_get(e, "split"));
			if (s && !strcmp(s, u->splits[i].name)) {
				json_t *ne = json_pack("{s:s, s:s}", "split", s, "path", glob);
				HFDS_FAIL_IF(!ne || json_array_set_new(files, j, ne) < 0, HFDS_ENOMEM, err, "out of memory");
				replaced = 1;
				break;
			}
		}
		if (!replaced) {
			e = json_pack("{s:s, s:s}", "split", u->splits[i].name, "path", glob);
			HFDS_FAIL_IF(!e || json_array_append_new(files, e) < 0, HFDS_ENOMEM, err, "out of memory");
		}
		hfds_free(glob);
		glob = NULL;
	}
	entry = json_pack("{s:s, s:O}", "config_name", u->config, "data_files", files);
	HFDS_FAIL_IF(!entry, HFDS_ENOMEM, err, "out of memory");
	if (u->set_default && strcmp(u->config, "default") != 0)
		HFDS_FAIL_IF(json_object_set_new(entry, "default", json_true()) < 0, HFDS_ENOMEM, err, "out of memory");
	*out = entry;
	entry = NULL;
done:
	hfds_free(glob);
	json_decref(files);
	json_decref(entry);
	return rc;
}

int hfds_card__update(hfds_card *card, const hfds_card_update *u, hfds_error *err)
{
	int rc = 0;
	json_t *infos = NULL, *configs = NULL, *info = NULL, *cfg = NULL, *e;
	size_t idx, i;
	HFDS_TRY(info_list(&infos, card->meta, err));
	HFDS_TRY(config_list(&configs, card->meta, err));
	if (u->set_default && strcmp(u->config, "default") != 0 && find_entry(configs, "default", NULL))
		HFDS_FAIL(HFDS_EINVAL, err,
			"cannot make '%s' the default config: the card already has a config named 'default'", u->config);
	HFDS_TRY(build_info(&info, find_entry(infos, u->config, NULL), u, err));
	HFDS_TRY(build_config(&cfg, find_entry(configs, u->config, NULL), u, err));
	if (find_entry(infos, u->config, &idx))
		json_array_set(infos, idx, info);
	else
		json_array_append(infos, info);
	if (u->set_default) {
		/* the old default loses its flag: copy entries before editing, they are shared */
		json_array_foreach(configs, i, e) {
			if (json_object_get(e, "default")) {
				json_t *c = json_deep_copy(e);
				HFDS_FAIL_IF(!c, HFDS_ENOMEM, err, "out of memory");
				json_object_del(c, "default");
				json_array_set_new(configs, i, c);
			}
		}
	}
	if (find_entry(configs, u->config, &idx))
		json_array_set(configs, idx, cfg);
	else
		json_array_append(configs, cfg);
	HFDS_TRY(store_lists(card->meta, infos, configs, err));
done:
	json_decref(infos);
	json_decref(configs);
	json_decref(info);
	json_decref(cfg);
	return rc;
}

int hfds_card__delete_config(hfds_card *card, const char *config, int *found, hfds_error *err)
{
	int rc = 0;
	json_t *infos = NULL, *configs = NULL, *names;
	size_t idx, i;
	*found = 0;
	HFDS_TRY(info_list(&infos, card->meta, err));
	HFDS_TRY(config_list(&configs, card->meta, err));
	names = json_object_get(card->meta, "config_names");
	if (json_is_array(names)) {
		json_t *v;
		json_array_foreach(names, i, v) {
			if (json_is_string(v) && !strcmp(json_string_value(v), config)) {
				json_array_remove(names, i);
				*found = 1;
				break;
			}
		}
	}
	if (find_entry(infos, config, &idx)) {
		json_array_remove(infos, idx);
		*found = 1;
	}
	if (find_entry(configs, config, &idx)) {
		json_array_remove(configs, idx);
		*found = 1;
	}
	if (*found) {
		/* keep the card's own shapes when this config was not in one of the keys */
		if (json_object_get(card->meta, "dataset_info") || json_array_size(infos))
			HFDS_TRY(store_lists(card->meta, infos, configs, err));
	}
done:
	json_decref(infos);
	json_decref(configs);
	return rc;
}

int hfds_card__split_patterns(json_t **out, const hfds_card *card, const char *config, const char *split,
	hfds_error *err)
{
	int rc = 0;
	json_t *configs = NULL, *files = NULL, *arr = NULL, *e, *p, *x;
	size_t i, j;
	*out = NULL;
	arr = json_array();
	HFDS_FAIL_IF(!arr, HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(config_list(&configs, card->meta, err));
	e = find_entry(configs, config, NULL);
	if (e) {
		files = data_files_list(json_object_get(e, "data_files"));
		HFDS_FAIL_IF(!files, HFDS_ENOMEM, err, "out of memory");
		json_array_foreach(files, i, x) {
			const json_t *sp = json_object_get(x, "split");
			if (split && !(json_is_string(sp) && !strcmp(json_string_value(sp), split)))
				continue;
			p = json_object_get(x, "path");
			if (json_is_string(p)) {
				json_array_append(arr, p);
			} else if (json_is_array(p)) {
				json_t *q;
				json_array_foreach(p, j, q)
					if (json_is_string(q))
						json_array_append(arr, q);
			}
		}
	}
	*out = arr;
	arr = NULL;
done:
	json_decref(configs);
	json_decref(files);
	json_decref(arr);
	return rc;
}

int hfds_card__config_patterns(json_t **out, const hfds_card *card, const char *config, hfds_error *err)
{
	return hfds_card__split_patterns(out, card, config, NULL, err);
}

const char *hfds_card__default_config(const hfds_card *card)
{
	json_t *configs = NULL, *e;
	const char *name = "default";
	size_t i;
	if (config_list(&configs, card->meta, NULL) < 0)
		return name;
	json_array_foreach(configs, i, e)
		if (json_is_true(json_object_get(e, "default")))
			name = json_string_value(json_object_get(e, "config_name"));
	if (json_array_size(configs) == 1)
		name = json_string_value(json_object_get(json_array_get(configs, 0), "config_name"));
	json_decref(configs);
	return name ? name : "default";
}

const json_t *hfds_card__config_features(const hfds_card *card, const char *config)
{
	json_t *infos = NULL, *e, *f = NULL;
	if (info_list(&infos, card->meta, NULL) < 0)
		return NULL;
	e = find_entry(infos, config, NULL);
	if (e)
		f = json_object_get(e, "features");
	json_decref(infos);
	return f;
}

int hfds_card__split_examples_find(const hfds_card *card, const char *config, const char *split, uint64_t *n)
{
	json_t *infos = NULL, *e, *s;
	*n = 0;
	if (info_list(&infos, card->meta, NULL) < 0)
		return 0;
	e = find_entry(infos, config, NULL);
	s = e ? find_split(e, split) : NULL;
	if (s)
		*n = uint_of(json_object_get(s, "num_examples"));
	json_decref(infos);
	return s != NULL;
}

uint64_t hfds_card__split_examples(const hfds_card *card, const char *config, const char *split)
{
	uint64_t n;
	hfds_card__split_examples_find(card, config, split, &n);
	return n;
}

int hfds_card__import_config(hfds_card *dst, const hfds_card *src, const char *config, hfds_error *err)
{
	int rc = 0;
	json_t *sinfos = NULL, *sconfigs = NULL, *dinfos = NULL, *dconfigs = NULL, *e;
	size_t idx, i;
	HFDS_TRY(info_list(&sinfos, src->meta, err));
	HFDS_TRY(config_list(&sconfigs, src->meta, err));
	HFDS_TRY(info_list(&dinfos, dst->meta, err));
	HFDS_TRY(config_list(&dconfigs, dst->meta, err));
	e = find_entry(sinfos, config, NULL);
	if (e) {
		json_t *copy = json_deep_copy(e);
		HFDS_FAIL_IF(!copy, HFDS_ENOMEM, err, "out of memory");
		if (!json_object_get(copy, "config_name")) {
			/* a mapping for the default config has no name: put it first */
			json_t *named = json_pack("{s:s}", "config_name", config);
			HFDS_FAIL_IF(!named || json_object_update(named, copy) < 0, HFDS_ENOMEM, err, "out of memory");
			json_decref(copy);
			copy = named;
		}
		if (find_entry(dinfos, config, &idx))
			json_array_set_new(dinfos, idx, copy);
		else
			json_array_append_new(dinfos, copy);
	}
	e = find_entry(sconfigs, config, NULL);
	if (e) {
		if (json_is_true(json_object_get(e, "default"))) {
			json_array_foreach(dconfigs, i, e) {
				if (json_object_get(e, "default") && strcmp(entry_name(e), config) != 0) {
					json_t *c = json_deep_copy(e);
					HFDS_FAIL_IF(!c, HFDS_ENOMEM, err, "out of memory");
					json_object_del(c, "default");
					json_array_set_new(dconfigs, i, c);
				}
			}
			e = find_entry(sconfigs, config, NULL);
		}
		if (find_entry(dconfigs, config, &idx))
			json_array_set(dconfigs, idx, e);
		else
			json_array_append(dconfigs, e);
	}
	HFDS_TRY(store_lists(dst->meta, dinfos, dconfigs, err));
done:
	json_decref(sinfos);
	json_decref(sconfigs);
	json_decref(dinfos);
	json_decref(dconfigs);
	return rc;
}

int hfds_card__config_names(json_t **out, const hfds_card *card, hfds_error *err)
{
	int rc = 0;
	json_t *configs = NULL, *names = NULL, *e;
	size_t i;
	*out = NULL;
	HFDS_TRY(config_list(&configs, card->meta, err));
	names = json_array();
	HFDS_FAIL_IF(!names, HFDS_ENOMEM, err, "out of memory");
	json_array_foreach(configs, i, e)
		HFDS_FAIL_IF(json_array_append_new(names, json_string(entry_name(e))) < 0, HFDS_ENOMEM, err,
			"out of memory");
	*out = names;
	names = NULL;
done:
	json_decref(configs);
	json_decref(names);
	return rc;
}
