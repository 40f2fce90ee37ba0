/* The daemon's zygote connection (see zygote_client.h).
 *
 * Requests carry a sequence number; the caller parks on a waiter (a condition
 * variable on the client's mutex) until the reader thread hands it the reply with
 * the same number. When the connection ends every waiter gets -ECONNRESET and the
 * event callback gets NULL once; then the reader starts a new zygote (the child
 * execs `PROGRAM zygote STATE_DIR`, as for the first one) and goes on with it, up
 * to MAX_RESPAWNS times.
 */
#include "zygote_client.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zygote_proto.h"

#define MAX_RESPAWNS 5

typedef struct waiter {
    struct waiter *next;
    json_int_t seq;
    json_t *reply;
    bool done;
} waiter;

struct zc_client {
    int fd;
    pthread_mutex_t mu; /* guards everything below and serialises sends */
    pthread_cond_t cond;
    waiter *waiters;
    json_int_t next_seq;
    bool dead;
    bool closing; /* zc_close: the end of the connection is expected */
    int zygote_pid;
    bool reader_started;
    pthread_t reader;
    zc_event_fn fn;
    void *ctx;
    char *state_dir;
    char *zygote_program;
    int respawns;
};

static int socket_address(const char *state_dir, struct sockaddr_un *sa, wc_error *err)
{
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    if (snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/%s", state_dir, ZP_SOCKET_NAME) >=
        (int)sizeof(sa->sun_path))
        return wc_error_set(err, -ENAMETOOLONG, "state dir %s is too long for a socket path",
                            state_dir);
    return 0;
}

static int try_connect(const struct sockaddr_un *sa)
{
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

/* The grandchild becomes the zygote: own session, only the listening socket kept
 * (as fd 3), then it execs `exe zygote STATE_DIR` (only async-signal-safe calls
 * before that: the parent may have threads). */
static void become_zygote(int listen_fd, const char *state_dir, const char *exe)
{
    setsid();
    if (listen_fd != 3) {
        dup2(listen_fd, 3);
        close(listen_fd);
    } else {
        fcntl(3, F_SETFD, 0);
    }
    close_range(4, ~0U, 0);
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull >= 0) {
        dup2(devnull, 0);
        close(devnull);
    }
    char *const argv[] = {"wasmcri", "zygote", (char *)state_dir, NULL};
    execv(exe, argv);
    _exit(127);
}

static int spawn(const struct sockaddr_un *sa, const char *state_dir, const char *exe,
                 wc_error *err)
{
    int lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (lfd < 0)
        return wc_error_set_errno(err, -errno, "zygote socket");
    unlink(sa->sun_path);
    if (bind(lfd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 || listen(lfd, 8) < 0) {
        int e = errno;
        close(lfd);
        return wc_error_set_errno(err, -e, "cannot listen on %s", sa->sun_path);
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(lfd);
        return wc_error_set_errno(err, -errno, "cannot fork the zygote");
    }
    if (pid == 0) {
        if (fork() == 0)
            become_zygote(lfd, state_dir, exe);
        _exit(0);
    }
    close(lfd);
    waitpid(pid, NULL, 0);
    int fd = try_connect(sa);
    return fd < 0 ? wc_error_set_errno(err, fd, "cannot connect to the new zygote") : fd;
}

int zc_connect_or_spawn(const char *state_dir, const char *zygote_program, zc_client **ret_client,
                        bool *ret_spawned, wc_error *err)
{
    struct sockaddr_un sa;
    int rc = socket_address(state_dir, &sa, err);
    if (rc < 0)
        return rc;
    int fd = try_connect(&sa);
    *ret_spawned = fd < 0;
    if (fd < 0)
        fd = spawn(&sa, state_dir, zygote_program, err);
    if (fd < 0)
        return fd;
    zc_client *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        close(fd);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    c->fd = fd;
    c->next_seq = 1;
    c->state_dir = strdup(state_dir);
    c->zygote_program = strdup(zygote_program);
    if (c->state_dir == NULL || c->zygote_program == NULL) {
        close(fd);
        free(c->state_dir);
        free(c->zygote_program);
        free(c);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cond, NULL);
    *ret_client = c;
    return 0;
}

/* The reader's own synchronous request: only before the reader runs. */
static int request_inline(zc_client *c, json_t *req, json_t **ret_reply, wc_error *err)
{
    json_object_set_new(req, "seq", json_integer(c->next_seq++));
    int rc = zp_send(c->fd, req, NULL, 0, err);
    while (rc == 0) {
        json_t *msg = NULL;
        rc = zp_recv(c->fd, &msg, NULL, NULL, err);
        if (rc == 0 && json_equal(json_object_get(msg, "seq"), json_object_get(req, "seq"))) {
            *ret_reply = msg;
            return 0;
        }
        if (rc == 0 && c->fn)
            c->fn(c->ctx, msg);
        json_decref(msg);
    }
    return rc;
}

static void deliver_reply(zc_client *c, json_t *msg)
{
    json_int_t seq = json_integer_value(json_object_get(msg, "seq"));
    pthread_mutex_lock(&c->mu);
    for (waiter *w = c->waiters; w; w = w->next)
        if (w->seq == seq && !w->done) {
            w->reply = json_incref(msg);
            w->done = true;
        }
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->mu);
}

