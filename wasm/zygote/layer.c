/* Writable layers (see layer.h): plain mkdirs and one mount(2), in the zygote (a
 * worker makes the plain directory of an image without a rootfs itself); and the
 * layer socket's two ends of the protocol (requests, replies, a worker's exit result). */
#include "layer.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zygote_proto.h"

static int make_dir(const char *dir, const char *name, mode_t mode, char *buf, size_t n,
                    wc_error *err)
{
    snprintf(buf, n, "%s%s%s", dir, *name ? "/" : "", name);
    if (mkdir(buf, mode) < 0 && errno != EEXIST)
        return wc_error_set_errno(err, -errno, "cannot create %s", buf);
    return 0;
}

/* No snprintf: on a start's path it was a worker's first, whose code and locale pages each cost
 * a first touch (issue 14). */
bool layer_mounted_at(int dirfd, const char *name)
{
    static const char rootfs[] = "/rootfs";
    char target[4096];
    struct stat st, parent;
    size_t len = strlen(name);
    if (len + sizeof(rootfs) > sizeof(target))
        return false;
    memcpy(target, name, len);
    memcpy(target + len, rootfs, sizeof(rootfs));
    return fstatat(dirfd, target, &st, 0) == 0 && fstatat(dirfd, name, &parent, 0) == 0 &&
           st.st_dev != parent.st_dev;
}

bool layer_mounted(const char *dir)
{
    return layer_mounted_at(AT_FDCWD, dir);
}

int layer_make(const char *dir, const char *lower, wc_error *err)
{
    char top[4096], upper[4096], work[4096], target[4096], opts[3 * 4096 + 64];
    if (*lower && layer_mounted(dir))
        return 0;
    TRY(make_dir(dir, "", 0711, top, sizeof(top), err));
    TRY(make_dir(dir, "upper", 0755, upper, sizeof(upper), err));
    if (*lower == '\0')
        return 0;
    TRY(make_dir(dir, "work", 0755, work, sizeof(work), err));
    TRY(make_dir(dir, "rootfs", 0755, target, sizeof(target), err));
    snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s,uuid=off", lower, upper, work);
    if (mount("overlay", target, "overlay", MS_NODEV | MS_NOSUID, opts) < 0)
        return wc_error_set_errno(err, -errno, "cannot mount the container's overlay on %s",
                                  target);
    return 0;
}

int layer_socket_pair(int *ret_zygote_end, int *ret_worker_end, wc_error *err)
{
    int sv[2], on = 1;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return wc_error_set_errno(err, -errno, "layer socket");
    if (setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0) {
        int e = errno;
        close(sv[0]);
        close(sv[1]);
        return wc_error_set_errno(err, -e, "layer socket credentials");
    }
    *ret_zygote_end = sv[0];
    *ret_worker_end = sv[1];
    return 0;
}

int layer_recv_request(int sock, pid_t *ret_pid, int *ret_reply_fd, char *data, size_t cap)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int))];
    } control;
    struct iovec iov = {.iov_base = data, .iov_len = cap - 1};
    struct msghdr mh = {.msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = control.buf,
                        .msg_controllen = sizeof(control.buf)};
    *ret_pid = 0;
    *ret_reply_fd = -1;
    ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    if (n < 0)
        return -errno;
    if (mh.msg_flags & MSG_TRUNC) /* a request longer than any of ours: no part of it is read */
        n = 0;
    data[n] = '\0';
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level != SOL_SOCKET)
            continue;
        if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
            struct ucred cred;
            memcpy(&cred, CMSG_DATA(c), sizeof(cred));
            *ret_pid = cred.pid;
        } else if (c->cmsg_type == SCM_RIGHTS && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
            memcpy(ret_reply_fd, CMSG_DATA(c), sizeof(int)); /* room for one only */
        }
    }
    return (int)n;
}

int layer_send_exit(int sock, const worker_result *res)
{
    struct iovec iov[2] = {{.iov_base = LAYER_EXIT_TAG, .iov_len = strlen(LAYER_EXIT_TAG)},
                           {.iov_base = (void *)res, .iov_len = sizeof(*res)}};
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
    ssize_t n;
    do
        n = sendmsg(sock, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : 0;
}

bool layer_parse_exit(const char *data, size_t n, worker_result *ret)
{
    size_t tag = strlen(LAYER_EXIT_TAG);
    if (n != tag + sizeof(*ret) || memcmp(data, LAYER_EXIT_TAG, tag) != 0)
        return false;
    memcpy(ret, data + tag, sizeof(*ret));
    ret->reason[sizeof(ret->reason) - 1] = '\0';
    ret->message[sizeof(ret->message) - 1] = '\0';
    return true;
}

void layer_reply_fd(int reply_fd, int status, int fd)
{
    if (reply_fd < 0)
        return;
    int32_t v = status;
    zp_send_fd(reply_fd, &v, sizeof(v), fd, MSG_DONTWAIT); /* its own socket: never full */
    close(reply_fd);
}

void layer_reply(int reply_fd, int status, const char *text, size_t len)
{
    if (reply_fd < 0)
        return;
    int32_t v = status;
    fcntl(reply_fd, F_SETFL, O_NONBLOCK);       /* a full pipe cuts the reply, never stalls us */
    ssize_t n = write(reply_fd, &v, sizeof(v)); /* a worker that is gone hears nothing */
    while (n > 0 && len > 0 && (n = write(reply_fd, text, len)) > 0) {
        text += n;
        len -= (size_t)n;
    }
    close(reply_fd);
}
