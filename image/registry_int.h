/* Internals shared by registry.c (requests) and auth.c (challenges and tokens). */
#ifndef WASMCRI_IMAGE_REGISTRY_INT_H
#define WASMCRI_IMAGE_REGISTRY_INT_H

#include <curl/curl.h>
#include <pthread.h>

#include "registry.h"

#define REG_POOL_MAX 8

struct wc_reg {
    char *base;     /* "https://host:port" */
    char *hostport; /* "host:port" as curl reports it for the base URL */
    char *host;     /* as configured, without scheme */
    char *repo;
    bool insecure;
    bool explicit_scheme; /* the endpoint was given with http:// or https:// */
    char *ca_file, *cert_file, *key_file;
    const wc_credentials *creds;
    char *user, *pass; /* from creds (username/password or decoded auth) */
    bool (*cancelled)(void *ctx);
    void *cancel_ctx;
    pthread_mutex_t lock; /* auth, pool, base */
    char *authorization;  /* "Bearer ..." / "Basic ..." once known */
    CURL *pool[REG_POOL_MAX];
    int n_pool;
};

/* One HTTP exchange's outcome. */
typedef struct reg_resp {
    long status;
    char *www_auth, *content_type;
    char *content_digest; /* Docker-Content-Digest */
    char body[2048];      /* the body of an error response (for its message) */
    size_t body_len;
} reg_resp;

void reg_resp_clear(reg_resp *resp);

/* GET (or POST when post_fields is set) url; follows redirects (credentials only go to the
 * registry's own host), streams a 2xx body to sink. Returns 0 with resp->status set for any
 * HTTP answer; a negative code when there was none (connection, TLS, cancel, sink error).
 * extra_auth overrides the Authorization header (token requests). */
int reg_http(wc_reg *r, const char *url, const char *accept, uint64_t from, const char *extra_auth,
             const char *post_fields, wc_reg_sink sink, void *ctx, reg_resp *resp, wc_error *err);

/* Answers a 401 challenge: sets r->authorization (Basic, or a Bearer token from the realm).
 * -EACCES when no credentials are there to give or the token service refuses them. */
int reg_authenticate(wc_reg *r, const char *www_auth, wc_error *err);

/* The registry's error message from a JSON error body ("" if none), into buf. */
void reg_error_message(const reg_resp *resp, char *buf, size_t size);

#endif
