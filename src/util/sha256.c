/*
 * EVP keeps us on OpenSSL's optimised (SHA-NI / AVX2) implementation.
 *
 * The digest is an object's identity in the store, so every EVP call is checked: a
 * failed init or update (OpenSSL out of memory, a provider refusing sha256) would
 * otherwise yield a wrong hash that names the wrong bytes. A failed update is sticky,
 * so streaming callers check once, at hfds_sha256_final.
 */
#include "util/sha256.h"
#include "util/alloc.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

struct hfds_sha256 {
	EVP_MD_CTX *ctx;
	int failed;     /* an EVP call failed since the last successful init */
};

static int init(hfds_sha256 *h)
{
	h->failed = EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1;
	return h->failed ? HFDS_ERROR : 0;
}

int hfds_sha256_new(hfds_sha256 **out, hfds_error *err)
{
	hfds_sha256 *h = hfds_calloc(1, sizeof(*h));
	*out = NULL;
	if (!h || !(h->ctx = EVP_MD_CTX_new())) {
		hfds_free(h);
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory creating a sha256 context");
	}
	if (init(h) < 0) {
		hfds_sha256_free(h);
		return hfds_error_set(err, HFDS_ERROR, "sha256: the digest could not be initialised (OpenSSL)");
	}
	*out = h;
	return 0;
}

int hfds_sha256_update(hfds_sha256 *h, const void *data, size_t n)
{
	if (!h->failed && EVP_DigestUpdate(h->ctx, data, n) != 1)
		h->failed = 1;
	return h->failed ? HFDS_ERROR : 0;
}

int hfds_sha256_final(hfds_sha256 *h, uint8_t digest[32], hfds_error *err)
{
	unsigned int len = 0;
	if (!h->failed && (EVP_DigestFinal_ex(h->ctx, digest, &len) != 1 || len != 32))
		h->failed = 1;
	if (h->failed) {
		memset(digest, 0, 32);
		return hfds_error_set(err, HFDS_ERROR, "sha256: the digest failed (OpenSSL)");
	}
	return 0;
}

int hfds_sha256_reset(hfds_sha256 *h, hfds_error *err)
{
	if (init(h) < 0)
		return hfds_error_set(err, HFDS_ERROR, "sha256: the digest could not be initialised (OpenSSL)");
	return 0;
}

void hfds_sha256_free(hfds_sha256 *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	hfds_free(h);
}

void hfds_sha256_hex(const uint8_t digest[32], char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	int i;
	for (i = 0; i < 32; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[64] = '\0';
}

int hfds_sha256_buffer(const void *data, size_t n, uint8_t digest[32], hfds_error *err)
{
	hfds_sha256 *h;
	int rc = hfds_sha256_new(&h, err);
	if (rc < 0)
		return rc;
	hfds_sha256_update(h, data, n);
	rc = hfds_sha256_final(h, digest, err);
	hfds_sha256_free(h);
	return rc;
}

int hfds_sha256_file(const char *path, uint8_t digest[32], uint64_t *size_out, hfds_error *err)
{
	unsigned char block[1 << 16];
	hfds_sha256 *h = NULL;
	uint64_t total = 0;
	size_t n;
	int rc;
	FILE *f = fopen(path, "rb");
	if (!f)
		return hfds_error_set(err, HFDS_EIO, "%s: cannot open: %s", path, strerror(errno));
	if ((rc = hfds_sha256_new(&h, err)) < 0)
		goto done;
	while ((n = fread(block, 1, sizeof(block), f)) > 0) {
		hfds_sha256_update(h, block, n);
		total += n;
	}
	if (ferror(f)) {
		rc = hfds_error_set(err, HFDS_EIO, "%s: read failed: %s", path, strerror(errno));
		goto done;
	}
	if ((rc = hfds_sha256_final(h, digest, err)) < 0) {
		hfds_error_prefix(err, path);
		goto done;
	}
	if (size_out)
		*size_out = total;
done:
	hfds_sha256_free(h);
	fclose(f);
	return rc;
}
