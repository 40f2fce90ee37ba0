/* Operations on a container's running worker that are neither start nor stop:
 * ReopenContainerLog and UpdateContainerResources. Each asks the zygote (which
 * knows its live workers, so a recycled pid is never signalled) and records what
 * changed before it returns.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox_int.h"

/* Hands the worker of id the log file fd (through the zygote). */
static int reopen_request(wc_sandbox *sb, const char *id, int fd, wc_error *err)
{
    json_t *req = json_pack("{s:s, s:s}", "op", "reopen", "id", id);
    json_t *reply = NULL;
    int rc = req ? 0 : wc_error_set(err, -ENOMEM, "out of memory");
    if (rc == 0 && sb->zygote == NULL)
        rc = wc_error_set(err, -EAGAIN, "no zygote is connected");
    rc = rc ?: zc_request(sb->zygote, req, &fd, 1, &reply, err);
    if (rc == 0 && !json_is_true(json_object_get(reply, "found")))
        rc = wc_error_set(err, -EBUSY, "container %s has no running worker", id);
    json_decref(req);
    json_decref(reply);
    return rc;
}

/* The log file as the node's (kubelet's directory, root's): the worker runs as the
 * container's user and could not create it. Never a FIFO or a link planted there. */
static int open_log(const char *path, int *ret_fd, wc_error *err)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0640);
    if (fd < 0)
        return wc_error_set_errno(err, -errno, "open the container log %s", path);
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return wc_error_set(err, -EINVAL, "the container log %s is not a regular file", path);
    }
    *ret_fd = fd;
    return 0;
}

int wc_container_reopen_log(wc_sandbox *sb, const char *id, wc_error *err)
{
    wc_container *c = NULL;
    char cid[WC_ID_SIZE], log[4096] = "";
    pthread_mutex_lock(&sb->mu);
    int rc = sb_find_ctr(sb, id, &c, err);
    if (rc == 0 && c->state != WC_CTR_RUNNING)
        rc = wc_error_set(err, -EBUSY, "container %s is not running", c->id);
    if (rc == 0 && *c->log_path == '\0')
        rc = wc_error_set(err, -EBUSY, "container %s has no log path", c->id);
    if (rc == 0) {
        memcpy(cid, c->id, WC_ID_SIZE);
        snprintf(log, sizeof(log), "%s", c->log_path);
    }
    pthread_mutex_unlock(&sb->mu);
    int fd = -1;
    rc = rc ?: open_log(log, &fd, err);
    /* the zygote passes the file to the worker, whose SIGHUP handler takes it */
    rc = rc ?: reopen_request(sb, cid, fd, err);
    if (fd >= 0)
        close(fd);
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
