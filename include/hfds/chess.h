/*
 * hfds/chess.h - chess positions from PGN archives: board, SAN/UCI, streaming PGN reader,
 * the 69-token chesspos encoding and the position samplers.
 *
 * Board: a plain value type (copy it freely). Squares are numbered a1 = 0 ... h8 = 63.
 * Castling rights are kept as a set of rook squares, as python-chess keeps them, and are
 * "cleaned" the same way when queried, so standard games and Chess960/X-FEN perft both work.
 *
 * PGN reader: pulls bytes from a read callback (files, decompressors, memory, stdin) through a
 * bounded 1 MiB buffer and yields games one at a time. hfds_pgn_next() reads a game's tag section; hfds_pgn_read_moves() then parses
 * and replays its mainline (legal SAN/UCI resolution); if it is not called, the next
 * hfds_pgn_next() skips the movetext without replaying it (the fast path for Elo gating).
 * A bad move truncates its game at that move; the moves before it stay and the problem is
 * reported in the game record (file:line:col: reason). The reader never fails on bad games;
 * it fails only on I/O errors from the callback.
 *
 * Thread-safety: objects are not shared between threads; distinct objects are independent.
 */
#ifndef HFDS_CHESS_H
#define HFDS_CHESS_H

#include <stddef.h>
#include <stdint.h>
#include "hfds/arrow.h"
#include "hfds/common.h"
#include "hfds/features.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- board */

enum { HFDS_CHESS_WHITE = 0, HFDS_CHESS_BLACK = 1 };
enum { HFDS_CHESS_PAWN, HFDS_CHESS_KNIGHT, HFDS_CHESS_BISHOP, HFDS_CHESS_ROOK, HFDS_CHESS_QUEEN,
	HFDS_CHESS_KING };

/*
 * A move in 16 bits: from (bits 0-5), to (6-11), promotion piece type (12-14, 0 = none),
 * castling flag (15; then `to` is the rook's square, as in Chess960 notation).
 * 0 is the null move (`--`, `Z0`, `0000`): it only passes the turn.
 */
typedef uint16_t hfds_chess_move;
#define HFDS_CHESS_MOVE_NULL ((hfds_chess_move)0)
#define HFDS_CHESS_MOVE_FROM(m) ((int)((m) & 63))
#define HFDS_CHESS_MOVE_TO(m) ((int)(((m) >> 6) & 63))
#define HFDS_CHESS_MOVE_PROMO(m) ((int)(((m) >> 12) & 7))
#define HFDS_CHESS_MOVE_CASTLE(m) ((int)(((m) >> 15) & 1))
#define HFDS_CHESS_MAX_MOVES 256

typedef struct hfds_chess_board {
	uint64_t by_type[6];  /* indexed by HFDS_CHESS_PAWN..KING, both colours */
	uint64_t by_color[2];
	uint64_t castling;    /* rook squares with a (possibly stale) castling right */
	uint8_t squares[64];  /* 0 = empty, else (type + 1) | (colour << 3) */
	uint8_t turn;
	int8_t ep;            /* square behind a pawn that just moved two, or -1 */
	uint8_t chess960;     /* castling rules of Chess960 (perft suites); 0 for games */
	uint8_t pad;
	uint32_t halfmove;
	uint32_t fullmove;
} hfds_chess_board;

/* The standard start position. */
HFDS_EXTERN void hfds_chess_board_init(hfds_chess_board *b);
/* Parses a FEN or EPD (clocks optional); castling as KQkq or Shredder/X-FEN file letters. */
HFDS_EXTERN int hfds_chess_board_set_fen(hfds_chess_board *b, const char *fen, int chess960,
	hfds_error *err);
/* Writes the FEN as python-chess prints it (e.p. square only when a legal capture exists)
 * into out (NUL-terminated, at most 100 bytes are needed); returns the length. */
