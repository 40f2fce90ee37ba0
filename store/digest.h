/* sha256 digests as OCI writes them ("sha256:<64 lowercase hex>"): validation and streaming
 * hashing with OpenSSL EVP. Used for content addresses, chain IDs and image IDs.
 */
#ifndef WASMCRI_STORE_DIGEST_H
#define WASMCRI_STORE_DIGEST_H

#include <stddef.h>

#include "error.h"

#define WC_DIGEST_HEX_LEN 64
#define WC_DIGEST_STR_LEN (7 + WC_DIGEST_HEX_LEN) /* "sha256:" + hex */

/* 0 when s is "sha256:" followed by exactly 64 lowercase hex digits; -EINVAL naming s otherwise. */
int wc_digest_validate(const char *s, wc_error *err);

/* The hex part of a valid digest (a pointer into s). */
const char *wc_digest_hex(const char *s);

typedef struct wc_sha256 wc_sha256;

/* A streaming hasher; NULL when out of memory. Free with wc_sha256_free (NULL is fine). */
wc_sha256 *wc_sha256_new(void);
void wc_sha256_update(wc_sha256 *h, const void *data, size_t len);
/* Restarts the hash from zero (a download that has to start over). */
void wc_sha256_reset(wc_sha256 *h);
/* Writes "sha256:<hex>" into out; the hasher can be reset and reused afterwards. */
void wc_sha256_final(wc_sha256 *h, char out[WC_DIGEST_STR_LEN + 1]);
void wc_sha256_free(wc_sha256 *h);

/* One-shot: the digest of a buffer. */
void wc_sha256_buf(const void *data, size_t len, char out[WC_DIGEST_STR_LEN + 1]);

#endif
