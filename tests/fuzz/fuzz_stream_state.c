/* libFuzzer target for the `hfds stream --state` file (hfds_stream_pos_parse): any bytes
 * give a position or HFDS_EPARSE with a message, never a crash; a position formats to a
 * line that parses back to the same position, also padded as the CLI writes it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hfds/stream.h"

#define EXPECT(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hfds_stream_pos pos, back;
	hfds_error err;
	char line[256];
	size_t n;
	hfds_error_init(&err);
	if (hfds_stream_pos_parse(&pos, (const char *)data, size, &err) != 0) {
		EXPECT(err.code == HFDS_EPARSE && strlen(err.message) > 0);
		return 0;
	}
	n = hfds_stream_pos_format(&pos, line, 128);
	EXPECT(n > 0 && n < 128 && line[n - 1] == '\n');
	EXPECT(hfds_stream_pos_parse(&back, line, n, NULL) == 0);
	EXPECT(!memcmp(&pos, &back, sizeof(pos)));
	memset(line + n, '\n', 128 - n);
	EXPECT(hfds_stream_pos_parse(&back, line, 128, NULL) == 0);
	EXPECT(!memcmp(&pos, &back, sizeof(pos)));
	/* a byte of garbage after the padding is refused */
	line[128] = 'x';
	EXPECT(hfds_stream_pos_parse(&back, line, 129, NULL) == HFDS_EPARSE);
	return 0;
}
