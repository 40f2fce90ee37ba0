/* The daemon's side of the zygote connection (zygote_proto.h).
 *
 * zc_connect_or_spawn connects to the zygote a previous daemon left running, or
 * binds the socket and starts a new zygote: a double fork (the zygote is not the
 * daemon's child and outlives it) that execs `ZYGOTE_PROGRAM zygote STATE_DIR`
 * (cmd/zygote_cmd.c, in the small `wasmcri` program: the zygote and the workers it
 * forks map none of the daemon's gRPC, curl or LevelDB libraries, and it is safe
 * whatever threads the daemon has). Afterwards one reader thread receives the
 * unsolicited events (exits) and calls the event callback; requests go over a
 * channel of their own, and the calling thread reads its reply. If the zygote
 * dies, the callback gets NULL and the reader starts a new one the same way (again and
 * again, with a backoff, until one answers).
 * zc_request may be called from any thread (the callback's included).
 */
#ifndef WASMCRI_SANDBOX_ZYGOTE_CLIENT_H
#define WASMCRI_SANDBOX_ZYGOTE_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct zc_client zc_client;

/* ev is borrowed for the call; NULL means the zygote went away. */
typedef void (*zc_event_fn)(void *ctx, const json_t *ev);

/* zygote_program: the path of the program to exec as `zygote_program zygote STATE_DIR
 * CACHE_BYTES` (copied); cache_bytes: the budget of a zygote started now (one found
 * running keeps its own). */
int zc_connect_or_spawn(const char *state_dir, const char *zygote_program, size_t cache_bytes,
                        zc_client **ret_client, bool *ret_spawned, wc_error *err);

/* Starts the reader thread. fn runs on it and may call zc_request/zc_send. */
int zc_start_events(zc_client *c, zc_event_fn fn, void *ctx, wc_error *err);

/* Sends req (borrowed; "seq" is set) with fds (borrowed) and waits for the reply.
 * A reply carrying "error" becomes that error. -ECONNRESET when the zygote is gone,
 * -ETIMEDOUT when it has not answered in 30 s (a later reply is skipped), -EINVAL when
 * req is over ZP_MAX_PACKET (nothing is sent; later requests work). */
int zc_request(zc_client *c, json_t *req, const int *fds, size_t nfds, json_t **ret_reply,
               wc_error *err);

/* As zc_request; *ret_fd (the caller's) is the one descriptor the reply carries, -1 if none. */
int zc_request_fd(zc_client *c, json_t *req, const int *fds, size_t nfds, json_t **ret_reply,
                  int *ret_fd, wc_error *err);

/* Sends a packet that has no reply (ack). */
int zc_send(zc_client *c, const json_t *msg, wc_error *err);

/* True while a zygote answers; else reason (n bytes) says why not and what is being done
 * (the reader restarts it with a backoff for as long as the daemon runs). */
bool zc_ready(zc_client *c, char *reason, size_t n);

/* The zygote's pid (from its list reply at connection), 0 if unknown. */
int zc_zygote_pid(const zc_client *c);

/* Asks the zygote to exit once no worker runs, stops the reader, frees c. NULL is fine. */
void zc_close(zc_client *c);

#endif
