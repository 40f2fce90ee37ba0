/* The zygote: a single-threaded process the daemon forks before it starts any
 * thread. It keeps loaded modules (by key: image + entrypoint, or file identity)
 * within a memory budget and forks one worker per started container, so a worker gets a ready
 * module by copy-on-write. It reaps the workers and reports each exit to the daemon; it outlives
 * the daemon, so a restarted daemon reconnects to it (zygote_proto.h).
 */
#ifndef WASMCRI_SANDBOX_ZYGOTE_H
#define WASMCRI_SANDBOX_ZYGOTE_H

#include <stddef.h>

/* Serves listen_fd (a listening SOCK_SEQPACKET socket) until told to quit when
 * idle. state_dir holds the pid file and the exits directory; module_cache_bytes is
 * the compiled-module cache's budget (module_cache.h). Exits the process. */
void zygote_main(int listen_fd, const char *state_dir, size_t module_cache_bytes)
    __attribute__((noreturn));

#endif
