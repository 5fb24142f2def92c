/*
 * Atomic outputs. The temporary's name is derived from the pid and a process-wide counter
 * and created with O_CREAT|O_EXCL (retried on a clash), so two writers never share one,
 * and it lives in the target's folder because rename(2) is atomic only within one file
 * system. Replacing by rename also gives the target a new inode: a file at the path that
 * is hard-linked elsewhere is never modified in place. A symbolic link is followed (the
 * file it names is replaced, the link kept); a device or FIFO (/dev/stdout) is written
 * directly, since there is nothing to replace.
 */
#include "util/afile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/try.h"

static atomic_uint afile_seq;

static void release(hfds_afile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	hfds_free(f->path);
	hfds_free(f->tmp);
	f->path = NULL;
	f->tmp = NULL;
}

int hfds_afile_open(hfds_afile *f, const char *path, int fsync_at_commit, hfds_error *err)
{
	const char *slash;
	char *real = NULL;
	size_t dirlen, n;
	struct stat st;
	int rc = 0, tries;
	f->fd = -1;
	f->tmp = NULL;
	f->path = NULL;
	f->fsync = fsync_at_commit;
	f->written = f->reserved = 0;
	HFDS_FAIL_IF(!path || !*path, HFDS_EINVAL, err, "empty output path");
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		/* a device or FIFO (/dev/stdout): nothing to replace, the bytes go straight there */
		HFDS_FAIL_IF(!(f->path = hfds_strdup(path)), HFDS_ENOMEM, err, "out of memory");
		f->fd = open(path, O_WRONLY | O_CLOEXEC);
		HFDS_FAIL_IF(f->fd < 0, HFDS_EIO, err, "%s: cannot open: %s", path, strerror(errno));
		goto done;
	}
	/* a symbolic link to a file: replace the file it points to, keep the link */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && (real = realpath(path, NULL)) != NULL)
		path = real;
	HFDS_FAIL_IF(!(f->path = hfds_strdup(path)), HFDS_ENOMEM, err, "out of memory");
	slash = strrchr(path, '/');
	dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	HFDS_FAIL_IF(slash && !slash[1], HFDS_EINVAL, err, "%s: is a folder, not a file name", path);
	n = strlen(path) + 48;
	HFDS_FAIL_IF(!(f->tmp = hfds_malloc(n)), HFDS_ENOMEM, err, "out of memory");
	for (tries = 0; tries < 100; tries++) {
		snprintf(f->tmp, n, "%.*s.%s.tmp-%ld-%u", (int)dirlen, path, path + dirlen, (long)getpid(),
			atomic_fetch_add(&afile_seq, 1u));
		f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (f->fd >= 0 || errno != EEXIST)
			break;
	}
	HFDS_FAIL_IF(f->fd < 0, errno == ENOENT ? HFDS_ENOTFOUND : HFDS_EIO, err, "%s: cannot create: %s", path,
		strerror(errno));
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		(void)fchmod(f->fd, st.st_mode & 07777);
done:
	free(real);
	if (rc < 0)
		release(f);
	return rc;
}

/*
 * A temporary's blocks are reserved RESERVE_STEP ahead of the writes (size unchanged), so ext4
 * maps the pages written to allocated blocks instead of reserving delayed allocations page by
 * page: a quarter to a third of a large buffered write's system time. Best effort (a file
 * system without fallocate allocates as it goes); what is left past the end is released at
 * commit.
 */
#define RESERVE_STEP (32ull << 20)
#define NO_RESERVE (~0ull)

static void reserve_ahead(hfds_afile *f, size_t n)
{
	if (!f->tmp || f->reserved == NO_RESERVE || f->written + n <= f->reserved)
		return;
	if (fallocate(f->fd, FALLOC_FL_KEEP_SIZE, (off_t)f->reserved, (off_t)RESERVE_STEP) == 0)
		f->reserved += RESERVE_STEP;
	else
		f->reserved = NO_RESERVE;   /* not supported here: writes allocate as they go */
}

int hfds_afile_write(hfds_afile *f, const void *data, size_t n, hfds_error *err)
{
	const char *p = data;
	HFDS_ASSERT_ARG(f && (data || !n), err);
	if (f->fd < 0)
		return hfds_error_set(err, HFDS_ESTATE, "%s: output is not open", f->path ? f->path : "");
	reserve_ahead(f, n);
	f->written += n;
	while (n > 0) {
		ssize_t k = write(f->fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return hfds_error_set(err, HFDS_EIO, "%s: write failed: %s", f->path,
				k < 0 ? strerror(errno) : "no progress");
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static void sync_folder(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	int fd;
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int hfds_afile_commit(hfds_afile *f, hfds_error *err)
{
	int rc = 0, fd;
	HFDS_ASSERT_ARG(f, err);
	HFDS_FAIL_IF(f->fd < 0, HFDS_ESTATE, err, "%s: output is not open", f->path ? f->path : "");
	fd = f->fd;
	f->fd = -1;
	if (f->reserved != NO_RESERVE && f->reserved > f->written)   /* same size: frees the blocks past the end */
		(void)ftruncate(fd, (off_t)f->written);
	if (f->fsync && f->tmp && fsync(fd) != 0) {
		close(fd);
		HFDS_FAIL(HFDS_EIO, err, "%s: fsync failed: %s", f->path, strerror(errno));
	}
	HFDS_FAIL_IF(close(fd) != 0, HFDS_EIO, err, "%s: write failed at close: %s", f->path, strerror(errno));
	HFDS_FAIL_IF(f->tmp && rename(f->tmp, f->path) != 0, HFDS_EIO, err, "%s: cannot replace: %s", f->path,
		strerror(errno));
	if (f->fsync && f->tmp)
		sync_folder(f->path);
	hfds_free(f->tmp);
	f->tmp = NULL;
done:
	hfds_afile_abort(f);
	return rc;
}

void hfds_afile_abort(hfds_afile *f)
{
	if (!f)
		return;
	if (f->fd >= 0) {
		close(f->fd);
		f->fd = -1;
	}
	if (f->tmp)
		unlink(f->tmp);
	release(f);
}
