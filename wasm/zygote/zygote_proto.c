/* Sending and receiving one JSON packet with descriptors (see zygote_proto.h). */
#include "zygote_proto.h"

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
