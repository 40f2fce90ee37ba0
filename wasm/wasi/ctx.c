/* wasi_ctx lifecycle: builds the fd table a WASI command starts with, and tears it down.
 *
 * Steps of wasi_ctx_create, in order: pack argv and env into NUL-separated buffers (what
 * args_get/environ_get copy out), set up fds 0/1/2 (stdin from the given fd or /dev/null;
 * stdout/stderr as CRI log streams when a log is given, else the given fds), then the preopened
 * sockets (fd 3 upwards, where socket activation puts them: LISTEN_FDS), then one preopen per
 * mount. Every host fd is dup'ed, so the ctx owns all of its fds and the caller keeps its own.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "cleanup.h"
#include "wasi_impl.h"

static int pack_strings(const char *const *list, size_t count, char **ret_buf, size_t *ret_len)
{
    size_t len = 0;
    for (size_t i = 0; i < count; i++)
        len += strlen(list[i]) + 1;
    char *buf = malloc(len > 0 ? len : 1);
    if (buf == NULL)
        return -ENOMEM;
    size_t off = 0;
    for (size_t i = 0; i < count; i++) {
        size_t n = strlen(list[i]) + 1;
        memcpy(buf + off, list[i], n);
        off += n;
    }
    *ret_buf = buf;
    *ret_len = len;
    return 0;
}

/* Adds host fd `fd` (dup'ed; -1 means /dev/null, a character device: no fstat on a start's
 * path) as the next guest fd; a stream socket given
 * among wasi_options.socket_fds is a preopened one. A terminal's fd (the pipe of an exec with
 * a tty) is a character device with a stream's rights, as isatty() asks. */
static int add_host_fd(wasi_ctx *ctx, int fd, int null_flags, bool preopened, bool terminal,
                       wc_error *err, const char *what)
{
    int host = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : open("/dev/null", null_flags | O_CLOEXEC);
    if (host < 0)
        return wc_error_set_errno(err, -errno, "wasi: set up %s", what);
    wasi_fd e = {.kind = WASI_FD_FILE,
                 .host = host,
                 .filetype = fd < 0 || terminal ? WASI_FILETYPE_CHARACTER_DEVICE /* /dev/null */
                                                : fdt_host_filetype(host)};
    if (e.filetype == WASI_FILETYPE_SOCKET_STREAM) {
        e.kind = WASI_FD_SOCKET;
        e.preopened_socket = preopened;
    }
    e.rights_base = fdt_rights_for(e.filetype);
    e.rights_inheriting = e.rights_base;
    uint32_t got;
    if (fdt_insert(ctx, &e, &got) != WASI_ESUCCESS) {
        close(host);
        return wc_error_set(err, -ENOMEM, "wasi: set up %s: out of memory", what);
    }
    return 0;
}

/* A terminal's stream (a container with a tty) is a character device, as isatty() asks. */
static int add_log_stream(wasi_ctx *ctx, cri_log_stream stream, bool terminal, wc_error *err)
{
    wasi_fd e = {.kind = WASI_FD_LOG,
                 .host = -1,
                 .filetype = terminal ? WASI_FILETYPE_CHARACTER_DEVICE : WASI_FILETYPE_UNKNOWN,
                 .rights_base = WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_DATASYNC |
                                WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FDSTAT_SET_FLAGS |
                                WASI_RIGHT_POLL_FD_READWRITE,
                 .stream = stream};
    uint32_t got;
    if (fdt_insert(ctx, &e, &got) != WASI_ESUCCESS)
        return wc_error_set(err, -ENOMEM, "wasi: set up the log stream: out of memory");
    return 0;
}

static int add_preopen(wasi_ctx *ctx, const wasi_mount *mt, wc_error *err)
{
    /* a dup, which needs no permission (a worker kept ready for an exec has taken the
     * container's user before its ctx is made); fd_readdir seeks to its cookie every time, so
     * the offset it shares with the mount table's descriptor is never read */
    int host = fcntl(mt->dir_fd, F_DUPFD_CLOEXEC, 3);
    if (host < 0)
        return wc_error_set_errno(err, -errno, "wasi: preopen %s", mt->guest);
    wasi_fd e = {.kind = WASI_FD_DIR,
                 .host = host,
                 .filetype = WASI_FILETYPE_DIRECTORY,
                 .rights_base = WASI_RIGHTS_DIR,
                 .rights_inheriting = WASI_RIGHTS_ALL,
                 .readonly = mt->readonly,
                 .lazy = mt->lazy,
                 .preopen = strdup(mt->guest)};
    if (mt->file_name != NULL)
        e.file_name = strdup(mt->file_name);
    uint32_t got;
    if (e.preopen == NULL || (mt->file_name != NULL && e.file_name == NULL) ||
        fdt_insert(ctx, &e, &got) != WASI_ESUCCESS) {
        fdt_release(&e);
        return wc_error_set(err, -ENOMEM, "wasi: preopen %s: out of memory", mt->guest);
    }
    return 0;
}