HFDS_EXTERN size_t hfds_chess_board_fen(const hfds_chess_board *b, char *out, size_t cap);
/* All legal moves into out[HFDS_CHESS_MAX_MOVES]; returns the count. */
HFDS_EXTERN int hfds_chess_legal_moves(const hfds_chess_board *b, hfds_chess_move *out);
/* Plays a move that is legal (or null) in b. */
HFDS_EXTERN void hfds_chess_board_push(hfds_chess_board *b, hfds_chess_move m);
/* Number of leaf nodes of the legal move tree at `depth`. */
HFDS_EXTERN uint64_t hfds_chess_perft(const hfds_chess_board *b, int depth);
/* python-chess has_{kingside,queenside}_castling_rights. */
HFDS_EXTERN int hfds_chess_has_castling(const hfds_chess_board *b, int color, int kingside);
/* 1 if the side to move is in check. */
HFDS_EXTERN int hfds_chess_in_check(const hfds_chess_board *b);

/*
 * Resolves one movetext token (SAN, with the python-chess leniencies: 0-0, missing `=`,
 * lower-case promotion piece, fully specified from-to/UCI moves, `+`/`#` and glyph suffixes;
 * null moves `--`, `Z0`, `0000`, `@@@@`) against b. HFDS_EPARSE on failure, with "invalid
 * san", "illegal san", "ambiguous san" or "missing promotion piece type", the token and the
 * position's FEN in err. Pawn captures must name the source file, as in python-chess.
 */
HFDS_EXTERN int hfds_chess_parse_move(hfds_chess_move *out, const hfds_chess_board *b,
	const char *tok, size_t len, hfds_error *err);
/* UCI text of a move played from b ("e1g1" for castling in standard chess); returns length. */
HFDS_EXTERN size_t hfds_chess_move_uci(const hfds_chess_board *b, hfds_chess_move m, char out[8]);

/* ---------------------------------------------------------------- encoding */

#define HFDS_CHESS_TOKENS 69
/* The chesspos token sequence: 64 squares a1..h8 (15 empty, 17-22 PNBRQK, 23-28 pnbrqk),
 * then side to move (29 white / 30 black) and K, Q, k, q rights (32 present / 31 absent). */
HFDS_EXTERN void hfds_chess_encode(const hfds_chess_board *b, int8_t out[HFDS_CHESS_TOKENS]);

/* ---------------------------------------------------------------- PGN reader */

/* Read callback: fills up to cap bytes; returns the count, 0 at end of input, < 0 on error
 * (after setting err). */
typedef ptrdiff_t (*hfds_pgn_read_fn)(void *ctx, void *buf, size_t cap, hfds_error *err);

typedef struct hfds_pgn_reader hfds_pgn_reader;

typedef struct hfds_pgn_tag {
	const char *key;
	const char *value; /* escapes (\" and \\) removed */
} hfds_pgn_tag;

enum hfds_pgn_skip {
	HFDS_PGN_PLAYABLE = 0,
	HFDS_PGN_SKIP_VARIANT = 1, /* [Variant] other than Standard / chess */
	HFDS_PGN_SKIP_SETUP = 2    /* [FEN] or [SetUp "1"]: does not start from the start position */
};

typedef struct hfds_pgn_game {
	uint64_t index;            /* 0-based game number within the reader */
	uint64_t line;             /* line of the game's first tag or token */
	size_t ntags;
	const hfds_pgn_tag *tags;  /* valid until the next hfds_pgn_next */
	int skip;                  /* enum hfds_pgn_skip, from the tags */
	/* Filled by hfds_pgn_read_moves: */
	int moves_read;
	size_t nmoves;
	const hfds_chess_move *moves; /* mainline, replayable from the start position */
	int has_problem;           /* a bad move (or over-long line) truncated the game */
	char problem[512];         /* "name:line:col: illegal san 'Nf9' ..." */
	int truncated;             /* input ended inside the game (no result token) */
	const char *result;        /* "1-0", "0-1", "1/2-1/2", "*" or NULL */
} hfds_pgn_game;

/* `name` labels messages (file name or "-"); it is copied. */
HFDS_EXTERN int hfds_pgn_reader_new(hfds_pgn_reader **out, const char *name, hfds_pgn_read_fn fn,
	void *ctx, hfds_error *err);
