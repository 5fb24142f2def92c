/* hfds_chess_sample refuses sample options of another version before opening any input. */
#include "test.h"
#include "hfds/chess.h"

static int called(void *ctx, const hfds_chess_position *pos, hfds_error *err)
{
	(*(int *)ctx)++;
	return 0;
}

static void test_sample_opts_version(void)
{
	hfds_chess_sample_opts o;
	char *paths[] = {"/nonexistent.pgn"};
	int n = 0;
	hfds_error err;
	hfds_error_init(&err);
	hfds_chess_sample_opts_init(&o);
	CHECK_EQ_INT(o.version, HFDS_CHESS_SAMPLE_OPTS_VERSION);
	o.version = 0;
	CHECK_EQ_INT(hfds_chess_sample(paths, 1, &o, called, &n, NULL, NULL, &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "hfds_chess_sample_opts") != NULL);
	CHECK(strstr(err.message, "version") != NULL);
	CHECK_EQ_INT(n, 0);
}

int main(void)
{
	RUN(test_sample_opts_version);
	TEST_END();
}
