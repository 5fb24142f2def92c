/* Target selection (--endpoint > HF_ENDPOINT > HF token > embedded hub) and repo id checks. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test.h"
#include "hfds/hub.h"

static void clear_env(void)
{
	static const char *vars[] = {"HF_ENDPOINT", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH",
		"XDG_CACHE_HOME", NULL};
	char home[4200];
	for (int i = 0; vars[i]; i++)
		unsetenv(vars[i]);
	/* HF_HOME and HOME point at empty temp dirs, so no real token is found. */
	snprintf(home, sizeof(home), "%s/home", test_tmpdir());
	setenv("HOME", home, 1);
	snprintf(home, sizeof(home), "%s/hfhome", test_tmpdir());
	setenv("HF_HOME", home, 1);
	snprintf(home, sizeof(home), "%s/hfds", test_tmpdir());
	setenv("HFDS_HOME", home, 1);
}

static void precedence(void)
{
	hfds_target t;
	hfds_error err;
	char expect[4300], line[4400], path[4300];
	FILE *f;
	clear_env();
	hfds_error_init(&err);
	/* Nothing set: the embedded hub at $HFDS_HOME/hub. */
	REQUIRE(hfds_target_select(&t, NULL, &err) == 0);
	CHECK_EQ_INT(t.kind, HFDS_TARGET_EMBEDDED);
	snprintf(expect, sizeof(expect), "%s/hfds/hub", test_tmpdir());
	CHECK_EQ_STR(t.root, expect);
	CHECK(t.token == NULL);
	hfds_target_describe(&t, line, sizeof(line));
	snprintf(expect, sizeof(expect), "embedded hub at %s/hfds/hub (no HF token found)", test_tmpdir());
	CHECK_EQ_STR(line, expect);
	hfds_target_release(&t);

	/* A token file under HF_HOME selects the Hub; the token is cleaned. */
	snprintf(path, sizeof(path), "%s/hfhome", test_tmpdir());
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/hfhome/token", test_tmpdir());
	REQUIRE((f = fopen(path, "w")) != NULL);
	fputs("  hf_filetoken\r\n", f);
	fclose(f);
	REQUIRE(hfds_target_select(&t, NULL, &err) == 0);
	CHECK_EQ_INT(t.kind, HFDS_TARGET_REMOTE);
	CHECK_EQ_STR(t.endpoint, "https://huggingface.co");
	CHECK_EQ_STR(t.token, "hf_filetoken");
	hfds_target_describe(&t, line, sizeof(line));
	CHECK(strstr(line, "https://huggingface.co (HF token from ") == line);
	hfds_target_release(&t);

	/* HF_TOKEN wins over the file; an empty HF_TOKEN counts as none. */
	setenv("HF_TOKEN", "hf_env", 1);
	REQUIRE(hfds_target_select(&t, NULL, &err) == 0);
	CHECK_EQ_STR(t.token, "hf_env");
	CHECK_EQ_STR(t.why, "HF token from HF_TOKEN");
	hfds_target_release(&t);
	setenv("HF_TOKEN", " \n", 1);
	REQUIRE(hfds_target_select(&t, NULL, &err) == 0);
	CHECK_EQ_STR(t.token, "hf_filetoken");
	hfds_target_release(&t);

	/* HF_ENDPOINT beats the token; a path there means an embedded hub. */
	setenv("HF_ENDPOINT", "http://localhost:8080/hf/", 1);
	REQUIRE(hfds_target_select(&t, NULL, &err) == 0);
	CHECK_EQ_INT(t.kind, HFDS_TARGET_REMOTE);
	CHECK_EQ_STR(t.endpoint, "http://localhost:8080/hf");
	CHECK_EQ_STR(t.why, "from HF_ENDPOINT");
	hfds_target_release(&t);
	setenv("HF_ENDPOINT", "/srv/hub", 1);
	REQUIRE(hfds_target_select(&t, NULL, &err) == 0);
	CHECK_EQ_INT(t.kind, HFDS_TARGET_EMBEDDED);
	CHECK_EQ_STR(t.root, "/srv/hub");
	hfds_target_release(&t);

	/* --endpoint beats everything. */
	REQUIRE(hfds_target_select(&t, "file:///data/hub", &err) == 0);
	CHECK_EQ_INT(t.kind, HFDS_TARGET_EMBEDDED);
	CHECK_EQ_STR(t.root, "/data/hub");
	CHECK_EQ_STR(t.why, "from --endpoint");
	hfds_target_release(&t);
	REQUIRE(hfds_target_select(&t, "file://", &err) == 0);
	snprintf(expect, sizeof(expect), "%s/hfds/hub", test_tmpdir());
	CHECK_EQ_STR(t.root, expect);
	hfds_target_release(&t);
	REQUIRE(hfds_target_select(&t, "https://hub.example", &err) == 0);
	CHECK_EQ_STR(t.endpoint, "https://hub.example");
	CHECK_EQ_STR(t.token, "hf_filetoken");
	hfds_target_release(&t);
	REQUIRE(hfds_target_select(&t, "./rel/hub", &err) == 0);
	CHECK_EQ_STR(t.root, "./rel/hub");
	hfds_target_release(&t);

	/* Clear errors for what is neither. */
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_target_select(&t, "ftp://x", &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "unsupported scheme") != NULL);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_target_select(&t, "huggingface.co", &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "https://huggingface.co") != NULL);
	CHECK_EQ_INT(hfds_target_select(&t, "https://", NULL), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_target_select(&t, "file://relative", NULL), HFDS_EINVAL);
	clear_env();
}

static void repo_ids(void)
{
	hfds_error err;
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_hub_repo_id_check("user/dataset", &err), 0);
	CHECK_EQ_INT(hfds_hub_repo_id_check("user/../x", &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "user/../x") != NULL);
	CHECK_EQ_INT(hfds_hub_repo_id_check(NULL, NULL), HFDS_EINVAL);
}

int main(void)
{
	RUN(precedence);
	RUN(repo_ids);
	TEST_END();
}
