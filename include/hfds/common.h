/*
 * hfds/common.h - status codes, the caller-owned error record, and version.
 *
 * Every fallible hfds function returns int: 0 on success or a negative HFDS_E* code.
 * Details go into an optional caller-owned `hfds_error` (last parameter, NULL allowed).
 * The first failure site writes the message; callers pass the code up unchanged
 * ("first message wins"), so a message always names where the problem really was.
 *
 * Message style: lower-case start, no trailing period, location first where there is one:
 *   "pgn:12:5: expected move, found '}'"
 *   "data.parquet: offset 4096: page header: negative compressed_page_size -7"
 *
 * Codes are stable and append-only: a retired code keeps its number.
 * Thread-safety: an hfds_error must not be shared between threads while in use.
 */
#ifndef HFDS_COMMON_H
#define HFDS_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define HFDS_EXTERN __attribute__((visibility("default")))
#define HFDS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define HFDS_EXTERN
#define HFDS_PRINTF(f, a)
#endif

typedef enum hfds_status {
	HFDS_OK = 0,
	HFDS_ERROR = -1,        /* generic failure */
	HFDS_ENOMEM = -2,       /* allocation failed */
	HFDS_EINVAL = -3,       /* invalid argument or API misuse (release builds) */
	HFDS_EIO = -4,          /* an operating-system I/O call failed */
	HFDS_ECORRUPT = -5,     /* malformed binary input (Parquet, git objects, ...) */
	HFDS_EPARSE = -6,       /* malformed text input (PGN, JSON, YAML, arguments) */
	HFDS_ENOTFOUND = -7,    /* a named thing does not exist */
	HFDS_EEXISTS = -8,      /* a named thing already exists */
	HFDS_ELIMIT = -9,       /* a configured limit would be exceeded */
	HFDS_EUNSUPPORTED = -10,/* valid input using a feature hfds does not implement */
	HFDS_ECONFLICT = -11,   /* concurrent change: parent commit moved, lock held */
	HFDS_ESTATE = -12,      /* call not valid in the object's current state */
	HFDS_EAUTH = -13,       /* authentication or permission refused */
	HFDS_ENET = -14,        /* network failure */
	HFDS_ECANCELLED = -15,  /* a callback asked to stop */
	HFDS_ITEROVER = -31     /* iteration finished: not an error */
} hfds_status;

#define HFDS_ERROR_MESSAGE_MAX 512

typedef struct hfds_error {
	int code;                               /* 0 while no error was recorded */
	char message[HFDS_ERROR_MESSAGE_MAX];   /* NUL-terminated, truncated if longer */
} hfds_error;

/* Empties an error record. Cannot fail. */
HFDS_EXTERN void hfds_error_init(hfds_error *err);

/*
 * Records `code` and a printf-style message in `err` unless it already holds one
 * (first message wins). `err` may be NULL. Returns `code`, so failure sites can write
 * `return hfds_error_set(err, HFDS_EPARSE, "pgn:%d:%d: ...", line, col);`.
 */
HFDS_EXTERN int hfds_error_set(hfds_error *err, int code, const char *fmt, ...) HFDS_PRINTF(3, 4);

/* Like hfds_error_set but overwrites any earlier message (for a caller adding context). */
HFDS_EXTERN int hfds_error_reset(hfds_error *err, int code, const char *fmt, ...) HFDS_PRINTF(3, 4);

/* Prefixes the recorded message with `prefix: ` (e.g. a file name the callee did not know). */
HFDS_EXTERN void hfds_error_prefix(hfds_error *err, const char *prefix);

/* A static English name for a status code ("out of memory", "corrupt input", ...). */
HFDS_EXTERN const char *hfds_strerror(int code);

/* "X.Y.Z" */
HFDS_EXTERN const char *hfds_version(void);

/*
 * The allocator of everything that crosses the API. Memory the library hands out
 * (strings, arrays, buffers through `char **out` and the like) is released with
 * hfds_free, never with free(): the library may be built with another allocator than
 * the caller's. Memory the caller passes for the library to own comes from hfds_malloc.
 * hfds_malloc(0) returns a unique non-NULL pointer or NULL when out of memory;
 * hfds_free(NULL) does nothing. Thread-safe.
 */
HFDS_EXTERN void *hfds_malloc(size_t n);
HFDS_EXTERN void hfds_free(void *p);

/*
 * A set of worker threads that writers share (hfds_pq_writer_options.pool,
 * hfds_ds_options.pool): a program writing many files at once runs one pool instead of
 * one per file. Output bytes never depend on the pool. `threads` <= 0 means one per
 * online CPU; 1 runs everything on the caller's thread. The pool must outlive every
 * writer given it; it may be used by several writers, from several threads, at once.
 * Errors: HFDS_ENOMEM, HFDS_ERROR (a thread could not be started).
 */
typedef struct hfds_pool hfds_pool;
HFDS_EXTERN int hfds_pool_new(hfds_pool **out, int threads, hfds_error *err);
HFDS_EXTERN void hfds_pool_free(hfds_pool *pool);            /* NULL-safe; joins the threads */
HFDS_EXTERN int hfds_pool_threads(const hfds_pool *pool);    /* 1 for NULL */

#ifdef __cplusplus
}
#endif
#endif
