/* ADD and DEL over a conflist (see cni_net.h).
 *
 * The state kept between them is one JSON object:
 *   {"list": the conflist as used, "id": CNI_CONTAINERID, "args": CNI_ARGS,
 *    "netns": CNI_NETNS, "ifname": CNI_IFNAME, "runtime": capability values,
 *    "result": the last plugin's ADD result}
 * Each plugin's stdin is its own object from "list" with the list's name and
 * cniVersion, "prevResult" and "runtimeConfig" (only the capabilities it declares
 * with true) added, as libcni builds it.
 */
#include "cni_net.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cni_config.h"
#include "cni_exec.h"
#include "cni_runtime.h"
#include "strv.h"

/* The runtimeConfig for plugin: the values of the capabilities it declares. */
static int add_runtime_config(json_t *conf, const json_t *plugin, const json_t *rt)
{
    json_t *caps = json_object_get(plugin, "capabilities");
    json_auto_t *out = json_object();
    const char *cap;
    json_t *on;
    if (out == NULL)
        return -ENOMEM;
    json_object_foreach(caps, cap, on)
    {
        json_t *value = json_object_get(rt, cap);
        if (json_is_true(on) && value && json_object_set(out, cap, value) < 0)
            return -ENOMEM;
    }
    if (json_object_size(out) > 0 && json_object_set(conf, "runtimeConfig", out) < 0)
        return -ENOMEM;
    return 0;
}

/* conf (a copy of plugin) gets the list's name and cniVersion, prev as its prevResult
 * and its runtimeConfig. */
static int fill_plugin_conf(json_t *conf, const json_t *state, const json_t *plugin,
                            const json_t *prev)
{
    const json_t *list = json_object_get(state, "list");
    const char *keys[] = {"name", "cniVersion"};
    for (size_t i = 0; i < 2; i++) {
        json_t *v = json_object_get(list, keys[i]);
        if (v && json_object_set(conf, keys[i], v) < 0)
            return -ENOMEM;
    }
    json_object_del(conf, "prevResult");
    if (prev && json_object_set(conf, "prevResult", (json_t *)prev) < 0)
        return -ENOMEM;
    return add_runtime_config(conf, plugin, json_object_get(state, "runtime"));
}

static json_t *plugin_conf(const json_t *state, const json_t *plugin, const json_t *prev)
{
    json_t *conf = json_deep_copy(plugin);
    if (conf && fill_plugin_conf(conf, state, plugin, prev) < 0) {
        json_decref(conf);
        return NULL;
    }
    return conf;
}

static const char *state_str(const json_t *state, const char *key)
{
    const char *v = json_string_value(json_object_get(state, key));
    return v ? v : "";
}

