/*
 * Recipe YAML -> struct hfds_recipe. libyaml's document API keeps every node's mark, so each
 * message names the recipe's line:col; unknown keys are errors (a typo must not silently
 * drop a column or a split).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "recipe/recipe_int.h"
#include "util/alloc.h"
#include "util/try.h"

typedef struct pctx {
	yaml_document_t doc;
	const char *name;
	hfds_error *err;
} pctx;

#define POS(n) ((rc_pos){ (int)(n)->start_mark.line + 1, (int)(n)->start_mark.column + 1 })

static int fail_at(pctx *c, const yaml_node_t *n, const char *what)
{
	return hfds_error_set(c->err, HFDS_EPARSE, "%s:%d:%d: %s", c->name, (int)n->start_mark.line + 1,
		(int)n->start_mark.column + 1, what);
}

static yaml_node_t *node(pctx *c, int id)
{
	return yaml_document_get_node(&c->doc, id);
}

static int want(pctx *c, const yaml_node_t *n, yaml_node_type_t t, const char *what)
{
	char msg[160];
	if (n->type == t)
		return 0;
	snprintf(msg, sizeof(msg), "expected %s", what);
	return fail_at(c, n, msg);
}

/* A YAML 1.2 boolean (not 1.1's yes/no/on/off: `on` is the join's key), as the JSON Schema
 * check and editors read it. */
static int boolean(pctx *c, const yaml_node_t *n, const char *key, int *out)
{
	char msg[160];
	static const char *const yes[] = { "true", "True", "TRUE" };
	static const char *const no[] = { "false", "False", "FALSE" };
	int rc = want(c, n, YAML_SCALAR_NODE, "true or false");
	for (size_t i = 0; rc == 0 && i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp((const char *)n->data.scalar.value, yes[i]) || !strcmp((const char *)n->data.scalar.value, no[i])) {
			*out = !strcmp((const char *)n->data.scalar.value, yes[i]);
			return 0;
		}
	}
	snprintf(msg, sizeof(msg), "%s: expected true or false", key);
	return rc < 0 ? rc : fail_at(c, n, msg);
}

static int str(pctx *c, const yaml_node_t *n, char **out)
{
	int rc = want(c, n, YAML_SCALAR_NODE, "a string");
	if (rc < 0)
		return rc;
	free(*out);
	*out = hfds_strdup((const char *)n->data.scalar.value);
	return *out ? 0 : hfds_error_set(c->err, HFDS_ENOMEM, "out of memory");
}

static int is_key(const yaml_node_t *k, const char *name)
{
	return k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, name);
}

static int unknown(pctx *c, const yaml_node_t *k)
{
	char msg[200];
	snprintf(msg, sizeof(msg), "unknown key '%.100s'", k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "?");
	return fail_at(c, k, msg);
}

/* A list of strings, or one string. */
static int str_list(pctx *c, const yaml_node_t *n, char ***out, size_t *count)
{
	yaml_node_item_t *it;
	if (n->type == YAML_SCALAR_NODE) {
		*out = calloc(1, sizeof(char *));
		if (!*out)
			return hfds_error_set(c->err, HFDS_ENOMEM, "out of memory");
		*count = 1;
		return str(c, n, &(*out)[0]);
	}
	int rc = want(c, n, YAML_SEQUENCE_NODE, "a list of strings");
	if (rc < 0)
		return rc;
	size_t len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	*out = calloc(len + 1, sizeof(char *));
	if (!*out)
		return hfds_error_set(c->err, HFDS_ENOMEM, "out of memory");
	*count = 0;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		if ((rc = str(c, node(c, *it), &(*out)[*count])) < 0)
			return rc;
		(*count)++;
	}
	return 0;
}

/* A mapping of string -> string. */
static int pairs(pctx *c, const yaml_node_t *n, rc_pair **out, size_t *count)
{
	yaml_node_pair_t *p;
	int rc = want(c, n, YAML_MAPPING_NODE, "a mapping");
	if (rc < 0)
		return rc;
	size_t len = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	*out = calloc(len + 1, sizeof(rc_pair));
	if (!*out)
		return hfds_error_set(c->err, HFDS_ENOMEM, "out of memory");
	*count = 0;
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		rc_pair *e = &(*out)[(*count)++];
		e->pos = POS(node(c, p->key));
		if ((rc = str(c, node(c, p->key), &e->key)) < 0 || (rc = str(c, node(c, p->value), &e->value)) < 0)
			return rc;
	}
	return 0;
}

