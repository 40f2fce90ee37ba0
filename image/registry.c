/* The registry client's requests (see registry.h): a pool of curl easy handles (reset before
 * each request, so TLS settings never leak between hosts, while connections are kept),
 * manual redirects so credentials go to the registry's host only, HTTP status → error code,
 * the insecure endpoints' fallback from https to http, and the manifest and blob GETs.
 * Authentication lives in auth.c.
 */
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cleanup.h"
#include "digest.h"
#include "manifest.h"
#include "registry_int.h"

#define MAX_REDIRECTS 10
#define MANIFEST_MAX (4u << 20)
#define USER_AGENT "wasmcri/" WASMCRI_VERSION

typedef struct xfer {
    wc_reg *r;
    CURL *h;
    wc_reg_sink sink;
    void *ctx;
    wc_error *err;
    int sink_rc;
    reg_resp *resp;
} xfer;

static char *hostport_of(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL, *port = NULL, *out = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
        if (asprintf(&out, "%s:%s", host, port) < 0)
            out = NULL;
    }
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return out;
}

static int reg_set_base(wc_reg *r, const char *scheme)
{
    free(r->base);
    free(r->hostport);
    r->base = NULL;
    if (asprintf(&r->base, "%s://%s", scheme, r->host) < 0)
        return (r->base = NULL), -ENOMEM;
    r->hostport = hostport_of(r->base);
    return r->hostport ? 0 : -EINVAL;
}

static int reg_copy_creds(wc_reg *r, const wc_credentials *c)
{
    if (c->auth != NULL && c->auth[0] != '\0') {
        size_t len = strlen(c->auth);
        _cleanup_free_ unsigned char *raw = malloc(len + 1);
        if (raw == NULL)
            return -ENOMEM;
        int n = EVP_DecodeBlock(raw, (const unsigned char *)c->auth, (int)len);
        if (n < 0)
            return -EINVAL;
        raw[n] = '\0';
        char *colon = strchr((char *)raw, ':');
        if (colon == NULL)
            return -EINVAL;
        r->user = strndup((char *)raw, (size_t)(colon - (char *)raw));
        r->pass = strdup(colon + 1);
        OPENSSL_cleanse(raw, len);
    } else if (c->username != NULL && c->username[0] != '\0') {
        r->user = strdup(c->username);
        r->pass = strdup(c->password ? c->password : "");
    }
    if ((r->user != NULL) != (r->pass != NULL))
        return -ENOMEM;
    if (c->registry_token != NULL && c->registry_token[0] != '\0' &&
        asprintf(&r->authorization, "Bearer %s", c->registry_token) < 0)
        return -ENOMEM;
    return 0;
}

static char *dup_or_null(const char *s)
{
    return (s && *s) ? strdup(s) : NULL;
}

/* The base URL and the copied credentials of a registry whose host and repo were copied
 * (NULL: out of memory). */
static int reg_finish_open(wc_reg *r, const char *scheme, const wc_credentials *creds)
{
    if (r->host == NULL || r->repo == NULL)
        return -ENOMEM;
    TRY(reg_set_base(r, scheme));
    return reg_copy_creds(r, creds);
}

int wc_reg_open(const wc_reg_endpoint *ep, const char *repo, const wc_credentials *creds,
                bool (*cancelled)(void *ctx), void *cancel_ctx, wc_reg **ret_reg, wc_error *err)
{
    wc_reg *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return wc_error_set(err, -ENOMEM, "open registry: out of memory");
    pthread_mutex_init(&r->lock, NULL);
    const char *scheme = "https";
    const char *host = ep->host;
    if (strncmp(host, "http://", 7) == 0 || strncmp(host, "https://", 8) == 0) {
        scheme = host[4] == 's' ? "https" : "http";
        host = strstr(host, "//") + 2;
        r->explicit_scheme = true;
    }
    r->host = strndup(host, strcspn(host, "/"));
    r->repo = strdup(repo);
    r->insecure = ep->insecure;
    r->ca_file = dup_or_null(ep->ca_file);
    r->cert_file = dup_or_null(ep->cert_file);
    r->key_file = dup_or_null(ep->key_file);
    r->creds = creds;
    r->cancelled = cancelled;
    r->cancel_ctx = cancel_ctx;
    int rc = reg_finish_open(r, scheme, creds);
    if (rc < 0) {
        wc_reg_close(r);
        if (rc == -EINVAL)
            return wc_error_set(err, rc, "registry %s: invalid host or credentials", ep->host);
        return wc_error_set(err, rc, "open registry %s: out of memory", ep->host);
    }
    *ret_reg = r;
    return 0;
}

