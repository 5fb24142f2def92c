/*
 * libyaml events -> jansson values, and jansson values -> PyYAML-compatible block YAML.
 * Scalar resolution and the plain/quoted decision follow PyYAML (resolver.py and
 * emitter.py analyze_scalar/choose_scalar_style) because the Hub and `datasets` read the
 * card with PyYAML: a string that PyYAML would re-type (numbers, booleans, null, dates)
 * must be quoted, and anything quoted must come back as a string.
 */
#include "dataset/card_yaml.h"

#include <ctype.h>
#include <errno.h>
#include <strings.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util/alloc.h"
#include "util/clocale.h"
#include "util/try.h"

#define MAX_DEPTH 64
#define MAX_CARD_YAML (16u << 20)
/* Nodes of the document with every alias expanded. Aliases share the anchored tree, so a
 * "billion laughs" parses small and only explodes later (printing, merging); counting the
 * expansion refuses it where the offending alias is. */
#define MAX_EXPANDED_NODES (1u << 20)

enum kind { K_STR, K_NULL, K_BOOL, K_INT, K_FLOAT, K_TIMESTAMP, K_OTHER };

static int is_one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

/* [0-9_]* starting at s[*i] */
static void skip_digits_us(const char *s, size_t *i, const char *digits)
{
	while (s[*i] && (strchr(digits, s[*i]) || s[*i] == '_'))
		(*i)++;
}

static int match_int(const char *s)
{
	size_t i = 0;
	if (s[i] == '-' || s[i] == '+')
		i++;
	if (!s[i])
		return 0;
	if (s[i] == '0' && s[i + 1] == 'b') {
		i += 2;
		if (!s[i])
			return 0;
		skip_digits_us(s, &i, "01");
		return !s[i];
	}
	if (s[i] == '0' && s[i + 1] == 'x') {
		i += 2;
		if (!s[i])
			return 0;
		skip_digits_us(s, &i, "0123456789abcdefABCDEF");
		return !s[i];
	}
	if (s[i] == '0') {
		i++;
		if (!s[i])
			return 1;
		skip_digits_us(s, &i, "01234567");
		return !s[i];
	}
	if (s[i] < '1' || s[i] > '9')
		return 0;
	i++;
	skip_digits_us(s, &i, "0123456789");
	if (!s[i])
		return 1;
	/* sexagesimal: (:[0-5]?[0-9])+ */
	while (s[i] == ':') {
		i++;
		if (s[i] >= '0' && s[i] <= '5' && isdigit((unsigned char)s[i + 1]))
			i += 2;
		else if (isdigit((unsigned char)s[i]))
			i++;
		else
			return 0;
	}
	return !s[i];
}

static int match_exp(const char *s, size_t *i)
{
	if (s[*i] != 'e' && s[*i] != 'E')
		return 1;
	(*i)++;
	if (s[*i] != '-' && s[*i] != '+')
		return 0;
	(*i)++;
	if (!isdigit((unsigned char)s[*i]))
		return 0;
	while (isdigit((unsigned char)s[*i]))
		(*i)++;
	return 1;
}

static int match_float(const char *s)
{
	static const char *const nan_inf[] = {".nan", ".NaN", ".NAN", NULL};
	size_t i = 0;
	if (is_one_of(s, nan_inf))
		return 1;
	if (s[i] == '-' || s[i] == '+')
		i++;
	if (!strcmp(s + i, ".inf") || !strcmp(s + i, ".Inf") || !strcmp(s + i, ".INF"))
		return 1;
	if (s[i] == '.') {
		/* \.[0-9_]+ (no sign allowed by PyYAML's regex) */
		if (i != 0)
			return 0;
		i++;
		if (!(isdigit((unsigned char)s[i]) || s[i] == '_'))
			return 0;
		skip_digits_us(s, &i, "0123456789");
		return match_exp(s, &i) && !s[i];
	}
	if (!isdigit((unsigned char)s[i]))
		return 0;
	skip_digits_us(s, &i, "0123456789");
	if (s[i] == '.') {
		i++;
		skip_digits_us(s, &i, "0123456789");
		return match_exp(s, &i) && !s[i];
	}
	if (s[i] != ':')
		return 0;
	while (s[i] == ':') {
		i++;
		if (s[i] >= '0' && s[i] <= '5' && isdigit((unsigned char)s[i + 1]))
			i += 2;
		else if (isdigit((unsigned char)s[i]))
			i++;
		else
			return 0;
	}
	if (s[i] != '.')
		return 0;
	i++;
	skip_digits_us(s, &i, "0123456789");
	return !s[i];
}

