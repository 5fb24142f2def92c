/*
 * hfds_stream: the rows of one split, shard by shard and row group by row group, read over
 * the hub with ranged reads. The split's files are resolved once at a fixed commit (the one
 * a resume position names), so a new commit while streaming or between runs changes
 * nothing: the stream continues over the same bytes.
 *
 * Reading happens on one background thread started by the first hfds_stream_next: while
 * the consumer formats batch k, the thread fetches (one coalesced range per projected
 * top-level column, see the reader) and decodes batch k+1, and then waits. The hub handle is
 * only used by that thread until hfds_stream_free joins it, so the hub's one-thread rule holds.
 */
#include "hfds/stream.h"

#include <pthread.h>
#include <string.h>

#include "hfds/dataset.h"
#include "stream/st_rfile.h"
#include "util/alloc.h"
#include "util/try.h"

/* A batch handed from the prefetch thread to the consumer. */
typedef struct prefetched {
	int rc;                    /* 0, HFDS_ITEROVER or the error in `err` */
	struct ArrowArray batch;
	struct ArrowSchema schema; /* the batch's own copy: the next shard's may differ */
	int64_t first;
	hfds_stream_pos at;
	hfds_error err;
} prefetched;

struct hfds_stream {
	hfds_hub *hub;
	hfds_hub_dataset *ds;
	char *repo_id;
	char commit[HFDS_OID_HEX_SIZE];
	hfds_ds_repo_file *files;
	size_t count;
	char **columns;
	size_t ncolumns;
	/* the shard being read */
	size_t shard;
	hfds_rfile rf;
	hfds_pq_reader *reader;
	struct ArrowArrayStream rows;
	int *rgs;             /* the row groups the scan returns, in order (non-empty ones) */
	size_t nrgs, rg_i;    /* their count; index of the next one */
	uint64_t skip_rg;     /* resuming: row groups of the first shard to skip */
	uint64_t skip_rows;   /* resuming: rows of the first returned row group to skip */
	uint64_t bytes_done;  /* bytes read by shards already closed */
	/* the prefetch thread (everything above belongs to it once started) and its slot */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int started, stop, full, done;
	uint64_t wanted, made, taken;
	prefetched slot;
	struct ArrowSchema schema_out; /* the schema of the batch the consumer holds */
};

static void close_shard(hfds_stream *s)
{
	if (s->rows.release)
		s->rows.release(&s->rows);
	memset(&s->rows, 0, sizeof(s->rows));
	hfds_pq_reader_free(s->reader);
	s->reader = NULL;
	hfds_free(s->rgs);
	s->rgs = NULL;
	s->nrgs = s->rg_i = 0;
	__atomic_add_fetch(&s->bytes_done, s->rf.bytes_read, __ATOMIC_RELEASE);
	hfds_rfile_release(&s->rf);
	memset(&s->rf, 0, sizeof(s->rf));
}

static int open_shard(hfds_stream *s, hfds_error *err)
{
	int rc = 0;
	int nrg, i;
	hfds_pq_scan_options so;
	hfds_rfile rf = { s->hub, s->repo_id, s->commit, s->files[s->shard].path, s->files[s->shard].size, NULL, 0, 0, &s->stop };
	hfds_pq_scan_options_init(&so);
	so.columns = (const char *const *)s->columns;
	so.ncolumns = s->ncolumns;
	s->rf = rf;
	HFDS_TRY(hfds_rfile_open_parquet(&s->reader, &s->rf, NULL, err));
	nrg = hfds_pq_reader_num_row_groups(s->reader);
	HFDS_FAIL_IF(s->skip_rg > (uint64_t)nrg, HFDS_EINVAL, err, "%s: resume position row group %llu but the file has %d",
		s->rf.path, (unsigned long long)s->skip_rg, nrg);
	/* the scan skips empty row groups; listing the non-empty ones tells which group each
	 * batch is, for the resume position */
	s->rgs = hfds_calloc((size_t)nrg + 1, sizeof(*s->rgs));
	HFDS_FAIL_IF(!s->rgs, HFDS_ENOMEM, err, "out of memory");
	for (i = (int)s->skip_rg; i < nrg; i++)
		if (hfds_pq_reader_row_group_num_rows(s->reader, i) > 0)
			s->rgs[s->nrgs++] = i;
	so.row_groups = s->rgs;
	so.nrow_groups = s->nrgs;
	HFDS_TRY(hfds_pq_reader_scan(s->reader, &so, &s->rows, err));
done:
	return rc;
}

