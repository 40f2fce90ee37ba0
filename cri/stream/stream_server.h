/* The streaming server: an HTTP/1.1 server (libmicrohttpd, a thread of its own, never
 * the gRPC queue's) on stream_address:stream_port that serves the URLs the Exec,
 * Attach and PortForward rpcs answer (http://ADDR:PORT/exec/TOKEN, ...). A request
 * upgrades its connection to WebSocket (v5/v4.channel.k8s.io) or SPDY/3.1; the
 * session then runs on a thread of its own (stream_session.h) until it ends.
 */
#ifndef WASMCRI_CRI_STREAM_SERVER_H
#define WASMCRI_CRI_STREAM_SERVER_H

#include <stdbool.h>

#include "error.h"
#include "sandbox.h"
#include "stream_tokens.h"

#define STREAM_HANDSHAKE_TIMEOUT_S 10 /* a connection that does not upgrade in time is closed */

typedef struct stream_server stream_server;

typedef struct stream_server_conf {
    const char *addr;   /* an IPv4 or IPv6 address */
    int port;           /* 0: a free one */
    int idle_timeout_s; /* 0: none */
    bool tls;           /* https:// (libmicrohttpd's GnuTLS; the upgraded streams too) */
    const char *tls_cert_file, *tls_key_file; /* PEM; "": a self-signed pair (stream_tls.h) */
    const char *cert_out; /* where a self-signed certificate is written for clients to trust */
} stream_server_conf;

int stream_server_start(wc_sandbox *sb, const stream_server_conf *conf, stream_server **ret,
                        wc_error *err);

/* Stores req (taken, also on failure) under a new one-time token: *ret_url (malloc'd)
 * is the absolute URL a client upgrades at. */
int stream_server_issue(stream_server *s, stream_request *req, char **ret_url, wc_error *err);

/* The URL base, "http://127.0.0.1:PORT" (https with TLS). */
const char *stream_server_url(const stream_server *s);

/* Ends every session (their workers are killed), then the server. NULL is fine. */
void stream_server_stop(stream_server *s);

#endif
