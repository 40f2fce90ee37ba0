/* The zygote's event loop (see zygote.h and zygote_proto.h for the protocol).
 *
 * One poll(2) over five things: the listening socket (a new daemon connection
 * replaces the old one and is sent every exit not yet acknowledged), the daemon's
 * connection and its request channel (requests, handled one at a time; each is
 * answered on the socket it came on), the workers' layer socket (a worker's first
 * write under "/" asks for its writable layer: layer.h; a guest's ps and kill ask for
 * its pod's process table and signal its pod's workers: pod_procs.h), and the reaper's signalfd
 * of the children's exit signals (reaper.h: reap the workers that ended, each by its pid, read
 * each one's worker_result, record and report the exit). Every
 * start or exec takes over a spare worker (spare.h), forked ahead of need by the zygote's forker
 * (or now, for a module the spare does not hold); the zygote puts it in its cgroups, answers, then
 * sends it the spec, and has the next spare forked. Modules come as descriptors the daemon
 * opened (the zygote opens no path a guest can change); they are compiled here into a budgeted
 * cache (module_cache.h), in the background of the loop at CreateContainer (op compile,
 * compile_jobs.h: a slice between events), or, when too big for it, by the worker that runs them.
 * When an exec ends, the spare becomes a worker kept ready for its container's next exec (ready.h).
 * The zygote never blocks on the daemon except to send a packet. It ends when told to quit once
 * idle, or after IDLE_EXIT_MS with no worker and no daemon. To add a request: a `static void
 * op_x(zygote *, json_t *req, int *fds, size_t n)` and a line in the ops table.
 */
#include "zygote.h"

#include <dirent.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "compile_jobs.h"
#include "layer.h"
#include "module_cache.h"
#include "pod_procs.h"
#include "privileges.h"
#include "ready.h"
#include "reaper.h"
#include "record.h"
#include "signals.h"
#include "spare.h"
#include "worker.h"
#include "worker_run.h"
#include "worker_table.h"
#include "zygote_proto.h"

/* With no worker and no daemon for this long, the zygote ends (exits not yet
 * delivered stay in <state>/exits for the next zygote to send). */
#define IDLE_EXIT_MS 3000

typedef struct zygote {
    const char *state_dir;
    int listen_fd, client_fd;
    int channel_fd; /* the daemon's request channel (op "channel"), or -1 */
    int reply_fd;   /* where the request being handled came from */
    int layer_fd;   /* the layer socket (layer.h); workers hold layer_peer_fd */
    int layer_peer_fd;
    worker_table workers;
    reaper reaper; /* every child, from its fork to its reaping */
    module_cache cache;
    compile_jobs jobs; /* modules compiled between events (compile_jobs.h) */
    uint64_t
        start_compiles; /* container starts that compiled their module (here or in the worker) */
    int quit_when_idle;
    spare spare;
    spare_slots slots;        /* the spares' reserved descriptors (spare.h) */
    ready_set ready;          /* exec workers kept ready for their containers (ready.h) */
    ready_set created;        /* workers made at CreateContainer for their container's start */
    int64_t spare_due_ms;     /* when the spare a ready worker took is forked again, or 0 */
    int64_t last_start_ms;    /* when the last start or exec came (spare_after_start) */
    uint64_t trimmed_version; /* the cache's version at the last malloc_trim (new_spare) */
    bool trim_due;            /* a compile ran a slice since (new_spare) */
} zygote;

/* How long after a ready worker took the spare (or a lone start or exec did: spare_after_start)
 * the next one is forked: a fork (a few hundred us of CPU) right at an exec's end competed with
 * the daemon answering it, on a small host's few cores. A start or exec that comes sooner forks
 * one for itself. */
#define SPARE_DELAY_MS 2

/* Starts or execs that come closer together than this are a burst: the next spare is forked at
 * once, after the reply, so that the next one finds it ready (spare_after_start). */
#define SPARE_BURST_MS 20

/* How long a worker made at CreateContainer waits for its start (a kubelet's comes at once; one
 * by hand with crictl may come later: it then makes its worker as any start without one). */
#define CREATED_KEEP_MS 60000

/* ---- replies and exits ---- */

static void drop_connection(zygote *z, int fd)
{
    if (fd < 0)
        return;
    close(fd);
    if (fd == z->client_fd)
        z->client_fd = -1;
    if (fd == z->channel_fd)
        z->channel_fd = -1;
}

/* Sends msg (taken) to fd with nfds descriptors (borrowed); a dead peer is dropped. */
static void send_packet(zygote *z, int fd, json_t *msg, const int *fds, size_t nfds)
{
    if (fd >= 0 && zp_send(fd, msg, fds, nfds, NULL) < 0)
        drop_connection(z, fd);
    json_decref(msg);
}

static void send_to_daemon(zygote *z, json_t *msg)
{
    send_packet(z, z->client_fd, msg, NULL, 0);
}

static void reply_error(zygote *z, json_t *req, const wc_error *err)
{
    send_packet(z, z->reply_fd,
                json_pack("{s:s, s:O, s:s, s:i, s:b}", "op", "reply", "seq",
                          json_object_get(req, "seq"), "error", err->msg, "code", err->code, "host",
                          err->kind == WC_ERROR_HOST),
                NULL, 0);
}

static void reply_with_fds(zygote *z, json_t *req, json_t *fields, const int *fds, size_t nfds)
{
    json_t *r = fields ? fields : json_object();
    json_object_set_new(r, "op", json_string("reply"));
    json_object_set(r, "seq", json_object_get(req, "seq"));
    send_packet(z, z->reply_fd, r, fds, nfds);
}

static void reply_ok(zygote *z, json_t *req, json_t *fields)
{
    reply_with_fds(z, req, fields, NULL, 0);
}

static void exit_path(const zygote *z, const char *id, const char *suffix, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%s/%s.json%s", z->state_dir, ZP_EXITS_DIR, id, suffix);
}

