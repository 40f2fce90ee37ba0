/* An OCI distribution (v2) client for one repository on one endpoint (a registry or one of
 * its mirrors), on libcurl: Bearer-token and Basic auth, TLS verified with OpenSSL unless the
 * endpoint is insecure, per-endpoint CA and client certificate, redirects followed without
 * the credentials when they lead to another host, cancellation. Thread-safe: one wc_reg
 * serves the parallel layer downloads of a pull (it keeps a pool of curl handles so
 * connections are reused).
 */
#ifndef WASMCRI_IMAGE_REGISTRY_H
#define WASMCRI_IMAGE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "image.h"

typedef struct wc_reg wc_reg;

/* Where to connect and how. Strings borrowed for the call, copied. */
typedef struct wc_reg_endpoint {
    const char *host; /* "host[:port]", or "http://host[:port]" / "https://..." */
    bool insecure;    /* plain HTTP, or TLS without verification */
    const char *ca_file, *cert_file, *key_file;
} wc_reg_endpoint;

/* Called with the bytes of a successful response body; returns 0 or a negative code (which
 * aborts the transfer and is returned by the request). `status` is the HTTP status: 206 when
 * a range request is answered with the tail, 200 when the body starts from byte 0. */
typedef int (*wc_reg_sink)(void *ctx, long status, const char *data, size_t len, wc_error *err);

/* creds and the callbacks are borrowed and must outlive r. */
int wc_reg_open(const wc_reg_endpoint *ep, const char *repo, const wc_credentials *creds,
                bool (*cancelled)(void *ctx), void *cancel_ctx, wc_reg **ret_reg, wc_error *err);
void wc_reg_close(wc_reg *r); /* NULL is fine */
const char *wc_reg_host(const wc_reg *r);

/* GETs a manifest (tag or digest), up to 4 MiB, retrying transient failures. *ret_body is
 * malloc'd and NUL-terminated. Verifies the body against ref when ref is a digest.
 * -ENOENT when the registry does not have it. */
int wc_reg_get_manifest(wc_reg *r, const char *ref, char **ret_body, size_t *ret_len,
                        wc_error *err);

/* GETs a blob (or its tail from byte `from`, with a Range request) into sink. On a 200 to a
 * range request the sink sees the whole body. */
int wc_reg_get_blob(wc_reg *r, const char *digest, uint64_t from, wc_reg_sink sink, void *ctx,
                    wc_error *err);

#define WC_REG_RETRIES 5
/* Before retry number attempt (0-based) of a transient failure (-EAGAIN, -ETIMEDOUT): sleeps
 * 0.25 s doubling each time; false when the retries are used up or the pull was cancelled. */
bool wc_reg_backoff(wc_reg *r, int attempt);

/* The part of wc_reg that parses WWW-Authenticate (exposed for tests):
 * scheme "Bearer"/"Basic" and the realm/service/scope parameters (malloc'd, NULL if absent). */
typedef struct wc_challenge {
    char *scheme, *realm, *service, *scope;
} wc_challenge;
int wc_challenge_parse(const char *header, wc_challenge *ret);
void wc_challenge_clear(wc_challenge *c);

#endif
