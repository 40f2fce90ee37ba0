/* The daemon's zygote connection (see zygote_client.h).
 *
 * Two sockets: the connection itself, where the reader thread receives exits
 * (and sends acks), and a request channel the zygote hands over (op "channel"),
 * where the thread that makes a request sends it and reads the reply itself, one
 * request at a time: a StartContainer waits for one wake-up, not for the reader's
 * and then its own. When the connection ends, a request in flight gets
 * -ECONNRESET and the event callback gets NULL once; then the reader starts a new
 * zygote (the child execs `PROGRAM zygote STATE_DIR CACHE_BYTES`, as for the first
 * one), opens a new channel and goes on with it; a start that fails is tried again
 * after a backoff (RESPAWN_MIN_MS doubling up to RESPAWN_MAX_MS), for as long as the
 * daemon runs. Meanwhile zc_ready says why there is no zygote (RuntimeReady false).
 * A channel that broke while the connection lives is asked for again on the
 * connection: the reader receives the new socket and hands it to the waiting request.
 * A request too big for a packet fails alone: nothing was sent, the channel stays.
 */
#include "zygote_client.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "metrics.h"
#include "zygote_proto.h"

#define RESPAWN_MIN_MS 100
#define RESPAWN_MAX_MS 10000
/* A zygote that lived this long was fine: the next restart is not delayed. */
#define RESPAWN_RESET_MS 10000
#define CHANNEL_TIMEOUT_MS 5000
/* The zygote answers at once (a fork, a mount, a first compile at most): a reply
 * this late means it hangs, and the handler thread waiting must not hang with it. */
#define REQUEST_TIMEOUT_MS 30000

struct zc_client {
    int fd;
    int channel_fd;             /* requests and their replies; -1 while there is none */
    pthread_mutex_t channel_mu; /* one request at a time; guards channel_fd, next_seq */
    json_int_t next_seq;
    pthread_mutex_t mu;     /* guards everything below and serialises sends on fd */
    pthread_cond_t changed; /* dead, closing or new_channel_fd changed */
    bool dead;
    int new_channel_fd;    /* a reopened channel the reader received, until taken */
    char down_reason[512]; /* why there is no zygote, while dead */
    bool closing;          /* zc_close: the end of the connection is expected */
    int zygote_pid;
    bool reader_started;
    pthread_t reader;
    zc_event_fn fn;
    void *ctx;
    char *state_dir;
    char *zygote_program;
    char cache_bytes[24]; /* the zygote's module cache budget, as its argument */
    int64_t up_since_ms;  /* when the zygote last answered */
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits on c->changed (mu held) until the monotonic time deadline_ms; false at the deadline. */
static bool wait_until(zc_client *c, int64_t deadline_ms)
{
    struct timespec ts = {.tv_sec = deadline_ms / 1000, .tv_nsec = (deadline_ms % 1000) * 1000000};
    return pthread_cond_timedwait(&c->changed, &c->mu, &ts) != ETIMEDOUT;
}

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

/* The zygote's malloc keeps no per-thread cache of freed chunks (tcache): a request's
 * allocations then reuse fewer heap pages, each of which its first write after a spare's fork
 * copies (issue 18: 23 -> 15 page faults per start in the zygote, 61 -> 52 in each worker). Nor
 * does it register an rseq area: the kernel wrote it (in the thread's TLS page) at each return
 * to user space after a preemption or a migration, a copy-on-write fault in the spares' forker
 * at every spare it forked (2 -> 1 page faults per spare, spare.h). An operator's own
 * GLIBC_TUNABLES is left as it is. */
static const char zygote_tunables[] =
    "GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.pthread.rseq=0";

/* The zygote's environment: ours with zygote_tunables, or NULL (out of memory). */
static char **zygote_environ(void)
{
    size_t n = 0;
    bool tuned = false;
    for (; environ[n]; n++)
        tuned = tuned || strncmp(environ[n], "GLIBC_TUNABLES=", 15) == 0;
    char **env = calloc(n + 2, sizeof(*env));
    if (env != NULL) {
        memcpy(env, environ, n * sizeof(*env));
        env[n] = tuned ? NULL : (char *)zygote_tunables;
    }
    return env;
}

/* The grandchild becomes the zygote: own session, only the listening socket kept
 * (as fd 3), then it execs `exe zygote STATE_DIR` with env (only async-signal-safe calls
 * before that: the parent may have threads). */
static void become_zygote(int listen_fd, const char *state_dir, const char *exe,
                          const char *cache_bytes, char **env)
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
    char *const argv[] = {"wasmcri", "zygote", (char *)state_dir, (char *)cache_bytes, NULL};
    execve(exe, argv, env);
    _exit(127);
}