/* Writes the exit atomically, so that a daemon that is down learns it later. */
static void persist_exit(zygote *z, const char *id, const json_t *ev)
{
    char tmp[4096], path[4096];
    exit_path(z, id, ".tmp", tmp, sizeof(tmp));
    exit_path(z, id, "", path, sizeof(path));
    if (json_dump_file(ev, tmp, JSON_COMPACT) == 0)
        rename(tmp, path);
}

static void resend_exits(zygote *z)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/%s", z->state_dir, ZP_EXITS_DIR);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        char path[4096 + 256];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        json_t *ev = json_load_file(path, 0, NULL);
        if (ev)
            send_to_daemon(z, ev);
    }
    if (d)
        closedir(d);
}

/* ---- workers ---- */

/* What a process with no handler for signo reports when signo ends it: 128 + signo. */
static void stopped_by(worker_result *res, int signo)
{
    const char *abbrev = sigabbrev_np(signo);
    res->exit_code = 128 + signo;
    snprintf(res->reason, sizeof(res->reason), "Error");
    if (abbrev)
        snprintf(res->message, sizeof(res->message),
                 "stopped with SIG%s (a WASI program has no signal handlers)", abbrev);
    else
        snprintf(res->message, sizeof(res->message),
                 "stopped with signal %d (a WASI program has no signal handlers)", signo);
}

static json_t *exit_event(const zworker *w, int status)
{
    worker_result res;
    memset(&res, 0, sizeof(res));
    if (w->result) {
        res = *w->result;
    } else {
        int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        res.exit_code = sig ? 128 + sig : WEXITSTATUS(status);
        snprintf(res.reason, sizeof(res.reason), "%s", res.exit_code ? "Error" : "Completed");
        if (sig == SIGKILL && w->stop_signal) /* the guest could not handle it: gone by it */
            stopped_by(&res, w->stop_signal);
        else if (sig)
            snprintf(res.message, sizeof(res.message), "killed by signal %d", sig);
    }
    res.reason[sizeof(res.reason) - 1] = '\0';
    res.message[sizeof(res.message) - 1] = '\0';
    return json_pack("{s:s, s:s, s:s, s:i, s:i, s:s, s:s, s:I}", "op", "exit", "id", w->id, "kind",
                     w->kind, "pid", (int)w->pid, "exit_code", res.exit_code, "reason", res.reason,
                     "message", res.message, "finished_at", (json_int_t)rec_now_ns());
}

static int handle_worker_request(zygote *z);
static void make_ready(zygote *z, json_t *spec_json, int64_t keep_ms);

/* A child has ended (reaper.h). A worker sends its result on the layer socket before it ends:
 * one reaped without its result yet has it waiting there (with the requests before it, handled
 * now). */
static void reaped(zygote *z, pid_t pid, int status)
{
    if (pid == z->spare.pid) /* it died waiting (killed by hand?): fork another later */
        spare_discard(&z->spare, &z->slots);
    if (pid == z->slots.forker.pid) /* likewise: the next spare's fork makes another */
        spare_discard(&z->slots.forker, &z->slots);
    bool kept = ready_reaped(&z->ready, pid) || ready_reaped(&z->created, pid);
    zworker *w = kept ? NULL : wt_find_pid(&z->workers, pid);
    if (w == NULL)
        return;
    while (w->result == NULL && handle_worker_request(z) == 0) {
    }
    json_t *ev = exit_event(w, status);
    if (ev && strcmp(w->kind, "ctr") == 0)
        persist_exit(z, w->id, ev);
    if (ev)
        send_to_daemon(z, ev);
    if (strcmp(w->kind, "ctr") == 0) /* its execs' set-up is gone with it */
        ready_kill_ctr(&z->ready, w->id);
    free(w->result);
    if (w->log_fd >= 0)
        close(w->log_fd);
    if (w->stdin_fd >= 0)
        close(w->stdin_fd);
    if (w->module_id)
        mc_release(&z->cache, w->module_id);
    wt_remove(&z->workers, w);
    json_t *wanted = NULL;
    int64_t keep_ms = 0;
    if (ready_wanted_by(&z->ready, pid, &wanted, &keep_ms)) { /* off the exec's path now */
        make_ready(z, wanted, keep_ms);
        json_decref(wanted);
    }
}

/* Every child whose exit signal is queued; with sweep, every child that has ended (the
 * backstop for a lost signal, every REAPER_SWEEP_MS at most). */
static void reap(zygote *z, bool sweep)
{
    int status;
    pid_t pid;
    while (reaper_next(&z->reaper, &pid, &status))
        reaped(z, pid, status);
    while (sweep && reaper_sweep(&pid, &status))
        reaped(z, pid, status);
}

static const wr_module *find_module(void *ctx, const char *key)
{
    mc_entry *e = mc_find(&((zygote *)ctx)->cache, key);
    return e ? e->module : NULL;
}

/* Replaces the spare with one holding what the cache holds now. */
static int new_spare(zygote *z, wc_error *err)
{
    spare_discard(&z->spare, &z->slots);
    /* After a compile's slices or a module that came or went: the free heap pages go back, so
     * that a fork copies no page table entry of them and a worker allocating there gets fresh
     * pages instead of copies of the zygote's. Not at every fork: a start's few KiB of garbage
     * were trimmed and grown again (2-3 brk per start, and its pages faulted in again). */
    if (z->trim_due || z->trimmed_version != z->cache.version) {
        malloc_trim(0);
        z->trim_due = false;
        z->trimmed_version = z->cache.version;
    }
    return spare_fork(&z->spare, &z->slots, z->cache.next_id, z->cache.version, z->layer_peer_fd,
                      find_module, z, err);
}

/* A fresh spare when there is none, or when the one there does not hold e (the first
 * start of a module the zygote compiled); a module the worker compiles (e NULL) runs
 * in any spare. Ready to be claimed: one that died before it was (killed by hand) is
 * replaced once. */
