/* Internals shared by the WASI source files: the ctx, the fd table, guest memory access, and the
 * host-function signature every WASI call is written against.
 *
 * Each WASI function is `wasi_errno wasi_NAME(wasi_ctx *, wasi_mem *, const uint64_t *args)`:
 * args are the wasm params in order (i32 in the low 32 bits); results go through pointers into
 * guest memory as the ABI says. imports.c binds them to the engine; the unit tests call them on a
 * plain byte array. Every guest pointer is bounds-checked through the mem_* helpers (EFAULT).
 */
#ifndef WASMCRI_WASI_IMPL_H
#define WASMCRI_WASI_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "wasi.h"
#include "wasi_abi.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "guest memory is little-endian; wasm/wasi assumes a little-endian host"
#endif

typedef struct wasi_mem {
    uint8_t *base;
    uint64_t size;
} wasi_mem;

/* Pointer to [off, off+len) in guest memory, or NULL when it does not fit. */
static inline uint8_t *mem_at(const wasi_mem *m, uint64_t off, uint64_t len)
{
    if (off > m->size || len > m->size - off)
        return NULL;
    return m->base + off;
}

#define MEM_STORE_FN(name, type)                                                                   \
    static inline bool name(const wasi_mem *m, uint64_t off, type v)                               \
    {                                                                                              \
        uint8_t *p = mem_at(m, off, sizeof(type));                                                 \
        if (p != NULL)                                                                             \
            memcpy(p, &v, sizeof(type));                                                           \
        return p != NULL;                                                                          \
    }
MEM_STORE_FN(mem_store_u8, uint8_t)
MEM_STORE_FN(mem_store_u16, uint16_t)
MEM_STORE_FN(mem_store_u32, uint32_t)
MEM_STORE_FN(mem_store_u64, uint64_t)

static inline bool mem_load_u32(const wasi_mem *m, uint64_t off, uint32_t *v)
{
    uint8_t *p = mem_at(m, off, 4);
    if (p != NULL)
        memcpy(v, p, 4);
    return p != NULL;
}

typedef enum wasi_fd_kind {
    WASI_FD_FREE = 0,
    WASI_FD_FILE,   /* regular file, device, fifo: a host fd */
    WASI_FD_DIR,    /* a directory (paths resolve beneath it) */
    WASI_FD_LOG,    /* stdout/stderr into the CRI log; no host fd */
    WASI_FD_SOCKET, /* a connected or listening socket */
} wasi_fd_kind;

typedef struct wasi_fd {
    wasi_fd_kind kind;
    int host;         /* owned host fd; -1 for WASI_FD_LOG */
    uint8_t filetype; /* WASI_FILETYPE_* */
    uint64_t rights_base;
    uint64_t rights_inheriting;
    bool readonly;         /* from a read-only mount: every write is EROFS */
    bool lazy;             /* the preopen of a lazy mount (mount.h), not switched yet */
    bool preopened_socket; /* from wasi_options.socket_fds: fd_prestat_get says so (README) */
    char *preopen;         /* guest name for fd_prestat_*, NULL if not a preopen */
    char *file_name;       /* file-mount preopens: the file's name inside host (a directory) */
    cri_log_stream stream; /* WASI_FD_LOG */
} wasi_fd;

struct wasi_ctx {
    char *args_buf, *env_buf; /* NUL-separated strings */
    size_t args_len, env_len; /* bytes, including the NULs */
    uint32_t argc, envc;
    wasi_fd *fds;
    uint32_t nfds;
    cri_log *log;
    bool terminal; /* a tty: log writes go through at once (cri_log_write_through) */
    int (*make_writable)(void *arg, bool create, int *ret_fd); /* see wasi_options */
    void *make_writable_arg;
    int (*pod_ps)(void *arg, char *buf, size_t cap, size_t *ret_len); /* see wasi_options */
    int (*pod_kill)(void *arg, int pid, int signo);
    void *pod_arg;
    int exit_code;                    /* -1 until proc_exit */
    struct wasi_binding *bindings;    /* imports.c: one env per defined import */
    struct wasi_call *unstable_calls; /* imports.c: the wasi_unstable variants */
};

typedef wasi_errno (*wasi_fn)(wasi_ctx *ctx, wasi_mem *mem, const uint64_t *args);

/* Rights sets by file type. */
#define WASI_RIGHTS_FILE                                                                           \
    (WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK |                            \
     WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_TELL |                    \
     WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ADVISE | WASI_RIGHT_FD_ALLOCATE |                         \
     WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_SET_SIZE |                                \
     WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_POLL_FD_READWRITE)
