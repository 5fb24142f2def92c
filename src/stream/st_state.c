/*
 * The text form of a stream position (the `hfds stream --state` file). The file is written
 * by us but read back after crashes, edits and other versions, so it is parsed strictly: one
 * line, single spaces, lowercase hex, decimal numbers without sign, leading zeros or overflow,
 * then up to 128 newlines (the CLI pads its record to a fixed size to rewrite it in place).
 */
#include "hfds/stream.h"

#include <stdio.h>
#include <string.h>

#define STATE_FORM "expected 'COMMIT SHARD ROW_GROUP ROW' (a 40-hex commit, then three numbers)"

/* A decimal number at text[*i], ending at `stop`. */
static int number(const char *text, size_t len, size_t *i, char stop, uint64_t *out, hfds_error *err)
{
	size_t start = *i;
	uint64_t v = 0;
	for (; *i < len && text[*i] >= '0' && text[*i] <= '9'; (*i)++) {
		unsigned d = (unsigned)(text[*i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return hfds_error_set(err, HFDS_EPARSE, "offset %zu: number too large; " STATE_FORM, start);
		v = v * 10 + d;
	}
	if (*i == start || (text[start] == '0' && *i - start > 1))
		return hfds_error_set(err, HFDS_EPARSE, "offset %zu: expected a number without leading zeros; " STATE_FORM,
			start);
	if (!stop)
		while (*i < len && text[*i] == '\n' && len - *i <= 128)
			(*i)++;
	if (stop ? (*i >= len || text[*i] != stop) : *i < len)
		return hfds_error_set(err, HFDS_EPARSE, "offset %zu: expected %s; " STATE_FORM, *i,
			stop ? "a space" : "the end of the line");
	if (stop)
		(*i)++;
	*out = v;
	return 0;
}

int hfds_stream_pos_parse(hfds_stream_pos *pos, const char *text, size_t len, hfds_error *err)
{
	size_t i;
	int rc;
	memset(pos, 0, sizeof(*pos));
	for (i = 0; i < HFDS_OID_HEX_SIZE - 1; i++)
		if (i >= len || !((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f')))
			return hfds_error_set(err, HFDS_EPARSE, "offset %zu: expected a lowercase hex digit of the commit; "
				STATE_FORM, i);
	memcpy(pos->commit, text, HFDS_OID_HEX_SIZE - 1);
	if (i >= len || text[i] != ' ')
		return hfds_error_set(err, HFDS_EPARSE, "offset %zu: expected a space; " STATE_FORM, i);
	i++;
	if ((rc = number(text, len, &i, ' ', &pos->shard, err)) < 0 ||
		(rc = number(text, len, &i, ' ', &pos->row_group, err)) < 0 ||
		(rc = number(text, len, &i, 0, &pos->row, err)) < 0)
		memset(pos, 0, sizeof(*pos));
	return rc;
}

size_t hfds_stream_pos_format(const hfds_stream_pos *pos, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%.*s %llu %llu %llu\n", HFDS_OID_HEX_SIZE - 1, pos->commit,
		(unsigned long long)pos->shard, (unsigned long long)pos->row_group, (unsigned long long)pos->row);
	return n < 0 ? 0 : (size_t)n;
}
