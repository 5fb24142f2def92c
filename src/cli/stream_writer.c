/*
 * The writer child of `hfds stream --state` (see stream_writer.h for the contract).
 *
 * Why a process: writing rows to a pipe and recording how far the reader got are two
 * system calls, and a kill -9 can land between any two; in whichever order one process makes
 * them, some instant either loses a piece (recorded, not written) or repeats it (written, not
 * recorded). A kill -9 aimed at hfds reaches one pid, so the pair is made by another one,
 * which the kill does not reach: the child. The parent only hands it frames through a pipe;
 * a parent killed in the middle of a hand-over leaves a cut last frame, which the child drops
 * (nothing of it was written or recorded), and every whole frame is written then recorded.
 *
 * Signals: the child ignores SIGINT, SIGTERM and SIGHUP, which a terminal or a supervisor
 * sends to the whole process group: the parent dies of them (or of SIGKILL) and the child
 * finishes the frames it has and exits at the end of the pipe. SIGPIPE is ignored so that a
 * reader closing stdout is EPIPE: the child exits, its last record matching what stdout
 * took, and the parent's next hand-over fails with EPIPE too and ends the command cleanly.
 * Only a kill of the child itself (kill -9 of the process group) can still separate a write
 * from its record; the record then lags, and the rerun repeats at most the rows of the
 * child's last write.
 *
 * A reader closing a pipe must not take part of a frame the record does not cover: a write
 * that spans frames may stop half-way through one when it has to wait for the reader and the
 * reader then closes. So when stdout is a pipe, each writev carries only whole frames that fit
 * in the room the pipe has now (it never waits, so it is taken whole or refused whole), and a
 * frame that does not fit goes alone: text frames are <= 4 KiB = PIPE_BUF, which the kernel
 * writes atomically. (A cut Arrow frame, up to 1 MiB, is of no use to its reader anyway.)
 *
 * Cost: one copy of the output through a pipe and, per ~64 KiB (or per what the pipe has room
 * for), one read, one writev and one pwrite in the child; nothing of this runs without --state.
 */
#include "stream_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/alloc.h"

/* Bytes the parent gathers before one hand-over, and the child's first read buffer. */
#define HANDOVER (64u << 10)
/* Frames the child writes with one writev (then one pwrite of the last record). */
#define CHILD_IOV 64
/* A frame is at most a batch's text or IPC piece; anything beyond this is not ours. */
#define FRAME_MAX ((uint64_t)1 << 34)

typedef struct frame_hdr {
	uint64_t len;        /* bytes for stdout */
	uint64_t has_record; /* 1: CLI_STATE_RECORD bytes follow */
} frame_hdr;

/* What the child reports, in a shared anonymous page (no second pipe to drain). */
enum { CHILD_OK = 0, CHILD_READER_GONE = 1, CHILD_FAILED = 2 };
typedef struct child_status {
	int code;
	char message[256];
} child_status;

struct cli_stream_writer {
	pid_t pid;
	int fd;              /* the pipe's write end, -1 once closed */
	child_status *status;
	uint8_t *buf;        /* frames not handed over yet */
	size_t len;
	int waited;
};

/* ---- the child ------------------------------------------------------------------------ */

static void child_fail(child_status *st, const char *what, int e)
{
	snprintf(st->message, sizeof(st->message), "%s: %s", what, strerror(e));
	st->code = CHILD_FAILED;
	_exit(CHILD_FAILED);
}

/* Writes the frames' bytes (all of them, across short writes); after each writev, the record
 * of the last frame written whole, so a reader closing stdout mid-way leaves the record of
 * what stdout took. recs[i] is frame i's record or NULL. */
