/*
 * Reader internals shared by pq_reader*.c and assemble*.c: the reader object, decoded
 * column buffers (levels + values of one leaf for one row group), and the Arrow node tree
 * that maps the Parquet schema (incl. legacy lists/maps) onto Arrow arrays.
 */
#ifndef HFDS_PQ_ASSEMBLE_H
#define HFDS_PQ_ASSEMBLE_H

#include <stddef.h>
#include <stdint.h>

#include "hfds/arrow_abi.h"
#include "hfds/parquet_reader.h"
#include "parquet/read/dec_values.h"
#include "parquet/read/pq_meta.h"

struct hfds_pq_reader {
	pq_meta *meta;
	hfds_pq_read_fn read;
	void *ctx;
	uint64_t size;
	hfds_pq_reader_options opt;
	int fd;          /* open_path: owned descriptor, else -1 */
	const uint8_t *mem;
	char *name;      /* for messages */
	struct pq_anode *root; /* Arrow node tree, built lazily */
	struct hfds_pool *pool; /* opt.threads != 1: created at the first scan */
	unsigned char *leaf_narrow; /* per leaf: pq_colbuf.narrow, set with root */
};

/* Reads [off, off+len) of the file, bounds-checked against the file size. */
int pq_reader__read(hfds_pq_reader *r, uint64_t off, void *buf, size_t len, hfds_error *err);

/* Recycled buffers of released batches (pq_reader_pool.c); thread-safe, reference-counted by
 * the scan (closing = 1 when it ends) and by every array holding one of its buffers. */
typedef struct pq_bufpool pq_bufpool;
pq_bufpool *pq_bufpool_new(void);
void pq_bufpool_ref(pq_bufpool *b);
void pq_bufpool_unref(pq_bufpool *b, int closing);
/* Takes p (hfds_malloc'd, `cap` bytes), or frees it when the pool is closed or full. */
void pq_bufpool_put(pq_bufpool *b, void *p, size_t cap);
/* The smallest buffer of at least `want` bytes, else the largest one, else NULL. */
void *pq_bufpool_get(pq_bufpool *b, size_t want, size_t *cap);
/* Gives an empty unallocated `buf` a pooled allocation (b may be NULL). */
void pq_bufpool_fill(pq_bufpool *b, hfds_buf *buf, size_t want);

typedef struct pq_colbuf {
	hfds_buf def, rep; /* uint16 levels; empty when the max level is 0, and def also stays
	                    * empty while every definition level is the maximum (no nulls) */
	size_t nlevels;
	pq_values vals;
	pq_values dict;
	int has_dict;
	int narrow;        /* 1 or 2: INT32 values stored as int8/int16 (Arrow c/C/s/S), else 0 */
	hfds_buf page;     /* decompression scratch */
	pq_bufpool *pool;  /* where value buffers come from and return to, or NULL */
} pq_colbuf;

/* narrow: see pq_colbuf.narrow. A colbuf is reused across row groups (pq_colbuf_reset keeps
 * its allocations, so a scan does not fault in fresh pages for every row group). */
void pq_colbuf_init(pq_colbuf *cb, const pq_meta *m, int leaf, int narrow, size_t max_alloc);
void pq_colbuf_reset(pq_colbuf *cb);
void pq_colbuf_release(pq_colbuf *cb);
/* Decodes every page of column chunk (rg, leaf) into cb: from `chunk` (its chunk_len bytes,
 * starting at file offset `chunk_off`), or when chunk is NULL read from the file a window
 * at a time into `win` (PQ_CHUNK_WINDOW bytes, or one page when larger; earlier bytes are
 * dropped), so a large chunk is never held whole. Checks the level/row counts against the
 * row group. */
#define PQ_CHUNK_WINDOW ((size_t)2 << 20)
int pq_read_chunk(hfds_pq_reader *r, int rg, int leaf, const uint8_t *chunk, hfds_buf *win, size_t chunk_len,
		  uint64_t chunk_off, pq_colbuf *cb, hfds_error *err);
/* Byte range of a column chunk (dictionary_page_offset 0 quirk handled). */
int pq_chunk_range(hfds_pq_reader *r, int rg, int leaf, uint64_t *off, uint64_t *len, hfds_error *err);

enum { PQ_AN_LEAF, PQ_AN_STRUCT, PQ_AN_LIST, PQ_AN_MAP };

typedef struct pq_anode {
	int kind;
	int node;          /* Parquet schema node that names this field */
	const char *name;
	int nullable;
	int16_t def;       /* value is non-null when def level >= def */
	int16_t rep_ctx;   /* instance starts at slots with rep <= rep_ctx ... */
	int16_t def_ctx;   /* ... and def >= def_ctx */
	int16_t elem_def, elem_rep; /* LIST/MAP: levels of the repeated node */
	int leaf;          /* LEAF: its column; others: first leaf below */
	int last_leaf;     /* last leaf below (inclusive) */
	char format[40];
	int64_t dec_scale; /* DECIMAL leaves */
	int conv;          /* leaf conversion, see assemble.c */
	struct pq_anode **children;
	int nchildren;
} pq_anode;

int pq_anode_build(hfds_pq_reader *r, hfds_error *err);
/* Number of levels <= t among lv[0..n) (SSE2 when available). */
size_t pq_count_le16(const uint16_t *lv, size_t n, int t);
void pq_anode_free(pq_anode *a);
int pq_anode_schema(const pq_anode *a, struct ArrowSchema *out, hfds_error *err);
/* Builds the Arrow array of field `a` from the decoded leaves cbs[leaf - a->leaf]. */
int pq_anode_array(const pq_anode *a, const hfds_pq_reader *r, pq_colbuf *cbs, int64_t nrows,
		   struct ArrowArray *out, hfds_error *err);

#endif
