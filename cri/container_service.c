/* RuntimeService container rpcs: CreateContainer, StartContainer, StopContainer,
 * RemoveContainer, ContainerStatus, ListContainers, ExecSync, ReopenContainerLog,
 * UpdateContainerResources. Each handler
 * translates the CRI message to the sandbox's C types (wasm/sandbox/container.h),
 * calls wc_container_*, and builds the reply. Create and start wait for the zygote (a
 * compile, a worker), stop, remove, exec and reopen for a worker, so they run as slow
 * handlers on handler threads, never holding the completion-queue thread that every other
 * rpc waits behind (issue 18: a create held it up to 125 ms at 10,000 containers); so does
 * ListContainers, which packs a walk of every record (sandbox.h) for milliseconds.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "convert.h"
#include "map_view.h"
#include "messages.h"
#include "metrics.h"
#include "request_spec.h"
#include "sandbox.h"
#include "service.h"
#include "strv.h"

static int nomem(wc_error *err)
{
    return wc_error_set(err, -ENOMEM, "out of memory");
}

void cri_ctr_spec_owned_free(ctr_spec_owned *o)
{
    wc_strv_free(o->labels);
    wc_strv_free(o->annotations);
    wc_strv_free(o->command);
    wc_strv_free(o->args);
    wc_strv_free(o->env);
    free(o->mounts);
}

static char **env_list(const Runtime__V1__ContainerConfig *c)
{
    wc_strv_builder env = {0};
    for (size_t i = 0; i < c->n_envs; i++) {
        const Runtime__V1__KeyValue *kv = c->envs[i];
        char *line = NULL;
        if (asprintf(&line, "%s=%.*s", kv->key, (int)kv->value.len, (const char *)kv->value.data) <
                0 ||
            wc_strv_builder_add(&env, line) < 0) {
            free(line);
            wc_strv_builder_clear(&env);
            return NULL;
        }
        free(line);
    }
    return wc_strv_builder_take(&env);
}

/* Request sizes (issue 11, DoS 3): what a request may carry for a program's argv and env is
 * bounded here, with the field named, as Linux bounds an exec (ARG_MAX, 2 MiB). A start or
 * exec request still too big for one zygote packet (ZP_MAX_PACKET; the image's Entrypoint
 * counts too) fails at StartContainer or ExecSync with INVALID_ARGUMENT naming the sizes,
 * as runc's exec fails, and later requests work. */
#define MAX_ARGV_BYTES (2 * 1024 * 1024) /* command + args; ExecSync's cmd */
#define MAX_ENV_BYTES (2 * 1024 * 1024)  /* every key=value */

static size_t strings_bytes(char *const *v, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += strlen(v[i]) + 1;
    return total;
}

static int check_size(const char *what, size_t bytes, size_t limit, wc_error *err)
{
    if (bytes <= limit)
        return 0;
    return wc_error_set(err, -EINVAL, "%s is %zu bytes, over the limit of %zu bytes", what, bytes,
                        limit);
}

static int check_ctr_sizes(const Runtime__V1__ContainerConfig *c, wc_error *err)
{
    size_t env = 0;
    for (size_t i = 0; i < c->n_envs; i++)
        env += strlen(c->envs[i]->key) + c->envs[i]->value.len + 2;
    TRY(check_size("CreateContainer: config.command and config.args",
                   strings_bytes(c->command, c->n_command) + strings_bytes(c->args, c->n_args),
                   MAX_ARGV_BYTES, err));
    return check_size("CreateContainer: config.envs", env, MAX_ENV_BYTES, err);
}

/* recursive_read_only comes with readonly and private propagation, as the CRI says. A WASI
 * read-only mount is read-only beneath it whatever is mounted there (wasm/wasi checks the
 * mount it resolves in, not the host's flags): that is what makes it recursive. */
