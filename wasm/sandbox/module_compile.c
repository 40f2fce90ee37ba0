/* CreateContainer's compile of the container's module, off the start path (issue 14): the
 * zygote compiles it in the background of its loop (wasm/zygote/compile_jobs.h) and this
 * thread asks, every few milliseconds, how it is going (the request channel is never held
 * while the compile runs), so an invalid module fails CreateContainer, and StartContainer of a
 * module the zygote holds compiles nothing. A module from an image is keyed by its content
 * first (module_key.c). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "container_view.h"
#include "sandbox_int.h"

/* How long create waits for a compile before it lets the start compile instead. */
#define COMPILE_WAIT_MS 120000
/* The longest pause between two asks: a module found ready up to this late delays its create or
 * pull as much (each ask is a short request on the zygote's loop, between two slices: a 21 MB
 * module's validation, ~30 ms on two threads, takes ~10 of them, its compile ~80). */
#define POLL_MAX_MS 4

/* The module's cache key and name, taken under mu. */
static int module_of(wc_sandbox *sb, const char *cid, char **ret_key, char **ret_name,
                     wc_error *err)
{
    wc_container *c = NULL;
    TRY(sb_find_ctr(sb, cid, &c, err));
    *ret_key = strdup(c->module_key);
    *ret_name = strdup(c->argv[0]);
    if (*ret_key == NULL || *ret_name == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    return 0;
}

static int ask(wc_sandbox *sb, const char *key, const char *name, int fd, bool *ret_ready,
               wc_error *err)
{
    json_auto_t *req = json_pack("{s:s, s:s, s:s}", "op", "compile", "key", key, "name", name);
    json_auto_t *reply = NULL;
    if (req == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    TRY(zc_request(sb->zygote, req, fd >= 0 ? &fd : NULL, fd >= 0 ? 1 : 0, &reply, err));
    *ret_ready = strcmp(json_string_value(json_object_get(reply, "state")) ?: "", "compiling") != 0;
    return 0;
}

/* A module in an image's snapshot is keyed by its content from now on (module_key.c): the
 * container's key becomes its digest, in its record too, so its start asks for that. */
static int key_by_content(wc_sandbox *sb, const char *cid, int fd, char **key, wc_error *err)
{
    char digest[WC_DIGEST_STR_LEN + 1];
    TRY(sb_module_content_key(sb, fd, *key, digest, err));
    char *copy = strdup(digest);
    if (copy == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    free(*key);
    *key = copy;
    wc_container *c = NULL;
    pthread_mutex_lock(&sb->mu);
    int rc = sb_find_ctr(sb, cid, &c, err);
    if (rc == 0 && wc_container_set_shared(c, &c->module_key, digest) < 0)
        rc = wc_error_set(err, -ENOMEM, "out of memory");
    if (rc == 0)
        rc = sb_save_ctr(sb, c, err);
    pthread_mutex_unlock(&sb->mu);
    return rc;
}

int sb_compile_wait(wc_sandbox *sb, const char *key, const char *name, int fd, wc_error *err)
{
    bool ready = false;
    int rc = ask(sb, key, name, fd, &ready, err);
    for (long waited = 0, step = 1; rc == 0 && !ready && waited < COMPILE_WAIT_MS; waited += step) {
        nanosleep(&(struct timespec){.tv_nsec = step * 1000000L}, NULL);
        step = step * 2 > POLL_MAX_MS ? POLL_MAX_MS : step * 2;
        rc = ask(sb, key, name, -1, &ready, err);
    }
    return rc;
}

int sb_compile_module(wc_sandbox *sb, const char *cid, int module_fd, wc_error *err)
{
    _cleanup_close_ int fd = module_fd;
    _cleanup_free_ char *key = NULL, *name = NULL;
    if (fd < 0) /* the built-in toolbox */
        return 0;
    pthread_mutex_lock(&sb->mu);
    int rc = module_of(sb, cid, &key, &name, err);
    pthread_mutex_unlock(&sb->mu);
    if (rc == 0 && strncmp(key, "image:", 6) == 0)
        rc = key_by_content(sb, cid, fd, &key, err);
    if (rc < 0 || sb->zygote == NULL) /* no zygote yet: the start compiles it */
        return rc;
    rc = sb_compile_wait(sb, key, name, fd, err);
    if (rc == -ENOEXEC || rc == -E2BIG) /* the module's fault: create fails */
        return wc_error_wrap(err, "the container's module cannot run"), rc;
    return 0; /* else: no zygote now, or it failed for its own reasons: the start compiles it */
}
