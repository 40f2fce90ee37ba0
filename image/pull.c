/* wc_image_pull as a flat list of steps (see image.h): parse → resolve on the first
 * endpoint that answers (mirrors, then the registry) → config → layers (fetch.c) →
 * snapshots → record.
 * Everything the pull writes is leased in the store until the record is in, so a concurrent
 * removal cannot collect it and a killed pull leaves only what the next open collects.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "digest.h"
#include "pull_int.h"
#include "strv.h"
#include "unpack.h"

#define CONFIG_MAX (16u << 20)

bool pull_cancelled(void *ctx)
{
    pull *p = ctx;
    return atomic_load(&p->failed) || (p->o->cancelled && p->o->cancelled(p->o->ctx));
}

/* lease_lock held. */
static int lease_locked(pull *p, const char *key)
{
    if (wc_strv_contains(p->leases, key))
        return 0;
    TRY(wc_strv_push(&p->leases, key));
    wc_store_lease(p->s, key);
    return 0;
}

int pull_lease(pull *p, const char *key)
{
    pthread_mutex_lock(&p->lease_lock);
    int r = lease_locked(p, key);
    pthread_mutex_unlock(&p->lease_lock);
    return r;
}

/* Keeps a manifest or index in the store (leased) and counts it in the image's size. */
static int keep_manifest(pull *p, const char *body, size_t len, char *digest, wc_error *err)
{
    wc_sha256_buf(body, len, digest);
    if (pull_lease(p, digest) < 0 || wc_strv_push(&p->manifests, digest) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    p->blob_bytes += len;
    return wc_store_blob_put(p->s, digest, body, len, err);
}

/* The manifest the index (body) lists for this host, fetched and kept. */
static int choose_from_index(pull *p, const char *body, size_t len, char **ret_body,
                             size_t *ret_len, wc_error *err)
{
    wc_platform host = wc_platform_host();
    _cleanup_(wc_descriptor_clear) wc_descriptor d = {0};
    char chosen[WC_DIGEST_STR_LEN + 1];
    wc_manifest_kind kind;
    TRY(wc_index_choose(body, len, &host, &d, &p->index_annotations, err));
    TRY(wc_reg_get_manifest(p->reg, d.digest, ret_body, ret_len, err));
    TRY(wc_manifest_kind_of(NULL, *ret_body, *ret_len, &kind, err));
    if (kind != WC_KIND_MANIFEST)
        return wc_error_set(err, -EINVAL, "the index points to another index");
    return keep_manifest(p, *ret_body, *ret_len, chosen, err);
}

/* Tag (or digest) → the manifest to pull, on p->reg. */
static int resolve(pull *p, wc_error *err)
{
    _cleanup_free_ char *body = NULL, *body2 = NULL;
    size_t len = 0, len2 = 0;
    char top[WC_DIGEST_STR_LEN + 1];
    wc_manifest_kind kind;
    TRY(wc_reg_get_manifest(p->reg, wc_ref_object(&p->ref), &body, &len, err));
    TRY(wc_manifest_kind_of(NULL, body, len, &kind, err));
    TRY(keep_manifest(p, body, len, top, err));
    if ((p->top_digest = strdup(top)) == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    if (kind == WC_KIND_INDEX)
        TRY(choose_from_index(p, body, len, &body2, &len2, err));
    return wc_manifest_parse(body2 ? body2 : body, body2 ? len2 : len, &p->m, err);
}

static const wc_registry_conf *find_conf(const wc_pull_opts *o, const char *domain)
{
    for (size_t i = 0; i < o->n_registries; i++) {
        const char *h = o->registries[i].host;
        if (h && (strcmp(h, domain) == 0 ||
                  (strcmp(domain, "docker.io") == 0 &&
                   (strcmp(h, "registry-1.docker.io") == 0 || strcmp(h, "index.docker.io") == 0))))
            return &o->registries[i];
    }
    return NULL;
}

static bool creds_given(const wc_credentials *c)
{
    return (c->username && *c->username) || (c->auth && *c->auth) ||
           (c->identity_token && *c->identity_token) || (c->registry_token && *c->registry_token);
}

static int resolve_on(pull *p, const wc_reg_endpoint *ep, wc_error *err)
{
    TRY(wc_reg_open(ep, p->ref.path, &p->creds, pull_cancelled, p, &p->reg, err));
    return resolve(p, err);
}

/* Tries the mirrors in order, then the registry; the first that resolves serves the pull. */
static int resolve_on_endpoints(pull *p, wc_error *err)
{
    const wc_registry_conf *conf = find_conf(p->o, p->ref.domain);
    p->creds = p->o->creds;
    if (!creds_given(&p->creds) && conf != NULL) {
        p->creds.username = conf->username;
        p->creds.password = conf->password;
    }
    const char *upstream =
        strcmp(p->ref.domain, "docker.io") == 0 ? "registry-1.docker.io" : p->ref.domain;
    const char *const *mirrors = conf ? conf->mirrors : NULL;
    size_t n_mirrors = wc_strv_len((char *const *)mirrors);
    int r = -ENOENT;
    for (size_t i = 0; i <= n_mirrors; i++) {
        wc_reg_endpoint ep = {.host = i < n_mirrors ? mirrors[i] : upstream};
        if (conf != NULL) {
            ep.insecure = conf->insecure;
            ep.ca_file = conf->ca_file;
            ep.cert_file = conf->cert_file;
            ep.key_file = conf->key_file;
        }
        /* What an endpoint that failed half-way left. */
        wc_reg_close(take_ptr(p->reg));
        wc_manifest_clear(&p->m);
        free(take_ptr(p->top_digest));
        wc_strv_free(take_ptr(p->index_annotations));
        wc_strv_free(take_ptr(p->manifests));
        p->blob_bytes = 0;
        r = resolve_on(p, &ep, err);
        if (r == 0 || r == -ECANCELED)
            return r;
    }
    return r;
}

/* The path of a fetched blob (an invalid digest or a path that does not fit: an error). */
static int blob_path(pull *p, const char *digest, char *buf, size_t size, wc_error *err)
{
    int r = wc_store_blob_path(p->s, digest, buf, size);
    return r < 0 ? wc_error_set(err, r, "blob %s has no path in the store", digest) : 0;
}

static int read_config(pull *p, wc_error *err)
{
    char path[PATH_MAX];
    if (p->m.config.size > CONFIG_MAX)
        return wc_error_set(err, -EFBIG, "image config is larger than %u bytes", CONFIG_MAX);
    TRY(pull_fetch_blob(p, &p->m.config, err));
    TRY(blob_path(p, p->m.config.digest, path, sizeof(path), err));
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    p->config_body = malloc(p->m.config.size + 1);
    if (fd < 0 || p->config_body == NULL)
        return wc_error_set_errno(err, fd < 0 ? -errno : -ENOMEM, "read config %s", path);
    ssize_t n = read(fd, p->config_body, p->m.config.size);
    if (n != (ssize_t)p->m.config.size)
        return wc_error_set(err, -EIO, "read config %s: short read", path);
    p->config_body[n] = '\0';
    p->config_len = (size_t)n;
    p->blob_bytes += p->m.config.size;
    return wc_image_config_parse(p->config_body, p->config_len, &p->cfg, err);
}

static void notice(pull *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void notice(pull *p, const char *fmt, ...)
{
    if (p->o->notice == NULL)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    p->o->notice(p->o->ctx, p->ref_str, msg);
}

/* Unpacks layer i into dir (a copy of its parent) and commits dir as chain. */
static int unpack_into(pull *p, size_t i, const char *dir, const char *chain, wc_unpack_report *rep,
                       wc_error *err)
{
    const wc_unpack_conf *u = &p->o->unpack;
    wc_unpack_limits lim = {
        .max_bytes = u->max_layer_bytes ? u->max_layer_bytes : WC_UNPACK_DEFAULT_BYTES,
        .max_entries = u->max_layer_entries ? u->max_layer_entries : WC_UNPACK_DEFAULT_ENTRIES,
        .max_ratio = u->max_ratio ? u->max_ratio : WC_UNPACK_DEFAULT_RATIO,
    };
    char blob[PATH_MAX];
    TRY(blob_path(p, p->m.layers[i].digest, blob, sizeof(blob), err));
    TRY(wc_unpack_layer_verified(blob, dir, p->cfg.diff_ids[i], &lim, rep, err));
    return wc_store_snapshot_commit(p->s, dir, chain, err);
}

/* Unpacks layer i onto a copy of parent and commits it as chain (unless it exists). */
static int unpack_one(pull *p, size_t i, const char *parent, const char *chain, wc_error *err)
{
    const wc_descriptor *l = &p->m.layers[i];
    _cleanup_free_ char *dir = NULL;
    TRY(wc_store_snapshot_prepare(p->s, parent, &dir, err));
    wc_unpack_report rep;
    int r = unpack_into(p, i, dir, chain, &rep, err);
    if (r < 0) {
        wc_store_snapshot_abort(p->s, dir);
        wc_error_wrap(err, "unpack layer %s", l->digest);
        return r;
    }
    if (rep.skipped)
        notice(p, "layer %s: skipped %llu device nodes/fifos/sockets (first: %s)", l->digest,
               (unsigned long long)rep.skipped, rep.first_skipped);
    if (rep.stripped)
        notice(p, "layer %s: stripped setuid/setgid bits from %llu entries", l->digest,
               (unsigned long long)rep.stripped);
    return 0;
}

static int unpack_layers(pull *p, char ***ret_chain, wc_error *err)
{
    size_t n = p->m.n_layers;
    if (wc_strv_len(p->cfg.diff_ids) != n)
        return wc_error_set(err, -EINVAL, "image config lists %zu diff_ids for %zu layers",
                            wc_strv_len(p->cfg.diff_ids), n);
    _cleanup_strv_ char **chain = wc_strv_copy(NULL);
    for (size_t i = 0; chain != NULL && i < n; i++) {
        char id[WC_DIGEST_STR_LEN + 1];
        if (i == 0) {
            snprintf(id, sizeof(id), "%s", p->cfg.diff_ids[0]);
        } else {
            char buf[2 * WC_DIGEST_STR_LEN + 2];
            snprintf(buf, sizeof(buf), "%s %s", chain[i - 1], p->cfg.diff_ids[i]);
            wc_sha256_buf(buf, strlen(buf), id);
        }
        if (wc_strv_push(&chain, id) < 0 || pull_lease(p, id) < 0)
            return wc_error_set(err, -ENOMEM, "out of memory");
        int r = 0;
        wc_store_flight_begin(p->s, id);
        if (!wc_store_snapshot_exists(p->s, id))
            r = unpack_one(p, i, i ? chain[i - 1] : NULL, id, err);
        wc_store_flight_end(p->s, id);
        if (r < 0)
            return r;
    }
    if (chain == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    *ret_chain = take_ptr(chain);
    return 0;
}

static int pull_steps(pull *p, char **ret_id, wc_error *err)
{
    wc_image_shape shape;
    size_t module;
    _cleanup_strv_ char **chain = NULL;
    _cleanup_(wc_image_freep) wc_image *img = NULL;
    TRY(resolve_on_endpoints(p, err));
    TRY(wc_manifest_shape(&p->m, &shape, &module, err));
    p->total = p->m.config.size;
    for (size_t i = 0; i < p->m.n_layers; i++) {
        p->total += p->m.layers[i].size;
        p->blob_bytes += p->m.layers[i].size;
    }
    TRY(read_config(p, err));
    TRY(pull_fetch_blobs(p, err));
    if (shape == WC_SHAPE_ROOTFS)
        TRY(unpack_layers(p, &chain, err));
    TRY(pull_record(p, shape, module, chain, &img, err));
    TRY(wc_store_image_put(p->s, img, err));
    /* A mirror that failed half-way leased blobs the image does not list. */
    p->left_over = wc_strv_len(p->leases) > wc_strv_len(img->blobs) + wc_strv_len(img->snapshots);
    if ((*ret_id = strdup(img->id)) == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    return 0;
}

int wc_image_pull(wc_store *s, const char *ref, const wc_pull_opts *opts, char **ret_id,
                  wc_error *err)
{
    pull p = {.s = s, .o = opts, .leases = wc_strv_copy(NULL)};
    int r = wc_ref_parse(ref, &p.ref, err);
    if (r < 0) {
        wc_strv_free(p.leases);
        return r;
    }
    pthread_mutex_init(&p.progress_lock, NULL);
    pthread_mutex_init(&p.lease_lock, NULL);
    p.ref_str = wc_ref_string(&p.ref);
    if (p.ref_str == NULL || p.leases == NULL) {
        r = wc_error_set(err, -ENOMEM, "out of memory");
        goto out;
    }
    clock_gettime(CLOCK_MONOTONIC, &p.start);
    p.last_report = time(NULL); /* the first report comes a second in */
    r = pull_steps(&p, ret_id, err);
    if (r < 0)
        wc_error_wrap(err, "pull %s", p.ref_str);
    else
        pull_report(&p, true);
out:
    pthread_mutex_destroy(&p.progress_lock);
    pthread_mutex_destroy(&p.lease_lock);
    for (char **k = p.leases; k && *k; k++)
        wc_store_unlease(s, *k);
    /* A pull leaves nothing behind: what it fetched and no image uses goes now. */
    if ((r < 0 || p.left_over) && p.leases != NULL && p.leases[0] != NULL)
        wc_store_gc(s, NULL);
    wc_strv_free(p.leases);
    wc_reg_close(p.reg);
    wc_manifest_clear(&p.m);
    wc_image_config_clear(&p.cfg);
    wc_strv_free(p.index_annotations);
    wc_strv_free(p.manifests);
    free(p.config_body);
    free(p.top_digest);
    free(p.ref_str);
    wc_ref_clear(&p.ref);
    return r;
}
