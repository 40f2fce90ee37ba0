/* Container records: the JSON codec, copies and frees (see container.h).
 * To add a field: container.h, wc_container_new, encode and decode below
 * (tests/unit/test_records.c round-trips the record).
 */
#include "container.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "record.h"
#include "strv.h"

void wc_container_free(wc_container *c)
{
    if (c == NULL)
        return;
    char **strs[] = {&c->name,   &c->image,   &c->image_ref,   &c->log_path,   &c->working_dir,
                     &c->dir,    &c->rootfs,  &c->module_path, &c->module_key, &c->held,
                     &c->reason, &c->message, &c->cgroup};
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
        free(*strs[i]);
    wc_strv_free(c->labels);
    wc_strv_free(c->annotations);
    wc_strv_free(c->argv);
    wc_strv_free(c->env);
    for (size_t i = 0; i < c->n_mounts; i++) {
        free(c->mounts[i].container_path);
        free(c->mounts[i].host_path);
    }
    free(c->mounts);
    free(c);
}

void wc_container_list_free(wc_container **ctrs, size_t n)
{
    for (size_t i = 0; ctrs && i < n; i++)
        wc_container_free(ctrs[i]);
    free(ctrs);
}

int wc_container_set(char **field, const char *value)
{
    char *copy = strdup(value ? value : "");
    if (copy == NULL)
        return -ENOMEM;
    free(*field);
    *field = copy;
    return 0;
}

static bool complete(const wc_container *c)
{
    return c->name && c->labels && c->annotations && c->image && c->image_ref && c->log_path &&
           c->argv && c->env && c->working_dir && c->mounts && c->dir && c->rootfs &&
           c->module_path && c->module_key && c->held && c->reason && c->message && c->cgroup;
}

wc_container *wc_container_new(void)
{
    wc_container *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    char **strs[] = {&c->name,   &c->image,   &c->image_ref,   &c->log_path,   &c->working_dir,
                     &c->dir,    &c->rootfs,  &c->module_path, &c->module_key, &c->held,
                     &c->reason, &c->message, &c->cgroup};
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
        *strs[i] = strdup("");
    c->labels = calloc(1, sizeof(char *));
    c->annotations = calloc(1, sizeof(char *));
    c->argv = calloc(1, sizeof(char *));
    c->env = calloc(1, sizeof(char *));
    c->mounts = calloc(1, sizeof(wc_mount));
    if (!complete(c) || rec_new_id(c->id) < 0) {
        wc_container_free(c);
        return NULL;
    }
    return c;
}

static json_t *mounts_json(const wc_container *c)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < c->n_mounts; i++)
        if (json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "container_path",
                                               c->mounts[i].container_path, "host_path",
                                               c->mounts[i].host_path, "readonly",
                                               c->mounts[i].readonly)) < 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

char *wc_container_encode(const wc_container *c)
{
    json_t *o = json_object();
    int rc = o ? 0 : -ENOMEM;
    rc = rc ?: rec_set_str(o, "id", c->id);
    rc = rc ?: rec_set_str(o, "pod_id", c->pod_id);
    rc = rc ?: rec_set_str(o, "name", c->name);
    rc = rc ?: rec_set_int(o, "attempt", c->attempt);
    rc = rc ?: rec_set_strv(o, "labels", c->labels);
    rc = rc ?: rec_set_strv(o, "annotations", c->annotations);
    rc = rc ?: rec_set_str(o, "image", c->image);
    rc = rc ?: rec_set_str(o, "image_ref", c->image_ref);
    rc = rc ?: rec_set_str(o, "log_path", c->log_path);
    rc = rc ?: rec_set_strv(o, "argv", c->argv);
    rc = rc ?: rec_set_strv(o, "env", c->env);
    rc = rc ?: rec_set_str(o, "working_dir", c->working_dir);
    if (rc == 0 && json_object_set_new(o, "mounts", mounts_json(c)) < 0)
        rc = -ENOMEM;
    rc = rc ?: rec_set_bool(o, "readonly_rootfs", c->readonly_rootfs);
    rc = rc ?: rec_set_user(o, "user", &c->user);
    rc = rc ?: rec_set_int(o, "cpu_period", c->res.cpu_period);
    rc = rc ?: rec_set_int(o, "cpu_quota", c->res.cpu_quota);
    rc = rc ?: rec_set_int(o, "cpu_shares", c->res.cpu_shares);
    rc = rc ?: rec_set_int(o, "memory_limit", c->res.memory_limit);
    rc = rc ?: rec_set_str(o, "dir", c->dir);
    rc = rc ?: rec_set_str(o, "rootfs", c->rootfs);
    rc = rc ?: rec_set_bool(o, "overlay", c->overlay);
    rc = rc ?: rec_set_str(o, "module_path", c->module_path);
    rc = rc ?: rec_set_str(o, "module_key", c->module_key);
    rc = rc ?: rec_set_str(o, "held", c->held);
    rc = rc ?: rec_set_str(o, "cgroup", c->cgroup);
    rc = rc ?: rec_set_int(o, "state", c->state);
    rc = rc ?: rec_set_int(o, "created_at", c->created_at);
    rc = rc ?: rec_set_int(o, "started_at", c->started_at);
    rc = rc ?: rec_set_int(o, "finished_at", c->finished_at);
    rc = rc ?: rec_set_int(o, "exit_code", c->exit_code);
    rc = rc ?: rec_set_str(o, "reason", c->reason);
    rc = rc ?: rec_set_str(o, "message", c->message);
    rc = rc ?: rec_set_int(o, "pid", c->pid);
    char *text = rc == 0 ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return text;
}

