/* WASI clocks and poll_oneoff.
 *
 * clock_res_get / clock_time_get map the four WASI clocks onto clock_getres / clock_gettime.
 * poll_oneoff turns fd subscriptions into one poll(2) and clock subscriptions into its timeout
 * (the earliest deadline, relative or absolute on that clock). A CRI-log stdout/stderr is always
 * writable and a regular file always ready, so they never make poll wait. When poll returns, every
 * ready fd and every expired clock produces an event. The wasi_unstable subscription layout has an
 * extra 8-byte identifier in the clock record; `legacy` shifts the offsets.
 */
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "wasi_impl.h"

#define MAX_SUBS 4096

static int host_clock(uint32_t id, clockid_t *ret)
{
    static const clockid_t map[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                                    CLOCK_THREAD_CPUTIME_ID};
    if (id > 3)
        return -1;
    *ret = map[id];
    return 0;
}

static uint64_t now_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

wasi_errno wasi_clock_res_get(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    (void)c;
    clockid_t id;
    struct timespec ts;
    if (host_clock((uint32_t)a[0], &id) < 0)
        return WASI_EINVAL;
    if (clock_getres(id, &ts) < 0)
        return wasi_errno_from_host(errno);
    uint64_t ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    return mem_store_u64(m, (uint32_t)a[1], ns) ? WASI_ESUCCESS : WASI_EFAULT;
}

wasi_errno wasi_clock_time_get(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    (void)c;
    clockid_t id;
    if (host_clock((uint32_t)a[0], &id) < 0)
        return WASI_EINVAL;
    return mem_store_u64(m, (uint32_t)a[2], now_ns(id)) ? WASI_ESUCCESS : WASI_EFAULT;
}

typedef struct sub {
    uint64_t userdata;
    uint8_t tag;
    wasi_errno error; /* set when the subscription fails at once (bad fd, bad clock) */
    clockid_t clock;
    uint64_t deadline; /* clocks: absolute, on `clock` */
    int pollfd;        /* fds: index into the pollfd array, -1 if always ready */
    wasi_fd *fd;
} sub;

static wasi_errno parse_sub(wasi_ctx *c, const uint8_t *raw, bool legacy, sub *s)
{
    memcpy(&s->userdata, raw, 8);
    s->tag = raw[8];
    s->pollfd = -1;
    s->error = WASI_ESUCCESS;
    if (s->tag == WASI_EVENT_CLOCK) {
        size_t o = legacy ? 24 : 16; /* unstable: identifier u64 @16, then the preview1 fields */
        uint32_t id;
        uint64_t timeout;
        uint16_t flags;
        memcpy(&id, raw + o, 4);
        memcpy(&timeout, raw + o + 8, 8);
        memcpy(&flags, raw + o + 24, 2);
        if (host_clock(id, &s->clock) < 0) {
            s->error = WASI_EINVAL;
            return WASI_ESUCCESS;
        }
        uint64_t now = now_ns(s->clock);
        s->deadline = (flags & WASI_SUBCLOCK_ABSTIME) ? timeout
                      : timeout > UINT64_MAX - now    ? UINT64_MAX
                                                      : now + timeout;
        return WASI_ESUCCESS;
    }
    if (s->tag != WASI_EVENT_FD_READ && s->tag != WASI_EVENT_FD_WRITE)
        return WASI_EINVAL;
    uint32_t fd;
    memcpy(&fd, raw + 16, 4);
    s->error = fdt_get(c, fd, WASI_RIGHT_POLL_FD_READWRITE, &s->fd);
    return WASI_ESUCCESS;
}

static int poll_timeout_ms(const sub *subs, uint32_t n)
{
    int64_t best = -1;
    for (uint32_t i = 0; i < n; i++) {
        if (subs[i].tag != WASI_EVENT_CLOCK || subs[i].error != WASI_ESUCCESS)
            continue;
        uint64_t now = now_ns(subs[i].clock);
        int64_t ms =
            subs[i].deadline <= now ? 0 : (int64_t)((subs[i].deadline - now + 999999) / 1000000);
        if (ms > INT_MAX)
            ms = INT_MAX;
        if (best < 0 || ms < best)
            best = ms;
    }
    return (int)best;
}

static void store_event(const wasi_mem *m, uint32_t out, const sub *s, wasi_errno err,
                        uint64_t nbytes, uint16_t flags)
{
    uint8_t ev[WASI_EVENT_SIZE] = {0};
    memcpy(ev, &s->userdata, 8);
    memcpy(ev + 8, &err, 2);
    ev[10] = s->tag;
    memcpy(ev + 16, &nbytes, 8);
    memcpy(ev + 24, &flags, 2);
    memcpy(mem_at(m, out, WASI_EVENT_SIZE), ev, WASI_EVENT_SIZE);
}

