/*
 * The output writer of `hfds stream --state FILE`: a child process that owns stdout and the
 * state file, so that a kill -9 of hfds never separates rows written from their record.
 *
 * The parent (which fetches and decodes, with threads) hands the child frames: bytes for
 * stdout, optionally followed by the fixed-size state record that holds once those bytes
 * are written. The child writes the bytes, then pwrites the record, frame after frame, and
 * exits at the end of its pipe, dropping an incomplete last frame. A kill -9 of the parent
 * at any instant leaves the child with whole frames, which it finishes: the record always
 * matches the bytes stdout took. The child holds an exclusive flock on the state file while
 * it lives, so a rerun waits for it before reading the state (cmd_stream.c). See
 * stream_writer.c for signals and the reader closing its end.
 *
 * Not thread-safe: one thread of the parent calls these functions.
 */
#ifndef HFDS_CLI_STREAM_WRITER_H
#define HFDS_CLI_STREAM_WRITER_H

#include <stddef.h>

#include "hfds/common.h"

/* The state file holds one record of this size, rewritten in place with one pwrite(). */
#define CLI_STATE_RECORD 128

typedef struct cli_stream_writer cli_stream_writer;

/*
 * Forks the writer child. Call it before any thread starts (the child then runs single-
 * threaded code only). `state_fd` is the state file, opened read-write and already locked
 * with flock(LOCK_EX); the writer takes it (the parent's copy is closed here, the child's
 * keeps the lock). The parent's stdout becomes /dev/null and SIGPIPE is ignored in it.
 * On failure state_fd is closed too.
 */
int cli_stream_writer_start(cli_stream_writer **out, int state_fd, hfds_error *err);

/*
 * Queues `len` bytes for stdout, then (when `record` is not NULL) the CLI_STATE_RECORD
 * bytes that hold once they are written. Frames are buffered and handed over in ~64 KiB
 * writes (a frame never spans two hand-overs unless it is larger). Returns 0, HFDS_ECANCELLED
 * when the child is gone (the reader closed stdout, or an error: cli_stream_writer_finish
 * tells which), or HFDS_EIO.
 */
int cli_stream_writer_put(cli_stream_writer *w, const void *data, size_t len, const char *record, hfds_error *err);

/* Hands over what is buffered (the end of a batch: the next one may take a while). */
int cli_stream_writer_flush(cli_stream_writer *w, hfds_error *err);

/*
 * Flushes, ends the pipe and waits until the child has written everything: 0 when it
 * did, 1 when the reader closed stdout first (the record holds what stdout took), or a
 * negative code with `err` (writing stdout or the state failed).
 */
int cli_stream_writer_finish(cli_stream_writer *w, hfds_error *err);

/* Ends the pipe, waits for the child if _finish did not, frees. NULL-safe. */
void cli_stream_writer_free(cli_stream_writer *w);

#endif