static int run_plugin(const cni_settings *s, const json_t *state, const json_t *plugin,
                      const char *command, const json_t *prev, json_t **ret_result, wc_error *err)
{
    json_auto_t *conf = plugin_conf(state, plugin, prev);
    if (conf == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    const char *netns = state_str(state, "netns");
    if (strcmp(command, "DEL") == 0 && access(netns, F_OK) < 0)
        netns = ""; /* gone already: plugins still release what they hold outside it */
    cni_exec_req req = {
        .type = state_str(plugin, "type"),
        .bin_dirs = s->bin_dirs,
        .command = command,
        .container_id = state_str(state, "id"),
        .netns = netns,
        .ifname = state_str(state, "ifname"),
        .args = state_str(state, "args"),
        .config = conf,
        .timeout_ms = s->timeout_ms,
    };
    return cni_exec_plugin(&req, ret_result, err);
}

/* DEL over the whole list, last plugin first; returns the first error. */
static int del_chain(const cni_settings *s, const json_t *state, wc_error *err)
{
    json_t *plugins = json_object_get(json_object_get(state, "list"), "plugins");
    const json_t *prev = json_object_get(state, "result");
    int first = 0;
    for (size_t i = json_array_size(plugins); i-- > 0;) {
        wc_error one = {0};
        json_t *out = NULL;
        int rc = run_plugin(s, state, json_array_get(plugins, i), "DEL", prev, &out, &one);
        json_decref(out);
        if (rc < 0 && first == 0) {
            first = rc;
            if (err)
                *err = one;
        }
    }
    return first;
}

/* ADD with each plugin of the list in turn; *prev: the last result. */
static int add_each(const cni_settings *s, json_t *state, json_t **prev, wc_error *err)
{
    json_t *plugins = json_object_get(json_object_get(state, "list"), "plugins");
    for (size_t i = 0; i < json_array_size(plugins); i++) {
        json_t *plugin = json_array_get(plugins, i), *out = NULL;
        TRY(run_plugin(s, state, plugin, "ADD", *prev, &out, err));
        if (out == NULL)
            return wc_error_set(err, -EIO, "CNI plugin %s ADD printed no result",
                                state_str(plugin, "type"));
        json_decref(*prev);
        *prev = out;
    }
    return 0;
}

/* ADD over the whole list; the last result goes into state["result"] (also when a
 * later plugin failed: DEL reads it). */
static int add_chain(const cni_settings *s, json_t *state, wc_error *err)
{
    json_t *prev = NULL;
    int rc = add_each(s, state, &prev, err);
    if (prev && json_object_set_new(state, "result", prev) < 0)
        return rc < 0 ? rc : wc_error_set(err, -ENOMEM, "out of memory");
    return rc;
}

int cni_net_prepare(const cni_settings *s, const cni_attach *a, char **ret_state, wc_error *err)
{
    json_auto_t *list = NULL, *rt = NULL, *state = NULL;
    _cleanup_free_ char *args = NULL;
    TRY(cni_config_load(s->conf_dir, s->bin_dirs, wc_strv_len(s->bin_dirs), &list, err));
    TRY(cni_pod_args(a->id, a->name, a->namespace_, a->uid, &args, err));
    TRY(cni_runtime_config(a->ports, a->n_ports, a->annotations, a->dns_servers, a->dns_searches,
                           a->dns_options, &rt, err));
    state = json_pack("{s:O, s:s, s:s, s:s, s:s, s:O}", "list", list, "id", a->id, "args", args,
                      "netns", a->netns, "ifname", CNI_IFNAME, "runtime", rt);
    *ret_state = state ? json_dumps(state, JSON_COMPACT) : NULL;
    return *ret_state ? 0 : wc_error_set(err, -ENOMEM, "out of memory");
}

static int load_state(const char *text, json_t **ret_state, wc_error *err)
{
    json_error_t jerr;
    *ret_state = json_loads(text, 0, &jerr);
    if (json_is_object(*ret_state))
        return 0;
    json_decref(*ret_state);
    *ret_state = NULL;
    return wc_error_set(err, -EINVAL, "the pod's CNI state cannot be read: %s", jerr.text);
}

/* ADD over the chain; then the pod's addresses and the state to keep, as text. */
static int add_and_report(const cni_settings *s, json_t *state, char **ret_state, char ***ret_ips,
                          wc_error *err)
{
    _cleanup_strv_ char **ips = NULL;
    TRY(add_chain(s, state, err));
    TRY(cni_result_ips(json_object_get(state, "result"), &ips, err));
    *ret_state = json_dumps(state, JSON_COMPACT);
    if (*ret_state == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    *ret_ips = take_ptr(ips);
    return 0;
}

int cni_net_add(const cni_settings *s, const char *prepared, char **ret_state, char ***ret_ips,
                wc_error *err)
{
    json_auto_t *state = NULL;
    TRY(load_state(prepared, &state, err));
    if (add_and_report(s, state, ret_state, ret_ips, err) < 0) {
        del_chain(s, state, NULL);
        return wc_error_wrap(err, "CNI network \"%s\"",
                             state_str(json_object_get(state, "list"), "name"));
    }
    return 0;
}

int cni_net_del(const cni_settings *s, const char *state_text, wc_error *err)
{
    json_auto_t *state = NULL;
    TRY(load_state(state_text, &state, err));
    if (del_chain(s, state, err) < 0)
        return wc_error_wrap(err, "CNI network \"%s\" DEL",
                             state_str(json_object_get(state, "list"), "name"));
    return 0;
}
