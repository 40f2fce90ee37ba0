/* The WASI fd table: guest fd numbers -> host fds with rights, kind and read-only-ness.
 *
 * A flat array indexed by guest fd (fds stay small); a free slot has kind WASI_FD_FREE. Every
 * WASI call reaches its fd through fdt_get, the one place rights are checked. Entries own their
 * host fd and strings; fdt_release frees them. A new kind of fd is a wasi_fd_kind value plus its
 * rights set in wasi_impl.h.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_impl.h"

#define FD_MAX 65536

wasi_errno fdt_get(wasi_ctx *ctx, uint32_t fd, uint64_t rights, wasi_fd **ret)
{
    if (fd >= ctx->nfds || ctx->fds[fd].kind == WASI_FD_FREE)
        return WASI_EBADF;
    if ((ctx->fds[fd].rights_base & rights) != rights)
        return WASI_ENOTCAPABLE;
    *ret = &ctx->fds[fd];
    return WASI_ESUCCESS;
}

wasi_errno fdt_insert(wasi_ctx *ctx, const wasi_fd *e, uint32_t *ret_fd)
{
    uint32_t fd = 0;
    while (fd < ctx->nfds && ctx->fds[fd].kind != WASI_FD_FREE)
        fd++;
    if (fd >= ctx->nfds) {
        uint32_t n = ctx->nfds < 8 ? 8 : ctx->nfds * 2;
        if (fd >= FD_MAX)
            return WASI_EMFILE;
        wasi_fd *fds = realloc(ctx->fds, n * sizeof(*fds));
        if (fds == NULL)
            return WASI_ENOMEM;
        memset(fds + ctx->nfds, 0, (n - ctx->nfds) * sizeof(*fds));
        ctx->fds = fds;
        ctx->nfds = n;
    }
    ctx->fds[fd] = *e;
    *ret_fd = fd;
    return WASI_ESUCCESS;
}

void fdt_release(wasi_fd *e)
{
    if (e->kind != WASI_FD_FREE && e->host >= 0)
        close(e->host);
    free(e->preopen);
    free(e->file_name);
    memset(e, 0, sizeof(*e));
}

uint8_t wasi_filetype_from_mode(unsigned mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG:
        return WASI_FILETYPE_REGULAR_FILE;
    case S_IFDIR:
        return WASI_FILETYPE_DIRECTORY;
    case S_IFLNK:
        return WASI_FILETYPE_SYMBOLIC_LINK;
    case S_IFCHR:
        return WASI_FILETYPE_CHARACTER_DEVICE;
    case S_IFBLK:
        return WASI_FILETYPE_BLOCK_DEVICE;
    case S_IFSOCK:
        return WASI_FILETYPE_SOCKET_STREAM;
    default:
        return WASI_FILETYPE_UNKNOWN;
    }
}

uint8_t fdt_host_filetype(int host)
{
    struct stat st;
    if (fstat(host, &st) < 0)
        return WASI_FILETYPE_UNKNOWN;
    return wasi_filetype_from_mode(st.st_mode);
}

uint64_t fdt_rights_for(uint8_t filetype)
{
    switch (filetype) {
    case WASI_FILETYPE_DIRECTORY:
        return WASI_RIGHTS_DIR;
    case WASI_FILETYPE_REGULAR_FILE:
    case WASI_FILETYPE_BLOCK_DEVICE:
        return WASI_RIGHTS_FILE;
    case WASI_FILETYPE_SOCKET_STREAM:
    case WASI_FILETYPE_SOCKET_DGRAM:
        return WASI_RIGHTS_SOCKET;
    default:
        return WASI_RIGHTS_STREAM;
    }
}