static size_t seq_len(const yaml_node_t *n)
{
	return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

/* A list of mappings: checks the node and allocates its items, zeroed (one spare). */
static int seq_alloc(pctx *c, const yaml_node_t *n, const char *what, size_t size, void **out)
{
	int rc = want(c, n, YAML_SEQUENCE_NODE, what);
	if (rc < 0)
		return rc;
	*out = calloc(seq_len(n) + 1, size);
	return *out ? 0 : hfds_error_set(c->err, HFDS_ENOMEM, "out of memory");
}

static int parse_tables(pctx *c, hfds_recipe *r, const yaml_node_t *n)
{
	yaml_node_item_t *it;
	void *mem = NULL;
	int rc = seq_alloc(c, n, "a list of tables", sizeof(rc_table), &mem);
	if (rc < 0)
		return rc;
	r->tables = mem;
	if (!seq_len(n))
		return fail_at(c, n, "tables: at least one table");
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *t = node(c, *it);
		rc_table *tb = &r->tables[r->ntables++];
		yaml_node_pair_t *p;
		tb->pos = POS(t);
		if ((rc = want(c, t, YAML_MAPPING_NODE, "a table (name, path, join)")) < 0)
			return rc;
		for (p = t->data.mapping.pairs.start; p < t->data.mapping.pairs.top; p++) {
			yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
			if (is_key(k, "name"))
				rc = str(c, v, &tb->name);
			else if (is_key(k, "path"))
				rc = str(c, v, &tb->path);
			else if (is_key(k, "join")) {
				yaml_node_pair_t *q;
				char *how = NULL;
				if ((rc = want(c, v, YAML_MAPPING_NODE, "join: {on, how}")) < 0)
					return rc;
				tb->on_pos = POS(v);
				for (q = v->data.mapping.pairs.start; rc == 0 && q < v->data.mapping.pairs.top; q++) {
					yaml_node_t *jk = node(c, q->key), *jv = node(c, q->value);
					if (is_key(jk, "on")) {
						tb->on_pos = POS(jv);
						rc = str(c, jv, &tb->on);
					} else if (is_key(jk, "how")) {
						if ((rc = str(c, jv, &how)) == 0 && strcmp(how, "left") && strcmp(how, "inner"))
							rc = fail_at(c, jv, "join how: expected left or inner");
						tb->left = how && !strcmp(how, "left");
					} else
						rc = unknown(c, jk);
				}
				free(how);
				if (rc == 0 && !tb->on)
					rc = fail_at(c, v, "join: 'on' (the key column) is required");
			} else
				rc = unknown(c, k);
			if (rc < 0)
				return rc;
		}
		if (!tb->path)
			return fail_at(c, t, "table: 'path' is required");
		if (!tb->name && !(tb->name = hfds_strdup(tb->path)))
			return hfds_error_set(c->err, HFDS_ENOMEM, "out of memory");
		if (it > n->data.sequence.items.start && !tb->on)
			return fail_at(c, t, "table: every table after the first needs join: {on: KEY}");
	}
	return 0;
}

static int parse_casts(pctx *c, hfds_recipe *r, const yaml_node_t *n)
{
	yaml_node_pair_t *p;
	int rc = want(c, n, YAML_MAPPING_NODE, "cast: {column: dtype | {class_label: [names]}}");
	if (rc < 0)
		return rc;
	r->casts = calloc((size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start) + 1, sizeof(rc_cast));
	if (!r->casts)
		return hfds_error_set(c->err, HFDS_ENOMEM, "out of memory");
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
		rc_cast *ca = &r->casts[r->ncasts++];
		ca->pos = POS(k);
		if ((rc = str(c, k, &ca->column)) < 0)
			return rc;
		if (v->type == YAML_MAPPING_NODE) {
			yaml_node_pair_t *q = v->data.mapping.pairs.start;
			if (q + 1 != v->data.mapping.pairs.top || !is_key(node(c, q->key), "class_label"))
				return fail_at(c, v, "cast: expected {class_label: [names]} or {class_label: auto}");
			if ((rc = str(c, node(c, q->key), &ca->type)) < 0)
				return rc;
			yaml_node_t *names = node(c, q->value);
			if (names->type == YAML_SCALAR_NODE && !strcmp((const char *)names->data.scalar.value, "auto"))
				continue;
			if ((rc = str_list(c, names, &ca->names, &ca->nnames)) < 0)
				return rc;
		} else if ((rc = str(c, v, &ca->type)) < 0)
			return rc;
	}
	return 0;
}