static int match_timestamp(const char *s)
{
	/* [0-9]{4}-[0-9]{1,2}-[0-9]{1,2} ... : PyYAML's first-character check plus the date
	 * prefix is enough to decide that the scalar would not stay a string. */
	int k;
	for (k = 0; k < 4; k++)
		if (!isdigit((unsigned char)s[k]))
			return 0;
	if (s[4] != '-' || !isdigit((unsigned char)s[5]))
		return 0;
	k = isdigit((unsigned char)s[6]) ? 7 : 6;
	if (s[k] != '-' || !isdigit((unsigned char)s[k + 1]))
		return 0;
	k += isdigit((unsigned char)s[k + 2]) ? 3 : 2;
	return s[k] == '\0' || s[k] == 'T' || s[k] == 't' || s[k] == ' ' || s[k] == '\t';
}

static enum kind resolve_plain(const char *s)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
	static const char *const bools[] = {"yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE",
		"false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", NULL};
	if (is_one_of(s, nulls))
		return K_NULL;
	if (is_one_of(s, bools))
		return K_BOOL;
	if (match_int(s))
		return K_INT;
	if (match_float(s))
		return K_FLOAT;
	if (match_timestamp(s))
		return K_TIMESTAMP;
	if (!strcmp(s, "=") || !strcmp(s, "<<"))
		return K_OTHER;
	return K_STR;
}

static json_t *int_value(const char *text)
{
	char digits[128];
	size_t i = 0, n = 0;
	int neg = 0, base = 10;
	long long v;
	char *end;
	if (text[i] == '-' || text[i] == '+')
		neg = text[i++] == '-';
	if (strchr(text, ':')) {
		/* base 60: 1:30 = 90 */
		long long acc = 0;
		const char *p = text + i;
		while (*p) {
			long long part = strtoll(p, &end, 10);
			if (__builtin_mul_overflow(acc, 60, &acc) || __builtin_add_overflow(acc, part, &acc))
				return NULL;
			p = *end == ':' ? end + 1 : end;
			if (end == p && *p)
				return NULL;
		}
		return json_integer(neg ? -acc : acc);
	}
	if (text[i] == '0' && text[i + 1] == 'b')
		base = 2, i += 2;
	else if (text[i] == '0' && text[i + 1] == 'x')
		base = 16, i += 2;
	else if (text[i] == '0' && text[i + 1])
		base = 8, i++;
	for (; text[i] && n + 1 < sizeof(digits); i++)
		if (text[i] != '_')
			digits[n++] = text[i];
	if (text[i])
		return NULL;
	digits[n] = '\0';
	errno = 0;
	v = strtoll(digits, &end, base);
	if (errno || *end)
		return NULL;
	return json_integer(neg ? -v : v);
}

static json_t *float_value(const char *text)
{
	char buf[128];
	size_t i, n = 0;
	const char *t = text;
	int neg = 0;
	if (*t == '-' || *t == '+')
		neg = *t++ == '-';
	if (!strcasecmp(t, ".inf"))
		return json_real(neg ? -INFINITY : INFINITY);
	if (!strcasecmp(t, ".nan"))
		return json_real(NAN);
	if (strchr(t, ':'))
		return NULL;
	for (i = 0; t[i] && n + 1 < sizeof(buf); i++)
		if (t[i] != '_')
			buf[n++] = t[i];
	buf[n] = '\0';
	return json_real(neg ? -hfds_strtod_c(buf, NULL) : hfds_strtod_c(buf, NULL));
}

