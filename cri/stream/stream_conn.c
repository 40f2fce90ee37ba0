/* What every session does with a connection at its end (stream_conn.h). */
#include "stream_conn.h"

#include <poll.h>
#include <stdint.h>
#include <time.h>

#define DRAIN_MS 5000            /* to hand the last bytes and the status over */
#define STREAM_CREATION_MS 30000 /* a SPDY client opens its streams within it */

int64_t stream_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int stream_await_ready(stream_conn *c, bool (*more)(void *ctx), void *ctx, int more_ms,
                       wc_error *err)
{
    int64_t deadline = stream_now_ms() + STREAM_CREATION_MS;
    TRY(c->ops->read(c, err)); /* what came with the upgrade */
    bool waited_more = false;
    for (;;) {
        if (c->ready && (more == NULL || !more(ctx)))
            return 0;
        if (c->ready && !waited_more) { /* once, then the session starts regardless */
            waited_more = true;
            deadline = stream_now_ms() + more_ms;
        }
        int left = (int)(deadline - stream_now_ms());
        if (left <= 0 && c->ready)
            return 0;
        if (left <= 0)
            return wc_error_set(err, -ETIMEDOUT, "the client did not open its streams in time");
        struct pollfd pf = {.fd = c->sock,
                            .events = POLLIN | (c->ops->want_write(c) ? POLLOUT : 0)};
        if (poll(&pf, 1, left) <= 0)
            continue;
        if (pf.revents & POLLOUT)
            TRY(c->ops->flush(c, err));
        if (pf.revents & ~POLLOUT)
            TRY(c->ops->read(c, err));
    }
}

void stream_drain(stream_conn *c)
{
    wc_error err = {0};
    int64_t deadline = stream_now_ms() + DRAIN_MS;
    while (c->ops->want_write(c)) {
        int left = (int)(deadline - stream_now_ms());
        struct pollfd pf = {.fd = c->sock, .events = POLLOUT};
        if (left <= 0 || poll(&pf, 1, left) <= 0 || c->ops->flush(c, &err) < 0)
            return;
    }
}