static int parse_split(pctx *c, hfds_recipe *r, const yaml_node_t *n)
{
	yaml_node_pair_t *p;
	rc_split *s = &r->split;
	int rc = want(c, n, YAML_MAPPING_NODE, "splits: {by, file | values | hash}");
	if (rc < 0)
		return rc;
	s->pos = POS(n);
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
		if (is_key(k, "by"))
			rc = str(c, v, &s->by);
		else if (is_key(k, "file")) {
			s->mode = RC_SPLIT_FILE;
			s->file_pos = POS(v);
			rc = str(c, v, &s->file);
		} else if (is_key(k, "names"))
			rc = pairs(c, v, &s->names, &s->nnames);
		else if (is_key(k, "values")) {
			s->mode = RC_SPLIT_COLUMN;
			rc = pairs(c, v, &s->names, &s->nnames);
		} else if (is_key(k, "ratios")) {
			s->mode = RC_SPLIT_HASH;
			rc = pairs(c, v, &s->names, &s->nnames);
		} else if (is_key(k, "seed")) {
			char *t = NULL, *end;
			if ((rc = str(c, v, &t)) == 0) {
				errno = 0;
				s->seed = strtoull(t, &end, 10);
				if (errno || *end || !*t || *t == '-')
					rc = fail_at(c, v, "seed: expected an unsigned integer");
			}
			free(t);
		} else
			rc = unknown(c, k);
		if (rc < 0)
			return rc;
	}
	if (!s->by)
		return fail_at(c, n, "splits: 'by' (the column) is required");
	if (s->mode == RC_SPLIT_NONE)
		return fail_at(c, n, "splits: one of 'file', 'values' or 'ratios' is required");
	if (s->mode == RC_SPLIT_FILE && !s->names)
		return fail_at(c, n, "splits: 'file' needs 'names' (file key -> split name)");
	return 0;
}

static int parse_media(pctx *c, hfds_recipe *r, const yaml_node_t *n)
{
	yaml_node_item_t *it;
	void *mem = NULL;
	int rc = seq_alloc(c, n, "a list of media columns", sizeof(rc_media), &mem);
	if (rc < 0)
		return rc;
	r->media = mem;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *m = node(c, *it);
		rc_media *md = &r->media[r->nmedia++];
		yaml_node_pair_t *p;
		char *t = NULL;
		md->pos = POS(m);
		if ((rc = want(c, m, YAML_MAPPING_NODE, "a media column (name, from, type)")) < 0)
			return rc;
		for (p = m->data.mapping.pairs.start; rc == 0 && p < m->data.mapping.pairs.top; p++) {
			yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
			if (is_key(k, "name"))
				rc = str(c, v, &md->name);
			else if (is_key(k, "from"))
				rc = str(c, v, &md->from);
			else if (is_key(k, "base"))
				rc = str(c, v, &md->base);
			else if (is_key(k, "type")) {
				if ((rc = str(c, v, &t)) == 0) {
					if (!strcmp(t, "audio"))
						md->kind = RC_MEDIA_AUDIO;
					else if (!strcmp(t, "image"))
						md->kind = RC_MEDIA_IMAGE;
					else if (!strcmp(t, "binary"))
						md->kind = RC_MEDIA_BINARY;
					else
						rc = fail_at(c, v, "media type: expected audio, image or binary");
				}
			} else if (is_key(k, "on_missing")) {
				if ((rc = str(c, v, &t)) == 0) {
					md->on_missing_null = !strcmp(t, "null") || !*t;
					if (!md->on_missing_null && strcmp(t, "error"))
						rc = fail_at(c, v, "on_missing: expected error or null");
				}
			} else if (is_key(k, "sampling_rate")) {
				if ((rc = str(c, v, &t)) == 0) {
					char *end;
					md->sampling_rate = strtoll(t, &end, 10);
					if (*end || md->sampling_rate <= 0)
						rc = fail_at(c, v, "sampling_rate: expected a positive integer");
				}
			} else
				rc = unknown(c, k);
		}
		free(t);
		if (rc < 0)
			return rc;
		if (!md->name || !md->from)
			return fail_at(c, m, "media: 'name' and 'from' (the path column) are required");
	}
	return 0;
}