static void child_emit(struct iovec *iov, const uint8_t **recs, int n, int state_fd, child_status *st)
{
	const uint8_t *saved = NULL, *last = NULL;
	while (n > 0) {
		ssize_t w = writev(STDOUT_FILENO, iov, n);
		int e = errno;
		if (w < 0 && e == EINTR)
			continue;
		if (w < 0 && e != EPIPE)
			child_fail(st, "writing to stdout failed", e);
		while (n > 0 && w >= 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			last = *recs ? *recs : last;
			iov++;
			recs++;
			n--;
		}
		if (n > 0 && w > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
		errno = 0;
		if (last != saved && pwrite(state_fd, last, CLI_STATE_RECORD, 0) != CLI_STATE_RECORD)
			child_fail(st, "cannot save the stream state", errno ? errno : EIO);
		saved = last;
		if (w < 0) {
			st->code = CHILD_READER_GONE;
			_exit(CHILD_READER_GONE);
		}
	}
}

/* Bytes a write to stdout (a pipe) takes now without waiting for the reader; SIZE_MAX when
 * stdout is not a pipe. The pipe holds F_GETPIPE_SZ bytes in pages, and what it holds
 * occupies at most one page more than its bytes fill (a page partly read, a page partly
 * written), so the room is counted in free pages. */
static size_t pipe_room(int fifo)
{
	long page = sysconf(_SC_PAGESIZE);
	int cap, held;
	size_t pages, used;
	if (!fifo)
		return SIZE_MAX;
	cap = fcntl(STDOUT_FILENO, F_GETPIPE_SZ);
	if (page <= 0 || cap <= 0 || ioctl(STDOUT_FILENO, FIONREAD, &held) < 0 || held < 0)
		return 0;
	pages = (size_t)cap / (size_t)page;
	used = ((size_t)held + (size_t)page - 1) / (size_t)page + 1;
	return used >= pages ? 0 : (pages - used) * (size_t)page;
}

/* Writes every whole frame of buf[0, have) and returns the bytes they took; *need is the
 * size of a cut frame at the end (0 if none). fifo: stdout is a pipe (see the top). */
static size_t child_frames(uint8_t *buf, size_t have, size_t *need, int fifo, int state_fd, child_status *st)
{
	struct iovec iov[CHILD_IOV];
	const uint8_t *recs[CHILD_IOV];
	size_t p = 0, batch = 0, room = pipe_room(fifo);
	int n = 0;
	*need = 0;
	while (have - p >= sizeof(frame_hdr)) {
		frame_hdr h;
		size_t size;
		memcpy(&h, buf + p, sizeof(h));
		if (h.len > FRAME_MAX || h.has_record > 1)
			child_fail(st, "stream writer: bad frame from hfds", EPROTO);
		size = sizeof(h) + (size_t)h.len + (h.has_record ? CLI_STATE_RECORD : 0);
		if (have - p < size) {
			*need = size;
			break;
		}
		if (n > 0 && (n == CHILD_IOV || batch > room || h.len > room - batch)) {
			child_emit(iov, recs, n, state_fd, st);
			n = 0;
			batch = 0;
			room = pipe_room(fifo);
		}
		iov[n].iov_base = buf + p + sizeof(h);
		iov[n].iov_len = (size_t)h.len;
		recs[n++] = h.has_record ? buf + p + sizeof(h) + h.len : NULL;
		batch += (size_t)h.len;
		p += size;
	}
	if (n)
		child_emit(iov, recs, n, state_fd, st);
	return p;
}

static void child_run(int in, int state_fd, child_status *st)
{
	size_t cap = HANDOVER * 4, have = 0;
	uint8_t *buf = malloc(cap);
	struct stat sb;
	int fifo = fstat(STDOUT_FILENO, &sb) == 0 && S_ISFIFO(sb.st_mode);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if (!buf)
		child_fail(st, "stream writer", ENOMEM);
	for (;;) {
		size_t used, need;
		ssize_t r = read(in, buf + have, cap - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			child_fail(st, "stream writer: reading from hfds failed", errno);
		if (r == 0)
			break; /* the parent ended (or died): a cut last frame is dropped */
		have += (size_t)r;
		used = child_frames(buf, have, &need, fifo, state_fd, st);
		memmove(buf, buf + used, have - used);
		have -= used;
		if (need > cap) {
			uint8_t *b = realloc(buf, need);
			if (!b)
				child_fail(st, "stream writer", ENOMEM);
			buf = b;
			cap = need;
		}
	}
	st->code = CHILD_OK;
	_exit(CHILD_OK);
}

/* ---- the parent ----------------------------------------------------------------------- */

int cli_stream_writer_start(cli_stream_writer **out, int state_fd, hfds_error *err)
{
	cli_stream_writer *w = hfds_calloc(1, sizeof(*w));
	int pfd[2] = { -1, -1 }, devnull = -1, rc = 0;
	*out = NULL;
	if (!w || !(w->buf = hfds_malloc(HANDOVER))) {
		rc = hfds_error_set(err, HFDS_ENOMEM, "out of memory");
		goto done;
	}
	w->fd = -1;
	w->status = mmap(NULL, sizeof(child_status), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (w->status == MAP_FAILED) {
		w->status = NULL;
		rc = hfds_error_set(err, HFDS_EIO, "stream writer: mmap: %s", strerror(errno));
		goto done;
	}
	w->status->code = -1;
	if (pipe2(pfd, O_CLOEXEC) < 0 || (devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0) {
		rc = hfds_error_set(err, HFDS_EIO, "stream writer: %s", strerror(errno));
		goto done;
	}
	fflush(NULL);
	w->pid = fork();
	if (w->pid < 0) {
		rc = hfds_error_set(err, HFDS_EIO, "stream writer: fork: %s", strerror(errno));
		goto done;
	}
	if (w->pid == 0) {
		close(pfd[1]);
		close(devnull);
		child_run(pfd[0], state_fd, w->status);
	}
	w->fd = pfd[1];
	pfd[1] = -1;
	/* stdout is the child's now; EPIPE on the pipe means the child is gone */
	if (dup2(devnull, STDOUT_FILENO) < 0) {
		rc = hfds_error_set(err, HFDS_EIO, "stream writer: dup2: %s", strerror(errno));
		goto done;
	}
	signal(SIGPIPE, SIG_IGN);
done:
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (devnull >= 0)
		close(devnull);
	close(state_fd);
	if (rc < 0)
		cli_stream_writer_free(w);
	else
		*out = w;
	return rc;
}

static int send_all(cli_stream_writer *w, struct iovec *iov, int n, hfds_error *err)
{
	while (n > 0) {
		ssize_t k = writev(w->fd, iov, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EPIPE)
			return HFDS_ECANCELLED;
		if (k < 0)
			return hfds_error_set(err, HFDS_EIO, "stream writer: %s", strerror(errno));
		while (n > 0 && (size_t)k >= iov->iov_len) {
			k -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + k;
			iov->iov_len -= (size_t)k;
		}
	}
	return 0;
}

int cli_stream_writer_flush(cli_stream_writer *w, hfds_error *err)
{
	struct iovec iov = { w->buf, w->len };
	int rc;
	if (!w->len)
		return 0;
	rc = send_all(w, &iov, 1, err);
	w->len = 0;
	return rc;
}

int cli_stream_writer_put(cli_stream_writer *w, const void *data, size_t len, const char *record, hfds_error *err)
{
	frame_hdr h = { len, record != NULL };
	size_t size = sizeof(h) + len + (record ? CLI_STATE_RECORD : 0);
	int rc;
	if (w->len + size > HANDOVER && (rc = cli_stream_writer_flush(w, err)) < 0)
		return rc;
	if (size > HANDOVER) {
		struct iovec iov[3] = { { &h, sizeof(h) }, { (void *)data, len }, { (void *)record, CLI_STATE_RECORD } };
		return send_all(w, iov, record ? 3 : 2, err);
	}
	memcpy(w->buf + w->len, &h, sizeof(h));
	if (len)
		memcpy(w->buf + w->len + sizeof(h), data, len);
	if (record)
		memcpy(w->buf + w->len + sizeof(h) + len, record, CLI_STATE_RECORD);
	w->len += size;
	return 0;
}

static void end_and_wait(cli_stream_writer *w, int *status)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	*status = 0;
	while (!w->waited && waitpid(w->pid, status, 0) < 0 && errno == EINTR)
		;
	w->waited = 1;
}

int cli_stream_writer_finish(cli_stream_writer *w, hfds_error *err)
{
	int status, rc = cli_stream_writer_flush(w, err);
	if (rc < 0 && rc != HFDS_ECANCELLED)
		return rc;
	end_and_wait(w, &status);
	if (WIFSIGNALED(status))
		return hfds_error_set(err, HFDS_EIO, "the stream writer (pid %d) was killed by signal %d", (int)w->pid,
			WTERMSIG(status));
	if (w->status->code == CHILD_READER_GONE)
		return 1;
	if (w->status->code != CHILD_OK)
		return hfds_error_set(err, HFDS_EIO, "%s", w->status->code == CHILD_FAILED ? w->status->message
			: "the stream writer ended without a status");
	return 0;
}

void cli_stream_writer_free(cli_stream_writer *w)
{
	int status;
	if (!w)
		return;
	if (w->pid > 0)
		end_and_wait(w, &status);
	if (w->status)
		munmap(w->status, sizeof(child_status));
	hfds_free(w->buf);
	hfds_free(w);
}