static json_t *scalar_value(const yaml_event_t *ev)
{
	const char *text = (const char *)ev->data.scalar.value;
	const char *tag = (const char *)ev->data.scalar.tag;
	json_t *v = NULL;
	if (tag && !strcmp(tag, YAML_STR_TAG))
		return json_stringn(text, ev->data.scalar.length);
	if (!ev->data.scalar.plain_implicit && !tag)
		return json_stringn(text, ev->data.scalar.length);
	if (strlen(text) != ev->data.scalar.length)
		return json_stringn(text, ev->data.scalar.length);
	switch (resolve_plain(text)) {
	case K_NULL:
		return json_null();
	case K_BOOL:
		return json_boolean(strchr("yYtToO", text[0]) && strcasecmp(text, "off") != 0);
	case K_INT:
		v = int_value(text);
		break;
	case K_FLOAT:
		v = float_value(text);
		break;
	default:
		break;
	}
	return v ? v : json_stringn(text, ev->data.scalar.length);
}

typedef struct {
	yaml_parser_t parser;
	const char *what;
	int first_line;
	json_t *anchors;
	json_t *weights;        /* anchor -> nodes of its tree, aliases expanded */
	uint64_t nodes;         /* nodes so far, aliases expanded */
	hfds_error *err;
} parse_ctx;

static int parse_fail(parse_ctx *c)
{
	yaml_parser_t *p = &c->parser;
	if (p->error == YAML_MEMORY_ERROR)
		return hfds_error_set(c->err, HFDS_ENOMEM, "out of memory");
	return hfds_error_set(c->err, HFDS_EPARSE, "%s:%d:%d: invalid YAML: %s%s%s", c->what,
		(int)p->problem_mark.line + c->first_line, (int)p->problem_mark.column + 1,
		p->problem ? p->problem : "syntax error", p->context ? " " : "", p->context ? p->context : "");
}

static int next_event(parse_ctx *c, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&c->parser, ev))
		return parse_fail(c);
	return 0;
}

static int parse_node(parse_ctx *c, yaml_event_t *ev, int depth, json_t **out);

static int mark_error(parse_ctx *c, const yaml_event_t *ev, int code, const char *msg)
{
	return hfds_error_set(c->err, code, "%s:%d:%d: %s", c->what, (int)ev->start_mark.line + c->first_line,
		(int)ev->start_mark.column + 1, msg);
}

/* `first_node` is c->nodes before the anchored node began: its weight is what it added. */
static int remember_anchor(parse_ctx *c, const yaml_char_t *anchor, json_t *v, uint64_t first_node)
{
	if (anchor && (json_object_set(c->anchors, (const char *)anchor, v) < 0 ||
		       json_object_set_new(c->weights, (const char *)anchor,
					   json_integer((json_int_t)(c->nodes - first_node))) < 0))
		return hfds_error_set(c->err, HFDS_ENOMEM, "out of memory");
	return 0;
}

static int parse_mapping(parse_ctx *c, int depth, json_t *obj)
{
	int rc = 0;
	yaml_event_t kev, vev;
	json_t *val = NULL;
	for (;;) {
		char keybuf[64];
		const char *key;
		HFDS_TRY(next_event(c, &kev));
		if (kev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&kev);
			return 0;
		}
		if (kev.type != YAML_SCALAR_EVENT) {
			rc = mark_error(c, &kev, HFDS_EUNSUPPORTED, "only scalar mapping keys are supported");
			yaml_event_delete(&kev);
			goto done;
		}
		key = (const char *)kev.data.scalar.value;
		if (strlen(key) != kev.data.scalar.length) {
			rc = mark_error(c, &kev, HFDS_EPARSE, "NUL character in a mapping key");
			yaml_event_delete(&kev);
			goto done;
		}
		if (kev.data.scalar.plain_implicit && resolve_plain(key) == K_NULL) {
			snprintf(keybuf, sizeof(keybuf), "null");
			key = keybuf;
		}
		rc = next_event(c, &vev);
		if (rc < 0) {
			yaml_event_delete(&kev);
			goto done;
		}
		rc = parse_node(c, &vev, depth + 1, &val);
		if (rc == 0 && json_object_set_new(obj, key, val) < 0)
			rc = hfds_error_set(c->err, HFDS_ENOMEM, "out of memory");
		val = NULL;
		yaml_event_delete(&kev);
		if (rc < 0)
			goto done;
	}
