/* Containers: CreateContainer, StartContainer, StopContainer, RemoveContainer,
 * status and list, and the exits the zygote reports.
 *
 * Create, as a flat list of steps: the pod exists → (pod, name, attempt) is free →
 * the image is in the store → argv/env/working dir → CRI mounts → rootfs → the
 * module → write the record and the store's hold of what the container runs from (one
 * write) → publish → the module compiled by the zygote (module_compile.c;
 * an invalid one removes the container again and fails the create) → the worker made for
 * its start (container_start.c, as StartContainer). A stop of a container never started kills
 * that worker.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "container_view.h"
#include "ctr_user_file.h"
#include "fs.h"
#include "image.h"
#include "image_volumes.h"
#include "log.h"
#include "record.h"
#include "sandbox_int.h"
#include "stop_signal.h"
#include "strv.h"
#include "terminal.h"

#define STOP_WAIT_MS 10000
/* Longer than a start may take: the zygote answers within 30 s (zygote_client.c). */
#define START_WAIT_MS 60000

static int check_ctr_name_free(wc_sandbox *sb, const wc_container_spec *s, wc_error *err)
{
    const wc_container *c = sb_ctr_by_name(sb, s->pod_id, s->name, s->attempt);
    if (c)
        return wc_error_set(err, -EEXIST,
                            "container %s (attempt %u) already exists in pod %s as %s", s->name,
                            s->attempt, s->pod_id, c->id);
    return 0;
}

