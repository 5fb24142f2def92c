/*
 * Staging folders for shards on their way to a commit, and the sweep of folders left by
 * killed pushes. A folder is made as `init-XXXXXX`, its `.lock` is flock'ed, and only then
 * is it renamed to `push-XXXXXX`: every `push-*` folder of a live push holds its lock, and
 * the kernel drops the lock when the process dies however it dies. The sweep removes the
 * `push-*` folders whose lock it can take, so a slow push (stdin, a large row group in
 * memory) is never removed however long it leaves its folder untouched, while a killed
 * one is removed by the very next push. Folders without a lock file (older versions) and
 * `init-*` folders are removed after an hour without a change, as before. A kept folder
 * (push --keep) is renamed out of the `push-` namespace, so no sweep ever touches it.
 */
#include "hub/backend.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/try.h"

#define STALE_SECONDS 3600

struct hfds_hub_staging {
	char *path;
	int lock_fd;
	int slot;                 /* in `live`, or -1 */
};

/* The folders of this process, for hfds_hub_staging_remove_all_on_signal: a slot's path is
 * written before its flag is set and the flag cleared before the path is reused, so a signal
 * handler reading them sees whole paths. */
#define LIVE_SLOTS 16
static char live_path[LIVE_SLOTS][4096];
static int live_used[LIVE_SLOTS];
static pthread_mutex_t live_mu = PTHREAD_MUTEX_INITIALIZER;

static int live_add(const char *path)
{
	int slot = -1;
	if (strlen(path) >= sizeof(live_path[0]))
		return -1;
	pthread_mutex_lock(&live_mu);
	for (int i = 0; i < LIVE_SLOTS && slot < 0; i++)
		if (!__atomic_load_n(&live_used[i], __ATOMIC_ACQUIRE)) {
			strcpy(live_path[i], path);
			__atomic_store_n(&live_used[i], 1, __ATOMIC_RELEASE);
			slot = i;
		}
	pthread_mutex_unlock(&live_mu);
	return slot;
}

static void live_remove(int slot)
{
	if (slot >= 0)
		__atomic_store_n(&live_used[slot], 0, __ATOMIC_RELEASE);
}

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* rm -r below the open directory `dfd` with raw system calls only (signal-safe); `depth`
 * bounds the recursion (staging folders are a few levels deep). */
