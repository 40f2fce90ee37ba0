/* OCI/Docker manifests, indexes and image configs: parsing, the platform choice from an
 * index, and which of the three image shapes a manifest is (see store.h's wc_image_shape).
 */
#ifndef WASMCRI_IMAGE_MANIFEST_H
#define WASMCRI_IMAGE_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "store.h"

#define WC_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define WC_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define WC_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define WC_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define WC_MT_WASM_CONFIG "application/vnd.wasm.config.v0+json"
#define WC_MT_WASM_LAYER "application/wasm"
#define WC_MT_WASM_COMPONENT_LAYER "application/vnd.bytecodealliance.wasm.component.layer.v0+wasm"
#define WC_ACCEPT_MANIFESTS                                                                        \
    WC_MT_OCI_INDEX ", " WC_MT_OCI_MANIFEST ", " WC_MT_DOCKER_LIST ", " WC_MT_DOCKER_MANIFEST

typedef enum wc_manifest_kind {
    WC_KIND_MANIFEST,
    WC_KIND_INDEX,
} wc_manifest_kind;

typedef struct wc_descriptor {
    char *media_type;
    char *digest;
    uint64_t size;
} wc_descriptor;

typedef struct wc_manifest {
    wc_descriptor config;
    wc_descriptor *layers;
    size_t n_layers;
    char **annotations; /* key, value, ... */
} wc_manifest;

typedef struct wc_image_config {
    char *os, *arch, *user, *working_dir, *stop_signal;
    char **entrypoint, **cmd, **env;
    char **diff_ids;
} wc_image_config;

typedef struct wc_platform {
    const char *os, *arch, *variant; /* variant may be NULL */
} wc_platform;

/* Manifest or index? From the Content-Type the registry sent (may be NULL), else the body's
 * mediaType, else its shape. -EINVAL for anything else (naming what it is). */
int wc_manifest_kind_of(const char *content_type, const char *body, size_t len,
                        wc_manifest_kind *ret_kind, wc_error *err);

/* The host's linux platform (GOARCH names: amd64, arm64 + v8, arm + v7, ...). Static strings. */
wc_platform wc_platform_host(void);

/* Picks the manifest to pull from an index: wasi/wasm first (os wasi|wasip1|wasip2, arch
 * wasm|wasm32), then linux/<host arch> (matching variant preferred). On success fills *ret
 * (caller frees with wc_descriptor_clear) and, when ret_annotations is not NULL, the chosen
 * entry's annotations. -ENOENT listing the platforms the index has. */
int wc_index_choose(const char *body, size_t len, const wc_platform *host, wc_descriptor *ret,
                    char ***ret_annotations, wc_error *err);

int wc_manifest_parse(const char *body, size_t len, wc_manifest *ret, wc_error *err);
void wc_manifest_clear(wc_manifest *m);
void wc_descriptor_clear(wc_descriptor *d);

int wc_image_config_parse(const char *body, size_t len, wc_image_config *ret, wc_error *err);
void wc_image_config_clear(wc_image_config *c);

/* Which shape m is; for the wasm shapes *ret_module is the index of the module layer.
 * -ENOEXEC naming a layer media type that none of the shapes can use. */
int wc_manifest_shape(const wc_manifest *m, wc_image_shape *ret_shape, size_t *ret_module,
                      wc_error *err);

/* Config User → uid (-1 if not numeric) and username ("" if numeric or empty); malloc'd. */
void wc_user_split(const char *user, int64_t *ret_uid, char **ret_username);

#endif
