/* The daemon's start-up and shutdown, as a flat list of named steps:
 *   parse flags → load config → make directories → take the socket lock →
 *   block signals → connect to the zygote, or start it (`wasmcri zygote`, the
 *   small program beside this one) → open the store →
 *   open the sandbox (pods, containers) and hand it the zygote → start the gRPC
 *   server (its queue thread beats systemd's watchdog, watchdog.h) → start the metrics
 *   endpoint if configured → tell systemd → unmap start-up-only pages → wait for a signal →
 *   stop the metrics endpoint and the server → remove the socket → close the sandbox
 *   and the store. Each step is announced to systemd as the unit's STATUS.
 * The lock (an flock on "<socket>.lock") is what makes a second daemon on the
 * same socket refuse to start: gRPC would otherwise unlink the live socket.
 */
#include "daemon_cmd.h"

#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "config.h"
#include "fs.h"
#include "log.h"
#include "metrics_http.h"
#include "pull_loader.h"
#include "sandbox.h"
#include "server.h"
#include "sibling.h"
#include "startup_pages.h"
#include "store.h"
#include "stream_server.h"
#include "watchdog.h"
#include <fcntl.h>
#include <pthread.h>

#define SHUTDOWN_GRACE_MS 500

static void usage(FILE *out)
{
    fprintf(out, "usage: wasmcri [--config FILE] [--socket PATH] [--root DIR] [--state DIR]\n"
                 "               [--log-level debug|info|warn|error]\n"
                 "       wasmcri config default\n"
                 "       wasmcri run [--dir HOST[:GUEST]]... [--env K=V]... [--invoke NAME]"
                 " FILE.wasm [ARGS...]\n"
                 "       wasmcri --version\n");
}

typedef struct flags {
    const char *config, *socket, *root, *state, *log_level;
} flags;

/* Returns 0, or the exit status to leave with (usage errors: 2; --help/--version: 0 → -1). */
static int parse_flags(int argc, char **argv, flags *f)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},    {"socket", required_argument, NULL, 's'},
        {"root", required_argument, NULL, 'r'},      {"state", required_argument, NULL, 't'},
        {"log-level", required_argument, NULL, 'l'}, {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'v'},         {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            f->config = optarg;
            break;
        case 's':
            f->socket = optarg;
            break;
        case 'r':
            f->root = optarg;
            break;
        case 't':
            f->state = optarg;
            break;
        case 'l':
            f->log_level = optarg;
            break;
        case 'h':
            usage(stdout);
            return -1;
        case 'v':
            printf("wasmcri %s\n", WASMCRI_VERSION);
            return -1;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "wasmcri: unexpected argument \"%s\"\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    return 0;
}

static int load_config(const flags *f, wc_config *cfg, wc_error *err)
{
    if (wc_config_init(cfg) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    const char *path = f->config ? f->config : WC_DEFAULT_CONFIG_PATH;
    if (f->config || access(path, F_OK) == 0) {
        int rc = wc_config_load_file(cfg, path, err);
        if (rc < 0)
            return rc;
    }
    if ((f->socket && wc_config_set_string(&cfg->socket_path, f->socket) < 0) ||
        (f->root && wc_config_set_string(&cfg->root_dir, f->root) < 0) ||
        (f->state && wc_config_set_string(&cfg->state_dir, f->state) < 0))
        return wc_error_set(err, -ENOMEM, "out of memory");
    if (f->log_level && wc_log_parse_level(f->log_level, &cfg->log_level) < 0)
        return wc_error_set(err, -EINVAL, "--log-level \"%s\": must be debug, info, warn or error",
                            f->log_level);
    return 0;
}

static int prepare_dirs(const wc_config *cfg, wc_error *err)
{
    char sock_dir[4096];
    TRY(wc_path(sock_dir, sizeof(sock_dir), err, "%s", cfg->socket_path));
    TRY(wc_mkdirs(cfg->root_dir, 0711, err));
    TRY(wc_mkdirs(cfg->state_dir, 0711, err));
    char *slash = strrchr(sock_dir, '/');
    if (slash == NULL || slash == sock_dir)
        return 0;
    *slash = '\0';
    return wc_mkdirs(sock_dir, 0711, err);
}

/* Returns the lock fd; held for the daemon's lifetime. */
static int take_socket_lock(const char *socket_path, wc_error *err)
{
    char lock_path[4096 + 8];
    TRY(wc_path(lock_path, sizeof(lock_path), err, "%s.lock", socket_path));
    int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return wc_error_set_errno(err, -errno, "cannot open the lock file %s", lock_path);
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        int e = errno;
        close(fd);
        if (e == EWOULDBLOCK)
            return wc_error_set(err, -EBUSY,
                                "another wasmcri is already serving %s (lock %s is held)",
                                socket_path, lock_path);
        return wc_error_set_errno(err, -e, "cannot lock %s", lock_path);
    }
    return fd;
}

