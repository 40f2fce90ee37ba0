/* hack/bench/startup.sh's direct gRPC client (gRPC C core + the project's protobuf-c CRI
 * messages), so that the figures are the daemon's and not a Python client's.
 *   startup_client SOCKET IMAGE LOGDIR start N   N x (RunPodSandbox host-network,
 *       CreateContainer, StartContainer) of IMAGE's `hello`; prints p50/p90 (us) of each
 *       rpc, of the sum, and of the time from RunPodSandbox to the first log line. Like
 *       kubelet, it makes each pod's log directory (LOGDIR/NAME) before RunPodSandbox.
 *   startup_client SOCKET IMAGE LOGDIR podnet N  the same with each pod in a network
 *       namespace of its own, wired by the daemon's CNI network (hack/bench/cni.py).
 *   startup_client SOCKET IMAGE LOGDIR idle N [P]  N pods, each with one container sleeping
 *       in poll_oneoff, started by P threads at once (default 1; as kubelet starts pods,
 *       one goroutine each, on one connection); prints the p50/p90 of the three rpcs' sum, the
 *       starts per second and the seconds all took (startup.py calls it per step of the curve).
 *   startup_client SOCKET IMAGE LOGDIR lists N   N rounds of what kubelet polls
 *       (ListPodSandbox, ListContainers, ListContainerStats, PodSandboxStatus of one pod);
 *       prints the p50 of each (IMAGE and LOGDIR are not used).
 *   startup_client SOCKET ID METHOD poll N   one call of the polled rpc METHOD (ListPodSandbox,
 *       ListContainers, ListContainerStats, ListPodSandboxStats, PodSandboxStatus or
 *       ContainerStatus; ID is the pod's or container's id for the last two, else unused),
 *       then N timed ones; prints their p50 and p90 in us (until decoded), the p50 until the
 *       reply's bytes were received, the p50 of this client's decode (a protobuf-c unpack),
 *       and the reply's size in bytes; then the same N calls again with a heap that is kept
 *       (bench_poll): their p50 until decoded and the p50 of their decode (hack/bench/polls.py).
 *   startup_client SOCKET - - startid N   up to N StartContainer calls of containers another
 *       client created, one per line of stdin ("CONTAINER_ID LOG_PATH"), on one channel connected
 *       first (a Version call), as a kubelet's; prints a line per start: microseconds from the
 *       call to its return, to the first log line seen (inotify, no polling: the client takes no
 *       CPU from the start it times), and to the time stamp the worker wrote on that line
 *       (CLOCK_REALTIME on both sides: the time to the guest's first output, no client-side
 *       wait in it) (hack/bench/start_big.py). An rpc error or no log line within LOG_WAIT_S
 *       exits 1 saying which.
 */
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <libgen.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api.pb-c.h"
#include "grpc_unary.h"

static grpc_channel *ch;
static __thread grpc_completion_queue *cq; /* each thread's own */
static Runtime__V1__NamespaceMode pod_network = RUNTIME__V1__NAMESPACE_MODE__NODE;

/* One unary call; returns the unpacked response or exits on any error. */
/* The reply's bytes (the caller's); exits on an error status. */
static grpc_byte_buffer *call_raw(const char *method, const ProtobufCMessage *req)
{
    size_t len = protobuf_c_message_get_packed_size(req);
    grpc_slice s = grpc_slice_malloc(len);
    protobuf_c_message_pack(req, GRPC_SLICE_START_PTR(s));
    grpc_byte_buffer *bb = grpc_raw_byte_buffer_create(&s, 1);
    grpc_slice_unref(s);
    grpc_byte_buffer *resp = NULL;
    char details[512];
    grpc_status_code status = grpc_unary(ch, cq, method, bb, &resp, details, sizeof(details));
    grpc_byte_buffer_destroy(bb);
    if (status != GRPC_STATUS_OK || resp == NULL) {
        fprintf(stderr, "%s: status %d: %s\n", method, (int)status, details);
        exit(1);
    }
    return resp;
}

