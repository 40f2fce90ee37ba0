/* RuntimeService handlers: the table of implemented rpcs and the runtime-wide ones
 * (Version, Status, RuntimeConfig, UpdateRuntimeConfig). Pod and container rpcs
 * come with the sandbox; until then they answer UNIMPLEMENTED through the server.
 * To add an rpc: write `static int rpc_x(...)` and add a line to the table.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cni_config.h"
#include "runtime_handlers.h"
#include "sandbox.h"
#include "service.h"

#define RUNTIME_NAME "wasmcri"
#define CRI_API_VERSION "v1"

static int nomem(wc_error *err)
{
    return wc_error_set(err, -ENOMEM, "out of memory");
}

static int rpc_version(cri_call *call, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                       wc_error *err)
{
    (void)call;
    (void)req;
    Runtime__V1__VersionResponse *r = malloc(sizeof(*r));
    if (!r)
        return nomem(err);
    runtime__v1__version_response__init(r);
    r->version = strdup("0.1.0");
    r->runtime_name = strdup(RUNTIME_NAME);
    r->runtime_version = strdup(WASMCRI_VERSION);
    r->runtime_api_version = strdup(CRI_API_VERSION);
    *ret_resp = &r->base;
    if (!r->version || !r->runtime_name || !r->runtime_version || !r->runtime_api_version)
        return nomem(err);
    return 0;
}

static Runtime__V1__RuntimeCondition *condition(const char *type, bool status, const char *reason,
                                                const char *message)
{
    Runtime__V1__RuntimeCondition *c = malloc(sizeof(*c));
    if (!c)
        return NULL;
    runtime__v1__runtime_condition__init(c);
    c->type = cri_strdup(type);
    c->status = status;
    c->reason = cri_strdup(reason);
    c->message = cri_strdup(message);
    if (!c->type || !c->reason || !c->message) {
        protobuf_c_message_free_unpacked(&c->base, NULL);
        return NULL;
    }
    return c;
}

static Runtime__V1__StatusResponse__InfoEntry *info_entry(const char *key, char *json_value)
{
    Runtime__V1__StatusResponse__InfoEntry *e = malloc(sizeof(*e));
    if (!e) {
        free(json_value);
        return NULL;
    }
    runtime__v1__status_response__info_entry__init(e);
    e->key = strdup(key);
    e->value = json_value ? json_value : cri_strdup("");
    if (!e->key || !e->value) {
        protobuf_c_message_free_unpacked(&e->base, NULL);
        return NULL;
    }
    return e;
}

/* The verbose info map: each value one JSON document. */
static int status_info(cri_daemon *d, const cni_check *cni, Runtime__V1__StatusResponse *r)
{
    pthread_mutex_lock(&d->mu);
    json_t *runtime = json_pack("{s:s, s:s, s:o}", "name", RUNTIME_NAME, "version", WASMCRI_VERSION,
                                "pod_cidr", d->pod_cidr ? json_string(d->pod_cidr) : json_null());
    pthread_mutex_unlock(&d->mu);
    json_t *network = json_pack("{s:b, s:s, s:s, s:s}", "ready", cni->ready, "message",
                                cni->message, "conf_file", cni->conf_file, "network", cni->network);
    r->info = calloc(3, sizeof(*r->info));
    if (!r->info || !runtime || !network) {
        json_decref(runtime);
        json_decref(network);
        return -ENOMEM;
    }
    r->info[r->n_info++] = info_entry("config", wc_config_to_json(d->cfg));
    r->info[r->n_info++] = info_entry("runtime", json_dumps(runtime, JSON_COMPACT));
    r->info[r->n_info++] = info_entry("network", json_dumps(network, JSON_COMPACT));
    json_decref(runtime);
    json_decref(network);
    for (size_t i = 0; i < r->n_info; i++)
        if (!r->info[i])
            return -ENOMEM;
    return 0;
}