void hfds_stream_options_init(hfds_stream_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->version = HFDS_STREAM_OPTIONS_VERSION;
}

int hfds_stream_open(hfds_stream **out, hfds_hub *hub, const char *repo_id, const hfds_stream_options *opt,
	hfds_error *err)
{
	int rc = 0;
	size_t i;
	hfds_stream *s;
	const hfds_stream_pos *at = opt ? opt->resume : NULL;
	*out = NULL;
	HFDS_ASSERT_ARG(hub && repo_id, err);
	HFDS_CHECK_VERSION(opt, HFDS_STREAM_OPTIONS_VERSION, "hfds_stream_options", err);
	s = hfds_calloc(1, sizeof(*s));
	if (!s)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	s->hub = hub;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	HFDS_FAIL_IF(!(s->repo_id = hfds_strdup(repo_id)), HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(hfds_hub_resolve(s->commit, hub, HFDS_REPO_DATASET, repo_id,
		at ? at->commit : opt ? opt->revision : NULL, err));
	HFDS_TRY(hfds_hub_dataset_open(&s->ds, hub, repo_id, NULL, 0, err));
	HFDS_TRY(hfds_ds_split_files(hfds_hub_dataset_ops(s->ds), s->commit, opt ? opt->config : NULL,
		opt && opt->split ? opt->split : "train", &s->files, &s->count, err));
	if (opt && opt->ncolumns) {
		s->columns = hfds_calloc(opt->ncolumns, sizeof(char *));
		HFDS_FAIL_IF(!s->columns, HFDS_ENOMEM, err, "out of memory");
		for (i = 0; i < opt->ncolumns; i++, s->ncolumns++)
			HFDS_FAIL_IF(!(s->columns[i] = hfds_strdup(opt->columns[i])), HFDS_ENOMEM, err, "out of memory");
	}
	if (at) {
		HFDS_FAIL_IF(at->shard > s->count, HFDS_EINVAL, err,
			"resume position shard %llu but the split has %zu files at %.12s", (unsigned long long)at->shard,
			s->count, s->commit);
		s->shard = (size_t)at->shard;
		s->skip_rg = at->row_group;
		s->skip_rows = at->row;
	}
	*out = s;
	s = NULL;
done:
	hfds_stream_free(s);
	return rc;
}

/* One batch read on the prefetch thread (or the error or end that stopped it). */
static int produce(hfds_stream *s, prefetched *it)
{
	int rc = 0;
	hfds_error *err = &it->err;
	struct ArrowArray *batch = &it->batch;
	for (;;) {
		if (s->shard >= s->count)
			return HFDS_ITEROVER;
		if (!s->reader)
			HFDS_TRY(open_shard(s, err));
		if (s->rows.get_next(&s->rows, batch) != 0) {
			hfds_pq_stream_error(&s->rows, err);
			HFDS_FAIL(err->code ? err->code : HFDS_ECORRUPT, err, "%s", err->message);
		}
		if (batch->release && s->rg_i < s->nrgs)
			break;
		if (batch->release)
			batch->release(batch);
		close_shard(s);
		s->shard++;
		s->skip_rg = 0;
		s->skip_rows = 0;
	}
	HFDS_FAIL_IF(s->skip_rows > (uint64_t)batch->length, HFDS_EINVAL, err,
		"%s: resume position row %llu but row group %d has %lld rows", s->rf.path,
		(unsigned long long)s->skip_rows, s->rgs[s->rg_i], (long long)batch->length);
	/* the consumer keeps this schema while the thread may move on to the next shard */
	HFDS_FAIL_IF(s->rows.get_schema(&s->rows, &it->schema) != 0, HFDS_ENOMEM, err, "out of memory");
	memcpy(it->at.commit, s->commit, sizeof(it->at.commit));
	it->at.shard = s->shard;
	it->at.row_group = (uint64_t)s->rgs[s->rg_i];
	it->at.row = s->skip_rows;
	it->first = (int64_t)s->skip_rows;
	s->skip_rows = 0;
	s->rg_i++;
done:
	if (rc < 0 && batch->release)
		batch->release(batch);
	return rc;
}

/*
 * The prefetch thread: reads batch k+1 while the consumer holds batch k, never further
 * ahead. It waits until the consumer has taken the previous batch out of the slot and asked
 * for the next (wanted > made); a consumer that releases each batch before asking for the
 * next one (the contract in stream.h) therefore has at most two row groups alive.
 */
static void *prefetch_main(void *arg)
{
	hfds_stream *s = arg;
	for (;;) {
		prefetched it;
		int rc;
		pthread_mutex_lock(&s->mu);
		while (!s->stop && (s->full || s->made >= s->wanted))
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->stop) {
			pthread_mutex_unlock(&s->mu);
			return NULL;
		}
		pthread_mutex_unlock(&s->mu);
		memset(&it, 0, sizeof(it));
		hfds_error_init(&it.err);
		rc = produce(s, &it);
		it.rc = rc;
		pthread_mutex_lock(&s->mu);
		s->slot = it;
		s->full = 1;
		s->made++;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		if (rc < 0)
			return NULL; /* the end or an error: the consumer sees it in the slot */
	}
}

