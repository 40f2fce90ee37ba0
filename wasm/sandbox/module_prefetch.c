/* A pulled image's module compiled before any container of it is created (issue 14): at the end
 * of PullImage, the module a container of the image runs by default (its entrypoint's .wasm in
 * the rootfs, or the artifact's module blob) goes to the zygote's background compile
 * (wasm/zygote/compile_jobs.h) under its content key (module_key.c), as CreateContainer's does,
 * and the pull answers once it is compiled (a few hundred ms for 20 MB; a pull's own thread waits,
 * never the zygote's loop). CreateContainer of the image then finds the module compiled and
 * StartContainer compiles nothing. Waiting, the pulls themselves bound the zygote's queue (kubelet
 * pulls one image at a time by default) and the compiled module is there when the pull answers.
 *
 * An invalid module does not fail the pull: the image is what the registry holds, verified, and
 * which module runs depends on the container's command. The zygote keeps the outcome, and
 * CreateContainer fails naming the problem (kubelet: CreateContainerError with the message),
 * where a failed pull would be retried with back-off forever (ErrImagePull, ImagePullBackOff)
 * for an image that will not change. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "container_view.h"
#include "image.h"
#include "sandbox_int.h"

/* The image's default module: its descriptor, cache key and name (for messages). */
static int default_module(wc_sandbox *sb, const char *image, int *ret_fd, char **ret_key,
                          char **ret_name, wc_error *err)
{
    __attribute__((cleanup(wc_image_freep))) wc_image *img = NULL;
    __attribute__((cleanup(wc_container_freep))) wc_container *c = wc_container_new();
    if (c == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    TRY(wc_image_lookup(sb->store, image, &img, err));
    c->readonly_rootfs = true; /* the snapshot itself as "/": nothing is made for this look */
    if (wc_container_set(&c->image, image) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    TRY(cv_image_command(c, img, err));
    TRY(cv_rootfs(sb->store, c, img, err));
    TRY(cv_module(sb->store, c, img, sb->toolbox, NULL, err));
    worker_spec spec = {.module_name = c->argv[0]};
    TRY(cv_open_start_module(c, &spec, ret_fd, err));
    *ret_key = strdup(spec.module_key ? spec.module_key : c->module_key);
    *ret_name = strdup(c->argv[0]);
    free(spec.module_key);
    if (*ret_key == NULL || *ret_name == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    return 0;
}

int wc_sandbox_prefetch_module(wc_sandbox *sb, const char *image, wc_error *err)
{
    _cleanup_close_ int fd = -1;
    _cleanup_free_ char *key = NULL, *name = NULL;
    if (sb->zygote == NULL) /* none yet: the create compiles it */
        return 0;
    TRY(default_module(sb, image, &fd, &key, &name, err));
    char digest[WC_DIGEST_STR_LEN + 1];
    if (strncmp(key, "image:", 6) == 0) { /* a rootfs's module: by its content, as create does */
        TRY(sb_module_content_key(sb, fd, key, digest, err));
        free(key);
        key = strdup(digest);
        if (key == NULL)
            return wc_error_set(err, -ENOMEM, "out of memory");
    }
    return sb_compile_wait(sb, key, name, fd, err);
}
