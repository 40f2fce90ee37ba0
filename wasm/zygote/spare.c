/* Spare workers and their forker (see spare.h). The child makes itself a descriptor table of its
 * own, keeps only its end of the hand-over socket and the layer socket (its worker_result
 * goes to the zygote on it), makes its log's reopening pair, loads most of the seccomp filter,
 * sets its signals, says it is ready, dies with the zygote, faults in what a start touches
 * (prefault.h) and waits in recvmsg;
 * what it receives is a worker spec (then it closes the hand-over socket), and from then on
 * it is that worker (compiling its module first when the zygote does not hold it). A spare
 * the zygote keeps ready for a container's execs (ready.h) first receives that set-up
 * ("prepare"), does it, and waits again for its exec's spec.
 */
#include "spare.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "layer.h"
#include "prefault.h"
#include "privileges.h"
#include "reaper.h"
#include "worker_run.h"
#include "zygote_proto.h"

/* How long spare_ready waits for a spare that has not run yet: a backstop (it is the
 * spare's first few system calls; its death ends the wait at once). */
#define READY_MS 5000

static const spare empty = {.pidfd = -1};

/* Closes the descriptors in [from, to). */
static void close_from_to(int from, int to)
{
    if (to > from)
        close_range((unsigned)from, (unsigned)to - 1, 0);
}

/* The worker cannot run its guest: the reason goes to the zygote on the layer socket (and to
 * an exec's stderr: err_fd, or -1). */
static void fail(int layer_fd, int err_fd, int code, const char *message)
{
    worker_result res;
    memset(&res, 0, sizeof(res));
    res.exit_code = code;
    snprintf(res.reason, sizeof(res.reason), "Error");
    snprintf(res.message, sizeof(res.message), "%s", message);
    if (err_fd >= 0)
        dprintf(err_fd, "wasmcri: %s\n", res.message);
    if (layer_send_exit(layer_fd, &res) < 0)
        _exit(125);
    _exit(code);
}

/* The module: the zygote's (forked with it), or validated here (unless the zygote did at
 * create: validated) from the passed fd and compiled a function at a time as the guest
 * first calls each (the guest's start waits for no compile of functions it does not run). */
static const wr_module *spare_module(const worker_spec *spec, int module_fd, bool validated,
                                     spare_find_fn find, void *ctx, int layer_fd, int err_fd)
{
    const wr_module *held = find(ctx, spec->module_key);
    if (held)
        return held;
    if (module_fd < 0)
        fail(layer_fd, err_fd, 128, "the spare worker does not hold the module");
    wr_module *m = NULL;
    wc_error err = {0};
    bool from_store = strncmp(spec->module_key, "sha256:", 7) == 0; /* a content digest */
    int rc =
        wr_module_load_fd(module_fd, spec->module_name,
                          validated ? WR_LOAD_LAZY_VALIDATED : WR_LOAD_LAZY, from_store, &m, &err);
    close(module_fd);
    if (rc < 0) /* 126, as a shell says of a file it cannot execute */
        fail(layer_fd, err_fd, rc == -ENOEXEC ? 126 : 128, err.msg);
    return m;
}

/* A child's first steps (a spare's, the forker's): it dies with the zygote, and keeps only sock
 * and layer_fd of the descriptors it was cloned with (the zygote's table, shared until the
 * close_range: it touches no other). */
static void child_own_table(int sock, int layer_fd, pid_t zygote)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != zygote)
        _exit(0);
    int lo = layer_fd >= 3 && layer_fd < sock ? layer_fd : sock;
    int hi = layer_fd > sock ? layer_fd : sock;
    if (close_range((unsigned)hi + 1, ~0U, CLOSE_RANGE_UNSHARE) < 0)
        _exit(0);         /* the zygote sees it die before it was ready */
    close_from_to(3, lo); /* and all but sock and layer_fd below it */
    close_from_to(lo + 1, hi);
}

