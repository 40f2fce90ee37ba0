/* SPDY/3.1 connections of the streaming server (stream_spdy.h). */
#include "stream_spdy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "spdy_frame.h"

#define READ_BUDGET (256 * 1024) /* bytes one read call takes: the session keeps pace */
#define OUT_CHUNK 32768          /* payload per data frame sent */
#define MAX_STREAMS 64           /* streams open at once on a connection */
#define MAX_PAIRS 32             /* port-forward requests open at once */

typedef struct spdy_stream {
    uint32_t id;
    int ch;
    bool fin_in, fin_out;
} spdy_stream;

/* A port forward's request: its data and error streams share a requestid. */
typedef struct spdy_pair {
    char request_id[24]; /* "" when the slot is free */
    int streams;         /* open streams of the pair */
} spdy_pair;

typedef struct spdy_conn {
    stream_conn base;
    bool port_forward; /* streams are data/error pairs (channels 2k, 2k+1) */
    spdy_pair pairs[MAX_PAIRS];
    spdy_zlib z;
    unsigned char *in; /* received bytes not parsed yet */
    size_t in_n, in_cap;
    unsigned char *out; /* bytes to send, from out_off */
    size_t out_n, out_off, out_cap;
    spdy_stream streams[MAX_STREAMS];
    size_t n_streams;
    unsigned need, have; /* channel masks */
    uint32_t last_id;    /* the highest stream the client opened */
    bool gone;           /* GOAWAY received or the socket closed */
} spdy_conn;

static spdy_stream *by_id(spdy_conn *c, uint32_t id)
{
    for (size_t i = 0; i < c->n_streams; i++)
        if (c->streams[i].id == id)
            return &c->streams[i];
    return NULL;
}

static spdy_stream *by_ch(spdy_conn *c, int ch)
{
    for (size_t i = 0; i < c->n_streams; i++)
        if (c->streams[i].ch == ch)
            return &c->streams[i];
    return NULL;
}

static int queue(spdy_conn *c, const unsigned char *head, size_t head_n, const void *body,
                 size_t body_n, wc_error *err)
{
    if (c->out_off > 0 && c->out_off == c->out_n)
        c->out_off = c->out_n = 0;
    if (c->out_n + head_n + body_n > c->out_cap) {
        size_t cap = (c->out_n + head_n + body_n) * 2;
        unsigned char *grown = realloc(c->out, cap);
        if (grown == NULL)
            return wc_error_set(err, -ENOMEM, "out of memory");
        c->out = grown;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_n, head, head_n);
    if (body_n)
        memcpy(c->out + c->out_n + head_n, body, body_n);
    c->out_n += head_n + body_n;
    return 0;
}

static int queue_control(spdy_conn *c, uint16_t type, uint8_t flags, const unsigned char *payload,
                         size_t n, wc_error *err)
{
    unsigned char head[SPDY_HEADER_LEN];
    spdy_put_control(head, type, flags, (uint32_t)n);
    return queue(c, head, sizeof(head), payload, n, err);
}

/* ---- frames from the client ---- */

typedef struct syn_headers {
    char type[16], port[8], request_id[24];
} syn_headers;

static void take(char *field, size_t size, const char *value, size_t vl)
{
    if (vl < size) {
        memcpy(field, value, vl);
        field[vl] = '\0';
    }
}

static int on_header(void *ctx, const char *name, size_t nl, const char *value, size_t vl)
{
    syn_headers *h = ctx;
    if (nl == 10 && memcmp(name, "streamtype", 10) == 0)
        take(h->type, sizeof(h->type), value, vl);
    else if (nl == 4 && memcmp(name, "port", 4) == 0)
        take(h->port, sizeof(h->port), value, vl);
    else if (nl == 9 && memcmp(name, "requestid", 9) == 0)
        take(h->request_id, sizeof(h->request_id), value, vl);
    return 0;
}

/* The channel of a port forward's stream: 2k (data) or 2k+1 (error) of the pair k
 * its requestid names (a new pair for a new id); -1 when it names no valid port. */
static int pair_channel(spdy_conn *c, const syn_headers *h, int *ret_port)
{
    char *end = NULL;
    long port = strtol(h->port, &end, 10);
    bool data = strcmp(h->type, "data") == 0;
    if ((!data && strcmp(h->type, "error") != 0) || end == h->port || *end || port < 1 ||
        port > 65535)
        return -1;
    int k = -1;
    for (int i = 0; i < MAX_PAIRS && k < 0; i++)
        if (c->pairs[i].streams > 0 && strcmp(c->pairs[i].request_id, h->request_id) == 0)
            k = i;
    for (int i = 0; i < MAX_PAIRS && k < 0; i++)
        if (c->pairs[i].streams == 0)
            k = i;
    if (k < 0)
        return -1;
    snprintf(c->pairs[k].request_id, sizeof(c->pairs[k].request_id), "%s", h->request_id);
    c->pairs[k].streams++;
    *ret_port = (int)port;
    return 2 * k + (data ? 0 : 1);
}

