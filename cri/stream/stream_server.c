/* The streaming server (stream_server.h): routes, the upgrade handshakes, one thread
 * per upgraded connection. */
#include "stream_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "stream_session.h"
#include "stream_spdy.h"
#include "stream_tls.h"
#include "stream_ws.h"

#define STREAM_CONNECTIONS_MAX 1024
#define STOP_WAIT_S 5

typedef enum framing { FRAMING_WS4, FRAMING_WS5, FRAMING_SPDY } framing;

typedef struct session_thread {
    struct session_thread *next;
    stream_server *srv;
    int sock;
    struct MHD_UpgradeResponseHandle *urh;
    char *extra;
    size_t extra_n;
    framing framing;
    stream_request *req;
} session_thread;

/* One request's state from the handler to its upgrade (MHD's con_cls). */
typedef struct upgrade_ctx {
    stream_server *srv;
    stream_request *req; /* moved to the session thread at the upgrade */
    framing framing;
} upgrade_ctx;

struct stream_server {
    struct MHD_Daemon *mhd;
    stream_tls_pair tls; /* with TLS: the certificate and key MHD serves */
    stream_tokens tokens;
    stream_env env;
    char url[96];
    pthread_mutex_t mu;
    pthread_cond_t ended;
    session_thread *sessions;
    size_t n_sessions;
    bool stopping;
};

static const char *const ws_protocols[] = {"v5.channel.k8s.io", "v4.channel.k8s.io", NULL};
static const char *const ws_pf_protocols[] = {"v4.channel.k8s.io", NULL};

const char *stream_server_url(const stream_server *s)
{
    return s->url;
}

int stream_server_issue(stream_server *s, stream_request *req, char **ret_url, wc_error *err)
{
    static const char *const paths[] = {"exec", "attach", "portforward"};
    const char *path = paths[req->kind];
    char token[STREAM_TOKEN_LEN + 1];
    TRY(stream_tokens_add(&s->tokens, req, token, err));
    if (asprintf(ret_url, "%s/%s/%s", s->url, path, token) < 0) {
        *ret_url = NULL;
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    return 0;
}

/* ---- sessions ---- */

/* The SPDY streams a remotecommand client opens before the session starts. */
static unsigned streams_needed(const stream_request *req)
{
    if (req->kind == STREAM_PORTFORWARD)
        return 0;
    return 1u << CH_ERROR | (req->in ? 1u << CH_STDIN : 0) | (req->out ? 1u << CH_STDOUT : 0) |
           (req->err && !req->tty ? 1u << CH_STDERR : 0) | (req->tty ? 1u << CH_RESIZE : 0);
}

static void *session_main(void *arg)
{
    session_thread *t = arg;
    stream_server *s = t->srv;
    stream_conn *conn = NULL;
    wc_error err = {0};
    stream_sink none = {0};
    int rc = t->framing == FRAMING_SPDY
                 ? spdy_conn_new(t->sock, t->extra, t->extra_n, streams_needed(t->req),
                                 t->req->kind == STREAM_PORTFORWARD, &conn, &err)
                 : ws_conn_new(t->sock, t->extra, t->extra_n, t->framing == FRAMING_WS5, &none,
                               &conn, &err);
    if (rc < 0)
        wc_warn("stream", "cannot serve a connection: %s", err.msg);
    else if (t->req->kind == STREAM_EXEC)
        stream_exec_run(&s->env, conn, t->req);
    else if (t->req->kind == STREAM_ATTACH)
        stream_attach_run(&s->env, conn, t->req);
    else if (t->req->kind == STREAM_PORTFORWARD)
        stream_portforward_run(&s->env, conn, t->req, t->framing != FRAMING_SPDY);
    if (conn)
        conn->ops->free(conn);
    MHD_upgrade_action(t->urh, MHD_UPGRADE_ACTION_CLOSE);
    pthread_mutex_lock(&s->mu);
    for (session_thread **p = &s->sessions; *p; p = &(*p)->next)
        if (*p == t) {
            *p = t->next;
            break;
        }
    s->n_sessions--;
    pthread_cond_broadcast(&s->ended);
    pthread_mutex_unlock(&s->mu);
    stream_request_free(t->req);
    free(t->extra);
    free(t);
    return NULL;
}

static void on_upgrade(void *cls, struct MHD_Connection *connection, void *con_cls,
                       const char *extra_in, size_t extra_in_size, MHD_socket sock,
                       struct MHD_UpgradeResponseHandle *urh)
{
    (void)connection, (void)con_cls;
    upgrade_ctx *u = cls;
    stream_server *s = u->srv;
    session_thread *t = calloc(1, sizeof(*t));
    if (t && extra_in_size && (t->extra = malloc(extra_in_size)) == NULL) {
        free(t);
        t = NULL;
    }
    if (t == NULL) {
        MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
        return;
    }
    if (extra_in_size)
        memcpy(t->extra, extra_in, extra_in_size);
    int one = 1; /* small frames (a reply, a line of output) go out at once */
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    *t = (session_thread){.srv = s,
                          .sock = sock,
                          .urh = urh,
                          .extra = t->extra,
                          .extra_n = extra_in_size,
                          .framing = u->framing,
                          .req = u->req};
    u->req = NULL;
    pthread_mutex_lock(&s->mu);
    t->next = s->sessions;
    s->sessions = t;
    s->n_sessions++;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t th;
    bool started = !s->stopping && pthread_create(&th, &attr, session_main, t) == 0;
    pthread_attr_destroy(&attr);
    if (!started) {
        s->sessions = t->next;
        s->n_sessions--;
    }
    pthread_mutex_unlock(&s->mu);
    if (!started) {
        wc_warn("stream", "no thread for a stream session");
        MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
        stream_request_free(t->req);
        free(t->extra);
        free(t);
    }
}

/* ---- requests ---- */

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof(msg) - 1, fmt, ap);
    va_end(ap);
    n = n < 0 ? 0 : n > (int)sizeof(msg) - 2 ? (int)sizeof(msg) - 2 : n;
    msg[n++] = '\n';
    struct MHD_Response *r = MHD_create_response_from_buffer((size_t)n, msg, MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
    enum MHD_Result rc = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return rc;
}