/* The pods and containers loaded, with the toolbox and the CNI configuration. */
static int load_sandbox(const wc_config *cfg, cri_daemon *d, wc_error *err)
{
    TRY(wc_sandbox_open(cfg->root_dir, cfg->state_dir, cfg->cgroup_driver, d->store, &d->sandbox,
                        err));
    wc_sandbox_set_toolbox(d->sandbox, cfg->toolbox);
    wc_sandbox_set_exec_ready(d->sandbox, cfg->exec_ready_ms);
    TRY(wc_sandbox_start_stats(d->sandbox, err));
    return wc_sandbox_set_cni(d->sandbox, cfg->cni_conf_dir, cfg->cni_bin_dirs, cfg->n_cni_bin_dirs,
                              cfg->cni_plugin_timeout_s, err);
}

/* Loads the pods and containers and hands them the zygote (taken in every case). */
static int open_sandbox(const wc_config *cfg, cri_daemon *d, zc_client *zc, bool spawned,
                        wc_error *err)
{
    if (load_sandbox(cfg, d, err) < 0) {
        zc_close(zc);
        return wc_error_wrap(err, "cannot load the pods and containers");
    }
    int rc = wc_sandbox_attach_zygote(d->sandbox, zc, err);
    if (rc < 0)
        return wc_error_wrap(err, "cannot talk to the zygote");
    wc_info("daemon", "%s the zygote (pid %d)", spawned ? "started" : "reconnected to",
            zc_zygote_pid(zc));
    char cert_out[4096];
    TRY(wc_path(cert_out, sizeof(cert_out), err, "%s/stream-tls.crt", cfg->state_dir));
    stream_server_conf sc = {.addr = cfg->stream_address,
                             .port = cfg->stream_port,
                             .idle_timeout_s = cfg->stream_idle_timeout,
                             .tls = cfg->stream_tls,
                             .tls_cert_file = cfg->stream_tls_cert_file,
                             .tls_key_file = cfg->stream_tls_key_file,
                             .cert_out = cert_out};
    rc = stream_server_start(d->sandbox, &sc, &d->stream, err);
    return rc < 0 ? wc_error_wrap(err, "cannot start the streaming server") : 0;
}

static void close_state(cri_daemon *d)
{
    stream_server_stop(d->stream); /* its sessions use the sandbox */
    wc_sandbox_close(d->sandbox);
    cri_daemon_free(d);
}

