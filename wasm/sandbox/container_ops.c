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

#include "cleanup.h"
#include "fs.h"
#include "sandbox_int.h"

/* Hands the worker of id the log file fd (through the zygote). */
static int reopen_request(wc_sandbox *sb, const char *id, int fd, wc_error *err)
{
    json_auto_t *req = json_pack("{s:s, s:s}", "op", "reopen", "id", id);
    json_auto_t *reply = NULL;
    if (req == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    if (sb->zygote == NULL)
        return wc_error_set(err, -EAGAIN, "no zygote is connected");
    TRY(zc_request(sb->zygote, req, &fd, 1, &reply, err));
    if (!json_is_true(json_object_get(reply, "found")))
        return wc_error_set(err, -EBUSY, "container %s has no running worker", id);
    return 0;
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

/* The full id and log path of a running container that has one; mu held. */
static int find_log(wc_sandbox *sb, const char *id, char cid[WC_ID_SIZE], char *log, size_t n,
                    wc_error *err)
{
    wc_container *c = NULL;
    TRY(sb_find_ctr(sb, id, &c, err));
    if (c->state != WC_CTR_RUNNING)
        return wc_error_set(err, -EBUSY, "container %s is not running", c->id);
    if (*c->log_path == '\0')
        return wc_error_set(err, -EBUSY, "container %s has no log path", c->id);
    memcpy(cid, c->id, WC_ID_SIZE);
    return wc_path(log, n, err, "%s", c->log_path);
}

int wc_container_reopen_log(wc_sandbox *sb, const char *id, wc_error *err)
{
    char cid[WC_ID_SIZE], log[4096];
    pthread_mutex_lock(&sb->mu);
    int rc = find_log(sb, id, cid, log, sizeof(log), err);
    pthread_mutex_unlock(&sb->mu);
    TRY(rc);
    _cleanup_close_ int fd = -1;
    TRY(open_log(log, &fd, err));
    /* the zygote passes the file to the worker, whose SIGHUP handler takes it */
    return reopen_request(sb, cid, fd, err);
}

static int apply_resources(wc_sandbox *sb, wc_container *c, wc_error *err)
{
    TRY(sb_apply_resources(sb, c, err));
    return sb_save_ctr(sb, c, err);
}

/* Applies res to a container that has not exited and records them; mu held. */
static int update_locked(wc_sandbox *sb, const char *id, const wc_resources *res, wc_error *err)
{
    wc_container *c = NULL;
    TRY(sb_find_ctr(sb, id, &c, err));
    if (c->state == WC_CTR_EXITED)
        return wc_error_set(err, -EBUSY, "container %s has exited", c->id);
    wc_resources old = c->res;
    c->res = *res;
    c->worker_created = false; /* made with the old limits: its start makes another */
    int rc = apply_resources(sb, c, err);
    if (rc < 0)
        c->res = old;
    return rc;
}

int wc_container_update(wc_sandbox *sb, const char *id, const wc_resources *res, wc_error *err)
{
    pthread_mutex_lock(&sb->mu);
    int rc = update_locked(sb, id, res, err);
    pthread_mutex_unlock(&sb->mu);
    return rc;
}