static int copy_metadata(wc_container *c, const wc_container_spec *s, const wc_pod *pod,
                         const wc_image *img, wc_error *err)
{
    char log[8192] = "";
    memcpy(c->pod_id, pod->id, WC_ID_SIZE);
    c->attempt = s->attempt;
    c->readonly_rootfs = s->readonly_rootfs;
    c->stdin = s->stdin;
    c->stdin_once = s->stdin && s->stdin_once;
    c->tty = s->tty;
    c->res = s->res;
    c->created_at = rec_now_ns();
    if (s->log_path && *s->log_path)
        TRY(wc_path(log, sizeof(log), err, "%s%s%s", pod->log_directory,
                    *pod->log_directory ? "/" : "", s->log_path));
    wc_strv_free(c->labels);
    wc_strv_free(c->annotations);
    c->labels = wc_strv_copy(s->labels);
    c->annotations = wc_strv_copy(s->annotations);
    if (!c->labels || !c->annotations || wc_container_set(&c->name, s->name) < 0 ||
        wc_container_set(&c->image, s->image) < 0 || wc_container_set(&c->image_ref, img->id) < 0 ||
        wc_container_set(&c->log_path, log) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    char *slash = strrchr(log, '/'); /* "name/0.log": kubelet makes name/, crictl does not */
    if (slash && slash != log) {
        *slash = '\0';
        return wc_mkdirs(log, 0755, err);
    }
    return 0;
}

static int find_image(wc_sandbox *sb, const char *name, wc_image **ret_img, wc_error *err)
{
    if (name == NULL || *name == '\0')
        return wc_error_set(err, -EINVAL, "the container config names no image");
    if (wc_image_lookup(sb->store, name, ret_img, NULL) == 0)
        return 0;
    return wc_error_set(err, -ENOENT, "image %s is not present: pull it first", name);
}

/* The store keeps what the container runs from (its rootfs snapshot, or the module
 * blob) even if the image is removed, until the container is: the hold is written with the
 * container's first record (sb_save_new_ctr). */
static int hold_image_content(wc_container *c, const wc_image *img, wc_error *err)
{
    const char *key = img->shape == WC_SHAPE_ROOTFS ? img->chain_id : img->wasm_entry;
    if (*key != '\0' && wc_container_set(&c->held, key) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    return 0;
}

static void release_image_content(wc_sandbox *sb, wc_container *c)
{
    if (*c->held)
        wc_store_release(sb->store, c->held, c->id, NULL);
    cv_image_volumes_release(sb->store, c);
}

/* After the last container of a removed image is removed, nothing lists what it ran
 * from: collect it now rather than at the next image removal or start. */
static bool image_removed(wc_sandbox *sb, const wc_container *c)
{
    wc_image *img = NULL;
    if (*c->held == '\0' || wc_store_image_get(sb->store, c->image_ref, &img, NULL) == 0) {
        wc_image_free(img);
        return false;
    }
    return true;
}

/* *ret_module_fd: the module's descriptor for its compile (-1: the toolbox). */
static int build_container(wc_sandbox *sb, const wc_container_spec *s, const wc_pod *pod,
                           wc_container *c, int *ret_module_fd, wc_error *err)
{
    __attribute__((cleanup(wc_image_freep))) wc_image *img = NULL;
    _cleanup_close_ int module_fd = -1;
    char dir[4096];
    TRY(find_image(sb, s->image, &img, err));
    TRY(copy_metadata(c, s, pod, img, err));
    TRY(cv_command(c, s, img, pod, err));
    TRY(cv_mounts(c, s, err));
    TRY(wc_stop_signal_choose(c, s, img, err));
    TRY(wc_path(dir, sizeof(dir), err, "%s/containers/%s", sb->root_dir, c->id)); /* it must fit */
    dir[strlen(dir) - WC_ID_LEN - 1] = '\0'; /* the record keeps <root>/containers */
    if (wc_container_set_shared(c, &c->dir_parent, dir) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    TRY(cv_image_volumes(sb->store, c, err)); /* before the module: it may be in one */
    TRY(cv_rootfs(sb->store, c, img, err));
    TRY(cv_user(sb->store, c, s, img, err));
    TRY(cv_module(sb->store, c, img, sb->toolbox, &module_fd, err));
    TRY(hold_image_content(c, img, err));
    *ret_module_fd = take_fd(module_fd);
    return 0;
}

/* The steps of create, mu held: *c is packed and published when they all succeed. */
static int create_locked(wc_sandbox *sb, const wc_container_spec *s, wc_container **cp,
                         int *ret_module_fd, wc_error *err)
{
    wc_container *c = *cp;
    wc_pod *pod = NULL;
    _cleanup_close_ int module_fd = -1;
    TRY(sb_find_pod(sb, s->pod_id, &pod, err));
    if (pod->reclaims)
        return wc_error_set(err, -EBUSY, "pod %s is being stopped or removed", pod->id);
    wc_container_spec resolved = *s;
    resolved.pod_id = pod->id;
    TRY(check_ctr_name_free(sb, &resolved, err));
    TRY(build_container(sb, &resolved, pod, c, &module_fd, err));
    if (sb_module_key_known(sb, c) < 0 || (c = wc_container_pack(c)) == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    *cp = c;
    if (sb_add_ctr(sb, c) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    int rc = sb_save_new_ctr(sb, c, err);
    if (rc < 0) {
        sb_drop_ctr(sb, c);
        return rc;
    }
    sb_emit(sb, WC_EVENT_CREATED, c);
    *ret_module_fd = take_fd(module_fd);
    return 0;
}

int wc_container_create(wc_sandbox *sb, const wc_container_spec *s, char ret_id[WC_ID_SIZE],
                        wc_error *err)
{
    if (s->name == NULL || *s->name == '\0')
        return wc_error_set(err, -EINVAL, "the container config has no metadata.name");
    wc_container *c = wc_container_new();
    if (c == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    int module_fd = -1;
    pthread_mutex_lock(&sb->mu);
    int rc = create_locked(sb, s, &c, &module_fd, err);
    if (rc == 0) {
        memcpy(ret_id, c->id, WC_ID_SIZE);
    } else {
        cv_release(c, NULL);
        release_image_content(sb, c);
        wc_container_free(c);
    }
    pthread_mutex_unlock(&sb->mu);
    if (rc == 0 &&
        sb_compile_module(sb, ret_id, module_fd, err) < 0) { /* an invalid module: no container */
        rc = err->code;
        wc_container_remove(sb, ret_id, NULL);
    }
    if (rc == 0)
        sb_create_worker(sb, ret_id);
    return rc;
}

/* ---- stop and remove ---- */

static int kill_worker(wc_sandbox *sb, const char *id, wc_error *err)
{
    return sb_zygote_op(sb, "kill", id, NULL, err);
}

/* Waits (mu held) until the container no longer runs. */
static int wait_not_running(wc_sandbox *sb, const char *id, wc_error *err)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += STOP_WAIT_MS / 1000;
    for (;;) {
        wc_container *c = NULL;
        if (sb_find_ctr(sb, id, &c, NULL) < 0)
            return 0;
        if (c->state != WC_CTR_RUNNING)
            return 0;
        if (pthread_cond_timedwait(&sb->changed, &sb->mu, &deadline) != 0)
            return wc_error_set(err, -ETIMEDOUT, "container %s did not stop within %d ms", id,
                                STOP_WAIT_MS);
    }
}

int sb_wait_start_outcome(wc_sandbox *sb, const char *id, wc_error *err)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += START_WAIT_MS / 1000;
    for (bool told = false;; told = true) {
        wc_container *c = NULL;
        TRY(sb_find_ctr(sb, id, &c, err));
        if (!c->starting)
            return 0;
        if (!told)
            wc_info("sandbox", "container %s: the stop waits for its start in flight", c->id);
        if (pthread_cond_timedwait(&sb->changed, &sb->mu, &deadline) != 0)
            return wc_error_set(err, -ETIMEDOUT, "container %s was still starting after %d s", id,
                                START_WAIT_MS / 1000);
    }
}

/* The full id of container id, and whether it runs once no start of it is in flight (one
 * that never started never will: *ret_created, it may have a worker made at create); mu held. */
static int find_live(wc_sandbox *sb, const char *id, char cid[WC_ID_SIZE], bool *ret_live,
                     bool *ret_created, wc_error *err)
{
    wc_container *c = NULL;
    TRY(sb_wait_start_outcome(sb, id, err));
    TRY(sb_find_ctr(sb, id, &c, err));
    memcpy(cid, c->id, WC_ID_SIZE);
    *ret_created = c->state == WC_CTR_CREATED;
    if (*ret_created) {
        c->stopped = true;
        c->worker_created = false;
    }
    *ret_live = c->state == WC_CTR_RUNNING;
    return 0;
}

int wc_container_stop(wc_sandbox *sb, const char *id, wc_error *err)
{
    char cid[WC_ID_SIZE];
    bool live = false, created = false;
    pthread_mutex_lock(&sb->mu);
    int rc = find_live(sb, id, cid, &live, &created, err);
    pthread_mutex_unlock(&sb->mu);
    if (rc == -ENOENT) /* removed: nothing left to stop */
        return 0;
    if (rc == 0 && created) /* the worker made at create, if the zygote holds one (even one a */
        kill_worker(sb, cid, NULL); /* daemon before this one had it make): it never runs */
    if (rc < 0 || !live)
        return rc;
    TRY(kill_worker(sb, cid, err));
    pthread_mutex_lock(&sb->mu);
    rc = wait_not_running(sb, cid, err);
    pthread_mutex_unlock(&sb->mu);
    return rc;
}

static void ack_exit(wc_sandbox *sb, const char *id)
{
    json_t *ack = json_pack("{s:s, s:s}", "op", "ack", "id", id);
    if (ack && sb->zygote)
        zc_send(sb->zygote, ack, NULL);
    json_decref(ack);
}

/* Removes a stopped container: its rootfs mount, cgroup, record and what it holds in
 * the store. cid gets its full id; *ret_collect says the store has garbage. mu held. */
static int remove_locked(wc_sandbox *sb, const char *id, char cid[WC_ID_SIZE], bool *ret_collect,
                         wc_error *err)
{
    wc_container *c = NULL;
    TRY(sb_find_ctr(sb, id, &c, err));
    if (c->state == WC_CTR_RUNNING || c->starting)
        return wc_error_set(err, -EBUSY, "container %s was started again while being removed", id);
    TRY(cv_release(c, err));
    sb_cgroup_remove(sb, c);
    sb_ctr_user_remove(sb, c);
    wc_pod *pod = NULL;
    char dir[4096];
    if (c->tty && sb_find_pod(sb, c->pod_id, &pod, NULL) == 0)
        sb_tty_remove(wc_pod_dir(pod, dir, sizeof(dir)), c->id);
    memcpy(cid, c->id, WC_ID_SIZE);
    char key[80];
    snprintf(key, sizeof(key), "ctr/%s", c->id);
    TRY(wc_store_kv_delete(sb->store, key, err));
    release_image_content(sb, c);
    *ret_collect = image_removed(sb, c);
    sb_emit(sb, WC_EVENT_DELETED, c);
    sb_drop_ctr(sb, c);
    sb_bury_ctr(sb, c);
    pthread_cond_broadcast(&sb->changed);
    return 0;
}

int wc_container_remove(wc_sandbox *sb, const char *id, wc_error *err)
{
    char cid[WC_ID_SIZE];
    bool collect = false;
    TRY(wc_container_stop(sb, id, err));
    pthread_mutex_lock(&sb->mu);
    int rc = remove_locked(sb, id, cid, &collect, err);
    pthread_mutex_unlock(&sb->mu);
    if (rc == -ENOENT) /* removed meanwhile */
        return 0;
    TRY(rc);
    ack_exit(sb, cid);
    wc_error gc_err = {0};
    if (collect && wc_store_gc(sb->store, &gc_err) < 0)
        wc_warn("sandbox", "collect what removed container %s held: %s", cid, gc_err.msg);
    return 0;
}

/* ---- status and list ---- */

static int copy_ctr(wc_sandbox *sb, const char *id, wc_container **ret_ctr, wc_error *err)
{
    wc_container *c = NULL;
    TRY(sb_find_ctr(sb, id, &c, err));
    *ret_ctr = wc_container_copy(c);
    return *ret_ctr ? 0 : wc_error_set(err, -ENOMEM, "out of memory");
}

int wc_container_get(wc_sandbox *sb, const char *id, wc_container **ret_ctr, wc_error *err)
{
    pthread_mutex_lock(&sb->mu);
    int rc = copy_ctr(sb, id, ret_ctr, err);
    pthread_mutex_unlock(&sb->mu);
    return rc;
}

bool sb_ctr_matches(const wc_container *c, const wc_container_filter *f)
{
    if (f == NULL)
        return true;
    if (f->id && *f->id && strncmp(c->id, f->id, strlen(f->id)) != 0)
        return false;
    if (f->pod_id && *f->pod_id && strncmp(c->pod_id, f->pod_id, strlen(f->pod_id)) != 0)
        return false;
    if (f->state >= 0 && (int)c->state != f->state)
        return false;
    return rec_map_matches(c->labels, f->labels);
}

wc_container *const *sb_ctrs_for(wc_sandbox *sb, const wc_container_filter *f, size_t *ret_n)
{
    if (f && f->pod_id && strlen(f->pod_id) == WC_ID_LEN) {
        const sb_ctr_set *set = sb_pod_ctrs(sb, f->pod_id);
        *ret_n = set ? set->n : 0;
        return set ? set->items : NULL;
    }
    *ret_n = sb->n_ctrs;
    return sb->ctrs;
}

int wc_container_each(wc_sandbox *sb, const wc_container_filter *f, wc_container_fn fn, void *ctx)
{
    pthread_mutex_lock(&sb->mu);
    size_t n = 0;
    wc_container *const *items = sb_ctrs_for(sb, f, &n);
    int rc = 0;
    for (size_t i = 0; rc >= 0 && i < n; i++)
        if (sb_ctr_matches(items[i], f))
            rc = fn(ctx, items[i]);
    pthread_mutex_unlock(&sb->mu);
    return rc < 0 ? rc : 0;
}

int wc_container_with(wc_sandbox *sb, const char *id, wc_container_fn fn, void *ctx, wc_error *err)
{
    pthread_mutex_lock(&sb->mu);
    wc_container *c = NULL;
    int rc = sb_find_ctr(sb, id, &c, err);
    if (rc == 0)
        rc = fn(ctx, c);
    pthread_mutex_unlock(&sb->mu);
    return rc;
}

typedef struct ctr_copies {
    wc_container **items;
    size_t n, cap;
} ctr_copies;

static int copy_listed_ctr(void *ctx, const wc_container *c)
{
    ctr_copies *out = ctx;
    if (sb_reserve((void ***)&out->items, &out->cap, out->n + 1) < 0)
        return -ENOMEM;
    out->items[out->n] = wc_container_copy(c);
    return out->items[out->n++] ? 0 : -ENOMEM;
}

int wc_container_list(wc_sandbox *sb, const wc_container_filter *f, wc_container ***ret_ctrs,
                      size_t *ret_n, wc_error *err)
{
    ctr_copies out = {0};
    if (sb_reserve((void ***)&out.items, &out.cap, 0) < 0 ||
        wc_container_each(sb, f, copy_listed_ctr, &out) < 0) {
        wc_container_list_free(out.items, out.n);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    *ret_ctrs = out.items;
    *ret_n = out.n;
    return 0;
}

char **sb_pod_ctr_ids(wc_sandbox *sb, const char *pod_id)
{
    const sb_ctr_set *set = sb_pod_ctrs(sb, pod_id);
    char **ids = calloc(1, sizeof(char *));
    for (size_t i = 0; ids && set && i < set->n; i++)
        if (wc_strv_push(&ids, set->items[i]->id) < 0) {
            wc_strv_free(ids);
            return NULL;
        }
    return ids;
}
