/* Manifests, image configs and image shapes. A manifest's layers decide its shape:
 *   all layers tar (+gzip/zstd)                           → WC_SHAPE_ROOTFS (unpacked)
 *   config application/vnd.wasm.config.v0+json and an application/wasm layer
 *                                                         → WC_SHAPE_WASM_ARTIFACT
 *   any ...wasm.component.layer.v0+wasm layer             → WC_SHAPE_WASM_LAYERS
 * To support another shape: a value in wc_image_shape (store.h), a test in wc_manifest_shape,
 * and what the pull does with its layers (pull.c).
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "digest.h"
#include "json_util.h"
#include "manifest.h"

static const char *const tar_layer_types[] = {
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    "application/vnd.docker.image.rootfs.diff.tar",
    NULL,
};

int wc_manifest_kind_of(const char *content_type, const char *body, size_t len,
                        wc_manifest_kind *ret_kind, wc_error *err)
{
    json_t *root = json_loadb(body, len, 0, NULL);
    if (!json_is_object(root)) {
        json_decref(root);
        return wc_error_set(err, -EINVAL, "the registry sent a manifest that is not JSON");
    }
    const char *mt = json_string_value(json_object_get(root, "mediaType"));
    if (mt == NULL && content_type != NULL && strncmp(content_type, "application/vnd.", 16) == 0)
        mt = content_type;
    int r = 0;
    if (mt != NULL && (strcmp(mt, WC_MT_OCI_INDEX) == 0 || strcmp(mt, WC_MT_DOCKER_LIST) == 0))
        *ret_kind = WC_KIND_INDEX;
    else if (mt != NULL &&
             (strcmp(mt, WC_MT_OCI_MANIFEST) == 0 || strcmp(mt, WC_MT_DOCKER_MANIFEST) == 0))
        *ret_kind = WC_KIND_MANIFEST;
    else if (mt == NULL && json_is_array(json_object_get(root, "manifests")))
        *ret_kind = WC_KIND_INDEX;
    else if (mt == NULL && json_is_array(json_object_get(root, "layers")))
        *ret_kind = WC_KIND_MANIFEST;
    else
        r = wc_error_set(err, -EINVAL, "unsupported manifest media type \"%s\"",
                         mt ? mt : "(none)");
    json_decref(root);
    return r;
}

static int descriptor_parse(json_t *o, const char *what, wc_descriptor *ret, wc_error *err)
{
    json_t *size = json_object_get(o, "size");
    const char *digest = json_string_value(json_object_get(o, "digest"));
    if (!json_is_object(o) || !json_is_integer(size) || json_integer_value(size) < 0)
        return wc_error_set(err, -EINVAL, "invalid manifest: %s has no valid size", what);
    int r = wc_digest_validate(digest, err);
    if (r < 0) {
        wc_error_wrap(err, "invalid manifest: %s", what);
        return r;
    }
    ret->media_type = wc_json_dup_str(o, "mediaType", "");
    ret->digest = strdup(digest);
    ret->size = (uint64_t)json_integer_value(size);
    if (ret->media_type == NULL || ret->digest == NULL)
        return wc_error_set(err, -ENOMEM, "read manifest: out of memory");
    return 0;
}

int wc_manifest_parse(const char *body, size_t len, wc_manifest *ret, wc_error *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(body, len, 0, &jerr);
    wc_manifest m = {0};
    int r = 0;
    json_t *layers = json_object_get(root, "layers");
    if (!json_is_object(root) || !json_is_array(layers)) {
        r = wc_error_set(err, -EINVAL, "invalid manifest: no layers array (%s)", jerr.text);
        goto out;
    }
    r = descriptor_parse(json_object_get(root, "config"), "config", &m.config, err);
    if (r < 0)
        goto out;
    m.layers = calloc(json_array_size(layers) + 1, sizeof(*m.layers));
    m.annotations = wc_json_dup_map(root, "annotations");
    if (m.layers == NULL || m.annotations == NULL) {
        r = wc_error_set(err, -ENOMEM, "read manifest: out of memory");
        goto out;
    }
    size_t i;
    json_t *l;
    json_array_foreach(layers, i, l)
    {
        char what[32];
        snprintf(what, sizeof(what), "layer %zu", i);
        r = descriptor_parse(l, what, &m.layers[m.n_layers++], err);
        if (r < 0)
            goto out;
    }
out:
    json_decref(root);
    if (r < 0)
        wc_manifest_clear(&m);
    else
        *ret = m;
    return r;
}

void wc_descriptor_clear(wc_descriptor *d)
{
    free(d->media_type);
    free(d->digest);
    *d = (wc_descriptor){0};
}

void wc_manifest_clear(wc_manifest *m)
{
    wc_descriptor_clear(&m->config);
    for (size_t i = 0; i < m->n_layers; i++)
        wc_descriptor_clear(&m->layers[i]);
    free(m->layers);
    wc_strv_free(m->annotations);
    *m = (wc_manifest){0};
}

/* parent.key must be absent, null or of the wanted type; -EINVAL naming the field otherwise. */
static int check_type(const json_t *parent, const char *path, const char *key, wc_json_type want,
                      wc_error *err)
{
    const json_t *v = json_object_get(parent, key);
    if (v == NULL || json_is_null(v))
        return 0;
    char where[64];
    snprintf(where, sizeof(where), "%s%s", path, key);
    if (wc_json_check_type(v, want, where, err) < 0)
        return wc_error_wrap(err, "invalid image config");
    return 0;
}

