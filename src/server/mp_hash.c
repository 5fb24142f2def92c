/*
 * The sha256 of a multipart upload, computed while its parts arrive instead of all at the
 * completion. Parts are written in place into one data file (upload.c); this keeps, per
 * data file, a hash of its in-order prefix [0, pos). A part writer that has just written
 * bytes [off, off + n) of its part advances the prefix when it reaches them: from its
 * buffer when pos == off, after reading back from the page cache the bytes of its own part
 * below off it wrote earlier (its part started at or before pos). A finished part carries
 * the prefix on through the parts after it that are complete too, so with parts sent in
 * parallel the prefix still covers nearly everything by the last part's end. The
 * completion hashes only what is left, or the whole file when the prefix cannot be trusted.
 *
 * Trust: the prefix hashes bytes as they were when hashed. Any write reported below pos (a
 * retried part rewriting bytes already hashed, perhaps with other bytes) marks the state
 * dirty, and a dirty state is ignored: the completion hashes the file from its start, so a
 * wrong object is refused exactly as before. Reports and prefix reads are serialised by the
 * state's mutex and each write happens before its report, so a write is either in the file
 * before the prefix passes it or reported after and then marks the state dirty.
 *
 * States live in a table of the server, keyed by oid, size and the data file's device and
 * inode (a file made after a completion is a new state), referenced by the part writers
 * and the completion; the completion removes its state. A state is a sha256 context and a
 * few counters (the read-back buffer is taken per read); the table holds at most MAX_STATES,
 * and when it is full the least recently used state no request holds (an abandoned upload)
 * makes room. Losing a state is harmless: a new one starts at 0 and the completion hashes
 * whatever the prefix did not reach.
 */
#include "server/srv_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"

#define MAX_STATES 256
#define READ_BLOCK (1u << 20)

struct srv_mp {
	srv_mp *next;
	char oid[65];
	uint64_t size, chunk;
	dev_t dev;
	ino_t ino;
	unsigned refs;              /* under the table's lock */
	int in_table;
	uint64_t used;              /* the table's clock at the last get */
	pthread_mutex_t mu;         /* the fields below */
	hfds_sha256 *sha;
	uint64_t pos;               /* bytes [0, pos) are hashed */
	int dirty;                  /* a write landed below pos: do not trust the prefix */
};

struct srv_mp_table {
	pthread_mutex_t mu;
	srv_mp *head;
	size_t count;
	uint64_t clock;
};

int srv_mp_table_new(srv_mp_table **out)
{
	srv_mp_table *t = hfds_calloc(1, sizeof(*t));
	*out = t;
	if (!t)
		return -1;
	pthread_mutex_init(&t->mu, NULL);
	return 0;
}

static void state_free(srv_mp *m)
{
	pthread_mutex_destroy(&m->mu);
	hfds_sha256_free(m->sha);
	hfds_free(m);
}

void srv_mp_table_free(srv_mp_table *t)
{
	if (!t)
		return;
	while (t->head) {
		srv_mp *m = t->head;
		t->head = m->next;
		state_free(m);   /* the daemon is stopped: no request holds a reference */
	}
	pthread_mutex_destroy(&t->mu);
	hfds_free(t);
}

static void unlink_state(srv_mp_table *t, srv_mp *m)
{
	for (srv_mp **p = &t->head; *p; p = &(*p)->next)
		if (*p == m) {
			*p = m->next;
			t->count--;
			m->in_table = 0;
			return;
		}
}

/* A full table: frees the least recently used state that no request holds (under t->mu). */
static void evict_one(srv_mp_table *t)
{
	srv_mp *old = NULL;
	for (srv_mp *m = t->head; m; m = m->next)
		if (m->refs == 0 && (!old || m->used < old->used))
			old = m;
	if (old) {
		unlink_state(t, old);
		state_free(old);
	}
}

