/* Registry authentication, answering a 401's WWW-Authenticate challenge:
 *   Basic  → "Authorization: Basic base64(user:pass)" with the pull's credentials;
 *   Bearer → a token from the challenge's realm (GET ?service=&scope=, with Basic credentials
 *            when there are some; POST grant_type=refresh_token with an identity token), then
 *            "Authorization: Bearer <token>".
 * The result is kept in the wc_reg for every later request of the pull.
 */
#include <ctype.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "registry_int.h"

/* Reads `key="value"` or `key=value` at *p; advances past it and a following comma. */
static bool next_param(const char **p, char **ret_key, char **ret_val)
{
    const char *s = *p;
    while (*s == ' ' || *s == ',')
        s++;
    const char *k = s;
    while (*s && *s != '=' && *s != ' ' && *s != ',')
        s++;
    if (*s != '=' || s == k)
        return false;
    size_t klen = (size_t)(s - k);
    s++;
    char val[2048];
    size_t n = 0;
    if (*s == '"') {
        for (s++; *s && *s != '"'; s++) {
            if (*s == '\\' && s[1])
                s++;
            if (n < sizeof(val) - 1)
                val[n++] = *s;
        }
        if (*s == '"')
            s++;
    } else {
        for (; *s && *s != ',' && *s != ' '; s++)
            if (n < sizeof(val) - 1)
                val[n++] = *s;
    }
    val[n] = '\0';
    *ret_key = strndup(k, klen);
    *ret_val = strdup(val);
    *p = s;
    return true;
}

int wc_challenge_parse(const char *header, wc_challenge *ret)
{
    wc_challenge c = {0};
    const char *p = header;
    while (*p == ' ')
        p++;
    size_t n = strcspn(p, " ");
    if (n == 0)
        return -EINVAL;
    c.scheme = strndup(p, n);
    p += n;
    char *k, *v;
    while (next_param(&p, &k, &v)) {
        char **slot = strcasecmp(k, "realm") == 0     ? &c.realm
                      : strcasecmp(k, "service") == 0 ? &c.service
                      : strcasecmp(k, "scope") == 0   ? &c.scope
                                                      : NULL;
        if (slot != NULL) {
            free(*slot);
            *slot = v;
        } else {
            free(v);
        }
        free(k);
    }
    *ret = c;
    return c.scheme ? 0 : -ENOMEM;
}

void wc_challenge_clear(wc_challenge *c)
{
    free(c->scheme);
    free(c->realm);
    free(c->service);
    free(c->scope);
    *c = (wc_challenge){0};
}

static char *basic_value(const char *user, const char *pass)
{
    _cleanup_free_ char *plain = NULL;
    if (asprintf(&plain, "%s:%s", user, pass) < 0)
        return NULL;
    size_t len = strlen(plain);
    char *out = malloc(6 + 4 * ((len + 2) / 3) + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, "Basic ", 6);
    EVP_EncodeBlock((unsigned char *)out + 6, (unsigned char *)plain, (int)len);
    return out;
}

static void set_authorization(wc_reg *r, char *value)
{
    pthread_mutex_lock(&r->lock);
    free(r->authorization);
    r->authorization = value;
    pthread_mutex_unlock(&r->lock);
}

typedef struct token_buf {
    char data[64 * 1024];
    size_t len;
} token_buf;

static int token_sink(void *ctx, long status, const char *data, size_t len, wc_error *err)
{
    token_buf *t = ctx;
    (void)status;
    if (t->len + len >= sizeof(t->data))
        return wc_error_set(err, -EFBIG, "token response too large");
    memcpy(t->data + t->len, data, len);
    t->len += len;
    return 0;
}

static char *url_escape(const char *s)
{
    char *e = curl_easy_escape(NULL, s ? s : "", 0);
    char *out = e ? strdup(e) : NULL;
    curl_free(e);
    return out;
}

/* The token in the service's answer t ("token", else "access_token") becomes the
 * Authorization header. */
