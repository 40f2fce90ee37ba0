/* Pod records: creation from a RunPodSandbox spec, the JSON codec, copies.
 * To add a field: the struct (pod.h), wc_pod_from_spec, encode and decode below;
 * the codec round-trip unit test (tests/unit/test_records.c) checks the last two.
 */
#include "pod.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "record.h"
#include "strv.h"

void wc_pod_free(wc_pod *pod)
{
    if (pod == NULL)
        return;
    free(pod->name);
    free(pod->uid);
    free(pod->namespace_);
    wc_strv_free(pod->labels);
    wc_strv_free(pod->annotations);
    free(pod->hostname);
    free(pod->log_directory);
    free(pod->runtime_handler);
    free(pod->cgroup_parent);
    wc_strv_free(pod->dns_servers);
    wc_strv_free(pod->dns_searches);
    wc_strv_free(pod->dns_options);
    free(pod->netns_path);
    free(pod->dir);
    free(pod);
}

void wc_pod_list_free(wc_pod **pods, size_t n)
{
    for (size_t i = 0; pods && i < n; i++)
        wc_pod_free(pods[i]);
    free(pods);
}

static char *dup0(const char *s)
{
    return strdup(s ? s : "");
}

static bool pod_complete(const wc_pod *p)
{
    return p->name && p->uid && p->namespace_ && p->labels && p->annotations && p->hostname &&
           p->log_directory && p->runtime_handler && p->cgroup_parent && p->dns_servers &&
           p->dns_searches && p->dns_options && p->netns_path && p->dir;
}

/* A word of a line in resolv.conf or hostname: no blank or control character, which
 * would start another word or line there. */
static int check_word(const char *field, const char *word, wc_error *err)
{
    for (const unsigned char *c = (const unsigned char *)word; c && *c; c++)
        if (*c <= ' ' || *c == 0x7f)
            return wc_error_set(err, -EINVAL,
                                "the pod config's %s \"%s\" contains a blank or control "
                                "character (0x%02x)",
                                field, word, *c);
    return 0;
}

static int check_words(const char *field, char *const *words, wc_error *err)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && words && words[i]; i++)
        rc = check_word(field, words[i], err);
    return rc;
}

/* What goes into the pod's resolv.conf and hostname files. */
static int check_pod_files_input(const wc_pod_spec *s, wc_error *err)
{
    bool named = s->hostname && *s->hostname; /* else the name is the hostname */
    int rc = check_word(named ? "hostname" : "metadata.name", named ? s->hostname : s->name, err);
    rc = rc ?: check_words("dns_config.servers", s->dns_servers, err);
    rc = rc ?: check_words("dns_config.searches", s->dns_searches, err);
    return rc ?: check_words("dns_config.options", s->dns_options, err);
}

