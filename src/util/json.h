/*
 * JSON string literals, escaped as Python's json.dumps escapes them, so text hfds writes (the
 * `huggingface` metadata, dataset_info, canonical rows) matches Python byte for byte.
 *
 * Both modes escape '"' and '\\', use \n \r \t \b \f for those controls and \u00XX (lower-case
 * hex) for the other characters below 0x20; '/' is never escaped.
 * HFDS_JSON_UTF8 copies everything else as is, non-ASCII as UTF-8 (json.dumps(...,
 * ensure_ascii=False)); HFDS_JSON_ASCII writes 0x7f and every non-ASCII character as \uXXXX,
 * with surrogate pairs above U+FFFF (the json.dumps default, ensure_ascii=True).
 * Invalid UTF-8 is an error (HFDS_EPARSE naming the byte offset) in both modes: a Python str
 * cannot hold it. Thread-safe; allocates only by growing the caller's buffer.
 */
#ifndef HFDS_UTIL_JSON_H
#define HFDS_UTIL_JSON_H

#include <stddef.h>
#include "hfds/common.h"
#include "util/buf.h"

typedef enum hfds_json_mode {
	HFDS_JSON_UTF8 = 0,
	HFDS_JSON_ASCII = 1,
} hfds_json_mode;

/* Appends s[0..n) as a quoted JSON string. On error b may hold a partial literal. */
int hfds_json_append_string(hfds_buf *b, const char *s, size_t n, hfds_json_mode mode, hfds_error *err);

#endif
