/* libFuzzer target for the CSV reader: inferred types, and fixed narrow types that make most
 * cells fail their range checks. */
#include <stdint.h>
#include <string.h>

#include "fuzz_ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static hfds_features *f;
	if (!f) {
		static const char json[] = "{\"a\": {\"dtype\": \"int8\", \"_type\": \"Value\"}, \"b\": {\"dtype\": \"timestamp[ns]\", \"_type\": \"Value\"},"
			" \"c\": {\"dtype\": \"float16\", \"_type\": \"Value\"}}";
		if (hfds_features_parse_json(&f, json, strlen(json), NULL) < 0)
			abort();
	}
	fuzz_ingest(data, size, HFDS_INGEST_CSV, NULL);
	fuzz_ingest(data, size, HFDS_INGEST_CSV, f);
	return 0;
}
