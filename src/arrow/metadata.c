/*
 * The C Data Interface metadata encoding: int32 pair count, then for each pair an int32
 * key length, the key bytes, an int32 value length and the value bytes (native endian,
 * no terminators). Metadata comes from trusted producers (the ABI has no length), so
 * reads only check for negative lengths.
 */
#include "hfds/arrow.h"
#include "util/alloc.h"
#include "util/try.h"

#include <string.h>

int hfds_arrow_metadata_build(char **out, const char *const *keys, const char *const *values,
	size_t n, hfds_error *err)
{
	size_t total = 4, pos;
	char *m;
	int32_t v;
	*out = NULL;
	if (n == 0)
		return 0;
	if (n > INT32_MAX)
		return hfds_error_set(err, HFDS_ELIMIT, "metadata: too many pairs (%zu)", n);
	for (size_t i = 0; i < n; i++) {
		size_t kl = strlen(keys[i]), vl = values[i] ? strlen(values[i]) : 0;
		if (kl > INT32_MAX || vl > INT32_MAX || hfds_add_overflow(total, 8 + kl + vl, &total))
			return hfds_error_set(err, HFDS_ELIMIT, "metadata: entry '%s' is too long", keys[i]);
	}
	if (!(m = hfds_malloc(total)))
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory encoding metadata");
	v = (int32_t)n;
	memcpy(m, &v, 4);
	pos = 4;
	for (size_t i = 0; i < n; i++) {
		size_t kl = strlen(keys[i]), vl = values[i] ? strlen(values[i]) : 0;
		v = (int32_t)kl;
		memcpy(m + pos, &v, 4);
		memcpy(m + pos + 4, keys[i], kl);
		pos += 4 + kl;
		v = (int32_t)vl;
		memcpy(m + pos, &v, 4);
		if (vl)
			memcpy(m + pos + 4, values[i], vl);
		pos += 4 + vl;
	}
	*out = m;
	return 0;
}

int32_t hfds_arrow_metadata_count(const char *metadata)
{
	int32_t n;
	if (!metadata)
		return 0;
	memcpy(&n, metadata, 4);
	return n < 0 ? 0 : n;
}

int hfds_arrow_metadata_at(const char *metadata, int32_t i, hfds_arrow_kv_view *out, hfds_error *err)
{
	int32_t n = hfds_arrow_metadata_count(metadata), len;
	size_t pos = 4;
	if (i < 0 || i >= n)
		return hfds_error_set(err, HFDS_EINVAL, "metadata: index %d out of range (%d pairs)", (int)i, (int)n);
	for (int32_t k = 0;; k++) {
		memcpy(&len, metadata + pos, 4);
		if (len < 0)
			return hfds_error_set(err, HFDS_ECORRUPT, "metadata: negative key length");
		out->key = metadata + pos + 4;
		out->key_len = len;
		pos += 4 + (size_t)len;
		memcpy(&len, metadata + pos, 4);
		if (len < 0)
			return hfds_error_set(err, HFDS_ECORRUPT, "metadata: negative value length");
		out->value = metadata + pos + 4;
		out->value_len = len;
		pos += 4 + (size_t)len;
		if (k == i)
			return 0;
	}
}

int hfds_arrow_metadata_find(const char *metadata, const char *key, hfds_arrow_kv_view *out)
{
	int32_t n = hfds_arrow_metadata_count(metadata);
	size_t kl = strlen(key);
	hfds_arrow_kv_view kv;
	for (int32_t i = 0; i < n; i++) {
		if (hfds_arrow_metadata_at(metadata, i, &kv, NULL) < 0)
			return 0;
		if ((size_t)kv.key_len == kl && memcmp(kv.key, key, kl) == 0) {
			if (out)
				*out = kv;
			return 1;
		}
	}
	return 0;
}
