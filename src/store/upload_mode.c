/*
 * The preupload decision (hub-protocol.md §3.1) as a public function, so a server answers
 * with the same rules the store applies when it commits.
 */
#include "store/store_internal.h"

int hfds_store_upload_is_lfs(const char *attrs, size_t attrs_len, const char *path, uint64_t size,
	const uint8_t *sample, size_t sample_len)
{
	if (size == 0)
		return 0;
	if (size > HFDS_STORE_LFS_THRESHOLD)
		return 1;
	if (attrs && hfds_store__attr_is_lfs(attrs, attrs_len, path))
		return 1;
	return hfds_store__looks_binary(sample, sample_len > 512 ? 512 : sample_len);
}