/* fds 0, 1, 2: the lowest free slots of the table */
static int setup_stdio(wasi_ctx *ctx, const wasi_options *o, wc_error *err)
{
    bool tty = o->terminal;
    TRY(add_host_fd(ctx, o->stdin_fd, O_RDONLY, false, tty, err, "stdin"));
    TRY(o->log != NULL ? add_log_stream(ctx, CRI_LOG_STDOUT, tty, err)
                       : add_host_fd(ctx, o->stdout_fd, O_WRONLY, false, tty, err, "stdout"));
    return o->log != NULL /* a terminal has one output: its log stream is stdout */
               ? add_log_stream(ctx, tty ? CRI_LOG_STDOUT : CRI_LOG_STDERR, tty, err)
               : add_host_fd(ctx, o->stderr_fd, O_WRONLY, false, tty, err, "stderr");
}

static int setup_fds(wasi_ctx *ctx, const wasi_options *o, wc_error *err)
{
    /* the table is empty, so these land on 0, 1, 2, then 3 upwards */
    TRY(setup_stdio(ctx, o, err));
    for (size_t i = 0; i < o->socket_count; i++)
        TRY(add_host_fd(ctx, o->socket_fds[i], O_RDWR, true, false, err, "a preopened socket"));
    for (size_t i = 0; o->mounts != NULL && i < o->mounts->count; i++)
        TRY(add_preopen(ctx, &o->mounts->items[i], err));
    return 0;
}

/* argv and env into the buffers args_get and environ_get copy out */
static int set_strings(wasi_ctx *ctx, const wasi_options *opts, wc_error *err)
{
    size_t envc = 0;
    while (opts->env != NULL && opts->env[envc] != NULL)
        envc++;
    free(ctx->args_buf);
    free(ctx->env_buf);
    ctx->args_buf = ctx->env_buf = NULL;
    ctx->argc = (uint32_t)opts->argc;
    ctx->envc = (uint32_t)envc;
    if (pack_strings(opts->argv, opts->argc, &ctx->args_buf, &ctx->args_len) < 0 ||
        pack_strings(opts->env, envc, &ctx->env_buf, &ctx->env_len) < 0)
        return wc_error_set(err, -ENOMEM, "wasi: out of memory");
    return 0;
}

int wasi_ctx_set_command(wasi_ctx *ctx, const wasi_options *opts, wc_error *err)
{
    TRY(set_strings(ctx, opts, err));
    ctx->terminal = opts->terminal;
    for (uint32_t fd = 0; fd < 3 && fd < ctx->nfds; fd++)
        fdt_release(&ctx->fds[fd]);
    return setup_stdio(ctx, opts, err);
}

int wasi_ctx_create(const wasi_options *opts, wasi_ctx **ret_ctx, wc_error *err)
{
    _cleanup_(wasi_ctx_destroyp) wasi_ctx *ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL)
        return wc_error_set(err, -ENOMEM, "wasi: out of memory");
    ctx->exit_code = -1;
    ctx->log = opts->log;
    ctx->terminal = opts->terminal;
    ctx->make_writable = opts->make_writable;
    ctx->make_writable_arg = opts->make_writable_arg;
    ctx->pod_ps = opts->pod_ps;
    ctx->pod_kill = opts->pod_kill;
    ctx->pod_arg = opts->pod_arg;
    TRY(set_strings(ctx, opts, err));
    TRY(setup_fds(ctx, opts, err));
    *ret_ctx = take_ptr(ctx);
    return 0;
}

void wasi_ctx_end_output(wasi_ctx *ctx)
{
    if (ctx == NULL)
        return;
    for (uint32_t fd = 0; fd < 3 && fd < ctx->nfds; fd++)
        fdt_release(&ctx->fds[fd]);
    if (ctx->log != NULL)
        cri_log_flush(ctx->log, NULL);
}

void wasi_ctx_destroy(wasi_ctx *ctx)
{
    if (ctx == NULL)
        return;
    for (uint32_t i = 0; i < ctx->nfds; i++)
        fdt_release(&ctx->fds[i]);
    if (ctx->log != NULL)
        cri_log_flush(ctx->log, NULL);
    free(ctx->fds);
    free(ctx->bindings);
    free(ctx->unstable_calls);
    free(ctx->args_buf);
    free(ctx->env_buf);
    free(ctx);
}

int wasi_ctx_exit_code(const wasi_ctx *ctx)
{
    return ctx->exit_code;
}
