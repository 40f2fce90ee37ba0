/* Image volumes: a pulled image's content as a read-only mount (see image_volumes.h). */
#include "image_volumes.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs.h"
#include "image.h"

static void holder_of(const wc_container *c, size_t i, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%zu", c->id, i);
}

/* The real path of sub beneath root (links resolved inside root). */
static int resolve_beneath(const char *root, const char *sub, char *out, size_t n,
                           const wc_mount *m, wc_error *err)
{
    _cleanup_close_ int dfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return wc_error_set_errno(err, -errno, "mount %s: open %s", m->container_path, root);
    struct open_how how = {.flags = O_PATH | O_CLOEXEC,
                           .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    while (*sub == '/')
        sub++;
    _cleanup_close_ int fd = (int)syscall(SYS_openat2, dfd, *sub ? sub : ".", &how, sizeof(how));
    if (fd < 0)
        return wc_error_set(err, -ENOENT, "mount %s: image_sub_path \"%s\" is not in image %s",
                            m->container_path, m->image_sub_path, m->image);
    char link[64];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t len = readlink(link, out, n - 1);
    if (len < 0 || (size_t)len >= n - 1)
        return wc_error_set_errno(err, len < 0 ? -errno : -ENAMETOOLONG, "mount %s: resolve %s",
                                  m->container_path, sub);
    out[len] = '\0';
    return 0;
}

/* A module blob as <c's dir>/volumes/<i>/module.wasm. */
static int module_dir(wc_store *store, const wc_container *c, size_t i, const wc_image *img,
                      char *out, size_t n, wc_error *err)
{
    const wc_mount *m = &c->mounts[i];
    if (*m->image_sub_path && strcmp(m->image_sub_path, WC_IMAGE_VOLUME_MODULE) != 0)
        return wc_error_set(err, -ENOENT,
                            "mount %s: image_sub_path \"%s\" is not in image %s (a wasm module "
                            "image shows one file, %s)",
                            m->container_path, m->image_sub_path, m->image, WC_IMAGE_VOLUME_MODULE);
    char blob[4096], file[4096 + 32], dir[4096];
    if (wc_store_blob_path(store, img->wasm_entry, blob, sizeof(blob)) < 0)
        return wc_error_set(err, -ENOENT, "mount %s: image %s has no module blob",
                            m->container_path, m->image);
    TRY(wc_path(out, n, err, "%s/volumes/%zu", wc_container_dir(c, dir, sizeof(dir)), i));
    TRY(wc_mkdirs(out, 0755, err));
    snprintf(file, sizeof(file), "%s/%s", out, WC_IMAGE_VOLUME_MODULE);
    if (link(blob, file) < 0 && errno != EEXIST)
        return wc_error_set_errno(err, -errno, "mount %s: link %s", m->container_path, file);
    if (*m->image_sub_path) /* the file itself */
        return wc_path(out, n, err, "%s", file);
    return 0;
}

static int volume(wc_store *store, wc_container *c, size_t i, wc_error *err)
{
    wc_mount *m = &c->mounts[i];
    __attribute__((cleanup(wc_image_freep))) wc_image *img = NULL;
    if (wc_image_lookup(store, m->image, &img, NULL) < 0)
        return wc_error_set(err, -ENOENT, "mount %s: image %s is not present: pull it first",
                            m->container_path, m->image);
    const char *key = img->shape == WC_SHAPE_ROOTFS ? img->chain_id : img->wasm_entry;
    if (*key == '\0')
        return wc_error_set(err, -ENOENT, "mount %s: image %s has no content to mount",
                            m->container_path, m->image);
    char holder[WC_ID_SIZE + 24], path[4096], root[4096];
    holder_of(c, i, holder, sizeof(holder));
    TRY(wc_store_hold(store, key, holder, err));
    if (wc_container_set(&m->image_key, key) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    if (img->shape == WC_SHAPE_ROOTFS) {
        if (wc_store_snapshot_path(store, key, root, sizeof(root)) < 0)
            return wc_error_set(err, -ENOENT, "mount %s: no snapshot for %s", m->container_path,
                                key);
        TRY(resolve_beneath(root, m->image_sub_path, path, sizeof(path), m, err));
    } else {
        TRY(module_dir(store, c, i, img, path, sizeof(path), err));
    }
    return wc_container_set(&m->host_path, path) < 0 ? wc_error_set(err, -ENOMEM, "out of memory")
                                                     : 0;
}

int cv_image_volumes(wc_store *store, wc_container *c, wc_error *err)
{
    for (size_t i = 0; i < c->n_mounts; i++)
        if (*c->mounts[i].image)
            TRY(volume(store, c, i, err));
    return 0;
}

void cv_image_volumes_release(wc_store *store, const wc_container *c)
{
    char holder[WC_ID_SIZE + 24];
    for (size_t i = 0; i < c->n_mounts; i++) {
        if (*c->mounts[i].image_key == '\0')
            continue;
        holder_of(c, i, holder, sizeof(holder));
        wc_store_release(store, c->mounts[i].image_key, holder, NULL);
    }
}
