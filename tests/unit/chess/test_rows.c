/* chesspos rows as Arrow batches: schema from the features, window = 10 copies, scalars = 0. */
#include "test.h"
#include "hfds/chess.h"

static void test_rows_batch(void)
{
	hfds_features *f = NULL;
	struct ArrowSchema schema;
	struct ArrowArray a;
	hfds_arrow_builder *b = NULL;
	int8_t tok[3 * HFDS_CHESS_TOKENS];
	hfds_chess_board board;
	hfds_error err;
	const struct ArrowArray *win, *win_rows, *win_leaf, *sc_leaf;
	const int8_t *leaf;
	int i, k;
	hfds_error_init(&err);
	REQUIRE(hfds_chess_features_new(&f, 10, &err) == 0);
	REQUIRE(hfds_features_to_arrow_schema(&schema, f, 0, &err) == 0);
	REQUIRE(hfds_arrow_builder_new(&b, &schema, &err) == 0);
	hfds_chess_board_init(&board);
	for (i = 0; i < 3; i++) {
		hfds_chess_move m;
		hfds_chess_encode(&board, tok + i * HFDS_CHESS_TOKENS);
		static const char *mv[3] = {"e4", "e5", "Nf3"};
		REQUIRE(hfds_chess_parse_move(&m, &board, mv[i], strlen(mv[i]), NULL) == 0);
		hfds_chess_board_push(&board, m);
	}
	REQUIRE(hfds_chess_rows_batch(&a, b, tok, 3, 10, &err) == 0);
	CHECK_EQ_INT(hfds_arrow_array_validate(&a, &schema, &err), 0);
	CHECK_EQ_INT(a.length, 3);
	REQUIRE(a.n_children == 2);
	/* window: list<list<int8>> of 3 x 10 x 69 leaf values */
	win = a.children[0];
	REQUIRE(win->n_children == 1);
	win_rows = win->children[0];
	REQUIRE(win_rows->n_children == 1);
	win_leaf = win_rows->children[0];
	CHECK_EQ_INT(win_leaf->length, 3 * 10 * 69);
	leaf = (const int8_t *)win_leaf->buffers[1];
	for (i = 0; i < 3; i++)
		for (k = 0; k < 10; k++)
			CHECK_EQ_MEM(leaf + (i * 10 + k) * 69, tok + i * 69, 69);
	sc_leaf = a.children[1]->children[0];
	CHECK_EQ_INT(sc_leaf->length, 9);
	for (i = 0; i < 9; i++)
		CHECK_EQ_INT(((const int8_t *)sc_leaf->buffers[1])[i], 0);
	hfds_arrow_array_release(&a);
	/* the builder is reusable; a bad window size is refused */
	REQUIRE(hfds_chess_rows_batch(&a, b, tok, 1, 10, &err) == 0);
	CHECK_EQ_INT(a.length, 1);
	hfds_arrow_array_release(&a);
	CHECK_EQ_INT(hfds_chess_rows_batch(&a, b, tok, 1, 0, NULL), HFDS_EINVAL);
	hfds_arrow_builder_free(b);
	hfds_arrow_schema_release(&schema);
	hfds_features_free(f);
}

int main(void)
{
	RUN(test_rows_batch);
	TEST_END();
}
