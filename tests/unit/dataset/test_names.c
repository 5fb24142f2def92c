/* Size strings, split/config names and shard paths as datasets' push_to_hub uses them. */
#include "test.h"

#include "hfds/dataset.h"
#include "util/alloc.h"

static uint64_t size_of(const char *s, int *rc)
{
	uint64_t v = 0;
	hfds_error err;
	hfds_error_init(&err);
	*rc = hfds_ds_parse_size(s, &v, &err);
	return v;
}

static void sizes(void)
{
	int rc;
	CHECK_EQ_INT(size_of("500MB", &rc), 500000000);
	CHECK_EQ_INT(rc, 0);
	CHECK_EQ_INT(size_of("1GB", &rc), 1000000000);
	CHECK_EQ_INT(size_of("5MiB", &rc), 5 * 1048576);
	CHECK_EQ_INT(size_of("5mib", &rc), 5 * 1048576);
	CHECK_EQ_INT(size_of("10KB", &rc), 10000);
	CHECK_EQ_INT(size_of("2TiB", &rc), 2ll << 40);
	CHECK_EQ_INT(size_of("500Mb", &rc), 62500000); /* lowercase b: bits */
	CHECK_EQ_INT(size_of("500mb", &rc), 62500000);
	CHECK_EQ_INT(size_of("500mB", &rc), 500000000);
	CHECK_EQ_INT(size_of("1_000KB", &rc), 1000000);
	CHECK_EQ_INT(size_of("12345", &rc), 12345);
	CHECK_EQ_INT(rc, 0);
	size_of("5.5GB", &rc);
	CHECK_EQ_INT(rc, HFDS_EPARSE);
	size_of("GB", &rc);
	CHECK_EQ_INT(rc, HFDS_EPARSE);
	size_of("5 XB", &rc);
	CHECK_EQ_INT(rc, HFDS_EPARSE);
	size_of("-5MB", &rc);
	CHECK_EQ_INT(rc, HFDS_EPARSE);
	size_of("99999999999999999999PB", &rc);
	CHECK_EQ_INT(rc, HFDS_EPARSE);
	size_of("20000PiB", &rc);
	CHECK_EQ_INT(rc, HFDS_EPARSE);
}

static void split_names(void)
{
	CHECK_EQ_INT(hfds_ds_check_split("train", NULL), 0);
	CHECK_EQ_INT(hfds_ds_check_split("train.clean.100", NULL), 0);
	CHECK_EQ_INT(hfds_ds_check_split("validation_2", NULL), 0);
	CHECK_EQ_INT(hfds_ds_check_split("my-split", NULL), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_ds_check_split("train.", NULL), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_ds_check_split(".train", NULL), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_ds_check_split("a..b", NULL), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_ds_check_split("", NULL), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_ds_check_split("a/b", NULL), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_ds_check_split("a b", NULL), HFDS_EINVAL);
}

static void config_names(void)
{
	hfds_error err;
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_ds_check_config("default", NULL), 0);
	CHECK_EQ_INT(hfds_ds_check_config("en", NULL), 0);
	CHECK_EQ_INT(hfds_ds_check_config("data", &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "'data'") != NULL);
	CHECK_EQ_INT(hfds_ds_check_config("a/b", NULL), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_ds_check_config("..", NULL), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_ds_check_config(".hidden", NULL), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_ds_check_config("x*", NULL), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_ds_check_config("", NULL), HFDS_EINVAL);
}

static void paths(void)
{
	char *p = NULL;
	CHECK_EQ_INT(hfds_ds_shard_path(&p, "default", "train", 0, 2, NULL), 0);
	CHECK_EQ_STR(p, "data/train-00000-of-00002.parquet");
	hfds_free(p);
	CHECK_EQ_INT(hfds_ds_shard_path(&p, "fr", "validation", 12, 123456, NULL), 0);
	CHECK_EQ_STR(p, "fr/validation-00012-of-123456.parquet");
	hfds_free(p);
	CHECK_EQ_INT(hfds_ds_append_path(&p, "default", "train", 7, NULL), 0);
	CHECK_EQ_STR(p, "train/batch_000007.parquet");
	hfds_free(p);
	CHECK_EQ_INT(hfds_ds_append_path(&p, "blitz", "train", 1, NULL), 0);
	CHECK_EQ_STR(p, "blitz/train/batch_000001.parquet");
	hfds_free(p);
	CHECK_EQ_INT(hfds_ds_split_glob(&p, "default", "train", HFDS_DS_LAYOUT_SHARDS, NULL), 0);
	CHECK_EQ_STR(p, "data/train-*");
	hfds_free(p);
	CHECK_EQ_INT(hfds_ds_split_glob(&p, "default", "train", HFDS_DS_LAYOUT_APPEND, NULL), 0);
	CHECK_EQ_STR(p, "train/*.parquet");
	hfds_free(p);
	CHECK_EQ_STR(hfds_ds_data_dir("default"), "data");
	CHECK_EQ_STR(hfds_ds_data_dir("en"), "en");
}

int main(void)
{
	RUN(sizes);
	RUN(split_names);
	RUN(config_names);
	RUN(paths);
	TEST_END();
}
