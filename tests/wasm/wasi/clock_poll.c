/* Clocks and poll_oneoff through wasi-libc: clock_getres, clock_gettime (monotonic never goes
 * back), nanosleep and clock_nanosleep wait at least as long as asked, poll() with a timeout and
 * on stdin. Prints only facts that hold everywhere. */
#include <poll.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static long long ns(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(void)
{
    struct timespec res;
    printf("getres monotonic: %s\n",
           clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 ? "ok" : "bad");
    printf("realtime after 2020: %s\n",
           ns(CLOCK_REALTIME) > 1577836800LL * 1000000000LL ? "yes" : "no");
    long long prev = ns(CLOCK_MONOTONIC), back = 0;
    for (int i = 0; i < 1000; i++) {
        long long now = ns(CLOCK_MONOTONIC);
        back += now < prev;
        prev = now;
    }
    printf("monotonic went back: %lld\n", back);
    long long t0 = ns(CLOCK_MONOTONIC);
    nanosleep(&(struct timespec){.tv_nsec = 20000000}, NULL);
    printf("nanosleep 20ms: %s\n", ns(CLOCK_MONOTONIC) - t0 >= 20000000 ? "ok" : "short");
    t0 = ns(CLOCK_MONOTONIC);
    poll(NULL, 0, 15);
    printf("poll 15ms: %s\n", ns(CLOCK_MONOTONIC) - t0 >= 15000000 ? "ok" : "short");
    struct pollfd p = {.fd = 0, .events = POLLIN};
    int r = poll(&p, 1, 5000);
    printf("poll stdin: %d %s\n", r, (p.revents & (POLLIN | POLLHUP)) ? "readable" : "not ready");
    struct pollfd o = {.fd = 1, .events = POLLOUT};
    r = poll(&o, 1, 5000);
    printf("poll stdout: %d %s\n", r, (o.revents & POLLOUT) ? "writable" : "not ready");
    return 0;
}
