/* Pre-opened listeners: the pod's TCP port mappings as listening sockets a worker opens in the
 * pod's network namespace (after joining it, while it may still bind any port) and hands to the
 * guest at fd 3 upwards, announced as systemd socket activation does: LISTEN_FDS=count and
 * LISTEN_FDNAMES=tcp-PORT:... (no LISTEN_PID: a WASI program has no pid to compare it with). A
 * plain preview1 program serves with sock_accept on them, and nothing more. A program that
 * imports the socket extension's sock_open opens its own sockets and gets none (worker.c).
 */
#ifndef WASMCRI_ZYGOTE_LISTENERS_H
#define WASMCRI_ZYGOTE_LISTENERS_H

#include <stddef.h>

#include "error.h"
#include "worker.h"

/* One listening socket per port into fds[i]: [::]:port for IPv4 and IPv6 both, or 0.0.0.0:port
 * in a namespace without IPv6. A port another container of the pod already holds (EADDRINUSE)
 * gets -1 and is left out; any other failure closes what was opened and fails. */
int listeners_open(const worker_listener *l, size_t n, int *fds, wc_error *err);

/* env plus LISTEN_FDS and LISTEN_FDNAMES for the opened ones (fds[i] >= 0), as a new
 * NULL-terminated list: the two new strings are the list's, the others env's. NULL on ENOMEM;
 * env itself (a copy) when nothing was opened. Free with listeners_env_free. */
char **listeners_env(char *const *env, const worker_listener *l, const int *fds, size_t n);
void listeners_env_free(char **env, char *const *orig);

#endif
