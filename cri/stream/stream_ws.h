/* WebSocket for the streaming server: the opening handshake's answer (RFC 6455 4.2.2)
 * and Kubernetes' channel protocols (v4/v5.channel.k8s.io: each binary message starts
 * with its channel's byte; in v5 a message [255, ch] closes channel ch) as a
 * stream_conn over libwslay's framing.
 */
#ifndef WASMCRI_CRI_STREAM_WS_H
#define WASMCRI_CRI_STREAM_WS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "stream_conn.h"

/* Sec-WebSocket-Accept for a client's Sec-WebSocket-Key (29 bytes with the NUL). */
int ws_accept_key(const char *key, char out[29], wc_error *err);

/* The first protocol of the client's Sec-WebSocket-Protocol list (offered, comma
 * separated) that supported (NULL-terminated) holds; NULL for none. Borrowed from
 * supported. */
const char *ws_pick_protocol(const char *offered, const char *const *supported);

/* A connection on sock (borrowed; made non-blocking) whose first bytes are extra
 * (what the HTTP server read past the request). v5: the close signal is understood. */
int ws_conn_new(int sock, const char *extra, size_t extra_n, bool v5, const stream_sink *sink,
                stream_conn **ret, wc_error *err);

#endif
