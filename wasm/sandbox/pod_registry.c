/* Pods: RunPodSandbox, StopPodSandbox, RemovePodSandbox, status and list.
 *
 * Run, as a flat list of steps: check (name, namespace, uid, attempt) is free →
 * make the record → the pod directory with resolv.conf and hostname (what the
 * containers will see at /etc/resolv.conf and /etc/hostname) → the log directory →
 * the network namespace (unless host network) → [mutex released] CNI ADD
 * (pod_network.c; the pod sits in sb->starting meanwhile, so its name stays taken)
 * → write the record → publish it. A failing step undoes the ones before it.
 * Stop and remove are idempotent, run CNI DEL (once) before the netns goes, and
 * succeed for a pod that is gone (the CRI contract: everything is reclaimed).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "ctr_user_file.h"
#include "fs.h"
#include "netns.h"
#include "record.h"
#include "sandbox_int.h"

/* The pod's directory: at the path dir from the directory at (AT_FDCWD or sb->pods_fd). */
typedef struct pod_dir_at {
    int at;
    const char *dir;
} pod_dir_at;

static int write_file(const wc_pod *p, pod_dir_at d, const char *name, const char *text,
                      wc_error *err)
{
    char path[4096], dir[4096];
    TRY(wc_path(path, sizeof(path), err, "%s/%s", d.dir, name));
    int rc = sb_write_small_file(d.at, path, text, 0666, false);
    return rc < 0 ? wc_error_set_errno(err, rc, "cannot write %s/%s",
                                       wc_pod_dir(p, dir, sizeof(dir)), name)
                  : 0;
}

/* resolv.conf in the usual syntax from the pod's DNS config (empty when none given). */
static int write_resolv_conf(const wc_pod *p, pod_dir_at d, wc_error *err)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (m == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    for (size_t i = 0; p->dns_servers[i]; i++)
        fprintf(m, "nameserver %s\n", p->dns_servers[i]);
    for (size_t i = 0; p->dns_searches[i]; i++)
        fprintf(m, "%s%s", i ? " " : "search ", p->dns_searches[i]);
    if (p->dns_searches[0])
        fputc('\n', m);
    for (size_t i = 0; p->dns_options[i]; i++)
        fprintf(m, "%s%s", i ? " " : "options ", p->dns_options[i]);
    if (p->dns_options[0])
        fputc('\n', m);
    fclose(m);
    int rc = write_file(p, d, "resolv.conf", text, err);
    free(text);
    return rc;
}

/* The pod's resolv.conf and hostname, under <state>/pods/<id>: derived from the
 * record, so they live with the runtime state (tmpfs under systemd, as cheap as a
 * file gets) and are written again if a reboot took them (sb_pod_files). A new pod's
 * are made relative to <state>/pods (sb->pods_fd): each call walks two names, not the
 * whole path. */
static int write_pod_files(wc_pod *p, pod_dir_at d, wc_error *err)
{
    char dir[4096], host_line[300];
    int rc = mkdirat(d.at, d.dir, 0711) < 0 && errno != EEXIST ? -errno : 0;
    if (rc < 0)
        return wc_error_set_errno(err, rc, "cannot create the pod directory %s",
                                  wc_pod_dir(p, dir, sizeof(dir)));
    snprintf(host_line, sizeof(host_line), "%s\n", *p->hostname ? p->hostname : p->name);
    TRY(write_resolv_conf(p, d, err));
    TRY(write_file(p, d, "hostname", host_line, err));
    p->files_ok = true;
    return 0;
}

int sb_pod_files(wc_pod *p, wc_error *err)
{
    char path[4096], dir[4096];
    if (p->files_ok)
        return 0;
    TRY(wc_path(path, sizeof(path), err, "%s/hostname", wc_pod_dir(p, dir, sizeof(dir))));
    if (access(path, F_OK) < 0)
        return write_pod_files(p, (pod_dir_at){AT_FDCWD, dir}, err);
    p->files_ok = true;
    return 0;
}