static void spare_main(int sock, int layer_fd, pid_t zygote, spare_find_fn find, void *ctx)
{
    prctl(PR_SET_NAME, "wasmcri-spare"); /* not the forker's name, from its first step */
    prefault_program();                  /* before its set-up faults in there a page at a time */
    child_own_table(sock, layer_fd, zygote);
    if (wr_reopen_pair() < 0 || worker_default_signals() < 0)
        _exit(0); /* the zygote sees it die before it was ready */
    char ready = 'r';
    if (send(sock, &ready, 1, MSG_NOSIGNAL) != 1)
        _exit(0);
    prefault_spare(); /* while it waits: the pages a start touches */
    json_t *msg = NULL;
    int fds[ZP_MAX_FDS];
    size_t nfds = 0;
    if (zp_recv(sock, &msg, fds, &nfds, NULL) < 0)
        _exit(0); /* discarded, or the zygote is gone */
    worker_prepared *prepared = NULL;
    json_t *setup_json = NULL;
    if (json_is_true(json_object_get(msg, "prepare"))) { /* kept ready (ready.h) */
        worker_spec *setup = NULL;
        worker_fds view_fds = {.in = -1, .out = -1, .err = -1, .status = -1, .layer = layer_fd};
        setup_json = json_incref(json_object_get(msg, "spec"));
        if (worker_spec_decode(setup_json, &setup, NULL) == 0)
            prepared = worker_prepare(setup, find(ctx, setup->module_key), &view_fds,
                                      json_is_true(json_object_get(msg, "exec")));
        worker_spec_free(setup);
        json_decref(msg);
        for (size_t i = 0; i < nfds; i++) /* done_fd (spare_prepare): its reader sees it end */
            close(fds[i]);
        if (zp_recv(sock, &msg, fds, &nfds, NULL) < 0)
            _exit(0); /* discarded, or the zygote is gone */
        /* the exec's spec: its own fields (ready_exec_fields) over the set-up's */
        if (json_object_update(setup_json, json_object_get(msg, "spec")) == 0)
            json_object_set_new(msg, "spec", setup_json);
    }
    close(sock); /* all else goes on the layer socket */
    /* fds: [stdout, stderr] if "stdio", [stdin] if "stdin", [status] if "status", [module] if
     * "module_fd" */
    bool stdio = json_is_true(json_object_get(msg, "stdio")) && nfds >= 2;
    size_t n_stdio = stdio ? 2 : 0;
    bool in = json_is_true(json_object_get(msg, "stdin")) && nfds > n_stdio;
    int in_fd = in ? fds[n_stdio++] : -1;
    bool status = json_is_true(json_object_get(msg, "status")) && nfds > n_stdio;
    int status_fd = status ? fds[n_stdio++] : -1;
    bool module = json_is_true(json_object_get(msg, "module_fd")) && nfds > n_stdio;
    int err_fd = stdio ? fds[1] : -1;
    worker_spec *spec = NULL;
    wc_error err = {0};
    if (worker_spec_decode(json_object_get(msg, "spec"), &spec, &err) < 0)
        fail(layer_fd, err_fd, 128, err.msg);
    const wr_module *m =
        spare_module(spec, module ? fds[n_stdio] : -1,
                     json_is_true(json_object_get(msg, "validated")), find, ctx, layer_fd, err_fd);
    worker_fds wfds = {.in = in_fd,
                       .out = stdio ? fds[0] : -1,
                       .err = err_fd,
                       .status = status_fd,
                       .layer = layer_fd};
    worker_main(spec, m, &wfds, prepared);
}

int spare_init(spare *sp, spare_slots *slots, wc_error *err)
{
    *sp = empty;
    slots->forker = empty;
    slots->devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    slots->sock = slots->devnull < 0 ? -1 : fcntl(slots->devnull, F_DUPFD_CLOEXEC, 0);
    if (slots->sock < 0)
        return wc_error_set_errno(err, -errno, "cannot reserve the spare workers' descriptor");
    return 0;
}

/* /dev/null in the slot again: the zygote's reference to a child's end is gone. */
static void take_slot_back(spare *sp, const spare_slots *slots)
{
    if (sp->pidfd < 0)
        return;
    dup3(slots->devnull, slots->sock, O_CLOEXEC);
    close(sp->pidfd);
    sp->pidfd = -1;
}

/* What a child of the zygote runs: spare_main or forker_main. */
typedef void (*child_fn)(int sock, int layer_fd, pid_t zygote, spare_find_fn find, void *ctx);

/* Clones a child of the zygote that shares its descriptor table until child_own_table, with its
 * end of the socket in the slot (lent to it until spare_ready). */
