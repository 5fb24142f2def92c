/*
 * util/afile: the atomic output every user-visible file goes through. Until commit the
 * target is untouched; abort leaves no temporary; commit replaces the target with a new
 * inode (another hard link to the old file keeps its bytes) and keeps its permission bits;
 * symbolic links are kept and devices written directly.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "test.h"
#include "util/afile.h"

static char *path_in(const char *name)
{
	static char buf[4][4200];
	static int slot;
	char *p = buf[slot++ & 3];
	snprintf(p, 4200, "%s/%s", test_tmpdir(), name);
	return p;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static int has_text(const char *path, const char *text)
{
	char *got = test_slurp(path, NULL);
	int same = got && !strcmp(got, text);
	free(got);
	return same;
}

/* Entries of the temp dir whose name starts with ".<name>.tmp-". */
static int temps_of(const char *name)
{
	char prefix[300];
	DIR *d = opendir(test_tmpdir());
	struct dirent *e;
	int n = 0;
	snprintf(prefix, sizeof(prefix), ".%s.tmp-", name);
	while (d && (e = readdir(d)) != NULL)
		n += !strncmp(e->d_name, prefix, strlen(prefix));
	if (d)
		closedir(d);
	return n;
}

static void test_abort_keeps_target(void)
{
	const char *p = path_in("keep.txt");
	hfds_afile f = HFDS_AFILE_INIT;
	put(p, "old");
	REQUIRE(hfds_afile_open(&f, p, 0, NULL) == 0);
	CHECK_EQ_INT(temps_of("keep.txt"), 1);
	CHECK_EQ_INT(hfds_afile_write(&f, "new bytes", 9, NULL), 0);
	CHECK(has_text(p, "old"));
	hfds_afile_abort(&f);
	hfds_afile_abort(&f); /* idempotent */
	CHECK(has_text(p, "old"));
	CHECK_EQ_INT(temps_of("keep.txt"), 0);
}

static void test_commit_replaces_inode_and_mode(void)
{
	const char *p = path_in("swap.txt"), *other = path_in("swap-link.txt");
	hfds_afile f = HFDS_AFILE_INIT;
	struct stat st;
	put(p, "old");
	REQUIRE(chmod(p, 0640) == 0);
	REQUIRE(link(p, other) == 0);
	for (int durable = 0; durable < 2; durable++) {
		REQUIRE(hfds_afile_open(&f, p, durable, NULL) == 0);
		CHECK_EQ_INT(hfds_afile_write(&f, "new", 3, NULL), 0);
		CHECK_EQ_INT(hfds_afile_commit(&f, NULL), 0);
		CHECK(has_text(p, "new"));
		CHECK(has_text(other, "old"));
		CHECK_EQ_INT(stat(p, &st), 0);
		CHECK_EQ_INT(st.st_mode & 0777, 0640);
		CHECK_EQ_INT(st.st_nlink, 1);
		CHECK_EQ_INT(temps_of("swap.txt"), 0);
	}
}

/* A symbolic link keeps pointing at its file, whose content is replaced; a device at the
 * path (/dev/null, /dev/stdout) is written directly and never replaced by a file. */
static void test_links_and_devices(void)
{
	const char *target = path_in("real.txt"), *lnk = path_in("via-link.txt");
	hfds_afile f = HFDS_AFILE_INIT;
	struct stat st;
	put(target, "old");
	REQUIRE(symlink(target, lnk) == 0);
	REQUIRE(hfds_afile_open(&f, lnk, 0, NULL) == 0);
	CHECK_EQ_INT(hfds_afile_write(&f, "new", 3, NULL), 0);
	CHECK_EQ_INT(hfds_afile_commit(&f, NULL), 0);
	CHECK_EQ_INT(lstat(lnk, &st), 0);
	CHECK(S_ISLNK(st.st_mode));
	CHECK(has_text(target, "new"));
	for (int durable = 0; durable < 2; durable++) {
		REQUIRE(hfds_afile_open(&f, "/dev/null", durable, NULL) == 0);
		CHECK_EQ_INT(hfds_afile_write(&f, "discarded", 9, NULL), 0);
		CHECK_EQ_INT(hfds_afile_commit(&f, NULL), 0);
		CHECK_EQ_INT(stat("/dev/null", &st), 0);
		CHECK(S_ISCHR(st.st_mode));
	}
}

static void test_errors_name_the_target(void)
{
	const char *p = path_in("no/such/folder/out.txt");
	hfds_afile f = HFDS_AFILE_INIT;
	hfds_error err;
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_afile_open(&f, p, 0, &err), HFDS_ENOTFOUND);
	CHECK(strstr(err.message, p) != NULL);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_afile_open(&f, path_in("dir/"), 0, &err), HFDS_EINVAL);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_afile_commit(&f, &err), HFDS_ESTATE);
	hfds_afile_abort(&f);
}

/* Blocks are reserved ahead of the writes (where the file system can) and what is left
 * past the end is released at commit: the file holds its bytes, not 32 MiB. */
static void test_reserve_ahead_released_at_commit(void)
{
	const char *p = path_in("reserve.bin");
	hfds_afile f = HFDS_AFILE_INIT;
	static char block[100000];
	struct stat st;
	memset(block, 'r', sizeof(block));
	REQUIRE(hfds_afile_open(&f, p, 0, NULL) == 0);
	CHECK_EQ_INT(hfds_afile_write(&f, block, sizeof(block), NULL), 0);
	CHECK_EQ_INT(hfds_afile_write(&f, block, sizeof(block), NULL), 0);
	REQUIRE(fstat(f.fd, &st) == 0);
	CHECK_EQ_INT((long long)st.st_size, 200000);
	if (f.reserved != ~0ull)   /* fallocate works here: the blocks are there before the bytes */
		CHECK((unsigned long long)st.st_blocks * 512 >= 32ull << 20);
	CHECK_EQ_INT(hfds_afile_commit(&f, NULL), 0);
	REQUIRE(stat(p, &st) == 0);
	CHECK_EQ_INT((long long)st.st_size, 200000);
	CHECK((unsigned long long)st.st_blocks * 512 < 1u << 20);
}

int main(void)
{
	RUN(test_abort_keeps_target);
	RUN(test_commit_replaces_inode_and_mode);
	RUN(test_links_and_devices);
	RUN(test_errors_name_the_target);
	RUN(test_reserve_ahead_released_at_commit);
	TEST_END();
}
