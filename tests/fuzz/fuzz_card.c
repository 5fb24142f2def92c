/* libFuzzer target for dataset cards (README.md from any repo): parsing never crashes, and
 * whatever parses renders to YAML that parses back to the same structure (the property
 * the card writer relies on when it merges into a user's card). */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataset/card.h"

#define EXPECT(c) do { if (!(c)) abort(); } while (0)

/* json_equal, except that NaN equals NaN */
static int same(json_t *a, json_t *b)
{
	const char *k;
	json_t *v;
	size_t i;
	if (json_is_real(a) && json_is_real(b) && isnan(json_real_value(a)) && isnan(json_real_value(b)))
		return 1;
	if (json_typeof(a) != json_typeof(b))
		return 0;
	if (json_is_object(a)) {
		if (json_object_size(a) != json_object_size(b))
			return 0;
		json_object_foreach(a, k, v)
			if (!json_object_get(b, k) || !same(v, json_object_get(b, k)))
				return 0;
		return 1;
	}
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return 0;
		json_array_foreach(a, i, v)
			if (!same(v, json_array_get(b, i)))
				return 0;
		return 1;
	}
	return json_equal(a, b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hfds_card *card = NULL, *back = NULL;
	hfds_buf out;
	const char *k;
	json_t *v, *expect;
	if (hfds_card__parse(&card, (const char *)data, size, "README.md", NULL) != 0)
		return 0;
	hfds_buf_init(&out, 1u << 20);
	if (hfds_card__render(card, &out, NULL) == 0) {
		EXPECT(hfds_card__parse(&back, (const char *)out.data, out.len, "README.md", NULL) == 0);
		/* render drops top-level nulls; the body is kept byte for byte */
		expect = json_object();
		json_object_foreach(card->meta, k, v)
			if (!json_is_null(v))
				json_object_set(expect, k, v);
		EXPECT(same(expect, back->meta));
		EXPECT(strcmp(back->body, card->body) == 0);
		json_decref(expect);
		hfds_card__free(back);
	}
	hfds_buf_release(&out);
	{
		/* hfds verify walks dataset_info of any shape: a list of well-formed rows or an error */
		json_t *splits = NULL, *row;
		size_t i;
		if (hfds_card__info_splits(&splits, card, NULL) == 0) {
			json_array_foreach(splits, i, row)
				EXPECT(json_is_string(json_object_get(row, "config")) &&
					json_is_string(json_object_get(row, "split")) &&
					json_integer_value(json_object_get(row, "num_examples")) >= 0);
			json_decref(splits);
		}
	}
	hfds_card__free(card);
	return 0;
}
