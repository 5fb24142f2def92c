/* libFuzzer target for the request parsers of `hfds serve` (src/server/parse.c): URL paths
 * (split + percent-decode), Range headers, form bodies and JSON bodies. Properties: no
 * crash; decoded segments hold no NUL and never exceed the input; a satisfiable range lies
 * inside the file; the encoder's output decodes back to its input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/srv_int.h"
#include "util/alloc.h"

#define EXPECT(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = hfds_malloc(size + 1), *segs[SRV_MAX_SEGS], *dec = NULL;
	size_t n = 0, i;
	srv_range rg;
	json_t *arr;
	hfds_buf b;
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (srv_split_path(s, segs, SRV_MAX_SEGS, &n, NULL) == 0) {
		for (i = 0; i < n; i++) {
			EXPECT(strlen(segs[i]) <= size);
			/* encode + decode is the identity */
			hfds_buf_init(&b, 0);
			EXPECT(srv_pct_encode(&b, segs[i], 0, NULL) == 0);
			EXPECT(srv_pct_decode(&dec, (const char *)b.data ? (const char *)b.data : "", b.len, 0, NULL) == 0);
			EXPECT(strcmp(dec, segs[i]) == 0);
			hfds_free(dec);
			hfds_buf_release(&b);
			hfds_free(segs[i]);
		}
	}
	{
		uint64_t fsize = size ? data[0] * 1000003ull : 0;
		int r = srv_range_parse(s, fsize, &rg);
		EXPECT(r == 0 || r == 1 || r == HFDS_ELIMIT);
		if (r == 1)
			EXPECT(rg.len > 0 && rg.start < fsize && rg.len <= fsize - rg.start);
	}
	arr = json_array();
	srv_form_values(s, size, "paths", arr, NULL);
	json_decref(arr);
	json_decref(json_loadb(s, size, JSON_REJECT_DUPLICATES, NULL));
	hfds_free(s);
	return 0;
}
