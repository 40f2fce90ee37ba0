/* Image volumes (the CRI's Mount.image and image_sub_path): the content of a pulled image
 * mounted read-only into a container, e.g. a wasm module, a model or a data set shipped as an
 * OCI artifact.
 *
 * A rootfs image is its top snapshot (the store's unpacked layers, shared with every
 * container of that image), or the directory image_sub_path names inside it (resolved
 * beneath it: no link leads out; a path that is not there fails CreateContainer). A wasm
 * artifact or runwasi image is its module blob, shown as a directory holding one file,
 * module.wasm (a hard link to the blob, in the container's own directory); image_sub_path may
 * then only be "" or "module.wasm". What a volume shows is held in the store for the
 * container (holder "<container id>/<mount index>") until RemoveContainer, so RemoveImage of
 * the image removes its record but not what a running container reads.
 */
#ifndef WASMCRI_SANDBOX_IMAGE_VOLUMES_H
#define WASMCRI_SANDBOX_IMAGE_VOLUMES_H

#include "container.h"
#include "error.h"
#include "store.h"

#define WC_IMAGE_VOLUME_MODULE "module.wasm"

/* Sets the host side of c's image mounts (c->dir_parent set) and holds what they show; on failure
 * what was held so far stays recorded in the mounts for cv_image_volumes_release. -ENOENT
 * for an image not pulled or a sub-path not in it, -EINVAL for a sub-path that leaves it. */
int cv_image_volumes(wc_store *store, wc_container *c, wc_error *err);

/* Releases what c's image mounts hold. */
void cv_image_volumes_release(wc_store *store, const wc_container *c);

#endif
