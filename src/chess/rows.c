/*
 * chesspos rows as Arrow record batches: the token vector copied `window` times into the
 * Array2D column and three zeros into the scalars list, both through the builder's bulk
 * fixed-shape appends (one call per column per batch).
 */
#include "hfds/chess.h"
#include "util/alloc.h"
#include "util/try.h"

#include <string.h>

int hfds_chess_features_new(hfds_features **out, int window, hfds_error *err)
{
	hfds_features *f = hfds_features_new();
	int64_t shape[2];
	int rc = 0;
	*out = NULL;
	HFDS_FAIL_IF(!f, HFDS_ENOMEM, err, "chess features: out of memory");
	HFDS_FAIL_IF(window <= 0, HFDS_EINVAL, err, "window size must be positive, got %d", window);
	shape[0] = window;
	shape[1] = HFDS_CHESS_TOKENS;
	HFDS_TRY(hfds_features_add(f, "window", hfds_feature_array(2, shape, HFDS_DTYPE_INT8), err));
	HFDS_TRY(hfds_features_add(f, "scalars", hfds_feature_list(hfds_feature_value(HFDS_DTYPE_INT8), 3), err));
	*out = f;
	f = NULL;
done:
	hfds_features_free(f);
	return rc;
}

int hfds_chess_rows_batch(struct ArrowArray *out, hfds_arrow_builder *b, const int8_t *tokens, size_t n,
	int window, hfds_error *err)
{
	/* the window column is expanded through a small scratch buffer, 1024 rows at a time,
	 * so a batch costs no second full-size copy (and no page faults for one) */
	enum { CHUNK = 1024 };
	int8_t *win = NULL, *zeros = NULL;
	int64_t wshape[2], sshape[1] = {3};
	size_t i, done_rows;
	int k, rc = 0;
	out->release = NULL;
	HFDS_FAIL_IF(window <= 0 || window > 4096, HFDS_EINVAL, err, "window size must be 1..4096, got %d", window);
	win = hfds_malloc((size_t)CHUNK * (size_t)window * HFDS_CHESS_TOKENS);
	zeros = hfds_calloc(CHUNK, 3);
	HFDS_FAIL_IF(!win || !zeros, HFDS_ENOMEM, err, "chess rows: out of memory");
	wshape[0] = window;
	wshape[1] = HFDS_CHESS_TOKENS;
	hfds_arrow_builder_reset(b);
	for (done_rows = 0; done_rows < n; done_rows += CHUNK) {
		size_t m = n - done_rows < CHUNK ? n - done_rows : CHUNK;
		for (i = 0; i < m; i++)
			for (k = 0; k < window; k++)
				memcpy(win + (i * (size_t)window + (size_t)k) * HFDS_CHESS_TOKENS,
					tokens + (done_rows + i) * HFDS_CHESS_TOKENS, HFDS_CHESS_TOKENS);
		HFDS_TRY(hfds_arrow_builder_append_tensor(b, 0, win, m, wshape, 2, NULL, err));
		HFDS_TRY(hfds_arrow_builder_append_tensor(b, 1, zeros, m, sshape, 1, NULL, err));
	}
	HFDS_TRY(hfds_arrow_builder_finish(b, out, err));
done:
	if (rc < 0)
		hfds_arrow_builder_reset(b);
	hfds_free(win);
	hfds_free(zeros);
	return rc;
}
