/* Helpers shared by the ingest unit tests. */
#ifndef HFDS_INGEST_TEST_H
#define HFDS_INGEST_TEST_H
#include "test.h"

#include "hfds/ingest.h"

/* Writes n bytes to <tmpdir>/name; returns the path (a static buffer) or NULL. */
static const char *write_bytes(const char *name, const char *data, size_t n)
{
	static char path[4200];
	FILE *fp;
	snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
	fp = fopen(path, "wb");
	if (!fp)
		return NULL;
	if (n && fwrite(data, 1, n, fp) != n) {
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	return path;
}

static const char *write_file(const char *name, const char *text)
{
	return write_bytes(name, text, strlen(text));
}

/* Opens path with o, reads every batch and checks that the read ends with `code` and a
 * message holding `needle` (the file:line:column place). */
static void expect_failure(const char *path, const hfds_features *f, const hfds_ingest_options *o, int code,
	const char *needle)
{
	hfds_ingest *r = NULL;
	struct ArrowArray a;
	hfds_error err;
	int rc;
	hfds_error_init(&err);
	rc = hfds_ingest_open(&r, path, f, o, &err);
	while (rc == 0 && (rc = hfds_ingest_next(r, &a, &err)) == 0)
		a.release(&a);
	CHECK_EQ_INT(rc, code);
	if (!strstr(err.message, needle))
		fprintf(stderr, "message: %s (wanted %s)\n", err.message, needle);
	CHECK(strstr(err.message, needle) != NULL);
	hfds_ingest_free(r);
}
#endif