HFDS_EXTERN void hfds_pgn_reader_free(hfds_pgn_reader *r);
/* Next game's tags into *game (owned by the reader). HFDS_ITEROVER at the end of input. */
HFDS_EXTERN int hfds_pgn_next(hfds_pgn_reader *r, hfds_pgn_game **game, hfds_error *err);
/* Parses and replays the current game's mainline (only for HFDS_PGN_PLAYABLE games; others
 * get 0 moves). Call at most once per game, before the next hfds_pgn_next. */
HFDS_EXTERN int hfds_pgn_read_moves(hfds_pgn_reader *r, hfds_pgn_game *game, hfds_error *err);
/* A tag's value or NULL. */
HFDS_EXTERN const char *hfds_pgn_tag_get(const hfds_pgn_game *g, const char *key);

/* ---------------------------------------------------------------- inputs */

/*
 * An input stream over one PGN source: a file (`.pgn`, `.pgn.zst`, `.pgn.gz`, `.pgn.bz2`,
 * chosen by suffix) or "-" for stdin. Memory is bounded by the decompressors' windows.
 */
typedef struct hfds_chess_input hfds_chess_input;
HFDS_EXTERN int hfds_chess_input_open(hfds_chess_input **out, const char *path, hfds_error *err);
HFDS_EXTERN void hfds_chess_input_close(hfds_chess_input *in);
/* A hfds_pgn_read_fn; ctx is the hfds_chess_input. */
HFDS_EXTERN ptrdiff_t hfds_chess_input_read(void *ctx, void *buf, size_t cap, hfds_error *err);

/*
 * Expands paths into the list of PGN sources, in order: files as given, directories listed
 * sorted by name (recursing into subdirectories when `recursive`), keeping names ending in
 * .pgn, .pgn.zst, .pgn.gz or .pgn.bz2. "-" stays "-". *out is a NULL-terminated array of
 * strings; free it with hfds_chess_paths_free.
 */
HFDS_EXTERN int hfds_chess_expand_paths(char ***out, size_t *count, char *const *paths,
	size_t npaths, int recursive, hfds_error *err);
HFDS_EXTERN void hfds_chess_paths_free(char **paths);

/* ---------------------------------------------------------------- samplers */

enum hfds_chess_sampler_kind {
	HFDS_CHESS_SAMPLER_PLY_CURVE = 0, /* default */
	HFDS_CHESS_SAMPLER_CHESSPOS_V1 = 1,
	HFDS_CHESS_SAMPLER_ALL = 2
};

#define HFDS_CHESS_SAMPLE_OPTS_VERSION 1

typedef struct hfds_chess_sample_opts {
	unsigned version;   /* HFDS_CHESS_SAMPLE_OPTS_VERSION (set by _init); another is HFDS_EINVAL */
	int sampler;        /* enum hfds_chess_sampler_kind */
	uint64_t seed;      /* chesspos-v1: Python random.seed(seed); ply-curve: the key */
	double min_elo;     /* ply-curve logistic centre (2000) */
	double elo_slope;   /* ply-curve logistic slope (0.005) */
	double subsample;   /* ply-curve cap (0.33) */
	int min_ply;        /* ply-curve/all: plies before this are not sampled (0) */
	int max_ply;        /* ply-curve/all: stop after this ply; 0 = no limit */
} hfds_chess_sample_opts;

/* Fills the defaults (ply-curve) and the version. Cannot fail. */
HFDS_EXTERN void hfds_chess_sample_opts_init(hfds_chess_sample_opts *o);
/* Parses "ply-curve", "chesspos-v1" or "all"; -1 if unknown. */
HFDS_EXTERN int hfds_chess_sampler_from_name(const char *name);

/* One sampled position, handed to the callback. */
typedef struct hfds_chess_position {
	uint64_t game;   /* 0-based index of the game the position comes from, across inputs */
	uint32_t ply;    /* number of half-moves played (0 = start position) */
	const hfds_chess_board *board;
	const hfds_pgn_game *pgn;
	const char *file;
} hfds_chess_position;