static void remove_below(int dfd, int depth)
{
	char buf[2048];
	long n;
	if (depth > 8)
		return;
	while ((n = syscall(SYS_getdents64, dfd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(void *)(buf + off);
			off += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			if (d->d_type == DT_DIR) {
				int sub = openat(dfd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				if (sub >= 0) {
					remove_below(sub, depth + 1);
					close(sub);
				}
				unlinkat(dfd, d->d_name, AT_REMOVEDIR);
			} else {
				unlinkat(dfd, d->d_name, 0);
			}
		}
	}
}

void hfds_hub_staging_remove_all_on_signal(void)
{
	for (int i = 0; i < LIVE_SLOTS; i++) {
		int fd;
		if (!__atomic_load_n(&live_used[i], __ATOMIC_ACQUIRE))
			continue;
		if ((fd = open(live_path[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
			remove_below(fd, 0);
			close(fd);
		}
		rmdir(live_path[i]);
	}
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void remove_tree(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static time_t newest;

static int note_mtime(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)path;
	(void)flag;
	(void)ftw;
	if (sb->st_mtime > newest)
		newest = sb->st_mtime;
	return 0;
}

/* Nothing below `path` changed for an hour (for folders that hold no lock file). */
static int stale(const char *path)
{
	newest = 0;
	return nftw(path, note_mtime, 16, FTW_PHYS) == 0 && time(NULL) - newest > STALE_SECONDS;
}

static void sweep_one(const char *path, int is_push)
{
	char lock[4200];
	int fd;
	snprintf(lock, sizeof(lock), "%s/.lock", path);
	if (!is_push || (fd = open(lock, O_RDWR | O_CLOEXEC)) < 0) {
		if ((!is_push || errno == ENOENT) && stale(path))
			remove_tree(path);
		return;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		remove_tree(path);   /* no live process holds it: a killed push's leftovers */
	close(fd);
}

static void sweep(const char *base)
{
	DIR *d = opendir(base);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char *path = NULL;
		struct stat sb;
		int is_push = !strncmp(e->d_name, "push-", 5);
		if ((!is_push && strncmp(e->d_name, "init-", 5)) || asprintf(&path, "%s/%s", base, e->d_name) < 0)
			continue;
		if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
			sweep_one(path, is_push);
		free(path);
	}
	closedir(d);
}

int hfds_hub_staging_new(hfds_hub_staging **out, hfds_hub *hub, hfds_error *err)
{
	hfds_hub_staging *s = NULL;
	char *base = NULL, *tmpl = NULL, *lock = NULL, *final = NULL;
	int rc = 0;
	HFDS_ASSERT_ARG(out && hub, err);
	*out = NULL;
	HFDS_TRY(hub->be->staging_root(&base, hub, err));
	/* mkdir -p: the spool of a remote hub may be the first thing under $HFDS_HOME */
	for (char *p = base + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		HFDS_FAIL_IF(mkdir(base, 0777) < 0 && errno != EEXIST, HFDS_EIO, err, "%s: %s", base, strerror(errno));
		*p = '/';
	}
	HFDS_FAIL_IF(mkdir(base, 0777) < 0 && errno != EEXIST, HFDS_EIO, err, "%s: %s", base, strerror(errno));
	sweep(base);
	s = hfds_calloc(1, sizeof(*s));
	HFDS_FAIL_IF(!s, HFDS_ENOMEM, err, "out of memory");
	s->lock_fd = -1;
	s->slot = -1;
	HFDS_FAIL_IF(asprintf(&tmpl, "%s/init-XXXXXX", base) < 0, HFDS_ENOMEM, err, "out of memory");
	HFDS_FAIL_IF(!mkdtemp(tmpl), HFDS_EIO, err, "%s: %s", tmpl, strerror(errno));
	HFDS_FAIL_IF(asprintf(&lock, "%s/.lock", tmpl) < 0 ||
		asprintf(&final, "%s/push-%s", base, tmpl + strlen(base) + 6) < 0, HFDS_ENOMEM, err, "out of memory");
	s->lock_fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	s->slot = live_add(final);   /* before it appears as push-*: a signal then removes it */
	if (s->lock_fd < 0 || flock(s->lock_fd, LOCK_EX) < 0 || rename(tmpl, final) < 0) {
		rc = hfds_error_set(err, HFDS_EIO, "%s: cannot make a locked staging folder: %s", tmpl, strerror(errno));
		remove_tree(tmpl);
		goto done;
	}
	s->path = final;
	final = NULL;
	*out = s;
	s = NULL;
done:
	hfds_hub_staging_free(s);
	free(base);
	free(tmpl);
	free(lock);
	free(final);
	return rc;
}

const char *hfds_hub_staging_path(const hfds_hub_staging *s)
{
	return s ? s->path : NULL;
}

/* Replaces the file `name` in dfd by a private copy (0644): it shares its inode with a
 * read-only store object. */
static int own_copy(int dfd, const char *name, hfds_error *err)
{
	char tmp[300];
	int in = -1, out = -1, rc = 0;
	snprintf(tmp, sizeof(tmp), ".keep-%d", (int)getpid());
	in = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	out = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	HFDS_FAIL_IF(in < 0 || out < 0, HFDS_EIO, err, "%s: %s", name, strerror(errno));
	for (;;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, 1u << 30, 0);
		if (n < 0 && errno == EINTR)
			continue;
		HFDS_FAIL_IF(n < 0, HFDS_EIO, err, "%s: copy: %s", name, strerror(errno));
		if (n == 0)
			break;
	}
	HFDS_FAIL_IF(renameat(dfd, tmp, dfd, name) < 0, HFDS_EIO, err, "%s: %s", name, strerror(errno));
done:
	if (rc < 0 && out >= 0)
		unlinkat(dfd, tmp, 0);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return rc;
}

/* Gives every hard-linked file below dfd its own copy; `depth` bounds the recursion. */
static int unshare_below(int dfd, int depth, hfds_error *err)
{
	DIR *d;
	struct dirent *e;
	int rc = 0, fd = dup(dfd);
	HFDS_FAIL_IF(depth > 8, HFDS_EIO, err, "staging folder nested too deep");
	HFDS_FAIL_IF(fd < 0 || !(d = fdopendir(fd)), HFDS_EIO, err, "staging folder: %s", strerror(errno));
	fd = -1;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		struct stat sb;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || fstatat(dfd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			int sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			rc = sub < 0 ? hfds_error_set(err, HFDS_EIO, "%s: %s", e->d_name, strerror(errno))
				: unshare_below(sub, depth + 1, err);
			if (sub >= 0)
				close(sub);
		} else if (S_ISREG(sb.st_mode) && sb.st_nlink > 1) {
			rc = own_copy(dfd, e->d_name, err);
		}
	}
	closedir(d);
done:
	if (fd >= 0)
		close(fd);
	return rc;
}

int hfds_hub_staging_keep(hfds_hub_staging *s, const char *name, char **kept, hfds_error *err)
{
	char *dest = NULL, *lock = NULL;
	int rc = 0, dfd = -1, root_len;
	HFDS_ASSERT_ARG(s && s->path && name && kept, err);
	*kept = NULL;
	HFDS_FAIL_IF(!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") || !strncmp(name, "push-", 5)
		|| !strncmp(name, "init-", 5), HFDS_EINVAL, err, "kept folder name '%s' is not allowed", name);
	root_len = (int)(strrchr(s->path, '/') - s->path);
	HFDS_FAIL_IF(asprintf(&dest, "%.*s/%s", root_len, s->path, name) < 0 || asprintf(&lock, "%s/.lock", dest) < 0,
		HFDS_ENOMEM, err, "out of memory");
	HFDS_FAIL_IF(access(dest, F_OK) == 0, HFDS_EEXISTS, err, "%s already exists", dest);
	dfd = open(s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	HFDS_FAIL_IF(dfd < 0, HFDS_EIO, err, "%s: %s", s->path, strerror(errno));
	HFDS_TRY(unshare_below(dfd, 0, err));
	HFDS_FAIL_IF(rename(s->path, dest) < 0, HFDS_EIO, err, "%s: cannot rename to %s: %s", s->path, dest,
		strerror(errno));
	live_remove(s->slot);
	s->slot = -1;
	unlink(lock);      /* our flock stays on the open file until the handle is freed */
	free(s->path);
	s->path = NULL;   /* nothing left for _free to remove */
	HFDS_FAIL_IF(!(*kept = hfds_strdup(dest)), HFDS_ENOMEM, err, "out of memory");
done:
	if (dfd >= 0)
		close(dfd);
	free(lock);
	free(dest);
	return rc;
}

void hfds_hub_staging_free(hfds_hub_staging *s)
{
	if (!s)
		return;
	live_remove(s->slot);
	if (s->path)
		remove_tree(s->path);   /* the lock is held until everything is gone */
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s->path);
	hfds_free(s);
}
