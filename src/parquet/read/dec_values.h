/*
 * Value decoders (reader side): PLAIN, dictionary indices (RLE/bit-packed hybrid),
 * RLE booleans, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY,
 * BYTE_STREAM_SPLIT, and level decoding (RLE hybrid and deprecated BIT_PACKED).
 *
 * Decoded values are appended to a pq_values column buffer:
 *   fixed-width physical types -> `fixed` (width bytes per value, little-endian as stored;
 *   BOOLEAN one byte 0/1 per value), BYTE_ARRAY -> int32 `offsets` (count+1) + `data`.
 * Every buffer has a ceiling (HFDS_ELIMIT). Errors are HFDS_ECORRUPT with a message that
 * the caller prefixes with the page location. Input is never trusted: counts are bounded
 * by the page and by the bytes present.
 */
#ifndef HFDS_PQ_DEC_VALUES_H
#define HFDS_PQ_DEC_VALUES_H

#include <stddef.h>
#include <stdint.h>

#include "hfds/common.h"
#include "util/buf.h"

typedef struct pq_values {
	int type;     /* enum pq_type */
	size_t width; /* bytes per value for fixed types (BOOLEAN: 1) */
	hfds_buf fixed;
	hfds_buf offsets; /* int32; starts with one 0 entry once initialised */
	hfds_buf data;
	hfds_buf idx; /* scratch: one page's dictionary indices, kept across pages */
	/* BYTE_ARRAY dictionary of short entries (pq_dict_slots): count + 1 zero-padded 16-byte
	 * slots (the last one empty), then count + 1 uint32 lengths; empty when not built */
	hfds_buf slots;
	size_t slot_max; /* longest entry when slots is built */
	size_t count;
} pq_values;

void pq_values_init(pq_values *v, int type, int32_t type_length, size_t max_bytes);
void pq_values_release(pq_values *v);
/* Empties v for the next column chunk, keeping its allocations. */
void pq_values_reset(pq_values *v);
/* Appends one byte-array value. */
int pq_values_push_bytes(pq_values *v, const uint8_t *p, size_t n, hfds_error *err);

/* Decodes exactly `count` values of RLE/bit-packed hybrid at `bit_width` (0..32) into out. */
int pq_rle_decode(const uint8_t *p, size_t n, int bit_width, uint32_t *out, size_t count,
		  hfds_error *err);
/* Same for 16-bit levels; *minv / *maxv get the smallest and largest level (0 when count is 0). */
int pq_rle_levels(const uint8_t *p, size_t n, int bit_width, uint16_t *out, size_t count,
		  uint16_t *minv, uint16_t *maxv, hfds_error *err);
/* Decodes `count` dictionary indices of the hybrid encoding at `bit_width` and writes, for each,
 * its `w`-byte entry of `dict` (dict_count entries) to dst: no index array. An index out of
 * range is HFDS_ECORRUPT. */
int pq_rle_gather(const uint8_t *p, size_t n, int bit_width, size_t count, const uint8_t *dict,
		  size_t dict_count, size_t w, uint8_t *dst, hfds_error *err);
/* Deprecated BIT_PACKED levels (MSB-first); *used = bytes consumed. */
int pq_bitpacked_levels(const uint8_t *p, size_t n, int bit_width, uint16_t *out, size_t count,
			size_t *used, hfds_error *err);

int pq_dec_plain(const uint8_t *p, size_t n, size_t count, pq_values *out, hfds_error *err);
int pq_dec_rle_bool(const uint8_t *p, size_t n, size_t count, pq_values *out, hfds_error *err);
int pq_dec_bss(const uint8_t *p, size_t n, size_t count, pq_values *out, hfds_error *err);
int pq_dec_delta(const uint8_t *p, size_t n, size_t count, pq_values *out, hfds_error *err);
int pq_dec_delta_length(const uint8_t *p, size_t n, size_t count, pq_values *out, hfds_error *err);
int pq_dec_delta_byte_array(const uint8_t *p, size_t n, size_t count, pq_values *out, hfds_error *err);
/* Builds dict->slots for a BYTE_ARRAY dictionary whose entries are all <= 16 bytes and that
 * has at most 65536 of them (otherwise leaves it empty): pq_dec_dict then copies each value
 * as one 16-byte store with its length from a table. */
int pq_dict_slots(pq_values *dict, hfds_error *err);
/* Dictionary indices (bit-width byte + hybrid runs), gathered from `dict`, whose entries
 * have out->width bytes (a narrowed dictionary gathers straight into narrow values). */
int pq_dec_dict(const uint8_t *p, size_t n, size_t count, const pq_values *dict, pq_values *out,
		hfds_error *err);

/* DELTA_BINARY_PACKED core: decodes up to max_count values into *vals (hfds_malloc'd),
 * *count = values, *used = bytes consumed. */
int pq_dbp_decode(const uint8_t *p, size_t n, size_t max_count, int64_t **vals, size_t *count,
		  size_t *used, hfds_error *err);

/* Reads a ULEB128 varint at *pos (advanced past it); -1 when it runs past n or 64 bits. */
static inline int pq_dec_uleb(const uint8_t *p, size_t n, size_t *pos, uint64_t *v)
{
	uint64_t r = 0;
	int shift = 0;
	while (*pos < n && shift < 64) {
		uint8_t b = p[(*pos)++];
		r |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = r;
			return 0;
		}
		shift += 7;
	}
	return -1;
}

#endif
