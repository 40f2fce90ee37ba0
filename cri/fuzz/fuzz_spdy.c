/* libFuzzer target for the SPDY/3.1 side of the streaming server (stream/stream_spdy.c over
 * stream/spdy_frame.c): the input is what a client sends after the upgrade; a connection
 * reads it all (frames, header blocks through one zlib stream, the stream table, pings
 * answered), then answers on every channel and ends as a session does. Must never crash,
 * leak, hang or read out of bounds. Build: cmake -DWASMCRI_FUZZ=ON with CC=clang; run:
 * hack/fuzz.sh, or fuzz_spdy -max_total_time=600 CORPUS. */
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "stream_spdy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_data(void *ctx, int ch, const unsigned char *buf, size_t n)
{
    size_t *seen = ctx;
    *seen += (size_t)ch + (n ? buf[n - 1] : 0); /* touches every byte's edge */
    return 0;
}

static int on_open(void *ctx, int ch, int port)
{
    size_t *seen = ctx;
    *seen += (size_t)ch + (size_t)port;
    return 0;
}

static void on_eof(void *ctx, int ch)
{
    size_t *seen = ctx;
    *seen += (size_t)ch;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        return 0;
    close(sv[1]); /* the input is all the client sends: then EOF */
    size_t seen = 0;
    stream_conn *c = NULL;
    wc_error err = {0};
    /* the first byte picks the mode: remotecommand (stdin and error needed) or port forward */
    bool pf = size > 0 && (data[0] & 1);
    if (spdy_conn_new(sv[0], (const char *)data, size, pf ? 0 : 1u << CH_ERROR | 1u << CH_STDIN, pf,
                      &c, &err) == 0) {
        c->sink = (stream_sink){.ctx = &seen, .data = on_data, .eof = on_eof, .open = on_open};
        while (c->ops->read(c, &err) == 0)
            ;
        for (int ch = 0; ch < 64; ch++) {
            c->ops->send(c, ch, "out", 3, &err);
            c->ops->close_channel(c, ch, &err);
        }
        c->ops->finish(c);
        c->ops->flush(c, &err); /* the peer is gone: an error, never a signal */
        c->ops->free(c);
    }
    close(sv[0]);
    return seen == (size_t)-1;
}
