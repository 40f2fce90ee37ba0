/* The record of a pulled image: names, size, user, annotations, shape and what would run.
 * For a rootfs image "what would run" is the entrypoint (else the first Cmd) when it is a
 * wasm module inside the rootfs (by its magic bytes, opened without leaving the rootfs); an
 * image with nothing wasm in it records "" and still pulls.
 */
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "cleanup.h"
#include "fs.h"
#include "pull_int.h"
#include "strv.h"

#define VARIANT_ANNOTATION "module.wasm.image/variant"

static bool has_wasm_magic(const char *rootfs, const char *path)
{
    _cleanup_close_ int root = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return false;
    struct open_how how = {.flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};
    _cleanup_close_ int fd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
    unsigned char magic[4];
    return fd >= 0 && read(fd, magic, 4) == 4 && memcmp(magic, "\0asm", 4) == 0;
}

static char *rootfs_entry(pull *p, const char *chain_id)
{
    const char *entry = p->cfg.entrypoint[0] ? p->cfg.entrypoint[0] : p->cfg.cmd[0];
    if (entry == NULL)
        return strdup("");
    char rootfs[PATH_MAX], path[PATH_MAX];
    bool relative = entry[0] != '/' && p->cfg.working_dir[0] != '\0';
    if (wc_path(path, sizeof(path), NULL, "%s%s%s", relative ? p->cfg.working_dir : "",
                relative ? "/" : "", entry) < 0)
        return strdup(""); /* no such file in the rootfs */
    if (wc_store_snapshot_path(p->s, chain_id, rootfs, sizeof(rootfs)) == 0 &&
        has_wasm_magic(rootfs, path))
        return strdup(path);
    return strdup("");
}

static const char *annotation(char *const *kv, const char *key)
{
    for (; kv && kv[0] && kv[1]; kv += 2)
        if (strcmp(kv[0], key) == 0)
            return kv[1];
    return NULL;
}

static int names(pull *p, wc_image *img)
{
    _cleanup_free_ char *name = wc_ref_name(&p->ref);
    char *s = NULL;
    if (name == NULL)
        return -ENOMEM;
    if (p->ref.tag != NULL) {
        if (asprintf(&s, "%s:%s", name, p->ref.tag) < 0 || wc_strv_push(&img->repo_tags, s) < 0)
            return free(s), -ENOMEM;
        free(s);
    }
    if (asprintf(&s, "%s@%s", name, p->top_digest) < 0 || wc_strv_push(&img->repo_digests, s) < 0)
        return free(s), -ENOMEM;
    free(s);
    return 0;
}

static int fill(pull *p, wc_image *img, wc_image_shape shape, size_t module, char **chain_ids)
{
    size_t n = wc_strv_len(chain_ids);
    img->id = strdup(p->m.config.digest);
    img->size = p->blob_bytes;
    wc_user_split(p->cfg.user, &img->uid, &img->username);
    img->user = strdup(p->cfg.user);
    wc_strv_builder ann = {0};
    for (char **kv = p->index_annotations; kv && kv[0]; kv++)
        if (wc_strv_builder_add(&ann, *kv) < 0)
            return wc_strv_builder_clear(&ann), -ENOMEM;
    for (char **kv = p->m.annotations; kv[0] && kv[1]; kv += 2)
        if (wc_strv_builder_add(&ann, kv[0]) < 0 || wc_strv_builder_add(&ann, kv[1]) < 0)
            return wc_strv_builder_clear(&ann), -ENOMEM;
    img->annotations = wc_strv_builder_take(&ann);
    const char *variant = annotation(img->annotations, VARIANT_ANNOTATION);
    img->shape = shape;
    img->variant = strdup(variant ? variant : "");
    img->os = strdup(p->cfg.os);
    img->arch = strdup(p->cfg.arch);
    if (shape == WC_SHAPE_ROOTFS)
        img->wasm_entry = n ? rootfs_entry(p, chain_ids[n - 1]) : strdup("");
    else
        img->wasm_entry = strdup(p->m.layers[module].digest);
    img->entrypoint = wc_strv_copy(p->cfg.entrypoint);
    img->cmd = wc_strv_copy(p->cfg.cmd);
    img->env = wc_strv_copy(p->cfg.env);
    img->working_dir = strdup(p->cfg.working_dir);
    img->stop_signal = strdup(p->cfg.stop_signal);
    img->chain_id = strdup(n ? chain_ids[n - 1] : "");
    img->snapshots = wc_strv_copy(chain_ids);
    img->blobs = wc_strv_copy(NULL);
    img->repo_tags = wc_strv_copy(NULL);
    img->repo_digests = wc_strv_copy(NULL);
    if (!img->id || !img->username || !img->user || !img->annotations || !img->variant ||
        !img->os || !img->arch || !img->wasm_entry || !img->entrypoint || !img->cmd || !img->env ||
        !img->working_dir || !img->stop_signal || !img->chain_id || !img->snapshots ||
        !img->blobs || !img->repo_tags || !img->repo_digests)
        return -ENOMEM;
    /* The image holds its manifests (index too), config and layers. */
    for (char **d = p->manifests; d && *d; d++)
        if (wc_strv_push_unique(&img->blobs, *d) < 0)
            return -ENOMEM;
    if (wc_strv_push_unique(&img->blobs, p->m.config.digest) < 0)
        return -ENOMEM;
    for (size_t i = 0; i < p->m.n_layers; i++)
        if (wc_strv_push_unique(&img->blobs, p->m.layers[i].digest) < 0)
            return -ENOMEM;
    return names(p, img);
}

int pull_record(pull *p, wc_image_shape shape, size_t module, char **chain_ids, wc_image **ret_img,
                wc_error *err)
{
    wc_image *img = calloc(1, sizeof(*img));
    if (img == NULL || fill(p, img, shape, module, chain_ids) < 0) {
        wc_image_free(img);
        return wc_error_set(err, -ENOMEM, "record %s: out of memory", p->ref_str);
    }
    *ret_img = img;
    return 0;
}