/* The token of url for kind's path, or NULL. */
static const char *route(const char *url, stream_kind *ret_kind)
{
    static const struct {
        const char *prefix;
        stream_kind kind;
    } routes[] = {{"/exec/", STREAM_EXEC},
                  {"/attach/", STREAM_ATTACH},
                  {"/portforward/", STREAM_PORTFORWARD}};
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        size_t n = strlen(routes[i].prefix);
        if (strncmp(url, routes[i].prefix, n) == 0 && strlen(url + n) == STREAM_TOKEN_LEN &&
            strspn(url + n, "0123456789abcdef") == STREAM_TOKEN_LEN) {
            *ret_kind = routes[i].kind;
            return url + n;
        }
    }
    return NULL;
}

/* The 101 answer of an upgrade with the session's context (*con_cls, freed when the request
 * completes: on_completed); NULL, with req freed, when either cannot be made. */
static struct MHD_Response *upgrade_response(stream_server *s, stream_request *req, framing f,
                                             void **con_cls)
{
    upgrade_ctx *u = calloc(1, sizeof(*u));
    struct MHD_Response *r = u ? MHD_create_response_for_upgrade(on_upgrade, u) : NULL;
    if (r == NULL) {
        free(u);
        stream_request_free(req);
        return NULL;
    }
    *u = (upgrade_ctx){.srv = s, .req = req, .framing = f};
    *con_cls = u;
    return r;
}

