/* The daemon–zygote wire (wasm/zygote/zygote_proto.c) on a real SOCK_SEQPACKET pair: a JSON
 * object with passed descriptors arrives whole; a closed peer, a packet that is not a JSON
 * object and too many descriptors are errors, and no received descriptor leaks. */
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "zygote_proto.h"

static void test_message_and_fds(int s[2])
{
    int p[2];
    CHECK(pipe(p) == 0);
    json_t *msg = json_pack("{s:s, s:i, s:s}", "op", "exec", "seq", 7, "id", "abc");
    wc_error err = {0};
    CHECK(zp_send(s[0], msg, p, 2, &err) == 0);
    json_t *got = NULL;
    int fds[ZP_MAX_FDS];
    size_t nfds = 0;
    CHECK(zp_recv(s[1], &got, fds, &nfds, &err) == 0);
    CHECK(got && json_equal(got, msg) && nfds == 2);
    if (nfds == 2) { /* the received write end reaches the original read end */
        CHECK(fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
        CHECK(write(fds[1], "x", 1) == 1);
        char c = 0;
        CHECK(read(p[0], &c, 1) == 1 && c == 'x');
        close(fds[0]);
        close(fds[1]);
    }
    json_decref(got);
    json_decref(msg);
    close(p[0]);
    close(p[1]);
}

static void test_bad_packets(int s[2])
{
    wc_error err = {0};
    json_t *got = NULL;
    int fds[ZP_MAX_FDS];
    size_t nfds = 0;
    CHECK(send(s[0], "[1,2]", 5, 0) == 5);
    CHECK_EQ_INT(zp_recv(s[1], &got, fds, &nfds, &err), -EBADMSG);
    CHECK(got == NULL && strstr(err.msg, "bad zygote packet") != NULL);
    int many[ZP_MAX_FDS + 1] = {0};
    json_t *msg = json_object();
    CHECK_EQ_INT(zp_send(s[0], msg, many, ZP_MAX_FDS + 1, &err), -E2BIG);
    json_decref(msg);
}

static void test_closed_peer(int s[2])
{
    wc_error err = {0};
    json_t *got = NULL;
    int fds[ZP_MAX_FDS];
    close(s[0]);
    CHECK_EQ_INT(zp_recv(s[1], &got, fds, NULL, &err), -ECONNRESET);
    json_t *msg = json_object();
    CHECK_EQ_INT(zp_send(s[1], msg, NULL, 0, &err), -ECONNRESET);
    json_decref(msg);
}

int main(void)
{
    int s[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, s) < 0) {
        perror("socketpair");
        return 1;
    }
    test_message_and_fds(s);
    test_bad_packets(s);
    test_closed_peer(s);
    close(s[1]);
    return CHECK_DONE();
}