void wc_reg_close(wc_reg *r)
{
    if (r == NULL)
        return;
    for (int i = 0; i < r->n_pool; i++)
        curl_easy_cleanup(r->pool[i]);
    pthread_mutex_destroy(&r->lock);
    free(r->base);
    free(r->hostport);
    free(r->host);
    free(r->repo);
    free(r->ca_file);
    free(r->cert_file);
    free(r->key_file);
    free(r->user);
    free(r->pass);
    free(r->authorization);
    free(r);
}

const char *wc_reg_host(const wc_reg *r)
{
    return r->host;
}

static CURL *pool_take(wc_reg *r)
{
    pthread_mutex_lock(&r->lock);
    CURL *h = r->n_pool > 0 ? r->pool[--r->n_pool] : NULL;
    pthread_mutex_unlock(&r->lock);
    return h ? h : curl_easy_init();
}

static void pool_give(wc_reg *r, CURL *h)
{
    pthread_mutex_lock(&r->lock);
    if (r->n_pool < REG_POOL_MAX) {
        r->pool[r->n_pool++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&r->lock);
    if (h)
        curl_easy_cleanup(h);
}

void reg_resp_clear(reg_resp *resp)
{
    free(resp->www_auth);
    free(resp->content_type);
    free(resp->content_digest);
    *resp = (reg_resp){0};
}

static char *header_value(const char *line, size_t len, const char *name)
{
    size_t n = strlen(name);
    if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
        return NULL;
    const char *v = line + n + 1, *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    return strndup(v, (size_t)(end - v));
}

static size_t on_header(char *buf, size_t size, size_t n, void *p)
{
    xfer *x = p;
    size_t len = size * n;
    char *v;
    if (len >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
        free(x->resp->www_auth);
        free(x->resp->content_type);
        free(x->resp->content_digest);
        x->resp->www_auth = x->resp->content_type = x->resp->content_digest = NULL;
    } else if ((v = header_value(buf, len, "www-authenticate")) != NULL) {
        free(x->resp->www_auth);
        x->resp->www_auth = v;
    } else if ((v = header_value(buf, len, "content-type")) != NULL) {
        free(x->resp->content_type);
        x->resp->content_type = v;
    } else if ((v = header_value(buf, len, "docker-content-digest")) != NULL) {
        free(x->resp->content_digest);
        x->resp->content_digest = v;
    }
    return len;
}

static size_t on_body(char *buf, size_t size, size_t n, void *p)
{
    xfer *x = p;
    size_t len = size * n;
    long status = 0;
    curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300 && x->sink != NULL) {
        x->sink_rc = x->sink(x->ctx, status, buf, len, x->err);
        return x->sink_rc < 0 ? 0 : len;
    }
    reg_resp *resp = x->resp;
    size_t room = sizeof(resp->body) - 1 - resp->body_len;
    size_t take = len < room ? len : room;
    memcpy(resp->body + resp->body_len, buf, take);
    resp->body_len += take;
    resp->body[resp->body_len] = '\0';
    return len;
}

static int on_progress(void *p, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    xfer *x = p;
    (void)dt, (void)dn, (void)ut, (void)un;
    return (x->r->cancelled && x->r->cancelled(x->r->cancel_ctx)) ? 1 : 0;
}

/* Options for one exchange; TLS settings and credentials only for the registry's own host. */
static struct curl_slist *setup(xfer *x, const char *url, bool own_host, const char *accept,
                                uint64_t from, const char *extra_auth, bool session_auth,
                                const char *post)
{
    wc_reg *r = x->r;
    CURL *h = x->h;
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, USER_AGENT);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 30L);
    curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 256L * 1024);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    if (post != NULL)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, post);
    struct curl_slist *hdrs = NULL;
    char line[512]; /* Accept (the four manifest types) or Range */
    if (accept != NULL) {
        snprintf(line, sizeof(line), "Accept: %s", accept);
        hdrs = curl_slist_append(hdrs, line);
    }
    if (from > 0) {
        snprintf(line, sizeof(line), "Range: bytes=%llu-", (unsigned long long)from);
        hdrs = curl_slist_append(hdrs, line);
    }
    /* Tokens can be long (JWTs with certificate chains): no fixed buffer for them. */
    _cleanup_free_ char *auth = NULL;
    if (extra_auth != NULL) {
        if (asprintf(&auth, "Authorization: %s", extra_auth) < 0)
            auth = NULL;
    } else if (session_auth) {
        pthread_mutex_lock(&r->lock);
        if (r->authorization != NULL && asprintf(&auth, "Authorization: %s", r->authorization) < 0)
            auth = NULL;
        pthread_mutex_unlock(&r->lock);
    }
    if (auth != NULL)
        hdrs = curl_slist_append(hdrs, auth);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    if (own_host) {
        if (r->insecure) {
            curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
            curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        if (r->ca_file)
            curl_easy_setopt(h, CURLOPT_CAINFO, r->ca_file);
        if (r->cert_file)
            curl_easy_setopt(h, CURLOPT_SSLCERT, r->cert_file);
        if (r->key_file)
            curl_easy_setopt(h, CURLOPT_SSLKEY, r->key_file);
    }
    return hdrs;
}

