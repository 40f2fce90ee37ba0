/* Robustness: every WASI call (from the WASI_PREVIEW1_CALLS list, the wasi_unstable variants
 * and the WasmEdge socket extension) is called many times with random arguments and a random
 * linear memory. Nothing may crash, hang, or touch a file outside the preopened sandbox; every
 * result must be a valid WASI errno (the extension's sock_getaddrinfo may also answer its EAI
 * ones). Run under ASan/UBSan in CI. poll_oneoff gets zero timeouts (a random clock could sleep
 * for centuries), sockets are made non-blocking after every call (a random accept or recv would
 * wait forever), and the test runs in a network namespace of its own whose lo is down, so
 * random connects and DNS queries fail at once and reach nobody (it needs root, as CI runs it);
 * the rest is fully random. Under ctest: ROUNDS rounds from a fixed seed. `test_wasi_fuzz
 * SECONDS [SEED]` (hack/fuzz.sh in CI) runs rounds for that long from SEED or the clock,
 * printed so that a failure can be replayed. */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../check.h"
#include "wasi_calls.h"

#define ROUNDS 3000

static uint8_t memory[1 << 16];
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Plausible more often than not: an fd near the preopens, a path slot, a short length, a
 * pointer anywhere in memory, or anything at all. */
static uint64_t rnd_arg(void)
{
    switch (rnd() % 6) {
    case 0:
        return rnd() % 6; /* fds 0..5: stdio and the two preopens */
    case 1:
        return (rnd() % 16) * 64; /* a path slot */
    case 2:
        return 1 + rnd() % 8; /* a short length */
    case 3:
        return rnd() % sizeof(memory); /* a pointer */
    case 4:
        return rnd() % 64;
    default:
        return rnd();
    }
}

static void fill_memory(void)
{
    for (size_t i = 1024; i < sizeof(memory); i += 8) {
        uint64_t v = rnd_arg();
        memcpy(memory + i, &v, 8);
    }
    /* path slots at 0, 64, ... 960 */
    static const char *names[] = {"a", "b/c", "..",     "../x",  "/etc",
                                  ".", "sub", "a/../a", "sub/f", "l"};
    for (int i = 0; i < 16; i++) {
        const char *n = names[rnd() % 10];
        memset(memory + i * 64, 0, 64);
        memcpy(memory + i * 64, n, strlen(n));
    }
}

typedef struct {
    const char *name;
    wasi_fn fn;
    int nparams;
} call;

#define ENTRY(name, params, nresults) {#name, wasi_##name, (int)sizeof(params) - 1},
static const call calls[] = {WASI_PREVIEW1_CALLS(ENTRY)};
#undef ENTRY
#define ENTRY(name) {"unstable " #name, wasi_unstable_##name, 4},
static const call unstable[] = {WASI_UNSTABLE_OVERRIDES(ENTRY)};
#undef ENTRY
#define ENTRY(name, fn, params, nresults) {"extension " #name, wasi_##fn, (int)sizeof(params) - 1},
static const call extension[] = {WASI_SOCKET_EXT_CALLS(ENTRY)};
#undef ENTRY

static void sockets_nonblocking(wasi_ctx *ctx)
{
    for (uint32_t i = 0; i < ctx->nfds; i++)
        if (ctx->fds[i].kind == WASI_FD_SOCKET)
            fcntl(ctx->fds[i].host, F_SETFL, fcntl(ctx->fds[i].host, F_GETFL) | O_NONBLOCK);
}

/* Every clock subscription poll_oneoff will read gets a zero relative timeout, and the first
 * subscription is a clock, so that fd subscriptions alone (a UDP socket never readable) cannot
 * make it wait either. Offsets are the call's own: the subscription array at the low 32 bits of
 * a[0] (as poll_oneoff reads it; a 64-bit a[0] once left random timeouts in place and CI slept in
 * poll for 24 days), the tag at 8, the timeout at timeout_off and the flags 16 bytes after it. */
static void zero_poll_timeouts(uint64_t *a, size_t sub_size, size_t timeout_off)
{
    uint32_t n = (uint32_t)(a[2] % 8);
    a[2] = n;
    a[0] = (uint32_t)a[0];
    if (a[0] + 9 <= sizeof(memory))
        memory[a[0] + 8] = WASI_EVENT_CLOCK;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t at = a[0] + i * sub_size + timeout_off;
        if (at + 8 <= sizeof(memory))
            memset(memory + at, 0, 8);
        if (at + 18 <= sizeof(memory)) /* flags: relative */
            memset(memory + at + 16, 0, 2);
    }
}

