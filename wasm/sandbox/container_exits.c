/* The sandbox's link to the zygote: exits flow in here and become records.
 *
 * on_zygote_event runs on the zygote client's reader thread. A container exit is
 * written to the store, then acknowledged, so the zygote forgets it only once it
 * is safe: an exit delivered twice finds the container exited already and is
 * acknowledged again, and one the store failed to write (a full disk) stays
 * unacknowledged, so the zygote sends it again to the next daemon. Exec exits go to
 * the exec waiters (exec.c). When the zygote goes away, its workers went with it
 * (they die with their parent), so
 * every running container is marked exited. At attach, every worker the zygote
 * has is matched to its record or killed (claim_worker).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "json_util.h"
#include "log.h"
#include "record.h"
#include "sandbox_int.h"
#include "strset.h"
#include "strv.h"

static void record_exit(wc_sandbox *sb, const json_t *ev)
{
    const char *id = json_string_value(json_object_get(ev, "id")) ?: "";
    wc_container *c = NULL;
    wc_error err = {0};
    bool saved = true;
    pthread_mutex_lock(&sb->mu);
    /* CREATED and not starting: the daemon died before it recorded the start */
    if (strlen(id) == WC_ID_LEN && sb_find_ctr(sb, id, &c, NULL) == 0 &&
        (c->state == WC_CTR_RUNNING || c->state == WC_CTR_CREATED)) {
        bool unrecorded = c->state == WC_CTR_CREATED && !c->starting;
        c->state = WC_CTR_EXITED;
        c->exit_code = (int32_t)wc_json_int(ev, "exit_code", 0);
        c->finished_at = wc_json_int(ev, "finished_at", 0);
        const char *reason = json_string_value(json_object_get(ev, "reason"));
        const char *message = json_string_value(json_object_get(ev, "message"));
        wc_container_set(&c->reason, reason ? reason : (c->exit_code ? "Error" : "Completed"));
        char group[4096 + 80];
        const char *own = sb_ctr_cgroup(c, group, sizeof(group));
        if (c->exit_code == 137 && sb->cg && *own && sb->cg->oom_kills(own) > 0)
            wc_container_set(&c->reason, "OOMKilled"); /* the cgroup limit, not the wasm cap */
        wc_container_set(&c->message, message ? message : "");
        if (unrecorded)
            c->started_at = c->finished_at; /* unknown: not before its exit */
        saved = sb_save_ctr(sb, c, &err) == 0;
        if (!c->starting) /* otherwise start emits STARTED, then STOPPED */
            sb_emit(sb, WC_EVENT_STOPPED, c);
        pthread_cond_broadcast(&sb->changed);
    }
    pthread_mutex_unlock(&sb->mu);
    if (!saved) { /* not acknowledged: the zygote keeps it for the next daemon (a full disk) */
        wc_warn("sandbox", "the exit of container %s is not recorded: %s", id, err.msg);
        return;
    }
    json_t *ack = json_pack("{s:s, s:s}", "op", "ack", "id", id);
    if (ack)
        zc_send(sb->zygote, ack, NULL);
    json_decref(ack);
}

/* Marks running containers exited unless their id is in alive (NULL: none is). */
static void mark_lost(wc_sandbox *sb, const wc_strset *alive, const char *why)
{
    pthread_mutex_lock(&sb->mu);
    for (size_t i = 0; i < sb->n_ctrs; i++) {
        wc_container *c = sb->ctrs[i];
        if (c->state != WC_CTR_RUNNING || (alive && wc_strset_has(alive, c->id)))
            continue;
        c->state = WC_CTR_EXITED;
        c->exit_code = 255;
        c->finished_at = rec_now_ns();
        wc_container_set(&c->reason, "Error");
        wc_container_set(&c->message, why);
        sb_save_ctr(sb, c, NULL);
        sb_emit(sb, WC_EVENT_STOPPED, c);
    }
    pthread_cond_broadcast(&sb->changed);
    pthread_mutex_unlock(&sb->mu);
}

