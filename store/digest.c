/* sha256 digests: validation of "sha256:<hex>" strings and streaming hashing over OpenSSL's
 * EVP interface (see digest.h). Another algorithm would get its own prefix check in
 * wc_digest_validate and an EVP_MD here; OCI registries in practice only serve sha256.
 */
#include "digest.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

struct wc_sha256 {
    EVP_MD_CTX *ctx;
};

int wc_digest_validate(const char *s, wc_error *err)
{
    if (s == NULL || strncmp(s, "sha256:", 7) != 0)
        return wc_error_set(err, -EINVAL, "invalid digest \"%s\": want sha256:<64 hex digits>",
                            s ? s : "");
    const char *hex = s + 7;
    size_t n = 0;
    for (; hex[n] != '\0'; n++) {
        char c = hex[n];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            break;
    }
    if (n != WC_DIGEST_HEX_LEN || hex[n] != '\0')
        return wc_error_set(err, -EINVAL, "invalid digest \"%s\": want sha256:<64 hex digits>", s);
    return 0;
}

const char *wc_digest_hex(const char *s)
{
    return s + 7;
}

wc_sha256 *wc_sha256_new(void)
{
    wc_sha256 *h = calloc(1, sizeof(*h));
    if (h == NULL)
        return NULL;
    h->ctx = EVP_MD_CTX_new();
    if (h->ctx == NULL || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
        wc_sha256_free(h);
        return NULL;
    }
    return h;
}

void wc_sha256_update(wc_sha256 *h, const void *data, size_t len)
{
    EVP_DigestUpdate(h->ctx, data, len);
}

void wc_sha256_reset(wc_sha256 *h)
{
    EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL);
}

void wc_sha256_final(wc_sha256 *h, char out[WC_DIGEST_STR_LEN + 1])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(h->ctx, md, &len);
    memcpy(out, "sha256:", 7);
    for (unsigned int i = 0; i < len && i < 32; i++)
        snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
    out[WC_DIGEST_STR_LEN] = '\0';
    wc_sha256_reset(h);
}

void wc_sha256_free(wc_sha256 *h)
{
    if (h == NULL)
        return;
    EVP_MD_CTX_free(h->ctx);
    free(h);
}

void wc_sha256_buf(const void *data, size_t len, char out[WC_DIGEST_STR_LEN + 1])
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
    memcpy(out, "sha256:", 7);
    for (unsigned int i = 0; i < 32; i++)
        snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
    out[WC_DIGEST_STR_LEN] = '\0';
}
