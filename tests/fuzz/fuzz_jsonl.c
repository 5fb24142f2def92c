/* libFuzzer target for the JSON Lines reader: once with inferred features, once with fixed
 * features covering every conversion (ranges, ClassLabel, Array shape, dates, timestamps,
 * base64, nested lists and structs). */
#include <stdint.h>
#include <string.h>

#include "fuzz_ingest.h"

static hfds_features *fixed(void)
{
	static const char json[] =
		"{\"i\": {\"dtype\": \"int8\", \"_type\": \"Value\"}, \"u\": {\"dtype\": \"uint64\", \"_type\": \"Value\"},"
		" \"h\": {\"dtype\": \"float16\", \"_type\": \"Value\"}, \"s\": {\"dtype\": \"string\", \"_type\": \"Value\"},"
		" \"b\": {\"dtype\": \"binary\", \"_type\": \"Value\"}, \"t\": {\"dtype\": \"timestamp[ns]\", \"_type\": \"Value\"},"
		" \"d\": {\"dtype\": \"date32\", \"_type\": \"Value\"}, \"l\": {\"names\": [\"a\", \"b\"], \"_type\": \"ClassLabel\"},"
		" \"m\": {\"shape\": [2, 2], \"dtype\": \"int32\", \"_type\": \"Array2D\"},"
		" \"p\": {\"feature\": {\"x\": {\"dtype\": \"bool\", \"_type\": \"Value\"}, \"y\": {\"feature\": {\"dtype\": \"float32\", \"_type\": \"Value\"}, \"_type\": \"List\"}}, \"_type\": \"List\"},"
		" \"img\": {\"_type\": \"Image\"}}";
	hfds_features *f = NULL;
	if (hfds_features_parse_json(&f, json, strlen(json), NULL) < 0)
		abort();
	return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static hfds_features *f;
	if (!f)
		f = fixed();
	fuzz_ingest(data, size, HFDS_INGEST_JSONL, NULL);
	fuzz_ingest(data, size, HFDS_INGEST_JSONL, f);
	return 0;
}
