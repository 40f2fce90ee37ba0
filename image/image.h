/* wasmcri's image library: pull an image from a registry into the store, and find a stored
 * image by any name a user would type. No gRPC here: cri/image_service.c translates.
 *
 * A pull: parse and normalise the reference; try each mirror of its registry in order, then
 * the registry; resolve tag → manifest (choosing wasi/wasm, else linux/<host arch>, from an
 * index); fetch config and layers in parallel, each verified by sha256 while streaming, with
 * retries and resume; unpack tar layers into chain-ID snapshots; record the image in one
 * write batch. Progress goes to a callback, never to a log.
 *
 * What CreateContainer needs from an image (wc_image_lookup, then by shape):
 *   WC_SHAPE_ROOTFS  the rootfs is wc_store_snapshot_path(chain_id), read-only and shared;
 *                    the module is wasm_entry inside it ("" = nothing wasm to run), to be
 *                    resolved inside the rootfs (openat2 RESOLVE_IN_ROOT: absolute symlinks
 *                    in images are rooted there, never on the host);
 *   WC_SHAPE_WASM_*  the module is the blob wc_store_blob_path(wasm_entry).
 * A container holds what it uses with wc_store_hold(key, container id) so removing the
 * image (or a restart's GC) keeps it until wc_store_release.
 */
#ifndef WASMCRI_IMAGE_IMAGE_H
#define WASMCRI_IMAGE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "error.h"
#include "store.h"

/* Credentials for one pull (CRI AuthConfig). Any field may be NULL or "". */
typedef struct wc_credentials {
    const char *username, *password;
    const char *auth;           /* base64 "username:password" */
    const char *identity_token; /* OAuth2 refresh token for the Bearer token service */
    const char *registry_token; /* a Bearer token used as is */
} wc_credentials;

/* Per-registry settings (the config's registries[]). Strings borrowed. */
typedef struct wc_registry_conf {
    const char *host;                 /* "docker.io", "127.0.0.1:5000" */
    const char *const *mirrors;       /* NULL-terminated, tried in order before host; may be NULL;
                                         each "host[:port]" or with an http:// or https:// scheme */
    bool insecure;                    /* plain HTTP or unverified TLS (host and mirrors) */
    const char *ca_file;              /* PEM CA bundle to verify the registry's certificate */
    const char *cert_file, *key_file; /* TLS client certificate */
    const char *username, *password;  /* used when the request brings no credentials */
} wc_registry_conf;

typedef struct wc_pull_progress {
    const char *ref;
    uint64_t done, total; /* bytes of blobs fetched so far / to fetch */
    double rate;          /* bytes per second since the pull started */
    bool finished;
} wc_pull_progress;

typedef struct wc_pull_opts {
    const wc_registry_conf *registries; /* borrowed */
    size_t n_registries;
    wc_credentials creds;
    /* Called about once a second and once at the end, from any pull thread. */
    void (*progress)(void *ctx, const wc_pull_progress *p);
    /* Things the daemon should log (device nodes skipped, setuid bits stripped). */
    void (*notice)(void *ctx, const char *ref, const char *msg);
    /* Polled during transfers; true cancels the pull with -ECANCELED. */
    bool (*cancelled)(void *ctx);
    void *ctx;
    unsigned parallel;     /* layer downloads at once; 0 → 4 */
    wc_unpack_conf unpack; /* per-layer limits (config.h); a 0 field → its default */
} wc_pull_opts;

/* Pulls ref into s. *ret_id: the image id ("sha256:..." of the config), malloc'd.
 * Errors: -EINVAL bad reference, -ENOENT not in the registry (or no usable platform),
 * -EACCES auth, -ECONNREFUSED/-EHOSTUNREACH/-EAGAIN unreachable, -EILSEQ corrupt blob,
 * -EPERM hostile layer, -ECANCELED cancelled. */
int wc_image_pull(wc_store *s, const char *ref, const wc_pull_opts *opts, char **ret_id,
                  wc_error *err);

/* Finds a stored image by id, short id, or any reference (normalised: "busybox" finds
 * docker.io/library/busybox:latest). -ENOENT. */
int wc_image_lookup(wc_store *s, const char *name, wc_image **ret_img, wc_error *err);

#endif