srv_mp *srv_mp_get(srv_mp_table *t, const char *oid, uint64_t size, uint64_t chunk, int fd)
{
	struct stat sb;
	srv_mp *m;
	if (!t || fstat(fd, &sb) != 0 || strlen(oid) != 64)
		return NULL;
	pthread_mutex_lock(&t->mu);
	for (m = t->head; m; m = m->next)
		if (m->size == size && m->chunk == chunk && m->dev == sb.st_dev && m->ino == sb.st_ino && !strcmp(m->oid, oid))
			break;
	if (!m && t->count >= MAX_STATES)
		evict_one(t);
	if (!m && t->count < MAX_STATES && (m = hfds_calloc(1, sizeof(*m))) != NULL) {
		if (hfds_sha256_new(&m->sha, NULL) < 0) {
			hfds_free(m);
			m = NULL;
		} else {
			memcpy(m->oid, oid, 65);
			m->size = size;
			m->chunk = chunk;
			m->dev = sb.st_dev;
			m->ino = sb.st_ino;
			m->in_table = 1;
			pthread_mutex_init(&m->mu, NULL);
			m->next = t->head;
			t->head = m;
			t->count++;
		}
	}
	if (m) {
		m->refs++;
		m->used = ++t->clock;
	}
	pthread_mutex_unlock(&t->mu);
	return m;
}

void srv_mp_put(srv_mp_table *t, srv_mp *m, int drop)
{
	int last;
	if (!m)
		return;
	pthread_mutex_lock(&t->mu);
	if (drop && m->in_table)
		unlink_state(t, m);
	last = --m->refs == 0 && !m->in_table;
	pthread_mutex_unlock(&t->mu);
	if (last)
		state_free(m);
}

/* Hashes bytes [pos, end) of fd into the prefix (under m->mu). -1 marks it unusable. */
static int read_into(srv_mp *m, int fd, uint64_t end)
{
	char *buf = NULL;
	int rc = 0;
	if (m->pos < end && !(buf = hfds_malloc(READ_BLOCK)))
		rc = -1;
	while (rc == 0 && m->pos < end) {
		size_t want = end - m->pos < READ_BLOCK ? (size_t)(end - m->pos) : READ_BLOCK;
		ssize_t n = pread(fd, buf, want, (off_t)m->pos);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = -1;
			break;
		}
		hfds_sha256_update(m->sha, buf, (size_t)n);
		m->pos += (uint64_t)n;
	}
	if (rc < 0)
		m->dirty = 1;
	hfds_free(buf);
	return rc;
}

void srv_mp_wrote(srv_mp *m, int fd, uint64_t part_start, uint64_t off, const char *data, size_t n)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->mu);
	if (off < m->pos)
		m->dirty = 1;   /* bytes already hashed were written again */
	if (!m->dirty && m->pos >= part_start && m->pos <= off && read_into(m, fd, off) == 0) {
		hfds_sha256_update(m->sha, data, n);
		m->pos = off + n;
	}
	pthread_mutex_unlock(&m->mu);
}

void srv_mp_part_done(srv_mp *m, int fd, const char *dir)
{
	char marker[4400];
	struct stat sb;
	if (!m)
		return;
	pthread_mutex_lock(&m->mu);
	while (!m->dirty && m->pos < m->size && m->pos % m->chunk == 0) {
		uint64_t part = m->pos / m->chunk + 1, end = part * m->chunk < m->size ? part * m->chunk : m->size;
		snprintf(marker, sizeof(marker), "%s/%llu", dir, (unsigned long long)part);
		if (stat(marker, &sb) != 0 || read_into(m, fd, end) < 0)
			break;
	}
	pthread_mutex_unlock(&m->mu);
}

int srv_mp_finish(srv_mp *m, int fd, char hex[65])
{
	uint8_t d[32];
	int rc = -1;
	if (!m)
		return -1;
	pthread_mutex_lock(&m->mu);
	if (!m->dirty && read_into(m, fd, m->size) == 0 && hfds_sha256_final(m->sha, d, NULL) == 0) {
		hfds_sha256_hex(d, hex);
		rc = 0;
	}
	m->dirty = 1;   /* used up */
	pthread_mutex_unlock(&m->mu);
	return rc;
}