/* The reply's bytes in one piece, as a protobuf-c client needs them (the caller's). */
static grpc_slice reply_bytes(grpc_byte_buffer *resp)
{
    grpc_byte_buffer_reader r;
    grpc_byte_buffer_reader_init(&r, resp);
    grpc_slice all = grpc_byte_buffer_reader_readall(&r);
    grpc_byte_buffer_reader_destroy(&r);
    return all;
}

/* resp (taken) decoded as an out message. */
static ProtobufCMessage *decode(grpc_byte_buffer *resp, const ProtobufCMessageDescriptor *out)
{
    grpc_slice all = reply_bytes(resp);
    ProtobufCMessage *msg =
        protobuf_c_message_unpack(out, NULL, GRPC_SLICE_LENGTH(all), GRPC_SLICE_START_PTR(all));
    grpc_slice_unref(all);
    grpc_byte_buffer_destroy(resp);
    return msg;
}

static ProtobufCMessage *call(const char *method, const ProtobufCMessage *req,
                              const ProtobufCMessageDescriptor *out)
{
    return decode(call_raw(method, req), out);
}

#define RT "/runtime.v1.RuntimeService/"
#define LOG_WAIT_S 120

/* One pod with one container; latencies of the three rpcs into t[0..2] (ns). With an
 * inotify fd, the pod's log directory is watched (for IN_MODIFY) before the pod runs. */
static int one_pod(int i, const char *image, const char *logdir, char **args, size_t nargs,
                   int inotify_fd, long t[3], char *ret_log, size_t log_cap)
{
    char name[64], dir[512];
    snprintf(name, sizeof(name), "bench-%d-%ld", i, (long)getpid());
    snprintf(dir, sizeof(dir), "%s/%s", logdir, name);
    mkdir(logdir, 0755);
    mkdir(dir, 0755); /* as kubelet does before RunPodSandbox */
    int wd = inotify_fd >= 0 ? inotify_add_watch(inotify_fd, dir, IN_MODIFY) : -1;
    if (inotify_fd >= 0 && wd < 0) {
        perror(dir);
        exit(1);
    }
    Runtime__V1__PodSandboxMetadata md = RUNTIME__V1__POD_SANDBOX_METADATA__INIT;
    md.name = name, md.uid = name, md.namespace_ = "bench";
    Runtime__V1__NamespaceOption ns = RUNTIME__V1__NAMESPACE_OPTION__INIT;
    ns.network = pod_network;
    Runtime__V1__LinuxSandboxSecurityContext sc = RUNTIME__V1__LINUX_SANDBOX_SECURITY_CONTEXT__INIT;
    sc.namespace_options = &ns;
    Runtime__V1__LinuxPodSandboxConfig lx = RUNTIME__V1__LINUX_POD_SANDBOX_CONFIG__INIT;
    lx.security_context = &sc;
    Runtime__V1__PodSandboxConfig pc = RUNTIME__V1__POD_SANDBOX_CONFIG__INIT;
    pc.metadata = &md, pc.log_directory = dir, pc.linux = &lx;
    Runtime__V1__RunPodSandboxRequest rp = RUNTIME__V1__RUN_POD_SANDBOX_REQUEST__INIT;
    rp.config = &pc;
    long t0 = now_ns();
    Runtime__V1__RunPodSandboxResponse *pr = (void *)call(
        RT "RunPodSandbox", &rp.base, &runtime__v1__run_pod_sandbox_response__descriptor);
    long t1 = now_ns();
    Runtime__V1__ContainerMetadata cm = RUNTIME__V1__CONTAINER_METADATA__INIT;
    cm.name = "c";
    Runtime__V1__ImageSpec is = RUNTIME__V1__IMAGE_SPEC__INIT;
    is.image = (char *)image;
    Runtime__V1__ContainerConfig cc = RUNTIME__V1__CONTAINER_CONFIG__INIT;
    cc.metadata = &cm, cc.image = &is, cc.log_path = "c.log", cc.args = args, cc.n_args = nargs;
    Runtime__V1__CreateContainerRequest cr = RUNTIME__V1__CREATE_CONTAINER_REQUEST__INIT;
    cr.pod_sandbox_id = pr->pod_sandbox_id, cr.config = &cc, cr.sandbox_config = &pc;
    Runtime__V1__CreateContainerResponse *ccr = (void *)call(
        RT "CreateContainer", &cr.base, &runtime__v1__create_container_response__descriptor);
    long t2 = now_ns();
    Runtime__V1__StartContainerRequest sr = RUNTIME__V1__START_CONTAINER_REQUEST__INIT;
    sr.container_id = ccr->container_id;
    ProtobufCMessage *srr =
        call(RT "StartContainer", &sr.base, &runtime__v1__start_container_response__descriptor);
    long t3 = now_ns();
    t[0] = t1 - t0, t[1] = t2 - t1, t[2] = t3 - t2;
    snprintf(ret_log, log_cap, "%s/c.log", dir);
    protobuf_c_message_free_unpacked(srr, NULL);
    protobuf_c_message_free_unpacked(&ccr->base, NULL);
    protobuf_c_message_free_unpacked(&pr->base, NULL);
    return wd;
}

