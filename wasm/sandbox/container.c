/* Container records: the table of stored fields, which drives the JSON codec, copies
 * and frees (see container.h, common/record_table.h). To add a field: the member in
 * container.h and one line in ctr_fields (tests/unit/test_records.c round-trips it).
 */
#include "container.h"

#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "record_table.h"

static const wc_field mount_fields[] = {
    WC_F_STR(wc_mount, container_path, "container_path"),
    WC_F_STR(wc_mount, host_path, "host_path"),
    WC_F_BOOL(wc_mount, readonly, "readonly"),
    WC_F_BOOL(wc_mount, recursive_read_only, "recursive_read_only"),
    WC_F_STR(wc_mount, image, "image"),
    WC_F_STR(wc_mount, image_sub_path, "image_sub_path"),
    WC_F_STR(wc_mount, image_key, "image_key"),
};
static const wc_record_desc mount_desc = WC_RECORD_DESC(wc_mount, mount_fields);

static const wc_field ctr_fields[] = {
    WC_F_ID(wc_container, id, "id"),
    WC_F_ID(wc_container, pod_id, "pod_id"),
    WC_F_STR(wc_container, name, "name"),
    WC_F_U32(wc_container, attempt, "attempt"),
    WC_F_STRV(wc_container, labels, "labels"),
    WC_F_STRV(wc_container, annotations, "annotations"),
    WC_F_STR_SHARED(wc_container, image, "image"),
    WC_F_STR_SHARED(wc_container, image_ref, "image_ref"),
    WC_F_STR(wc_container, log_path, "log_path"),
    WC_F_STRV_SHARED(wc_container, argv, "argv"),
    WC_F_STRV_SHARED_BUT(wc_container, env, "env", "HOSTNAME="),
    WC_F_STR_SHARED(wc_container, working_dir, "working_dir"),
    WC_F_STR_SHARED(wc_container, stop_signal, "stop_signal"),
    WC_F_ARRAY(wc_container, mounts, n_mounts, "mounts", &mount_desc),
    WC_F_BOOL(wc_container, readonly_rootfs, "readonly_rootfs"),
    WC_F_BOOL(wc_container, stdin, "stdin"),
    WC_F_BOOL(wc_container, stdin_once, "stdin_once"),
    WC_F_BOOL(wc_container, tty, "tty"),
    WC_F_CUSTOM(wc_container, user, "user", &wc_ctr_user_codec),
    WC_F_I64(wc_container, res.cpu_period, "cpu_period"),
    WC_F_I64(wc_container, res.cpu_quota, "cpu_quota"),
    WC_F_I64(wc_container, res.cpu_shares, "cpu_shares"),
    WC_F_I64(wc_container, res.memory_limit, "memory_limit"),
    WC_F_STR_SHARED(wc_container, dir_parent, "dir"),
    WC_F_STR(wc_container, rootfs, "rootfs"),
    WC_F_BOOL(wc_container, overlay, "overlay"),
    WC_F_STR_SHARED(wc_container, module_path, "module_path"),
    WC_F_STR_SHARED(wc_container, module_key, "module_key"),
    WC_F_STR_SHARED(wc_container, held, "held"),
    WC_F_STR_CHANGES(wc_container, cgroup, "cgroup"),
    WC_F_ENUM(wc_container, state, "state", WC_CTR_UNKNOWN, WC_CTR_UNKNOWN),
    WC_F_I64(wc_container, created_at, "created_at"),
    WC_F_I64(wc_container, started_at, "started_at"),
    WC_F_I64(wc_container, finished_at, "finished_at"),
    WC_F_INT(wc_container, exit_code, "exit_code"),
    WC_F_STR_CHANGES(wc_container, reason, "reason"),
    WC_F_STR_CHANGES(wc_container, message, "message"),
    WC_F_INT(wc_container, pid, "pid"),
};
static const wc_record_desc ctr_desc = WC_RECORD_DESC_PACKED(wc_container, ctr_fields, packed);

void wc_container_free(wc_container *c)
{
    wc_record_free(&ctr_desc, c);
}

void wc_container_freep(wc_container **c)
{
    wc_container_free(*c);
}

void wc_container_list_free(wc_container **ctrs, size_t n)
{
    for (size_t i = 0; ctrs && i < n; i++)
        wc_container_free(ctrs[i]);
    free(ctrs);
}

int wc_container_set(char **field, const char *value)
{
    return wc_record_set_str(field, value);
}

wc_container *wc_container_new(void)
{
    wc_container *c = wc_record_new(&ctr_desc);
    if (c != NULL && rec_new_id(c->id) < 0) {
        wc_container_free(c);
        return NULL;
    }
    return c;
}

const char *wc_container_dir(const wc_container *c, char *buf, size_t n)
{
    return rec_dir(c->dir_parent, c->id, buf, n);
}

int wc_container_overlay_rootfs(const wc_container *c, char *buf, size_t n, wc_error *err)
{
    return wc_path(buf, n, err, "%s/%s/rootfs", c->dir_parent, c->id);
}

const char *wc_container_rootfs(const wc_container *c, char *buf, size_t n)
{
    if (!c->overlay || *c->rootfs)
        return c->rootfs;
    wc_container_overlay_rootfs(c, buf, n, NULL); /* it fits: cv_rootfs checked at create */
    return buf;
}

char *wc_container_encode(const wc_container *c)
{
    char rootfs[4096], dir[4096];
    wc_container shown = *c; /* stored with its whole dir and rootfs, as before */
    shown.rootfs = (char *)wc_container_rootfs(c, rootfs, sizeof(rootfs));
    shown.dir_parent = (char *)wc_container_dir(c, dir, sizeof(dir));
    return wc_record_encode(&ctr_desc, &shown);
}

int wc_container_decode(const char *json, size_t len, wc_container **ret_ctr, wc_error *err)
{
    wc_container *c = NULL;
    TRY(rec_decode(&ctr_desc, "container", json, len, (void **)&c, err));
    rec_dir_to_parent(c->dir_parent, c->id);
    char rootfs[4096];
    if (c->overlay && wc_container_overlay_rootfs(c, rootfs, sizeof(rootfs), NULL) == 0 &&
        strcmp(c->rootfs, rootfs) == 0 && wc_container_set(&c->rootfs, "") < 0) {
        wc_container_free(c);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    *ret_ctr = c;
    return 0;
}

int wc_container_set_shared(wc_container *c, char **field, const char *value)
{
    return wc_record_set_shared(&ctr_desc, c, field, value);
}

wc_container *wc_container_pack(wc_container *c)
{
    return wc_record_pack(&ctr_desc, c);
}

wc_container *wc_container_copy(const wc_container *c)
{
    return wc_record_dup(&ctr_desc, c);
}