done:
	return rc;
}

static int parse_sequence(parse_ctx *c, int depth, json_t *arr)
{
	int rc = 0;
	yaml_event_t ev;
	json_t *val = NULL;
	for (;;) {
		HFDS_TRY(next_event(c, &ev));
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		HFDS_TRY(parse_node(c, &ev, depth + 1, &val));
		if (json_array_append_new(arr, val) < 0)
			HFDS_FAIL(HFDS_ENOMEM, c->err, "out of memory");
	}
done:
	return rc;
}

/* Consumes `ev` (deletes it) and the events of the node it starts. */
static int parse_node(parse_ctx *c, yaml_event_t *ev, int depth, json_t **out)
{
	int rc = 0;
	json_t *v = NULL;
	uint64_t first_node = c->nodes++;
	*out = NULL;
	if (depth > MAX_DEPTH) {
		rc = mark_error(c, ev, HFDS_ELIMIT, "nesting deeper than 64 levels");
		goto done;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		v = scalar_value(ev);
		if (!v)
			HFDS_FAIL(HFDS_ENOMEM, c->err, "out of memory");
		HFDS_TRY(remember_anchor(c, ev->data.scalar.anchor, v, first_node));
		break;
	case YAML_ALIAS_EVENT:
		v = json_object_get(c->anchors, (const char *)ev->data.alias.anchor);
		if (!v) {
			rc = mark_error(c, ev, HFDS_EPARSE, "alias to an unknown anchor");
			goto done;
		}
		c->nodes += (uint64_t)json_integer_value(json_object_get(c->weights, (const char *)ev->data.alias.anchor)) - 1;
		if (c->nodes > MAX_EXPANDED_NODES) {
			char msg[200];
			snprintf(msg, sizeof(msg), "alias '*%.64s' expands the YAML to more than %u nodes (an alias bomb?)",
				 (const char *)ev->data.alias.anchor, MAX_EXPANDED_NODES);
			rc = mark_error(c, ev, HFDS_ELIMIT, msg);
			v = NULL;
			goto done;
		}
		json_incref(v);
		break;
	case YAML_MAPPING_START_EVENT:
		v = json_object();
		if (!v)
			HFDS_FAIL(HFDS_ENOMEM, c->err, "out of memory");
		HFDS_TRY(parse_mapping(c, depth, v));
		HFDS_TRY(remember_anchor(c, ev->data.mapping_start.anchor, v, first_node));
		break;
	case YAML_SEQUENCE_START_EVENT:
		v = json_array();
		if (!v)
			HFDS_FAIL(HFDS_ENOMEM, c->err, "out of memory");
		HFDS_TRY(parse_sequence(c, depth, v));
		HFDS_TRY(remember_anchor(c, ev->data.sequence_start.anchor, v, first_node));
		break;
	default:
		rc = mark_error(c, ev, HFDS_EPARSE, "unexpected YAML event");
		goto done;
	}
	*out = v;
	v = NULL;
done:
	json_decref(v);
	yaml_event_delete(ev);
	return rc;
}