static int spare_for(zygote *z, const mc_entry *e, wc_error *err)
{
    if (z->spare.pid <= 0 || (e && e->id >= z->spare.mark))
        TRY(new_spare(z, err));
    if (spare_ready(&z->spare, &z->slots, err) == -ECHILD)
        TRY(new_spare(z, err));
    return spare_ready(&z->spare, &z->slots, err);
}

/* Every worker is a spare taken over: it waits for its spec on *ret_sock (sent after
 * the reply), so the zygote can put it in its cgroups before anything of it runs. The
 * module is the cache's (compiled now if small enough, module_cache.h), else
 * *ret_worker_compiles is set and the worker gets module_fd with its spec (*ret_validated: the
 * zygote validated that module at create, compile_jobs.h). The worker is
 * recorded; *ret_sock is the caller's to close once the spec is sent. */
static int run_worker(zygote *z, const worker_spec *s, const json_t *spec_json, const char *kind,
                      bool created, int module_fd, pid_t *ret_pid, int *ret_sock,
                      bool *ret_worker_compiles, bool *ret_validated, bool *ret_ready,
                      wc_error *err)
{
    *ret_sock = -1;
    mc_entry *e = mc_find(&z->cache, s->module_key);
    if (created && e == NULL) /* evicted since: the daemon starts it as any other, with the */
        return -ESRCH;        /* module's descriptor */
    bool compiled_now = false;
    /* one whose background compile is under way is not compiled twice: its worker does it */
    if (e == NULL && !cj_running(&z->jobs, s->module_key) &&
        mc_compiles_here(&z->cache, module_fd)) {
        if (mc_add(&z->cache, s->module_key, module_fd, s->module_name, &e, err) < 0)
            return err->code;
        compiled_now = true;
    }
    if (strcmp(kind, "ctr") == 0 && (e == NULL || compiled_now))
        z->start_compiles++;
    /* a terminal's exec (rare, interactive) has a view of its own: none is kept for it */
    bool exec = strcmp(kind, "exec") == 0;
    ready_set *kept = created ? &z->created : exec && !s->terminal ? &z->ready : NULL;
    if (!exec && !created) /* a start that makes its worker: one made at create is stale */
        ready_kill_ctr(&z->created, s->id);
    *ret_ready = kept && e &&
                 ready_take(kept, exec ? s->container : s->id, spec_json, e->id, ret_pid, ret_sock);
    if (created && !*ret_ready) /* gone, or forked before the module's compile */
        return -ESRCH;
    if (!*ret_ready) {
        int rc = spare_for(z, e, err);
        if (rc < 0)
            return rc;
        spare_claim(&z->spare, ret_pid, ret_sock);
    }
    zworker *w = NULL;
    if (wt_add(&z->workers, s, kind, *ret_pid, e ? e->id : 0, &w, err) < 0) {
        kill(*ret_pid, SIGKILL);
        close(*ret_sock);
        *ret_sock = -1;
        return err->code;
    }
    if (e)
        mc_use(&z->cache, e);
    *ret_worker_compiles = e == NULL;
    *ret_validated = e == NULL && cj_validated(&z->jobs, s->module_key);
    return 0;
}

/* After a reply: a spare holding what the cache holds now. */
static void refresh_spare(zygote *z)
{
    if (z->spare.pid > 0 && z->spare.version == z->cache.version)
        return;
    new_spare(z, NULL); /* on failure there is none: the next start forks one */
}

/* The spare (one holding module e, when not NULL) becomes a worker kept in rs for container
 * ctr: in its cgroups, it does the set-up of spec (s, decoded) and waits (ready.h). -1 when it
 * could not. done_fd (-1: none) goes to the worker, which closes it once its set-up is done. */
static int keep_ready(zygote *z, ready_set *rs, const char *ctr, const worker_spec *s,
                      const json_t *spec_json, const mc_entry *e, int64_t keep_ms, int done_fd)
{
    char *ctr_id = strdup(ctr);
    pid_t pid;
    int sock;
    if (ctr_id == NULL || spare_for(z, e, NULL) < 0) {
        free(ctr_id);
        return -1;
    }
    uint64_t mark = z->spare.mark;
    spare_claim(&z->spare, &pid, &sock);
    /* a copy: the request's own is freed after the next fork, and the next request's parse takes
     * its memory again, pages written since (else shared with the spare: copied on its path) */
    json_t *setup = json_deep_copy(spec_json);
    if (setup == NULL || worker_join_cgroups(pid, s->cgroup_procs, NULL) < 0 ||
        spare_prepare(sock, spec_json, rs == &z->ready, done_fd, NULL) < 0) {
        kill(pid, SIGKILL); /* reaped as an unknown child */
        close(sock);
        free(ctr_id);
        json_decref(setup);
        return -1;
    }
    ready_add(rs, (ready_worker){.pid = pid,
                                 .sock = sock,
                                 .ctr = ctr_id,
                                 .setup = setup,
                                 .mark = mark,
                                 .expires_ms = ready_now_ms() + keep_ms});
    return 0;
}

/* An exec of a container that still runs has ended: the spare becomes a worker ready for the
 * container's next exec (ready.h), unless one is there; the next spare is forked SPARE_DELAY_MS
 * later (fork_spare_when_due). Nothing to tell anyone on failure. */
static void make_ready(zygote *z, json_t *spec_json, int64_t keep_ms)
{
    _cleanup_(worker_spec_freep) worker_spec *s = NULL;
    if (worker_spec_decode(spec_json, &s, NULL) < 0 || *s->container == '\0')
        return;
    zworker *ctr = wt_find_id(&z->workers, s->container);
    if (ctr == NULL || strcmp(ctr->kind, "ctr") != 0) /* it has ended meanwhile */
        return;
    if (ready_has(&z->ready, spec_json) ||
        keep_ready(z, &z->ready, s->container, s, spec_json, NULL, keep_ms, -1) < 0)
        return;
    z->spare_due_ms = ready_now_ms() + SPARE_DELAY_MS;
}

