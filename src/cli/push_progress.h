/* The progress of `hfds push` / `hfds commit`: one bar on a terminal, JSON Lines events with
 * --json, nothing with -q (push_progress.c). */
#ifndef HFDS_CLI_PUSH_PROGRESS_H
#define HFDS_CLI_PUSH_PROGRESS_H

#include <pthread.h>
#include <stdint.h>

#include "hfds/publish.h"

enum { PUSH_QUIET = 0, PUSH_LINES = 1, PUSH_BAR = 2, PUSH_JSON = 3 };

typedef struct push_progress {
	int mode;
	pthread_mutex_t mu;     /* events come from the writing thread and upload threads */
	double start, last;     /* seconds (monotonic) */
	int bar_shown;
	hfds_hub_progress up;   /* the newest upload counters */
} push_progress;

void push_progress_init(push_progress *p, int mode);
/* Ends the bar's line (the library is done reporting). */
void push_progress_done(push_progress *p);
void push_progress_release(push_progress *p);
/* hfds_push_progress_fn */
void push_progress_event(void *payload, const hfds_push_event *e);
/* A final JSON event / line: {"event": "done", "sha": ...} or the split summary. */
void push_progress_emit(push_progress *p, const char *event, const char *key, const char *value);
/* {"event": "no_changes", "repo": ..., "sha": ...}: no commit was made, nothing would change. */
void push_progress_unchanged(push_progress *p, const char *repo_id, const char *sha);

#endif