static int parse_configs(pctx *c, hfds_recipe *r, const yaml_node_t *n)
{
	yaml_node_item_t *it;
	void *mem = NULL;
	int rc = seq_alloc(c, n, "a list of configs", sizeof(rc_config), &mem);
	if (rc < 0)
		return rc;
	r->configs = mem;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *m = node(c, *it);
		rc_config *cf = &r->configs[r->nconfigs++];
		yaml_node_pair_t *p;
		cf->pos = POS(m);
		if ((rc = want(c, m, YAML_MAPPING_NODE, "a config (name, columns | drop, default)")) < 0)
			return rc;
		for (p = m->data.mapping.pairs.start; rc == 0 && p < m->data.mapping.pairs.top; p++) {
			yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
			if (is_key(k, "name"))
				rc = str(c, v, &cf->name);
			else if (is_key(k, "columns"))
				rc = str_list(c, v, &cf->columns, &cf->ncolumns);
			else if (is_key(k, "drop"))
				rc = str_list(c, v, &cf->drop, &cf->ndrop);
			else if (is_key(k, "default"))
				rc = boolean(c, v, "default", &cf->is_default);
			else
				rc = unknown(c, k);
		}
		if (rc < 0)
			return rc;
		if (!cf->name)
			return fail_at(c, m, "config: 'name' is required");
		if (hfds_ds_check_config(cf->name, c->err) < 0) {
			hfds_error_init(c->err);
			return fail_at(c, m, "config: invalid name (letters, digits, _ . -; not 'data')");
		}
	}
	return 0;
}

static int parse_card(pctx *c, hfds_recipe *r, const yaml_node_t *n)
{
	yaml_node_pair_t *p;
	int rc = want(c, n, YAML_MAPPING_NODE, "card: {body, license, pretty_name, tags, task_categories}");
	for (p = n->data.mapping.pairs.start; rc == 0 && p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
		if (is_key(k, "body"))
			rc = str(c, v, &r->card_body);
		else if (is_key(k, "license"))
			rc = str(c, v, &r->license);
		else if (is_key(k, "pretty_name"))
			rc = str(c, v, &r->pretty_name);
		else if (is_key(k, "tags"))
			rc = str_list(c, v, &r->tags, &r->ntags);
		else if (is_key(k, "task_categories"))
			rc = str_list(c, v, &r->task_categories, &r->ntask_categories);
		else
			rc = unknown(c, k);
	}
	return rc;
}

static int parse_aux(pctx *c, hfds_recipe *r, const yaml_node_t *n)
{
	yaml_node_item_t *it;
	void *mem = NULL;
	int rc = seq_alloc(c, n, "a list of {path, to}", sizeof(rc_pair), &mem);
	if (rc < 0)
		return rc;
	r->aux = mem;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *m = node(c, *it);
		rc_pair *a = &r->aux[r->naux++];
		yaml_node_pair_t *p;
		a->pos = POS(m);
		if ((rc = want(c, m, YAML_MAPPING_NODE, "an auxiliary file {path, to}")) < 0)
			return rc;
		for (p = m->data.mapping.pairs.start; rc == 0 && p < m->data.mapping.pairs.top; p++) {
			yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
			if (is_key(k, "path"))
				rc = str(c, v, &a->key);
			else if (is_key(k, "to"))
				rc = str(c, v, &a->value);
			else
				rc = unknown(c, k);
		}
		if (rc < 0)
			return rc;
		if (!a->key || !a->value)
			return fail_at(c, m, "auxiliary: 'path' and 'to' are required");
	}
	return 0;
}

