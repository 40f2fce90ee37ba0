/* wasi_run: the test harness that runs a WASI command the way the container runtime will, with
 * the options `wasmcri run` does not expose:
 *   wasi_run [--dir HOST[:GUEST][:ro]]... [--env K=V]... [--log FILE] [--stdin FILE] [--listen]
 *            FILE.wasm [ARGS...]
 * --log writes stdout/stderr as a CRI log; --rotate MS renames it to FILE.N and reopens it every
 * MS milliseconds while the command runs (kubelet's rotation + ReopenContainerLog) and prints
 * "rotations: N" on stderr at the end; --listen preopens a listening TCP socket (at fd 3, before
 * the mounts, as socket activation places it) and connects to it from a thread that sends "hello
 * wasi\n" and prints the answer on stderr. Exits with the command's exit code; a trap prints "trap:
 * MESSAGE" on stderr. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"

static int read_file(const char *path, uint8_t **ret, size_t *ret_len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    struct stat st;
    fstat(fileno(f), &st);
    uint8_t *buf = malloc((size_t)st.st_size + 1);
    size_t n = fread(buf, 1, (size_t)st.st_size, f);
    fclose(f);
    *ret = buf;
    *ret_len = n;
    return 0;
}

static struct sockaddr_in listen_addr;

typedef struct rotator {
    cri_log *log;
    const char *path;
    int interval_ms;
    atomic_bool stop;
    int rotations;
} rotator;

static void *rotate(void *arg)
{
    rotator *r = arg;
    while (!atomic_load(&r->stop)) {
        usleep((useconds_t)r->interval_ms * 1000);
        char to[4096];
        snprintf(to, sizeof(to), "%s.%d", r->path, r->rotations);
        wc_error err = {0};
        if (rename(r->path, to) < 0 || cri_log_reopen(r->log, &err) < 0) {
            fprintf(stderr, "rotate: %s\n", err.msg[0] ? err.msg : "rename failed");
            return NULL;
        }
        r->rotations++;
    }
    return NULL;
}

static void *client(void *arg)
{
    (void)arg;
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connect(s, (struct sockaddr *)&listen_addr, sizeof(listen_addr)) < 0) {
        perror("client connect");
        return NULL;
    }
    send(s, "hello wasi\n", 11, 0);
    char buf[256] = {0};
    size_t got = 0;
    ssize_t n;
    while (got < sizeof(buf) - 1 && (n = recv(s, buf + got, sizeof(buf) - 1 - got, 0)) > 0)
        got += (size_t)n;
    fprintf(stderr, "client got: %s", buf);
    close(s);
    return NULL;
}

static int make_listener(void)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    listen_addr =
        (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(listen_addr);
    if (bind(s, (struct sockaddr *)&listen_addr, len) < 0 || listen(s, 4) < 0 ||
        getsockname(s, (struct sockaddr *)&listen_addr, &len) < 0)
        return -1;
    return s;
}

int main(int argc, char **argv)
{
    wasi_mounts mounts = {0};
    const char *env[64] = {0};
    size_t nenv = 0;
    const char *log_path = NULL, *stdin_path = NULL;
    int rotate_ms = 0;
    bool listen_sock = false;
    wc_error err = {0};
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--listen") == 0) {
            listen_sock = true;
            continue;
        }
        if (i + 1 >= argc)
            break;
        const char *v = argv[++i];
        if (strcmp(argv[i - 1], "--dir") == 0 && wasi_mounts_add_spec(&mounts, v, &err) < 0) {
            fprintf(stderr, "wasi_run: %s\n", err.msg);
            return 2;
        } else if (strcmp(argv[i - 1], "--env") == 0 && nenv < 63) {
            env[nenv++] = v;
        } else if (strcmp(argv[i - 1], "--log") == 0) {
            log_path = v;
        } else if (strcmp(argv[i - 1], "--rotate") == 0) {
            rotate_ms = atoi(v);
        } else if (strcmp(argv[i - 1], "--stdin") == 0) {
            stdin_path = v;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "usage: wasi_run [--dir H[:G][:ro]] [--env K=V] [--log F [--rotate MS]] "
                        "[--stdin F] [--listen] FILE.wasm [ARGS]\n");
        return 2;
    }
    uint8_t *bytes;
    size_t len;
    if (read_file(argv[i], &bytes, &len) < 0) {
        perror(argv[i]);
        return 2;
    }
    wasm_module *module;
    if (wasm_module_load(bytes, len, NULL, &module, &err) < 0) {
        fprintf(stderr, "wasi_run: %s: %s\n", argv[i], err.msg);
        return 2;
    }
    free(bytes);
    cri_log *log = NULL;
    if (log_path != NULL && cri_log_open(log_path, &log, &err) < 0) {
        fprintf(stderr, "wasi_run: %s\n", err.msg);
        return 2;
    }
    int stdin_fd = stdin_path != NULL ? open(stdin_path, O_RDONLY | O_CLOEXEC) : 0;
    int sock = listen_sock ? make_listener() : -1;
    pthread_t thread, rotator_thread;
    if (listen_sock)
        pthread_create(&thread, NULL, client, NULL);
    rotator rot = {.log = log, .path = log_path, .interval_ms = rotate_ms};
    if (log != NULL && rotate_ms > 0)
        pthread_create(&rotator_thread, NULL, rotate, &rot);
    wasi_options opts = {.argv = (const char *const *)argv + i,
                         .argc = (size_t)(argc - i),
                         .env = env,
                         .mounts = &mounts,
                         .stdin_fd = stdin_fd,
                         .stdout_fd = 1,
                         .stderr_fd = 2,
                         .log = log,
                         .socket_fds = &sock,
                         .socket_count = listen_sock ? 1 : 0};
    wasi_command_result res;
    int r = wasi_command_run(module, &opts, NULL, &res, &err);
    if (listen_sock) {
        pthread_join(thread, NULL);
        close(sock);
    }
    if (log != NULL && rotate_ms > 0) {
        atomic_store(&rot.stop, true);
        pthread_join(rotator_thread, NULL);
        fprintf(stderr, "rotations: %d\n", rot.rotations);
    }
    cri_log_close(log);
    wasm_module_free(module);
    wasi_mounts_clear(&mounts);
    if (r < 0) {
        fprintf(stderr, "wasi_run: %s\n", err.msg);
        return 2;
    }
    if (res.message[0] != '\0')
        fprintf(stderr, "trap: %s\n", res.message);
    return res.exit_code;
}