static int curl_code_to_error(wc_reg *r, CURLcode c, const xfer *x, const char *url,
                              const char *detail, wc_error *err)
{
    switch (c) {
    case CURLE_WRITE_ERROR:
        if (x->sink_rc < 0)
            return x->sink_rc;
        break;
    case CURLE_ABORTED_BY_CALLBACK:
        return wc_error_set(err, -ECANCELED, "pull cancelled");
    case CURLE_COULDNT_RESOLVE_HOST:
        return wc_error_set(err, -EHOSTUNREACH, "cannot resolve %s: %s", r->host, detail);
    case CURLE_COULDNT_CONNECT:
        return wc_error_set(err, -ECONNREFUSED, "cannot connect to %s: %s", url, detail);
    case CURLE_OPERATION_TIMEDOUT:
        return wc_error_set(err, -ETIMEDOUT, "%s timed out: %s", url, detail);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CONNECT_ERROR:
        return wc_error_set(err, -ECONNREFUSED,
                            "TLS with %s failed: %s (give the registry's CA in the config's "
                            "registries[].ca_file, or mark it insecure)",
                            r->host, detail);
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
        /* A TLS 1.3 server refuses a missing client certificate after the handshake, so
         * its alert arrives on whichever read or write comes first. */
        if (strstr(detail, "alert") != NULL)
            return wc_error_set(err, -ECONNREFUSED,
                                "TLS with %s failed: %s (does it want a client certificate? "
                                "registries[].cert_file/key_file)",
                                r->host, detail);
        return wc_error_set(err, -EAGAIN, "%s: transfer interrupted: %s", url, detail);
    default:
        break;
    }
    return wc_error_set(err, -EIO, "%s: %s", url, detail);
}

