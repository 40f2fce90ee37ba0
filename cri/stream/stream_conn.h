/* A streaming connection after the HTTP upgrade, whatever its framing (WebSocket in
 * stream_ws.c, SPDY/3.1 in stream_spdy.c), as the sessions (exec, attach, port
 * forward) see it: numbered channels carrying bytes both ways.
 *
 * Channels are Kubernetes' remotecommand numbers (0 stdin, 1 stdout, 2 stderr,
 * 3 error, 4 resize); a port forward uses 2k for the data and 2k+1 for the error
 * stream of its k-th port. The session's thread owns the connection: it polls
 * conn->sock (POLLOUT while want_write) and calls read/flush; read delivers what
 * arrived through the sink callbacks. Nothing here blocks: the socket is
 * non-blocking and outgoing data waits in the connection's queue (queued()).
 */
#ifndef WASMCRI_CRI_STREAM_CONN_H
#define WASMCRI_CRI_STREAM_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum { CH_STDIN = 0, CH_STDOUT = 1, CH_STDERR = 2, CH_ERROR = 3, CH_RESIZE = 4 };

typedef struct stream_sink {
    void *ctx;
    /* bytes the client sent on channel ch; a negative return ends the connection */
    int (*data)(void *ctx, int ch, const unsigned char *buf, size_t n);
    /* the client will send nothing more on ch */
    void (*eof)(void *ctx, int ch);
    /* a port-forward client opened a channel pair (SPDY): ch is its data channel */
    int (*open)(void *ctx, int ch, int port);
} stream_sink;

typedef struct stream_conn stream_conn;

typedef struct stream_conn_ops {
    /* Reads what the socket has: 0, or -ECONNRESET once the client is gone (or broke
     * the protocol: err says how). */
    int (*read)(stream_conn *c, wc_error *err);
    /* Writes what is queued, as far as the socket takes it. */
    int (*flush)(stream_conn *c, wc_error *err);
    bool (*want_write)(stream_conn *c);
    size_t (*queued)(stream_conn *c); /* bytes waiting to be written */
    int (*send)(stream_conn *c, int ch, const void *buf, size_t n, wc_error *err);
    int (*close_channel)(stream_conn *c, int ch, wc_error *err); /* our side is done */
    /* Ends the connection politely (a close frame, a GOAWAY), queued. */
    void (*finish)(stream_conn *c);
    void (*free)(stream_conn *c);
} stream_conn_ops;

struct stream_conn {
    const stream_conn_ops *ops;
    int sock;
    stream_sink sink;
    bool ready; /* every stream the request needs is open (SPDY creates them first) */
};

/* Reads until every stream the session needs is open (conn->ready; -ETIMEDOUT after 30 s),
 * then, while more(ctx) (may be NULL) holds, for up to more_ms. */
int stream_await_ready(stream_conn *c, bool (*more)(void *ctx), void *ctx, int more_ms,
                       wc_error *err);

int64_t stream_now_ms(void); /* CLOCK_MONOTONIC */

/* Writes what is queued, for up to 5 s (a session's last output, its status). */
void stream_drain(stream_conn *c);

#endif
