/* Sending and receiving one JSON packet with descriptors, a message in parts, and a word with
 * at most one descriptor (see zygote_proto.h). */
#include "zygote_proto.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int zp_send(int sock, const json_t *msg, const int *fds, size_t nfds, wc_error *err)
{
    char *text = json_dumps(msg, JSON_COMPACT);
    if (text == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    size_t len = strlen(text);
    if (len > ZP_MAX_PACKET || nfds > ZP_MAX_FDS) {
        free(text);
        return wc_error_set(err, -E2BIG,
                            "a zygote packet of %zu bytes is over the limit of %d bytes", len,
                            ZP_MAX_PACKET);
    }
    struct iovec iov = {.iov_base = text, .iov_len = len};
    union {
        char buf[CMSG_SPACE(sizeof(int) * ZP_MAX_FDS)];
        struct cmsghdr align;
    } u;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (nfds > 0) {
        memset(&u, 0, sizeof(u));
        mh.msg_control = u.buf;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
    }
    ssize_t n;
    do
        n = sendmsg(sock, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    free(text);
    if (n < 0)
        return wc_error_set_errno(err, errno == EPIPE ? -ECONNRESET : -errno,
                                  "cannot send to the zygote");
    return 0;
}

/* The control buffer of one descriptor, aligned for its header. */
typedef union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
} one_fd_control;

ssize_t zp_send_fd(int sock, const void *buf, size_t len, int fd, int flags)
{
    struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    one_fd_control u;
    if (fd >= 0) {
        memset(&u, 0, sizeof(u));
        mh.msg_control = u.buf;
        mh.msg_controllen = sizeof(u.buf);
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    ssize_t n = sendmsg(sock, &mh, flags | MSG_NOSIGNAL);
    return n < 0 ? -errno : n;
}

ssize_t zp_recv_fd(int sock, void *buf, size_t cap, int *ret_fd)
{
    struct iovec iov = {.iov_base = buf, .iov_len = cap};
    one_fd_control u;
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
    ssize_t n;
    do
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    *ret_fd = -1;
    if (n < 0)
        return -errno;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            if (*ret_fd < 0)
                *ret_fd = fd;
            else
                close(fd);
        }
    }
    return n;
}

static size_t take_fds(struct msghdr *mh, int fds[ZP_MAX_FDS])
{
    size_t n = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        int *in = (int *)CMSG_DATA(c);
        for (size_t i = 0; i < count; i++) {
            if (n < ZP_MAX_FDS)
                fds[n++] = in[i];
            else
                close(in[i]);
        }
    }
    return n;
}

/* The size of the next packet (MSG_PEEK|MSG_TRUNC gives a packet's whole length), so
 * that the buffer is the packet's size: a 512 KiB malloc and free per packet would
 * raise glibc's mmap threshold and leave later big callocs zeroing reused heap. */
static ssize_t next_packet_size(int sock)
{
    ssize_t n;
    char one;
    do
        n = recv(sock, &one, 1, MSG_PEEK | MSG_TRUNC);
    while (n < 0 && errno == EINTR);
    return n;
}

int zp_recv(int sock, json_t **ret_msg, int fds[ZP_MAX_FDS], size_t *ret_nfds, wc_error *err)
{
    ssize_t size = next_packet_size(sock);
    if (size <= 0) {
        if (size == 0 || errno == ECONNRESET)
            return wc_error_set(err, -ECONNRESET, "the peer closed the zygote socket");
        return wc_error_set_errno(err, -errno, "cannot receive from the zygote socket");
    }
    size_t cap = size < ZP_MAX_PACKET ? (size_t)size : ZP_MAX_PACKET;
    char *buf = malloc(cap + 1);
    if (buf == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    union {
        char buf[CMSG_SPACE(sizeof(int) * ZP_MAX_FDS)];
        struct cmsghdr align;
    } u;
    struct iovec iov = {.iov_base = buf, .iov_len = cap};
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
    ssize_t n;
    do
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
        free(buf);
        if (n == 0 || errno == ECONNRESET)
            return wc_error_set(err, -ECONNRESET, "the peer closed the zygote socket");
        return wc_error_set_errno(err, -errno, "cannot receive from the zygote socket");
    }
    size_t nfds = take_fds(&mh, fds);
    json_error_t jerr;
    json_t *msg = json_loadb(buf, (size_t)n, 0, &jerr);
    free(buf);
    if (!json_is_object(msg)) {
        json_decref(msg);
        for (size_t i = 0; i < nfds; i++)
            close(fds[i]);
        return wc_error_set(err, -EBADMSG, "bad zygote packet: %s", jerr.text);
    }
    if (ret_nfds)
        *ret_nfds = nfds;
    else
        for (size_t i = 0; i < nfds; i++)
            close(fds[i]);
    *ret_msg = msg;
    return 0;
}