static enum MHD_Result upgrade_ws(stream_server *s, struct MHD_Connection *conn,
                                  stream_request *req, void **con_cls)
{
    const char *key = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-WebSocket-Key");
    const char *offered =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-WebSocket-Protocol");
    bool pf = req->kind == STREAM_PORTFORWARD;
    const char *proto = ws_pick_protocol(offered, pf ? ws_pf_protocols : ws_protocols);
    char accept[29];
    wc_error err = {0};
    if (proto == NULL && !(pf && offered == NULL)) { /* a port forward may name none */
        stream_request_free(req);
        return answer(conn, MHD_HTTP_BAD_REQUEST,
                      "none of the WebSocket protocols offered (%.200s) is served: use %s",
                      offered ? offered : "none",
                      pf ? "v4.channel.k8s.io" : "v5.channel.k8s.io or v4.channel.k8s.io");
    }
    if (pf && req->n_ports == 0) {
        stream_request_free(req);
        return answer(conn, MHD_HTTP_BAD_REQUEST,
                      "a WebSocket port forward needs the ports in the PortForward request");
    }
    if (ws_accept_key(key ? key : "", accept, &err) < 0) {
        stream_request_free(req);
        return answer(conn, MHD_HTTP_BAD_REQUEST, "%s", err.msg);
    }
    framing f = proto && strcmp(proto, "v5.channel.k8s.io") == 0 ? FRAMING_WS5 : FRAMING_WS4;
    struct MHD_Response *r = upgrade_response(s, req, f, con_cls);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "Upgrade", "websocket");
    MHD_add_response_header(r, "Sec-WebSocket-Accept", accept);
    if (proto)
        MHD_add_response_header(r, "Sec-WebSocket-Protocol", proto);
    enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_SWITCHING_PROTOCOLS, r);
    MHD_destroy_response(r);
    return rc;
}

typedef struct offered_versions {
    const char *picked;
    const char *const *supported;
} offered_versions;

static enum MHD_Result on_version(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    (void)kind;
    offered_versions *o = cls;
    if (strcasecmp(key, "X-Stream-Protocol-Version") == 0 && o->picked == NULL)
        o->picked = ws_pick_protocol(value, o->supported);
    return MHD_YES;
}

static enum MHD_Result upgrade_spdy(stream_server *s, struct MHD_Connection *conn,
                                    stream_request *req, void **con_cls)
{
    static const char *const remotecommand[] = {"v4.channel.k8s.io", NULL};
    static const char *const portforward[] = {"portforward.k8s.io", NULL};
    offered_versions o = {NULL, req->kind == STREAM_PORTFORWARD ? portforward : remotecommand};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, on_version, &o);
    if (o.picked == NULL) {
        stream_request_free(req);
        return answer(conn, MHD_HTTP_FORBIDDEN,
                      "no X-Stream-Protocol-Version offered is served (%s is)", o.supported[0]);
    }
    struct MHD_Response *r = upgrade_response(s, req, FRAMING_SPDY, con_cls);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "Upgrade", "SPDY/3.1");
    MHD_add_response_header(r, "X-Stream-Protocol-Version", o.picked);
    enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_SWITCHING_PROTOCOLS, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version, (void)upload_data;
    stream_server *s = cls;
    if (*con_cls != NULL || *upload_data_size != 0) {
        *upload_data_size = 0; /* a body is not read */
        return MHD_YES;
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
        return answer(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "%s is not served here", method);
    stream_kind kind;
    const char *token = route(url, &kind);
    if (token == NULL)
        return answer(conn, MHD_HTTP_NOT_FOUND, "no such stream path");
    stream_request *req = stream_tokens_take(&s->tokens, token);
    if (req == NULL || req->kind != kind) {
        stream_request_free(req);
        return answer(conn, MHD_HTTP_NOT_FOUND, "unknown or expired stream token (one use, %d s)",
                      STREAM_TOKEN_TTL_S);
    }
    const char *upgrade = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Upgrade");
    if (upgrade && strcasecmp(upgrade, "websocket") == 0)
        return upgrade_ws(s, conn, req, con_cls);
    if (upgrade && strcasecmp(upgrade, "SPDY/3.1") == 0)
        return upgrade_spdy(s, conn, req, con_cls);
    stream_request_free(req);
    return answer(conn, MHD_HTTP_BAD_REQUEST,
                  "a stream needs its connection upgraded to websocket or SPDY/3.1 (Upgrade: "
                  "%.100s)",
                  upgrade ? upgrade : "none");
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)conn, (void)toe;
    upgrade_ctx *u = *con_cls;
    if (u == NULL)
        return;
    stream_request_free(u->req); /* NULL once a session took it */
    free(u);
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    wc_debug("stream", "http: %s", msg);
}

/* ---- lifetime ---- */