/* The spare make_ready left to fork, once due; the ms until it is, or -1 when none is left. */
static int fork_spare_when_due(zygote *z)
{
    if (z->spare_due_ms == 0)
        return -1;
    int64_t left = z->spare_due_ms - ready_now_ms();
    if (left > 0)
        return (int)left;
    z->spare_due_ms = 0;
    refresh_spare(z);
    return -1;
}

/* After a start or exec: the next spare. After a lone one (none in the SPARE_BURST_MS before)
 * it is forked SPARE_DELAY_MS later: a fork right after the spec went out took the CPU that the
 * worker's set-up waited for (the worker woken on the zygote's core ran once the fork was done;
 * the daemon answering and its client on the other core); in a burst, at once. */
static void spare_after_start(zygote *z)
{
    int64_t now = ready_now_ms();
    bool burst = z->last_start_ms != 0 && now - z->last_start_ms < SPARE_BURST_MS;
    z->last_start_ms = now;
    if (burst)
        refresh_spare(z);
    else if (z->spare_due_ms == 0)
        z->spare_due_ms = now + SPARE_DELAY_MS;
}

/* ---- requests ---- */

typedef struct worker_started {
    pid_t pid;
    int sock;       /* the worker's: its spec goes there (-1: none to send) */
    bool ready;     /* a worker kept ready (ready.h): in the container's cgroups already */
    bool compiles;  /* the worker gets the module descriptor and compiles it */
    bool validated; /* ... which the zygote validated at create (compile_jobs.h) */
    int stdin_read; /* a container's stdin pipe: the worker's end, sent with its spec, or -1 */
} worker_started;

/* A container with stdin: a pipe whose read end becomes the guest's stdin and whose write
 * end the zygote keeps (zworker.stdin_fd) for the daemon's attach sessions (op stdin), across
 * daemon restarts, until op close_stdin or the exit. The zygote never writes to it; the write
 * end is non-blocking, so that a writer never waits on a guest that does not read. */
static int stdin_pipe(int *ret_read, int *ret_write, wc_error *err)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return wc_error_set_errno(err, -errno, "a stdin pipe for the container");
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    *ret_read = p[0];
    *ret_write = p[1];
    return 0;
}

/* Checks a start or exec request (its spec and its nfds descriptors) and starts its worker,
 * in its cgroups before the daemon hears it started: none of it runs outside them, and a
 * limit given right after the start is not undone by a join that comes late. */
static int start_worker(zygote *z, json_t *spec_json, bool exec, bool created, int module_fd,
                        size_t nfds, worker_started *ret, wc_error *err)
{
    _cleanup_(worker_spec_freep) worker_spec *s = NULL;
    TRY(worker_spec_decode(spec_json, &s, err));
    if (wt_find_id(&z->workers, s->id))
        return wc_error_set(err, -EBUSY, "a worker for %s is already running", s->id);
    if (exec ? nfds != 4 && nfds != 5 : nfds != (created ? 0 : 1))
        return wc_error_set(err, -EINVAL, "%s needs %s", exec ? "exec" : "start",
                            exec      ? "stdout, stderr, status, (stdin) and module descriptors"
                            : created ? "no descriptor"
                                      : "a module descriptor");
    TRY(run_worker(z, s, spec_json, exec ? "exec" : "ctr", created, module_fd, &ret->pid,
                   &ret->sock, &ret->compiles, &ret->validated, &ret->ready, err));
    if ((!ret->ready && worker_join_cgroups(ret->pid, s->cgroup_procs, err) < 0) ||
        (!exec && s->stdin_pipe &&
         stdin_pipe(&ret->stdin_read, &wt_find_id(&z->workers, s->id)->stdin_fd, err) < 0)) {
        kill(ret->pid, SIGKILL); /* reaped as this worker; the daemon has the error first */
        ret->sock = -1;
        return err->code;
    }
    return 0;
}

/* start: fds = [module], or none with "created" (the worker made at create: op_create);
 * exec: fds = [stdout, stderr, status, module] or, with stdin, [stdout, stderr, status, stdin,
 * module] (zygote_proto.h). */
static void op_start_or_exec(zygote *z, json_t *req, int *fds, size_t nfds)
{
    bool exec = strcmp(json_string_value(json_object_get(req, "op")), "exec") == 0;
    bool created = !exec && json_is_true(json_object_get(req, "created"));
    wc_error err = {0};
    /* the worker made at create keeps its spec, the daemon sends none */
    json_t *spec_json =
        created ? ready_setup_of(&z->created, json_string_value(json_object_get(req, "id")) ?: "")
                : json_object_get(req, "spec");
    int module_fd = nfds ? fds[nfds - 1] : -1;
    worker_started w = {.sock = -1, .stdin_read = -1};
    json_int_t keep_ms = json_integer_value(json_object_get(req, "keep_ms"));
    json_incref(spec_json); /* a created worker's is freed with it */
    int rc = created && spec_json == NULL
                 ? -ESRCH
                 : start_worker(z, spec_json, exec, created, module_fd, nfds, &w, &err);
    bool started = rc == 0;
    if (rc == -ESRCH) /* none made at create (any more): the daemon sends the spec */
        reply_ok(z, req, json_pack("{s:i}", "pid", 0));
    else if (!started)
        reply_error(z, req, &err);
    else if (!exec) /* a container's pid before its guest runs; an exec's guest runs first */
        reply_ok(z, req, json_pack("{s:i}", "pid", (int)w.pid));
    if (exec && w.sock >= 0 && keep_ms > 0 && !json_is_true(json_object_get(spec_json, "terminal")))
        ready_want(&z->ready, w.pid, spec_json, keep_ms); /* a worker ready for the next one */
    int stdio[4] = {exec ? fds[0] : -1, exec ? fds[1] : -1,
                    exec && nfds == 5 ? fds[3] : w.stdin_read, exec ? fds[2] : -1};
    /* a ready worker has the rest of the spec: a fifth of it to encode, and to parse there */
    json_t *own = w.sock >= 0 && w.ready ? ready_exec_fields(spec_json) : json_incref(spec_json);
    if (w.sock >= 0 && (own == NULL || spare_send(w.sock, own, stdio, w.compiles ? module_fd : -1,
                                                  w.validated, NULL) < 0))
        kill(w.pid, SIGKILL); /* reaped and reported as this worker's exit */
    json_decref(own);
    if (w.sock >= 0) /* the rest goes on the layer socket: no descriptor kept per worker */
        close(w.sock);
    if (w.stdin_read >= 0) /* the worker has its copy */
        close(w.stdin_read);
    for (size_t k = 0; k < nfds; k++) { /* an exec's output ends with its worker, not after the */
        close(fds[k]);                  /* next spare's fork (handle_request skips -1) */
        fds[k] = -1;
    }
    if (started && exec) /* its result comes on its status pipe, whenever this comes */
        reply_ok(z, req, json_pack("{s:i}", "pid", (int)w.pid));
    json_decref(spec_json);
    spare_after_start(z);
}