static int spawn(const struct sockaddr_un *sa, const char *state_dir, const char *exe,
                 const char *cache_bytes, wc_error *err)
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
    char **env = zygote_environ();
    pid_t pid = env ? fork() : -1;
    if (pid < 0) {
        int e = env ? errno : ENOMEM;
        free(env);
        close(lfd);
        return wc_error_set_errno(err, -e, "cannot fork the zygote");
    }
    if (pid == 0) {
        if (fork() == 0)
            become_zygote(lfd, state_dir, exe, cache_bytes, env);
        _exit(0);
    }
    free(env);
    close(lfd);
    waitpid(pid, NULL, 0);
    int fd = try_connect(sa);
    return fd < 0 ? wc_error_set_errno(err, fd, "cannot connect to the new zygote") : fd;
}

int zc_connect_or_spawn(const char *state_dir, const char *zygote_program, size_t cache_bytes,
                        zc_client **ret_client, bool *ret_spawned, wc_error *err)
{
    struct sockaddr_un sa;
    char budget[24];
    snprintf(budget, sizeof(budget), "%zu", cache_bytes);
    int rc = socket_address(state_dir, &sa, err);
    if (rc < 0)
        return rc;
    int fd = try_connect(&sa);
    *ret_spawned = fd < 0;
    if (fd < 0)
        fd = spawn(&sa, state_dir, zygote_program, budget, err);
    if (fd < 0)
        return fd;
    zc_client *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        close(fd);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    c->fd = fd;
    c->channel_fd = -1;
    c->new_channel_fd = -1;
    c->next_seq = 1;
    c->up_since_ms = now_ms();
    c->state_dir = strdup(state_dir);
    c->zygote_program = strdup(zygote_program);
    memcpy(c->cache_bytes, budget, sizeof(budget));
    if (c->state_dir == NULL || c->zygote_program == NULL) {
        close(fd);
        free(c->state_dir);
        free(c->zygote_program);
        free(c);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    pthread_mutex_init(&c->mu, NULL);
    pthread_mutex_init(&c->channel_mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&c->changed, &ca);
    pthread_condattr_destroy(&ca);
    *ret_client = c;
    return 0;
}

/* The reader's own request on the connection: only from the reader, or before it
 * runs. Events that come first go to the callback. *ret_fd (if not NULL) gets the
 * one descriptor the reply carries, or -1. */
static int request_inline(zc_client *c, const char *op, json_t **ret_reply, int *ret_fd,
                          wc_error *err)
{
    json_t *req = json_pack("{s:s, s:I}", "op", op, "seq", (json_int_t)0);
    int rc = req ? zp_send(c->fd, req, NULL, 0, err) : wc_error_set(err, -ENOMEM, "out of memory");
    json_decref(req);
    while (rc == 0) {
        json_t *msg = NULL;
        int fds[ZP_MAX_FDS];
        size_t nfds = 0;
        rc = zp_recv_whole(c->fd, &msg, fds, &nfds, err);
        const char *got = rc == 0 ? json_string_value(json_object_get(msg, "op")) : NULL;
        if (got && strcmp(got, "reply") == 0) {
            for (size_t i = ret_fd ? 1 : 0; i < nfds; i++)
                close(fds[i]);
            if (ret_fd)
                *ret_fd = nfds ? fds[0] : -1;
            *ret_reply = msg;
            return 0;
        }
        for (size_t i = 0; i < nfds; i++)
            close(fds[i]);
        if (rc == 0 && c->fn)
            c->fn(c->ctx, msg);
        json_decref(msg);
    }
    return rc;
}

/* A request channel's receives time out after REQUEST_TIMEOUT_MS (EAGAIN), so that a request
 * waits for its reply in the receive itself, without a poll before it. */
static int timed_channel(int fd)
{
    struct timeval tv = {.tv_sec = REQUEST_TIMEOUT_MS / 1000,
                         .tv_usec = REQUEST_TIMEOUT_MS % 1000 * 1000};
    return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ? -errno : 0;
}

/* Asks the zygote for a request channel and puts it in place of the old one. */
static int open_channel(zc_client *c, wc_error *err)
{
    json_auto_t *reply = NULL;
    _cleanup_close_ int fd = -1;
    TRY(request_inline(c, "channel", &reply, &fd, err));
    const char *msg = json_string_value(json_object_get(reply, "error"));
    if (msg || fd < 0)
        return wc_error_set(err, -EPROTO, "the zygote gave no request channel: %s",
                            msg ? msg : "no socket in the reply");
    if (timed_channel(fd) < 0)
        return wc_error_set_errno(err, -errno, "cannot set the request channel's timeout");
    pthread_mutex_lock(&c->channel_mu);
    if (c->channel_fd >= 0)
        close(c->channel_fd);
    c->channel_fd = take_fd(fd);
    pthread_mutex_unlock(&c->channel_mu);
    return 0;
}

/* The zygote's pid from its list reply. */
static int ask_zygote_pid(zc_client *c, wc_error *err)
{
    json_auto_t *reply = NULL;
    TRY(request_inline(c, "list", &reply, NULL, err));
    c->zygote_pid = (int)json_integer_value(json_object_get(reply, "zygote_pid"));
    return 0;
}

static void set_dead(zc_client *c, bool dead, const char *reason)
{
    pthread_mutex_lock(&c->mu);
    c->dead = dead || c->closing;
    snprintf(c->down_reason, sizeof(c->down_reason), "%s", dead ? reason : "");
    pthread_cond_broadcast(&c->changed);
    pthread_mutex_unlock(&c->mu);
}

/* A new zygote after the old one died; true when the client works again, else
 * err says why (a zygote that was started but did not answer is killed). */
static bool respawn(zc_client *c, wc_error *err)
{
    struct sockaddr_un sa;
    if (socket_address(c->state_dir, &sa, err) < 0)
        return false;
    int fd = spawn(&sa, c->state_dir, c->zygote_program, c->cache_bytes, err);
    if (fd < 0)
        return false;
    pthread_mutex_lock(&c->mu); /* still dead: no other thread sends */
    close(c->fd);
    c->fd = fd;
    if (c->closing) /* zc_close shut the old one down: the reader must not wait on this one */
        shutdown(fd, SHUT_RDWR);
    pthread_mutex_unlock(&c->mu);
    c->zygote_pid = 0;
    bool ok = ask_zygote_pid(c, err) == 0 && open_channel(c, err) == 0;
    if (!ok && c->zygote_pid > 0)
        kill(c->zygote_pid, SIGKILL);
    if (ok)
        c->up_since_ms = now_ms();
    return ok;
}

/* Receives events until the connection ends; true if that was expected (zc_close). */
static bool read_events(zc_client *c)
{
    for (;;) {
        json_t *msg = NULL;
        int fds[ZP_MAX_FDS];
        size_t nfds = 0;
        if (zp_recv(c->fd, &msg, fds, &nfds, NULL) < 0)
            break;
        const char *op = json_string_value(json_object_get(msg, "op")) ?: "";
        if (strcmp(op, "reply") == 0 && nfds > 0) { /* a reopened channel (reopen_channel) */
            pthread_mutex_lock(&c->mu);
            if (c->new_channel_fd >= 0)
                close(c->new_channel_fd);
            c->new_channel_fd = fds[0];
            pthread_cond_broadcast(&c->changed);
            pthread_mutex_unlock(&c->mu);
        } else if (strcmp(op, "reply") != 0) {
            c->fn(c->ctx, msg);
        }
        for (size_t i = strcmp(op, "reply") == 0 && nfds > 0 ? 1 : 0; i < nfds; i++)
            close(fds[i]);
        json_decref(msg);
    }
    pthread_mutex_lock(&c->mu);
    bool expected = c->closing;
    pthread_mutex_unlock(&c->mu);
    set_dead(c, true, "the zygote ended; starting a new one");
    return expected;
}

/* Sleeps delay_ms unless zc_close comes first; true if it did. */
static bool backoff(zc_client *c, int delay_ms)
{
    int64_t deadline = now_ms() + delay_ms;
    pthread_mutex_lock(&c->mu);
    while (!c->closing && now_ms() < deadline)
        wait_until(c, deadline);
    bool closing = c->closing;
    pthread_mutex_unlock(&c->mu);
    return closing;
}

/* Starts zygotes until one answers (or the daemon closes): at once, then after a delay
 * that doubles up to RESPAWN_MAX_MS, for as long as it takes. */
static bool restart_zygote(zc_client *c)
{
    int delay = now_ms() - c->up_since_ms >= RESPAWN_RESET_MS ? 0 : RESPAWN_MIN_MS;
    for (int attempt = 1;; attempt++) {
        if (backoff(c, delay))
            return false;
        wc_error err = {0};
        if (respawn(c, &err)) {
            wc_metrics_count(WC_M_ZYGOTE_RESTARTS, 1);
            set_dead(c, false, "");
            return true;
        }
        delay = delay < RESPAWN_MIN_MS ? RESPAWN_MIN_MS : delay * 2;
        if (delay > RESPAWN_MAX_MS)
            delay = RESPAWN_MAX_MS;
        char reason[sizeof(c->down_reason)];
        snprintf(reason, sizeof(reason),
                 "no zygote: restart attempt %d failed (%.300s); next in %d ms", attempt, err.msg,
                 delay);
        set_dead(c, true, reason);
    }
}

static void *reader_thread(void *arg)
{
    zc_client *c = arg;
    for (;;) {
        if (read_events(c))
            return NULL;
        c->fn(c->ctx, NULL);
        if (!restart_zygote(c))
            return NULL;
    }
}

int zc_start_events(zc_client *c, zc_event_fn fn, void *ctx, wc_error *err)
{
    c->fn = fn;
    c->ctx = ctx;
    if (ask_zygote_pid(c, err) < 0 || open_channel(c, err) < 0)
        return wc_error_wrap(err, "the zygote does not answer");
    int rc = pthread_create(&c->reader, NULL, reader_thread, c);
    if (rc != 0)
        return wc_error_set_errno(err, -rc, "cannot start the zygote reader thread");
    c->reader_started = true;
    return 0;
}

int zc_zygote_pid(const zc_client *c)
{
    return c->zygote_pid;
}

bool zc_ready(zc_client *c, char *reason, size_t n)
{
    pthread_mutex_lock(&c->mu);
    bool ready = !c->dead;
    snprintf(reason, n, "%s", ready ? "" : c->down_reason);
    pthread_mutex_unlock(&c->mu);
    return ready;
}

/* Sends req (a channel request) on the connection and waits for the reader to hand
 * over the new channel; mu held. */
static int ask_channel(zc_client *c, const json_t *req)
{
    if (c->dead)
        return -ECONNRESET;
    TRY(zp_send(c->fd, req, NULL, 0, NULL));
    int64_t deadline = now_ms() + CHANNEL_TIMEOUT_MS;
    while (c->new_channel_fd < 0 && !c->dead)
        if (!wait_until(c, deadline))
            return -ETIMEDOUT;
    if (c->new_channel_fd < 0)
        return -ECONNRESET;
    c->channel_fd = take_fd(c->new_channel_fd);
    return timed_channel(c->channel_fd);
}

/* A new request channel when the old one broke but the connection lives (channel_mu
 * held): asked for on the connection; the reader hands over the socket. */
static int reopen_channel(zc_client *c)
{
    json_auto_t *req = json_pack("{s:s, s:I}", "op", "channel", "seq", (json_int_t)0);
    if (req == NULL)
        return -ENOMEM;
    pthread_mutex_lock(&c->mu);
    int rc = ask_channel(c, req);
    pthread_mutex_unlock(&c->mu);
    return rc;
}

/* Sends req on the request channel, after opening a new one if the old one broke;
 * channel_mu held. */
static int send_request(zc_client *c, const json_t *req, const int *fds, size_t nfds, wc_error *err)
{
    if (c->channel_fd < 0)
        TRY(reopen_channel(c));
    return zp_send(c->channel_fd, req, fds, nfds, err);
}

int zc_send(zc_client *c, const json_t *msg, wc_error *err)
{
    pthread_mutex_lock(&c->mu);
    int rc = c->dead ? wc_error_set(err, -ECONNRESET, "the zygote is gone")
                     : zp_send(c->fd, msg, NULL, 0, err);
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int zc_request(zc_client *c, json_t *req, const int *fds, size_t nfds, json_t **ret_reply,
               wc_error *err)
{
    return zc_request_fd(c, req, fds, nfds, ret_reply, NULL, err);
}

int zc_request_fd(zc_client *c, json_t *req, const int *fds, size_t nfds, json_t **ret_reply,
                  int *ret_fd, wc_error *err)
{
    int got[ZP_MAX_FDS];
    size_t n_got = 0;
    pthread_mutex_lock(&c->channel_mu);
    json_int_t seq = c->next_seq++;
    json_object_set_new(req, "seq", json_integer(seq));
    json_t *reply = NULL;
    wc_error send_err = {0};
    int rc = send_request(c, req, fds, nfds, &send_err);
    if (rc == -E2BIG || rc == -EMSGSIZE) { /* nothing was sent: the channel is fine */
        pthread_mutex_unlock(&c->channel_mu);
        return wc_error_set(err, -EINVAL, "%s", send_err.msg);
    }
    while (rc == 0) { /* a late reply to an earlier request that timed out is skipped */
        rc = zp_recv_whole(c->channel_fd, &reply, got, &n_got, NULL);
        if (rc == -EAGAIN || rc == -EWOULDBLOCK) /* timed_channel */
            rc = -ETIMEDOUT;
        if (rc == 0 && reply && json_integer_value(json_object_get(reply, "seq")) == seq)
            break;
        for (size_t i = 0; rc == 0 && i < n_got; i++)
            close(got[i]);
        n_got = 0;
        json_decref(reply);
        reply = NULL;
    }
    if (rc < 0 && rc != -ETIMEDOUT && c->channel_fd >= 0) {
        close(c->channel_fd);
        c->channel_fd = -1;
    }
    pthread_mutex_unlock(&c->channel_mu);
    if (rc == -ETIMEDOUT)
        return wc_error_set(err, rc, "the zygote did not answer in %d s",
                            REQUEST_TIMEOUT_MS / 1000);
    if (rc < 0)
        return wc_error_set(err, -ECONNRESET, "the zygote is gone");
    for (size_t i = ret_fd ? 1 : 0; i < n_got; i++) /* the one asked for, if any, is kept */
        close(got[i]);
    const char *msg = json_string_value(json_object_get(reply, "error"));
    if (msg && ret_fd && n_got)
        close(got[0]);
    if (msg) {
        int code = (int)json_integer_value(json_object_get(reply, "code"));
        rc = wc_error_set(err, code < 0 ? code : -EIO, "%s", msg);
        if (err != NULL && json_is_true(json_object_get(reply, "host")))
            err->kind = WC_ERROR_HOST;
        json_decref(reply);
        return rc;
    }
    if (ret_fd)
        *ret_fd = n_got ? got[0] : -1;
    *ret_reply = reply;
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
    shutdown(c->fd, SHUT_RDWR);
    pthread_cond_broadcast(&c->changed);
    pthread_mutex_unlock(&c->mu);
    if (c->reader_started)
        pthread_join(c->reader, NULL);
    close(c->fd);
    if (c->channel_fd >= 0)
        close(c->channel_fd);
    if (c->new_channel_fd >= 0)
        close(c->new_channel_fd);
    pthread_cond_destroy(&c->changed);
    pthread_mutex_destroy(&c->channel_mu);
    pthread_mutex_destroy(&c->mu);
    free(c->state_dir);
    free(c->zygote_program);
    free(c);
}