int hfds_card__yaml_parse(json_t **out, const char *text, size_t len, const char *what, int first_line,
	hfds_error *err)
{
	int rc = 0, parser_ok = 0;
	parse_ctx c;
	yaml_event_t ev;
	json_t *doc = NULL;
	memset(&c, 0, sizeof(c));
	*out = NULL;
	c.what = what;
	c.first_line = first_line;
	c.err = err;
	HFDS_FAIL_IF(len > MAX_CARD_YAML, HFDS_ELIMIT, err, "%s: YAML front matter larger than %u bytes", what,
		MAX_CARD_YAML);
	c.anchors = json_object();
	c.weights = json_object();
	HFDS_FAIL_IF(!c.anchors || !c.weights || !yaml_parser_initialize(&c.parser), HFDS_ENOMEM, err, "out of memory");
	parser_ok = 1;
	yaml_parser_set_input_string(&c.parser, (const unsigned char *)text, len);
	HFDS_TRY(next_event(&c, &ev)); /* stream start */
	yaml_event_delete(&ev);
	HFDS_TRY(next_event(&c, &ev));
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		doc = json_object();
		HFDS_FAIL_IF(!doc, HFDS_ENOMEM, err, "out of memory");
		goto finish;
	}
	yaml_event_delete(&ev); /* document start */
	HFDS_TRY(next_event(&c, &ev));
	HFDS_TRY(parse_node(&c, &ev, 0, &doc));
	HFDS_TRY(next_event(&c, &ev)); /* document end */
	yaml_event_delete(&ev);
	HFDS_TRY(next_event(&c, &ev));
	if (ev.type != YAML_STREAM_END_EVENT) {
		rc = mark_error(&c, &ev, HFDS_EPARSE, "more than one YAML document");
		yaml_event_delete(&ev);
		goto done;
	}
	yaml_event_delete(&ev);
	if (json_is_null(doc)) {
		json_decref(doc);
		doc = json_object();
		HFDS_FAIL_IF(!doc, HFDS_ENOMEM, err, "out of memory");
	}
	HFDS_FAIL_IF(!json_is_object(doc), HFDS_EPARSE, err, "%s:%d: the YAML front matter must be a mapping",
		what, first_line);
finish:
	*out = doc;
	doc = NULL;
done:
	json_decref(doc);
	json_decref(c.anchors);
	json_decref(c.weights);
	if (parser_ok)
		yaml_parser_delete(&c.parser);
	return rc;
}

/* ---- emitting ---- */

static size_t utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t k, need;
	uint32_t v;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0)
		need = 2, v = c & 0x1f;
	else if ((c & 0xf0) == 0xe0)
		need = 3, v = c & 0x0f;
	else if ((c & 0xf8) == 0xf0)
		need = 4, v = c & 0x07;
	else
		return 0;
	if (need > n)
		return 0;
	for (k = 1; k < need; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[k] & 0x3f);
	}
	*cp = v;
	return need;
}

static int is_break(uint32_t c)
{
	return c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 || c == 0x2029;
}

static int is_printable(uint32_t c)
{
	return c == '\n' || (c >= 0x20 && c <= 0x7e) || c == 0x85 || (c >= 0xa0 && c <= 0xd7ff) ||
		(c >= 0xe000 && c <= 0xfffd && c != 0xfeff) || (c >= 0x10000 && c < 0x10ffff);
}

enum style { ST_PLAIN, ST_SINGLE, ST_DOUBLE };