int reg_http(wc_reg *r, const char *url, const char *accept, uint64_t from, const char *extra_auth,
             const char *post, wc_reg_sink sink, void *ctx, reg_resp *resp, wc_error *err)
{
    xfer x = {.r = r, .h = pool_take(r), .sink = sink, .ctx = ctx, .err = err, .resp = resp};
    if (x.h == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    _cleanup_free_ char *cur = strdup(url), *first = hostport_of(url), *own_hp = NULL;
    pthread_mutex_lock(&r->lock); /* another thread may switch the base to http */
    own_hp = strdup(r->hostport);
    pthread_mutex_unlock(&r->lock);
    int rc = 0;
    for (int hop = 0; cur != NULL; hop++) {
        reg_resp_clear(resp);
        _cleanup_free_ char *hp = hostport_of(cur);
        bool own = hp != NULL && own_hp != NULL && strcmp(hp, own_hp) == 0;
        /* extra_auth belongs to the host first asked, the session's to the registry. */
        bool same = hp != NULL && first != NULL && strcmp(hp, first) == 0;
        char detail[CURL_ERROR_SIZE] = "";
        curl_easy_setopt(x.h, CURLOPT_ERRORBUFFER, NULL);
        struct curl_slist *hdrs =
            setup(&x, cur, own, accept, from, extra_auth && same ? extra_auth : NULL,
                  extra_auth ? false : own, post);
        curl_easy_setopt(x.h, CURLOPT_ERRORBUFFER, detail);
        CURLcode c = curl_easy_perform(x.h);
        curl_slist_free_all(hdrs);
        if (c != CURLE_OK) {
            rc = curl_code_to_error(r, c, &x, cur, detail[0] ? detail : curl_easy_strerror(c), err);
            break;
        }
        curl_easy_getinfo(x.h, CURLINFO_RESPONSE_CODE, &resp->status);
        char *next = NULL;
        curl_easy_getinfo(x.h, CURLINFO_REDIRECT_URL, &next);
        free(cur);
        cur = NULL;
        if (resp->status >= 300 && resp->status < 400 && next != NULL) {
            if (hop >= MAX_REDIRECTS) {
                rc = wc_error_set(err, -EIO, "%s: more than %d redirects", url, MAX_REDIRECTS);
                break;
            }
            cur = strdup(next);
            post = NULL;
        }
    }
    pool_give(r, x.h);
    return rc;
}

void reg_error_message(const reg_resp *resp, char *buf, size_t size)
{
    buf[0] = '\0';
    json_t *root = json_loadb(resp->body, resp->body_len, 0, NULL);
    json_t *e0 = json_array_get(json_object_get(root, "errors"), 0);
    const char *code = json_string_value(json_object_get(e0, "code"));
    const char *msg = json_string_value(json_object_get(e0, "message"));
    if (msg != NULL)
        snprintf(buf, size, " (%s%s%s)", code ? code : "", code ? ": " : "", msg);
    json_decref(root);
}

/* An insecure endpoint given without a scheme speaks https or plain http: when https fails,
 * the session switches to http (once, for every thread) and the request is retried. */
static bool fall_back_to_http(wc_reg *r, int rc, const char *failed_url)
{
    if (rc != -ECONNREFUSED || !r->insecure || r->explicit_scheme ||
        strncmp(failed_url, "https:", 6) != 0)
        return false;
    pthread_mutex_lock(&r->lock);
    bool ok = strncmp(r->base, "http:", 5) == 0 || reg_set_base(r, "http") == 0;
    pthread_mutex_unlock(&r->lock);
    return ok;
}

/* A final HTTP answer → 0 or an error saying what the registry meant. */
static int answer_status(wc_reg *r, const reg_resp *resp, const char *kind, const char *ref,
                         wc_error *err)
{
    char msg[512];
    reg_error_message(resp, msg, sizeof(msg));
    long st = resp->status;
    if (st >= 200 && st < 300)
        return 0;
    if (st == 401 || st == 403) {
        bool had = r->user != NULL || (r->creds->registry_token && *r->creds->registry_token) ||
                   (r->creds->identity_token && *r->creds->identity_token);
        return wc_error_set(err, -EACCES, "registry %s denied access to %s%s: %s", r->host, r->repo,
                            msg, had ? "wrong credentials?" : "it needs credentials");
    }
    if (st == 404)
        return wc_error_set(err, -ENOENT, "%s %s:%s not found on %s%s", kind, r->repo, ref, r->host,
                            msg);
    if (st == 429 || st >= 500)
        return wc_error_set(err, -EAGAIN, "registry %s answered HTTP %ld%s", r->host, st, msg);
    return wc_error_set(err, -EIO, "registry %s answered HTTP %ld for %s %s%s", r->host, st, kind,
                        ref, msg);
}

/* A final answer: its Docker-Content-Digest into *ret_content_digest (may be NULL), or the
 * error its status means. */
static int take_answer(wc_reg *r, reg_resp *resp, const char *kind, const char *ref,
                       char **ret_content_digest, wc_error *err)
{
    TRY(answer_status(r, resp, kind, ref, err));
    if (ret_content_digest != NULL)
        *ret_content_digest = take_ptr(resp->content_digest);
    return 0;
}

/* GET /v2/<repo>/<kind>/<ref>: falls back to http once (insecure endpoints), authenticates
 * once when asked to, maps the final status; ret_content_digest (may be NULL) gets the
 * answer's Docker-Content-Digest, NULL when it had none. */
static int reg_get(wc_reg *r, const char *kind, const char *ref, const char *accept, uint64_t from,
                   wc_reg_sink sink, void *ctx, char **ret_content_digest, wc_error *err)
{
    bool authenticated = false;
    for (int attempt = 0; attempt < 3; attempt++) {
        _cleanup_free_ char *url = NULL;
        pthread_mutex_lock(&r->lock);
        int n = asprintf(&url, "%s/v2/%s/%s/%s", r->base, r->repo, kind, ref);
        pthread_mutex_unlock(&r->lock);
        if (n < 0)
            return wc_error_set(err, -ENOMEM, "out of memory");
        _cleanup_(reg_resp_clear) reg_resp resp = {0};
        int rc = reg_http(r, url, accept, from, NULL, NULL, sink, ctx, &resp, err);
        if (rc < 0 && fall_back_to_http(r, rc, url))
            continue;
        TRY(rc);
        if (resp.status == 401 && !authenticated && resp.www_auth != NULL) {
            authenticated = true;
            TRY(reg_authenticate(r, resp.www_auth, err));
            continue;
        }
        return take_answer(r, &resp, kind, ref, ret_content_digest, err);
    }
    return wc_error_set(err, -EIO, "registry %s: %s %s: no answer after 3 attempts", r->host, kind,
                        ref);
}

bool wc_reg_backoff(wc_reg *r, int attempt)
{
    if (attempt >= WC_REG_RETRIES)
        return false;
    long ms = 250L << attempt;
    for (long slept = 0; slept < ms; slept += 50) {
        if (r->cancelled && r->cancelled(r->cancel_ctx))
            return false;
        nanosleep(&(struct timespec){0, 50 * 1000000L}, NULL);
    }
    return true;
}

typedef struct membuf {
    char *data;
    size_t len;
} membuf;

static int mem_sink(void *ctx, long status, const char *data, size_t len, wc_error *err)
{
    membuf *m = ctx;
    (void)status;
    if (m->len + len > MANIFEST_MAX)
        return wc_error_set(err, -EFBIG, "manifest larger than %u bytes", MANIFEST_MAX);
    char *p = realloc(m->data, m->len + len + 1);
    if (p == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    memcpy(p + m->len, data, len);
    m->len += len;
    p[m->len] = '\0';
    m->data = p;
    return 0;
}

/* The manifest must hash to the digest it was asked by, and to the one the registry names in
 * Docker-Content-Digest (when it names a sha256 one): a tag gets no other check. */
static int check_manifest_digest(wc_reg *r, const char *ref, const membuf *m,
                                 const char *content_digest, wc_error *err)
{
    char got[WC_DIGEST_STR_LEN + 1];
    wc_sha256_buf(m->data, m->len, got);
    if (wc_digest_validate(ref, NULL) == 0 && strcmp(got, ref) != 0)
        return wc_error_set(err, -EILSEQ, "manifest %s from %s hashes to %s", ref, r->host, got);
    if (content_digest != NULL && strncmp(content_digest, "sha256:", 7) == 0 &&
        strcmp(got, content_digest) != 0)
        return wc_error_set(err, -EILSEQ,
                            "manifest %s from %s hashes to %s, but the registry's "
                            "Docker-Content-Digest says %.100s",
                            ref, r->host, got, content_digest);
    return 0;
}

/* GET the manifest into m, again after a backoff while the registry is busy or slow. */
static int get_manifest_retrying(wc_reg *r, const char *ref, membuf *m, char **content_digest,
                                 wc_error *err)
{
    int rc = -EAGAIN;
    for (int attempt = 0; rc == -EAGAIN || rc == -ETIMEDOUT; attempt++) {
        free(m->data);
        *m = (membuf){0};
        free(take_ptr(*content_digest));
        rc = reg_get(r, "manifests", ref, WC_ACCEPT_MANIFESTS, 0, mem_sink, m, content_digest, err);
        if ((rc == -EAGAIN || rc == -ETIMEDOUT) && !wc_reg_backoff(r, attempt))
            break;
    }
    return rc;
}

static int get_manifest_checked(wc_reg *r, const char *ref, membuf *m, wc_error *err)
{
    _cleanup_free_ char *content_digest = NULL;
    TRY(get_manifest_retrying(r, ref, m, &content_digest, err));
    if (m->data == NULL)
        return wc_error_set(err, -EINVAL, "registry %s sent an empty manifest for %s", r->host,
                            ref);
    return check_manifest_digest(r, ref, m, content_digest, err);
}

int wc_reg_get_manifest(wc_reg *r, const char *ref, char **ret_body, size_t *ret_len, wc_error *err)
{
    membuf m = {0};
    int rc = get_manifest_checked(r, ref, &m, err);
    if (rc < 0) {
        free(m.data);
        return rc;
    }
    *ret_body = m.data;
    *ret_len = m.len;
    return 0;
}

int wc_reg_get_blob(wc_reg *r, const char *digest, uint64_t from, wc_reg_sink sink, void *ctx,
                    wc_error *err)
{
    return reg_get(r, "blobs", digest, NULL, from, sink, ctx, NULL, err);
}