static int check_mount(const Runtime__V1__Mount *m, wc_error *err)
{
    bool image = m->image && m->image->image && *m->image->image;
    if (image && *m->host_path)
        return wc_error_set(err, -EINVAL,
                            "CreateContainer: mount %.256s: host_path and image are exclusive",
                            m->container_path);
    if (!image && *m->image_sub_path)
        return wc_error_set(err, -EINVAL,
                            "CreateContainer: mount %.256s: image_sub_path without an image",
                            m->container_path);
    if (!m->recursive_read_only)
        return 0;
    if (!m->readonly)
        return wc_error_set(err, -EINVAL,
                            "CreateContainer: mount %.256s: recursive_read_only needs readonly",
                            m->container_path);
    if (m->propagation != RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_PRIVATE)
        return wc_error_set(err, -EINVAL,
                            "CreateContainer: mount %.256s: recursive_read_only needs "
                            "propagation PROPAGATION_PRIVATE",
                            m->container_path);
    return 0;
}

int cri_ctr_spec_from(const Runtime__V1__CreateContainerRequest *in, wc_container_spec *s,
                      ctr_spec_owned *o, wc_error *err)
{
    const Runtime__V1__ContainerConfig *c = in->config;
    if (c == NULL || c->metadata == NULL)
        return wc_error_set(err, -EINVAL, "CreateContainer: the config has no metadata");
    if (check_ctr_sizes(c, err) < 0)
        return err->code;
    memset(s, 0, sizeof(*s));
    s->pod_id = in->pod_sandbox_id;
    s->name = c->metadata->name;
    s->attempt = c->metadata->attempt;
    s->image = c->image ? c->image->image : "";
    s->working_dir = c->working_dir;
    s->log_path = c->log_path;
    o->labels = cri_map_to_kv((void *const *)c->labels, c->n_labels);
    o->annotations = cri_map_to_kv((void *const *)c->annotations, c->n_annotations);
    o->command = cri_repeated_to_strv(c->command, c->n_command);
    o->args = cri_repeated_to_strv(c->args, c->n_args);
    o->env = env_list(c);
    o->mounts = calloc(c->n_mounts + 1, sizeof(wc_mount));
    if (!o->labels || !o->annotations || !o->command || !o->args || !o->env || !o->mounts)
        return nomem(err);
    for (size_t i = 0; i < c->n_mounts; i++) {
        TRY(check_mount(c->mounts[i], err));
        o->mounts[i] = (wc_mount){.container_path = c->mounts[i]->container_path,
                                  .host_path = c->mounts[i]->host_path,
                                  .readonly = c->mounts[i]->readonly,
                                  .recursive_read_only = c->mounts[i]->recursive_read_only,
                                  .image = c->mounts[i]->image ? c->mounts[i]->image->image : "",
                                  .image_sub_path = c->mounts[i]->image_sub_path};
    }
    s->labels = o->labels;
    s->annotations = o->annotations;
    s->command = o->command;
    s->args = o->args;
    s->env = o->env;
    s->mounts = o->mounts;
    s->n_mounts = c->n_mounts;
    s->run_as_uid = s->run_as_gid = -1;
    s->run_as_username = "";
    s->stdin = c->stdin;
    s->stdin_once = c->stdin_once;
    s->tty = c->tty;
    const Runtime__V1__LinuxContainerSecurityContext *sc =
        c->linux ? c->linux->security_context : NULL;
    if (c->linux)
        cri_resources_from(c->linux->resources, &s->res);
    s->stop_signal = cri_signal_name(c->stop_signal, o->stop_signal, sizeof(o->stop_signal));
    if (sc) {
        s->readonly_rootfs = sc->readonly_rootfs;
        s->run_as_uid = sc->run_as_user ? sc->run_as_user->value : -1;
        s->run_as_gid = sc->run_as_group ? sc->run_as_group->value : -1;
        s->run_as_username = sc->run_as_username ? sc->run_as_username : "";
        s->groups = sc->supplemental_groups;
        s->n_groups = sc->n_supplemental_groups;
    }
    return 0;
}