/* A key given twice in one mapping is refused up front: which one wins would be a guess. */
static int no_duplicate_keys(pctx *c)
{
	for (yaml_node_t *n = c->doc.nodes.start; n < c->doc.nodes.top; n++) {
		yaml_node_pair_t *p, *q;
		if (n->type != YAML_MAPPING_NODE)
			continue;
		if (n->data.mapping.pairs.top - n->data.mapping.pairs.start > 10000)
			return fail_at(c, n, "a mapping of more than 10000 keys");
		for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
			for (q = n->data.mapping.pairs.start; q < p; q++) {
				yaml_node_t *a = node(c, p->key), *b = node(c, q->key);
				if (a->type == YAML_SCALAR_NODE && b->type == YAML_SCALAR_NODE &&
				    !strcmp((const char *)a->data.scalar.value, (const char *)b->data.scalar.value)) {
					char msg[200];
					snprintf(msg, sizeof(msg), "key '%.100s' given twice", (const char *)a->data.scalar.value);
					return fail_at(c, a, msg);
				}
			}
	}
	return 0;
}

static int parse_root(pctx *c, hfds_recipe *r)
{
	yaml_node_t *root = yaml_document_get_root_node(&c->doc);
	yaml_node_pair_t *p;
	size_t i;
	int rc, defaults = 0;
	if (!root)
		return hfds_error_set(c->err, HFDS_EPARSE, "%s:1:1: empty recipe", c->name);
	if ((rc = want(c, root, YAML_MAPPING_NODE, "a mapping (tables, splits, media, configs, ...)")) < 0 ||
	    (rc = no_duplicate_keys(c)) < 0)
		return rc;
	for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
		if (is_key(k, "tables"))
			rc = parse_tables(c, r, v);
		else if (is_key(k, "drop")) {
			r->drop_pos = POS(v);
			rc = str_list(c, v, &r->drop, &r->ndrop);
		} else if (is_key(k, "rename"))
			rc = pairs(c, v, &r->rename, &r->nrename);
		else if (is_key(k, "cast"))
			rc = parse_casts(c, r, v);
		else if (is_key(k, "splits"))
			rc = parse_split(c, r, v);
		else if (is_key(k, "media"))
			rc = parse_media(c, r, v);
		else if (is_key(k, "configs"))
			rc = parse_configs(c, r, v);
		else if (is_key(k, "auxiliary"))
			rc = parse_aux(c, r, v);
		else if (is_key(k, "card"))
			rc = parse_card(c, r, v);
		else if (is_key(k, "max_shard_size")) {
			if ((rc = want(c, v, YAML_SCALAR_NODE, "a size (\"1GB\")")) == 0 &&
			    hfds_ds_parse_size((const char *)v->data.scalar.value, &r->max_shard_size, c->err) < 0) {
				hfds_error_init(c->err);
				rc = fail_at(c, v, "max_shard_size: expected a size such as 500MB or 1GB");
			}
		} else
			rc = unknown(c, k);
		if (rc < 0)
			return rc;
	}
	if (!r->tables)
		return fail_at(c, root, "recipe: 'tables' is required");
	for (i = 0; i < r->nconfigs; i++)
		defaults += r->configs[i].is_default;
	if (defaults > 1)
		return fail_at(c, root, "configs: at most one config can be the default");
	return 0;
}

char *rc_resolve(const char *base_dir, const char *path)
{
	char *out = NULL;
	if (path[0] == '/' || !base_dir || !*base_dir)
		return hfds_strdup(path);
	if (asprintf(&out, "%s/%s", base_dir, path) < 0)
		return NULL;
	return out;
}