int main(int argc, char **argv)
{
    long seconds = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
    if (argc > 2)
        rng_state = strtoull(argv[2], NULL, 0);
    else if (seconds > 0)
        rng_state = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ull;
    rng_state |= 1; /* xorshift never leaves 0 */
    fprintf(stderr, "fuzz: seed %#llx\n", (unsigned long long)rng_state);
    time_t deadline = time(NULL) + seconds;
    if (unshare(CLONE_NEWNET) < 0) {
        perror("unshare(CLONE_NEWNET): the fuzz test needs root");
        return 1;
    }
    char root[] = "/tmp/wasmcri-fuzz-XXXXXX", sandbox[64], outside[64];
    if (mkdtemp(root) == NULL)
        return 1;
    snprintf(sandbox, sizeof(sandbox), "%s/sandbox", root);
    snprintf(outside, sizeof(outside), "%s/outside", root);
    mkdir(sandbox, 0755);
    mkdir(outside, 0755);
    wasi_mounts mounts = {0};
    wc_error err = {0};
    wasi_mounts_add(&mounts, sandbox, "/", false, &err);
    wasi_mounts_add(&mounts, sandbox, "/ro", true, &err);
    const char *guest_argv[] = {"fuzz"};
    wasi_options o = {.argv = guest_argv,
                      .argc = 1,
                      .mounts = &mounts,
                      .stdin_fd = -1,
                      .stdout_fd = -1,
                      .stderr_fd = -1};
    wasi_ctx *ctx = NULL;
    wasi_mem mem = {memory, sizeof(memory)};
    int bad_errno = 0, ok_calls = 0;
    size_t ncalls = sizeof(calls) / sizeof(calls[0]), nun = sizeof(unstable) / sizeof(unstable[0]);
    size_t next = sizeof(extension) / sizeof(extension[0]);
    int round = 0;
    for (; seconds > 0 ? time(NULL) < deadline : round < ROUNDS; round++) {
        if (round % 8 ==
            0) { /* a fresh fd table now and then: random fd_close/renumber wear it down */
            wasi_ctx_destroy(ctx);
            CHECK_EQ_INT(wasi_ctx_create(&o, &ctx, &err), 0);
        }
        fill_memory();
        for (size_t i = 0; i < ncalls + nun + next; i++) {
            const call *c = i < ncalls         ? &calls[i]
                            : i < ncalls + nun ? &unstable[i - ncalls]
                                               : &extension[i - ncalls - nun];
            if (strcmp(c->name, "proc_exit") == 0)
                continue;
            uint64_t a[10];
            for (int k = 0; k < 10; k++)
                a[k] = rnd_arg();
            if (strcmp(c->name, "poll_oneoff") == 0)
                zero_poll_timeouts(a, 48, 24);
            else if (strcmp(c->name, "unstable poll_oneoff") == 0)
                zero_poll_timeouts(a, 56, 32);
            else if (strcmp(c->name, "sched_yield") == 0 && round % 16 != 0)
                continue;
            wasi_errno e = c->fn(ctx, &mem, a);
            sockets_nonblocking(ctx);
            ok_calls += e == WASI_ESUCCESS;
            bool lookup = strcmp(c->name, "extension sock_getaddrinfo") == 0;
            if (e > (lookup ? WASI_EAI_SYSTEM : WASI_ENOTCAPABLE)) {
                bad_errno++;
                fprintf(stderr, "%s returned %u\n", c->name, e);
            }
        }
    }
    CHECK_EQ_INT(bad_errno, 0);
    CHECK(ok_calls > round);
    fprintf(stderr, "fuzz: %d rounds over %zu calls, %d successful calls\n", round,
            ncalls + nun + next, ok_calls);
    wasi_ctx_destroy(ctx);
    wasi_mounts_clear(&mounts);
    /* nothing was created next to the sandbox */
    char cmd[200];
    snprintf(cmd, sizeof(cmd),
             "test -z \"$(ls -A %s)\" && test \"$(echo $(ls -A %s))\" = \"outside sandbox\"",
             outside, root);
    CHECK(system(cmd) == 0);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
    if (check_failures == 0 && system(cmd) != 0)
        return 1;
    return CHECK_DONE();
}
