/* The sessions behind the streaming server's URLs, each run on the connection's own
 * thread until the client or the program is done: exec (stream_exec.c), attach
 * (stream_attach.c), port forward (stream_portforward.c).
 */
#ifndef WASMCRI_CRI_STREAM_SESSION_H
#define WASMCRI_CRI_STREAM_SESSION_H

#include "sandbox.h"
#include "stream_conn.h"
#include "stream_tokens.h"

typedef struct stream_env {
    wc_sandbox *sb;
    int idle_ms; /* stream_idle_timeout: no byte either way for so long ends a session */
} stream_env;

/* Runs req's command with its stdio on conn; the exit status goes on the error
 * channel. Returns when the session is over (the worker is gone). */
void stream_exec_run(const stream_env *env, stream_conn *conn, const stream_request *req);

/* Follows the running container's output (its CRI log) onto stdout/stderr until it exits. */
void stream_attach_run(const stream_env *env, stream_conn *conn, const stream_request *req);

/* Forwards each data/error channel pair the client opens (SPDY) to localhost:PORT in the
 * pod's network namespace (req->ports, when given, are the ports allowed); with fixed
 * channels (WebSocket) the pairs are req->ports' in order, each announced by its port as
 * two little-endian bytes on both channels, and the session ends with the last one. */
void stream_portforward_run(const stream_env *env, stream_conn *conn, const stream_request *req,
                            bool fixed_channels);

/* The remotecommand status (metav1.Status JSON) for an exit code, as kubelet writes it
 * (Success, or NonZeroExitCode with an ExitCode cause); malloc'd. */
char *stream_exit_status(int exit_code, size_t *ret_len);
/* The status of a session that could not run (InternalError, code 500); malloc'd. */
char *stream_error_status(const char *message, size_t *ret_len);

#endif
