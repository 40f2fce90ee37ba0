/* SPDY/3.1 connections of the streaming server (framing in spdy_frame.h): the
 * client opens a stream per channel (SYN_STREAM with a "streamtype" header:
 * error, stdin, stdout, stderr, resize; a port forward's "data" and "error" with
 * "port" and "requestid"), the server answers each with a SYN_REPLY and then sends
 * and receives data frames on them; FIN closes a direction.
 * The client (spdystream) does no flow control, so neither does this side.
 */
#ifndef WASMCRI_CRI_STREAM_SPDY_H
#define WASMCRI_CRI_STREAM_SPDY_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "stream_conn.h"

/* need: a mask of the channels (1 << CH_*) the session needs before it starts
 * (conn->ready). port_forward: the streams are "data"/"error" pairs of a "requestid",
 * announced through sink.open with their "port" as channels 2k and 2k+1 (k: the pair's
 * slot, reused once both streams are closed both ways); need is then 0. */
int spdy_conn_new(int sock, const char *extra, size_t extra_n, unsigned need, bool port_forward,
                  stream_conn **ret, wc_error *err);

#endif