/* CreateContainer's last step (the daemon's container_start.c): the spare, in the container's
 * cgroups, does what its start would (the pod's netns, the view, the user, capabilities and
 * seccomp filter, the instance: worker_prepare) and waits in z->created (ready.h) for the start,
 * which then sends it no spec. The reply carries a pipe's read end, whose write end the worker
 * closes once its set-up is done: the create waits for that, not the zygote's loop. None for a
 * module the cache does not hold (the worker compiles it), a terminal (its view has a size file)
 * or listeners (opened at the start): created false. */
static void op_create(zygote *z, json_t *req, int *fds, size_t nfds)
{
    (void)fds;
    (void)nfds;
    json_t *spec_json = json_object_get(req, "spec");
    _cleanup_(worker_spec_freep) worker_spec *s = NULL;
    const mc_entry *e = NULL;
    int done[2] = {-1, -1};
    bool made = worker_spec_decode(spec_json, &s, NULL) == 0 && !s->terminal &&
                s->n_listeners == 0 && wt_find_id(&z->workers, s->id) == NULL &&
                (e = mc_find(&z->cache, s->module_key)) != NULL && pipe2(done, O_CLOEXEC) == 0;
    if (made) {
        ready_kill_ctr(&z->created, s->id); /* one made by a create before */
        made = keep_ready(z, &z->created, s->id, s, spec_json, e, CREATED_KEEP_MS, done[1]) == 0;
    }
    /* no spare forked now: it would compete with the start that follows at once for the CPU
     * (a kubelet's); the start forks it (spare_after_start), or the next create if it comes
     * first */
    reply_with_fds(z, req, json_pack("{s:b}", "created", made), done, made);
    for (size_t i = 0; i < 2; i++)
        if (done[i] >= 0)
            close(done[i]);
}

/* A module to compile in the background (compile_jobs.h): fds = [module] the first time; the
 * daemon then asks again with the key alone until the answer is "ready" (or an error). */
static void op_compile(zygote *z, json_t *req, int *fds, size_t nfds)
{
    wc_error err = {0};
    const char *key = json_string_value(json_object_get(req, "key"));
    const char *name = json_string_value(json_object_get(req, "name")) ?: "the module";
    const char *state = "ready";
    if (key == NULL) {
        wc_error_set(&err, -EINVAL, "compile needs a key");
        reply_error(z, req, &err);
        return;
    }
    /* one the cache could not hold anyway, validated before: nothing to do again */
    bool seen_big =
        nfds == 1 && !mc_holds_decoded(&z->cache, fds[0]) && cj_validated(&z->jobs, key);
    if (mc_find(&z->cache, key) == NULL && !seen_big) {
        cj_state st = cj_state_of(&z->jobs, key, &err);
        if (st == CJ_FAILED || (st == CJ_UNKNOWN && nfds == 1 &&
                                cj_start(&z->jobs, &z->cache, key, fds[0], name, &err) < 0)) {
            reply_error(z, req, &err);
            return;
        }
        /* unknown without a module: compiled and already evicted, or its outcome forgotten:
         * the start compiles it */
        state = st == CJ_RUNNING || (st == CJ_UNKNOWN && nfds == 1) ? "compiling" : "ready";
    }
    reply_ok(z, req, json_pack("{s:s}", "state", state));
}

/* A socket of its own for the daemon's requests: the thread that asks reads the
 * reply itself, instead of waiting for the daemon's reader thread to hand it over. */
static void op_channel(zygote *z, json_t *req, int *fds, size_t nfds)
{
    (void)fds;
    (void)nfds;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        wc_error err = {0};
        wc_error_set_errno(&err, -errno, "socketpair for a request channel");
        reply_error(z, req, &err);
        return;
    }
    drop_connection(z, z->channel_fd);
    z->channel_fd = sv[0];
    reply_with_fds(z, req, NULL, &sv[1], 1);
    close(sv[1]);
}

static zworker *find_ctr_worker(zygote *z, const char *id, pid_t pid)
{
    zworker *w = id ? wt_find_id(&z->workers, id) : wt_find_pid(&z->workers, pid);
    return w && strcmp(w->kind, "ctr") == 0 ? w : NULL;
}

/* The writable layer of a running container (nothing to make: fine). */
static int make_layer(zworker *w, wc_error *err)
{
    if (w == NULL)
        return wc_error_set(err, -ESRCH, "no running container asked for a layer");
    return w->layer_dir ? layer_make(w->layer_dir, w->layer_lower, err) : 0;
}

