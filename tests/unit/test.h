/*
 * A minimal test harness: each tests/unit/<module>/test_<name>.c is one program with a
 * main() that RUNs its cases. Output is one line per case ("ok name" / "FAIL name") and a
 * closing "N passed, N failed" line; the exit status is nonzero on any failure.
 *
 * Helpers: test_shared(path) -> "$HFDS_SHARED/path" (../shared from the repo root),
 * test_tmpdir() -> a fresh per-process directory under $TMPDIR, removed at exit by the OS
 * cleanup of /tmp only if the test passes (kept on failure for inspection).
 */
#ifndef HFDS_TEST_H
#define HFDS_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int t_failures, t_passed, t_failed, t_case_failed;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
	t_failures++; t_case_failed = 1; } } while (0)

#define CHECK_EQ_INT(a, b) do { long long _a = (long long)(a), _b = (long long)(b); if (_a != _b) { \
	fprintf(stderr, "%s:%d: CHECK_EQ_INT failed: %s == %lld, expected %s == %lld\n", \
		__FILE__, __LINE__, #a, _a, #b, _b); t_failures++; t_case_failed = 1; } } while (0)

#define CHECK_EQ_STR(a, b) do { const char *_a = (a), *_b = (b); \
	if (!_a || !_b || strcmp(_a, _b) != 0) { \
	fprintf(stderr, "%s:%d: CHECK_EQ_STR failed:\n  got:      \"%s\"\n  expected: \"%s\"\n", \
		__FILE__, __LINE__, _a ? _a : "(null)", _b ? _b : "(null)"); t_failures++; t_case_failed = 1; } } while (0)

#define CHECK_EQ_MEM(a, b, n) do { if (memcmp((a), (b), (n)) != 0) { \
	fprintf(stderr, "%s:%d: CHECK_EQ_MEM failed: %s vs %s (%zu bytes)\n", \
		__FILE__, __LINE__, #a, #b, (size_t)(n)); t_failures++; t_case_failed = 1; } } while (0)

/* Stops the current case (use for preconditions that make the rest meaningless). */
#define REQUIRE(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond); \
	t_failures++; t_case_failed = 1; return; } } while (0)

#define RUN(fn) do { t_case_failed = 0; fn(); \
	if (t_case_failed) { t_failed++; printf("FAIL %s\n", #fn); } \
	else { t_passed++; printf("ok %s\n", #fn); } fflush(stdout); } while (0)

#define TEST_END() do { printf("%d passed, %d failed\n", t_passed, t_failed); \
	return t_failed ? 1 : 0; } while (0)

static inline const char *test_shared(const char *rel)
{
	static char buf[8][4096];
	static int slot;
	const char *root = getenv("HFDS_SHARED");
	char *out = buf[slot++ & 7];
	snprintf(out, 4096, "%s/%s", root ? root : "../shared", rel);
	return out;
}

static inline const char *test_tmpdir(void)
{
	static char dir[4096];
	if (!dir[0]) {
		const char *base = getenv("TMPDIR");
		snprintf(dir, sizeof(dir), "%s/hfds-test-XXXXXX", base ? base : "/tmp");
		if (!mkdtemp(dir)) {
			perror("mkdtemp");
			exit(2);
		}
	}
	return dir;
}

/* The whole file, NUL-terminated (free with free); its length in *len (may be NULL).
 * NULL when it cannot be read. */
static inline char *test_slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;
	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = n >= 0 ? calloc(1, (size_t)n + 1) : NULL;
	if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	if (buf && len)
		*len = (size_t)n;
	return buf;
}

#endif