/* PyYAML's analyze_scalar + choose_scalar_style for a block-context value or simple key. */
static enum style choose_style(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, step;
	int block_ind = 0, special = 0, breaks = 0, lead_space = 0, trail_space = 0;
	int preceded_ws = 1, prev_space = 0;
	uint32_t c, next = 0;
	if (n == 0 || strlen(s) != n)
		return n == 0 ? ST_SINGLE : ST_DOUBLE;
	if ((n >= 3 && (!strncmp(s, "---", 3) || !strncmp(s, "...", 3))))
		block_ind = 1;
	while (i < n) {
		int followed_ws;
		step = utf8_len(u + i, n - i, &c);
		if (!step)
			return ST_DOUBLE;
		if (i + step < n) {
			if (!utf8_len(u + i + step, n - i - step, &next))
				return ST_DOUBLE;
		}
		followed_ws = i + step >= n || next == ' ' || next == '\t' || is_break(next);
		if (i == 0) {
			if (strchr("#,[]{}&*!|>'\"%@`", (int)c) && c)
				block_ind = 1;
			if ((c == '?' || c == ':') && followed_ws)
				block_ind = 1;
			if (c == '-' && followed_ws)
				block_ind = 1;
		} else {
			if (c == ':' && followed_ws)
				block_ind = 1;
			if (c == '#' && preceded_ws)
				block_ind = 1;
		}
		if (!is_printable(c) && !is_break(c))
			special = 1;
		if (is_break(c))
			breaks = 1;
		if (c == ' ') {
			if (i == 0)
				lead_space = 1;
			if (i + step >= n)
				trail_space = 1;
		}
		prev_space = c == ' ';
		preceded_ws = c == ' ' || c == '\t' || is_break(c) || c == 0;
		i += step;
	}
	(void)prev_space;
	if (special || breaks || u[0] == '\t' || u[n - 1] == '\t')
		return ST_DOUBLE;
	if (block_ind || lead_space || trail_space || resolve_plain(s) != K_STR)
		return ST_SINGLE;
	return ST_PLAIN;
}

int hfds_card__yaml_scalar(hfds_buf *out, const char *s, size_t len, hfds_error *err)
{
	int rc = 0;
	size_t i;
	switch (choose_style(s, len)) {
	case ST_PLAIN:
		return hfds_buf_append(out, s, len, err);
	case ST_SINGLE:
		HFDS_TRY(hfds_buf_append_byte(out, '\'', err));
		for (i = 0; i < len; i++) {
			if (s[i] == '\'')
				HFDS_TRY(hfds_buf_append_byte(out, '\'', err));
			HFDS_TRY(hfds_buf_append_byte(out, (uint8_t)s[i], err));
		}
		return hfds_buf_append_byte(out, '\'', err);
	case ST_DOUBLE:
		HFDS_TRY(hfds_buf_append_byte(out, '"', err));
		for (i = 0; i < len;) {
			unsigned char c = (unsigned char)s[i];
			const char *esc = NULL;
			uint32_t cp;
			size_t step;
			switch (c) {
			case '\0': esc = "\\0"; break;
			case '\a': esc = "\\a"; break;
			case '\b': esc = "\\b"; break;
			case '\t': esc = "\\t"; break;
			case '\n': esc = "\\n"; break;
			case '\v': esc = "\\v"; break;
			case '\f': esc = "\\f"; break;
			case '\r': esc = "\\r"; break;
			case 0x1b: esc = "\\e"; break;
			case '"': esc = "\\\""; break;
			case '\\': esc = "\\\\"; break;
			default: break;
			}
			if (esc) {
				HFDS_TRY(hfds_buf_append_str(out, esc, err));
				i++;
				continue;
			}
			step = utf8_len((const unsigned char *)s + i, len - i, &cp);
			if (step == 0) {
				/* not UTF-8 (libyaml never produces this): keep the byte visible */
				HFDS_TRY(hfds_buf_printf(out, err, "\\x%02X", c));
				i++;
				continue;
			}
			/* PyYAML's escapes: \N \L \P for the Unicode line breaks (they would be read
			 * as breaks), \xXX / \uXXXX / \UXXXXXXXX for what YAML does not print */
			if (cp == 0x85)
				HFDS_TRY(hfds_buf_append_str(out, "\\N", err));
			else if (cp == 0x2028)
				HFDS_TRY(hfds_buf_append_str(out, "\\L", err));
			else if (cp == 0x2029)
				HFDS_TRY(hfds_buf_append_str(out, "\\P", err));
			else if (is_printable(cp))
				HFDS_TRY(hfds_buf_append(out, s + i, step, err));
			else if (cp <= 0xff)
				HFDS_TRY(hfds_buf_printf(out, err, "\\x%02X", (unsigned)cp));
			else if (cp <= 0xffff)
				HFDS_TRY(hfds_buf_printf(out, err, "\\u%04X", (unsigned)cp));
			else
				HFDS_TRY(hfds_buf_printf(out, err, "\\U%08X", (unsigned)cp));
			i += step;
		}
		return hfds_buf_append_byte(out, '"', err);
	}
done:
	return rc;
}