static int rpc_create(cri_call *call, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                      wc_error *err)
{
    wc_container_spec spec;
    _cleanup_(cri_ctr_spec_owned_free) ctr_spec_owned owned = {0};
    char id[WC_ID_SIZE];
    TRY(cri_ctr_spec_from((const void *)req, &spec, &owned, err));
    TRY(wc_container_create(cri_call_daemon(call)->sandbox, &spec, id, err));
    Runtime__V1__CreateContainerResponse *r =
        cri_new(&runtime__v1__create_container_response__descriptor);
    if (r == NULL)
        return nomem(err);
    *ret_resp = &r->base;
    r->container_id = strdup(id);
    return r->container_id ? 0 : nomem(err);
}

/* For rpcs that answer an empty message after one call on an id. */
static int empty_reply(int rc, const ProtobufCMessageDescriptor *desc, ProtobufCMessage **ret_resp,
                       wc_error *err)
{
    if (rc < 0)
        return rc;
    *ret_resp = cri_new(desc);
    return *ret_resp ? 0 : nomem(err);
}

static int rpc_start(cri_call *call, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                     wc_error *err)
{
    const Runtime__V1__StartContainerRequest *in = (const void *)req;
    TRY(wc_container_start(cri_call_daemon(call)->sandbox, in->container_id, err));
    wc_metrics_count(WC_M_CONTAINER_STARTS, 1);
    return empty_reply(0, &runtime__v1__start_container_response__descriptor, ret_resp, err);
}

static int rpc_stop(cri_call *call, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                    wc_error *err)
{
    const Runtime__V1__StopContainerRequest *in = (const void *)req;
    int rc = wc_container_stop_graceful(cri_call_daemon(call)->sandbox, in->container_id,
                                        in->timeout, err);
    return empty_reply(rc, &runtime__v1__stop_container_response__descriptor, ret_resp, err);
}

static int rpc_remove(cri_call *call, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                      wc_error *err)
{
    const Runtime__V1__RemoveContainerRequest *in = (const void *)req;
    int rc = wc_container_remove(cri_call_daemon(call)->sandbox, in->container_id, err);
    return empty_reply(rc, &runtime__v1__remove_container_response__descriptor, ret_resp, err);
}

Runtime__V1__ContainerMetadata *cri_ctr_metadata_new(const wc_container *c)
{
    Runtime__V1__ContainerMetadata *m = cri_new(&runtime__v1__container_metadata__descriptor);
    if (m && !(m->name = cri_strdup(c->name))) {
        free(m);
        return NULL;
    }
    if (m)
        m->attempt = c->attempt;
    return m;
}

void cri_ctr_metadata_view(Runtime__V1__ContainerMetadata *md, const wc_container *c)
{
    runtime__v1__container_metadata__init(md);
    md->name = c->name;
    md->attempt = c->attempt;
}

static Runtime__V1__ImageSpec *image_spec(const wc_container *c)
{
    Runtime__V1__ImageSpec *s = cri_new(&runtime__v1__image_spec__descriptor);
    if (s && !(s->image = cri_strdup(c->image))) {
        free(s);
        return NULL;
    }
    return s;
}

static Runtime__V1__ContainerState ctr_state(const wc_container *c)
{
    return (Runtime__V1__ContainerState)c->state;
}

