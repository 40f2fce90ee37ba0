/* Image references, normalised as Docker and containerd do:
 *   busybox                  → docker.io/library/busybox:latest
 *   host:5000/a/b            → host:5000/a/b:latest
 *   x@sha256:<hex>           → docker.io/library/x@sha256:<hex> (no tag added)
 */
#ifndef WASMCRI_IMAGE_REFERENCE_H
#define WASMCRI_IMAGE_REFERENCE_H

#include "error.h"

typedef struct wc_ref {
    char *domain; /* "docker.io", "127.0.0.1:5000" */
    char *path;   /* "library/busybox" */
    char *tag;    /* "latest"; NULL when the reference has a digest and no tag */
    char *digest; /* "sha256:<hex>" or NULL */
} wc_ref;

/* Parses and normalises s into *ret (owned by the caller, free with wc_ref_clear).
 * -EINVAL naming s and what is wrong with it. */
int wc_ref_parse(const char *s, wc_ref *ret, wc_error *err);
void wc_ref_clear(wc_ref *r);

/* "domain/path" (malloc'd). */
char *wc_ref_name(const wc_ref *r);
/* The canonical reference: "domain/path:tag", "domain/path@digest" or both (malloc'd). */
char *wc_ref_string(const wc_ref *r);
/* What to ask the registry for: the digest when there is one, else the tag (borrowed). */
const char *wc_ref_object(const wc_ref *r);

#endif