int wc_pod_from_spec(const wc_pod_spec *s, wc_pod **ret_pod, wc_error *err)
{
    if (s->name == NULL || *s->name == '\0')
        return wc_error_set(err, -EINVAL, "the pod config has no metadata.name");
    int rc = check_pod_files_input(s, err);
    if (rc < 0)
        return rc;
    wc_pod *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    if (rec_new_id(p->id) < 0) {
        free(p);
        return wc_error_set(err, -EIO, "no randomness for a pod id");
    }
    p->name = dup0(s->name);
    p->uid = dup0(s->uid);
    p->namespace_ = dup0(s->namespace_);
    p->attempt = s->attempt;
    p->labels = wc_strv_copy(s->labels);
    p->annotations = wc_strv_copy(s->annotations);
    p->hostname = dup0(s->hostname);
    p->log_directory = dup0(s->log_directory);
    p->runtime_handler = dup0(s->runtime_handler);
    p->cgroup_parent = dup0(s->cgroup_parent);
    p->dns_servers = wc_strv_copy(s->dns_servers);
    p->dns_searches = wc_strv_copy(s->dns_searches);
    p->dns_options = wc_strv_copy(s->dns_options);
    p->net_mode = s->net_mode;
    p->pid_mode = s->pid_mode;
    p->ipc_mode = s->ipc_mode;
    p->netns_path = dup0("");
    p->dir = dup0("");
    p->state = WC_POD_READY;
    p->created_at = rec_now_ns();
    if (!pod_complete(p)) {
        wc_pod_free(p);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    *ret_pod = p;
    return 0;
}

char *wc_pod_encode(const wc_pod *p)
{
    json_t *o = json_object();
    int rc = o ? 0 : -ENOMEM;
    rc = rc ?: rec_set_str(o, "id", p->id);
    rc = rc ?: rec_set_str(o, "name", p->name);
    rc = rc ?: rec_set_str(o, "uid", p->uid);
    rc = rc ?: rec_set_str(o, "namespace", p->namespace_);
    rc = rc ?: rec_set_int(o, "attempt", p->attempt);
    rc = rc ?: rec_set_strv(o, "labels", p->labels);
    rc = rc ?: rec_set_strv(o, "annotations", p->annotations);
    rc = rc ?: rec_set_str(o, "hostname", p->hostname);
    rc = rc ?: rec_set_str(o, "log_directory", p->log_directory);
    rc = rc ?: rec_set_str(o, "runtime_handler", p->runtime_handler);
    rc = rc ?: rec_set_str(o, "cgroup_parent", p->cgroup_parent);
    rc = rc ?: rec_set_strv(o, "dns_servers", p->dns_servers);
    rc = rc ?: rec_set_strv(o, "dns_searches", p->dns_searches);
    rc = rc ?: rec_set_strv(o, "dns_options", p->dns_options);
    rc = rc ?: rec_set_int(o, "net_mode", p->net_mode);
    rc = rc ?: rec_set_int(o, "pid_mode", p->pid_mode);
    rc = rc ?: rec_set_int(o, "ipc_mode", p->ipc_mode);
    rc = rc ?: rec_set_str(o, "netns_path", p->netns_path);
    rc = rc ?: rec_set_str(o, "dir", p->dir);
    rc = rc ?: rec_set_int(o, "state", p->state);
    rc = rc ?: rec_set_int(o, "created_at", p->created_at);
    char *text = rc == 0 ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return text;
}

int wc_pod_decode(const char *json, size_t len, wc_pod **ret_pod, wc_error *err)
{
    json_error_t jerr;
    json_t *o = json_loadb(json, len, 0, &jerr);
    if (!json_is_object(o)) {
        json_decref(o);
        return wc_error_set(err, -EINVAL, "pod record is not a JSON object: %s", jerr.text);
    }
    const char *id = json_string_value(json_object_get(o, "id"));
    if (id == NULL || strlen(id) != 64) {
        json_decref(o);
        return wc_error_set(err, -EINVAL, "pod record without a 64-digit id");
    }
    wc_pod *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        json_decref(o);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    memcpy(p->id, id, 65);
    p->name = rec_dup_str(o, "name");
    p->uid = rec_dup_str(o, "uid");
    p->namespace_ = rec_dup_str(o, "namespace");
    p->attempt = (uint32_t)rec_int(o, "attempt");
    p->labels = rec_dup_strv(o, "labels");
    p->annotations = rec_dup_strv(o, "annotations");
    p->hostname = rec_dup_str(o, "hostname");
    p->log_directory = rec_dup_str(o, "log_directory");
    p->runtime_handler = rec_dup_str(o, "runtime_handler");
    p->cgroup_parent = rec_dup_str(o, "cgroup_parent");
    p->dns_servers = rec_dup_strv(o, "dns_servers");
    p->dns_searches = rec_dup_strv(o, "dns_searches");
    p->dns_options = rec_dup_strv(o, "dns_options");
    p->net_mode = (int)rec_int(o, "net_mode");
    p->pid_mode = (int)rec_int(o, "pid_mode");
    p->ipc_mode = (int)rec_int(o, "ipc_mode");
    p->netns_path = rec_dup_str(o, "netns_path");
    p->dir = rec_dup_str(o, "dir");
    p->state = rec_int(o, "state") == WC_POD_READY ? WC_POD_READY : WC_POD_NOTREADY;
    p->created_at = rec_int(o, "created_at");
    json_decref(o);
    if (!pod_complete(p)) {
        wc_pod_free(p);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    *ret_pod = p;
    return 0;
}

wc_pod *wc_pod_copy(const wc_pod *pod)
{
    char *text = wc_pod_encode(pod);
    wc_pod *copy = NULL;
    if (text)
        wc_pod_decode(text, strlen(text), &copy, NULL);
    free(text);
    return copy;
}
