/* libFuzzer target for the util text codecs: strict base64 is a bijection, the UTF-8 validator
 * and the JSON escaper agree on what is valid, and canonical float text parses back to the
 * same value at each width. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/base64.h"
#include "util/json.h"
#include "util/numfmt.h"
#include "util/utf8.h"

#define EXPECT(c) do { if (!(c)) abort(); } while (0)

static void check_base64(const uint8_t *data, size_t size)
{
	hfds_buf a, b;
	hfds_buf_init(&a, 0);
	hfds_buf_init(&b, 0);
	if (hfds_base64_decode(&a, (const char *)data, size, NULL) == 0) {
		EXPECT(hfds_base64_append(&b, a.data, a.len, NULL) == 0);
		EXPECT(b.len == size && (size == 0 || memcmp(b.data, data, size) == 0));
	}
	hfds_buf_clear(&a);
	hfds_buf_clear(&b);
	EXPECT(hfds_base64_append(&a, data, size, NULL) == 0);
	EXPECT(hfds_base64_decode(&b, (const char *)a.data, a.len, NULL) == 0);
	EXPECT(b.len == size && (size == 0 || memcmp(b.data, data, size) == 0));
	hfds_buf_release(&a);
	hfds_buf_release(&b);
}

static void check_utf8_json(const uint8_t *data, size_t size)
{
	size_t bad = hfds_utf8_validate(data, size);
	EXPECT(bad <= size);
	if (bad < size)
		EXPECT(hfds_utf8_validate(data, bad) == bad);
	for (int mode = 0; mode < 2; mode++) {
		hfds_buf b;
		hfds_buf_init(&b, 0);
		int rc = hfds_json_append_string(&b, (const char *)data, size, (hfds_json_mode)mode, NULL);
		EXPECT((rc == 0) == (bad == size));
		if (rc == 0 && mode == HFDS_JSON_ASCII)
			for (size_t i = 0; i < b.len; i++)
				EXPECT(b.data[i] >= 0x20 && b.data[i] < 0x7f);
		hfds_buf_release(&b);
	}
}

static void check_numfmt(const uint8_t *data, size_t size)
{
	char out[HFDS_NUMFMT_MAX];
	if (size >= 8) {
		double v;
		memcpy(&v, data, 8);
		size_t n = hfds_fmt_double(v, out);
		EXPECT(n == strlen(out) && n < HFDS_NUMFMT_MAX);
		if (isfinite(v)) {
			double back = strtod(out, NULL);
			EXPECT(memcmp(&back, &v, 8) == 0);
		}
	}
	if (size >= 4) {
		float v;
		memcpy(&v, data, 4);
		hfds_fmt_float(v, out);
		if (isfinite(v)) {
			float back = strtof(out, NULL);
			EXPECT(memcmp(&back, &v, 4) == 0);
		}
	}
	if (size >= 2) {
		uint16_t bits = (uint16_t)(data[0] | data[1] << 8);
		hfds_fmt_half(bits, out);
		if ((bits & 0x7c00) != 0x7c00)
			EXPECT(hfds_double_to_half(strtod(out, NULL)) == bits);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_base64(data, size);
	check_utf8_json(data, size);
	check_numfmt(data, size);
	return 0;
}
