/* One CNI plugin run (see cni_exec.h): posix_spawn in a process group of its own,
 * then one poll loop that feeds stdin, collects stdout and stderr and watches the
 * process through a pidfd until it exits or the time limit passes.
 */
#include "cni_exec.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs.h"
#include "strv.h"

#define STDERR_KEEP 2048
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* What flows through the pipes of one run. */
typedef struct exec_io {
    const char *in;
    size_t in_len, in_off;
    char *out;
    size_t out_len;
    char err[STDERR_KEEP + 1];
    size_t err_len;
    bool too_big;
} exec_io;

static void exec_io_clear(exec_io *io) /* for _cleanup_ */
{
    free(io->out);
}

int cni_find_plugin(const char *t, char *const *bin_dirs, size_t n_bin_dirs, char *path,
                    size_t size, wc_error *err)
{
    if (*t == '\0' || strchr(t, '/') || strcmp(t, ".") == 0 || strcmp(t, "..") == 0)
        return wc_error_set(err, -EINVAL, "CNI plugin type \"%s\" is not a plain file name", t);
    for (size_t i = 0; i < n_bin_dirs; i++) {
        TRY(wc_path(path, size, err, "%s/%s", bin_dirs[i], t));
        if (access(path, X_OK) == 0)
            return 0;
    }
    return wc_error_set(err, -ENOEXEC, "CNI plugin \"%s\" is in none of the CNI bin dirs", t);
}

/* "key=value", malloc'd; NULL on ENOMEM. */
static char *env_var(const char *key, const char *value)
{
    size_t n = strlen(key) + strlen(value) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s=%s", key, value);
    return s;
}

/* The CNI_* variables and PATH (plugins such as portmap run iptables). */
static char **plugin_env(const cni_exec_req *req)
{
    char *cni_path = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&cni_path, &len);
    if (m == NULL)
        return NULL;
    for (size_t i = 0; req->bin_dirs[i]; i++)
        fprintf(m, "%s%s", i ? ":" : "", req->bin_dirs[i]);
    fclose(m);
    const char *path = getenv("PATH");
    char *env[] = {
        env_var("CNI_COMMAND", req->command),
        env_var("CNI_CONTAINERID", req->container_id),
        env_var("CNI_NETNS", req->netns),
        env_var("CNI_IFNAME", req->ifname),
        env_var("CNI_ARGS", req->args),
        env_var("CNI_PATH", cni_path ? cni_path : ""),
        env_var("PATH", path && *path ? path : DEFAULT_PATH),
        NULL,
    };
    size_t n = sizeof(env) / sizeof(env[0]) - 1;
    bool ok = cni_path != NULL;
    for (size_t i = 0; i < n; i++)
        ok = ok && env[i] != NULL;
    free(cni_path);
    char **v = ok ? wc_strv_copy(env) : NULL;
    for (size_t i = 0; i < n; i++)
        free(env[i]);
    return v;
}

static int spawn(const char *path, char **env, const int child[3], pid_t *ret_pid, wc_error *err)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    for (int i = 0; i < 3; i++)
        posix_spawn_file_actions_adddup2(&fa, child[i], i);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    sigset_t none, dfl;
    sigemptyset(&none);
    sigemptyset(&dfl);
    sigaddset(&dfl, SIGPIPE);
    sigaddset(&dfl, SIGCHLD);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &dfl);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF);
    char *argv[] = {(char *)path, NULL};
    int rc = posix_spawn(ret_pid, path, &fa, &attr, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    return rc ? wc_error_set(err, -EIO, "cannot run the CNI plugin %s: %s", path, strerror(rc)) : 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads what fd has now; returns false at EOF or error. */
static bool read_some(int fd, exec_io *io, bool is_out)
{
    char buf[16384];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno == EAGAIN;
        if (n == 0)
            return false;
        if (!is_out) {
            size_t keep =
                STDERR_KEEP - io->err_len < (size_t)n ? STDERR_KEEP - io->err_len : (size_t)n;
            memcpy(io->err + io->err_len, buf, keep);
            io->err_len += keep;
            continue;
        }
        if (io->out_len + (size_t)n > CNI_EXEC_MAX_OUTPUT) {
            io->too_big = true;
            return false;
        }
        char *grown = realloc(io->out, io->out_len + (size_t)n + 1);
        if (grown == NULL) {
            io->too_big = true;
            return false;
        }
        io->out = grown;
        memcpy(io->out + io->out_len, buf, (size_t)n);
        io->out_len += (size_t)n;
        io->out[io->out_len] = '\0';
    }
}

static void write_some(int *fd, exec_io *io)
{
    ssize_t n = write(*fd, io->in + io->in_off, io->in_len - io->in_off);
    if (n > 0)
        io->in_off += (size_t)n;
    if ((n < 0 && errno != EAGAIN && errno != EINTR) || io->in_off == io->in_len) {
        close(*fd);
        *fd = -1;
    }
}

/* Runs the loop until the plugin exits (0), the limit passes (-ETIMEDOUT) or its
 * output grows too big (-EFBIG). fds: our ends (stdin write, stdout, stderr read). */
