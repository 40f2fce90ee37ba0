/* A byte queue for what a streaming client sent that its destination (a guest's stdin pipe, a
 * port-forwarded TCP connection) has not taken yet. The session stops reading its client while
 * there is a backlog, so a destination that does not read holds the client back (TCP) instead
 * of growing this; a client that sends past max anyway is cut off. */
#ifndef WASMCRI_CRI_STREAM_BACKLOG_H
#define WASMCRI_CRI_STREAM_BACKLOG_H

#include <stddef.h>

typedef struct stream_backlog {
    unsigned char *buf;
    size_t n, off; /* buf[off..n) is waiting */
} stream_backlog;

/* Queues n bytes; -1 past max bytes waiting, or on ENOMEM. */
int stream_backlog_add(stream_backlog *b, const unsigned char *buf, size_t n, size_t max);

size_t stream_backlog_len(const stream_backlog *b);

/* Sends what waits with send_fn (write(2)'s shape) until it takes no more: the bytes it took
 * are gone from the queue. 0, or the errno of a failing call (EAGAIN: try again later). */
int stream_backlog_send(stream_backlog *b, int fd,
                        long (*send_fn)(int fd, const void *buf, size_t n));

void stream_backlog_free(stream_backlog *b);

#endif