int hfds_recipe_parse(hfds_recipe **out, const char *text, size_t len, const char *name, const char *base_dir,
	hfds_error *err)
{
	yaml_parser_t parser;
	pctx c = { .name = name ? name : "recipe", .err = err };
	hfds_recipe *r = NULL;
	int rc = 0, have_doc = 0, have_parser = 0;
	*out = NULL;
	r = calloc(1, sizeof(*r));
	HFDS_FAIL_IF(!r, HFDS_ENOMEM, err, "out of memory");
	r->name = hfds_strdup(c.name);
	r->base_dir = hfds_strdup(base_dir ? base_dir : ".");
	HFDS_FAIL_IF(!r->name || !r->base_dir, HFDS_ENOMEM, err, "out of memory");
	r->max_shard_size = 500000000u;
	HFDS_FAIL_IF(!yaml_parser_initialize(&parser), HFDS_ENOMEM, err, "out of memory");
	have_parser = 1;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &c.doc))
		HFDS_FAIL(HFDS_EPARSE, err, "%s:%d:%d: YAML: %s", c.name, (int)parser.problem_mark.line + 1,
			(int)parser.problem_mark.column + 1, parser.problem ? parser.problem : "syntax error");
	have_doc = 1;
	HFDS_TRY(parse_root(&c, r));
	*out = r;
	r = NULL;
done:
	if (have_doc)
		yaml_document_delete(&c.doc);
	if (have_parser)
		yaml_parser_delete(&parser);
	hfds_recipe_free(r);
	return rc;
}

int rc_read_file(const char *path, size_t max, char **data, size_t *len, hfds_error *err)
{
	FILE *f = fopen(path, "rb");
	long n = 0;
	int rc = 0;
	*data = NULL;
	*len = 0;
	HFDS_FAIL_IF(!f, HFDS_EIO, err, "%s: cannot open: %s", path, strerror(errno));
	HFDS_FAIL_IF(fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0, HFDS_EIO, err,
		"%s: cannot seek (not a regular file?)", path);
	HFDS_FAIL_IF((unsigned long)n > max, HFDS_ELIMIT, err, "%s: %ld bytes, more than the %zu allowed", path, n, max);
	*data = malloc((size_t)n + 1);
	HFDS_FAIL_IF(!*data, HFDS_ENOMEM, err, "%s: out of memory for %ld bytes", path, n);
	HFDS_FAIL_IF(fread(*data, 1, (size_t)n, f) != (size_t)n, HFDS_EIO, err, "%s: short read", path);
	(*data)[n] = '\0';
	*len = (size_t)n;
done:
	if (f)
		fclose(f);
	if (rc < 0) {
		free(*data);
		*data = NULL;
	}
	return rc;
}

int hfds_recipe_load(hfds_recipe **out, const char *path, hfds_error *err)
{
	char *text = NULL, *dir = NULL, *slash;
	size_t len = 0;
	int rc = 0;
	*out = NULL;
	HFDS_TRY(rc_read_file(path, 16u << 20, &text, &len, err));
	dir = hfds_strdup(path);
	HFDS_FAIL_IF(!dir, HFDS_ENOMEM, err, "out of memory");
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	rc = hfds_recipe_parse(out, text, len, path, dir, err);
done:
	free(text);
	free(dir);
	return rc;
}

static void free_strs(char **s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		free(s[i]);
	free(s);
}

static void free_pairs(rc_pair *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++) {
		free(p[i].key);
		free(p[i].value);
	}
	free(p);
}

void hfds_recipe_free(hfds_recipe *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->ntables; i++) {
		free(r->tables[i].name);
		free(r->tables[i].path);
		free(r->tables[i].on);
	}
	free(r->tables);
	free_strs(r->drop, r->ndrop);
	free_pairs(r->rename, r->nrename);
	for (i = 0; i < r->ncasts; i++) {
		free(r->casts[i].column);
		free(r->casts[i].type);
		free_strs(r->casts[i].names, r->casts[i].nnames);
	}
	free(r->casts);
	free(r->split.by);
	free(r->split.file);
	free_pairs(r->split.names, r->split.nnames);
	for (i = 0; i < r->nmedia; i++) {
		free(r->media[i].name);
		free(r->media[i].from);
		free(r->media[i].base);
	}
	free(r->media);
	for (i = 0; i < r->nconfigs; i++) {
		free(r->configs[i].name);
		free_strs(r->configs[i].columns, r->configs[i].ncolumns);
		free_strs(r->configs[i].drop, r->configs[i].ndrop);
	}
	free(r->configs);
	free_pairs(r->aux, r->naux);
	free(r->card_body);
	free(r->license);
	free(r->pretty_name);
	free_strs(r->tags, r->ntags);
	free_strs(r->task_categories, r->ntask_categories);
	free(r->name);
	free(r->base_dir);
	free(r);
}
