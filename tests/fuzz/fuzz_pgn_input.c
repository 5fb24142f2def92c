/*
 * libFuzzer target for the compressed PGN input (src/chess/input.c over util/zread) under the
 * PGN reader: arbitrary bytes, sniffed as plain, gzip, zstd or bzip2, must give games or an error
 * (truncated stream, NUL byte, corrupt data) with the offset, never a crash, hang or
 * unbounded memory. The bytes are served from a memfd so the real open/read path runs.
 * Seeds: tests/fuzz/corpus/fuzz_pgn_input/ (truncated and lying compressed files from the
 * hostile-input sweep) and the shared PGN samples (tests/fuzz/run.sh, fuzz_pgn*).
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hfds/chess.h"

typedef struct capped {
	hfds_chess_input *in;
	size_t left;               /* decompressed bytes still served: bombs stay fast */
} capped;

static ptrdiff_t rd(void *ctx, void *buf, size_t cap, hfds_error *err)
{
	capped *c = ctx;
	ptrdiff_t n;
	if (cap > c->left)
		cap = c->left;
	if (cap == 0)
		return 0;
	n = hfds_chess_input_read(c->in, buf, cap, err);
	if (n > 0)
		c->left -= (size_t)n;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hfds_chess_input *in = NULL;
	hfds_pgn_reader *r = NULL;
	capped c;
	hfds_pgn_game *g;
	char path[64];
	int fd = memfd_create("fuzz_pgn_input", 0);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	c.left = 16u << 20;
	if (hfds_chess_input_open(&in, path, NULL) == 0 && (c.in = in, 1) &&
	    hfds_pgn_reader_new(&r, path, rd, &c, NULL) == 0) {
		while (hfds_pgn_next(r, &g, NULL) == 0)
			if (hfds_pgn_read_moves(r, g, NULL) != 0)
				break;
	}
	hfds_pgn_reader_free(r);
	hfds_chess_input_close(in);
	close(fd);
	return 0;
}
