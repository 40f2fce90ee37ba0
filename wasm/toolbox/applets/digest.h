/* digest.h: the driver md5sum and sha256sum share ("HASH  NAME" lines, -c to check a list)
 * and the two hash functions, written here because wasi-libc has no crypto and Debian ships
 * no OpenSSL for wasm32 (checked against RFC 1321 / FIPS 180-2 vectors in the tests). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef struct tb_hash {
    const char *applet;
    size_t size; /* digest bytes */
    void (*init)(void *ctx);
    void (*update)(void *ctx, const void *data, size_t len);
    void (*final)(void *ctx, uint8_t *digest);
} tb_hash;

/* The context both hashes fit in. */
typedef struct tb_hash_ctx {
    uint32_t state[8];
    uint64_t length;
    uint8_t block[64];
    size_t used;
} tb_hash_ctx;

int tb_digest_main(const tb_hash *h, tb_io *io, int argc, char **argv);
/* Feeds LEN bytes to a 64-byte-block hash whose compression function is COMPRESS. */
void tb_hash_blocks(tb_hash_ctx *c, const void *data, size_t len,
                    void (*compress)(uint32_t state[8], const uint8_t block[64]));
/* Pads the last block: 0x80, zeros, the bit length (big- or little-endian). */
void tb_hash_pad(tb_hash_ctx *c, bool big_endian,
                 void (*compress)(uint32_t state[8], const uint8_t block[64]));
