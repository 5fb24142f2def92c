/*
 * Names: repo types, repo ids and paths inside a repository. The rules follow the Hub so a
 * repo that works here also works there, and they keep every name a safe file-system path.
 */
#include "store/store_internal.h"

#include <string.h>
#include <strings.h>

const char *hfds_repo_type_name(hfds_repo_type type)
{
	switch (type) {
	case HFDS_REPO_DATASET: return "dataset";
	case HFDS_REPO_SPACE: return "space";
	default: return "model";
	}
}

int hfds_repo_type_parse(hfds_repo_type *out, const char *s, hfds_error *err)
{
	if (s && (!strcmp(s, "dataset") || !strcmp(s, "datasets")))
		*out = HFDS_REPO_DATASET;
	else if (s && (!strcmp(s, "model") || !strcmp(s, "models")))
		*out = HFDS_REPO_MODEL;
	else if (s && (!strcmp(s, "space") || !strcmp(s, "spaces")))
		*out = HFDS_REPO_SPACE;
	else
		return hfds_error_set(err, HFDS_EINVAL, "unknown repo type '%s' (expected dataset, model or space)",
			s ? s : "");
	return 0;
}

static int word_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

static int part_check(const char *id, const char *p, size_t n, const char *what, hfds_error *err)
{
	size_t i;
	if (n == 0)
		return hfds_error_set(err, HFDS_EINVAL, "repo id '%s': empty %s", id, what);
	if (n > HFDS_REPO_NAME_MAX)
		return hfds_error_set(err, HFDS_EINVAL, "repo id '%.40s...': %s longer than %d characters",
			id, what, HFDS_REPO_NAME_MAX);
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];
		if (!word_char(ch) && ch != '-' && ch != '.')
			return hfds_error_set(err, HFDS_EINVAL,
				"repo id '%s': character 0x%02x not allowed (use letters, digits, '-', '_' or '.')",
				id, ch);
	}
	if (!word_char((unsigned char)p[0]) || !word_char((unsigned char)p[n - 1]))
		return hfds_error_set(err, HFDS_EINVAL, "repo id '%s': the %s cannot start or end with '-' or '.'",
			id, what);
	return 0;
}

int hfds_repo_id_check(const char *id, size_t len, hfds_error *err)
{
	char copy[HFDS_REPO_ID_SIZE];
	const char *slash;
	int rc;
	if (!id)
		return hfds_error_set(err, HFDS_EINVAL, "missing repo id");
	if (memchr(id, '\0', len))
		return hfds_error_set(err, HFDS_EINVAL, "repo id contains a NUL byte");
	if (len > HFDS_REPO_ID_SIZE - 1)
		return hfds_error_set(err, HFDS_EINVAL, "repo id '%.40s...' is too long (%zu bytes)", id, len);
	memcpy(copy, id, len);
	copy[len] = '\0';
	if (strstr(copy, "--") || strstr(copy, ".."))
		return hfds_error_set(err, HFDS_EINVAL, "repo id '%s': cannot contain '--' or '..'", copy);
	slash = strchr(copy, '/');
	if (slash && strchr(slash + 1, '/'))
		return hfds_error_set(err, HFDS_EINVAL, "repo id '%s' must be 'name' or 'namespace/name'", copy);
	if (slash) {
		size_t ns = (size_t)(slash - copy);
		if ((rc = part_check(copy, copy, ns, "namespace", err)) < 0)
			return rc;
		if ((rc = part_check(copy, slash + 1, len - ns - 1, "name", err)) < 0)
			return rc;
		if (ns >= 4 && !memcmp(copy + ns - 4, ".git", 4))
			return hfds_error_set(err, HFDS_EINVAL, "repo id '%s': namespace cannot end with '.git'", copy);
	} else if ((rc = part_check(copy, copy, len, "name", err)) < 0) {
		return rc;
	}
	if (len >= 4 && !memcmp(copy + len - 4, ".git", 4))
		return hfds_error_set(err, HFDS_EINVAL, "repo id '%s': cannot end with '.git'", copy);
	return 0;
}

/* Strict UTF-8 (no overlongs, surrogates or code points above U+10FFFF). */
static int utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		size_t k;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) { k = 1; cp = c & 0x1F; }
		else if (c >= 0xE0 && c <= 0xEF) { k = 2; cp = c & 0x0F; }
		else if (c >= 0xF0 && c <= 0xF4) { k = 3; cp = c & 0x07; }
		else return 0;
		if (n - i <= k)
			return 0;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if ((k == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
			return 0;
		i += k + 1;
	}
	return 1;
}

int hfds_repo_path_check(const char *path, size_t len, hfds_error *err)
{
	size_t i, seg = 0;
	if (!path || len == 0)
		return hfds_error_set(err, HFDS_EINVAL, "empty path in repo");
	if (memchr(path, '\0', len))
		return hfds_error_set(err, HFDS_EINVAL, "path '%.*s': contains a NUL byte", (int)strnlen(path, len), path);
	if (len > HFDS_REPO_PATH_MAX)
		return hfds_error_set(err, HFDS_EINVAL, "path '%.40s...': longer than %d bytes", path, HFDS_REPO_PATH_MAX);
	if (path[0] == '/')
		return hfds_error_set(err, HFDS_EINVAL, "path '%.*s': absolute paths are not allowed", (int)len, path);
	if (memchr(path, '\\', len))
		return hfds_error_set(err, HFDS_EINVAL, "path '%.*s': backslashes are not allowed", (int)len, path);
	if (!utf8_valid((const unsigned char *)path, len))
		return hfds_error_set(err, HFDS_EINVAL, "path '%.*s': not valid UTF-8", (int)len, path);
	for (i = 0; i <= len; i++) {
		if (i < len && path[i] != '/')
			continue;
		{
			const char *s = path + seg;
			size_t n = i - seg;
			if (n == 0)
				return hfds_error_set(err, HFDS_EINVAL, "path '%.*s': empty segment", (int)len, path);
			if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
				return hfds_error_set(err, HFDS_EINVAL, "path '%.*s': '.' and '..' segments are not allowed",
					(int)len, path);
			if (n == 4 && !strncasecmp(s, ".git", 4))
				return hfds_error_set(err, HFDS_EINVAL, "path '%.*s': '.git' is reserved", (int)len, path);
		}
		seg = i + 1;
	}
	return 0;
}

int hfds_store__utf8_valid(const unsigned char *s, size_t n)
{
	return utf8_valid(s, n);
}
