/*
 * Internals of the Parquet writer, shared by its three files: pq_writer.c (options, output,
 * shredding, the public calls), pq_rowgroup_w.c (row groups in flight: the encoding jobs on
 * the pool, chunks written out in order) and pq_footer_w.c (page indexes and the footer).
 * Not a public contract; one writer is used from one thread at a time (the jobs it runs on
 * the pool only touch their own slot, chunk and page).
 */
#ifndef HFDS_PQ_WRITER_INT_H
#define HFDS_PQ_WRITER_INT_H

#include <pthread.h>
#include <stdint.h>

#include "hfds/parquet.h"
#include "parquet/write/colwriter.h"
#include "parquet/write/enc.h"
#include "parquet/write/pq_schema_w.h"
#include "parquet/write/shred.h"
#include "util/afile.h"
#include "util/buf.h"
#include "util/pool.h"
#include "util/sha256.h"

/* What the footer needs of a written column chunk. */
typedef struct chunk_meta {
	int64_t data_page_offset, dict_page_offset; /* dict: -1 = none */
	int64_t total_unc, total_comp, num_values;
	int encodings[8];
	int nenc;
	int32_t n_dict_pages, n_dict_data, n_plain_data; /* encoding_stats */
	int plain_encoding;
	int codec;
	int stats;                  /* Statistics written */
	int has_minmax, min_exact, max_exact, legacy;
	int64_t null_count;
	uint8_t *min, *max;
	size_t min_len, max_len;
	uint8_t *ci, *oi;           /* serialized page index, NULL = none */
	size_t ci_len, oi_len;
	int64_t ci_off, oi_off;
} chunk_meta;

typedef struct rg_meta {
	int64_t num_rows, total_byte_size, total_compressed, file_offset;
	chunk_meta *cols;
} rg_meta;

struct hfds_pq_writer;

/* A task on the pool: plan a leaf (page -2), encode its dictionary page (-1) or a page. */
struct job { struct hfds_pq_writer *w; struct rg_slot *s; int leaf; int page; };

/* One row group in flight: its column buffers, the chunks encoded from them, their jobs. */
typedef struct rg_slot {
	pqw_colbuf *cbs;
	pqw_chunk *chunks;
	pq_dict **dicts;
	uint32_t **smaps;           /* direct-mapped dictionaries (8/16-bit leaves) */
	int32_t **sents;
	size_t *sent_caps;      /* entries each sents[i] holds */
	hfds_error *leaf_errs;
	struct job **jobs;          /* per leaf */
	size_t *capjobs;
	hfds_taskgroup **groups;    /* per leaf: its jobs, so chunks are written out as they finish */
	int64_t rows;               /* rows shredded into cbs */
	int encoding;               /* its jobs were submitted; not written out yet */
} rg_slot;

struct hfds_pq_writer {
	pqw_schema *schema;
	hfds_pq_writer_options o;
	pqw_colopts *colopts;
	rg_slot slots[2];
	int cur;                    /* the slot receiving rows */
	/* output */
	char *path;
	hfds_afile file;           /* path mode: temporary renamed over `path` at close */
	hfds_pq_sink_fn sink;
	void *payload;
	hfds_buf out;
	uint64_t offset;            /* bytes emitted (logical) */
	hfds_sha256 *sha;
	hfds_taskgroup *io;         /* pools of 2+ threads: large pieces written while hashed */
	/* state */
	int failed, closed;
	int64_t rows_in;            /* rows shredded so far */
	int64_t total_rows;         /* rows written out */
	rg_meta *rgs;
	size_t nrgs, caprgs;
	hfds_pq_kv *kv;
	size_t nkv;
	/* threads */
	hfds_pool *pool;                /* the options' pool or own_pool */
	hfds_pool *own_pool;            /* made (and freed) by this writer when none was given */
	pthread_mutex_t kit_lock;
	pqw_kit **kits;
	size_t nkits, capkits, kits_made;
	/* per-call scratch for parallel work */
	const struct ArrowArray *batch;
	int64_t slice_start, slice_end;
};

/* pq_writer.c: appends bytes to the output (buffered, hashed as they go), flushes the buffer. */
int pqw_emit(hfds_pq_writer *w, const void *data, size_t n, hfds_error *err);
int pqw_out_flush(hfds_pq_writer *w, hfds_error *err);

/* pq_rowgroup_w.c: slots (pqw_slot_release waits for the slot's jobs first), ending the
 * row group that fills, writing out everything in flight, giving the batch back (values
 * borrowed from it copied or written out), waiting for every job. */
int pqw_slot_init(hfds_pq_writer *w, rg_slot *s, hfds_error *err);
void pqw_slot_release(hfds_pq_writer *w, rg_slot *s);
int pqw_end_row_group(hfds_pq_writer *w, hfds_error *err);
int pqw_drain(hfds_pq_writer *w, hfds_error *err);
int pqw_return_batch(hfds_pq_writer *w, hfds_error *err);
void pqw_wait_jobs(hfds_pq_writer *w);

/* pq_footer_w.c: page indexes, FileMetaData, length and magic; then flushes the output. */
int pqw_write_footer(hfds_pq_writer *w, hfds_error *err);

#endif
