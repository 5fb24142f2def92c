/* The embedded hub: repo ids, paths, repository lifecycle and its .gitattributes. */
#include <string.h>
#include <sys/time.h>

#include "store_fixture.h"

static void repo_ids(void)
{
	static const char *good[] = {"ns/name", "user/my-data_set.v2", "a/b", "gpt2", "A1/B_2", NULL};
	static const char *bad[] = {"", "/ns/name", "ns/name/", "ns//name", "a/b/c", "ns/../x", "ns/a..b",
		"ns/a--b", "-ns/x", "ns/x-", "ns/.x", "ns/x.", "ns/x.git", "ns/x y", "ns/x\xc3\xa9", "ns.git/x",
		"..", ".", "ns/", NULL};
	char longname[200];
	hfds_error err;
	for (int i = 0; good[i]; i++) {
		hfds_error_init(&err);
		CHECK_EQ_INT(hfds_repo_id_check(good[i], strlen(good[i]), &err), 0);
	}
	for (int i = 0; bad[i]; i++) {
		hfds_error_init(&err);
		if (hfds_repo_id_check(bad[i], strlen(bad[i]), &err) != HFDS_EINVAL)
			{ fprintf(stderr, "accepted bad id %s\n", bad[i]); CHECK(0); }
		CHECK(err.message[0] != '\0');
	}
	/* 96 characters is the maximum for the name. */
	memset(longname, 'a', sizeof(longname));
	memcpy(longname, "ns/", 3);
	longname[3 + 96] = '\0';
	CHECK_EQ_INT(hfds_repo_id_check(longname, strlen(longname), NULL), 0);
	longname[3 + 96] = 'a';
	longname[3 + 97] = '\0';
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_repo_id_check(longname, strlen(longname), &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "longer than 96") != NULL);
	/* An embedded NUL (e.g. from a percent-decoded URL) is caught through the length. */
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_repo_id_check("ns/a\0b", 6, &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "NUL") != NULL);
}

/* Random ids judged by huggingface_hub's own regex and rules (run by python3) and by us. */
static void repo_ids_match_python(void)
{
	static const char alphabet[] = "ab_Z09.-/";
	static const char py[] =
		"import re,sys\n"
		"R=re.compile(r'^(\\b[\\w\\-.]+\\b/)?\\b[\\w\\-.]{1,96}\\b$', re.ASCII)\n"
		"for s in open(sys.argv[1]).read().split('\\n')[:-1]:\n"
		"    ok = s.count('/') <= 1 and R.match(s) and '--' not in s and '..' not in s and not s.endswith('.git')\n"
		"    ok = ok and not ('/' in s and s.split('/')[0].endswith('.git'))\n"
		"    print(1 if ok else 0)\n";
	char ids_path[4200], py_path[4200], cmd[9000], line[16];
	char ids[3000][12];
	unsigned seed = 12345;
	int n = 3000, mismatches = 0, accepted = 0;
	FILE *f, *p;
	snprintf(ids_path, sizeof(ids_path), "%s/ids.txt", test_tmpdir());
	snprintf(py_path, sizeof(py_path), "%s/ids.py", test_tmpdir());
	REQUIRE((f = fopen(py_path, "w")) != NULL);
	fputs(py, f);
	fclose(f);
	REQUIRE((f = fopen(ids_path, "w")) != NULL);
	for (int i = 0; i < n; i++) {
		int len = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 10;
		for (int j = 0; j < len; j++) {
			seed = seed * 1103515245u + 12345u;
			ids[i][j] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		ids[i][len] = '\0';
		if (i % 7 == 0 && len > 4) /* plenty of plausible "ns/name" shapes */
			ids[i][len / 2] = '/';
		fprintf(f, "%s\n", ids[i]);
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd), "python3 '%s' '%s' 2>/dev/null", py_path, ids_path);
	REQUIRE((p = popen(cmd, "r")) != NULL);
	for (int i = 0; i < n; i++) {
		int want, got;
		if (!fgets(line, sizeof(line), p)) {
			printf("skip repo_ids_match_python: no python3\n");
			break;
		}
		want = line[0] == '1';
		got = hfds_repo_id_check(ids[i], strlen(ids[i]), NULL) == 0;
		accepted += got;
		if (want != got && mismatches++ < 5)
			fprintf(stderr, "id '%s': python %d, hfds %d\n", ids[i], want, got);
	}
	pclose(p);
	CHECK_EQ_INT(mismatches, 0);
	CHECK(accepted > 100); /* the sample must exercise both verdicts */
}

