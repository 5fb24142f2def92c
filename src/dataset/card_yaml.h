/*
 * YAML for the dataset card front matter, with JSON values (jansson) as the document model:
 * mappings are objects (key order kept), sequences arrays, scalars resolved the way
 * PyYAML's SafeLoader resolves them (YAML 1.1: null, bool, int, float, else string).
 * The emitter writes what huggingface_hub's yaml.dump(sort_keys=False, allow_unicode=True)
 * writes: block style, 2-space indent, sequences inside mappings not indented, PyYAML's
 * scalar quoting. Text it emits reads back (PyYAML or hfds) to the same structure.
 */
#ifndef HFDS_DATASET_CARD_YAML_H
#define HFDS_DATASET_CARD_YAML_H

#include <jansson.h>
#include <stddef.h>

#include "hfds/common.h"
#include "util/buf.h"

/* Parses one YAML document into *out (a new reference). An empty document gives an empty
 * object. `first_line` is the line number of the text's first line in the file, so errors
 * name file lines: "<what>:<line>:<col>: <problem>". HFDS_EPARSE on invalid YAML,
 * HFDS_ELIMIT when nesting or size exceeds the limits. */
int hfds_card__yaml_parse(json_t **out, const char *text, size_t len, const char *what, int first_line,
	hfds_error *err);

/* Appends the block-style dump of `doc` (no trailing newline, like huggingface_hub). */
int hfds_card__yaml_emit(hfds_buf *out, const json_t *doc, hfds_error *err);

/* Appends one scalar string as PyYAML would write it (plain, 'single' or "double" quoted). */
int hfds_card__yaml_scalar(hfds_buf *out, const char *s, size_t len, hfds_error *err);

#endif