static int status_mounts(const wc_container *c, Runtime__V1__ContainerStatus *s)
{
    if (c->n_mounts == 0)
        return 0;
    s->mounts = calloc(c->n_mounts, sizeof(*s->mounts));
    if (s->mounts == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < c->n_mounts; i++) {
        Runtime__V1__Mount *m = cri_new(&runtime__v1__mount__descriptor);
        if (m == NULL)
            return -ENOMEM;
        s->mounts[s->n_mounts++] = m;
        m->container_path = cri_strdup(c->mounts[i].container_path);
        m->host_path = cri_strdup(c->mounts[i].host_path);
        m->readonly = c->mounts[i].readonly;
        m->recursive_read_only = c->mounts[i].recursive_read_only;
        if (*c->mounts[i].image) {
            m->image = cri_new(&runtime__v1__image_spec__descriptor);
            if (m->image == NULL || !(m->image->image = cri_strdup(c->mounts[i].image)))
                return -ENOMEM;
            m->image_sub_path = cri_strdup(c->mounts[i].image_sub_path);
        }
        if (!m->container_path || !m->host_path || !m->image_sub_path)
            return -ENOMEM;
    }
    return 0;
}

static Runtime__V1__ContainerResources *status_resources(const wc_container *c)
{
    Runtime__V1__ContainerResources *r = cri_new(&runtime__v1__container_resources__descriptor);
    Runtime__V1__LinuxContainerResources *l =
        cri_new(&runtime__v1__linux_container_resources__descriptor);
    if (!r || !l) {
        free(r);
        free(l);
        return NULL;
    }
    l->cpu_period = c->res.cpu_period;
    l->cpu_quota = c->res.cpu_quota;
    l->cpu_shares = c->res.cpu_shares;
    l->memory_limit_in_bytes = c->res.memory_limit;
    r->linux = l;
    return r;
}

/* The identity the worker runs with (kubelet reads it for SupplementalGroupsPolicy). */
static Runtime__V1__ContainerUser *status_user(const wc_container *c)
{
    Runtime__V1__ContainerUser *u = cri_new(&runtime__v1__container_user__descriptor);
    Runtime__V1__LinuxContainerUser *l = cri_new(&runtime__v1__linux_container_user__descriptor);
    wc_user user;
    wc_container_user(c, &user);
    int64_t *groups = calloc(user.n_groups + 1, sizeof(int64_t));
    if (!u || !l || !groups) {
        free(u), free(l), free(groups);
        return NULL;
    }
    l->uid = user.uid;
    l->gid = user.gid;
    for (uint32_t i = 0; i < user.n_groups; i++)
        groups[i] = user.groups[i];
    l->supplemental_groups = groups;
    l->n_supplemental_groups = user.n_groups;
    u->linux = l;
    return u;
}

static int fill_ctr_status(const wc_container *c, Runtime__V1__ContainerStatus *s)
{
    s->id = strdup(c->id);
    s->metadata = cri_ctr_metadata_new(c);
    s->state = ctr_state(c);
    s->created_at = c->created_at;
    s->started_at = c->started_at;
    s->finished_at = c->finished_at;
    s->exit_code = c->exit_code;
    s->image = image_spec(c);
    s->image_ref = cri_strdup(c->image_ref);
    s->image_id = cri_strdup(c->image_ref);
    s->reason = cri_strdup(c->reason);
    s->message = cri_strdup(c->message);
    s->log_path = cri_strdup(c->log_path);
    s->resources = status_resources(c);
    s->user = status_user(c);
    s->stop_signal = cri_signal_value(c->stop_signal);
    if (!s->id || !s->metadata || !s->image || !s->image_ref || !s->image_id || !s->reason ||
        !s->message || !s->log_path || !s->resources || !s->user)
        return -ENOMEM;
    TRY(status_mounts(c, s));
    TRY(cri_kv_to_map(c->labels, &runtime__v1__container_status__labels_entry__descriptor,
                      (void ***)&s->labels, &s->n_labels));
    return cri_kv_to_map(c->annotations,
                         &runtime__v1__container_status__annotations_entry__descriptor,
                         (void ***)&s->annotations, &s->n_annotations);
}

Runtime__V1__ContainerStatus *cri_ctr_status_new(const wc_container *c)
{
    Runtime__V1__ContainerStatus *s = cri_new(&runtime__v1__container_status__descriptor);
    return s ? cri_kept(s, fill_ctr_status(c, s)) : NULL;
}