static void repo_paths(void)
{
	static const char *good[] = {"README.md", "data/train-00000-of-00001.parquet", "a/b/c.txt", ".gitattributes",
		"x..y", "caf\xc3\xa9.txt", NULL};
	static const char *bad[] = {"", "/etc/passwd", "../x", "a/../b", "a/./b", "a//b", "a/", ".git/config",
		"x/.git/y", "a\\b", "..", "bad\xff", NULL};
	for (int i = 0; good[i]; i++)
		CHECK_EQ_INT(hfds_repo_path_check(good[i], strlen(good[i]), NULL), 0);
	for (int i = 0; bad[i]; i++)
		if (hfds_repo_path_check(bad[i], strlen(bad[i]), NULL) != HFDS_EINVAL)
			{ fprintf(stderr, "accepted bad path %s\n", bad[i]); CHECK(0); }
	CHECK_EQ_INT(hfds_repo_path_check("a\0b", 3, NULL), HFDS_EINVAL);
}

static void create_info_delete(void)
{
	hfds_store *st = fx_store();
	hfds_store_repo *repo = NULL;
	hfds_store_repo_info info;
	hfds_store_log *log = NULL;
	hfds_error err;
	char path[4300];
	struct stat sb;
	REQUIRE(st);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_store_repo_exists(st, HFDS_REPO_DATASET, "ns/data", &err), 0);
	CHECK_EQ_INT(hfds_store_repo_create(st, HFDS_REPO_DATASET, "ns/data", 1, &err), 0);
	CHECK_EQ_INT(hfds_store_repo_exists(st, HFDS_REPO_DATASET, "ns/data", &err), 1);
	CHECK_EQ_INT(hfds_store_repo_exists(st, HFDS_REPO_MODEL, "ns/data", &err), 0);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_store_repo_create(st, HFDS_REPO_DATASET, "ns/data", 0, &err), HFDS_EEXISTS);
	CHECK(strstr(err.message, "already exists") != NULL);
	/* The layout is by type and id. */
	snprintf(path, sizeof(path), "%s/datasets/ns/data.git/HEAD", hfds_store_root(st));
	CHECK_EQ_INT(stat(path, &sb), 0);

	hfds_error_init(&err);
	REQUIRE(hfds_store_repo_open(&repo, st, HFDS_REPO_DATASET, "ns/data", &err) == 0);
	CHECK_EQ_INT(hfds_store_repo_info_get(&info, repo, NULL, &err), 0);
	CHECK_EQ_STR(info.id, "ns/data");
	CHECK_EQ_INT(info.is_private, 1);
	CHECK_EQ_INT(strlen(info.sha), 40);
	CHECK(info.created_at > 0 && info.last_modified >= info.created_at - 1);
	/* The Hub's initial commit: one commit by "system" adding .gitattributes. */
	REQUIRE(hfds_store_log_list(&log, repo, NULL, 0, &err) == 0);
	CHECK_EQ_INT(log->count, 1);
	CHECK_EQ_STR(log->items[0].title, "initial commit");
	CHECK_EQ_STR(log->items[0].author, "system");
	CHECK_EQ_STR(log->items[0].id, info.sha);
	hfds_store_log_free(log);
	CHECK_EQ_INT(hfds_store_repo_set_private(st, HFDS_REPO_DATASET, "ns/data", 0, &err), 0);
	CHECK_EQ_INT(hfds_store_repo_info_get(&info, repo, "HEAD", &err), 0);
	CHECK_EQ_INT(info.is_private, 0);
	hfds_store_repo_free(repo);

	CHECK_EQ_INT(hfds_store_repo_delete(st, HFDS_REPO_DATASET, "ns/data", &err), 0);
	CHECK_EQ_INT(hfds_store_repo_exists(st, HFDS_REPO_DATASET, "ns/data", &err), 0);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_store_repo_delete(st, HFDS_REPO_DATASET, "ns/data", &err), HFDS_ENOTFOUND);
	CHECK(strstr(err.message, "not found") != NULL);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_store_repo_open(&repo, st, HFDS_REPO_DATASET, "ns/data", &err), HFDS_ENOTFOUND);
	/* It can be created again after deletion. */
	CHECK_EQ_INT(hfds_store_repo_create(st, HFDS_REPO_DATASET, "ns/data", 0, &err), 0);
	/* Hostile ids never touch the disk. */
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_store_repo_create(st, HFDS_REPO_DATASET, "../../etc", 0, &err), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_store_repo_create(st, HFDS_REPO_DATASET, "ns/..", 0, NULL), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_store_repo_open(&repo, st, HFDS_REPO_DATASET, "/ns/x", NULL), HFDS_EINVAL);
	hfds_store_free(st);
}

