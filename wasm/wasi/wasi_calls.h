/* The list of wasi_snapshot_preview1 functions, written once: name, param types ('i' i32,
 * 'I' i64) and result count. imports.c builds the import table from it and the prototypes below
 * come from it, so adding a WASI function is one line here plus its body. */
#ifndef WASMCRI_WASI_CALLS_H
#define WASMCRI_WASI_CALLS_H

#include "wasi_impl.h"

#define WASI_PREVIEW1_CALLS(X)                                                                     \
    X(args_get, "ii", 1)                                                                           \
    X(args_sizes_get, "ii", 1)                                                                     \
    X(environ_get, "ii", 1)                                                                        \
    X(environ_sizes_get, "ii", 1)                                                                  \
    X(clock_res_get, "ii", 1)                                                                      \
    X(clock_time_get, "iIi", 1)                                                                    \
    X(fd_advise, "iIIi", 1)                                                                        \
    X(fd_allocate, "iII", 1)                                                                       \
    X(fd_close, "i", 1)                                                                            \
    X(fd_datasync, "i", 1)                                                                         \
    X(fd_fdstat_get, "ii", 1)                                                                      \
    X(fd_fdstat_set_flags, "ii", 1)                                                                \
    X(fd_fdstat_set_rights, "iII", 1)                                                              \
    X(fd_filestat_get, "ii", 1)                                                                    \
    X(fd_filestat_set_size, "iI", 1)                                                               \
    X(fd_filestat_set_times, "iIIi", 1)                                                            \
    X(fd_pread, "iiiIi", 1)                                                                        \
    X(fd_prestat_get, "ii", 1)                                                                     \
    X(fd_prestat_dir_name, "iii", 1)                                                               \
    X(fd_pwrite, "iiiIi", 1)                                                                       \
    X(fd_read, "iiii", 1)                                                                          \
    X(fd_readdir, "iiiIi", 1)                                                                      \
    X(fd_renumber, "ii", 1)                                                                        \
    X(fd_seek, "iIii", 1)                                                                          \
    X(fd_sync, "i", 1)                                                                             \
    X(fd_tell, "ii", 1)                                                                            \
    X(fd_write, "iiii", 1)                                                                         \
    X(path_create_directory, "iii", 1)                                                             \
    X(path_filestat_get, "iiiii", 1)                                                               \
    X(path_filestat_set_times, "iiiiIIi", 1)                                                       \
    X(path_link, "iiiiiii", 1)                                                                     \
    X(path_open, "iiiiiIIii", 1)                                                                   \
    X(path_readlink, "iiiiii", 1)                                                                  \
    X(path_remove_directory, "iii", 1)                                                             \
    X(path_rename, "iiiiii", 1)                                                                    \
    X(path_symlink, "iiiii", 1)                                                                    \
    X(path_unlink_file, "iii", 1)                                                                  \
    X(poll_oneoff, "iiii", 1)                                                                      \
    X(proc_exit, "i", 0)                                                                           \
    X(proc_raise, "i", 1)                                                                          \
    X(sched_yield, "", 1)                                                                          \
    X(random_get, "ii", 1)                                                                         \
    X(sock_accept, "iii", 1)                                                                       \
    X(sock_recv, "iiiiii", 1)                                                                      \
    X(sock_send, "iiiii", 1)                                                                       \
    X(sock_shutdown, "ii", 1)

/* The WasmEdge socket extension, defined under wasi_snapshot_preview1 only: import name, the
 * wasi_ function that serves it, param types, result count. A name listed twice (sock_accept is
 * also preview1's) has forms of different types; the linker binds the one whose type the module
 * imports. The _v2 names and the same-name forms are the same functions wherever WasmEdge's two
 * generations agree. */
#define WASI_SOCKET_EXT_CALLS(X)                                                                   \
    X(sock_open, sock_open, "iii", 1)                                                              \
    X(sock_open_v2, sock_open, "iii", 1)                                                           \
    X(sock_bind, sock_bind, "iii", 1)                                                              \
    X(sock_bind_v2, sock_bind, "iii", 1)                                                           \
    X(sock_listen, sock_listen, "ii", 1)                                                           \
    X(sock_listen_v2, sock_listen, "ii", 1)                                                        \
    X(sock_accept, sock_accept_v1, "ii", 1)                                                        \
    X(sock_accept_v2, sock_accept, "iii", 1)                                                       \
    X(sock_connect, sock_connect, "iii", 1)                                                        \
    X(sock_connect_v2, sock_connect, "iii", 1)                                                     \
    X(sock_recv_v2, sock_recv, "iiiiii", 1)                                                        \
    X(sock_send_v2, sock_send, "iiiii", 1)                                                         \
    X(sock_recv_from, sock_recv_from_v1, "iiiiiii", 1)                                             \
    X(sock_recv_from, sock_recv_from, "iiiiiiii", 1)                                               \
    X(sock_recv_from_v2, sock_recv_from, "iiiiiiii", 1)                                            \
    X(sock_send_to, sock_send_to, "iiiiiii", 1)                                                    \
    X(sock_send_to_v2, sock_send_to, "iiiiiii", 1)                                                 \
    X(sock_getlocaladdr, sock_getlocaladdr_v1, "iiii", 1)                                          \
    X(sock_getlocaladdr_v2, sock_getlocaladdr, "iii", 1)                                           \
    X(sock_getpeeraddr, sock_getpeeraddr_v1, "iiii", 1)                                            \
    X(sock_getpeeraddr_v2, sock_getpeeraddr, "iii", 1)                                             \
    X(sock_getsockopt, sock_getsockopt, "iiiii", 1)                                                \
    X(sock_setsockopt, sock_setsockopt, "iiiii", 1)                                                \
    X(sock_getaddrinfo, sock_getaddrinfo, "iiiiiiii", 1)

/* The runtime's own imports, under "wasmcri" (pod.c): name, param types, result count. */
#define WASMCRI_CALLS(X)                                                                           \
    X(pod_ps, "iii", 1)                                                                            \
    X(pod_kill, "ii", 1)

/* wasi_unstable differs in these (struct layouts, whence numbering); same signatures. */
#define WASI_UNSTABLE_OVERRIDES(X)                                                                 \
    X(fd_seek)                                                                                     \
    X(fd_filestat_get)                                                                             \
    X(path_filestat_get)                                                                           \
    X(poll_oneoff)

#define WASI_PROTO(name, params, nresults)                                                         \
    wasi_errno wasi_##name(wasi_ctx *c, wasi_mem *m, const uint64_t *a);
WASI_PREVIEW1_CALLS(WASI_PROTO)
#undef WASI_PROTO
#define WASI_PROTO(name, fn, params, nresults)                                                     \
    wasi_errno wasi_##fn(wasi_ctx *c, wasi_mem *m, const uint64_t *a);
WASI_SOCKET_EXT_CALLS(WASI_PROTO)
#undef WASI_PROTO
#define WASI_PROTO(name, params, nresults)                                                         \
    wasi_errno wasmcri_##name(wasi_ctx *c, wasi_mem *m, const uint64_t *a);
WASMCRI_CALLS(WASI_PROTO)
#undef WASI_PROTO
#define WASI_PROTO(name)                                                                           \
    wasi_errno wasi_unstable_##name(wasi_ctx *c, wasi_mem *m, const uint64_t *a);
WASI_UNSTABLE_OVERRIDES(WASI_PROTO)
#undef WASI_PROTO

#endif
