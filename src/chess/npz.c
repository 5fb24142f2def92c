/*
 * numpy.savez_compressed output for one int8 2-D array under the key `data`: a zip archive
 * with a single DEFLATE entry `data.npy`. The NPY v1.0 header is built exactly as numpy's
 * _write_array_header does (sorted keys, 21-digit growth space for the first axis, padded
 * with spaces and a newline to a multiple of 64 bytes). The entry is written as a plain
 * (non-zip64) record with a fixed 1980-01-01 timestamp so output is reproducible; np.load
 * reads it. Archives over 4 GiB are refused.
 */
#include "hfds/chess.h"
#include "util/afile.h"
#include "util/alloc.h"
#include "util/try.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

static void le16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* The NPY preamble; returns its length (a multiple of 64). */
static size_t npy_header(char *out, size_t cap, size_t rows, size_t cols)
{
	char dict[256], first[32];
	int n, grow;
	size_t hlen, pad, total;
	snprintf(first, sizeof(first), "%zu", rows);
	n = snprintf(dict, sizeof(dict), "{'descr': '|i1', 'fortran_order': False, 'shape': (%zu, %zu), }", rows, cols);
	grow = 21 - (int)strlen(first);
	if (grow > 0) {
		memset(dict + n, ' ', (size_t)grow);
		n += grow;
	}
	hlen = (size_t)n + 1;
	pad = 64 - ((8 + 2 + hlen) % 64);
	total = 10 + hlen + pad;
	if (total > cap)
		return 0;
	memcpy(out, "\x93NUMPY\x01\x00", 8);
	le16((uint8_t *)out + 8, (unsigned)(hlen + pad));
	memcpy(out + 10, dict, (size_t)n);
	memset(out + 10 + n, ' ', pad);
	out[total - 1] = '\n';
	return total;
}

int hfds_chess_write_npz(const char *path, const int8_t *data, size_t rows, size_t cols, hfds_error *err)
{
	static const char name[] = "data.npy";
	const size_t nlen = sizeof(name) - 1;
	char hdr[256];
	size_t hlen = npy_header(hdr, sizeof(hdr), rows, cols), raw, bound;
	uint8_t *comp = NULL, lh[30], cd[46], eocd[22];
	uint32_t crc;
	z_stream z;
	hfds_afile f = HFDS_AFILE_INIT;
	int rc = 0, zinit = 0;
	size_t clen;

	HFDS_FAIL_IF(!hlen || rows > (SIZE_MAX - hlen) / (cols ? cols : 1), HFDS_ELIMIT, err, "%s: array too large", path);
	raw = hlen + rows * cols;
	HFDS_FAIL_IF(raw > 0xFFFFFFFFu, HFDS_ELIMIT, err, "%s: array over 4 GiB (zip64 not written)", path);
	crc = (uint32_t)crc32(0L, (const Bytef *)hdr, (uInt)hlen);
	if (rows && cols)
		crc = (uint32_t)crc32(crc, (const Bytef *)data, (uInt)(rows * cols));

	memset(&z, 0, sizeof(z));
	HFDS_FAIL_IF(deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK,
		HFDS_ENOMEM, err, "%s: deflate init failed", path);
	zinit = 1;
	bound = deflateBound(&z, (uLong)raw);
	comp = hfds_malloc(bound);
	HFDS_FAIL_IF(!comp, HFDS_ENOMEM, err, "%s: out of memory", path);
	z.next_out = comp;
	z.avail_out = (uInt)bound;
	z.next_in = (Bytef *)hdr;
	z.avail_in = (uInt)hlen;
	HFDS_FAIL_IF(deflate(&z, Z_NO_FLUSH) != Z_OK, HFDS_ERROR, err, "%s: deflate failed", path);
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)(rows * cols);
	HFDS_FAIL_IF(deflate(&z, Z_FINISH) != Z_STREAM_END, HFDS_ERROR, err, "%s: deflate failed", path);
	clen = z.total_out;

	memset(lh, 0, sizeof(lh));
	le32(lh, 0x04034b50);
	le16(lh + 4, 20);
	le16(lh + 8, 8);
	le16(lh + 10, 0);       /* 00:00:00 */
	le16(lh + 12, 0x21);    /* 1980-01-01 */
	le32(lh + 14, crc);
	le32(lh + 18, (uint32_t)clen);
	le32(lh + 22, (uint32_t)raw);
	le16(lh + 26, (unsigned)nlen);

	memset(cd, 0, sizeof(cd));
	le32(cd, 0x02014b50);
	le16(cd + 4, 20);
	le16(cd + 6, 20);
	le16(cd + 10, 8);
	le16(cd + 12, 0);
	le16(cd + 14, 0x21);
	le32(cd + 16, crc);
	le32(cd + 20, (uint32_t)clen);
	le32(cd + 24, (uint32_t)raw);
	le16(cd + 28, (unsigned)nlen);
	le32(cd + 38, 0600u << 16);
	le32(cd + 42, 0);

	memset(eocd, 0, sizeof(eocd));
	le32(eocd, 0x06054b50);
	le16(eocd + 8, 1);
	le16(eocd + 10, 1);
	le32(eocd + 12, (uint32_t)(sizeof(cd) + nlen));
	le32(eocd + 16, (uint32_t)(sizeof(lh) + nlen + clen));

	/* written beside `path` and renamed at the end: a failure never leaves a truncated
	 * archive under the final name (where a resumed run would count it as done) */
	HFDS_TRY(hfds_afile_open(&f, path, 0, err));
	HFDS_TRY(hfds_afile_write(&f, lh, sizeof(lh), err));
	HFDS_TRY(hfds_afile_write(&f, name, nlen, err));
	HFDS_TRY(hfds_afile_write(&f, comp, clen, err));
	HFDS_TRY(hfds_afile_write(&f, cd, sizeof(cd), err));
	HFDS_TRY(hfds_afile_write(&f, name, nlen, err));
	HFDS_TRY(hfds_afile_write(&f, eocd, sizeof(eocd), err));
	HFDS_TRY(hfds_afile_commit(&f, err));
done:
	hfds_afile_abort(&f);
	if (zinit)
		deflateEnd(&z);
	hfds_free(comp);
	return rc;
}
