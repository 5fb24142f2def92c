/*
 * Progress rendering for push and commit. The library reports events (rows, shards,
 * uploads queued/stored, commits) from the writing thread and from upload threads; one
 * mutex keeps their lines whole. The bar is redrawn at most ten times a second: bytes
 * stored of bytes handed over, MB/s since the start, ETA of the upload queue at that rate,
 * files, retries, and the split being written, cut to the terminal's width.
 */
#include "push_progress.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "util/buf.h"
#include "util/json.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void push_progress_init(push_progress *p, int mode)
{
	memset(p, 0, sizeof(*p));
	p->mode = mode;
	pthread_mutex_init(&p->mu, NULL);
	p->start = now();
}

void push_progress_done(push_progress *p)
{
	if (p->mode == PUSH_BAR && p->bar_shown)
		fputc('\n', stderr);
	p->bar_shown = 0;
}

void push_progress_release(push_progress *p)
{
	pthread_mutex_destroy(&p->mu);
}

static void json_str(hfds_buf *b, const char *key, const char *v)
{
	if (!v)
		return;
	hfds_buf_printf(b, NULL, ", \"%s\": ", key);
	hfds_json_append_string(b, v, strlen(v), HFDS_JSON_UTF8, NULL);
}

static void json_event(push_progress *p, const hfds_push_event *e, double t)
{
	hfds_buf b;
	const hfds_hub_progress *u = &p->up;
	hfds_buf_init(&b, 0);
	hfds_buf_printf(&b, NULL, "{\"event\": ");
	hfds_json_append_string(&b, e->event, strlen(e->event), HFDS_JSON_UTF8, NULL);
	json_str(&b, "config", e->config);
	json_str(&b, "split", e->split);
	json_str(&b, "path", e->path);
	json_str(&b, "detail", e->detail);
	hfds_buf_printf(&b, NULL, ", \"rows\": %llu, \"shards\": %llu, \"files_done\": %llu, \"files_total\": %llu, "
		"\"bytes_done\": %llu, \"bytes_total\": %llu, \"spool_bytes\": %llu, \"retries\": %llu, "
		"\"seconds\": %.3f, \"mb_per_s\": %.2f}\n", (unsigned long long)e->rows, (unsigned long long)e->shards,
		(unsigned long long)u->files_done, (unsigned long long)u->files_total, (unsigned long long)u->bytes_done,
		(unsigned long long)u->bytes_total, (unsigned long long)u->spool_bytes, (unsigned long long)u->retries,
		t - p->start, t > p->start ? (double)u->bytes_done / 1e6 / (t - p->start) : 0.0);
	if (b.data)
		fwrite(b.data, 1, b.len, stderr);
	fflush(stderr);
	hfds_buf_release(&b);
}

/* Columns of the terminal on stderr, asked at every redraw (a resized window follows). */
static size_t columns(void)
{
	struct winsize ws;
	if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* The bar stays shorter than the terminal: a line that wraps could not be redrawn in place
 * (\r returns to the start of the last row only), so each frame would leave a row behind.
 * The split's row count is shown whole or not at all (a cut number would mislead); a
 * terminal too narrow for the counters cuts them at a UTF-8 boundary. */
static void bar(push_progress *p, const hfds_push_event *e, double t)
{
	const hfds_hub_progress *u = &p->up;
	double el = t - p->start, rate = el > 0 ? (double)u->bytes_done / el : 0;
	double left = rate > 0 ? (double)(u->bytes_total - u->bytes_done) / rate : 0;
	char line[512];
	size_t n, cols = columns();
	int k = snprintf(line, sizeof(line), "hfds push: %.1f/%.1f MB  %.1f MB/s  ETA %.0fs  files %llu/%llu  retries %llu",
		(double)u->bytes_done / 1e6, (double)u->bytes_total / 1e6, rate / 1e6, left,
		(unsigned long long)u->files_done, (unsigned long long)u->files_total, (unsigned long long)u->retries);
	n = k < 0 ? 0 : (size_t)k < sizeof(line) ? (size_t)k : sizeof(line) - 1;
	if (e->split && n < sizeof(line)) {
		k = snprintf(line + n, sizeof(line) - n, "  %s/%s: %llu rows", e->config, e->split, (unsigned long long)e->rows);
		if (k < 0 || n + (size_t)k > cols - 1 || n + (size_t)k >= sizeof(line))
			line[n] = '\0';
	}
	n = strlen(line);
	if (n > cols - 1) {
		n = cols - 1;
		while (n > 0 && ((unsigned char)line[n] & 0xC0) == 0x80)
			n--;
	}
	fprintf(stderr, "\r\033[K%.*s", (int)n, line);
	fflush(stderr);
	p->bar_shown = 1;
}

void push_progress_event(void *payload, const hfds_push_event *e)
{
	push_progress *p = payload;
	double t;
	if (p->mode == PUSH_QUIET)
		return;
	pthread_mutex_lock(&p->mu);
	t = now();
	if (e->up.files_total || e->up.bytes_total)
		p->up = e->up;
	if (p->mode == PUSH_JSON) {
		json_event(p, e, t);
	} else if (!strcmp(e->event, "features")) {
		fprintf(stderr, "%shfds push: features inferred from the first lines of %s (pass --features to choose): %s\n",
			p->bar_shown ? "\n" : "", e->path, e->detail);
	} else if (!strcmp(e->event, "dropped")) {
		fprintf(stderr, "%shfds push: %s: %llu keys not in the features were dropped (--ignore-extra)\n",
			p->bar_shown ? "\n" : "", e->path, (unsigned long long)e->rows);
	} else if (!strcmp(e->event, "warning")) {
		fprintf(stderr, "%shfds push: warning: %s\n", p->bar_shown ? "\n" : "", e->detail);
	} else if (p->mode == PUSH_BAR && (t - p->last >= 0.1 || strcmp(e->event, "rows"))) {
		p->last = t;
		bar(p, e, t);
	}
	pthread_mutex_unlock(&p->mu);
}

/* Writes a whole JSON line under the lock (upload threads may still report), then frees it. */
static void put_line(push_progress *p, hfds_buf *b)
{
	hfds_buf_printf(b, NULL, "}\n");
	pthread_mutex_lock(&p->mu);
	if (b->data)
		fwrite(b->data, 1, b->len, stderr);
	fflush(stderr);
	pthread_mutex_unlock(&p->mu);
	hfds_buf_release(b);
}

void push_progress_emit(push_progress *p, const char *event, const char *key, const char *value)
{
	hfds_buf b;
	if (p->mode != PUSH_JSON)
		return;
	hfds_buf_init(&b, 0);
	hfds_buf_printf(&b, NULL, "{\"event\": \"%s\", \"%s\": ", event, key);
	hfds_json_append_string(&b, value, strlen(value), HFDS_JSON_UTF8, NULL);
	put_line(p, &b);
}

void push_progress_unchanged(push_progress *p, const char *repo_id, const char *sha)
{
	hfds_buf b;
	if (p->mode != PUSH_JSON)
		return;
	hfds_buf_init(&b, 0);
	hfds_buf_printf(&b, NULL, "{\"event\": \"no_changes\"");
	json_str(&b, "repo", repo_id);
	json_str(&b, "sha", sha);
	put_line(p, &b);
}
