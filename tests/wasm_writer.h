/* A growable byte buffer and the few encoders that write a WebAssembly binary by hand (LEB128,
 * sections), for the test and benchmark programs that build modules (test_engine_hostile.c,
 * bench/gen_module.c). Out of memory ends the program: these are tests. */
#ifndef WASMCRI_TESTS_WASM_WRITER_H
#define WASMCRI_TESTS_WASM_WRITER_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct wbuf {
    uint8_t *p;
    size_t n, cap;
} wbuf;

static inline void wb_put(wbuf *b, const void *data, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = realloc(b->p, b->cap);
        if (b->p == NULL) {
            perror("wasm_writer");
            exit(1);
        }
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
}

static inline void wb_byte(wbuf *b, uint8_t v)
{
    wb_put(b, &v, 1);
}

static inline void wb_uleb(wbuf *b, uint64_t v)
{
    do {
        uint8_t c = v & 0x7f;
        v >>= 7;
        wb_byte(b, (uint8_t)(c | (v ? 0x80 : 0)));
    } while (v);
}

static inline void wb_sleb(wbuf *b, int64_t v)
{
    for (;;) {
        uint8_t c = v & 0x7f;
        v >>= 7;
        if ((v == 0 && !(c & 0x40)) || (v == -1 && (c & 0x40))) {
            wb_byte(b, c);
            return;
        }
        wb_byte(b, c | 0x80);
    }
}

/* Appends section id with content's bytes, and empties content for the next one. */
static inline void wb_section(wbuf *out, uint8_t id, wbuf *content)
{
    wb_byte(out, id);
    wb_uleb(out, content->n);
    wb_put(out, content->p, content->n);
    content->n = 0;
}

#endif
