/*
 * Snappy decompression (format_description.txt of google/snappy), used for Parquet pages
 * instead of libsnappy's snappy_uncompress. Why our own: the pages of numeric columns
 * compress into a tag every 3-8 bytes (a 1-3 byte literal, then a short copy), and
 * libsnappy 1.1.9 as Debian builds it calls libc memmove for 64 bytes on every tag (44% of
 * a flat snappy scan in perf). Here a tag costs one or a few 16-byte register copies, inline.
 *
 * Safety: every tag is checked against both ends before anything is read or written. The
 * over-wide copies (up to 16 bytes past a literal or copy, which later tags overwrite) run
 * only while at least FAST_SLACK bytes of input and output remain; closer to the ends, exact
 * byte-sized copies. Result: exactly dst_len bytes from exactly n bytes of input, or an
 * error with the input offset, the same inputs libsnappy accepts (fuzz_snappy compares).
 */
#include <string.h>

#include "parquet/read/decompress.h"

#define FAST_SLACK 80 /* a copy's 64 bytes + one 16-byte overshoot */

static inline void copy16(uint8_t *d, const uint8_t *s)
{
	memcpy(d, s, 16);
}

static inline void copy8(uint8_t *d, const uint8_t *s)
{
	memcpy(d, s, 8);
}

static int fail(hfds_error *err, const uint8_t *src, const uint8_t *ip, const char *what)
{
	return hfds_error_set(err, HFDS_ECORRUPT, "snappy: offset %zu: %s", (size_t)(ip - src), what);
}

/* Copy of len <= 64 bytes from off bytes back (1 <= off <= written), with FAST_SLACK room.
 * Each register-wide chunk reads only bytes written before it, so overlapping copies (a
 * repeating pattern of period off) come out right. */
static inline void copy_fast(uint8_t *op, size_t off, size_t len)
{
	const uint8_t *s = op - off;
	size_t i = 0;
	if (off >= 16) {
		for (; i < len; i += 16)
			copy16(op + i, s + i);
		return;
	}
	if (off < 8) { /* 8 bytes one at a time, then 8-byte chunks from whole periods (>= 8) back */
		for (; i < 8; i++)
			op[i] = s[i];
		s = op - off * ((8 + off - 1) / off);
	}
	for (; i < len; i += 8)
		copy8(op + i, s + i);
}

int pq_snappy_decompress(const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len, hfds_error *err)
{
	const uint8_t *ip = src, *ie = src + n;
	uint8_t *op = dst, *oe = dst + dst_len;
	uint64_t want = 0;
	int shift = 0;

	for (;;) { /* preamble: the uncompressed length, a varint of at most 32 bits */
		if (ip == ie)
			return fail(err, src, ip, "truncated length header");
		want |= (uint64_t)(*ip & 0x7f) << shift;
		if (!(*ip++ & 0x80))
			break;
		if ((shift += 7) > 28)
			return fail(err, src, ip, "length header longer than 5 bytes");
	}
	if (want > UINT32_MAX || want != dst_len)
		return hfds_error_set(err, HFDS_ECORRUPT, "snappy: size mismatch (got %llu bytes, expected %zu)",
				      (unsigned long long)want, dst_len);
	while (ip < ie) {
		const uint8_t *tp = ip;
		uint32_t tag = *ip++;
		size_t len, off;
		if ((tag & 3) == 0) {
			len = (tag >> 2) + 1;
			if (len <= 16 && ie - ip >= 16 && oe - op >= 16) {
				copy16(op, ip);
				op += len;
				ip += len;
				continue;
			}
			if (len > 60) { /* 1-4 little-endian length bytes follow */
				size_t nb = len - 60, i;
				if ((size_t)(ie - ip) < nb)
					return fail(err, src, tp, "truncated literal length");
				for (len = 0, i = 0; i < nb; i++)
					len |= (size_t)ip[i] << (8 * i);
				len = (uint32_t)(len + 1); /* 2^32 wraps to an empty literal, as in libsnappy */
				ip += nb;
			}
			if ((size_t)(ie - ip) < len)
				return fail(err, src, tp, "literal extends past the input");
			if ((size_t)(oe - op) < len)
				return fail(err, src, tp, "literal extends past the uncompressed size");
			memcpy(op, ip, len);
			op += len;
			ip += len;
			continue;
		}
		if ((tag & 3) == 1) {
			if (ip == ie)
				return fail(err, src, tp, "truncated copy");
			len = 4 + ((tag >> 2) & 7);
			off = (size_t)(tag >> 5) << 8 | *ip++;
		} else if ((tag & 3) == 2) {
			if (ie - ip < 2)
				return fail(err, src, tp, "truncated copy");
			len = (tag >> 2) + 1;
			off = (size_t)ip[0] | (size_t)ip[1] << 8;
			ip += 2;
		} else {
			if (ie - ip < 4)
				return fail(err, src, tp, "truncated copy");
			len = (tag >> 2) + 1;
			off = (size_t)ip[0] | (size_t)ip[1] << 8 | (size_t)ip[2] << 16 | (size_t)ip[3] << 24;
			ip += 4;
		}
		if (off == 0 || off > (size_t)(op - dst))
			return fail(err, src, tp, "copy from before the start of the output");
		if ((size_t)(oe - op) < len)
			return fail(err, src, tp, "copy extends past the uncompressed size");
		if (oe - op >= FAST_SLACK) {
			copy_fast(op, off, len);
		} else {
			const uint8_t *s = op - off;
			size_t i;
			for (i = 0; i < len; i++)
				op[i] = s[i];
		}
		op += len;
	}
	if (op != oe)
		return hfds_error_set(err, HFDS_ECORRUPT, "snappy: size mismatch (got %zu bytes, expected %zu)",
				      (size_t)(op - dst), dst_len);
	return 0;
}

int pq_snappy_peek(const uint8_t *src, size_t n, uint8_t *out, size_t k)
{
	size_t pos = 0, len, nb, i;
	while (pos < n && (src[pos] & 0x80)) /* skip the length header (at most 5 bytes) */
		if (++pos == 5)
			return 0;
	if (++pos >= n || (src[pos] & 3) != 0)
		return 0;
	len = (size_t)(src[pos++] >> 2) + 1;
	if (len > 60) { /* 1-4 length bytes follow */
		nb = len - 60;
		if (n - pos < nb)
			return 0;
		for (len = 0, i = 0; i < nb; i++)
			len |= (size_t)src[pos + i] << (8 * i);
		len += 1;
		pos += nb;
	}
	if (len < k || n - pos < k)
		return 0;
	memcpy(out, src + pos, k);
	return 1;
}
