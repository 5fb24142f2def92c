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
	int8_t *win = NULL, *zeros = NULL;
	int64_t wshape[2], sshape[1] = {3};
	size_t i, bytes;
	int k, rc = 0;
	out->release = NULL;
	HFDS_FAIL_IF(window <= 0, HFDS_EINVAL, err, "window size must be positive, got %d", window);
	HFDS_FAIL_IF(hfds_mul_overflow(n, (size_t)window * HFDS_CHESS_TOKENS, &bytes), HFDS_ELIMIT, err,
		"chess rows: batch too large");
	win = hfds_malloc(bytes ? bytes : 1);
	zeros = hfds_calloc(n ? n : 1, 3);
	HFDS_FAIL_IF(!win || !zeros, HFDS_ENOMEM, err, "chess rows: out of memory for %zu rows", n);
	for (i = 0; i < n; i++)
		for (k = 0; k < window; k++)
			memcpy(win + (i * (size_t)window + (size_t)k) * HFDS_CHESS_TOKENS, tokens + i * HFDS_CHESS_TOKENS,
				HFDS_CHESS_TOKENS);
	wshape[0] = window;
	wshape[1] = HFDS_CHESS_TOKENS;
	hfds_arrow_builder_reset(b);
	HFDS_TRY(hfds_arrow_builder_append_tensor(b, 0, win, n, wshape, 2, NULL, err));
	HFDS_TRY(hfds_arrow_builder_append_tensor(b, 1, zeros, n, sshape, 1, NULL, err));
	HFDS_TRY(hfds_arrow_builder_finish(b, out, err));
done:
	if (rc < 0)
		hfds_arrow_builder_reset(b);
	hfds_free(win);
	hfds_free(zeros);
	return rc;
}
