/*
 * Column chunk encoding: cuts a leaf's column buffer (shred.h) into data pages, builds the
 * dictionary (falling back to the chunk's data encoding once the dictionary page passes its
 * limit), then encodes + compresses each page independently.
 *
 * Threading: pqw_chunk_plan runs once per chunk (chunks may run in parallel); after it,
 * pqw_chunk_encode_page(c, p, kit) and pqw_chunk_encode_dict(c, kit) may run for all pages of
 * all chunks in parallel, each with its own kit. Every result lands in its page's slot, so
 * the bytes never depend on scheduling. pqw_chunk_finish collects errors and merges stats.
 */
#ifndef HFDS_PQ_COLWRITER_H
#define HFDS_PQ_COLWRITER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "hfds/parquet.h"
#include "parquet/write/compress.h"
#include "parquet/write/enc.h"
#include "parquet/write/pq_schema_w.h"
#include "parquet/write/shred.h"
#include "parquet/write/stats.h"

/* Resolved options of one leaf. */
typedef struct pqw_colopts {
	int codec, level;
	int dictionary;      /* 0/1 */
	int data_encoding;   /* enum pq_encoding of pages without dictionary */
	int statistics;      /* 0/1 */
	int probe;           /* 1: binary values that keep `codec` only where it pays, decided per
	                        chunk from its first page (pq_codec_pays); else UNCOMPRESSED */
} pqw_colopts;

/* Per-worker scratch: reused across pages. */
typedef struct pqw_kit {
	pq_compressor *comp;
	hfds_buf levels16;   /* uint16 copy of a page's levels */
	hfds_buf body;       /* uncompressed page body */
	hfds_buf vals;       /* encoded values (v2) */
	hfds_buf stored;     /* compressed bytes */
	hfds_buf header;     /* a page header before it is put in front of the body */
	hfds_buf used;       /* dictionary entries used by a page (statistics) */
	hfds_buf idx;        /* a page's dictionary indices (direct-mapped dictionaries) */
	hfds_buf alt;        /* the other encoding of a page's indices, while measuring both */
} pqw_kit;

int pqw_kit_new(pqw_kit **out, hfds_error *err);
void pqw_kit_free(pqw_kit *k);

typedef struct pqw_page {
	int64_t e0, e1, v0, v1, r0, r1;
	int encoding;        /* enum pq_encoding of the values */
	pqw_stats stats;
	hfds_buf out;        /* from `skip`: page header + stored body */
	size_t skip;
	int64_t uncompressed; /* header + uncompressed body */
	int rc;
	hfds_error err;
} pqw_page;

/* The page's bytes as written to the file. */
static inline const uint8_t *pqw_page_bytes(const pqw_page *pg)
{
	return pg->out.data + pg->skip;
}

static inline size_t pqw_page_size(const pqw_page *pg)
{
	return pg->out.len - pg->skip;
}

typedef struct pqw_chunk {
	const pqw_leaf *leaf;
	const pqw_colbuf *cb;
	pqw_colopts o;
	const hfds_pq_writer_options *wo;
	pqw_page *pages;
	size_t npages, cap;
	pq_dict *dict;       /* owned by the caller (one per leaf, reused); NULL = no dictionary */
	/* 8/16-bit integer sources use a direct-mapped dictionary instead of the hash table:
	 * smap (pqw_small_dict_slots, caller-owned, all UINT32_MAX between chunks) -> index, sent = values */
	int small;              /* direct-mapped dictionary (pqw_small_dict and dictionary on) */
	uint32_t *smap;         /* its map and entries; NULL while the column has had no values */
	int32_t *sent;
	size_t scount;
	uint64_t *pres;      /* per-page presence bitmaps of the small domain, then the union of
	                        them ("all"), then for 16-bit domains the rank of each word of
	                        "all" (uint32, packed two per word): a value's dictionary index */
	size_t pres_cap, pres_words;
	atomic_size_t pending; /* presence jobs still running (the writer's scheduling) */
	size_t dict_pages;   /* pages [0, dict_pages) are dictionary-encoded */
	hfds_buf idx;        /* uint32 index per value of the dictionary pages */
	hfds_buf dict_out;   /* dictionary page (header + stored body) or empty */
	int64_t dict_uncompressed;
	pqw_stats stats;     /* chunk statistics after pqw_chunk_finish */
	int rc;
	hfds_error err;
} pqw_chunk;

void pqw_chunk_init(pqw_chunk *c);
void pqw_chunk_release(pqw_chunk *c);
/* Prepares c for a new row group; keeps allocations. */
void pqw_chunk_reset(pqw_chunk *c, const pqw_leaf *leaf, const pqw_colbuf *cb, const pqw_colopts *o,
	const hfds_pq_writer_options *wo, pq_dict *dict, uint32_t *smap, int32_t *sent);

/* 1 if the leaf's source kind uses the direct-mapped dictionary (smap/sent). */
int pqw_small_dict(const pqw_leaf *leaf);
/* Slots of its map: the value domain (256 for 8-bit, 65536 for 16-bit columns), so a
 * narrow column costs 2 KB, not 512 KB. */
size_t pqw_small_dict_slots(const pqw_leaf *leaf);
/* 16-bit domains map values to indices by rank in the presence bitmap, so they need no
 * smap (and only as many `sent` entries as values); 8-bit ones use a 256-slot smap. */
int pqw_small_dict_mapped(const pqw_leaf *leaf);

/* Plans pages and builds the dictionary. Errors are also kept in c->rc / c->err. */
int pqw_chunk_plan(pqw_chunk *c, hfds_error *err);

/*
 * The same for direct-mapped dictionaries, in three steps so the value scan runs on the
 * pool: pqw_chunk_plan_small (pages), pqw_chunk_presence(c, p) for every page (in
 * parallel), then pqw_chunk_small_dict (merges the pages' value sets into a dictionary
 * sorted by value, so the result does not depend on scheduling).
 */
int pqw_chunk_plan_small(pqw_chunk *c, hfds_error *err);
void pqw_chunk_presence(pqw_chunk *c, size_t p);
void pqw_chunk_small_dict(pqw_chunk *c);
void pqw_chunk_encode_page(pqw_chunk *c, size_t p, pqw_kit *kit);
void pqw_chunk_encode_dict(pqw_chunk *c, pqw_kit *kit);
int pqw_chunk_finish(pqw_chunk *c, hfds_error *err);

#endif
