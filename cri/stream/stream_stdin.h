/* The client's stdin on its way to a guest's pipe (an exec's, or a container's for attach),
 * and the client's terminal size from the resize channel. */
#ifndef WASMCRI_CRI_STREAM_STDIN_H
#define WASMCRI_CRI_STREAM_STDIN_H

#include <stdbool.h>
#include <stddef.h>

#include "stream_backlog.h"

#define STDIN_MAX (1024 * 1024) /* client bytes the guest has not read yet */

/* What the client sent that the pipe has not taken yet (stream_backlog.h). */
typedef struct stdin_pump {
    int fd; /* the pipe's write end (non-blocking; the pump's), -1 without one or once closed */
    stream_backlog q;
    bool eof; /* the client closed stdin */
} stdin_pump;

/* Queues n bytes; -1 past STDIN_MAX (a client that ignores the backpressure) or on ENOMEM. */
int stdin_pump_add(stdin_pump *p, const unsigned char *buf, size_t n);

bool stdin_pump_backlog(const stdin_pump *p);

/* Writes what the pipe takes. Once the client's end has all gone in, the pipe is closed
 * (the guest reads EOF when no one else holds it): true then, once. A pipe the guest closed
 * drops the backlog. */
bool stdin_pump_feed(stdin_pump *p);

void stdin_pump_free(stdin_pump *p); /* closes the pipe */

/* A resize message ({"Width":W,"Height":H}); false when it is none or the size is absurd. */
bool stream_parse_resize(const unsigned char *buf, size_t n, unsigned *ret_cols,
                         unsigned *ret_rows);

#endif
