/*
 * hfds_afile: write a user-visible file atomically (libgit2's git_filebuf). The bytes go
 * to a temporary created with O_EXCL beside the target (".<name>.tmp-<pid>-<n>", same
 * folder, so same file system); commit optionally fsyncs, then renames it over the target;
 * abort (or a failed commit) unlinks it. Until commit the old file at the path is untouched,
 * so a failed write never destroys what the user had, and the output may be an input that
 * is still being read (IN = OUT). A file already at the path keeps its permission bits;
 * a new one gets 0666 minus the umask. A symbolic link's target file is replaced (the link
 * stays); a device or FIFO at the path is written directly (no temporary). The struct is caller-owned; one thread at a time.
 */
#ifndef HFDS_UTIL_AFILE_H
#define HFDS_UTIL_AFILE_H

#include <stddef.h>
#include "hfds/common.h"

typedef struct hfds_afile {
	int fd;       /* -1 when not open */
	char *path;   /* the target */
	char *tmp;    /* the temporary beside it */
	int fsync;    /* fsync the data (and the folder) at commit */
	unsigned long long written, reserved;   /* bytes written; blocks reserved ahead (temporary) */
} hfds_afile;

#define HFDS_AFILE_INIT {-1, NULL, NULL, 0, 0, 0}

/* Creates the temporary for `path`. `fsync_at_commit` makes commit durable. */
int hfds_afile_open(hfds_afile *f, const char *path, int fsync_at_commit, hfds_error *err);
/* Writes all `n` bytes (EINTR and short writes handled); the error names the target. */
int hfds_afile_write(hfds_afile *f, const void *data, size_t n, hfds_error *err);
/* Closes and renames the temporary over the target; on failure it is unlinked. */
int hfds_afile_commit(hfds_afile *f, hfds_error *err);
/* Closes and unlinks the temporary; the target is untouched. NULL-safe, idempotent. */
void hfds_afile_abort(hfds_afile *f);

#endif