/* Every field the pull reads, with the type the OCI image spec gives it. */
static int check_config_types(const json_t *root, wc_error *err)
{
    const json_t *cfg = json_object_get(root, "config");
    const json_t *rootfs = json_object_get(root, "rootfs");
    TRY(check_type(root, "", "os", WC_JSON_STRING, err));
    TRY(check_type(root, "", "architecture", WC_JSON_STRING, err));
    TRY(check_type(root, "", "config", WC_JSON_OBJECT, err));
    TRY(check_type(root, "", "rootfs", WC_JSON_OBJECT, err));
    TRY(check_type(cfg, "config.", "User", WC_JSON_STRING, err));
    TRY(check_type(cfg, "config.", "WorkingDir", WC_JSON_STRING, err));
    TRY(check_type(cfg, "config.", "StopSignal", WC_JSON_STRING, err));
    TRY(check_type(cfg, "config.", "Entrypoint", WC_JSON_STRINGS, err));
    TRY(check_type(cfg, "config.", "Cmd", WC_JSON_STRINGS, err));
    TRY(check_type(cfg, "config.", "Env", WC_JSON_STRINGS, err));
    return check_type(rootfs, "rootfs.", "diff_ids", WC_JSON_STRINGS, err);
}

int wc_image_config_parse(const char *body, size_t len, wc_image_config *ret, wc_error *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(body, len, 0, &jerr);
    if (!json_is_object(root)) {
        json_decref(root);
        return wc_error_set(err, -EINVAL, "invalid image config: %s", jerr.text);
    }
    int r = check_config_types(root, err);
    if (r < 0) {
        json_decref(root);
        return r;
    }
    json_t *cfg = json_object_get(root, "config");
    wc_image_config c = {
        .os = wc_json_dup_str(root, "os", ""),
        .arch = wc_json_dup_str(root, "architecture", ""),
        .user = wc_json_dup_str(cfg, "User", ""),
        .working_dir = wc_json_dup_str(cfg, "WorkingDir", ""),
        .stop_signal = wc_json_dup_str(cfg, "StopSignal", ""),
        .entrypoint = wc_json_dup_strv(cfg, "Entrypoint"),
        .cmd = wc_json_dup_strv(cfg, "Cmd"),
        .env = wc_json_dup_strv(cfg, "Env"),
        .diff_ids = wc_json_dup_strv(json_object_get(root, "rootfs"), "diff_ids"),
    };
    json_decref(root);
    if (!c.os || !c.arch || !c.user || !c.working_dir || !c.stop_signal || !c.entrypoint ||
        !c.cmd || !c.env || !c.diff_ids) {
        wc_image_config_clear(&c);
        return wc_error_set(err, -ENOMEM, "read image config: out of memory");
    }
    for (char **d = c.diff_ids; *d; d++) {
        r = wc_digest_validate(*d, err);
        if (r < 0) {
            wc_image_config_clear(&c);
            wc_error_wrap(err, "invalid image config: rootfs.diff_ids");
            return r;
        }
    }
    *ret = c;
    return 0;
}

void wc_image_config_clear(wc_image_config *c)
{
    free(c->os);
    free(c->arch);
    free(c->user);
    free(c->working_dir);
    free(c->stop_signal);
    wc_strv_free(c->entrypoint);
    wc_strv_free(c->cmd);
    wc_strv_free(c->env);
    wc_strv_free(c->diff_ids);
    *c = (wc_image_config){0};
}

static bool is_tar_layer(const char *mt)
{
    for (const char *const *t = tar_layer_types; *t; t++)
        if (strcmp(mt, *t) == 0)
            return true;
    return false;
}

int wc_manifest_shape(const wc_manifest *m, wc_image_shape *ret_shape, size_t *ret_module,
                      wc_error *err)
{
    bool wasm_config = strcmp(m->config.media_type, WC_MT_WASM_CONFIG) == 0;
    for (size_t i = 0; i < m->n_layers; i++) {
        const char *mt = m->layers[i].media_type;
        if (strcmp(mt, WC_MT_WASM_COMPONENT_LAYER) == 0) {
            *ret_shape = WC_SHAPE_WASM_LAYERS;
            *ret_module = i;
            return 0;
        }
        if (strcmp(mt, WC_MT_WASM_LAYER) == 0 && (wasm_config || m->n_layers == 1)) {
            *ret_shape = WC_SHAPE_WASM_ARTIFACT;
            *ret_module = i;
            return 0;
        }
    }
    if (wasm_config)
        return wc_error_set(err, -ENOEXEC,
                            "wasm artifact (config %s) has no application/wasm layer",
                            WC_MT_WASM_CONFIG);
    for (size_t i = 0; i < m->n_layers; i++)
        if (!is_tar_layer(m->layers[i].media_type))
            return wc_error_set(err, -ENOEXEC, "layer %s has unsupported media type \"%s\"",
                                m->layers[i].digest, m->layers[i].media_type);
    *ret_shape = WC_SHAPE_ROOTFS;
    *ret_module = 0;
    return 0;
}

void wc_user_split(const char *user, int64_t *ret_uid, char **ret_username)
{
    size_t n = strcspn(user, ":");
    bool numeric = n > 0 && n <= 10 && strspn(user, "0123456789") == n;
    *ret_uid = numeric ? strtoll(user, NULL, 10) : -1;
    *ret_username = numeric ? strdup("") : strndup(user, n);
}
