/* Shared by the JSON Lines and CSV fuzz targets: reads all batches of `data` through the
 * public reader (a memfd, so the whole driver runs: block cutting, limits, the pool) with
 * small blocks and limits so boundaries and caps are hit; any error is fine, a crash, leak
 * or hang is not. */
#ifndef HFDS_FUZZ_INGEST_H
#define HFDS_FUZZ_INGEST_H
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hfds/ingest.h"

static void fuzz_ingest(const uint8_t *data, size_t size, hfds_ingest_format format, const hfds_features *f)
{
	char path[64];
	hfds_ingest *r = NULL;
	hfds_ingest_options o;
	struct ArrowArray a;
	hfds_error err;
	int fd = memfd_create("fuzz", 0);
	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	hfds_ingest_options_init(&o);
	o.format = format;
	o.threads = 2;
	o.block_bytes = 97;
	o.max_line = 4096;
	o.max_depth = 16;
	o.infer_rows = 8;
	hfds_error_init(&err);
	if (hfds_ingest_open(&r, path, f, &o, &err) == 0) {
		while (hfds_ingest_next(r, &a, &err) == 0)
			a.release(&a);
	}
	hfds_ingest_free(r);
	close(fd);
}
#endif