static int clone_child(spare *sp, const spare_slots *slots, uint64_t mark, uint64_t version,
                       int layer_fd, child_fn main_fn, spare_find_fn find, void *ctx, wc_error *err)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return wc_error_set_errno(err, -errno, "socketpair for a spare worker");
    int lent = dup3(sv[1], slots->sock, O_CLOEXEC); /* the child's end into the slot */
    int e = errno;
    close(sv[1]);
    if (lent < 0) {
        close(sv[0]);
        return wc_error_set_errno(err, -e, "cannot place a spare worker's descriptor");
    }
    pid_t zygote = getpid();
    int pidfd = -1;
    struct clone_args ca = {.flags = CLONE_FILES | CLONE_PIDFD,
                            .pidfd = (uintptr_t)&pidfd,
                            .exit_signal =
                                (uint64_t)reaper_exit_signal()}; /* its exit is queued: reaper.h */
    pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
    if (pid == 0)
        main_fn(slots->sock, layer_fd, zygote, find, ctx);
    if (pid < 0) {
        e = errno;
        dup3(slots->devnull, slots->sock, O_CLOEXEC);
        close(sv[0]);
        return wc_error_set_errno(err, -e, "clone a spare worker");
    }
    *sp = (spare){.pid = pid, .sock = sv[0], .pidfd = pidfd, .mark = mark, .version = version};
    return 0;
}

/* The forker's answer to a request: the spare's pid (or -errno) and, with a pid, the zygote's
 * end of the spare's socket. */
static void forker_answer(int sock, int32_t pid, int fd)
{
    if (zp_send_fd(sock, &pid, sizeof(pid), fd, 0) < 0)
        _exit(0); /* the zygote is gone, or discarded it */
}

/* A request of this size and less may go to a fast bin when freed (glibc's default: 128 bytes on
 * 64-bit hosts, 64 on 32-bit) instead of merging with the heap's top. */
#define FAST_CHUNK_MAX 128
/* At most this many chunks taken (an allocator other than glibc's, as ASan's, has no top). */
#define TAKE_MAX 256
/* How much the top of the heap is grown ahead (pages none of the processes has written yet). */
#define FORKER_TOP_BYTES (64 << 10)

/* Every free chunk of the forker's heap taken and kept, and its top grown: a spare's (and its
 * worker's) allocations then come from the top, pages no process has written, instead of free
 * chunks on the pages it shares with the forker, each first write to which is a copy-on-write
 * fault (~50 µs here, a TLB flush with each: 6 a spare). The chunks taken are the forker's free
 * space when it was cloned (a few KiB: the zygote's last request, freed). */
static void forker_take_free_heap(void)
{
    malloc_trim(0); /* the fast chunks merged (and whole free pages given back) */
    int budget = TAKE_MAX;
    for (size_t size = FORKER_TOP_BYTES; size >= 16 && budget > 0; size /= 2)
        while (budget-- > 0) {
            uintptr_t top = (uintptr_t)sbrk(0) - mallinfo2().keepcost;
            char *p = malloc(size);
            if (p == NULL)
                return; /* best effort */
            if ((uintptr_t)p < top)
                continue; /* a free chunk: kept */
            if (size > FAST_CHUNK_MAX)
                free(p); /* cut from the top: back to it */
            break;
        }
    char *volatile grown = malloc(FORKER_TOP_BYTES); /* volatile: not optimised away */
    free(grown);
}

/* The forker: a copy of the zygote as it was when the cache had its version, which forks the
 * spares (one per byte received on sock), so that the zygote itself forks none. A spare is
 * cloned with CLONE_PARENT: a child of the zygote (reaped by it, its exit signal the forker's),
 * with a descriptor table of its own (the forker's few descriptors, closed again in
 * child_own_table). The forker writes almost nothing between two forks, where the zygote after
 * each fork copied every page it wrote (a page fault and a TLB flush each). */
static void forker_main(int sock, int layer_fd, pid_t zygote, spare_find_fn find, void *ctx)
{
    child_own_table(sock, layer_fd, zygote);
    forker_take_free_heap();
    worker_privileges_forker(); /* the seccomp filter every spare inherits */
    char ready = 'r';
    if (send(sock, &ready, 1, MSG_NOSIGNAL) != 1)
        _exit(0);
    prctl(PR_SET_NAME, "wasmcri-forker");
    for (;;) {
        char ask;
        ssize_t n = recv(sock, &ask, 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n != 1)
            _exit(0); /* discarded, or the zygote is gone */
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
            forker_answer(sock, -errno, -1);
            continue;
        }
        struct clone_args ca = {.flags = CLONE_PARENT};
        pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
        if (pid == 0)
            spare_main(sv[1], layer_fd, zygote, find, ctx);
        int e = errno;
        close(sv[1]);
        forker_answer(sock, pid < 0 ? -e : pid, pid < 0 ? -1 : sv[0]);
        close(sv[0]);
    }
}