/* Python repr(float), then PyYAML's tweak ("1e+16" -> "1.0e+16"). */
static int emit_real(hfds_buf *out, double d, hfds_error *err)
{
	char digits[40], buf[64];
	int prec, exp10, nd, k;
	char *e;
	int rc = 0;
	if (isnan(d))
		return hfds_buf_append_str(out, ".nan", err);
	if (isinf(d))
		return hfds_buf_append_str(out, d > 0 ? ".inf" : "-.inf", err);
	for (prec = 1; prec <= 17; prec++) {
		hfds_snprintf_c(buf, sizeof(buf), "%.*e", prec - 1, d);
		if (hfds_strtod_c(buf, NULL) == d)
			break;
	}
	e = strchr(buf, 'e');
	exp10 = atoi(e + 1);
	nd = 0;
	for (k = 0; buf + k < e; k++)
		if (isdigit((unsigned char)buf[k]))
			digits[nd++] = buf[k];
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	if (signbit(d))
		HFDS_TRY(hfds_buf_append_byte(out, '-', err));
	if (exp10 >= -5 && exp10 < 16) {
		if (exp10 < 0) {
			HFDS_TRY(hfds_buf_append_str(out, "0.", err));
			for (k = 0; k < -exp10 - 1; k++)
				HFDS_TRY(hfds_buf_append_byte(out, '0', err));
			return hfds_buf_append_str(out, digits, err);
		}
		for (k = 0; k <= exp10; k++)
			HFDS_TRY(hfds_buf_append_byte(out, k < nd ? (uint8_t)digits[k] : '0', err));
		HFDS_TRY(hfds_buf_append_byte(out, '.', err));
		if (exp10 + 1 >= nd)
			return hfds_buf_append_byte(out, '0', err);
		return hfds_buf_append_str(out, digits + exp10 + 1, err);
	}
	HFDS_TRY(hfds_buf_append_byte(out, (uint8_t)digits[0], err));
	HFDS_TRY(hfds_buf_append_byte(out, '.', err));
	HFDS_TRY(hfds_buf_append_str(out, nd > 1 ? digits + 1 : "0", err));
	return hfds_buf_printf(out, err, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
done:
	return rc;
}

static int emit_scalar(hfds_buf *out, const json_t *v, hfds_error *err)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return hfds_card__yaml_scalar(out, json_string_value(v), json_string_length(v), err);
	case JSON_INTEGER:
		return hfds_buf_printf(out, err, "%lld", (long long)json_integer_value(v));
	case JSON_REAL:
		return emit_real(out, json_real_value(v), err);
	case JSON_TRUE:
		return hfds_buf_append_str(out, "true", err);
	case JSON_FALSE:
		return hfds_buf_append_str(out, "false", err);
	case JSON_NULL:
		return hfds_buf_append_str(out, "null", err);
	case JSON_OBJECT:
		return hfds_buf_append_str(out, "{}", err);
	case JSON_ARRAY:
		return hfds_buf_append_str(out, "[]", err);
	}
	return 0;
}

static int is_block(const json_t *v)
{
	return (json_is_object(v) && json_object_size(v) > 0) || (json_is_array(v) && json_array_size(v) > 0);
}

static int indent_to(hfds_buf *out, int n, hfds_error *err)
{
	int rc = 0;
	while (n-- > 0)
		HFDS_TRY(hfds_buf_append_byte(out, ' ', err));
done:
	return rc;
}