static int rpc_status(cri_call *call, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                      wc_error *err)
{
    const Runtime__V1__StatusRequest *in = (const Runtime__V1__StatusRequest *)req;
    cri_daemon *d = cri_call_daemon(call);
    cni_check cni;
    cni_check_config(d->cfg->cni_conf_dir, d->cfg->cni_bin_dirs, d->cfg->n_cni_bin_dirs, &cni);

    Runtime__V1__StatusResponse *r = malloc(sizeof(*r));
    if (!r)
        return nomem(err);
    runtime__v1__status_response__init(r);
    *ret_resp = &r->base;
    r->status = malloc(sizeof(*r->status));
    if (!r->status)
        return nomem(err);
    runtime__v1__runtime_status__init(r->status);
    r->status->conditions = calloc(2, sizeof(*r->status->conditions));
    if (!r->status->conditions)
        return nomem(err);
    Runtime__V1__RuntimeStatus *st = r->status;
    char why[512];
    bool ready = wc_sandbox_runtime_ready(d->sandbox, why, sizeof(why));
    st->conditions[st->n_conditions++] =
        condition("RuntimeReady", ready, ready ? "" : "ZygoteNotRunning", why);
    st->conditions[st->n_conditions++] =
        condition("NetworkReady", cni.ready, cni.reason, cni.ready ? "" : cni.message);
    if (!st->conditions[0] || !st->conditions[1])
        return nomem(err);
    if (cri_runtime_handlers_fill(r) < 0)
        return nomem(err);
    if (in->verbose && status_info(d, &cni, r) < 0)
        return nomem(err);
    return 0;
}

static int rpc_runtime_config(cri_call *call, const ProtobufCMessage *req,
                              ProtobufCMessage **ret_resp, wc_error *err)
{
    (void)req;
    cri_daemon *d = cri_call_daemon(call);
    Runtime__V1__RuntimeConfigResponse *r = malloc(sizeof(*r));
    if (!r)
        return nomem(err);
    runtime__v1__runtime_config_response__init(r);
    *ret_resp = &r->base;
    r->linux = malloc(sizeof(*r->linux));
    if (!r->linux)
        return nomem(err);
    runtime__v1__linux_runtime_configuration__init(r->linux);
    r->linux->cgroup_driver = strcmp(d->cfg->cgroup_driver, "systemd") == 0
                                  ? RUNTIME__V1__CGROUP_DRIVER__SYSTEMD
                                  : RUNTIME__V1__CGROUP_DRIVER__CGROUPFS;
    return 0;
}

static int rpc_update_runtime_config(cri_call *call, const ProtobufCMessage *req,
                                     ProtobufCMessage **ret_resp, wc_error *err)
{
    const Runtime__V1__UpdateRuntimeConfigRequest *in =
        (const Runtime__V1__UpdateRuntimeConfigRequest *)req;
    cri_daemon *d = cri_call_daemon(call);
    const char *cidr = in->runtime_config && in->runtime_config->network_config
                           ? in->runtime_config->network_config->pod_cidr
                           : "";
    if (*cidr) {
        char *copy = strdup(cidr);
        if (!copy)
            return nomem(err);
        pthread_mutex_lock(&d->mu);
        free(d->pod_cidr);
        d->pod_cidr = copy;
        pthread_mutex_unlock(&d->mu);
    }
    Runtime__V1__UpdateRuntimeConfigResponse *r = malloc(sizeof(*r));
    if (!r)
        return nomem(err);
    runtime__v1__update_runtime_config_response__init(r);
    *ret_resp = &r->base;
    return 0;
}

const cri_method cri_runtime_methods[] = {
    {"Version", rpc_version, false},
    {"Status", rpc_status, false},
    {"RuntimeConfig", rpc_runtime_config, false},
    {"UpdateRuntimeConfig", rpc_update_runtime_config, false},
    {NULL, NULL, false},
};