static int serve_until_signal(wc_config *cfg, const sigset_t *sigs, wc_error *err)
{
    cri_heartbeat watchdog;
    watchdog_from_systemd(&watchdog);
    cri_daemon d;
    zc_client *zc = NULL;
    bool spawned = false;
    char zygote_program[PATH_MAX];
    char pull_module[PATH_MAX];
    int rc = sibling_program("wasmcri", zygote_program, sizeof(zygote_program));
    if (rc == 0)
        rc = sibling_program("wasmcri-pull.so", pull_module, sizeof(pull_module));
    if (rc < 0)
        return wc_error_set_errno(err, rc, "cannot find the programs beside the daemon");
    wc_image_set_pull_module(pull_module, startup_pages_unmap);
    sd_notify(0, "STATUS=starting the zygote");
    rc = zc_connect_or_spawn(cfg->state_dir, zygote_program,
                             (size_t)cfg->module_cache_mib * 1024 * 1024, &zc, &spawned, err);
    if (rc < 0)
        return wc_error_wrap(err, "cannot start the zygote");
    rc = cri_daemon_init(&d, cfg, err);
    if (rc < 0) {
        zc_close(zc);
        wc_error_wrap(err, "cannot set up the daemon state");
        return rc;
    }
    sd_notify(0, "STATUS=loading the pods and containers");
    rc = open_sandbox(cfg, &d, zc, spawned, err);
    if (rc < 0) {
        close_state(&d);
        return rc;
    }
    /* One queue thread: it is gRPC's poller as well, so a call wakes one thread, not a
     * poller and then its queue's thread (~40 us less per rpc on a 2-vCPU gateway).
     * Fast handlers run on it; anything that may take long has a thread of its own. */
    cri_server *srv = NULL;
    rc = cri_server_start(&d, cfg->socket_path, 1, &watchdog, &srv, err);
    if (rc < 0) {
        close_state(&d);
        return rc;
    }
    cri_metrics_http *metrics = NULL;
    if (*cfg->metrics_address) {
        rc = cri_metrics_http_start(cfg->metrics_address, srv, &d, &metrics, err);
        if (rc < 0) {
            cri_server_stop(srv, 0);
            unlink(cfg->socket_path);
            close_state(&d);
            return rc;
        }
        wc_info("daemon", "metrics on http://%s/metrics", cfg->metrics_address);
    }
    wc_info("daemon", "wasmcri %s serving CRI v1 on %s (root %s, state %s)", WASMCRI_VERSION,
            cfg->socket_path, cfg->root_dir, cfg->state_dir);
    sd_notifyf(0, "READY=1\nSTATUS=serving on %s", cfg->socket_path);
    startup_pages_unmap();
    int sig = 0;
    sigwait(sigs, &sig);
    wc_info("daemon", "%s received, shutting down", strsignal(sig));
    sd_notify(0, "STOPPING=1\nSTATUS=shutting down");
    cri_metrics_http_stop(metrics);
    cri_server_stop(srv, SHUTDOWN_GRACE_MS);
    unlink(cfg->socket_path);
    close_state(&d);
    wc_info("daemon", "stopped");
    return 0;
}

/* The configuration and the dirs, the socket's lock (*lock_fd, held while the daemon runs),
 * then serving until SIGTERM or SIGINT. */
static int run_daemon(const flags *f, wc_config *cfg, int *lock_fd, wc_error *err)
{
    TRY(load_config(f, cfg, err));
    wc_log_set_level(cfg->log_level);
    TRY(prepare_dirs(cfg, err));
    TRY(*lock_fd = take_socket_lock(cfg->socket_path, err));
    /* One malloc arena serves every thread: per-thread arenas cost idle memory, and a second
     * one held ~0.9 MB more free chunks at 5,000 containers (issue 18). */
    mallopt(M_ARENA_MAX, 1);
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    return serve_until_signal(cfg, &sigs, err);
}

int wasmcri_daemon_main(int argc, char **argv)
{
    unsetenv("LD_BIND_NOW"); /* for the daemon only (daemon_exec.c), not the zygote */
    flags f = {0};
    int status = parse_flags(argc, argv, &f);
    if (status != 0)
        return status < 0 ? 0 : status;
    wc_config cfg;
    wc_error err = {0};
    int lock_fd = -1;
    int rc = run_daemon(&f, &cfg, &lock_fd, &err);
    if (lock_fd >= 0)
        close(lock_fd);
    wc_config_free(&cfg);
    if (rc < 0) {
        wc_err("daemon", "%s", err.msg);
        return 1;
    }
    return 0;
}