/* Blocks until the file at path is not empty (woken by the watch, not polling: the
 * client should not take CPU from what it measures); exits if it stays empty LOG_WAIT_S. */
static void wait_not_empty(int inotify_fd, const char *path)
{
    char events[4096] __attribute__((aligned(8)));
    struct stat st;
    long deadline = now_ns() + LOG_WAIT_S * 1000000000L;
    while (stat(path, &st) < 0 || st.st_size == 0) {
        struct pollfd p = {.fd = inotify_fd, .events = POLLIN};
        long left_ms = (deadline - now_ns()) / 1000000;
        int r = left_ms > 0 ? poll(&p, 1, (int)left_ms) : 0;
        if (r == 0) {
            fprintf(stderr, "%s: no log line in %d s\n", path, LOG_WAIT_S);
            exit(1);
        }
        if (r < 0 || read(inotify_fd, events, sizeof(events)) < 0) {
            perror("inotify read");
            exit(1);
        }
    }
}

/* The time stamp of the first line of the CRI log at path (RFC 3339, UTC, up to nine digits
 * of fraction), as CLOCK_REALTIME ns; exits if the line has none. */
static long log_stamp_ns(const char *path)
{
    char line[64] = "";
    FILE *f = fopen(path, "r");
    if (f == NULL || fgets(line, sizeof(line), f) == NULL) {
        perror(path);
        exit(1);
    }
    fclose(f);
    struct tm tm = {0};
    char *frac = strptime(line, "%Y-%m-%dT%H:%M:%S.", &tm), *end = frac;
    long ns = frac != NULL ? strtol(frac, &end, 10) : 0;
    long digits = end - frac;
    if (frac == NULL || *end != 'Z' || digits < 1 || digits > 9) {
        fprintf(stderr, "%s: the first line has no CRI time stamp: %s\n", path, line);
        exit(1);
    }
    for (; digits < 9; digits++)
        ns *= 10;
    return (long)timegm(&tm) * 1000000000L + ns;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static void report(const char *what, long *v, int n)
{
    qsort(v, (size_t)n, sizeof(long), cmp_long);
    printf("%-22s p50 %8.1f us   p90 %8.1f us\n", what, v[n / 2] / 1e3, v[n * 9 / 10] / 1e3);
}

/* N idle pods (a container sleeping in poll_oneoff each), started by P threads: thread t
 * starts pods t, t + P, ...; v[0] gets each pod's sum of the three rpcs, v[1..3] each rpc. Names
 * carry the client's pid, so that the steps of a curve (one client each) do not collide. */
typedef struct idle_job {
    const char *image, *logdir;
    int n, p, t;
    long *v[4];
} idle_job;

static void *idle_thread(void *arg)
{
    idle_job *j = arg;
    cq = grpc_completion_queue_create_for_pluck(NULL);
    char *args[] = {"sleep", "1000000"};
    for (int i = j->t; i < j->n; i += j->p) {
        long t[3];
        char log[600];
        one_pod(i, j->image, j->logdir, args, 2, -1, t, log, sizeof(log));
        j->v[0][i] = t[0] + t[1] + t[2];
        for (int k = 0; k < 3; k++)
            j->v[k + 1][i] = t[k];
    }
    grpc_completion_queue_shutdown(cq);
    grpc_completion_queue_destroy(cq);
    return NULL;
}

static void bench_idle(const char *image, const char *logdir, int n, int p)
{
    idle_job *jobs = calloc((size_t)p, sizeof(*jobs));
    pthread_t *threads = calloc((size_t)p, sizeof(*threads));
    long *v[4], start = now_ns();
    for (int k = 0; k < 4; k++)
        v[k] = calloc((size_t)n, sizeof(long));
    for (int t = 0; t < p; t++) {
        jobs[t] = (idle_job){image, logdir, n, p, t, {v[0], v[1], v[2], v[3]}};
        if (pthread_create(&threads[t], NULL, idle_thread, &jobs[t]) != 0) {
            perror("pthread_create");
            exit(1);
        }
    }
    for (int t = 0; t < p; t++)
        pthread_join(threads[t], NULL);
    double secs = (now_ns() - start) / 1e9;
    for (int k = 0; k < 4; k++)
        qsort(v[k], (size_t)n, sizeof(long), cmp_long);
    printf("start p50 %.1f us p90 %.1f us rate %.0f starts/s run/create/start p50 %.1f %.1f %.1f "
           "us in %.3f s p99 %.1f %.1f %.1f us\n",
           v[0][n / 2] / 1e3, v[0][n * 9 / 10] / 1e3, n / secs, v[1][n / 2] / 1e3,
           v[2][n / 2] / 1e3, v[3][n / 2] / 1e3, secs, v[1][n * 99 / 100] / 1e3,
           v[2][n * 99 / 100] / 1e3, v[3][n * 99 / 100] / 1e3);
    for (int k = 0; k < 4; k++)
        free(v[k]);
    free(jobs);
    free(threads);
}

/* Timed calls of one polled rpc; returns the p50 in us. */
static double poll_p50(const char *method, const ProtobufCMessage *req,
                       const ProtobufCMessageDescriptor *out, int n)
{
    long *t = calloc((size_t)n, sizeof(long));
    for (int i = 0; i < n; i++) {
        long t0 = now_ns();
        protobuf_c_message_free_unpacked(call(method, req, out), NULL);
        t[i] = now_ns() - t0;
    }
    qsort(t, (size_t)n, sizeof(long), cmp_long);
    double p50 = t[n / 2] / 1e3;
    free(t);
    return p50;
}

static void bench_lists(int n)
{
    Runtime__V1__ListPodSandboxRequest lp = RUNTIME__V1__LIST_POD_SANDBOX_REQUEST__INIT;
    Runtime__V1__ListContainersRequest lc = RUNTIME__V1__LIST_CONTAINERS_REQUEST__INIT;
    Runtime__V1__ListContainerStatsRequest ls = RUNTIME__V1__LIST_CONTAINER_STATS_REQUEST__INIT;
    Runtime__V1__ListPodSandboxResponse *pods = (void *)call(
        RT "ListPodSandbox", &lp.base, &runtime__v1__list_pod_sandbox_response__descriptor);
    if (pods->n_items == 0) {
        fprintf(stderr, "lists: no pod to ask PodSandboxStatus about\n");
        exit(1);
    }
    Runtime__V1__PodSandboxStatusRequest ps = RUNTIME__V1__POD_SANDBOX_STATUS_REQUEST__INIT;
    ps.pod_sandbox_id = pods->items[pods->n_items / 2]->id;
    printf("ListPodSandbox p50 %.1f us\n",
           poll_p50(RT "ListPodSandbox", &lp.base,
                    &runtime__v1__list_pod_sandbox_response__descriptor, n));
    printf("ListContainers p50 %.1f us\n",
           poll_p50(RT "ListContainers", &lc.base,
                    &runtime__v1__list_containers_response__descriptor, n));
    printf("ListContainerStats p50 %.1f us\n",
           poll_p50(RT "ListContainerStats", &ls.base,
                    &runtime__v1__list_container_stats_response__descriptor, n));
    printf("PodSandboxStatus p50 %.1f us\n",
           poll_p50(RT "PodSandboxStatus", &ps.base,
                    &runtime__v1__pod_sandbox_status_response__descriptor, n));
    protobuf_c_message_free_unpacked(&pods->base, NULL);
}

/* The request of a polled rpc (ids borrowed from id) and its response's type. */
static const ProtobufCMessage *poll_request(const char *method, char *id,
                                            const ProtobufCMessageDescriptor **ret_out)
{
    static Runtime__V1__ListPodSandboxRequest lp = RUNTIME__V1__LIST_POD_SANDBOX_REQUEST__INIT;
    static Runtime__V1__ListContainersRequest lc = RUNTIME__V1__LIST_CONTAINERS_REQUEST__INIT;
    static Runtime__V1__ListContainerStatsRequest ls =
        RUNTIME__V1__LIST_CONTAINER_STATS_REQUEST__INIT;
    static Runtime__V1__ListPodSandboxStatsRequest lps =
        RUNTIME__V1__LIST_POD_SANDBOX_STATS_REQUEST__INIT;
    static Runtime__V1__PodSandboxStatusRequest ps = RUNTIME__V1__POD_SANDBOX_STATUS_REQUEST__INIT;
    static Runtime__V1__ContainerStatusRequest cs = RUNTIME__V1__CONTAINER_STATUS_REQUEST__INIT;
    ps.pod_sandbox_id = id;
    cs.container_id = id;
    const struct {
        const char *name;
        const ProtobufCMessage *req;
        const ProtobufCMessageDescriptor *out;
    } rpcs[] = {
        {"ListPodSandbox", &lp.base, &runtime__v1__list_pod_sandbox_response__descriptor},
        {"ListContainers", &lc.base, &runtime__v1__list_containers_response__descriptor},
        {"ListContainerStats", &ls.base, &runtime__v1__list_container_stats_response__descriptor},
        {"ListPodSandboxStats", &lps.base,
         &runtime__v1__list_pod_sandbox_stats_response__descriptor},
        {"PodSandboxStatus", &ps.base, &runtime__v1__pod_sandbox_status_response__descriptor},
        {"ContainerStatus", &cs.base, &runtime__v1__container_status_response__descriptor},
    };
    for (size_t i = 0; i < sizeof(rpcs) / sizeof(rpcs[0]); i++)
        if (strcmp(rpcs[i].name, method) == 0) {
            *ret_out = rpcs[i].out;
            return rpcs[i].req;
        }
    fprintf(stderr, "poll: %s is not a polled rpc\n", method);
    exit(2);
}

static double p50_us(long *v, int n)
{
    qsort(v, (size_t)n, sizeof(long), cmp_long);
    return v[n / 2] / 1e3;
}

/* n calls, each timed in three parts: until the reply was received (answered), then the plain
 * protobuf-c unpack of its bytes as one piece (decoded: what any client of these bytes pays);
 * freeing the decoded message and the bytes comes after, untimed. t, recv and dec get each
 * call's ns; returns the reply's size. */
static size_t timed_polls(const char *path, const ProtobufCMessage *req,
                          const ProtobufCMessageDescriptor *out, int n, long *t, long *recv,
                          long *dec)
{
    size_t bytes = 0;
    for (int i = 0; i < n; i++) {
        long t0 = now_ns();
        grpc_byte_buffer *resp = call_raw(path, req);
        long t1 = now_ns();
        grpc_slice all = reply_bytes(resp);
        ProtobufCMessage *msg =
            protobuf_c_message_unpack(out, NULL, GRPC_SLICE_LENGTH(all), GRPC_SLICE_START_PTR(all));
        long t2 = now_ns();
        if (msg == NULL) {
            fprintf(stderr, "poll: %s: the reply does not decode\n", path);
            exit(1);
        }
        bytes = GRPC_SLICE_LENGTH(all);
        protobuf_c_message_free_unpacked(msg, NULL);
        grpc_slice_unref(all);
        grpc_byte_buffer_destroy(resp);
        recv[i] = t1 - t0, dec[i] = t2 - t1, t[i] = t2 - t0;
    }
    return bytes;
}

/* The calls twice. First with glibc's malloc as it comes: freeing a decoded reply of
 * megabytes gives the top of the heap back to the kernel (M_TRIM_THRESHOLD), so each decode
 * faults its pages in again; on a guest where a page fault costs ~20 us that is most of a
 * 10,000-item decode (~1,600 faults for ListContainers' 6 MB of messages). Then with the heap
 * kept (no trim, nothing big mapped apart), as a long-lived client that polls keeps its heap
 * between polls (kubelet: Go's collector reuses its heap, returning pages only slowly). */
static void bench_poll(char *id, const char *method, int n)
{
    const ProtobufCMessageDescriptor *out = NULL;
    const ProtobufCMessage *req = poll_request(method, id, &out);
    char path[128];
    snprintf(path, sizeof(path), RT "%s", method);
    protobuf_c_message_free_unpacked(call(path, req, out), NULL); /* connects */
    long *t = calloc((size_t)n, sizeof(long)), *recv = calloc((size_t)n, sizeof(long)),
         *dec = calloc((size_t)n, sizeof(long));
    size_t bytes = timed_polls(path, req, out, n, t, recv, dec);
    double p50 = p50_us(t, n), p90 = t[n * 9 / 10] / 1e3, recv50 = p50_us(recv, n),
           dec50 = p50_us(dec, n);
    if (mallopt(M_TRIM_THRESHOLD, 1 << 30) != 1 || mallopt(M_MMAP_THRESHOLD, 32 << 20) != 1) {
        fprintf(stderr, "poll: mallopt failed\n");
        exit(1);
    }
    protobuf_c_message_free_unpacked(call(path, req, out), NULL); /* grows the heap once */
    timed_polls(path, req, out, n, t, recv, dec);
    printf("%.1f %.1f %.1f %.1f %zu %.1f %.1f\n", p50, p90, recv50, dec50, bytes, p50_us(t, n),
           p50_us(dec, n));
    free(t);
    free(recv);
    free(dec);
}

static void bench_start(const char *image, const char *logdir, int n)
{
    long *rpc[4], *first = calloc((size_t)n, sizeof(long));
    for (int k = 0; k < 4; k++)
        rpc[k] = calloc((size_t)n, sizeof(long));
    char *args[] = {"hello"};
    int ifd = inotify_init1(IN_CLOEXEC);
    if (ifd < 0) {
        perror("inotify_init1");
        exit(1);
    }
    for (int i = 0; i < n; i++) {
        long t[3], start = now_ns();
        char log[600];
        int wd = one_pod(i, image, logdir, args, 1, ifd, t, log, sizeof(log));
        wait_not_empty(ifd, log);
        first[i] = now_ns() - start;
        inotify_rm_watch(ifd, wd);
        for (int k = 0; k < 3; k++)
            rpc[k][i] = t[k];
        rpc[3][i] = t[0] + t[1] + t[2];
    }
    report("RunPodSandbox", rpc[0], n);
    report("CreateContainer", rpc[1], n);
    report("StartContainer", rpc[2], n);
    report("sum of the three", rpc[3], n);
    report("to the first log line", first, n);
}

/* Starts of created containers read from stdin (the usage at the top). */
static void bench_start_ids(int n)
{
    Runtime__V1__VersionRequest vr = RUNTIME__V1__VERSION_REQUEST__INIT;
    protobuf_c_message_free_unpacked(
        call(RT "Version", &vr.base, &runtime__v1__version_response__descriptor), NULL);
    int ifd = inotify_init1(IN_CLOEXEC);
    if (ifd < 0) {
        perror("inotify_init1");
        exit(1);
    }
    char id[256], path[4096], dir[4096];
    for (int i = 0; i < n && scanf("%255s %4095s", id, path) == 2; i++) {
        snprintf(dir, sizeof(dir), "%s", path);
        int wd = inotify_add_watch(ifd, dirname(dir), IN_MODIFY);
        if (wd < 0) {
            perror(dir);
            exit(1);
        }
        Runtime__V1__StartContainerRequest sr = RUNTIME__V1__START_CONTAINER_REQUEST__INIT;
        sr.container_id = id;
        struct timespec called;
        clock_gettime(CLOCK_REALTIME, &called);
        long t0 = now_ns();
        protobuf_c_message_free_unpacked(
            call(RT "StartContainer", &sr.base, &runtime__v1__start_container_response__descriptor),
            NULL);
        long t1 = now_ns();
        wait_not_empty(ifd, path);
        long t2 = now_ns();
        long written = log_stamp_ns(path) - (called.tv_sec * 1000000000L + called.tv_nsec);
        inotify_rm_watch(ifd, wd);
        printf("%.1f %.1f %.1f\n", (t1 - t0) / 1e3, (t2 - t0) / 1e3, written / 1e3);
        fflush(stdout);
    }
    close(ifd);
}

int main(int argc, char **argv)
{
    if (argc != 6 && !(argc == 7 && strcmp(argv[4], "idle") == 0)) {
        fprintf(stderr,
                "usage: %s SOCKET IMAGE LOGDIR start|podnet|idle|lists|poll|startid N [P]\n",
                argv[0]);
        return 2;
    }
    grpc_init();
    char target[600];
    snprintf(target, sizeof(target), "unix:%s", argv[1]);
    grpc_channel_credentials *creds = grpc_insecure_credentials_create();
    /* kubelet's CRI client takes replies of up to 16 MiB (gRPC's default is 4 MiB:
     * ListContainers is over it from ~12,000 containers) */
    grpc_arg max_recv = {.type = GRPC_ARG_INTEGER,
                         .key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH,
                         .value.integer = 16 << 20};
    grpc_channel_args args = {.num_args = 1, .args = &max_recv};
    ch = grpc_channel_create(target, creds, &args);
    grpc_channel_credentials_release(creds);
    cq = grpc_completion_queue_create_for_pluck(NULL);
    int n = atoi(argv[5]);
    if (strcmp(argv[4], "podnet") == 0)
        pod_network = RUNTIME__V1__NAMESPACE_MODE__POD;
    if (strcmp(argv[4], "start") == 0 || strcmp(argv[4], "podnet") == 0)
        bench_start(argv[2], argv[3], n);
    else if (strcmp(argv[4], "lists") == 0)
        bench_lists(n);
    else if (strcmp(argv[4], "poll") == 0)
        bench_poll(argv[2], argv[3], n);
    else if (strcmp(argv[4], "startid") == 0)
        bench_start_ids(n);
    else
        bench_idle(argv[2], argv[3], n, argc == 7 && atoi(argv[6]) > 0 ? atoi(argv[6]) : 1);
    grpc_completion_queue_shutdown(cq);
    grpc_completion_queue_destroy(cq);
    grpc_channel_destroy(ch);
    grpc_shutdown();
    return 0;
}
