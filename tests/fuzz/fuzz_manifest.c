/* libFuzzer target for push manifests (hfds commit --manifest, written by other machines):
 * the input is split at the first 0xff byte into two manifests merged in order; parsing and
 * merging never crash, leak or allocate without bound, whatever the JSON says. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hfds/dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[64];
	const char *texts[2], *names[2] = {"a.json", "b.json"};
	size_t lens[2], n = 1;
	const uint8_t *cut = memchr(data, 0xff, size);
	hfds_ds *ds = NULL;
	if (!dir[0])
		snprintf(dir, sizeof(dir), "/tmp/hfds-fuzz-manifest-%d", (int)getpid());
	texts[0] = (const char *)data;
	lens[0] = cut ? (size_t)(cut - data) : size;
	if (cut) {
		texts[1] = (const char *)cut + 1;
		lens[1] = size - lens[0] - 1;
		n = 2;
	}
	if (hfds_ds_open_manifests(&ds, dir, texts, lens, names, n, NULL, NULL) == 0) {
		uint64_t rows = 0, bytes = 0, files = 0;
		hfds_ds_split_stats(ds, "default", "train", &rows, &bytes, &files);
	}
	hfds_ds_free(ds);
	return 0;
}
