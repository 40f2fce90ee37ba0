/* What an attach session (the streaming server's Attach) uses of a running container besides
 * its log: the stdin pipe and the terminal's size.
 *
 * A container created with stdin gets a pipe as the guest's stdin at its start. The zygote
 * makes it and keeps its write end (zygote_proto.h: start, stdin, close_stdin), not the daemon,
 * so the pipe lives as long as the container does, whatever the daemon does: a daemon restart
 * (or a crash) neither closes it (the guest would read EOF) nor loses it (the next daemon asks
 * again). Each attach session asks for a copy of the write end (non-blocking: a guest that does
 * not read fills the pipe and the session stops reading its client) and closes it when it ends;
 * with stdin_once, the session whose client closes stdin also makes the zygote close its end,
 * so the guest reads EOF once no other session holds a copy. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox_int.h"
#include "terminal.h"

/* The running container's full id (created with stdin, when stdin); with tty_path, created
 * with a tty, and the host file of its terminal's size. mu is taken here. */
static int running(wc_sandbox *sb, const char *id, char cid[WC_ID_SIZE], bool stdin, char *tty_path,
                   size_t n, wc_error *err)
{
    wc_container *c = NULL;
    wc_pod *pod = NULL;
    pthread_mutex_lock(&sb->mu);
    int rc = sb_find_ctr(sb, id, &c, err);
    if (rc == 0 && c->state != WC_CTR_RUNNING)
        rc = wc_error_set(err, -EBUSY, "container %s is not running", c->id);
    else if (rc == 0 && stdin && !c->stdin)
        rc = wc_error_set(err, -EINVAL, "container %s was created without stdin", c->id);
    else if (rc == 0 && tty_path && !c->tty)
        rc = wc_error_set(err, -EINVAL, "container %s was created without a tty", c->id);
    char dir[4096];
    if (rc == 0 && tty_path && (rc = sb_find_pod(sb, c->pod_id, &pod, err)) == 0)
        rc = sb_tty_path(tty_path, n, wc_pod_dir(pod, dir, sizeof(dir)), c->id, err);
    if (rc == 0)
        memcpy(cid, c->id, WC_ID_SIZE);
    pthread_mutex_unlock(&sb->mu);
    return rc;
}

int wc_container_stdin(wc_sandbox *sb, const char *id, int *ret_fd, wc_error *err)
{
    char cid[WC_ID_SIZE];
    TRY(running(sb, id, cid, true, NULL, 0, err));
    int fd = -1;
    TRY(sb_zygote_op_fd(sb, "stdin", cid, NULL, &fd, err));
    if (fd < 0)
        return wc_error_set(err, -EPROTO, "the zygote sent no stdin for container %s", cid);
    *ret_fd = fd;
    return 0;
}

int wc_container_close_stdin(wc_sandbox *sb, const char *id, wc_error *err)
{
    int rc = sb_zygote_op(sb, "close_stdin", id, NULL, err);
    return rc == -ESRCH ? 0 : rc;
}

int wc_container_resize(wc_sandbox *sb, const char *id, unsigned cols, unsigned rows, wc_error *err)
{
    char cid[WC_ID_SIZE], path[4096];
    TRY(running(sb, id, cid, false, path, sizeof(path), err));
    return sb_tty_write(path, cols, rows, err);
}
