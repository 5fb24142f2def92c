#include "util/base64.h"

#include <string.h>

#include "util/try.h"

static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t hfds_base64_encoded_len(size_t n)
{
	size_t groups = n / 3 + (n % 3 != 0);
	return groups > SIZE_MAX / 4 ? 0 : groups * 4;
}

void hfds_base64_encode(char *out, const void *data, size_t n)
{
	const uint8_t *p = data;
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*out++ = ALPHABET[v >> 18];
		*out++ = ALPHABET[(v >> 12) & 63];
		*out++ = ALPHABET[(v >> 6) & 63];
		*out++ = ALPHABET[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;
		*out++ = ALPHABET[v >> 18];
		*out++ = ALPHABET[(v >> 12) & 63];
		*out++ = '=';
		*out++ = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		*out++ = ALPHABET[v >> 18];
		*out++ = ALPHABET[(v >> 12) & 63];
		*out++ = ALPHABET[(v >> 6) & 63];
		*out++ = '=';
	}
}

int hfds_base64_append(hfds_buf *b, const void *data, size_t n, hfds_error *err)
{
	int rc = 0;
	size_t len = hfds_base64_encoded_len(n);
	if (n == 0)
		return 0;
	HFDS_FAIL_IF(len == 0, HFDS_ELIMIT, err, "base64: input of %zu bytes is too large", n);
	HFDS_TRY(hfds_buf_reserve(b, len, err));
	hfds_base64_encode((char *)b->data + b->len, data, n);
	b->len += len;
done:
	return rc;
}

static int decode_char(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int hfds_base64_decode(hfds_buf *out, const char *text, size_t n, hfds_error *err)
{
	int rc = 0;
	HFDS_FAIL_IF(n % 4 != 0, HFDS_EPARSE, err, "base64: length %zu is not a multiple of 4", n);
	if (n == 0)
		return 0;
	HFDS_TRY(hfds_buf_reserve(out, n / 4 * 3, err));
	for (size_t i = 0; i < n; i += 4) {
		int last = i + 4 == n;
		int pad = last ? (text[i + 3] == '=') + (text[i + 2] == '=' && text[i + 3] == '=') : 0;
		uint32_t v = 0;
		for (int k = 0; k < 4 - pad; k++) {
			int d = decode_char(text[i + (size_t)k]);
			HFDS_FAIL_IF(d < 0, HFDS_EPARSE, err, "base64: offset %zu: invalid character 0x%02x",
				i + (size_t)k, (unsigned char)text[i + (size_t)k]);
			v = v << 6 | (uint32_t)d;
		}
		v <<= 6 * pad;
		HFDS_FAIL_IF(pad && (v & (pad == 1 ? 0xffu : 0xffffu)) != 0, HFDS_EPARSE, err,
			"base64: offset %zu: non-zero bits in the padded group", i);
		uint8_t bytes[3] = { (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
		memcpy(out->data + out->len, bytes, (size_t)(3 - pad));
		out->len += (size_t)(3 - pad);
	}
done:
	return rc;
}
