/* wc_sandbox lifetime and the helpers its registries share: open (directories,
 * records loaded from the store), close, id lookup, directory making and removal.
 * Pods are in pod_registry.c; containers in container_registry.c.
 */
#include "sandbox_int.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "strv.h"

int sb_reserve(void ***arr, size_t *cap, size_t n)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 2; /* most pods have one or two containers */
    void **grown = realloc(*arr, ncap * sizeof(void *));
    if (grown == NULL)
        return -ENOMEM;
    *arr = grown;
    *cap = ncap;
    return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    int rc = flag == FTW_DP ? rmdir(path) : unlink(path);
    return rc < 0 && errno != ENOENT ? -errno : 0;
}

int sb_rmtree(const char *path, wc_error *err)
{
    if (access(path, F_OK) < 0)
        return 0;
    int rc = nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
    if (rc != 0)
        return wc_error_set_errno(err, rc < 0 ? rc : -EIO, "cannot remove %s", path);
    return 0;
}

int sb_write_small_file(int at, const char *path, const char *text, mode_t mode, bool exact_mode)
{
    int fd = openat(at, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return -errno;
    size_t len = strlen(text);
    ssize_t n = len ? write(fd, text, len) : 0;
    int rc = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
    if (rc == 0 && exact_mode && fchmod(fd, mode) < 0) /* whatever the umask */
        rc = -errno;
    close(fd);
    return rc;
}

/* A whole id from the map by id; a prefix among the n records, whose id is at offset 0
 * of each struct. */
static void *find_by_id(const wc_ptrmap *ids, void **items, size_t n, const char *id,
                        const char *what, wc_error *err, int *rc)
{
    size_t len = strlen(id);
    void *found = len == WC_ID_LEN ? wc_ptrmap_get(ids, id) : NULL;
    *rc = 0;
    if (found)
        return found;
    if (len == 0 || len >= WC_ID_LEN) {
        *rc = wc_error_set(err, -ENOENT, "%s \"%s\" not found", what, id);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const char *rid = items[i]; /* the id is the first member */
        if (strncmp(rid, id, len) != 0)
            continue;
        if (found) {
            *rc = wc_error_set(err, -EINVAL, "%s id prefix \"%s\" is ambiguous", what, id);
            return NULL;
        }
        found = items[i];
    }
    if (found == NULL)
        *rc = wc_error_set(err, -ENOENT, "%s \"%s\" not found", what, id);
    return found;
}

int sb_find_pod(wc_sandbox *sb, const char *id, wc_pod **ret_pod, wc_error *err)
{
    int rc;
    wc_pod *p =
        find_by_id(&sb->pod_ids, (void **)sb->pods, sb->n_pods, id, "pod sandbox", err, &rc);
    if (p)
        *ret_pod = p;
    return rc;
}

int sb_find_ctr(wc_sandbox *sb, const char *id, wc_container **ret_ctr, wc_error *err)
{
    int rc;
    wc_container *c =
        find_by_id(&sb->ctr_ids, (void **)sb->ctrs, sb->n_ctrs, id, "container", err, &rc);
    if (c)
        *ret_ctr = c;
    return rc;
}

int sb_zygote_op(wc_sandbox *sb, const char *op, const char *id, json_t **ret_reply, wc_error *err)
{
    return sb_zygote_op_fd(sb, op, id, ret_reply, NULL, err);
}

int sb_zygote_op_fd(wc_sandbox *sb, const char *op, const char *id, json_t **ret_reply, int *ret_fd,
                    wc_error *err)
{
    json_auto_t *req = json_pack("{s:s, s:s}", "op", op, "id", id);
    json_auto_t *reply = NULL;
    if (req == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    if (sb->zygote == NULL)
        return wc_error_set(err, -EAGAIN, "no zygote is connected");
    TRY(zc_request_fd(sb->zygote, req, NULL, 0, &reply, ret_fd, err));
    if (ret_reply)
        *ret_reply = take_ptr(reply);
    return 0;
}

/* The container's record, with the hold of held (NULL: none) in the same write. */
static int save_ctr(wc_sandbox *sb, const wc_container *c, const char *held, wc_error *err)
{
    char key[80];
    snprintf(key, sizeof(key), "ctr/%s", c->id);
    char *text = wc_container_encode(c);
    if (text == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    int rc = held ? wc_store_kv_put_holding(sb->store, key, text, strlen(text), held, c->id, err)
                  : wc_store_kv_put(sb->store, key, text, strlen(text), err);
    free(text);
    return rc;
}

int sb_save_ctr(wc_sandbox *sb, const wc_container *c, wc_error *err)
{
    return save_ctr(sb, c, NULL, err);
}

int sb_save_new_ctr(wc_sandbox *sb, const wc_container *c, wc_error *err)
{
    return save_ctr(sb, c, *c->held ? c->held : NULL, err);
}

int sb_save_pod(wc_sandbox *sb, const wc_pod *pod, wc_error *err)
{
    char key[80];
    snprintf(key, sizeof(key), "pod/%s", pod->id);
    char *text = wc_pod_encode(pod);
    if (text == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    int rc = wc_store_kv_put(sb->store, key, text, strlen(text), err);
    free(text);
    return rc;
}

static int load_pod(void *ctx, const char *key, const char *val, size_t len)
{
    wc_sandbox *sb = ctx;
    wc_pod *p = NULL;
    wc_error err = {0};
    if (wc_pod_decode(val, len, &p, &err) < 0)
        return 0; /* a damaged record is skipped, not fatal */
    (void)key;
    wc_pod *packed = wc_pod_pack(p);
    if (packed == NULL || sb_add_pod(sb, packed) < 0) {
        wc_pod_free(packed ? packed : p);
        return -ENOMEM;
    }
    return 0;
}

static int load_ctr(void *ctx, const char *key, const char *val, size_t len)
{
    wc_sandbox *sb = ctx;
    wc_container *c = NULL;
    (void)key;
    if (wc_container_decode(val, len, &c, NULL) < 0)
        return 0; /* a damaged record is skipped, not fatal */
    wc_container *packed = wc_container_pack(c);
    if (packed == NULL || sb_add_ctr(sb, packed) < 0) {
        wc_container_free(packed ? packed : c);
        return -ENOMEM;
    }
    return 0;
}

static int open_dirs(wc_sandbox *sb, wc_error *err)
{
    char path[4096];
    TRY(wc_path(path, sizeof(path), err, "%s/pods", sb->state_dir));
    TRY(wc_mkdirs(path, 0711, err));
    sb->pods_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (sb->pods_fd < 0)
        return wc_error_set_errno(err, -errno, "cannot open %s", path);
    TRY(wc_path(path, sizeof(path), err, "%s/containers", sb->root_dir));
    TRY(wc_mkdirs(path, 0711, err));
    TRY(wc_path(path, sizeof(path), err, "%s/netns", sb->state_dir));
    return wc_mkdirs(path, 0711, err);
}

/* Its directories, then the pod and container records; sweeps what they no longer claim. */
static int load_sandbox(wc_sandbox *sb, wc_error *err)
{
    if (!sb->root_dir || !sb->state_dir || !sb->cgroup_driver)
        return wc_error_set(err, -ENOMEM, "out of memory");
    TRY(open_dirs(sb, err));
    if (wc_store_kv_scan(sb->store, "pod/", load_pod, sb) != 0)
        return wc_error_set(err, -ENOMEM, "out of memory loading the pod records");
    if (wc_store_kv_scan(sb->store, "ctr/", load_ctr, sb) != 0)
        return wc_error_set(err, -ENOMEM, "out of memory loading the container records");
    sb_sweep_leftovers(sb);
    return 0;
}

int wc_sandbox_open(const char *root_dir, const char *state_dir, const char *cgroup_driver,
                    wc_store *store, wc_sandbox **ret_sb, wc_error *err)
{
    wc_sandbox *sb = calloc(1, sizeof(*sb));
    if (sb == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    pthread_mutex_init(&sb->mu, NULL);
    pthread_cond_init(&sb->changed, NULL);
    sb->store = store;
    sb->pods_fd = -1;
    sb->pod_ids.borrows_keys = sb->ctr_ids.borrows_keys = sb->pod_ctrs.borrows_keys = true;
    sb->cg = wc_cgroups_detect();
    sb->root_dir = strdup(root_dir);
    sb->state_dir = strdup(state_dir);
    sb->cgroup_driver = strdup(cgroup_driver);
    sb->toolbox = true;
    int rc = load_sandbox(sb, err);
    if (rc < 0) {
        wc_sandbox_close(sb);
        return rc;
    }
    *ret_sb = sb;
    return 0;
}

void wc_sandbox_set_toolbox(wc_sandbox *sb, bool on)
{
    sb->toolbox = on;
}

void wc_sandbox_set_exec_ready(wc_sandbox *sb, int ms)
{
    sb->exec_ready_ms = ms;
}

int wc_sandbox_set_cni(wc_sandbox *sb, const char *conf_dir, char *const *bin_dirs, size_t n,
                       int timeout_s, wc_error *err)
{
    char **dirs = wc_strv_copy(NULL);
    for (size_t i = 0; dirs && i < n; i++)
        if (wc_strv_push(&dirs, bin_dirs[i]) < 0) {
            wc_strv_free(dirs);
            dirs = NULL;
        }
    char *dir = strdup(conf_dir);
    if (dirs == NULL || dir == NULL) {
        wc_strv_free(dirs);
        free(dir);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    sb->cni_conf_dir = dir;
    sb->cni_bin_dirs = dirs;
    sb->cni = (cni_settings){.conf_dir = dir, .bin_dirs = dirs, .timeout_ms = timeout_s * 1000};
    return 0;
}

void wc_sandbox_close(wc_sandbox *sb)
{
    if (sb == NULL)
        return;
    sb_sampler_stop(sb);
    zc_close(sb->zygote);
    sb_index_clear(sb);
    sb_graves_clear(sb);
    sb_module_keys_clear(sb);
    wc_strset_clear(&sb->user_files);
    wc_pod_list_free(sb->pods, sb->n_pods);
    wc_container_list_free(sb->ctrs, sb->n_ctrs);
    if (sb->pods_fd >= 0)
        close(sb->pods_fd);
    free(sb->root_dir);
    free(sb->state_dir);
    free(sb->cgroup_driver);
    free(sb->starting);
    free(sb->cni_conf_dir);
    wc_strv_free(sb->cni_bin_dirs);
    pthread_cond_destroy(&sb->changed);
    pthread_mutex_destroy(&sb->mu);
    free(sb);
}