/* Forgets a stream closed both ways (its pair's slot is free once both are). */
static void reap(spdy_conn *c, spdy_stream *s)
{
    if (!s->fin_in || !s->fin_out)
        return;
    if (c->port_forward)
        c->pairs[s->ch / 2].streams--;
    *s = c->streams[--c->n_streams];
}

static int channel_of(const char *type)
{
    static const char *const names[] = {"stdin", "stdout", "stderr", "error", "resize"};
    for (int i = 0; i < 5; i++)
        if (strcmp(type, names[i]) == 0)
            return i;
    return -1;
}

static int on_syn_stream(spdy_conn *c, const spdy_frame *f, wc_error *err)
{
    syn_headers h = {0};
    TRY(spdy_headers_decode(&c->z, f->data, f->len, on_header, &h, err));
    if (f->stream_id % 2 == 0 || f->stream_id <= c->last_id)
        return wc_error_set(err, -EPROTO, "SPDY stream %u is not a new client stream",
                            f->stream_id);
    c->last_id = f->stream_id;
    int port = 0;
    if (c->n_streams == MAX_STREAMS)
        return wc_error_set(err, -EPROTO, "over %d SPDY streams open at once", MAX_STREAMS);
    int ch = c->port_forward ? pair_channel(c, &h, &port) : channel_of(h.type);
    if (ch < 0)
        return wc_error_set(err, -EPROTO,
                            "SPDY stream type \"%s\" (port \"%s\") is not served here", h.type,
                            h.port);
    if (by_ch(c, ch))
        return wc_error_set(err, -EPROTO, "SPDY stream type %s opened twice", h.type);
    c->streams[c->n_streams++] =
        (spdy_stream){.id = f->stream_id, .ch = ch, .fin_in = f->flags & SPDY_FLAG_FIN};
    if (!c->port_forward)
        c->have |= 1u << ch;
    c->base.ready = (c->have & c->need) == c->need;
    unsigned char *block = NULL;
    size_t n = 0;
    TRY(spdy_headers_encode(&c->z, NULL, 0, &block, &n, err));
    unsigned char *reply = malloc(4 + n);
    int rc = reply ? 0 : wc_error_set(err, -ENOMEM, "out of memory");
    if (rc == 0) {
        spdy_put32(reply, f->stream_id);
        memcpy(reply + 4, block, n);
        rc = queue_control(c, SPDY_SYN_REPLY, 0, reply, 4 + n, err);
    }
    free(reply);
    free(block);
    if (rc == 0 && c->port_forward && c->base.sink.open &&
        c->base.sink.open(c->base.sink.ctx, ch, port) < 0)
        rc = wc_error_set(err, -ECONNRESET, "the port forward could not take a stream");
    if (rc == 0 && (f->flags & SPDY_FLAG_FIN) && c->base.sink.eof)
        c->base.sink.eof(c->base.sink.ctx, ch);
    return rc;
}

static int on_frame(spdy_conn *c, const spdy_frame *f, wc_error *err)
{
    stream_sink *sink = &c->base.sink;
    if (!f->control) {
        spdy_stream *s = by_id(c, f->stream_id);
        if (s == NULL || s->fin_in)
            return 0; /* a stream reset or finished: what is late is dropped */
        if (f->len && sink->data && sink->data(sink->ctx, s->ch, f->data, f->len) < 0)
            return wc_error_set(err, -ECONNRESET, "the client's data could not be delivered");
        if (f->flags & SPDY_FLAG_FIN) {
            s->fin_in = true;
            if (sink->eof)
                sink->eof(sink->ctx, s->ch);
            reap(c, s);
        }
        return 0;
    }
    switch (f->type) {
    case SPDY_SYN_STREAM:
        return on_syn_stream(c, f, err);
    case SPDY_RST_STREAM: {
        spdy_stream *s = by_id(c, f->stream_id);
        if (s && !s->fin_in && sink->eof)
            sink->eof(sink->ctx, s->ch);
        if (s) {
            s->fin_in = s->fin_out = true; /* nothing more either way */
            reap(c, s);
        }
        return 0;
    }
    case SPDY_PING: { /* the client's (odd) pings come back */
        unsigned char id[4];
        spdy_put32(id, f->value);
        return f->value % 2 ? queue_control(c, SPDY_PING, 0, id, 4, err) : 0;
    }
    case SPDY_GOAWAY:
        c->gone = true;
        return 0;
    case SPDY_HEADERS: /* inflated to keep the compression stream in step, then ignored */
    case SPDY_SYN_REPLY: {
        syn_headers h;
        return spdy_headers_decode(&c->z, f->data, f->len, on_header, &h, err);
    }
    default: /* SETTINGS, WINDOW_UPDATE, unknown types: nothing to do */
        return 0;
    }
}

/* Handles every whole frame received so far. */
static int parse_buffered(spdy_conn *c, wc_error *err)
{
    size_t at = 0;
    spdy_frame f;
    int used = 0;
    while (!c->gone && (used = spdy_parse(c->in + at, c->in_n - at, &f, err)) > 0) {
        at += (size_t)used;
        TRY(on_frame(c, &f, err));
    }
    if (!c->gone && used < 0)
        return used;
    if (at > 0) {
        memmove(c->in, c->in + at, c->in_n - at);
        c->in_n -= at;
    }
    return 0;
}

