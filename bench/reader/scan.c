/*
 * bench/reader/scan: full scan of a Parquet file into Arrow arrays (all columns, all row
 * groups; batches released as they come), or with --decompress-only the codec work alone
 * (every page decompressed, nothing decoded). Prints rows and bytes to stderr, and the CPU
 * seconds of each thread (the busiest one bounds the wall time on an idle machine, which a
 * loaded one cannot show).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hfds/parquet_reader.h"
#include "parquet/read/assemble.h"
#include "parquet/read/decompress.h"
#include "parquet/format/pq_format.h"

static int decompress_only(hfds_pq_reader *r, hfds_error *err)
{
	const pq_meta *m = r->meta;
	uint64_t raw = 0;
	int g, c;
	for (g = 0; g < m->nrow_groups; g++)
		for (c = 0; c < m->nleaves; c++) {
			uint64_t off, len;
			size_t pos = 0;
			uint8_t *chunk, *page = NULL;
			if (pq_chunk_range(r, g, c, &off, &len, err) < 0 || !(chunk = malloc(len + 1)))
				return -1;
			if (pq_reader__read(r, off, chunk, len, err) < 0)
				return -1;
			while (pos < len) {
				pq_page_header h;
				size_t hl, lv = 0;
				if (pq_page_header_parse(&h, &hl, chunk + pos, len - pos, off + pos, err) < 0)
					return -1;
				pos += hl;
				if (h.type == PQ_PAGE_DATA_V2)
					lv = (size_t)h.def_len + (size_t)h.rep_len;
				page = realloc(page, (size_t)h.uncompressed_size + 1);
				if (h.compressed_size > (int32_t)lv &&
				    pq_decompress(m->row_groups[g].columns[c].meta.codec, chunk + pos + lv,
						  (size_t)h.compressed_size - lv, page, (size_t)h.uncompressed_size - lv, err) < 0)
					return -1;
				raw += (uint64_t)h.uncompressed_size;
				pos += (size_t)h.compressed_size;
			}
			free(page);
			free(chunk);
		}
	fprintf(stderr, "decompressed %llu bytes\n", (unsigned long long)raw);
	return 0;
}

/* "thread cpu: 0.123 0.045" (seconds per thread, from /proc) while the pool is alive */
static void thread_cpu(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	long tck = sysconf(_SC_CLK_TCK);
	fprintf(stderr, "thread cpu:");
	while (d && (e = readdir(d)) != NULL) {
		char path[300], buf[1024], *p;
		unsigned long ut = 0, st = 0;
		FILE *f;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/self/task/%s/stat", e->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		if (fgets(buf, sizeof buf, f) && (p = strrchr(buf, ')')) &&
		    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) == 2)
			fprintf(stderr, " %.3f", (double)(ut + st) / (double)tck);
		fclose(f);
	}
	fprintf(stderr, "\n");
	if (d)
		closedir(d);
}

int main(int argc, char **argv)
{
	hfds_pq_reader *r = NULL;
	struct ArrowArrayStream st;
	hfds_error err;
	int64_t rows = 0;
	int only = argc > 2 && !strcmp(argv[2], "--decompress-only");
	hfds_pq_reader_options opt;
	hfds_pq_reader_options_init(&opt);
	if (argc > 2 && !strncmp(argv[2], "--threads=", 10))
		opt.threads = atoi(argv[2] + 10);
	hfds_error_init(&err);
	if (argc < 2) {
		fprintf(stderr, "usage: scan FILE [--decompress-only | --threads=N]\n");
		return 2;
	}
	if (hfds_pq_reader_open_path(&r, argv[1], &opt, &err) < 0)
		goto fail;
	if (only) {
		if (decompress_only(r, &err) < 0)
			goto fail;
	} else {
		if (hfds_pq_reader_scan(r, NULL, &st, &err) < 0)
			goto fail;
		for (;;) {
			struct ArrowArray b;
			if (st.get_next(&st, &b) != 0) {
				hfds_pq_stream_error(&st, &err);
				st.release(&st);
				goto fail;
			}
			if (!b.release)
				break;
			rows += b.length;
			b.release(&b);
		}
		st.release(&st);
		fprintf(stderr, "%lld rows\n", (long long)rows);
		thread_cpu();
	}
	hfds_pq_reader_free(r);
	return 0;
fail:
	fprintf(stderr, "scan: %s\n", err.message);
	hfds_pq_reader_free(r);
	return 1;
}
