/*
 * Propagation macros for the single-exit style:
 *
 *   int rc = 0;
 *   char *a = NULL;
 *   HFDS_TRY(step(&a, err));
 *   HFDS_FAIL_IF(n < 0, HFDS_ECORRUPT, err, "offset %zu: negative size %d", off, n);
 * done:
 *   free(a);
 *   return rc;
 *
 * Both expect an `int rc` and a `done:` label in the enclosing function.
 * HFDS_ASSERT_ARG is for API misuse: abort in debug builds, HFDS_EINVAL in release builds.
 * Bytes from files or sockets must never reach an assert.
 */
#ifndef HFDS_UTIL_TRY_H
#define HFDS_UTIL_TRY_H

#include <assert.h>
#include "hfds/common.h"

#define HFDS_TRY(expr) \
	do { if ((rc = (expr)) < 0) goto done; } while (0)

#define HFDS_FAIL(code, err, ...) \
	do { rc = hfds_error_set((err), (code), __VA_ARGS__); goto done; } while (0)

#define HFDS_FAIL_IF(cond, code, err, ...) \
	do { if (cond) HFDS_FAIL(code, err, __VA_ARGS__); } while (0)

/*
 * Options structs carry the version their caller was compiled against (set by the
 * struct's _init). A struct from another version has another layout, so reading it would
 * misinterpret fields: refuse it at entry (libgit2's GIT_ERROR_CHECK_VERSION). NULL
 * options (= defaults) pass. Returns from the calling function, so use it before any
 * allocation.
 */
#define HFDS_CHECK_VERSION(opts, expected, type, err) \
	do { if ((opts) && (opts)->version != (expected)) \
		return hfds_error_set((err), HFDS_EINVAL, "%s: version %u, expected %u (fill it with %s_init)", \
			(type), (unsigned)(opts)->version, (unsigned)(expected), (type)); } while (0)

#ifdef NDEBUG
#define HFDS_ASSERT_ARG(cond, err) \
	do { if (!(cond)) return hfds_error_set((err), HFDS_EINVAL, "invalid argument: %s", #cond); } while (0)
#else
#define HFDS_ASSERT_ARG(cond, err) assert(cond)
#endif

#endif