int hfds_stream_next(hfds_stream *s, struct ArrowArray *batch, const struct ArrowSchema **schema, int64_t *first,
	hfds_stream_pos *at, hfds_error *err)
{
	prefetched it;
	memset(batch, 0, sizeof(*batch));
	if (s->done)
		return s->done;
	if (!s->started) {
		if (pthread_create(&s->thread, NULL, prefetch_main, s) != 0)
			return hfds_error_set(err, HFDS_ENOMEM, "cannot start the prefetch thread");
		s->started = 1;
	}
	pthread_mutex_lock(&s->mu);
	s->wanted = s->taken + 2; /* this batch and the one after it */
	pthread_cond_broadcast(&s->cv);
	while (!s->full)
		pthread_cond_wait(&s->cv, &s->mu);
	it = s->slot;
	memset(&s->slot, 0, sizeof(s->slot));
	s->full = 0;
	s->taken++;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	if (s->schema_out.release)
		s->schema_out.release(&s->schema_out);
	if (it.rc < 0) {
		s->done = it.rc;
		if (it.rc != HFDS_ITEROVER)
			hfds_error_set(err, it.rc, "%s", it.err.message);
		return it.rc;
	}
	s->schema_out = it.schema;
	*batch = it.batch;
	*schema = &s->schema_out;
	*first = it.first;
	*at = it.at;
	return 0;
}

uint64_t hfds_stream_bytes_read(const hfds_stream *s)
{
	return s ? __atomic_load_n(&s->bytes_done, __ATOMIC_ACQUIRE) + __atomic_load_n(&s->rf.bytes_read, __ATOMIC_ACQUIRE)
		 : 0;
}

void hfds_stream_free(hfds_stream *s)
{
	size_t i;
	if (!s)
		return;
	if (s->started) {
		/* a fetch in flight fails at its next read (rf.cancel), then the thread sees stop */
		__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
		pthread_mutex_lock(&s->mu);
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->thread, NULL);
	}
	if (s->slot.batch.release)
		s->slot.batch.release(&s->slot.batch);
	if (s->slot.schema.release)
		s->slot.schema.release(&s->slot.schema);
	if (s->schema_out.release)
		s->schema_out.release(&s->schema_out);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	close_shard(s);
	for (i = 0; i < s->ncolumns; i++)
		hfds_free(s->columns[i]);
	hfds_free(s->columns);
	hfds_ds_repo_files_free(s->files, s->count);
	hfds_hub_dataset_free(s->ds);
	hfds_free(s->repo_id);
	hfds_free(s);
}