static int prepare_pod_dir(wc_sandbox *sb, wc_pod *p, wc_error *err)
{
    char path[4096];
    TRY(wc_path(path, sizeof(path), err, "%s/pods/%s", sb->state_dir, p->id)); /* it must fit */
    path[strlen(path) - WC_ID_LEN - 1] = '\0'; /* the record keeps <state>/pods */
    if (wc_record_set_str(&p->dir_parent, path) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    return write_pod_files(p, (pod_dir_at){sb->pods_fd, p->id}, err);
}

static int prepare_netns(wc_sandbox *sb, wc_pod *p, wc_error *err)
{
    if (p->net_mode == WC_NS_NODE)
        return 0;
    char path[4096];
    TRY(wc_path(path, sizeof(path), err, "%s/netns/%s", sb->state_dir, p->id));
    free(p->netns_path);
    p->netns_path = strdup(path);
    if (p->netns_path == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    return wc_netns_create(path, err);
}

/* Undoes what prepare_* made; errors are ignored (best effort on a failure path). */
static void discard_pod_files(wc_pod *p)
{
    if (*p->netns_path)
        wc_netns_remove(p->netns_path, NULL);
    char dir[4096];
    if (*wc_pod_dir(p, dir, sizeof(dir)))
        sb_rmtree(dir, NULL);
}

static int delete_record(wc_sandbox *sb, const char *id, wc_error *err)
{
    char key[80];
    snprintf(key, sizeof(key), "pod/%s", id);
    return wc_store_kv_delete(sb->store, key, err);
}

static int name_taken(const wc_pod *p, const wc_pod_spec *spec, wc_error *err)
{
    return wc_error_set(err, -EEXIST, "pod %s/%s (uid %s, attempt %u) already exists as %s",
                        spec->namespace_ ? spec->namespace_ : "", spec->name,
                        spec->uid ? spec->uid : "", spec->attempt, p->id);
}

/* Published and starting pods alike hold their names (record_index.c). */
static int check_name_free(wc_sandbox *sb, const wc_pod_spec *spec, wc_error *err)
{
    wc_pod *p = NULL;
    if (sb_pod_by_name(sb, spec, &p) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    return p ? name_taken(p, spec, err) : 0;
}

/* Takes p off sb->starting (if it is there); mu held. */
static void started(wc_sandbox *sb, const wc_pod *p)
{
    for (size_t i = 0; i < sb->n_starting; i++)
        if (sb->starting[i] == p) {
            sb->starting[i] = sb->starting[--sb->n_starting];
            return;
        }
}

/* The steps up to the network namespace, mu held; p then waits in sb->starting. */
static int prepare_pod(wc_sandbox *sb, const wc_pod_spec *spec, wc_pod **p, wc_error *err)
{
    TRY(check_name_free(sb, spec, err));
    TRY(wc_pod_from_spec(spec, p, err));
    TRY(prepare_pod_dir(sb, *p, err));
    if (*(*p)->log_directory)
        TRY(wc_mkdirs((*p)->log_directory, 0755, err));
    TRY(prepare_netns(sb, *p, err));
    wc_pod *packed = wc_pod_pack(*p); /* from now on only its network's fields change */
    if (packed == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    *p = packed;
    if (sb_reserve((void ***)&sb->starting, &sb->cap_starting, sb->n_starting) < 0 ||
        sb_claim_pod_name(sb, *p) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    sb->starting[sb->n_starting++] = *p;
    return 0;
}

/* Writes the record of a pod whose network is up and lists it; mu held. */
static int publish_pod(wc_sandbox *sb, wc_pod *p, char ret_id[WC_ID_SIZE], wc_error *err)
{
    TRY(sb_save_pod(sb, p, err));
    if (sb_add_pod(sb, p) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    memcpy(ret_id, p->id, WC_ID_SIZE);
    return 0;
}

/* CNI ADD with the mutex released, then off sb->starting and, when it worked, published. */
static int add_network(wc_sandbox *sb, wc_pod *p, char ret_id[WC_ID_SIZE], wc_error *err)
{
    int rc = sb_pod_net_add(sb, p, err);
    pthread_mutex_lock(&sb->mu);
    started(sb, p);
    if (rc == 0)
        rc = publish_pod(sb, p, ret_id, err);
    if (rc < 0)
        sb_release_pod_name(sb, p);
    pthread_mutex_unlock(&sb->mu);
    return rc;
}

static int run_pod(wc_sandbox *sb, const wc_pod_spec *spec, wc_pod **p, char ret_id[WC_ID_SIZE],
                   wc_error *err)
{
    pthread_mutex_lock(&sb->mu);
    int rc = prepare_pod(sb, spec, p, err);
    pthread_mutex_unlock(&sb->mu);
    TRY(rc);
    return add_network(sb, *p, ret_id, err);
}

int wc_pod_run(wc_sandbox *sb, const wc_pod_spec *spec, char ret_id[WC_ID_SIZE], wc_error *err)
{
    wc_pod *p = NULL;
    int rc = run_pod(sb, spec, &p, ret_id, err);
    if (rc < 0 && p) {
        if (*p->cni_state)
            cni_net_del(&sb->cni, p->cni_state, NULL);
        delete_record(sb, p->id, NULL); /* sb_pod_net_add may have written it */
        discard_pod_files(p);
        wc_pod_free(p);
    }
    return rc;
}

/* Marks the pod as being reclaimed (no container is created or started in it from now
 * on) and lists its containers: all it will ever have. Its full id goes to pod_id; mu held. */
static int begin_reclaim(wc_sandbox *sb, const char *id, char pod_id[WC_ID_SIZE], char ***ret_ids,
                         wc_error *err)
{
    wc_pod *p = NULL;
    TRY(sb_find_pod(sb, id, &p, err));
    *ret_ids = sb_pod_ctr_ids(sb, p->id);
    if (*ret_ids == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    memcpy(pod_id, p->id, WC_ID_SIZE);
    p->reclaims++;
    return 0;
}

/* The reclaim is over; the pod may be gone (removed). mu held. */
static void end_reclaim(wc_sandbox *sb, const char *pod_id)
{
    wc_pod *p = NULL;
    if (sb_find_pod(sb, pod_id, &p, NULL) == 0 && p->reclaims > 0)
        p->reclaims--;
}

static int reclaim_steps(wc_sandbox *sb, const char *pod_id, char **ctr_ids,
                         int (*ctr_fn)(wc_sandbox *, const char *, wc_error *),
                         int (*pod_fn)(wc_sandbox *, const char *, wc_error *), wc_error *err)
{
    for (size_t i = 0; ctr_ids[i]; i++)
        TRY(ctr_fn(sb, ctr_ids[i], err));
    TRY(sb_pod_net_del(sb, pod_id, err));
    pthread_mutex_lock(&sb->mu);
    int rc = pod_fn(sb, pod_id, err);
    pthread_mutex_unlock(&sb->mu);
    return rc;
}

/* Stop and remove: ctr_fn on each container of the pod, CNI DEL, then pod_fn with mu
 * held. -ENOENT: the pod is gone. */
static int reclaim_pod(wc_sandbox *sb, const char *id,
                       int (*ctr_fn)(wc_sandbox *, const char *, wc_error *),
                       int (*pod_fn)(wc_sandbox *, const char *, wc_error *), wc_error *err)
{
    _cleanup_strv_ char **ids = NULL;
    char pod_id[WC_ID_SIZE];
    pthread_mutex_lock(&sb->mu);
    int rc = begin_reclaim(sb, id, pod_id, &ids, err);
    pthread_mutex_unlock(&sb->mu);
    TRY(rc);
    rc = reclaim_steps(sb, pod_id, ids, ctr_fn, pod_fn, err);
    pthread_mutex_lock(&sb->mu);
    end_reclaim(sb, pod_id);
    pthread_mutex_unlock(&sb->mu);
    return rc;
}

/* Its network namespace goes, it is marked not ready; mu held. */
static int stop_locked(wc_sandbox *sb, const char *id, wc_error *err)
{
    wc_pod *p = NULL;
    TRY(sb_find_pod(sb, id, &p, err));
    if (*p->netns_path)
        TRY(wc_netns_remove(p->netns_path, err));
    if (p->state == WC_POD_NOTREADY)
        return 0;
    p->state = WC_POD_NOTREADY;
    return sb_save_pod(sb, p, err);
}

int wc_pod_stop(wc_sandbox *sb, const char *id, wc_error *err)
{
    int rc = reclaim_pod(sb, id, wc_container_stop, stop_locked, err);
    return rc == -ENOENT ? 0 : rc; /* gone: nothing left to reclaim */
}

static void release_pod_cgroup(wc_sandbox *sb, const wc_pod *p)
{
    char group[4096];
    if (sb->cg == NULL ||
        wc_cgroup_parent_path(sb->cgroup_driver, p->cgroup_parent, group, sizeof(group), NULL) < 0)
        return;
    if (*group)
        sb->cg->pod_release(group);
}

/* Its network namespace, directory, cgroup and record go; mu held. */
static int remove_locked(wc_sandbox *sb, const char *id, wc_error *err)
{
    wc_pod *p = NULL;
    TRY(sb_find_pod(sb, id, &p, err));
    if (*p->netns_path)
        TRY(wc_netns_remove(p->netns_path, err));
    char dir[4096];
    TRY(sb_rmtree(wc_pod_dir(p, dir, sizeof(dir)), err));
    release_pod_cgroup(sb, p);
    TRY(delete_record(sb, p->id, err));
    sb_drop_pod(sb, p);
    sb_bury_pod(sb, p);
    if (sb->n_pods == 0)
        sb_ctr_users_remove(sb);
    return 0;
}

int wc_pod_remove(wc_sandbox *sb, const char *id, wc_error *err)
{
    int rc = reclaim_pod(sb, id, wc_container_remove, remove_locked, err);
    return rc == -ENOENT ? 0 : rc; /* gone: nothing left to reclaim */
}

static int copy_pod(wc_sandbox *sb, const char *id, wc_pod **ret_pod, wc_error *err)
{
    wc_pod *p = NULL;
    TRY(sb_find_pod(sb, id, &p, err));
    *ret_pod = wc_pod_copy(p);
    return *ret_pod ? 0 : wc_error_set(err, -ENOMEM, "out of memory");
}

int wc_pod_get(wc_sandbox *sb, const char *id, wc_pod **ret_pod, wc_error *err)
{
    pthread_mutex_lock(&sb->mu);
    int rc = copy_pod(sb, id, ret_pod, err);
    pthread_mutex_unlock(&sb->mu);
    return rc;
}

bool sb_pod_matches(const wc_pod *p, const wc_pod_filter *f)
{
    if (f == NULL)
        return true;
    if (f->id && *f->id && strncmp(p->id, f->id, strlen(f->id)) != 0)
        return false;
    if (f->state >= 0 && (int)p->state != f->state)
        return false;
    return rec_map_matches(p->labels, f->labels);
}

int wc_pod_each(wc_sandbox *sb, const wc_pod_filter *f, wc_pod_fn fn, void *ctx)
{
    pthread_mutex_lock(&sb->mu);
    int rc = 0;
    for (size_t i = 0; rc >= 0 && i < sb->n_pods; i++)
        if (sb_pod_matches(sb->pods[i], f))
            rc = fn(ctx, sb->pods[i]);
    pthread_mutex_unlock(&sb->mu);
    return rc < 0 ? rc : 0;
}

typedef struct pod_copies {
    wc_pod **items;
    size_t n, cap;
} pod_copies;

static int copy_listed_pod(void *ctx, const wc_pod *p)
{
    pod_copies *out = ctx;
    if (sb_reserve((void ***)&out->items, &out->cap, out->n + 1) < 0)
        return -ENOMEM;
    out->items[out->n] = wc_pod_copy(p);
    return out->items[out->n++] ? 0 : -ENOMEM;
}

int wc_pod_list(wc_sandbox *sb, const wc_pod_filter *f, wc_pod ***ret_pods, size_t *ret_n,
                wc_error *err)
{
    pod_copies out = {0};
    if (sb_reserve((void ***)&out.items, &out.cap, 0) < 0 ||
        wc_pod_each(sb, f, copy_listed_pod, &out) < 0) {
        wc_pod_list_free(out.items, out.n);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    *ret_pods = out.items;
    *ret_n = out.n;
    return 0;
}
