/* The CRI gRPC server: gRPC C core on a unix socket, one completion queue per
 * worker thread, every rpc of RuntimeService and ImageService registered from the
 * proto's service descriptors and dispatched through the tables in service.h.
 */
#ifndef WASMCRI_CRI_SERVER_H
#define WASMCRI_CRI_SERVER_H

#include <stddef.h>
#include <stdio.h>

#include "daemon.h"
#include "error.h"
#include "heartbeat.h"

typedef struct cri_server cri_server;

/* Calls grpc_init(), binds socket_path (mode 0660; its directory must exist),
 * starts n_threads completion-queue threads (named "cri-queue-N") and serves. Block
 * SIGTERM/SIGINT in the calling thread before calling this: gRPC's threads inherit the
 * mask. hb (may be NULL) is beaten from the queue threads while they all turn
 * (heartbeat.h). d is borrowed until cri_server_stop returns. */
int cri_server_start(cri_daemon *d, const char *socket_path, size_t n_threads,
                     const cri_heartbeat *hb, cri_server **ret_server, wc_error *err);

/* Stops accepting calls, cancels the ones still open after grace_ms (clients such
 * as kubelet keep connections open), waits for every call the server holds,
 * joins the threads, frees srv and calls grpc_shutdown(). srv may be NULL. */
void cri_server_stop(cri_server *srv, int grace_ms);

/* The per-rpc metrics (rpc_metrics.h) in the Prometheus text format. */
void cri_server_write_metrics(cri_server *srv, FILE *f);

#endif
