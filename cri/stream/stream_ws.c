/* WebSocket connections of the streaming server (stream_ws.h): libwslay frames,
 * this file maps messages to channels. */
#include "stream_ws.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <wslay/wslay.h>

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_MAX_MESSAGE (1024 * 1024) /* a client message over it ends the connection */
#define WS_READ_BUDGET (256 * 1024)  /* bytes one read call takes: the session keeps pace */
#define CH_CLOSE 255                 /* v5: [255, ch] closes ch */

typedef struct ws_conn {
    stream_conn base;
    wslay_event_context_ptr ctx;
    char *extra;
    size_t extra_n, extra_off;
    size_t read_now; /* bytes taken in this read call */
    bool v5, eof;
    int cb_err; /* a sink callback's error */
} ws_conn;

int ws_accept_key(const char *key, char out[29], wc_error *err)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    char buf[128];
    size_t n = strlen(key);
    if (n == 0 || n > 64)
        return wc_error_set(err, -EINVAL, "Sec-WebSocket-Key is missing or too long");
    memcpy(buf, key, n);
    memcpy(buf + n, WS_GUID, sizeof(WS_GUID) - 1);
    if (!EVP_Digest(buf, n + sizeof(WS_GUID) - 1, md, &md_len, EVP_sha1(), NULL) || md_len != 20)
        return wc_error_set(err, -EIO, "SHA-1 of the WebSocket key failed");
    EVP_EncodeBlock((unsigned char *)out, md, 20);
    return 0;
}

const char *ws_pick_protocol(const char *offered, const char *const *supported)
{
    const char *p = offered;
    while (p && *p) {
        p += strspn(p, " \t,");
        size_t n = strcspn(p, ",");
        size_t len = n;
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        for (size_t i = 0; len && supported[i]; i++)
            if (strlen(supported[i]) == len && strncmp(p, supported[i], len) == 0)
                return supported[i];
        p += n;
    }
    return NULL;
}

static ssize_t on_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *user)
{
    (void)flags;
    ws_conn *c = user;
    if (c->extra_off < c->extra_n) {
        size_t n = c->extra_n - c->extra_off < len ? c->extra_n - c->extra_off : len;
        memcpy(buf, c->extra + c->extra_off, n);
        c->extra_off += n;
        return (ssize_t)n;
    }
    if (c->read_now >= WS_READ_BUDGET) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    ssize_t n = recv(c->base.sock, buf, len, 0);
    if (n > 0) {
        c->read_now += (size_t)n;
        return n;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    c->eof = true;
    wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
    return -1;
}

static ssize_t on_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags,
                       void *user)
{
    (void)flags;
    ws_conn *c = user;
    ssize_t n = send(c->base.sock, data, len, MSG_NOSIGNAL);
    if (n >= 0)
        return n;
    if (errno == EAGAIN || errno == EINTR)
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
    else {
        c->eof = true;
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
    }
    return -1;
}

static void on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg,
                   void *user)
{
    (void)ctx;
    ws_conn *c = user;
    if (c->cb_err || arg->msg_length == 0 ||
        (arg->opcode != WSLAY_BINARY_FRAME && arg->opcode != WSLAY_TEXT_FRAME))
        return; /* control frames are wslay's; an empty message names no channel */
    int ch = arg->msg[0];
    if (c->v5 && ch == CH_CLOSE) {
        if (arg->msg_length >= 2 && c->base.sink.eof)
            c->base.sink.eof(c->base.sink.ctx, arg->msg[1]);
        return;
    }
    if (c->base.sink.data &&
        c->base.sink.data(c->base.sink.ctx, ch, arg->msg + 1, arg->msg_length - 1) < 0)
        c->cb_err = -ECONNRESET;
}

static int ws_read(stream_conn *base, wc_error *err)
{
    ws_conn *c = (ws_conn *)base;
    c->read_now = 0;
    int rc = wslay_event_recv(c->ctx);
    if (c->cb_err)
        return wc_error_set(err, -ECONNRESET, "the client's data could not be delivered");
    if (rc != 0 && !c->eof)
        return wc_error_set(err, -ECONNRESET, "the client broke the WebSocket protocol");
    if (rc != 0 || (!wslay_event_want_read(c->ctx) && !wslay_event_want_write(c->ctx)))
        return wc_error_set(err, -ECONNRESET, "the client closed the connection");
    return 0;
}

static int ws_flush(stream_conn *base, wc_error *err)
{
    ws_conn *c = (ws_conn *)base;
    if (wslay_event_send(c->ctx) != 0)
        return wc_error_set(err, -ECONNRESET, "the client closed the connection");
    return 0;
}

static bool ws_want_write(stream_conn *base)
{
    return wslay_event_want_write(((ws_conn *)base)->ctx);
}

static size_t ws_queued(stream_conn *base)
{
    return wslay_event_get_queued_msg_length(((ws_conn *)base)->ctx);
}

static int ws_send(stream_conn *base, int ch, const void *buf, size_t n, wc_error *err)
{
    ws_conn *c = (ws_conn *)base;
    uint8_t *msg = malloc(n + 1);
    if (msg == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    msg[0] = (uint8_t)ch;
    if (n)
        memcpy(msg + 1, buf, n);
    struct wslay_event_msg m = {.opcode = WSLAY_BINARY_FRAME, .msg = msg, .msg_length = n + 1};
    int rc = wslay_event_queue_msg(c->ctx, &m); /* copies msg */
    free(msg);
    if (rc == WSLAY_ERR_NOMEM)
        return wc_error_set(err, -ENOMEM, "out of memory");
    return rc == 0 ? 0 : wc_error_set(err, -ECONNRESET, "the connection is closing");
}

static int ws_close_channel(stream_conn *base, int ch, wc_error *err)
{
    (void)base, (void)ch, (void)err; /* the server's channels end with the connection */
    return 0;
}

static void ws_finish(stream_conn *base)
{
    wslay_event_queue_close(((ws_conn *)base)->ctx, WSLAY_CODE_NORMAL_CLOSURE, NULL, 0);
}

static void ws_free(stream_conn *base)
{
    ws_conn *c = (ws_conn *)base;
    if (c == NULL)
        return;
    wslay_event_context_free(c->ctx);
    free(c->extra);
    free(c);
}

static const stream_conn_ops ws_ops = {ws_read, ws_flush,         ws_want_write, ws_queued,
                                       ws_send, ws_close_channel, ws_finish,     ws_free};

int ws_conn_new(int sock, const char *extra, size_t extra_n, bool v5, const stream_sink *sink,
                stream_conn **ret, wc_error *err)
{
    ws_conn *c = calloc(1, sizeof(*c));
    if (c == NULL || (extra_n && (c->extra = malloc(extra_n)) == NULL)) {
        free(c);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    if (extra_n) /* bytes the HTTP server read past the request: the first frames */
        memcpy(c->extra, extra, extra_n);
    c->extra_n = extra_n;
    c->v5 = v5;
    c->base = (stream_conn){.ops = &ws_ops, .sock = sock, .sink = *sink, .ready = true};
    struct wslay_event_callbacks cb = {
        .recv_callback = on_recv, .send_callback = on_send, .on_msg_recv_callback = on_msg};
    if (wslay_event_context_server_init(&c->ctx, &cb, c) != 0) {
        ws_free(&c->base);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    wslay_event_config_set_max_recv_msg_length(c->ctx, WS_MAX_MESSAGE);
    fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) | O_NONBLOCK);
    *ret = &c->base;
    return 0;
}
