/*
 * Per-column memory follows the data: 2,000 narrow columns (int8, uint8, int16, float16)
 * and one row are written in a forked child whose peak RSS (getrusage) must stay far below
 * the ~1 GB the fixed 512 KB direct maps per column cost; a schema with more leaf columns
 * than HFDS_PQ_MAX_COLUMNS is refused with a clear error before anything is allocated.
 */
#include "test.h"
#include "hfds/arrow.h"
#include "hfds/parquet.h"

#include <sys/resource.h>
#include <sys/wait.h>

static int narrow_schema(struct ArrowSchema *s, int n, const char *const *formats, int nformats, hfds_error *err)
{
	if (hfds_arrow_schema_init(s, "+s", "", 0, err) < 0 || hfds_arrow_schema_alloc_children(s, n, err) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof(name), "c%d", i);
		if (hfds_arrow_schema_init_nullable(s->children[i], formats[i % nformats], name, err) < 0)
			return -1;
	}
	return 0;
}

/* In a child: writes n columns x 1 row with `threads`; returns the child's peak RSS in KB. */
static long write_in_child(int n, int threads)
{
	int fd[2];
	long kb = -1;
	if (pipe(fd) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		static const char *const formats[] = {"c", "C", "s", "e"};
		struct ArrowSchema s;
		struct ArrowArray a;
		hfds_arrow_builder *b = NULL;
		hfds_pq_writer *w = NULL;
		hfds_pq_writer_options o;
		struct rusage ru;
		char path[4200];
		hfds_error err;
		int rc;
		hfds_error_init(&err);
		snprintf(path, sizeof(path), "%s/narrow%d.parquet", test_tmpdir(), threads);
		hfds_pq_writer_options_init(&o);
		o.threads = threads;
		rc = narrow_schema(&s, n, formats, 4, &err);
		if (rc == 0)
			rc = hfds_arrow_builder_new(&b, &s, &err);
		for (int i = 0; rc == 0 && i < n; i++)
			rc = i % 4 == 3 ? hfds_arrow_builder_append_double(b, 1.5, &err)
					: hfds_arrow_builder_append_int(b, i % 100, &err);
		if (rc == 0)
			rc = hfds_arrow_builder_finish(b, &a, &err);
		if (rc == 0)
			rc = hfds_pq_writer_open(&w, path, &s, &o, &err);
		if (rc == 0)
			rc = hfds_pq_writer_write(w, &a, &err);
		if (rc == 0)
			rc = hfds_pq_writer_close(w, NULL, &err);
		getrusage(RUSAGE_SELF, &ru);
		kb = rc == 0 ? ru.ru_maxrss : -1;
		if (rc < 0)
			fprintf(stderr, "  child: %s\n", err.message);
		if (write(fd[1], &kb, sizeof(kb)) != (ssize_t)sizeof(kb))
			_exit(2);
		_exit(0); /* no cleanup: only the peak matters */
	}
	close(fd[1]);
	if (pid > 0 && read(fd[0], &kb, sizeof(kb)) != (ssize_t)sizeof(kb))
		kb = -1;
	close(fd[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return kb;
}

static void test_narrow_columns_cost_their_data(void)
{
	long base = write_in_child(4, 1);
	long serial = write_in_child(2000, 1);
	long threaded = write_in_child(2000, 2);
	fprintf(stderr, "  peak RSS: 4 columns %ld KB, 2000 columns %ld KB (1 thread), %ld KB (2 threads)\n",
		base, serial, threaded);
	REQUIRE(base > 0 && serial > 0 && threaded > 0);
	/* 200 KB per column would be 400 MB; the fixed maps alone cost 1 GB (2 GB threaded) */
	CHECK(serial - base < 2000 * 100);
	CHECK(threaded - base < 2000 * 100);
}

static void test_column_cap(void)
{
	static const char *const formats[] = {"c"};
	struct ArrowSchema s;
	hfds_pq_writer *w = NULL;
	char path[4200];
	hfds_error err;
	hfds_error_init(&err);
	snprintf(path, sizeof(path), "%s/toomany.parquet", test_tmpdir());
	REQUIRE(narrow_schema(&s, HFDS_PQ_MAX_COLUMNS + 1, formats, 1, &err) == 0);
	CHECK_EQ_INT(hfds_pq_writer_open(&w, path, &s, NULL, &err), HFDS_ELIMIT);
	CHECK(strstr(err.message, "columns") != NULL);
	CHECK(access(path, F_OK) != 0);
	s.release(&s);
}

int main(void)
{
	RUN(test_narrow_columns_cost_their_data);
	RUN(test_column_cap);
	TEST_END();
}
