/* cri_daemon: the state every CRI handler works on, owned by cmd/daemon_cmd.c.
 *
 * Fields above `mu` are set before the server starts and never change; fields
 * below it change at run time and are read or written with `mu` held.
 * The image and runtime services add their handles here.
 */
#ifndef WASMCRI_CRI_DAEMON_H
#define WASMCRI_CRI_DAEMON_H

#include <pthread.h>
#include <stdint.h>

#include "config.h"
#include "store.h"

typedef struct wc_sandbox wc_sandbox;
typedef struct stream_server stream_server;

typedef struct cri_daemon {
    const wc_config *cfg;  /* borrowed from the caller for the daemon's lifetime */
    wc_store *store;       /* images, content, snapshots under cfg->root_dir */
    wc_sandbox *sandbox;   /* borrowed: pods and containers (wasm/sandbox/sandbox.h) */
    stream_server *stream; /* borrowed: Exec/Attach/PortForward URLs (stream/stream_server.h) */

    pthread_mutex_t mu;
    char *pod_cidr; /* from UpdateRuntimeConfig; NULL until set */
} cri_daemon;

/* Opens the store under cfg->root_dir; err says why not. */
int cri_daemon_init(cri_daemon *d, const wc_config *cfg, wc_error *err);
void cri_daemon_free(cri_daemon *d);

#endif