static int sp_read(stream_conn *base, wc_error *err)
{
    spdy_conn *c = (spdy_conn *)base;
    size_t taken = 0;
    while (!c->gone && taken < READ_BUDGET) {
        TRY(parse_buffered(c, err));       /* first: what came with the upgrade */
        if (c->in_cap - c->in_n < 65536) { /* in_n stays below one frame: parsed at once */
            size_t cap = c->in_n + 131072;
            unsigned char *grown = realloc(c->in, cap);
            if (grown == NULL)
                return wc_error_set(err, -ENOMEM, "out of memory");
            c->in = grown;
            c->in_cap = cap;
        }
        ssize_t n = recv(base->sock, c->in + c->in_n, c->in_cap - c->in_n, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            break;
        if (n <= 0) {
            c->gone = true;
            break;
        }
        c->in_n += (size_t)n;
        taken += (size_t)n;
    }
    TRY(parse_buffered(c, err));
    if (c->gone)
        return wc_error_set(err, -ECONNRESET, "the client closed the connection");
    return 0;
}

/* ---- frames to the client ---- */

static int sp_flush(stream_conn *base, wc_error *err)
{
    spdy_conn *c = (spdy_conn *)base;
    while (c->out_off < c->out_n) {
        ssize_t n = send(base->sock, c->out + c->out_off, c->out_n - c->out_off, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return 0;
        if (n <= 0)
            return wc_error_set(err, -ECONNRESET, "the client closed the connection");
        c->out_off += (size_t)n;
    }
    return 0;
}

static bool sp_want_write(stream_conn *base)
{
    spdy_conn *c = (spdy_conn *)base;
    return c->out_off < c->out_n;
}

static size_t sp_queued(stream_conn *base)
{
    spdy_conn *c = (spdy_conn *)base;
    return c->out_n - c->out_off;
}

static int sp_send(stream_conn *base, int ch, const void *buf, size_t n, wc_error *err)
{
    spdy_conn *c = (spdy_conn *)base;
    spdy_stream *s = by_ch(c, ch);
    if (s == NULL || s->fin_out)
        return 0; /* the client did not open it, or reset it: nobody reads it */
    for (size_t at = 0; at < n; at += OUT_CHUNK) {
        size_t k = n - at < OUT_CHUNK ? n - at : OUT_CHUNK;
        unsigned char head[SPDY_HEADER_LEN];
        spdy_put_data(head, s->id, 0, (uint32_t)k);
        TRY(queue(c, head, sizeof(head), (const unsigned char *)buf + at, k, err));
    }
    return 0;
}

static int sp_close_channel(stream_conn *base, int ch, wc_error *err)
{
    spdy_conn *c = (spdy_conn *)base;
    spdy_stream *s = by_ch(c, ch);
    if (s == NULL || s->fin_out)
        return 0;
    s->fin_out = true;
    unsigned char head[SPDY_HEADER_LEN];
    spdy_put_data(head, s->id, SPDY_FLAG_FIN, 0);
    int rc = queue(c, head, sizeof(head), NULL, 0, err);
    reap(c, s);
    return rc;
}

static void sp_finish(stream_conn *base)
{
    spdy_conn *c = (spdy_conn *)base;
    wc_error err = {0};
    for (size_t i = c->n_streams; i-- > 0;) /* closing may reap: from the end */
        sp_close_channel(base, c->streams[i].ch, &err);
    unsigned char payload[8];
    spdy_put32(payload, c->last_id);
    spdy_put32(payload + 4, 0); /* OK */
    queue_control(c, SPDY_GOAWAY, 0, payload, sizeof(payload), &err);
}

static void sp_free(stream_conn *base)
{
    spdy_conn *c = (spdy_conn *)base;
    if (c == NULL)
        return;
    spdy_zlib_end(&c->z);
    free(c->in);
    free(c->out);
    free(c);
}

static const stream_conn_ops spdy_ops = {sp_read, sp_flush,         sp_want_write, sp_queued,
                                         sp_send, sp_close_channel, sp_finish,     sp_free};

int spdy_conn_new(int sock, const char *extra, size_t extra_n, unsigned need, bool port_forward,
                  stream_conn **ret, wc_error *err)
{
    spdy_conn *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    c->base = (stream_conn){.ops = &spdy_ops, .sock = sock, .ready = need == 0};
    c->need = need;
    c->port_forward = port_forward;
    if (extra_n) { /* bytes the HTTP server read past the request: the first frames */
        c->in = malloc(extra_n);
        if (c->in == NULL) {
            sp_free(&c->base);
            return wc_error_set(err, -ENOMEM, "out of memory");
        }
        memcpy(c->in, extra, extra_n);
        c->in_n = c->in_cap = extra_n;
    }
    fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) | O_NONBLOCK);
    *ret = &c->base;
    return 0;
}
