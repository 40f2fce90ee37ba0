/* What every session does with a connection at its end (stream_conn.h). */
#include "stream_conn.h"

#include <poll.h>
#include <stdint.h>
#include <time.h>

#define DRAIN_MS 5000 /* to hand the last bytes and the status over */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void stream_drain(stream_conn *c)
{
    wc_error err = {0};
    int64_t deadline = now_ms() + DRAIN_MS;
    while (c->ops->want_write(c)) {
        int left = (int)(deadline - now_ms());
        struct pollfd pf = {.fd = c->sock, .events = POLLOUT};
        if (left <= 0 || poll(&pf, 1, left) <= 0 || c->ops->flush(c, &err) < 0)
            return;
    }
}