/* A new zygote after the old one died; true when the client works again. */
static bool respawn(zc_client *c)
{
    struct sockaddr_un sa;
    if (c->respawns >= MAX_RESPAWNS || socket_address(c->state_dir, &sa, NULL) < 0)
        return false;
    c->respawns++;
    int fd = spawn(&sa, c->state_dir, c->zygote_program, NULL);
    if (fd < 0)
        return false;
    pthread_mutex_lock(&c->mu); /* still dead: no other thread sends */
    close(c->fd);
    c->fd = fd;
    pthread_mutex_unlock(&c->mu);
    json_t *req = json_pack("{s:s}", "op", "list");
    json_t *reply = NULL;
    bool ok = req && request_inline(c, req, &reply, NULL) == 0;
    if (ok)
        c->zygote_pid = (int)json_integer_value(json_object_get(reply, "zygote_pid"));
    json_decref(req);
    json_decref(reply);
    pthread_mutex_lock(&c->mu);
    c->dead = !ok || c->closing;
    pthread_mutex_unlock(&c->mu);
    return ok;
}

static void *reader_thread(void *arg)
{
    zc_client *c = arg;
    for (;;) {
        json_t *msg = NULL;
        if (zp_recv(c->fd, &msg, NULL, NULL, NULL) == 0) {
            const char *op = json_string_value(json_object_get(msg, "op")) ?: "";
            if (strcmp(op, "reply") == 0)
                deliver_reply(c, msg);
            else
                c->fn(c->ctx, msg);
            json_decref(msg);
            continue;
        }
        pthread_mutex_lock(&c->mu);
        c->dead = true;
        bool expected = c->closing;
        pthread_cond_broadcast(&c->cond);
        pthread_mutex_unlock(&c->mu);
        if (expected)
            return NULL;
        c->fn(c->ctx, NULL);
        if (!respawn(c))
            return NULL;
    }
}

int zc_start_events(zc_client *c, zc_event_fn fn, void *ctx, wc_error *err)
{
    c->fn = fn;
    c->ctx = ctx;
    json_t *req = json_pack("{s:s}", "op", "list");
    json_t *reply = NULL;
    int rc = req ? request_inline(c, req, &reply, err) : -ENOMEM;
    json_decref(req);
    if (rc < 0)
        return wc_error_wrap(err, "the zygote does not answer");
    c->zygote_pid = (int)json_integer_value(json_object_get(reply, "zygote_pid"));
    json_decref(reply);
    rc = pthread_create(&c->reader, NULL, reader_thread, c);
    if (rc != 0)
        return wc_error_set_errno(err, -rc, "cannot start the zygote reader thread");
    c->reader_started = true;
    return 0;
}

int zc_zygote_pid(const zc_client *c)
{
    return c->zygote_pid;
}

int zc_send(zc_client *c, const json_t *msg, wc_error *err)
{
    pthread_mutex_lock(&c->mu);
    int rc = c->dead ? wc_error_set(err, -ECONNRESET, "the zygote is gone")
                     : zp_send(c->fd, msg, NULL, 0, err);
    pthread_mutex_unlock(&c->mu);
    return rc;
}

static void unlink_waiter(zc_client *c, waiter *w)
{
    for (waiter **p = &c->waiters; *p; p = &(*p)->next)
        if (*p == w) {
            *p = w->next;
            return;
        }
}

int zc_request(zc_client *c, json_t *req, const int *fds, size_t nfds, json_t **ret_reply,
               wc_error *err)
{
    waiter w = {0};
    pthread_mutex_lock(&c->mu);
    w.seq = c->next_seq++;
    json_object_set_new(req, "seq", json_integer(w.seq));
    int rc = c->dead ? wc_error_set(err, -ECONNRESET, "the zygote is gone")
                     : zp_send(c->fd, req, fds, nfds, err);
    if (rc == 0) {
        w.next = c->waiters;
        c->waiters = &w;
        while (!w.done && !c->dead)
            pthread_cond_wait(&c->cond, &c->mu);
        unlink_waiter(c, &w);
        if (!w.done)
            rc = wc_error_set(err, -ECONNRESET, "the zygote went away during the request");
    }
    pthread_mutex_unlock(&c->mu);
    if (rc < 0)
        return rc;
    const char *msg = json_string_value(json_object_get(w.reply, "error"));
    if (msg) {
        int code = (int)json_integer_value(json_object_get(w.reply, "code"));
        rc = wc_error_set(err, code < 0 ? code : -EIO, "%s", msg);
        json_decref(w.reply);
        return rc;
    }
    *ret_reply = w.reply;
    return 0;
}

void zc_close(zc_client *c)
{
    if (c == NULL)
        return;
    json_t *req = json_pack("{s:s}", "op", "quit_if_idle");
    json_t *reply = NULL;
    if (req && c->reader_started && zc_request(c, req, NULL, 0, &reply, NULL) == 0)
        json_decref(reply);
    json_decref(req);
    pthread_mutex_lock(&c->mu);
    c->closing = true;
    pthread_mutex_unlock(&c->mu);
    shutdown(c->fd, SHUT_RDWR);
    if (c->reader_started)
        pthread_join(c->reader, NULL);
    close(c->fd);
    pthread_cond_destroy(&c->cond);
    pthread_mutex_destroy(&c->mu);
    free(c->state_dir);
    free(c->zygote_program);
    free(c);
}
