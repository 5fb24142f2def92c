/* libFuzzer target for the features model: the Features dict JSON and the `huggingface`
 * metadata parsers on arbitrary bytes. Whatever parses must print back as JSON that parses
 * to the same text (a fixed point) and must give an Arrow storage schema; nothing may crash,
 * leak or allocate without bound. Seeds: tests/fuzz/corpus/fuzz_features/ (the issue-16
 * sweep: ClassLabel with duplicate names or out-of-range values, Array shapes, float16). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hfds/arrow_abi.h"
#include "hfds/features.h"

#define EXPECT(c) do { if (!(c)) abort(); } while (0)

static void round_trip(hfds_features *f)
{
	char *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	hfds_features *g = NULL;
	struct ArrowSchema schema;
	EXPECT(hfds_features_to_json(&a, &na, f, 0, NULL) == 0);
	EXPECT(hfds_features_parse_json(&g, a, na, NULL) == 0);
	EXPECT(hfds_features_to_json(&b, &nb, g, 0, NULL) == 0);
	EXPECT(na == nb && memcmp(a, b, na) == 0);
	memset(&schema, 0, sizeof schema);
	EXPECT(hfds_features_to_arrow_schema(&schema, f, HFDS_FEATURES_ARROW_HF_METADATA, NULL) == 0);
	schema.release(&schema);
	hfds_free(a);
	hfds_free(b);
	hfds_features_free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hfds_features *f = NULL;
	if (hfds_features_parse_json(&f, (const char *)data, size, NULL) == 0)
		round_trip(f);
	hfds_features_free(f);
	f = NULL;
	if (hfds_features_parse_hf_metadata(&f, (const char *)data, size, NULL) == 0)
		round_trip(f);
	hfds_features_free(f);
	return 0;
}
