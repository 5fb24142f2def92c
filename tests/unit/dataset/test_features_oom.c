/* Allocation failures at every hfds allocation of the features round trips: each must come
 * back as HFDS_ENOMEM (or a NULL constructor result) with nothing leaked and no crash. */
#include "test.h"
#include "hfds/features.h"
#include "util/alloc.h"

#define TRY(x) do { if ((rc = (x)) < 0) goto done; } while (0)

static int scenario(void)
{
	hfds_features *f = hfds_features_new(), *g = NULL, *h = NULL, *k = NULL, *y = NULL;
	hfds_fnode *tree = NULL;
	struct ArrowSchema s = {0};
	char *txt = NULL, *hf = NULL;
	const char *names[] = {"neg", "pos"};
	int rc = 0;
	if (!f)
		return HFDS_ENOMEM;
	TRY(hfds_features_add(f, "id", hfds_feature_value(HFDS_DTYPE_INT8), NULL));
	TRY(hfds_features_add(f, "grid", hfds_feature_array(2, (int64_t[]){-1, 69}, HFDS_DTYPE_INT8), NULL));
	TRY(hfds_features_add(f, "tok", hfds_feature_list(hfds_feature_list(hfds_feature_value(HFDS_DTYPE_STRING), 2), -1), NULL));
	TRY(hfds_features_add(f, "label", hfds_feature_class_label(names, 2), NULL));
	TRY(hfds_features_add(f, "audio", hfds_feature_audio(16000), NULL));
	TRY(hfds_features_add(f, "ts", hfds_feature_timestamp(HFDS_ARROW_NANO, "UTC"), NULL));
	TRY(hfds_features_add(f, "tr", hfds_feature_translation(names, 2), NULL));
	{
		hfds_feature *st = hfds_feature_struct();
		if (!st) {
			rc = HFDS_ENOMEM;
			goto done;
		}
		if ((rc = hfds_feature_struct_add(st, "a", hfds_feature_image("RGB"), NULL)) < 0) {
			hfds_feature_free(st);
			goto done;
		}
		TRY(hfds_features_add(f, "st", hfds_feature_large_list(st), NULL));
	}
	TRY(hfds_features_to_json(&txt, NULL, f, HFDS_FEATURES_SEQUENCE, NULL));
	TRY(hfds_features_hf_metadata(&hf, NULL, f, 0, NULL));
	TRY(hfds_features_parse_hf_metadata(&g, hf, strlen(hf), NULL));
	TRY(hfds_features_compare(f, g, NULL));
	TRY(hfds_features_to_arrow_schema(&s, f, HFDS_FEATURES_ARROW_HF_METADATA, NULL));
	TRY(hfds_features_from_arrow_schema(&h, &s, NULL));
	TRY(hfds_features_compare(f, h, NULL));
	TRY(hfds_features_infer(&k, &s, NULL));
	TRY(hfds_features_to_yaml(&tree, f, 0, NULL));
	TRY(hfds_features_from_yaml(&y, tree, NULL));
	TRY(hfds_features_compare(f, y, NULL));
done:
	hfds_features_free(f);
	hfds_features_free(g);
	hfds_features_free(h);
	hfds_features_free(k);
	hfds_features_free(y);
	hfds_fnode_free(tree);
	hfds_arrow_schema_release(&s);
	hfds_free(txt);
	hfds_free(hf);
	return rc;
}

static void test_every_allocation_fails_once(void)
{
	int n, rc = -1;
	CHECK_EQ_INT(scenario(), 0);
	for (n = 1; n < 20000; n++) {
		hfds_alloc_fail_after((uint64_t)n);
		rc = scenario();
		hfds_alloc_fail_after(0);
		if (rc == 0)
			break;
		if (rc != HFDS_ENOMEM)
			fprintf(stderr, "allocation %d: rc %d\n", n, rc);
		CHECK_EQ_INT(rc, HFDS_ENOMEM);
	}
	CHECK_EQ_INT(rc, 0);
	CHECK(n > 100);
}

int main(void)
{
	RUN(test_every_allocation_fails_once);
	TEST_END();
}