/* The daemon's ExecSync needs the container's whole view: its layer, made now. */
static void op_layer(zygote *z, json_t *req, int *fds, size_t nfds)
{
    (void)fds;
    (void)nfds;
    wc_error err = {0};
    const char *id = json_string_value(json_object_get(req, "id")) ?: "";
    if (make_layer(find_ctr_worker(z, id, 0), &err) < 0)
        reply_error(z, req, &err);
    else
        reply_ok(z, req, NULL);
}

/* A guest's ps: the table of its pod's workers whose guests still run (a worker's result comes
 * on the layer socket before the daemon has it on an exec's status pipe, and so before a next
 * exec's ps). */
static void reply_pod_table(zygote *z, const zworker *caller, int reply_fd)
{
    const pod_proc **procs = calloc(z->workers.n + 1, sizeof(*procs));
    char *text = malloc(POD_PROCS_MAX_TEXT);
    size_t n = 0;
    for (zworker *w = NULL; procs && caller && (w = wt_next(&z->workers, w));)
        if (pod_proc_same_pod(&w->proc, &caller->proc) && w->result == NULL) /* guest runs */
            procs[n++] = &w->proc;
    if (procs && text && caller)
        layer_reply(reply_fd, 0, text, pod_procs_format(procs, n, text, POD_PROCS_MAX_TEXT));
    else
        layer_reply(reply_fd, caller ? -ENOMEM : -EPERM, NULL, 0);
    free(procs);
    free(text);
}

/* A guest's kill: only a worker of the caller's pod. A signal whose default action ends a
 * process ends the worker as a graceful stop does (reported as ended by it: the guest has no
 * handler); any other (SIGSTOP, SIGCONT, SIGWINCH...) goes to the worker, whose default
 * action it takes. */
static int signal_pod_worker(zygote *z, const zworker *caller, json_t *req)
{
    json_int_t pid = json_integer_value(json_object_get(req, "pid"));
    json_int_t sig = json_integer_value(json_object_get(req, "signal"));
    if (sig < 0 || sig > WC_SIGNAL_MAX)
        return -EINVAL;
    zworker *w = pid > 0 && pid < INT32_MAX ? wt_find_pid(&z->workers, (pid_t)pid) : NULL;
    if (caller == NULL || w == NULL || !pod_proc_same_pod(&w->proc, &caller->proc))
        return -ESRCH;
    if (sig == 0)
        return 0;
    if (!wc_signal_terminates((int)sig))
        return kill(w->pid, (int)sig) < 0 ? -errno : 0;
    if (!w->stop_signal) /* the first stop's signal is the one */
        w->stop_signal = (int)sig;
    return kill(w->pid, SIGKILL) < 0 ? -errno : 0;
}

/* A worker's "log": the reopened log op_reopen keeps for it, passed on its reply socket. */
static void give_reopened_log(zygote *z, pid_t pid, int reply_fd)
{
    zworker *w = find_ctr_worker(z, NULL, pid);
    int fd = w ? w->log_fd : -1;
    layer_reply_fd(reply_fd, fd >= 0 ? 0 : -ENOENT, fd);
    if (fd >= 0) {
        close(fd);
        w->log_fd = -1;
    }
}

/* A worker's exit result, kept for its exit (reap): only the first of a running worker. */
static void keep_exit_result(zygote *z, pid_t pid, const worker_result *res)
{
    zworker *w = wt_find_pid(&z->workers, pid);
    if (w && w->result == NULL && (w->result = malloc(sizeof(*res))) != NULL)
        *w->result = *res;
}

/* A worker's message on the layer socket: its exit result, or a request for its writable
 * layer ("layer", its first write under "/"), its reopened log ("log"), its pod's process
 * table ("ps") or a signal to one of its pod's workers ("kill"). -EAGAIN: none waiting. */
static int handle_worker_request(zygote *z)
{
    pid_t pid = 0;
    int reply_fd = -1;
    char data[64 + sizeof(worker_result)];
    worker_result res;
    int n = layer_recv_request(z->layer_fd, &pid, &reply_fd, data, sizeof(data));
    if (n < 0)
        return n;
    if (layer_parse_exit(data, (size_t)n, &res)) {
        keep_exit_result(z, pid, &res);
        if (reply_fd >= 0)
            close(reply_fd);
        return 0;
    }
    json_t *req = json_loads(data, 0, NULL);
    const char *op = json_string_value(json_object_get(req, "op")) ?: "";
    zworker *caller = wt_find_pid(&z->workers, pid);
    if (strcmp(op, "ps") == 0)
        reply_pod_table(z, caller, reply_fd);
    else if (strcmp(op, "kill") == 0)
        layer_reply(reply_fd, signal_pod_worker(z, caller, req), NULL, 0);
    else if (strcmp(op, "layer") == 0)
        layer_reply(reply_fd, make_layer(find_ctr_worker(z, NULL, pid), NULL), NULL, 0);
    else if (strcmp(op, "log") == 0)
        give_reopened_log(z, pid, reply_fd);
    else
        layer_reply(reply_fd, -ENOSYS, NULL, 0);
    json_decref(req);
    return 0;
}

/* Ends the worker at once. With "signal" (a graceful stop, stop_signal.h): the guest could
 * not have handled it, so the exit is reported as that signal's (143 for SIGTERM). */
static void op_kill(zygote *z, json_t *req, int *fds, size_t nfds)
{
    (void)fds;
    (void)nfds;
    const char *id = json_string_value(json_object_get(req, "id")) ?: "";
    zworker *w = wt_find_id(&z->workers, id);
    ready_kill_ctr(&z->created, id); /* a container stopped before its start */
    json_int_t sig = json_integer_value(json_object_get(req, "signal"));
    if (w && sig > 0 && sig < 128 && !w->stop_signal) /* the first stop's signal is the one */
        w->stop_signal = (int)sig;
    if (w)
        kill(w->pid, SIGKILL);
    reply_ok(z, req, json_pack("{s:b}", "found", w != NULL));
}