/* A part: msg with msg[key] cut to items [from, from + n), "more" set when more follow. */
static json_t *part_of(const json_t *msg, const char *key, size_t from, size_t n, bool more)
{
    json_t *all = json_object_get(msg, key), *part = json_copy((json_t *)msg),
           *items = json_array();
    for (size_t i = from; part && items && i < from + n; i++)
        if (json_array_append(items, json_array_get(all, i)) < 0) {
            json_decref(items);
            items = NULL;
        }
    if (part == NULL || items == NULL || json_object_set_new(part, key, items) < 0 ||
        (more && json_object_set_new(part, "more", json_true()) < 0)) {
        json_decref(part);
        return NULL;
    }
    return part;
}

int zp_send_parts(int sock, const json_t *msg, const char *key, wc_error *err)
{
    size_t total = json_array_size(json_object_get(msg, key)), from = 0, n = total;
    do { /* as many items as fit: halved until a part fits, then kept for the next parts */
        if (from + n > total)
            n = total - from;
        json_t *part = part_of(msg, key, from, n, from + n < total);
        if (part == NULL)
            return wc_error_set(err, -ENOMEM, "out of memory");
        int rc = zp_send(sock, part, NULL, 0, err);
        json_decref(part);
        if (rc == -E2BIG && n > 1) {
            n /= 2;
            continue;
        }
        if (rc < 0)
            return rc;
        from += n;
    } while (from < total);
    return 0;
}

/* Appends the arrays of part (of the same message: its seq) to whole's arrays of the same
 * name; whole's "more" becomes the part's. */
static int append_part(json_t *whole, const json_t *part, wc_error *err)
{
    if (!json_equal(json_object_get(part, "seq"), json_object_get(whole, "seq")))
        return wc_error_set(err, -EBADMSG, "bad zygote packet: a part of another message");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)part, key, v)
    {
        json_t *have = json_object_get(whole, key);
        if (json_is_array(v) && !json_is_array(have))
            return wc_error_set(err, -EBADMSG, "bad zygote packet: a part adds to no \"%s\" list",
                                key);
        if (json_is_array(v) && json_array_extend(have, v) < 0)
            return wc_error_set(err, -ENOMEM, "out of memory");
    }
    json_object_set(whole, "more", json_object_get(part, "more") ?: json_false());
    return 0;
}

/* The parts that follow whole while its "more" is true, appended to it. */
static int recv_parts(int sock, json_t *whole, wc_error *err)
{
    while (json_is_true(json_object_get(whole, "more"))) {
        json_t *part = NULL;
        int part_fds[ZP_MAX_FDS];
        TRY(zp_recv(sock, &part, part_fds, NULL, err)); /* any descriptors are closed */
        int rc = append_part(whole, part, err);
        json_decref(part);
        TRY(rc);
    }
    return 0;
}

int zp_recv_whole(int sock, json_t **ret_msg, int fds[ZP_MAX_FDS], size_t *ret_nfds, wc_error *err)
{
    json_t *whole = NULL;
    TRY(zp_recv(sock, &whole, fds, ret_nfds, err));
    int rc = recv_parts(sock, whole, err);
    json_object_del(whole, "more");
    if (rc < 0) {
        for (size_t i = 0; ret_nfds && i < *ret_nfds; i++)
            close(fds[i]);
        json_decref(whole);
        return rc;
    }
    *ret_msg = whole;
    return 0;
}
