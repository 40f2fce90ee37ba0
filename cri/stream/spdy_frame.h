/* SPDY/3.1 framing, the part of the protocol that kubelet and client-go still speak
 * for exec, attach and port forward (their spdystream library): frame headers,
 * the control frames a server needs, and header blocks (name/value pairs,
 * zlib-compressed with the spec's dictionary in one stream per direction).
 * There is no maintained C library for it; this one is small and fuzzed
 * (fuzz/fuzz_spdy.c). It parses from caller-owned buffers and allocates only in
 * the header codec.
 */
#ifndef WASMCRI_CRI_SPDY_FRAME_H
#define WASMCRI_CRI_SPDY_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "error.h"

#define SPDY_VERSION 3
#define SPDY_HEADER_LEN 8
#define SPDY_MAX_FRAME (1024 * 1024) /* payload bytes a peer may send in one frame */
#define SPDY_MAX_HEADERS (64 * 1024) /* a header block's size once inflated */
#define SPDY_DICT_LEN 1423

enum spdy_type {
    SPDY_SYN_STREAM = 1,
    SPDY_SYN_REPLY = 2,
    SPDY_RST_STREAM = 3,
    SPDY_SETTINGS = 4,
    SPDY_PING = 6,
    SPDY_GOAWAY = 7,
    SPDY_HEADERS = 8,
    SPDY_WINDOW_UPDATE = 9,
};

#define SPDY_FLAG_FIN 0x01
#define SPDY_FLAG_UNIDIRECTIONAL 0x02

typedef struct spdy_frame {
    bool control;
    uint16_t type; /* control frames */
    uint8_t flags;
    uint32_t stream_id; /* data frames; SYN_STREAM, SYN_REPLY, RST_STREAM, HEADERS,
                         * WINDOW_UPDATE; GOAWAY's last good stream */
    uint32_t value;     /* RST_STREAM's and GOAWAY's status, PING's id, WINDOW_UPDATE's delta */
    const unsigned char *data; /* data frames: the payload; SYN_STREAM, SYN_REPLY and
                                * HEADERS: the compressed header block */
    size_t len;
} spdy_frame;

/* One frame from buf[0..n): the bytes it takes (> 0), 0 when buf holds only part of
 * it, or -EPROTO with err saying what is wrong. f points into buf. */
int spdy_parse(const unsigned char *buf, size_t n, spdy_frame *f, wc_error *err);

/* The spec's dictionary (SPDY/3 section 2.6.10.1), SPDY_DICT_LEN bytes. */
const unsigned char *spdy_dictionary(void);

/* ---- header blocks ---- */

typedef struct spdy_zlib {
    z_stream in, out;
    bool in_ready, out_ready;
} spdy_zlib;

void spdy_zlib_end(spdy_zlib *z);

/* Called for each name/value pair of a block (not NUL-terminated); < 0 stops. */
typedef int (*spdy_header_fn)(void *ctx, const char *name, size_t name_len, const char *value,
                              size_t value_len);

/* Inflates a compressed block (the connection's stream, z->in) and calls fn per pair. */
int spdy_headers_decode(spdy_zlib *z, const unsigned char *block, size_t n, spdy_header_fn fn,
                        void *ctx, wc_error *err);

/* A compressed block of n name/value pairs (kv: name0, value0, name1, ...) with the
 * connection's z->out; *ret malloc'd. */
int spdy_headers_encode(spdy_zlib *z, const char *const *kv, size_t n, unsigned char **ret,
                        size_t *ret_len, wc_error *err);

/* ---- writing frames (into out, which holds SPDY_HEADER_LEN + the payload) ---- */

void spdy_put_control(unsigned char *out, uint16_t type, uint8_t flags, uint32_t len);
void spdy_put_data(unsigned char *out, uint32_t stream_id, uint8_t flags, uint32_t len);
void spdy_put32(unsigned char *out, uint32_t v);

#endif