/* verbose: {"info": JSON} with what an operator debugging a container wants. */
static int status_info(const wc_container *c, Runtime__V1__ContainerStatusResponse *r)
{
    char rootfs[4096];
    json_t *o =
        json_pack("{s:i, s:s, s:s, s:s, s:o, s:o, s:b, s:s}", "pid", c->pid, "module",
                  c->module_path, "module_key", c->module_key, "rootfs",
                  wc_container_rootfs(c, rootfs, sizeof(rootfs)), "args", json_array(), "env",
                  json_array(), "readonly_rootfs", c->readonly_rootfs, "cgroup", c->cgroup);
    for (size_t i = 0; o && c->argv[i]; i++)
        json_array_append_new(json_object_get(o, "args"), json_string(c->argv[i]));
    for (size_t i = 0; o && c->env[i]; i++)
        json_array_append_new(json_object_get(o, "env"), json_string(c->env[i]));
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    char *kv[] = {"info", text, NULL};
    int rc =
        text ? cri_kv_to_map(kv, &runtime__v1__container_status_response__info_entry__descriptor,
                             (void ***)&r->info, &r->n_info)
             : -ENOMEM;
    free(text);
    return rc;
}

/* The status of c and, when verbose, its info; -ENOMEM. */
static int fill_status_response(Runtime__V1__ContainerStatusResponse *r, const wc_container *c,
                                bool verbose)
{
    if ((r->status = cri_ctr_status_new(c)) == NULL)
        return -ENOMEM;
    return verbose ? status_info(c, r) : 0;
}

static int rpc_status(cri_call *call, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                      wc_error *err)
{
    const Runtime__V1__ContainerStatusRequest *in = (const void *)req;
    _cleanup_(wc_container_freep) wc_container *c = NULL;
    TRY(wc_container_get(cri_call_daemon(call)->sandbox, in->container_id, &c, err));
    Runtime__V1__ContainerStatusResponse *r =
        cri_new(&runtime__v1__container_status_response__descriptor);
    if (r == NULL)
        return nomem(err);
    *ret_resp = &r->base;
    return fill_status_response(r, c, in->verbose) < 0 ? nomem(err) : 0;
}

/* ListContainers' item for a container, borrowing its record's strings (a walk's: sandbox.h). */
typedef struct ctr_item_view {
    cri_packer p;
    Runtime__V1__Container s;
    Runtime__V1__ContainerMetadata md;
    Runtime__V1__ImageSpec image;
    cri_map_view labels, annotations;
} ctr_item_view;

/* One item of ListContainersResponse (packer.h). */
static int pack_ctr_item(void *ctx, const wc_ctr_seen *seen)
{
    ctr_item_view *v = ctx;
    const wc_container *c = seen->c;
    Runtime__V1__Container *s = &v->s;
    runtime__v1__container__init(s);
    cri_ctr_metadata_view(&v->md, c);
    runtime__v1__image_spec__init(&v->image);
    v->image.image = c->image;
    s->id = (char *)c->id;
    s->pod_sandbox_id = (char *)c->pod_id;
    s->metadata = &v->md;
    s->image = &v->image;
    s->image_ref = c->image_ref;
    s->image_id = c->image_ref;
    s->state = (Runtime__V1__ContainerState)seen->state;
    s->created_at = c->created_at;
    TRY(cri_map_view_fill(&v->labels, c->labels, &runtime__v1__container__labels_entry__descriptor,
                          (void ***)&s->labels, &s->n_labels));
    TRY(cri_map_view_fill(&v->annotations, c->annotations,
                          &runtime__v1__container__annotations_entry__descriptor,
                          (void ***)&s->annotations, &s->n_annotations));
    return cri_packer_add_field(&v->p, &runtime__v1__list_containers_response__descriptor,
                                "containers", &s->base);
}