/* The daemon opened the new log file (the worker, as the container's user, cannot): the
 * zygote keeps it for the worker (the latest only), then SIGHUP makes the worker ask for it
 * on the layer socket ("log"). */
static void op_reopen(zygote *z, json_t *req, int *fds, size_t nfds)
{
    wc_error err = {0};
    zworker *w = find_ctr_worker(z, json_string_value(json_object_get(req, "id")) ?: "", 0);
    if (nfds != 1) {
        wc_error_set(&err, -EINVAL, "reopen needs the log file's descriptor");
        reply_error(z, req, &err);
        return;
    }
    if (w) {
        if (w->log_fd >= 0)
            close(w->log_fd);
        w->log_fd = fds[0];
        fds[0] = -1; /* kept: not closed with the request */
        kill(w->pid, SIGHUP);
    }
    reply_ok(z, req, json_pack("{s:b}", "found", w != NULL));
}

/* The write end of a container's stdin pipe, for an attach session (a copy: the zygote keeps
 * its own). An error when the container has none, or it was closed. */
static void op_stdin(zygote *z, json_t *req, int *fds, size_t nfds)
{
    (void)fds;
    (void)nfds;
    wc_error err = {0};
    const char *id = json_string_value(json_object_get(req, "id")) ?: "";
    zworker *w = find_ctr_worker(z, id, 0);
    if (w == NULL || w->stdin_fd < 0) {
        wc_error_set(&err, w ? -EPIPE : -ESRCH, "container %s %s", id,
                     w ? "has no stdin open (it was closed, or never asked for)"
                       : "is not running");
        reply_error(z, req, &err);
        return;
    }
    reply_with_fds(z, req, NULL, &w->stdin_fd, 1);
}

/* stdin_once: the zygote lets go of its write end; the guest reads EOF once the daemon's
 * copies are closed too. */
static void op_close_stdin(zygote *z, json_t *req, int *fds, size_t nfds)
{
    (void)fds;
    (void)nfds;
    zworker *w = find_ctr_worker(z, json_string_value(json_object_get(req, "id")) ?: "", 0);
    if (w && w->stdin_fd >= 0) {
        close(w->stdin_fd);
        w->stdin_fd = -1;
    }
    reply_ok(z, req, json_pack("{s:b}", "found", w != NULL));
}

static void op_list(zygote *z, json_t *req, int *fds, size_t nfds)
{
    (void)fds;
    (void)nfds;
    json_t *a = json_array();
    for (zworker *w = NULL; a && (w = wt_next(&z->workers, w));)
        json_array_append_new(
            a, json_pack("{s:s, s:i, s:s}", "id", w->id, "pid", (int)w->pid, "kind", w->kind));
    for (size_t i = 0; a && i < z->created.n; i++) /* a restarted daemon's starts take them */
        json_array_append_new(a, json_pack("{s:s, s:i, s:s}", "id", z->created.items[i].ctr, "pid",
                                           (int)z->created.items[i].pid, "kind", "created"));
    json_t *r = json_pack(
        "{s:s, s:O, s:o, s:i, s:I, s:I, s:I, s:I}", "op", "reply", "seq",
        json_object_get(req, "seq"), "workers", a, "zygote_pid", (int)getpid(), "cache_bytes",
        (json_int_t)z->cache.bytes, "cache_entries", (json_int_t)z->cache.n, "background_compiles",
        (json_int_t)z->jobs.finished, "start_compiles", (json_int_t)z->start_compiles);
    /* thousands of workers are over one packet: in parts (zygote_proto.h) */
    if (r && zp_send_parts(z->reply_fd, r, "workers", NULL) < 0)
        drop_connection(z, z->reply_fd);
    json_decref(r);
}

static void op_ack(zygote *z, json_t *req, int *fds, size_t nfds)
{
    (void)fds;
    (void)nfds;
    const char *id = json_string_value(json_object_get(req, "id"));
    char path[4096];
    if (id == NULL || strchr(id, '/'))
        return;
    exit_path(z, id, "", path, sizeof(path));
    unlink(path);
}

static void op_quit_if_idle(zygote *z, json_t *req, int *fds, size_t nfds)
{
    (void)fds;
    (void)nfds;
    z->quit_when_idle = 1;
    reply_ok(z, req, json_pack("{s:b}", "quitting", z->workers.n == 0));
}

static const struct {
    const char *name;
    void (*fn)(zygote *z, json_t *req, int *fds, size_t nfds);
} ops[] = {
    {"start", op_start_or_exec},
    {"exec", op_start_or_exec},
    {"kill", op_kill},
    {"reopen", op_reopen},
    {"list", op_list},
    {"ack", op_ack},
    {"quit_if_idle", op_quit_if_idle},
    {"channel", op_channel},
    {"layer", op_layer},
    {"compile", op_compile},
    {"create", op_create},
    {"stdin", op_stdin},
    {"close_stdin", op_close_stdin},
};

static void handle_request(zygote *z, int fd)
{
    json_t *req = NULL;
    int fds[ZP_MAX_FDS];
    size_t nfds = 0;
    if (zp_recv(fd, &req, fds, &nfds, NULL) < 0) {
        drop_connection(z, fd);
        return;
    }
    z->reply_fd = fd;
    const char *op = json_string_value(json_object_get(req, "op")) ?: "";
    size_t i = 0;
    while (i < sizeof(ops) / sizeof(ops[0]) && strcmp(ops[i].name, op) != 0)
        i++;
    if (i < sizeof(ops) / sizeof(ops[0])) {
        ops[i].fn(z, req, fds, nfds);
    } else {
        wc_error err = {0};
        wc_error_set(&err, -ENOSYS, "unknown zygote request \"%s\"", op);
        reply_error(z, req, &err);
    }
    for (size_t k = 0; k < nfds; k++)
        if (fds[k] >= 0)
            close(fds[k]);
    json_decref(req);
}

