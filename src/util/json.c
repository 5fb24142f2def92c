#include "util/json.h"

#include "util/try.h"
#include "util/utf8.h"

static const char HEX[] = "0123456789abcdef";

static int append_u(hfds_buf *b, uint32_t unit, hfds_error *err)
{
	char e[6] = { '\\', 'u', HEX[(unit >> 12) & 15], HEX[(unit >> 8) & 15], HEX[(unit >> 4) & 15], HEX[unit & 15] };
	return hfds_buf_append(b, e, sizeof(e), err);
}

int hfds_json_append_string(hfds_buf *b, const char *s, size_t n, hfds_json_mode mode, hfds_error *err)
{
	int rc = 0;
	const uint8_t *p = (const uint8_t *)s;
	size_t run = 0; /* start of the pending run of bytes that need no escaping */
	HFDS_TRY(hfds_buf_reserve(b, n + 2, err));
	HFDS_TRY(hfds_buf_append_byte(b, '"', err));
	size_t i = 0;
	while (i < n) {
		uint8_t c = p[i];
		if (c >= 0x20 && c != '"' && c != '\\' && (c < 0x7f || (c == 0x7f && mode == HFDS_JSON_UTF8))) {
			i++;
			continue;
		}
		uint32_t cp = c;
		size_t len = 1;
		if (c >= 0x80) {
			len = hfds_utf8_decode(p + i, n - i, &cp);
			HFDS_FAIL_IF(len == 0, HFDS_EPARSE, err, "json: offset %zu: invalid utf-8", i);
			if (mode == HFDS_JSON_UTF8) {
				i += len;
				continue;
			}
		}
		HFDS_TRY(hfds_buf_append(b, p + run, i - run, err));
		const char *esc = NULL;
		switch (cp) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		default: break;
		}
		if (esc) {
			HFDS_TRY(hfds_buf_append(b, esc, 2, err));
		} else if (cp >= 0x10000) {
			uint32_t v = cp - 0x10000;
			HFDS_TRY(append_u(b, 0xd800 | (v >> 10), err));
			HFDS_TRY(append_u(b, 0xdc00 | (v & 0x3ff), err));
		} else {
			HFDS_TRY(append_u(b, cp, err));
		}
		i += len;
		run = i;
	}
	HFDS_TRY(hfds_buf_append(b, p + run, n - run, err));
	HFDS_TRY(hfds_buf_append_byte(b, '"', err));
done:
	return rc;
}
