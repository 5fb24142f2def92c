/* Helpers shared by the ingest unit tests. */
#ifndef HFDS_INGEST_TEST_H
#define HFDS_INGEST_TEST_H
#include "test.h"

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
#endif