static int rpc_list(cri_call *call, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                    wc_error *err)
{
    const Runtime__V1__ListContainersRequest *in = (const void *)req;
    const Runtime__V1__ContainerFilter *f = in->filter;
    (void)ret_resp;
    _cleanup_strv_ char **selector =
        f ? cri_map_to_kv((void *const *)f->label_selector, f->n_label_selector) : NULL;
    if (f && selector == NULL)
        return nomem(err);
    wc_container_filter filter = {
        .id = f ? f->id : NULL,
        .pod_id = f ? f->pod_sandbox_id : NULL,
        .state = f && f->state ? (int)f->state->state : -1,
        .labels = selector,
    };
    ctr_item_view v = {0};
    cri_packer_init(&v.p);
    int rc = wc_container_walk(cri_call_daemon(call)->sandbox, &filter, pack_ctr_item, &v);
    cri_map_view_clear(&v.labels);
    cri_map_view_clear(&v.annotations);
    if (rc < 0) {
        cri_packer_clear(&v.p);
        return nomem(err);
    }
    return cri_reply_packed(call, &v.p, err);
}

static int rpc_exec_sync(cri_call *call, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                         wc_error *err)
{
    const Runtime__V1__ExecSyncRequest *in = (const void *)req;
    if (check_size("ExecSync: cmd", strings_bytes(in->cmd, in->n_cmd), MAX_ARGV_BYTES, err) < 0)
        return err->code;
    _cleanup_strv_ char **cmd = cri_repeated_to_strv(in->cmd, in->n_cmd);
    if (cmd == NULL)
        return nomem(err);
    wc_exec_result res;
    int rc = wc_container_exec(cri_call_daemon(call)->sandbox, in->container_id, cmd, in->timeout,
                               &res, err);
    Runtime__V1__ExecSyncResponse *r =
        rc == 0 ? cri_new(&runtime__v1__exec_sync_response__descriptor) : NULL;
    if (r == NULL) { /* the output of an exec that timed out is dropped too */
        free(res.out);
        free(res.err);
        return rc < 0 ? rc : nomem(err);
    }
    *ret_resp = &r->base;
    r->exit_code = res.exit_code;
    r->stdout.data = (uint8_t *)res.out;
    r->stdout.len = res.out_len;
    r->stderr.data = (uint8_t *)res.err;
    r->stderr.len = res.err_len;
    return 0;
}

static int rpc_reopen_log(cri_call *call, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                          wc_error *err)
{
    const Runtime__V1__ReopenContainerLogRequest *in = (const void *)req;
    int rc = wc_container_reopen_log(cri_call_daemon(call)->sandbox, in->container_id, err);
    return empty_reply(rc, &runtime__v1__reopen_container_log_response__descriptor, ret_resp, err);
}

static int rpc_update_resources(cri_call *call, const ProtobufCMessage *req,
                                ProtobufCMessage **ret_resp, wc_error *err)
{
    const Runtime__V1__UpdateContainerResourcesRequest *in = (const void *)req;
    wc_resources res = {0};
    cri_resources_from(in->linux, &res);
    int rc = wc_container_update(cri_call_daemon(call)->sandbox, in->container_id, &res, err);
    return empty_reply(rc, &runtime__v1__update_container_resources_response__descriptor, ret_resp,
                       err);
}

const cri_method cri_container_methods[] = {
    {"CreateContainer", rpc_create, true},
    {"StartContainer", rpc_start, true},
    {"StopContainer", rpc_stop, true},
    {"RemoveContainer", rpc_remove, true},
    {"ContainerStatus", rpc_status, false},
    {"ListContainers", rpc_list, true},
    {"ExecSync", rpc_exec_sync, true},
    {"ReopenContainerLog", rpc_reopen_log, true},
    {"UpdateContainerResources", rpc_update_resources, false},
    {NULL, NULL, false},
};
