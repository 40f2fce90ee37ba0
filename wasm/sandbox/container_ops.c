/* Operations on a container's running worker that are neither start nor stop:
 * ReopenContainerLog and UpdateContainerResources. Each asks the zygote (which
 * knows its live workers, so a recycled pid is never signalled) and records what
 * changed before it returns.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sandbox_int.h"

#define REOPEN_WAIT_MS 2000

static int worker_request(wc_sandbox *sb, const char *op, const char *id, wc_error *err)
{
    json_t *reply = NULL;
    int rc = sb_zygote_op(sb, op, id, &reply, err);
    if (rc == 0 && !json_is_true(json_object_get(reply, "found")))
        rc = wc_error_set(err, -EBUSY, "container %s has no running worker", id);
    json_decref(reply);
    return rc;
}

int wc_container_reopen_log(wc_sandbox *sb, const char *id, wc_error *err)
{
    wc_container *c = NULL;
    char cid[65], log[4096] = "";
    pthread_mutex_lock(&sb->mu);
    int rc = sb_find_ctr(sb, id, &c, err);
    if (rc == 0 && c->state != WC_CTR_RUNNING)
        rc = wc_error_set(err, -EBUSY, "container %s is not running", c->id);
    if (rc == 0 && *c->log_path == '\0')
        rc = wc_error_set(err, -EBUSY, "container %s has no log path", c->id);
    if (rc == 0) {
        memcpy(cid, c->id, 65);
        snprintf(log, sizeof(log), "%s", c->log_path);
    }
    pthread_mutex_unlock(&sb->mu);
    rc = rc ?: worker_request(sb, "reopen", cid, err);
    /* The worker reopens in its SIGHUP handler: wait until the new file is there. */
    for (int waited = 0; rc == 0 && access(log, F_OK) < 0; waited++) {
        if (waited >= REOPEN_WAIT_MS)
            return wc_error_set(err, -ETIMEDOUT, "container %s did not reopen %s", cid, log);
        struct timespec ms = {.tv_nsec = 1000000};
        nanosleep(&ms, NULL);
    }
    return rc;
}

int wc_container_update(wc_sandbox *sb, const char *id, const wc_resources *res, wc_error *err)
{
    wc_container *c = NULL;
    pthread_mutex_lock(&sb->mu);
    int rc = sb_find_ctr(sb, id, &c, err);
    if (rc == 0 && c->state == WC_CTR_EXITED)
        rc = wc_error_set(err, -EBUSY, "container %s has exited", c->id);
    if (rc == 0) {
        wc_resources old = c->res;
        c->res = *res;
        rc = sb_apply_resources(sb, c, err);
        rc = rc ?: sb_save_ctr(sb, c, err);
        if (rc < 0)
            c->res = old;
    }
    pthread_mutex_unlock(&sb->mu);
    return rc;
}