static void on_zygote_event(void *ctx, const json_t *ev)
{
    wc_sandbox *sb = ctx;
    if (ev == NULL) {
        mark_lost(sb, NULL, "the zygote ended, and the worker with it");
        sb_exec_zygote_lost(sb);
        return;
    }
    const char *op = json_string_value(json_object_get(ev, "op")) ?: "";
    const char *kind = json_string_value(json_object_get(ev, "kind")) ?: "";
    if (strcmp(op, "exit") != 0)
        return;
    if (strcmp(kind, "exec") == 0)
        sb_exec_exited(sb, ev);
    else
        record_exit(sb, ev);
}

/* A worker the zygote reports at attach. A container's is matched to its record, and
 * adopted when the record says CREATED (the daemon died between the zygote's fork and
 * recording the start); one no record claims (removed, exited) and an exec's (its rpc
 * died with the old daemon) are killed: no worker runs that CRI cannot see. */
static bool claim_worker(wc_sandbox *sb, const char *id, const char *kind, int pid)
{
    wc_container *c = NULL;
    bool mine = false;
    pthread_mutex_lock(&sb->mu);
    if (strcmp(kind, "ctr") == 0 && strlen(id) == WC_ID_LEN && sb_find_ctr(sb, id, &c, NULL) == 0) {
        if (c->state == WC_CTR_CREATED && !c->starting) {
            c->state = WC_CTR_RUNNING;
            c->pid = pid;
            c->started_at = rec_now_ns(); /* unknown: not after now */
            sb_save_ctr(sb, c, NULL);
            sb_emit(sb, WC_EVENT_STARTED, c);
        }
        mine = c->state == WC_CTR_RUNNING;
    }
    pthread_mutex_unlock(&sb->mu);
    if (!mine) {
        wc_warn("sandbox", "killing the %s worker %s (pid %d): no container record claims it", kind,
                id, pid);
        sb_zygote_op(sb, "kill", id, NULL, NULL);
    }
    return mine;
}

/* A worker made at create (kind "created", container_start.c) the zygote reports at attach:
 * the start of its container, still created, takes it; any other is killed. */
static void claim_created(wc_sandbox *sb, const char *id)
{
    wc_container *c = NULL;
    pthread_mutex_lock(&sb->mu);
    bool mine = strlen(id) == WC_ID_LEN && sb_find_ctr(sb, id, &c, NULL) == 0 &&
                c->state == WC_CTR_CREATED && !c->starting && !c->stopped;
    if (mine)
        c->worker_created = true;
    pthread_mutex_unlock(&sb->mu);
    if (!mine)
        sb_zygote_op(sb, "kill", id, NULL, NULL);
}

int wc_sandbox_attach_zygote(wc_sandbox *sb, zc_client *zc, wc_error *err)
{
    sb->zygote = zc;
    TRY(zc_start_events(zc, on_zygote_event, sb, err));
    json_auto_t *req = json_pack("{s:s}", "op", "list");
    json_auto_t *reply = NULL;
    if (req == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    TRY(zc_request(zc, req, NULL, 0, &reply, err));
    /* a set: thousands of workers were a scan each (issue 18) */
    _cleanup_(wc_strset_clear) wc_strset alive = {0};
    json_t *w;
    size_t i;
    json_array_foreach(json_object_get(reply, "workers"), i, w)
    {
        const char *id = json_string_value(json_object_get(w, "id")) ?: "";
        const char *kind = json_string_value(json_object_get(w, "kind")) ?: "";
        int pid = (int)json_integer_value(json_object_get(w, "pid"));
        if (strcmp(kind, "created") == 0)
            claim_created(sb, id);
        else if (claim_worker(sb, id, kind, pid) && wc_strset_add(&alive, id) < 0)
            return wc_error_set(err, -ENOMEM, "out of memory");
    }
    mark_lost(sb, &alive, "the worker was gone when the daemon restarted");
    return 0;
}

bool wc_sandbox_runtime_ready(wc_sandbox *sb, char *reason, size_t n)
{
    if (sb->zygote == NULL) {
        snprintf(reason, n, "no zygote is connected");
        return false;
    }
    return zc_ready(sb->zygote, reason, n);
}
