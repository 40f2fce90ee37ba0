/* ImageService handlers: PullImage, ImageStatus, ListImages, RemoveImage, ImageFsInfo.
 * They translate CRI messages to the image library (image/image.h) and the store
 * (store/store.h) and back; all the work is there. PullImage is slow (own thread): the
 * client cancelling it cancels the pull, and its progress goes to the daemon log.
 * To add an rpc: write `static int rpc_x(...)` and add a line to the table.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "image.h"
#include "image_message.h"
#include "log.h"
#include "metrics.h"
#include "sandbox.h"
#include "service.h"

static int nomem(wc_error *err)
{
    return wc_error_set(err, -ENOMEM, "out of memory");
}

static const char *spec_image(const Runtime__V1__ImageSpec *spec)
{
    return spec && spec->image ? spec->image : "";
}

/* ---- PullImage ---- */

static void pull_progress(void *ctx, const wc_pull_progress *p)
{
    (void)ctx;
    wc_info("image", "pull %s: %.1f/%.1f MB, %.1f MB/s%s", p->ref, p->done / 1e6, p->total / 1e6,
            p->rate / 1e6, p->finished ? ", done" : "");
    if (p->finished) /* the last report of a pull that succeeded */
        wc_metrics_count(WC_M_PULL_BYTES, p->done);
}

static void pull_notice(void *ctx, const char *ref, const char *msg)
{
    (void)ctx;
    wc_warn("image", "pull %s: %s", ref, msg);
}

static bool pull_cancelled(void *ctx)
{
    return cri_call_cancelled(ctx);
}

/* The config's registries[] as the image library wants them; mirrors NULL-terminated. */
static wc_registry_conf *registry_confs(const wc_config *cfg)
{
    wc_registry_conf *out = calloc(cfg->n_registries + 1, sizeof(*out));
    for (size_t i = 0; out != NULL && i < cfg->n_registries; i++) {
        const wc_registry *r = &cfg->registries[i];
        const char **mirrors = calloc(r->n_mirrors + 1, sizeof(char *));
        if (mirrors == NULL) {
            for (size_t j = 0; j < i; j++)
                free((void *)out[j].mirrors);
            free(out);
            return NULL;
        }
        for (size_t j = 0; j < r->n_mirrors; j++)
            mirrors[j] = r->mirrors[j];
        out[i] = (wc_registry_conf){
            .host = r->host,
            .mirrors = mirrors,
            .insecure = r->insecure,
            .ca_file = r->ca_file,
            .cert_file = r->cert_file,
            .key_file = r->key_file,
            .username = r->username,
            .password = r->password,
        };
    }
    return out;
}

static void registry_confs_free(wc_registry_conf *confs, size_t n)
{
    for (size_t i = 0; confs && i < n; i++)
        free((void *)confs[i].mirrors);
    free(confs);
}

static int rpc_pull_image(cri_call *call, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                          wc_error *err)
{
    const Runtime__V1__PullImageRequest *q = (const void *)req;
    cri_daemon *d = cri_call_daemon(call);
    const char *ref = spec_image(q->image);
    if (ref[0] == '\0')
        return wc_error_set(err, -EINVAL, "PullImage: image.image is empty");
    const Runtime__V1__AuthConfig *a = q->auth;
    wc_pull_opts o = {
        .registries = registry_confs(d->cfg),
        .n_registries = d->cfg->n_registries,
        .progress = pull_progress,
        .notice = pull_notice,
        .cancelled = pull_cancelled,
        .ctx = call,
        .unpack = d->cfg->unpack,
    };
    if (o.registries == NULL)
        return nomem(err);
    if (a != NULL)
        o.creds = (wc_credentials){a->username, a->password, a->auth, a->identity_token,
                                   a->registry_token};
    wc_info("image", "pull %s", ref);
    char *id = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = wc_image_pull(d->store, ref, &o, &id, err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    wc_metrics_observe_pull(
        (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec)));
    wc_metrics_count(rc < 0 ? WC_M_PULLS_FAILED : WC_M_PULLS_OK, 1);
    registry_confs_free((wc_registry_conf *)o.registries, o.n_registries);
    if (rc < 0) {
        wc_warn("image", "%s", err->msg);
        return rc;
    }
    wc_info("image", "pulled %s as %s", ref, id);
    wc_error prefetch_err = {0};
    if (d->sandbox && wc_sandbox_prefetch_module(d->sandbox, id, &prefetch_err) < 0)
        wc_warn("image", "%s: module not compiled ahead: %s", ref, prefetch_err.msg);
    Runtime__V1__PullImageResponse *r = malloc(sizeof(*r));
    if (r == NULL) {
        free(id);
        return nomem(err);
    }
    runtime__v1__pull_image_response__init(r);
    r->image_ref = id;
    *ret_resp = &r->base;
    return 0;
}

/* ---- ImageStatus ---- */

static int status_info(Runtime__V1__ImageStatusResponse *r, const wc_image *img)
{
    r->info = calloc(1, sizeof(*r->info));
    Runtime__V1__ImageStatusResponse__InfoEntry *e = r->info ? malloc(sizeof(*e)) : NULL;
    if (e == NULL)
        return -ENOMEM;
    runtime__v1__image_status_response__info_entry__init(e);
    r->info[0] = e;
    r->n_info = 1;
    e->key = strdup("info");
    e->value = image_info_json(img);
    return e->key && e->value ? 0 : -ENOMEM;
}

