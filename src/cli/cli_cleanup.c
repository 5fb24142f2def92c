/*
 * Staging folders removed when the CLI is killed by SIGTERM, SIGINT or SIGHUP: a push
 * writes its shards into <hub>/tmp/push-*, and a killed push must not leave them behind
 * (the sweep of old folders would only find them an hour later). The handler runs with
 * async-signal-safe calls only (open, getdents64, unlinkat, close), removes every
 * registered folder, then re-raises the signal with its default action so the exit status
 * still tells what happened.
 */
#include "cli.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SLOTS 4
#define PATH_CAP 4096

static char cleanup_dirs[SLOTS][PATH_CAP];
static volatile sig_atomic_t cleanup_used[SLOTS];
static int handlers_installed;

struct linux_dirent64 {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* Empties the folder open at `fd` (depth-limited), with system calls only. */
static void empty_dir(int fd, int depth)
{
	char buf[4096];
	long n;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
			off += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			if (unlinkat(fd, d->d_name, 0) == 0 || depth > 16)
				continue;
			int sub = openat(fd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				empty_dir(sub, depth + 1);
				close(sub);
				unlinkat(fd, d->d_name, AT_REMOVEDIR);
			}
		}
	}
}

static void on_signal(int sig)
{
	for (int i = 0; i < SLOTS; i++) {
		if (!cleanup_used[i])
			continue;
		int fd = open(cleanup_dirs[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0) {
			empty_dir(fd, 0);
			close(fd);
		}
		rmdir(cleanup_dirs[i]);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

void cli_cleanup_register(const char *dir)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
	if (!dir || strlen(dir) >= PATH_CAP)
		return;
	if (!handlers_installed) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		for (size_t k = 0; k < sizeof(sigs) / sizeof(sigs[0]); k++)
			sigaddset(&sa.sa_mask, sigs[k]);
		for (size_t k = 0; k < sizeof(sigs) / sizeof(sigs[0]); k++)
			sigaction(sigs[k], &sa, NULL);
		handlers_installed = 1;
	}
	for (int i = 0; i < SLOTS; i++) {
		if (!cleanup_used[i]) {
			memcpy(cleanup_dirs[i], dir, strlen(dir) + 1);
			cleanup_used[i] = 1;
			return;
		}
	}
}

void cli_cleanup_unregister(const char *dir)
{
	for (int i = 0; dir && i < SLOTS; i++)
		if (cleanup_used[i] && !strcmp(cleanup_dirs[i], dir))
			cleanup_used[i] = 0;
}
