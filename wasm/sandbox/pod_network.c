/* A pod's CNI network, between the pod registry (pod_registry.c) and the CNI
 * protocol (cni_net.c): what of the pod ADD is given, and where its state and IPs
 * are kept (the pod record, so DEL works after a restart). Plugins always run with
 * the sandbox's mutex released; DEL re-finds the pod afterwards, as it may be gone.
 */
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cni_net.h"
#include "record_table.h"
#include "sandbox_int.h"
#include "strv.h"

/* Writes the pod's record, then runs the CNI ADD of its prepared state. */
static int save_and_add(wc_sandbox *sb, wc_pod *p, char **ret_state, char ***ret_ips, wc_error *err)
{
    pthread_mutex_lock(&sb->mu);
    int rc = sb_save_pod(sb, p, err);
    pthread_mutex_unlock(&sb->mu);
    TRY(rc);
    return cni_net_add(&sb->cni, p->cni_state, ret_state, ret_ips, err);
}

int sb_pod_net_add(wc_sandbox *sb, wc_pod *p, wc_error *err)
{
    if (p->net_mode == WC_NS_NODE || sb->cni.conf_dir == NULL)
        return 0;
    cni_attach a = {
        .id = p->id,
        .name = p->name,
        .namespace_ = p->namespace_,
        .uid = p->uid,
        .netns = p->netns_path,
        .ports = p->port_mappings,
        .n_ports = p->n_port_mappings,
        .annotations = p->annotations,
        .dns_servers = p->dns_servers,
        .dns_searches = p->dns_searches,
        .dns_options = p->dns_options,
    };
    char *prepared = NULL, *state = NULL, **ips = NULL;
    int rc = cni_net_prepare(&sb->cni, &a, &prepared, err);
    if (rc == -ENOENT)
        return 0; /* no network config on the node: loopback only */
    if (rc < 0)
        return rc;
    wc_record_free_str(p->cni_state);
    p->cni_state = prepared;
    /* Written (NOTREADY) before any plugin runs: should the daemon die during ADD, the
     * pod is there after the restart, and its removal runs DEL. */
    p->state = WC_POD_NOTREADY;
    rc = save_and_add(sb, p, &state, &ips, err);
    if (rc < 0) { /* nothing to DEL: ADD did not run, or undid itself */
        wc_record_set_str(&p->cni_state, "");
        return rc;
    }
    wc_record_free_str(p->cni_state);
    wc_record_free_strv(p->ips);
    p->cni_state = state;
    p->ips = ips;
    p->state = WC_POD_READY;
    return 0;
}

/* Forgets the network the DEL of state released; mu held. */
static int forget_network(wc_sandbox *sb, const char *id, const char *state, wc_error *err)
{
    wc_pod *p = NULL;
    if (sb_find_pod(sb, id, &p, NULL) < 0 || strcmp(p->cni_state, state) != 0)
        return 0; /* removed, or another call already did it */
    if (wc_record_set_str(&p->cni_state, "") < 0 || wc_record_set_strv(&p->ips, NULL) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    return sb_save_pod(sb, p, err);
}

/* The full id of pod id and a copy of its CNI state; mu held. */
static int find_cni_state(wc_sandbox *sb, const char *id, char pod_id[WC_ID_SIZE], char **ret_state,
                          wc_error *err)
{
    wc_pod *p = NULL;
    TRY(sb_find_pod(sb, id, &p, err));
    memcpy(pod_id, p->id, WC_ID_SIZE);
    *ret_state = strdup(p->cni_state);
    return *ret_state ? 0 : wc_error_set(err, -ENOMEM, "out of memory");
}

int sb_pod_net_del(wc_sandbox *sb, const char *id, wc_error *err)
{
    _cleanup_free_ char *state = NULL;
    char pod_id[WC_ID_SIZE];
    pthread_mutex_lock(&sb->mu);
    int rc = find_cni_state(sb, id, pod_id, &state, err);
    pthread_mutex_unlock(&sb->mu);
    TRY(rc);
    if (*state == '\0')
        return 0;
    if (sb->cni.bin_dirs == NULL)
        return wc_error_set(err, -ENOEXEC, "pod %s has a CNI network but no CNI bin dirs are set",
                            pod_id);
    rc = cni_net_del(&sb->cni, state, err);
    if (rc < 0)
        return rc;
    pthread_mutex_lock(&sb->mu);
    rc = forget_network(sb, pod_id, state, err);
    pthread_mutex_unlock(&sb->mu);
    return rc;
}
