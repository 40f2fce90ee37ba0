/* Spare workers (see spare.h). The child keeps only its end of the hand-over
 * socket and the write end of its result pipe, dies with the zygote, and waits in
 * recvmsg; what it receives is a worker spec, and from then on it is that worker.
 */
#include "spare.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "zygote_proto.h"

static void close_all_but(int a, int b)
{
    int lo = a < b ? a : b, hi = a < b ? b : a;
    if (lo > 3)
        close_range(3, (unsigned)lo - 1, 0);
    if (hi > lo + 1)
        close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
    close_range((unsigned)hi + 1, ~0U, 0);
}

static void fail(int result_fd, const char *message)
{
    worker_result res;
    memset(&res, 0, sizeof(res));
    res.exit_code = 128;
    snprintf(res.reason, sizeof(res.reason), "Error");
    snprintf(res.message, sizeof(res.message), "%s", message);
    if (write(result_fd, &res, sizeof(res)) < 0)
        _exit(125);
    _exit(128);
}

static void spare_main(int sock, int result_fd, pid_t zygote, size_t n, spare_find_fn find,
                       void *ctx)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != zygote)
        _exit(0);
    prctl(PR_SET_NAME, "wasmcri-spare");
    close_all_but(sock, result_fd);
    json_t *msg = NULL;
    int fds[ZP_MAX_FDS];
    size_t nfds = 0;
    if (zp_recv(sock, &msg, fds, &nfds, NULL) < 0)
        _exit(0); /* discarded, or the zygote is gone */
    close(sock);
    worker_spec *spec = NULL;
    wc_error err = {0};
    if (worker_spec_decode(json_object_get(msg, "spec"), &spec, &err) < 0)
        fail(result_fd, err.msg);
    const wr_module *m = find(ctx, spec->module_key, n);
    if (m == NULL)
        fail(result_fd, "the spare worker does not hold the module");
    worker_main(spec, m, result_fd, nfds >= 2 ? fds[0] : -1, nfds >= 2 ? fds[1] : -1);
}

int spare_fork(spare *sp, size_t n_modules, spare_find_fn find, void *ctx, wc_error *err)
{
    int sv[2], p[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return wc_error_set_errno(err, -errno, "socketpair for a spare worker");
    if (pipe2(p, O_CLOEXEC) < 0) {
        int e = errno;
        close(sv[0]);
        close(sv[1]);
        return wc_error_set_errno(err, -e, "pipe for a spare worker");
    }
    pid_t zygote = getpid();
    pid_t pid = fork();
    if (pid == 0)
        spare_main(sv[1], p[1], zygote, n_modules, find, ctx);
    int e = errno;
    close(sv[1]);
    close(p[1]);
    if (pid < 0) {
        close(sv[0]);
        close(p[0]);
        return wc_error_set_errno(err, -e, "fork a spare worker");
    }
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    *sp = (spare){.pid = pid, .sock = sv[0], .result_fd = p[0], .n_modules = n_modules};
    return 0;
}

void spare_claim(spare *sp, pid_t *ret_pid, int *ret_result_fd, int *ret_sock)
{
    *ret_pid = sp->pid;
    *ret_result_fd = sp->result_fd;
    *ret_sock = sp->sock;
    *sp = (spare){0};
}

int spare_send(int sock, const json_t *spec, const int *stdio, wc_error *err)
{
    json_t *msg = json_pack("{s:O}", "spec", spec);
    int rc = msg ? zp_send(sock, msg, stdio, stdio ? 2 : 0, err)
                 : wc_error_set(err, -ENOMEM, "out of memory");
    json_decref(msg);
    close(sock);
    return rc;
}

void spare_discard(spare *sp)
{
    if (sp->pid <= 0)
        return;
    kill(sp->pid, SIGKILL);
    close(sp->sock);
    close(sp->result_fd);
    *sp = (spare){0};
}