static int decode_mounts(const json_t *o, wc_container *c)
{
    json_t *a = json_object_get(o, "mounts");
    size_t n = json_array_size(a);
    free(c->mounts);
    c->mounts = calloc(n ? n : 1, sizeof(wc_mount));
    if (c->mounts == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        json_t *m = json_array_get(a, i);
        c->mounts[i].container_path = rec_dup_str(m, "container_path");
        c->mounts[i].host_path = rec_dup_str(m, "host_path");
        c->mounts[i].readonly = rec_bool(m, "readonly");
        c->n_mounts++;
        if (!c->mounts[i].container_path || !c->mounts[i].host_path)
            return -ENOMEM;
    }
    return 0;
}

static void decode_fields(const json_t *o, wc_container *c)
{
    const char *pod = json_string_value(json_object_get(o, "pod_id"));
    snprintf(c->pod_id, sizeof(c->pod_id), "%s", pod ? pod : "");
    c->attempt = (uint32_t)rec_int(o, "attempt");
    c->readonly_rootfs = rec_bool(o, "readonly_rootfs");
    rec_user(o, "user", &c->user);
    c->res.cpu_period = rec_int(o, "cpu_period");
    c->res.cpu_quota = rec_int(o, "cpu_quota");
    c->res.cpu_shares = rec_int(o, "cpu_shares");
    c->res.memory_limit = rec_int(o, "memory_limit");
    c->overlay = rec_bool(o, "overlay");
    int64_t st = rec_int(o, "state");
    c->state = st >= WC_CTR_CREATED && st <= WC_CTR_UNKNOWN ? (wc_ctr_state)st : WC_CTR_UNKNOWN;
    c->created_at = rec_int(o, "created_at");
    c->started_at = rec_int(o, "started_at");
    c->finished_at = rec_int(o, "finished_at");
    c->exit_code = (int32_t)rec_int(o, "exit_code");
    c->pid = (int)rec_int(o, "pid");
}

int wc_container_decode(const char *json, size_t len, wc_container **ret_ctr, wc_error *err)
{
    json_error_t jerr;
    json_t *o = json_loadb(json, len, 0, &jerr);
    const char *id = json_string_value(json_object_get(o, "id"));
    if (!json_is_object(o) || id == NULL || strlen(id) != 64) {
        json_decref(o);
        return wc_error_set(err, -EINVAL, "container record is not valid");
    }
    wc_container *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        json_decref(o);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    memcpy(c->id, id, 65);
    c->name = rec_dup_str(o, "name");
    c->labels = rec_dup_strv(o, "labels");
    c->annotations = rec_dup_strv(o, "annotations");
    c->image = rec_dup_str(o, "image");
    c->image_ref = rec_dup_str(o, "image_ref");
    c->log_path = rec_dup_str(o, "log_path");
    c->argv = rec_dup_strv(o, "argv");
    c->env = rec_dup_strv(o, "env");
    c->working_dir = rec_dup_str(o, "working_dir");
    c->dir = rec_dup_str(o, "dir");
    c->rootfs = rec_dup_str(o, "rootfs");
    c->module_path = rec_dup_str(o, "module_path");
    c->module_key = rec_dup_str(o, "module_key");
    c->held = rec_dup_str(o, "held");
    c->cgroup = rec_dup_str(o, "cgroup");
    c->reason = rec_dup_str(o, "reason");
    c->message = rec_dup_str(o, "message");
    decode_fields(o, c);
    int rc = decode_mounts(o, c);
    json_decref(o);
    if (rc < 0 || !complete(c)) {
        wc_container_free(c);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    *ret_ctr = c;
    return 0;
}

wc_container *wc_container_copy(const wc_container *c)
{
    char *text = wc_container_encode(c);
    wc_container *copy = NULL;
    if (text)
        wc_container_decode(text, strlen(text), &copy, NULL);
    free(text);
    return copy;
}