static void accept_daemon(zygote *z)
{
    int fd = accept4(z->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    drop_connection(z, z->client_fd);
    drop_connection(z, z->channel_fd); /* the new daemon asks for its own */
    z->client_fd = fd;
    z->quit_when_idle = 0;
    resend_exits(z);
}

/* A descriptor per worker (its socket): a hard limit of 20,000, as some hosts set, ends
 * starts at ~19,990 containers (at ~9,990 when a result pipe was a second one: issue 18).
 * With CAP_SYS_RESOURCE the zygote raises it to what the kernel allows (fs.nr_open); else
 * the soft limit goes up to the hard one. */
static void raise_nofile(void)
{
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) < 0)
        return;
    unsigned long nr_open = 0;
    FILE *f = fopen("/proc/sys/fs/nr_open", "re");
    if (f && fscanf(f, "%lu", &nr_open) == 1 && nr_open > nofile.rlim_max) {
        struct rlimit raised = {.rlim_cur = nr_open, .rlim_max = nr_open};
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            nofile = raised;
    }
    if (f)
        fclose(f);
    if (nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;
        setrlimit(RLIMIT_NOFILE, &nofile);
    }
}

static int setup(zygote *z)
{
    sigset_t mask;
    sigemptyset(&mask);
    sigprocmask(SIG_SETMASK, &mask, NULL); /* the daemon's blocked SIGTERM is not ours */
    prctl(PR_SET_NAME, "wasmcri-zygote");
    raise_nofile();
    tzset(); /* the first gmtime_r (a log line's time) reads /etc/localtime: here, once, and
              * not in every worker (a file read and a page of heap each) */
    for (int sig = 1; sig < NSIG; sig++) /* what the daemon ignored stays ignored across exec */
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, SIG_DFL);
    for (size_t i = 0; i < sizeof(zygote_ignored) / sizeof(zygote_ignored[0]); i++)
        signal(zygote_ignored[i], SIG_IGN); /* a worker sets these back (worker.c) */
    if (layer_socket_pair(&z->layer_fd, &z->layer_peer_fd, NULL) < 0 ||
        spare_init(&z->spare, &z->slots, NULL) < 0 || reaper_init(&z->reaper, NULL) < 0)
        return -1;
    worker_privileges_prepare(NULL); /* on failure each worker compiles the filter itself */
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", z->state_dir, ZP_EXITS_DIR);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/%s", z->state_dir, ZP_PID_NAME);
    FILE *f = fopen(path, "we");
    if (f) {
        fprintf(f, "%d\n", (int)getpid());
        fclose(f);
    }
    return 0;
}

void zygote_main(int listen_fd, const char *state_dir, size_t module_cache_bytes)
{
    zygote z = {.state_dir = state_dir,
                .listen_fd = listen_fd,
                .client_fd = -1,
                .channel_fd = -1,
                .reply_fd = -1,
                .layer_fd = -1,
                .layer_peer_fd = -1,
                .trimmed_version = UINT64_MAX};
    mc_init(&z.cache, module_cache_bytes);
    if (setup(&z) < 0)
        _exit(1);
    int64_t last_sweep_ms = ready_now_ms();
    for (;;) {
        bool idle = z.workers.n == 0 && z.client_fd < 0;
        if (z.quit_when_idle && idle)
            break;
        int ready_ms = ready_expire(&z.ready, ready_now_ms()); /* -1: none kept */
        int created_ms = ready_expire(&z.created, ready_now_ms());
        int spare_ms = fork_spare_when_due(&z);
        if (created_ms >= 0 && (ready_ms < 0 || created_ms < ready_ms))
            ready_ms = created_ms;
        if (spare_ms >= 0 && (ready_ms < 0 || spare_ms < ready_ms))
            ready_ms = spare_ms;
        struct pollfd pfd[5] = {{.fd = z.listen_fd, .events = POLLIN},
                                {.fd = z.reaper.sig_fd, .events = POLLIN},
                                {.fd = z.client_fd, .events = POLLIN},
                                {.fd = z.channel_fd, .events = POLLIN},
                                {.fd = z.layer_fd, .events = POLLIN}};
        /* a background compile goes on between events: poll only looks */
        if (!idle && (ready_ms < 0 || ready_ms > REAPER_SWEEP_MS))
            ready_ms = REAPER_SWEEP_MS;
        int n = poll(pfd, 5,
                     cj_busy(&z.jobs) ? 0
                     : idle           ? IDLE_EXIT_MS
                                      : ready_ms); /* fd -1: ignored */
        if (n == 0 && idle && !cj_busy(&z.jobs))
            break; /* nothing to keep for a daemon: a new one starts its own zygote */
        if (n < 0)
            continue;
        int64_t now = ready_now_ms();
        bool sweep = !idle && now - last_sweep_ms >= REAPER_SWEEP_MS;
        if (pfd[1].revents || sweep)
            reap(&z, sweep);
        if (sweep)
            last_sweep_ms = now;
        if (pfd[4].revents)
            handle_worker_request(&z);
        if (z.channel_fd >= 0 && pfd[3].revents)
            handle_request(&z, z.channel_fd);
        if (z.client_fd >= 0 && pfd[2].revents)
            handle_request(&z, z.client_fd);
        if (pfd[0].revents)
            accept_daemon(&z);
        if (cj_busy(&z.jobs)) {
            uint64_t version = z.cache.version;
            z.trim_due = true;
            cj_step(&z.jobs, &z.cache);
            if (z.cache.version != version) /* a module came: the next start's spare holds it */
                refresh_spare(&z);
        }
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", state_dir, ZP_SOCKET_NAME);
    unlink(path);
    snprintf(path, sizeof(path), "%s/%s", state_dir, ZP_PID_NAME);
    unlink(path);
    _exit(0);
}