/* Events for whatever is ready now; returns how many were written. */
static uint32_t collect(const wasi_mem *m, uint32_t out, sub *subs, uint32_t n, struct pollfd *pfds)
{
    uint32_t count = 0;
    for (uint32_t i = 0; i < n; i++) {
        sub *s = &subs[i];
        uint32_t at = out + count * WASI_EVENT_SIZE;
        if (s->error != WASI_ESUCCESS) {
            store_event(m, at, s, s->error, 0, 0);
            count++;
        } else if (s->tag == WASI_EVENT_CLOCK) {
            if (now_ns(s->clock) >= s->deadline) {
                store_event(m, at, s, WASI_ESUCCESS, 0, 0);
                count++;
            }
        } else if (s->pollfd < 0) {
            store_event(m, at, s, WASI_ESUCCESS, 0, 0);
            count++;
        } else if (pfds[s->pollfd].revents != 0) {
            short rev = pfds[s->pollfd].revents;
            int avail = 0;
            if (s->tag == WASI_EVENT_FD_READ && ioctl(s->fd->host, FIONREAD, &avail) < 0)
                avail = 0;
            wasi_errno err = (rev & POLLNVAL) ? WASI_EBADF : WASI_ESUCCESS;
            store_event(m, at, s, err, (uint64_t)avail,
                        (rev & POLLHUP) ? WASI_EVENT_FD_READWRITE_HANGUP : 0);
            count++;
        }
    }
    return count;
}

static wasi_errno poll_oneoff(wasi_ctx *c, wasi_mem *m, const uint64_t *a, bool legacy)
{
    uint32_t in = (uint32_t)a[0], out = (uint32_t)a[1], n = (uint32_t)a[2];
    size_t sub_size = legacy ? 56 : WASI_SUBSCRIPTION_SIZE;
    if (n == 0 || n > MAX_SUBS)
        return WASI_EINVAL;
    const uint8_t *raw = mem_at(m, in, (uint64_t)n * sub_size);
    if (raw == NULL || mem_at(m, out, (uint64_t)n * WASI_EVENT_SIZE) == NULL ||
        mem_at(m, (uint32_t)a[3], 4) == NULL)
        return WASI_EFAULT;
    sub *subs = calloc(n, sizeof(*subs));
    struct pollfd *pfds = calloc(n, sizeof(*pfds));
    wasi_errno r = subs == NULL || pfds == NULL ? WASI_ENOMEM : WASI_ESUCCESS;
    nfds_t npfd = 0;
    bool ready_now = false;
    for (uint32_t i = 0; i < n && r == WASI_ESUCCESS; i++) {
        r = parse_sub(c, raw + i * sub_size, legacy, &subs[i]);
        sub *s = &subs[i];
        if (r != WASI_ESUCCESS || s->error != WASI_ESUCCESS) {
            ready_now = ready_now || s->error != WASI_ESUCCESS;
            continue;
        }
        if (s->tag == WASI_EVENT_CLOCK)
            continue;
        if (s->fd->kind == WASI_FD_LOG || s->fd->filetype == WASI_FILETYPE_REGULAR_FILE ||
            s->fd->kind == WASI_FD_DIR) {
            ready_now = true;
            continue;
        }
        s->pollfd = (int)npfd;
        pfds[npfd++] = (struct pollfd){.fd = s->fd->host,
                                       .events = s->tag == WASI_EVENT_FD_READ ? POLLIN : POLLOUT};
    }
    uint32_t count = 0;
    while (r == WASI_ESUCCESS && count == 0) { /* poll may wake a little early: go again */
        int pr = poll(pfds, npfd, ready_now ? 0 : poll_timeout_ms(subs, n));
        if (pr < 0 && errno != EINTR)
            r = wasi_errno_from_host(errno);
        else if (pr >= 0)
            count = collect(m, out, subs, n, pfds);
    }
    if (r == WASI_ESUCCESS)
        mem_store_u32(m, (uint32_t)a[3], count);
    free(subs);
    free(pfds);
    return r;
}

wasi_errno wasi_poll_oneoff(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return poll_oneoff(c, m, a, false);
}
wasi_errno wasi_unstable_poll_oneoff(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return poll_oneoff(c, m, a, true);
}
