/*
 * Which files go to LFS, and the pointer format. The rules are the Hub's: the default
 * `.gitattributes` it creates for a new repository, a size threshold, and binary content.
 */
#include "store/store_internal.h"

#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LFS_ATTRS " filter=lfs diff=lfs merge=lfs -text\n"

/* The generic ML list the Hub writes into every new repository. */
#define GENERIC_ATTRS \
	"*.7z" LFS_ATTRS "*.arrow" LFS_ATTRS "*.avro" LFS_ATTRS "*.bin" LFS_ATTRS "*.bz2" LFS_ATTRS "*.ckpt" LFS_ATTRS \
	"*.ftz" LFS_ATTRS "*.gz" LFS_ATTRS "*.h5" LFS_ATTRS "*.joblib" LFS_ATTRS "*.lfs.*" LFS_ATTRS \
	"*.lz4" LFS_ATTRS "*.mds" LFS_ATTRS "*.mlmodel" LFS_ATTRS "*.model" LFS_ATTRS \
	"*.msgpack" LFS_ATTRS "*.npy" LFS_ATTRS "*.npz" LFS_ATTRS "*.onnx" LFS_ATTRS "*.ot" LFS_ATTRS \
	"*.parquet" LFS_ATTRS "*.pb" LFS_ATTRS "*.pickle" LFS_ATTRS "*.pkl" LFS_ATTRS "*.pt" LFS_ATTRS \
	"*.pth" LFS_ATTRS "*.rar" LFS_ATTRS "*.safetensors" LFS_ATTRS "saved_model/**/*" LFS_ATTRS \
	"*.tar.*" LFS_ATTRS "*.tar" LFS_ATTRS "*.tflite" LFS_ATTRS "*.tgz" LFS_ATTRS "*.wasm" LFS_ATTRS \
	"*.xz" LFS_ATTRS "*.zip" LFS_ATTRS "*.zst" LFS_ATTRS "*tfevents*" LFS_ATTRS

/* Dataset repositories also get media files. */
#define MEDIA_ATTRS \
	"# Audio files - uncompressed\n" \
	"*.pcm" LFS_ATTRS "*.sam" LFS_ATTRS "*.raw" LFS_ATTRS \
	"# Audio files - compressed\n" \
	"*.aac" LFS_ATTRS "*.flac" LFS_ATTRS "*.mp3" LFS_ATTRS "*.ogg" LFS_ATTRS "*.wav" LFS_ATTRS \
	"# Image files - uncompressed\n" \
	"*.bmp" LFS_ATTRS "*.gif" LFS_ATTRS "*.png" LFS_ATTRS "*.tiff" LFS_ATTRS \
	"# Image files - compressed\n" \
	"*.jpg" LFS_ATTRS "*.jpeg" LFS_ATTRS "*.webp" LFS_ATTRS \
	"# Video files - compressed\n" \
	"*.mp4" LFS_ATTRS "*.webm" LFS_ATTRS

const char *hfds_store__default_gitattributes(hfds_repo_type type)
{
	return type == HFDS_REPO_DATASET ? GENERIC_ATTRS MEDIA_ATTRS : GENERIC_ATTRS;
}

/*
 * gitattributes matching, the subset the Hub's files use: a pattern without '/' matches the
 * file name at any depth; one with '/' matches the whole path ("**" spans folders).
 */
static int pattern_matches(const char *pat, const char *path)
{
	if (!strchr(pat, '/')) {
		const char *base = strrchr(path, '/');
		return fnmatch(pat, base ? base + 1 : path, 0) == 0;
	}
	if (pat[0] == '/')
		pat++;
	return fnmatch(pat, path, 0) == 0;
}

int hfds_store__attr_is_lfs(const char *attrs, size_t attrs_len, const char *path)
{
	const char *p = attrs, *end = attrs + attrs_len;
	int lfs = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		char line[512], *tok, *save = NULL, *pat;
		size_t n = (size_t)(le - p);
		p = nl ? nl + 1 : end;
		if (n == 0 || n >= sizeof(line))
			continue;
		memcpy(line, le - n, n);
		line[n] = '\0';
		pat = strtok_r(line, " \t\r", &save);
		if (!pat || pat[0] == '#' || !pattern_matches(pat, path))
			continue;
		while ((tok = strtok_r(NULL, " \t\r", &save)) != NULL) {
			if (!strcmp(tok, "filter=lfs"))
				lfs = 1;
			else if (!strncmp(tok, "filter=", 7) || !strcmp(tok, "-filter") || !strcmp(tok, "!filter"))
				lfs = 0;
		}
	}
	return lfs;
}

int hfds_store__looks_binary(const uint8_t *sample, size_t n)
{
	size_t cut = n;
	if (memchr(sample, 0, n))
		return 1;
	/* A sample may end inside a multi-byte character: ignore an incomplete last sequence. */
	if (n >= 512) {
		size_t back = 0;
		while (back < 3 && back < n && (sample[n - 1 - back] & 0xC0) == 0x80)
			back++;
		if (back < n && sample[n - 1 - back] >= 0xC0)
			cut = n - 1 - back;
	}
	return !hfds_store__utf8_valid(sample, cut);
}

size_t hfds_store__pointer_format(char *buf, size_t cap, const char *sha256_hex, uint64_t size)
{
	int n = snprintf(buf, cap, "version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %" PRIu64 "\n",
		sha256_hex, size);
	return n < 0 ? 0 : (size_t)n;
}

static int is_hex64(const char *s)
{
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int hfds_store__pointer_parse(const void *data, size_t len, char sha256_hex[HFDS_SHA256_HEX_SIZE],
	uint64_t *size)
{
	static const char v[] = "version https://git-lfs.github.com/spec/v1\n";
	static const char o[] = "oid sha256:";
	static const char s[] = "size ";
	const char *p = data, *end = p + len;
	uint64_t n = 0;
	int digits = 0;
	if (len > STORE_POINTER_MAX || len < sizeof(v) - 1 || memcmp(p, v, sizeof(v) - 1))
		return 0;
	p += sizeof(v) - 1;
	/* Keys after "version" are sorted; hfds writes only oid and size, others are skipped. */
	while (p < end && (size_t)(end - p) >= sizeof(o) - 1 && memcmp(p, o, sizeof(o) - 1)) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return 0;
		p = nl + 1;
	}
	if ((size_t)(end - p) < sizeof(o) - 1 + 65 || memcmp(p, o, sizeof(o) - 1))
		return 0;
	p += sizeof(o) - 1;
	if (!is_hex64(p) || p[64] != '\n')
		return 0;
	memcpy(sha256_hex, p, 64);
	sha256_hex[64] = '\0';
	p += 65;
	if ((size_t)(end - p) < sizeof(s) - 1 || memcmp(p, s, sizeof(s) - 1))
		return 0;
	p += sizeof(s) - 1;
	while (p < end && *p >= '0' && *p <= '9') {
		if (n > (UINT64_MAX - 9) / 10 || ++digits > 20)
			return 0;
		n = n * 10 + (uint64_t)(*p++ - '0');
	}
	if (!digits || p >= end || *p != '\n')
		return 0;
	*size = n;
	return 1;
}