static int rpc_image_status(cri_call *call, const ProtobufCMessage *req,
                            ProtobufCMessage **ret_resp, wc_error *err)
{
    const Runtime__V1__ImageStatusRequest *q = (const void *)req;
    Runtime__V1__ImageStatusResponse *r = malloc(sizeof(*r));
    if (r == NULL)
        return nomem(err);
    runtime__v1__image_status_response__init(r);
    *ret_resp = &r->base;
    _cleanup_(wc_image_freep) wc_image *img = NULL;
    int rc = wc_image_lookup(cri_call_daemon(call)->store, spec_image(q->image), &img, err);
    if (rc == -ENOENT)
        return 0; /* CRI: an absent image is an empty answer, not an error */
    TRY(rc);
    if ((r->image = image_message(img)) == NULL || (q->verbose && status_info(r, img) < 0))
        return nomem(err);
    return 0;
}

/* ---- ListImages ---- */

/* The images filter names (every image when it is ""): a NULL-terminated array. */
static int find_images(wc_store *s, const char *filter, wc_image ***ret_imgs, wc_error *err)
{
    if (filter[0] == '\0')
        return wc_store_image_list(s, ret_imgs, err);
    if ((*ret_imgs = calloc(2, sizeof(**ret_imgs))) == NULL)
        return nomem(err);
    int rc = wc_image_lookup(s, filter, &(*ret_imgs)[0], err);
    return rc == -ENOENT ? 0 : rc;
}

static int rpc_list_images(cri_call *call, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                           wc_error *err)
{
    const Runtime__V1__ListImagesRequest *q = (const void *)req;
    const char *filter = q->filter ? spec_image(q->filter->image) : "";
    Runtime__V1__ListImagesResponse *r = malloc(sizeof(*r));
    if (r == NULL)
        return nomem(err);
    runtime__v1__list_images_response__init(r);
    *ret_resp = &r->base;
    _cleanup_(wc_image_list_freep) wc_image **imgs = NULL;
    TRY(find_images(cri_call_daemon(call)->store, filter, &imgs, err));
    size_t n = 0;
    while (imgs[n] != NULL)
        n++;
    if ((r->images = calloc(n ? n : 1, sizeof(*r->images))) == NULL)
        return nomem(err);
    for (size_t i = 0; i < n; i++) {
        if ((r->images[i] = image_message(imgs[i])) == NULL)
            return nomem(err);
        r->n_images++;
    }
    return 0;
}

/* ---- RemoveImage ---- */

static int remove_image(wc_store *s, const char *name, wc_error *err)
{
    _cleanup_(wc_image_freep) wc_image *img = NULL;
    TRY(wc_image_lookup(s, name, &img, err));
    TRY(wc_store_image_remove(s, img->id, err));
    wc_info("image", "removed %s", img->id);
    return 0;
}

static int rpc_remove_image(cri_call *call, const ProtobufCMessage *req,
                            ProtobufCMessage **ret_resp, wc_error *err)
{
    const Runtime__V1__RemoveImageRequest *q = (const void *)req;
    wc_store *s = cri_call_daemon(call)->store;
    int rc = remove_image(s, spec_image(q->image), err);
    if (rc < 0 && rc != -ENOENT) /* removing what is not there succeeds */
        return rc;
    Runtime__V1__RemoveImageResponse *r = malloc(sizeof(*r));
    if (r == NULL)
        return nomem(err);
    runtime__v1__remove_image_response__init(r);
    *ret_resp = &r->base;
    return 0;
}

/* ---- ImageFsInfo ---- */

static Runtime__V1__FilesystemUsage *fs_usage(const char *mountpoint, uint64_t bytes,
                                              uint64_t inodes)
{
    Runtime__V1__FilesystemUsage *u = malloc(sizeof(*u));
    if (!u)
        return NULL;
    runtime__v1__filesystem_usage__init(u);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    u->timestamp = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    u->fs_id = malloc(sizeof(*u->fs_id));
    u->used_bytes = malloc(sizeof(*u->used_bytes));
    u->inodes_used = malloc(sizeof(*u->inodes_used));
    if (u->fs_id)
        runtime__v1__filesystem_identifier__init(u->fs_id);
    if (u->used_bytes)
        runtime__v1__uint64_value__init(u->used_bytes);
    if (u->inodes_used)
        runtime__v1__uint64_value__init(u->inodes_used);
    if (!u->fs_id || !u->used_bytes || !u->inodes_used ||
        !(u->fs_id->mountpoint = strdup(mountpoint))) {
        protobuf_c_message_free_unpacked(&u->base, NULL);
        return NULL;
    }
    u->used_bytes->value = bytes;
    u->inodes_used->value = inodes;
    return u;
}

/* The image filesystem is the store's content and snapshot trees under the root. */
static int rpc_image_fs_info(cri_call *call, const ProtobufCMessage *req,
                             ProtobufCMessage **ret_resp, wc_error *err)
{
    (void)req;
    wc_store *s = cri_call_daemon(call)->store;
    uint64_t bytes, inodes;
    int rc = wc_store_usage(s, &bytes, &inodes, err);
    if (rc < 0)
        return rc;
    Runtime__V1__ImageFsInfoResponse *r = malloc(sizeof(*r));
    if (!r)
        return nomem(err);
    runtime__v1__image_fs_info_response__init(r);
    *ret_resp = &r->base;
    r->image_filesystems = calloc(1, sizeof(*r->image_filesystems));
    if (!r->image_filesystems ||
        !(r->image_filesystems[0] = fs_usage(wc_store_root(s), bytes, inodes)))
        return nomem(err);
    r->n_image_filesystems = 1;
    return 0;
}

const cri_method cri_image_methods[] = {
    {"PullImage", rpc_pull_image, true},      {"ImageStatus", rpc_image_status, false},
    {"ListImages", rpc_list_images, false},   {"RemoveImage", rpc_remove_image, true},
    {"ImageFsInfo", rpc_image_fs_info, true}, {NULL, NULL, false},
};