/* Waits until fd has something to read (or is closed), as spare_ready does. */
static int wait_readable(int fd, int pidfd)
{
    struct pollfd pfd[2] = {{.fd = fd, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
    int n;
    do
        n = poll(pfd, 2, READY_MS);
    while (n < 0 && errno == EINTR);
    return n > 0 && (pfd[0].revents & POLLIN) ? 0 : n == 0 ? -ETIMEDOUT : -ECHILD;
}

/* A spare from the forker: its pid and the zygote's end of its socket. */
static int ask_forker(spare *fk, spare *sp, wc_error *err)
{
    char ask = 's';
    int32_t pid = -ECHILD;
    int fd = -1;
    ssize_t n = -1;
    if (send(fk->sock, &ask, 1, MSG_NOSIGNAL) == 1 && wait_readable(fk->sock, -1) == 0)
        n = zp_recv_fd(fk->sock, &pid, sizeof(pid), &fd);
    if (n != sizeof(pid) || pid <= 0 || fd < 0) {
        if (fd >= 0)
            close(fd);
        return wc_error_set_errno(err, n == sizeof(pid) && pid < 0 ? pid : -ECHILD,
                                  "the spare workers' forker could not fork one");
    }
    *sp = (spare){.pid = pid, .sock = fd, .pidfd = -1, .mark = fk->mark, .version = fk->version};
    return 0;
}

int spare_fork(spare *sp, spare_slots *slots, uint64_t mark, uint64_t version, int layer_fd,
               spare_find_fn find, void *ctx, wc_error *err)
{
    spare *fk = &slots->forker;
    if (fk->pid > 0 && fk->version != version) /* it holds another cache */
        spare_discard(fk, slots);
    for (int tries = 0;; tries++) {
        if (fk->pid <= 0) {
            TRY(clone_child(fk, slots, mark, version, layer_fd, forker_main, find, ctx, err));
            TRY(spare_ready(fk, slots, err));
        }
        int rc = ask_forker(fk, sp, err);
        if (rc == 0 || tries == 1)
            return rc;
        spare_discard(fk, slots); /* it died (killed by hand?): another, once */
    }
}

int spare_ready(spare *sp, const spare_slots *slots, wc_error *err)
{
    if (sp->ready)
        return 0;
    int rc = wait_readable(sp->sock, sp->pidfd);
    char ready;
    bool ok = rc == 0 && recv(sp->sock, &ready, 1, MSG_DONTWAIT) == 1;
    take_slot_back(sp, slots);
    if (ok) {
        sp->ready = true;
        return 0;
    }
    spare_discard(sp, slots);
    return wc_error_set(err, -ECHILD, "the spare worker ended before it was ready%s",
                        rc == -ETIMEDOUT ? " (it did not run for 5 s)" : "");
}

void spare_claim(spare *sp, pid_t *ret_pid, int *ret_sock)
{
    *ret_pid = sp->pid;
    *ret_sock = sp->sock;
    *sp = empty;
}

int spare_send(int sock, const json_t *spec, const int stdio[4], int module_fd, bool validated,
               wc_error *err)
{
    int fds[ZP_MAX_FDS];
    size_t n = 0;
    bool out = stdio[0] >= 0 && stdio[1] >= 0, in = stdio[2] >= 0, status = stdio[3] >= 0;
    if (out)
        fds[n++] = stdio[0], fds[n++] = stdio[1];
    if (in)
        fds[n++] = stdio[2];
    if (status)
        fds[n++] = stdio[3];
    if (module_fd >= 0)
        fds[n++] = module_fd;
    json_t *msg = json_pack("{s:O, s:b, s:b, s:b, s:b, s:b}", "spec", spec, "stdio", out, "stdin",
                            in, "status", status, "module_fd", module_fd >= 0, "validated",
                            module_fd >= 0 && validated);
    int rc = msg ? zp_send(sock, msg, fds, n, err) : wc_error_set(err, -ENOMEM, "out of memory");
    json_decref(msg);
    return rc;
}

int spare_prepare(int sock, const json_t *spec, bool exec, int done_fd, wc_error *err)
{
    json_t *msg = json_pack("{s:b, s:b, s:O}", "prepare", 1, "exec", exec, "spec", spec);
    int rc = msg ? zp_send(sock, msg, &done_fd, done_fd >= 0, err)
                 : wc_error_set(err, -ENOMEM, "out of memory");
    json_decref(msg);
    return rc;
}

void spare_discard(spare *sp, const spare_slots *slots)
{
    if (sp->pid <= 0)
        return;
    kill(sp->pid, SIGKILL);
    take_slot_back(sp, slots);
    close(sp->sock);
    *sp = empty;
}
