/*
 * The per-repository writer lock: flock(LOCK_EX) on `<repo>.git/hfds.lock`. The kernel drops
 * the lock when its holder dies, so a crashed writer never blocks the next one; a live
 * holder is waited for up to the store's lock timeout, polling.
 */
#include "store/store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

int hfds_store__lock(int *fd_out, hfds_store_repo *repo, hfds_error *err)
{
	char path[4200];
	unsigned waited = 0;
	int fd;
	*fd_out = -1;
	snprintf(path, sizeof(path), "%s/hfds.lock", repo->git_dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666)) < 0)
		return hfds_error_set(err, HFDS_EIO, "%s: cannot open lock: %s", path, strerror(errno));
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		struct timespec ts = {0, 20 * 1000 * 1000};
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int rc = hfds_error_set(err, HFDS_EIO, "%s: cannot lock: %s", path, strerror(errno));
			close(fd);
			return rc;
		}
		if (waited >= repo->st->lock_timeout_ms) {
			close(fd);
			return hfds_error_set(err, HFDS_ECONFLICT,
				"%s repo '%s' is locked by another writer (waited %u ms)",
				hfds_repo_type_name(repo->type), repo->id, waited);
		}
		nanosleep(&ts, NULL);
		waited += 20;
	}
	*fd_out = fd;
	return 0;
}

void hfds_store__unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* closing the last descriptor releases the flock */
}
