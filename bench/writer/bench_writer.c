/*
 * Writer benchmark: builds the input in memory (not timed), then times hfds_pq_writer
 * writing it to a file. Prints one JSON line: case, rows, threads, seconds, input bytes,
 * output bytes, input MB/s, and the memcpy time of the same input bytes.
 *
 *   bench_writer chess|flat ROWS THREADS OUT.parquet
 *
 * chess: window = list<list<int8>> (10 x 69 per row), scalars = fixed_size_list<int8,3>; zstd.
 * flat:  a int64 = i, b float64 = i * 0.5, c string = "str" + (i % 100),
 *        d int32 = i * 7 with a null every 10th row; snappy.
 * The same tables are generated inside DuckDB by duckdb_bench.mjs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hfds/parquet.h"

static void noop_array(struct ArrowArray *a) { a->release = NULL; }
static void noop_schema(struct ArrowSchema *s) { s->release = NULL; }

static double clk(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static struct ArrowSchema *sch(const char *fmt, const char *name, int n, struct ArrowSchema **kids)
{
	struct ArrowSchema *s = calloc(1, sizeof(*s));
	s->format = fmt;
	s->name = name;
	s->flags = ARROW_FLAG_NULLABLE;
	s->n_children = n;
	s->children = kids;
	s->release = noop_schema;
	return s;
}

static struct ArrowArray *arr(int64_t len, int64_t nulls, int nbuf, const void *b0, const void *b1, const void *b2,
	int nkids, struct ArrowArray **kids)
{
	struct ArrowArray *a = calloc(1, sizeof(*a));
	const void **bufs = calloc(3, sizeof(void *));
	bufs[0] = b0;
	bufs[1] = b1;
	bufs[2] = b2;
	a->length = len;
	a->null_count = nulls;
	a->n_buffers = nbuf;
	a->buffers = bufs;
	a->n_children = nkids;
	a->children = kids;
	a->release = noop_array;
	return a;
}

static struct ArrowSchema **kids(int n, ...);

#include <stdarg.h>
static struct ArrowSchema **kids(int n, ...)
{
	struct ArrowSchema **k = calloc((size_t)n, sizeof(*k));
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		k[i] = va_arg(ap, struct ArrowSchema *);
	va_end(ap);
	return k;
}

static struct ArrowArray **akids(int n, struct ArrowArray *a, struct ArrowArray *b)
{
	struct ArrowArray **k = calloc((size_t)n, sizeof(*k));
	k[0] = a;
	if (n > 1)
		k[1] = b;
	return k;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: bench_writer chess|flat ROWS THREADS OUT.parquet\n");
		return 2;
	}
	const char *which = argv[1];
	int64_t rows = atoll(argv[2]);
	int threads = atoi(argv[3]);
	const char *out = argv[4];
	struct ArrowSchema *schema;
	struct ArrowArray *batch;
	uint64_t input_bytes;
	const void *big;
	size_t bigsz;
	hfds_pq_writer_options o;
	hfds_pq_writer_options_init(&o);
	o.threads = threads;
	if (!strcmp(which, "chess")) {
		o.codec = HFDS_PQ_ZSTD;
		int32_t *outer = malloc(sizeof(int32_t) * (size_t)(rows + 1));
		int32_t *inner = malloc(sizeof(int32_t) * (size_t)(rows * 10 + 1));
		int8_t *vals = malloc((size_t)(rows * 690));
		int8_t *sc = calloc((size_t)(rows * 3), 1);
		for (int64_t r = 0; r <= rows; r++)
			outer[r] = (int32_t)(r * 10);
		for (int64_t r = 0; r <= rows * 10; r++)
			inner[r] = (int32_t)(r * 69);
		/* a token vector per row (values 0..12) copied 10 times, as chesspos does */
		for (int64_t r = 0; r < rows; r++)
			for (int j = 0; j < 10; j++)
				for (int k = 0; k < 69; k++)
					vals[r * 690 + j * 69 + k] = (int8_t)((r * 31 + k * 7 + (r >> 3) * k) % 13);
		schema = sch("+s", "", 2, kids(2,
			sch("+l", "window", 1, kids(1, sch("+l", "item", 1, kids(1, sch("c", "item", 0, NULL))))),
			sch("+w:3", "scalars", 1, kids(1, sch("c", "item", 0, NULL)))));
		struct ArrowArray *v = arr(rows * 690, 0, 2, NULL, vals, NULL, 0, NULL);
		struct ArrowArray *in = arr(rows * 10, 0, 2, NULL, inner, NULL, 1, akids(1, v, NULL));
		struct ArrowArray *ou = arr(rows, 0, 2, NULL, outer, NULL, 1, akids(1, in, NULL));
		struct ArrowArray *sv = arr(rows * 3, 0, 2, NULL, sc, NULL, 0, NULL);
		struct ArrowArray *sl = arr(rows, 0, 1, NULL, NULL, NULL, 1, akids(1, sv, NULL));
		batch = arr(rows, 0, 1, NULL, NULL, NULL, 2, akids(2, ou, sl));
		input_bytes = (uint64_t)rows * (690 + 3 + 4 + 40);
		big = vals;
		bigsz = (size_t)rows * 690;
	} else {
		o.codec = HFDS_PQ_SNAPPY;
		int64_t *a = malloc(sizeof(int64_t) * (size_t)rows);
		double *b = malloc(sizeof(double) * (size_t)rows);
		int32_t *coff = malloc(sizeof(int32_t) * (size_t)(rows + 1));
		char *chars = malloc((size_t)rows * 5 + 1);
		int32_t *d = malloc(sizeof(int32_t) * (size_t)rows);
		uint8_t *dvalid = calloc((size_t)rows / 8 + 1, 1);
		int64_t pos = 0, dn = 0;
		coff[0] = 0;
		for (int64_t i = 0; i < rows; i++) {
			a[i] = i;
			b[i] = (double)i * 0.5;
			pos += sprintf(chars + pos, "str%d", (int)(i % 100));
			coff[i + 1] = (int32_t)pos;
			d[i] = (int32_t)(i * 7);
			if (i % 10 == 0)
				dn++;
			else
				dvalid[i >> 3] |= (uint8_t)(1u << (i & 7));
		}
		schema = sch("+s", "", 4, kids(4, sch("l", "a", 0, NULL), sch("g", "b", 0, NULL), sch("u", "c", 0, NULL),
			sch("i", "d", 0, NULL)));
		struct ArrowArray *ca = arr(rows, 0, 2, NULL, a, NULL, 0, NULL);
		struct ArrowArray *cb = arr(rows, 0, 2, NULL, b, NULL, 0, NULL);
		struct ArrowArray *cc = arr(rows, 0, 3, NULL, coff, chars, 0, NULL);
		struct ArrowArray *cd = arr(rows, dn, 2, dvalid, d, NULL, 0, NULL);
		struct ArrowArray **k4 = calloc(4, sizeof(void *));
		k4[0] = ca; k4[1] = cb; k4[2] = cc; k4[3] = cd;
		batch = arr(rows, 0, 1, NULL, NULL, NULL, 4, k4);
		input_bytes = (uint64_t)rows * (8 + 8 + 4 + 4 + 4) + (uint64_t)pos + (uint64_t)rows / 8;
		big = a;
		bigsz = (size_t)rows * 8;
	}
	hfds_error err;
	hfds_error_init(&err);
	hfds_pq_writer *w = NULL;
	hfds_pq_file_info info;
	double c0 = clk(CLOCK_PROCESS_CPUTIME_ID);
	double t0 = now();
	int rc = hfds_pq_writer_open(&w, out, schema, &o, &err);
	if (rc == 0)
		rc = hfds_pq_writer_write(w, batch, &err);
	if (rc == 0)
		rc = hfds_pq_writer_close(w, &info, &err);
	double t1 = now();
	double c1 = clk(CLOCK_PROCESS_CPUTIME_ID);
	hfds_pq_writer_free(w);
	if (rc < 0) {
		fprintf(stderr, "bench_writer: %s\n", err.message);
		return 1;
	}
	/* memcpy of the same number of input bytes (from the biggest buffer, in 32 MiB pieces so
	 * the destination does not inflate the peak RSS measured for the writer) */
	if (bigsz > (32u << 20))
		bigsz = 32u << 20;
	void *dst = malloc(bigsz);
	memset(dst, 1, bigsz); /* fault the pages in first: time the copy, not the kernel */
	double m0 = now();
	uint64_t left = input_bytes;
	while (left > 0) {
		size_t n = left < bigsz ? (size_t)left : bigsz;
		memcpy(dst, big, n);
		left -= n;
	}
	double m1 = now();
	volatile uint8_t sink = ((uint8_t *)dst)[bigsz / 2];
	(void)sink;
	printf("{\"case\": \"%s\", \"rows\": %lld, \"threads\": %d, \"seconds\": %.4f, \"input_bytes\": %llu, "
		"\"cpu_seconds\": %.4f, \"output_bytes\": %llu, \"row_groups\": %u, \"input_mb_s\": %.1f, \"memcpy_seconds\": %.4f}\n",
		which, (long long)rows, threads, t1 - t0, (unsigned long long)input_bytes, c1 - c0,
		(unsigned long long)info.size, info.num_row_groups, (double)input_bytes / (t1 - t0) / 1e6, m1 - m0);
	return 0;
}