/* The pair TLS serves, and a self-signed certificate written where clients find it. */
static int prepare_tls(stream_server *s, const stream_server_conf *conf, wc_error *err)
{
    if (*conf->tls_cert_file)
        return stream_tls_load(conf->tls_cert_file, conf->tls_key_file, &s->tls, err);
    TRY(stream_tls_self_signed(conf->addr, &s->tls, err));
    if (conf->cert_out == NULL || *conf->cert_out == '\0')
        return 0;
    char tmp[4096 + 8];
    snprintf(tmp, sizeof(tmp), "%s.new", conf->cert_out);
    FILE *f = fopen(tmp, "we");
    bool ok = f && fputs(s->tls.cert_pem, f) >= 0;
    ok = f && fclose(f) == 0 && ok;
    if (!ok || rename(tmp, conf->cert_out) < 0) {
        int e = errno;
        unlink(tmp);
        return wc_error_set_errno(err, -e, "write the streaming certificate to %s", conf->cert_out);
    }
    return 0;
}

static int listen_addr(const stream_server_conf *conf, struct sockaddr_storage *ss, unsigned *flags,
                       wc_error *err)
{
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, conf->addr, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)conf->port);
    } else if (inet_pton(AF_INET6, conf->addr, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)conf->port);
        *flags |= MHD_USE_IPv6;
    } else {
        return wc_error_set(err, -EINVAL, "stream_address %s is not an IP address", conf->addr);
    }
    return 0;
}

int stream_server_start(wc_sandbox *sb, const stream_server_conf *conf, stream_server **ret,
                        wc_error *err)
{
    struct sockaddr_storage ss = {0};
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_UPGRADE | MHD_USE_ERROR_LOG;
    TRY(listen_addr(conf, &ss, &flags, err));
    stream_server *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    s->env = (stream_env){.sb = sb, .idle_ms = conf->idle_timeout_s * 1000};
    stream_tokens_init(&s->tokens);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->ended, NULL);
    if (conf->tls && prepare_tls(s, conf, err) < 0) {
        stream_server_stop(s);
        return wc_error_wrap(err, "stream_tls");
    }
    struct MHD_OptionItem tls_opts[] = {{MHD_OPTION_HTTPS_MEM_KEY, 0, s->tls.key_pem},
                                        {MHD_OPTION_HTTPS_MEM_CERT, 0, s->tls.cert_pem},
                                        {MHD_OPTION_END, 0, NULL}};
    if (conf->tls)
        flags |= MHD_USE_TLS; /* an upgraded stream is then a socketpair MHD encrypts for */
    s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER,
                              mhd_log, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                              MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)STREAM_HANDSHAKE_TIMEOUT_S,
                              MHD_OPTION_CONNECTION_LIMIT, (unsigned)STREAM_CONNECTIONS_MAX,
                              MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_ARRAY,
                              conf->tls ? tls_opts : &tls_opts[2], MHD_OPTION_END);
    if (s->mhd == NULL) {
        stream_server_stop(s);
        return wc_error_set(err, -EADDRINUSE,
                            "cannot serve streams on %s port %d (in use, or not an address here%s)",
                            conf->addr, conf->port, conf->tls ? ", or TLS could not start" : "");
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
    unsigned bound = info ? info->port : (unsigned)conf->port;
    snprintf(s->url, sizeof(s->url), ss.ss_family == AF_INET6 ? "%s://[%s]:%u" : "%s://%s:%u",
             conf->tls ? "https" : "http", conf->addr, bound);
    wc_info("stream", "streaming server on %s", s->url);
    *ret = s;
    return 0;
}

void stream_server_stop(stream_server *s)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    for (session_thread *t = s->sessions; t; t = t->next)
        shutdown(t->sock, SHUT_RDWR); /* the session sees its client gone */
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += STOP_WAIT_S;
    while (s->n_sessions > 0 && pthread_cond_timedwait(&s->ended, &s->mu, &until) == 0)
        ;
    size_t left = s->n_sessions;
    pthread_mutex_unlock(&s->mu);
    if (left > 0) { /* their threads still use the server: leave it to the exit */
        wc_warn("stream", "%zu stream sessions did not end in %d s", left, STOP_WAIT_S);
        return;
    }
    if (s->mhd)
        MHD_stop_daemon(s->mhd);
    stream_tokens_clear(&s->tokens);
    stream_tls_pair_clear(&s->tls);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->ended);
    free(s);
}