static void gitattributes_default(void)
{
	hfds_store *st = fx_store();
	hfds_store_repo *repo;
	hfds_store_tree *tree = NULL;
	uint8_t *text = NULL;
	size_t len = 0;
	hfds_error err;
	REQUIRE(st);
	REQUIRE((repo = fx_repo(st, "ns/attrs")));
	hfds_error_init(&err);
	REQUIRE(hfds_store_tree_list(&tree, repo, NULL, NULL, 1, &err) == 0);
	CHECK_EQ_INT(tree->count, 1);
	CHECK_EQ_STR(tree->items[0].path, ".gitattributes");
	CHECK_EQ_INT(tree->items[0].is_lfs, 0);
	hfds_store_tree_free(tree);
	REQUIRE(hfds_store_read(&text, &len, repo, NULL, ".gitattributes", 0, UINT64_MAX, 0, 0, &err) == 0);
	CHECK(strstr((char *)text, "*.parquet filter=lfs diff=lfs merge=lfs -text\n") != NULL);
	CHECK(strstr((char *)text, "*.arrow filter=lfs") != NULL);
	CHECK(strstr((char *)text, "*.png filter=lfs") != NULL); /* datasets also get media files */
	hfds_free(text);
	hfds_store_repo_free(repo);
	hfds_store_free(st);
}

/* Leftovers of a crashed create/delete are swept when they are old, kept while fresh. */
static void sweep_stale_staging(void)
{
	hfds_store *st = fx_store(), *again = NULL;
	char old_dir[4300], new_dir[4300], root[4200];
	struct timeval tv[2] = {{1000000000, 0}, {1000000000, 0}};
	REQUIRE(st);
	snprintf(root, sizeof(root), "%s", hfds_store_root(st));
	snprintf(old_dir, sizeof(old_dir), "%s/tmp", root);
	mkdir(old_dir, 0777);
	snprintf(old_dir, sizeof(old_dir), "%s/tmp/delete-crashed", root);
	snprintf(new_dir, sizeof(new_dir), "%s/tmp/create-running", root);
	REQUIRE(mkdir(old_dir, 0777) == 0);
	REQUIRE(mkdir(new_dir, 0777) == 0);
	REQUIRE(utimes(old_dir, tv) == 0);
	REQUIRE(hfds_store_open(&again, root, NULL) == 0);
	CHECK(access(old_dir, F_OK) != 0);
	CHECK(access(new_dir, F_OK) == 0);
	hfds_store_free(again);
	hfds_store_free(st);
}

int main(void)
{
	RUN(repo_ids);
	RUN(repo_ids_match_python);
	RUN(repo_paths);
	RUN(create_info_delete);
	RUN(gitattributes_default);
	RUN(sweep_stale_staging);
	TEST_END();
}
