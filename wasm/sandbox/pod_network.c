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
    free(p->cni_state);
    p->cni_state = prepared;
    /* Written (NOTREADY) before any plugin runs: should the daemon die during ADD, the
     * pod is there after the restart, and its removal runs DEL. */
    p->state = WC_POD_NOTREADY;
    pthread_mutex_lock(&sb->mu);
    rc = sb_save_pod(sb, p, err);
    pthread_mutex_unlock(&sb->mu);
    rc = rc ?: cni_net_add(&sb->cni, prepared, &state, &ips, err);
    if (rc < 0) { /* nothing to DEL: ADD did not run, or undid itself */
        wc_record_set_str(&p->cni_state, "");
        return rc;
    }
    free(p->cni_state);
    wc_strv_free(p->ips);
    p->cni_state = state;
    p->ips = ips;
    p->state = WC_POD_READY;
    return 0;
}

bool wc_pod_has_cni(wc_sandbox *sb, const char *id)
{
    wc_pod *p = NULL;
    pthread_mutex_lock(&sb->mu);
    bool has = sb_find_pod(sb, id, &p, NULL) == 0 && *p->cni_state;
    pthread_mutex_unlock(&sb->mu);
    return has;
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

int sb_pod_net_del(wc_sandbox *sb, const char *id, wc_error *err)
{
    wc_pod *p = NULL;
    pthread_mutex_lock(&sb->mu);
    int rc = sb_find_pod(sb, id, &p, err);
    _cleanup_free_ char *state = rc == 0 ? strdup(p->cni_state) : NULL;
    char pod_id[WC_ID_SIZE];
    if (rc == 0)
        memcpy(pod_id, p->id, sizeof(pod_id));
    pthread_mutex_unlock(&sb->mu);
    if (rc < 0)
        return rc;
    if (state == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
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