static int pump(int pidfd, int fds[3], exec_io *io, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        struct pollfd p[4] = {
            {pidfd, POLLIN, 0}, {fds[0], POLLOUT, 0}, {fds[1], POLLIN, 0}, {fds[2], POLLIN, 0}};
        int64_t left = deadline - now_ms();
        if (left <= 0)
            return -ETIMEDOUT;
        if (poll(p, 4, (int)left) < 0 && errno != EINTR)
            return -errno;
        if (p[1].revents)
            write_some(&fds[0], io);
        for (int i = 1; i <= 2; i++)
            if (p[i + 1].revents && !read_some(fds[i], io, i == 1)) {
                close(fds[i]);
                fds[i] = -1;
            }
        if (io->too_big)
            return -EFBIG;
        if (p[0].revents) {
            /* Exited: what it wrote is in the pipes now (a child it left may hold them open). */
            for (int i = 1; i <= 2; i++)
                if (fds[i] >= 0)
                    read_some(fds[i], io, i == 1);
            return io->too_big ? -EFBIG : 0;
        }
    }
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

/* The error a failed plugin reported: {"code", "msg", "details"} on stdout, else its stderr. */
static int plugin_failed(const cni_exec_req *req, int status, exec_io *io, wc_error *err)
{
    json_t *o = io->out ? json_loads(io->out, 0, NULL) : NULL;
    const char *msg = json_string_value(json_object_get(o, "msg"));
    const char *details = json_string_value(json_object_get(o, "details"));
    trim(io->err);
    int rc;
    if (msg && *msg)
        rc = wc_error_set(err, -EIO, "CNI plugin %s %s failed: %s%s%s%s", req->type, req->command,
                          msg, details && *details ? " (" : "", details ? details : "",
                          details && *details ? ")" : "");
    else if (*io->err)
        rc = wc_error_set(err, -EIO, "CNI plugin %s %s failed: %s", req->type, req->command,
                          io->err);
    else if (WIFSIGNALED(status))
        rc = wc_error_set(err, -EIO, "CNI plugin %s %s was killed by signal %d", req->type,
                          req->command, WTERMSIG(status));
    else
        rc = wc_error_set(err, -EIO, "CNI plugin %s %s exited with status %d and no message",
                          req->type, req->command, WEXITSTATUS(status));
    json_decref(o);
    return rc;
}

static int parse_result(const cni_exec_req *req, exec_io *io, json_t **ret_result, wc_error *err)
{
    *ret_result = NULL;
    size_t i = 0;
    while (io->out && i < io->out_len && strchr(" \t\r\n", io->out[i]))
        i++;
    if (io->out == NULL || i == io->out_len)
        return 0;
    json_error_t jerr;
    json_t *o = json_loadb(io->out, io->out_len, 0, &jerr);
    if (!json_is_object(o)) {
        json_decref(o);
        return wc_error_set(err, -EIO, "CNI plugin %s %s printed no JSON object: %s", req->type,
                            req->command, o ? "another JSON value" : jerr.text);
    }
    *ret_result = o;
    return 0;
}

static void close_all(const int *fds, int n)
{
    for (int i = 0; i < n; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

/* Spawns the plugin on three fresh pipes (its stdin, stdout, stderr); ours: the daemon's ends. */
static int spawn_piped(const char *path, char **env, int ours[3], pid_t *ret_pid, wc_error *err)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1}, errp[2] = {-1, -1};
    bool piped =
        pipe2(in, O_CLOEXEC) == 0 && pipe2(out, O_CLOEXEC) == 0 && pipe2(errp, O_CLOEXEC) == 0;
    int rc = piped ? 0 : wc_error_set_errno(err, -errno, "pipe for a CNI plugin");
    int child[3] = {in[0], out[1], errp[1]};
    ours[0] = in[1], ours[1] = out[0], ours[2] = errp[0];
    if (piped)
        rc = spawn(path, env, child, ret_pid, err);
    close_all(child, 3);
    if (rc < 0)
        close_all(ours, 3);
    return rc;
}

/* Spawns the plugin with fresh pipes, runs pump, kills and reaps it. */
static int run(const cni_exec_req *req, const char *path, char **env, exec_io *io, int *status,
               wc_error *err)
{
    pid_t pid = -1;
    int ours[3];
    TRY(spawn_piped(path, env, ours, &pid, err));
    for (int i = 0; i < 3; i++)
        fcntl(ours[i], F_SETFL, O_NONBLOCK);
    int pidfd = (int)pidfd_open(pid, 0);
    int prc = pidfd < 0 ? -errno : pump(pidfd, ours, io, req->timeout_ms);
    if (prc < 0)
        kill(-pid, SIGKILL);
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
    close_all(&pidfd, 1);
    close_all(ours, 3);
    if (prc == -ETIMEDOUT)
        return wc_error_set(err, -ETIMEDOUT, "CNI plugin %s %s did not finish in %d ms (killed)",
                            req->type, req->command, req->timeout_ms);
    if (prc == -EFBIG)
        return wc_error_set(err, -EIO, "CNI plugin %s %s printed more than %d bytes (killed)",
                            req->type, req->command, CNI_EXEC_MAX_OUTPUT);
    if (prc < 0)
        return wc_error_set_errno(err, prc, "waiting for CNI plugin %s", req->type);
    return 0;
}

int cni_exec_plugin(const cni_exec_req *req, json_t **ret_result, wc_error *err)
{
    char path[4096];
    TRY(cni_find_plugin(req->type, req->bin_dirs, wc_strv_len(req->bin_dirs), path, sizeof(path),
                        err));
    _cleanup_strv_ char **env = plugin_env(req);
    _cleanup_free_ char *in = json_dumps(req->config, JSON_COMPACT);
    if (env == NULL || in == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    _cleanup_(exec_io_clear) exec_io io = {.in = in, .in_len = strlen(in)};
    int status = 0;
    TRY(run(req, path, env, &io, &status, err));
    if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        return plugin_failed(req, status, &io, err);
    return parse_result(req, &io, ret_result, err);
}
