/* libFuzzer target for the embedded hub's text inputs, which can come from foreign repos or
 * from URLs: repo ids, paths in a repo, LFS pointer files and .gitattributes. Accepted names
 * must obey the documented rules, and a parsed pointer must format back to itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

#define EXPECT(c) do { if (!(c)) abort(); } while (0)

static void check_repo_id(const char *s, size_t n)
{
	if (hfds_repo_id_check(s, n, NULL) != 0)
		return;
	EXPECT(n > 0 && n < HFDS_REPO_ID_SIZE && !memchr(s, '\0', n));
	for (size_t i = 0; i < n; i++)
		EXPECT(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/", s[i]));
	EXPECT(s[0] != '/' && s[n - 1] != '/' && s[0] != '.' && s[n - 1] != '.');
	for (size_t i = 0; i + 1 < n; i++)
		EXPECT(!(s[i] == '.' && s[i + 1] == '.') && !(s[i] == '-' && s[i + 1] == '-'));
}

static void check_path(const char *s, size_t n)
{
	if (hfds_repo_path_check(s, n, NULL) != 0)
		return;
	EXPECT(n > 0 && n <= HFDS_REPO_PATH_MAX && !memchr(s, '\0', n) && !memchr(s, '\\', n));
	EXPECT(s[0] != '/' && s[n - 1] != '/');
	for (size_t i = 0; i + 1 < n; i++)
		EXPECT(!(s[i] == '/' && s[i + 1] == '/'));
}

static void check_pointer(const uint8_t *data, size_t n)
{
	char sha[HFDS_SHA256_HEX_SIZE], sha2[HFDS_SHA256_HEX_SIZE], text[256];
	uint64_t size, size2;
	size_t len;
	if (!hfds_store__pointer_parse(data, n, sha, &size))
		return;
	len = hfds_store__pointer_format(text, sizeof(text), sha, size);
	EXPECT(len > 0 && len < sizeof(text));
	EXPECT(hfds_store__pointer_parse(text, len, sha2, &size2));
	EXPECT(!strcmp(sha, sha2) && size == size2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[HFDS_REPO_PATH_MAX + 1];
	size_t plen = size < HFDS_REPO_PATH_MAX ? size : HFDS_REPO_PATH_MAX;
	check_repo_id((const char *)data, size);
	check_path((const char *)data, size);
	check_pointer(data, size);
	(void)hfds_store__looks_binary(data, size < 512 ? size : 512);
	(void)hfds_store__attr_is_lfs((const char *)data, size, "data/train-00000-of-00001.parquet");
	/* The input as a path, matched against the Hub's default rules. */
	memcpy(path, data, plen);
	path[plen] = '\0';
	(void)hfds_store__attr_is_lfs(hfds_store__default_gitattributes(HFDS_REPO_DATASET),
		strlen(hfds_store__default_gitattributes(HFDS_REPO_DATASET)), path);
	return 0;
}