/* Return 0 to continue, HFDS_ECANCELLED (or any negative code) to stop. */
typedef int (*hfds_chess_position_fn)(void *ctx, const hfds_chess_position *pos, hfds_error *err);

typedef struct hfds_chess_stats {
	uint64_t games;          /* game records read (tag sections) */
	uint64_t games_replayed; /* games whose movetext was parsed */
	uint64_t plies;          /* mainline moves replayed */
	uint64_t positions;      /* positions handed to the callback */
	uint64_t bad_games;      /* games truncated by a bad move */
	uint64_t skipped_variant;
	uint64_t skipped_setup;
	uint64_t elo_defaulted;  /* games with a missing/empty/malformed Elo (taken as 1500) */
	uint64_t bytes;          /* input bytes consumed (after decompression) */
} hfds_chess_stats;

/* Optional: called for each reported problem (bad move), and for progress. */
typedef void (*hfds_chess_problem_fn)(void *ctx, const char *message);
typedef void (*hfds_chess_progress_fn)(void *ctx, const hfds_chess_stats *st);

typedef struct hfds_chess_run_hooks {
	hfds_chess_problem_fn problem;
	hfds_chess_progress_fn progress; /* called about every 64k games */
	void *ctx;
} hfds_chess_run_hooks;

/*
 * Streams every source in `paths` (already expanded) in order through the sampler and calls
 * fn for each sampled position. The chesspos-v1 sampler is one MT19937 stream across all
 * inputs, like the original generator. Stops early when fn returns a negative code (that code
 * is returned unless it is HFDS_ECANCELLED, which returns 0). stats may be NULL.
 */
HFDS_EXTERN int hfds_chess_sample(char *const *paths, size_t npaths, const hfds_chess_sample_opts *o,
	hfds_chess_position_fn fn, void *ctx, const hfds_chess_run_hooks *hooks,
	hfds_chess_stats *stats, hfds_error *err);

/* ---------------------------------------------------------------- randomness */

/* Python's random module: MT19937 seeded like random.seed(int), random() doubles. */
typedef struct hfds_chess_pyrandom {
	uint32_t mt[624];
	int index;
} hfds_chess_pyrandom;
HFDS_EXTERN void hfds_chess_pyrandom_seed(hfds_chess_pyrandom *r, uint64_t seed);
HFDS_EXTERN double hfds_chess_pyrandom_random(hfds_chess_pyrandom *r);

/* The counter-based generator of ply-curve: a double in [0, 1) from (seed, file, game, n). */
HFDS_EXTERN double hfds_chess_keyed_random(uint64_t seed, uint64_t file, uint64_t game, uint64_t n);

/* ---------------------------------------------------------------- rows */

/*
 * The dataset features of chesspos rows: `window` Array2D((window, 69), int8) and `scalars`
 * a length-3 List of int8. *out is freed with hfds_features_free.
 */
HFDS_EXTERN int hfds_chess_features_new(hfds_features **out, int window, hfds_error *err);

/*
 * One record batch of n rows from n token vectors (n x 69, row-major): `window` is the
 * vector repeated `window` times, `scalars` three zeros. `b` is a builder over the storage
 * schema of hfds_chess_features_new (it is left empty). out is owned by the caller.
 */
HFDS_EXTERN int hfds_chess_rows_batch(struct ArrowArray *out, hfds_arrow_builder *b, const int8_t *tokens,
	size_t n, int window, hfds_error *err);

/* ---------------------------------------------------------------- npz */

/*
 * Writes `rows` x 69 int8 tokens as numpy's savez_compressed does: a zip archive with one
 * DEFLATE-compressed entry `data.npy` (NPY v1.0, '|i1', C order).
 */
HFDS_EXTERN int hfds_chess_write_npz(const char *path, const int8_t *data, size_t rows, size_t cols,
	hfds_error *err);

#ifdef __cplusplus
}
#endif
#endif