static int emit_seq(hfds_buf *out, const json_t *arr, int indent, int inline_first, int depth, hfds_error *err);
static int emit_map(hfds_buf *out, const json_t *obj, int indent, int inline_first, int depth,
	hfds_error *err);

static int emit_value_after_key(hfds_buf *out, const json_t *v, int indent, int depth, hfds_error *err)
{
	int rc = 0;
	if (!is_block(v)) {
		HFDS_TRY(hfds_buf_append_byte(out, ' ', err));
		HFDS_TRY(emit_scalar(out, v, err));
		return hfds_buf_append_byte(out, '\n', err);
	}
	HFDS_TRY(hfds_buf_append_byte(out, '\n', err));
	if (json_is_object(v))
		return emit_map(out, v, indent + 2, 0, depth + 1, err);
	return emit_seq(out, v, indent, 0, depth + 1, err);
done:
	return rc;
}

static int emit_map(hfds_buf *out, const json_t *obj, int indent, int inline_first, int depth,
	hfds_error *err)
{
	int rc = 0, first = 1;
	const char *key;
	json_t *v;
	HFDS_FAIL_IF(depth > MAX_DEPTH, HFDS_ELIMIT, err, "card YAML nested deeper than %d levels", MAX_DEPTH);
	json_object_foreach((json_t *)obj, key, v) {
		if (!(first && inline_first))
			HFDS_TRY(indent_to(out, indent, err));
		first = 0;
		if (strlen(key) >= 128 || strpbrk(key, "\n\r")) {
			/* too long or multi-line for a simple key (PyYAML's rule): explicit "? key" */
			HFDS_TRY(hfds_buf_append_str(out, "? ", err));
			HFDS_TRY(hfds_card__yaml_scalar(out, key, strlen(key), err));
			HFDS_TRY(hfds_buf_append_byte(out, '\n', err));
			HFDS_TRY(indent_to(out, indent, err));
		} else {
			HFDS_TRY(hfds_card__yaml_scalar(out, key, strlen(key), err));
		}
		HFDS_TRY(hfds_buf_append_byte(out, ':', err));
		HFDS_TRY(emit_value_after_key(out, v, indent, depth, err));
	}
done:
	return rc;
}

static int emit_seq(hfds_buf *out, const json_t *arr, int indent, int inline_first, int depth, hfds_error *err)
{
	int rc = 0;
	size_t i;
	json_t *v;
	HFDS_FAIL_IF(depth > MAX_DEPTH, HFDS_ELIMIT, err, "card YAML nested deeper than %d levels", MAX_DEPTH);
	json_array_foreach(arr, i, v) {
		if (!(i == 0 && inline_first))
			HFDS_TRY(indent_to(out, indent, err));
		HFDS_TRY(hfds_buf_append_str(out, "- ", err));
		if (!is_block(v)) {
			HFDS_TRY(emit_scalar(out, v, err));
			HFDS_TRY(hfds_buf_append_byte(out, '\n', err));
		} else if (json_is_object(v)) {
			HFDS_TRY(emit_map(out, v, indent + 2, 1, depth + 1, err));
		} else {
			HFDS_TRY(emit_seq(out, v, indent + 2, 1, depth + 1, err));
		}
	}
done:
	return rc;
}

int hfds_card__yaml_emit(hfds_buf *out, const json_t *doc, hfds_error *err)
{
	int rc = 0;
	size_t start = out->len;
	if (!is_block(doc)) {
		HFDS_TRY(emit_scalar(out, doc, err));
	} else if (json_is_object(doc)) {
		HFDS_TRY(emit_map(out, doc, 0, 0, 0, err));
	} else {
		HFDS_TRY(emit_seq(out, doc, 0, 0, 0, err));
	}
	while (out->len > start && out->data[out->len - 1] == '\n')
		out->len--;
done:
	return rc;
}