#define WASI_RIGHTS_DIR                                                                            \
    (WASI_RIGHT_PATH_CREATE_DIRECTORY | WASI_RIGHT_PATH_CREATE_FILE |                              \
     WASI_RIGHT_PATH_LINK_SOURCE | WASI_RIGHT_PATH_LINK_TARGET | WASI_RIGHT_PATH_OPEN |            \
     WASI_RIGHT_FD_READDIR | WASI_RIGHT_PATH_READLINK | WASI_RIGHT_PATH_RENAME_SOURCE |            \
     WASI_RIGHT_PATH_RENAME_TARGET | WASI_RIGHT_PATH_FILESTAT_GET |                                \
     WASI_RIGHT_PATH_FILESTAT_SET_SIZE | WASI_RIGHT_PATH_FILESTAT_SET_TIMES |                      \
     WASI_RIGHT_PATH_SYMLINK | WASI_RIGHT_PATH_REMOVE_DIRECTORY | WASI_RIGHT_PATH_UNLINK_FILE |    \
     WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_DATASYNC |                \
     WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_FD_ADVISE |        \
     WASI_RIGHT_POLL_FD_READWRITE)
#define WASI_RIGHTS_STREAM                                                                         \
    (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_FDSTAT_SET_FLAGS |                   \
     WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_POLL_FD_READWRITE | WASI_RIGHT_FD_SYNC |              \
     WASI_RIGHT_FD_DATASYNC)
#define WASI_RIGHTS_SOCKET (WASI_RIGHTS_STREAM | WASI_RIGHT_SOCK_SHUTDOWN | WASI_RIGHT_SOCK_ACCEPT)
/* Rights that need the host fd open for writing. */
#define WASI_RIGHTS_HOST_WRITE                                                                     \
    (WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ALLOCATE | WASI_RIGHT_FD_FILESTAT_SET_SIZE)

/* errno.c */
wasi_errno wasi_errno_from_host(int host_errno);
/* For errors of path resolution: leaving the directory (EXDEV) is ENOTCAPABLE. */
wasi_errno wasi_errno_from_resolve(int neg_errno);

/* fd_table.c */
/* The entry for fd if it is open and has every right in `rights` (EBADF / ENOTCAPABLE). */
wasi_errno fdt_get(wasi_ctx *ctx, uint32_t fd, uint64_t rights, wasi_fd **ret);
/* Takes ownership of e->host and e's strings; the lowest free number goes to *ret_fd (POSIX). */
wasi_errno fdt_insert(wasi_ctx *ctx, const wasi_fd *e, uint32_t *ret_fd);
void fdt_release(wasi_fd *e);
/* The WASI file type of a host fd (fstat). */
uint8_t fdt_host_filetype(int host);
/* Base rights for an fd of this file type. */
uint64_t fdt_rights_for(uint8_t filetype);

/* Maps a host st_mode to a WASI filetype. */
uint8_t wasi_filetype_from_mode(unsigned mode);

/* sock.c, shared with sock_ext.c: the socket at fd with rights (EBADF, ENOTSOCK before
 * ENOTCAPABLE); a new socket entry owning host (closed on failure). */
wasi_errno wasi_get_socket(wasi_ctx *ctx, uint32_t fd, uint64_t rights, wasi_fd **ret);
wasi_errno wasi_sock_insert(wasi_ctx *ctx, int host, uint8_t filetype, uint64_t rights,
                            uint32_t *ret_fd);
/* recvmsg/sendmsg on socket fd with the guest's iovecs; *ret_len (and recv's *ret_flags) written
 * on success. from (may be NULL) gets the sender, AF_UNSPEC when the socket names none; to (may
 * be NULL) is the destination. */
struct sockaddr_storage;
wasi_errno wasi_sock_recvmsg(wasi_ctx *ctx, wasi_mem *m, uint32_t fd, uint32_t iovs, uint32_t niovs,
                             uint16_t riflags, uint32_t ret_len, uint32_t ret_flags,
                             struct sockaddr_storage *from);
wasi_errno wasi_sock_sendmsg(wasi_ctx *ctx, wasi_mem *m, uint32_t fd, uint32_t iovs, uint32_t niovs,
                             const struct sockaddr_storage *to, unsigned to_len, uint32_t ret_len);

/* fs_fd.c, shared with sock.c: guest iovecs -> host iovecs pointing into linear memory
 * (EINVAL above WASI_MAX_IOVS, EFAULT when any buffer is outside memory). */
#define WASI_MAX_IOVS 1024
struct iovec;
wasi_errno wasi_map_iovs(const wasi_mem *m, uint32_t iovs, uint32_t n, struct iovec *out,
                         size_t *ret_total);

/* fs_fd.c, shared with fs_path.c: writes a filestat (the wasi_unstable layout when legacy), and
 * turns fstflags + times into utimensat's timespecs (EINVAL for contradictory flags). */
wasi_errno wasi_store_filestat(const wasi_mem *m, uint32_t p, const struct stat *st, bool legacy);
wasi_errno wasi_times_from_fst(uint64_t atim, uint64_t mtim, uint16_t fst, struct timespec ts[2]);

#endif