static int use_token(wc_reg *r, const wc_challenge *c, const token_buf *t, wc_error *err)
{
    json_auto_t *root = json_loadb(t->data, t->len, 0, NULL);
    const char *tok = json_string_value(json_object_get(root, "token"));
    if (tok == NULL)
        tok = json_string_value(json_object_get(root, "access_token"));
    if (tok == NULL)
        return wc_error_set(err, -EIO, "token service %s sent no token", c->realm);
    char *value = NULL;
    if (asprintf(&value, "Bearer %s", tok) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    set_authorization(r, value);
    return 0;
}

static int ask_token(wc_reg *r, const wc_challenge *c, const char *url, const char *basic,
                     const char *post, wc_error *err)
{
    _cleanup_free_ token_buf *t = calloc(1, sizeof(*t));
    _cleanup_(reg_resp_clear) reg_resp resp = {0};
    if (t == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    TRY(reg_http(r, url, "application/json", 0, basic, post, token_sink, t, &resp, err));
    if (resp.status == 401 || resp.status == 403)
        return wc_error_set(err, -EACCES, "token service %s refused %s: wrong credentials?",
                            c->realm, r->user ? "the credentials" : "an anonymous pull");
    if (resp.status != 200)
        return wc_error_set(err, resp.status >= 500 ? -EAGAIN : -EIO,
                            "token service %s answered HTTP %ld", c->realm, resp.status);
    return use_token(r, c, t, err);
}

/* Asks the token service; the credentials go to the realm's host (it is where they belong). */
static int fetch_token(wc_reg *r, const wc_challenge *c, wc_error *err)
{
    _cleanup_free_ char *scope = NULL, *url = NULL, *post = NULL, *basic = NULL;
    _cleanup_free_ char *svc = url_escape(c->service);
    if (c->scope)
        scope = url_escape(c->scope);
    else if (asprintf(&url, "repository:%s:pull", r->repo) >= 0)
        scope = url_escape(url), free(take_ptr(url));
    if (svc == NULL || scope == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    const char *idtok = r->creds->identity_token;
    if (idtok && *idtok) {
        _cleanup_free_ char *tok = url_escape(idtok);
        if (asprintf(&url, "%s", c->realm) < 0 ||
            asprintf(&post,
                     "grant_type=refresh_token&client_id=wasmcri&service=%s&scope=%s"
                     "&refresh_token=%s",
                     svc, scope, tok ? tok : "") < 0)
            return wc_error_set(err, -ENOMEM, "out of memory");
    } else if (asprintf(&url, "%s%sservice=%s&scope=%s", c->realm,
                        strchr(c->realm, '?') ? "&" : "?", svc, scope) < 0) {
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    if (r->user && !(idtok && *idtok))
        basic = basic_value(r->user, r->pass);
    return ask_token(r, c, url, basic, post, err);
}

int reg_authenticate(wc_reg *r, const char *www_auth, wc_error *err)
{
    wc_challenge c = {0};
    if (wc_challenge_parse(www_auth, &c) < 0)
        return wc_error_set(err, -EIO, "registry %s sent an unreadable challenge \"%s\"", r->host,
                            www_auth);
    int rc;
    if (strcasecmp(c.scheme, "basic") == 0) {
        if (r->user == NULL)
            rc = wc_error_set(err, -EACCES,
                              "registry %s requires authentication and no credentials were "
                              "given (AuthConfig, or registries[].username/password)",
                              r->host);
        else {
            char *v = basic_value(r->user, r->pass);
            rc = v ? 0 : wc_error_set(err, -ENOMEM, "out of memory");
            if (v)
                set_authorization(r, v);
        }
    } else if (strcasecmp(c.scheme, "bearer") == 0 && c.realm != NULL) {
        rc = fetch_token(r, &c, err);
    } else {
        rc = wc_error_set(err, -EACCES, "registry %s asks for unsupported authentication \"%s\"",
                          r->host, www_auth);
    }
    wc_challenge_clear(&c);
    return rc;
}
