/* The daemon–zygote wire (wasm/zygote/zygote_proto.c) on a real SOCK_SEQPACKET pair: a JSON
 * object with passed descriptors arrives whole; a closed peer, a packet that is not a JSON
 * object and too many descriptors are errors, and no received descriptor leaks. A list
 * reply over one packet (thousands of workers, issue 18) arrives whole in parts. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
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

/* A "list" reply as the zygote makes it, of n workers. */
static json_t *list_reply(int n)
{
    json_t *workers = json_array();
    for (int i = 0; i < n; i++) {
        char id[80];
        snprintf(id, sizeof(id), "%064d", i);
        json_array_append_new(
            workers, json_pack("{s:s, s:i, s:s}", "id", id, "pid", 1000 + i, "kind", "ctr"));
    }
    return json_pack("{s:s, s:i, s:o, s:i}", "op", "reply", "seq", 9, "workers", workers,
                     "zygote_pid", 42);
}

typedef struct sender {
    int sock;
    const json_t *msg;
    int rc;
} sender;

static void *send_parts(void *arg)
{
    sender *s = arg;
    s->rc = zp_send_parts(s->sock, s->msg, "workers", NULL);
    return NULL;
}

/* 5,000 workers are ~500 KiB: over one packet (zp_send fails, as the zygote's list reply
 * did at ~2,000 workers), and sent in parts they arrive as the one reply. */
static void test_list_reply_over_one_packet(int s[2])
{
    json_t *msg = list_reply(5000);
    wc_error err = {0};
    CHECK_EQ_INT(zp_send(s[0], msg, NULL, 0, &err), -E2BIG);
    sender snd = {.sock = s[0], .msg = msg};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, send_parts, &snd) == 0);
    json_t *got = NULL;
    size_t nfds = 0;
    int fds[ZP_MAX_FDS];
    CHECK(zp_recv_whole(s[1], &got, fds, &nfds, &err) == 0);
    pthread_join(t, NULL);
    CHECK_EQ_INT(snd.rc, 0);
    CHECK(got && json_equal(got, msg) && nfds == 0);
    json_decref(got);
    /* in parts indeed: the first packet says more follow */
    snd.rc = -1;
    CHECK(pthread_create(&t, NULL, send_parts, &snd) == 0);
    got = NULL;
    CHECK(zp_recv(s[1], &got, fds, NULL, &err) == 0);
    CHECK(json_is_true(json_object_get(got, "more")));
    size_t first = json_array_size(json_object_get(got, "workers"));
    CHECK(first > 0 && first < 5000);
    json_decref(got);
    got = NULL;
    CHECK(zp_recv_whole(s[1], &got, fds, NULL, &err) == 0); /* the rest */
    pthread_join(t, NULL);
    CHECK(first + json_array_size(json_object_get(got, "workers")) == 5000);
    json_decref(got);
    json_decref(msg);
}

/* A small reply is one packet, with no "more". */
static void test_small_reply_is_one_packet(int s[2])
{
    json_t *msg = list_reply(3), *got = NULL;
    wc_error err = {0};
    int fds[ZP_MAX_FDS];
    CHECK(zp_send_parts(s[0], msg, "workers", &err) == 0);
    CHECK(zp_recv(s[1], &got, fds, NULL, &err) == 0);
    CHECK(got && json_equal(got, msg));
    json_decref(got);
    json_decref(msg);
}

/* A part of another reply (another seq) is an error, not merged. */
static void test_foreign_part(int s[2])
{
    json_t *first =
        json_pack("{s:s, s:i, s:[i], s:b}", "op", "reply", "seq", 1, "workers", 1, "more", 1);
    json_t *other = json_pack("{s:s, s:i, s:[i]}", "op", "reply", "seq", 2, "workers", 2);
    wc_error err = {0};
    json_t *got = NULL;
    int fds[ZP_MAX_FDS];
    CHECK(zp_send(s[0], first, NULL, 0, &err) == 0);
    CHECK(zp_send(s[0], other, NULL, 0, &err) == 0);
    CHECK_EQ_INT(zp_recv_whole(s[1], &got, fds, NULL, &err), -EBADMSG);
    CHECK(got == NULL && strstr(err.msg, "another message") != NULL);
    json_decref(first);
    json_decref(other);
}

int main(void)
{
    int s[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, s) < 0) {
        perror("socketpair");
        return 1;
    }
    test_message_and_fds(s);
    test_list_reply_over_one_packet(s);
    test_small_reply_is_one_packet(s);
    test_foreign_part(s);
    test_bad_packets(s);
    test_closed_peer(s);
    close(s[1]);
    return CHECK_DONE();
}
