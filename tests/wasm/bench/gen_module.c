/* gen_module MIB OUT.wasm: writes a valid WASI command module of about MIB MiB for the start and
 * compile benchmarks (hack/bench/start_big.py, compile_speed): many functions of varied integer
 * code (loops, locals, loads and stores, branches; constants differ per function), a `_start`
 * that calls the first and the last of them, then writes "ready\n" to stdout with fd_write and
 * returns. Nothing of it is committed: the benchmark generates it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../wasm_writer.h"

enum { LGET = 0x20, LSET = 0x21, LTEE = 0x22, I32C = 0x41, ADD = 0x6a, SUB = 0x6b, MUL = 0x6c };
enum { XOR = 0x73, SHRU = 0x76, LOAD = 0x28, STORE = 0x36, BRIF = 0x0d, LOOP = 0x03, END = 0x0b };

/* One work function (a, b) -> i32 with locals 2 and 3; k varies its constants. */
static void work_body(wbuf *b, uint32_t k)
{
    wbuf f = {0};
    wb_uleb(&f, 1), wb_uleb(&f, 2), wb_byte(&f, 0x7f); /* 2 more i32 locals */
    wb_byte(&f, LGET), wb_uleb(&f, 0), wb_byte(&f, I32C), wb_sleb(&f, (int32_t)(k % 1000)),
        wb_byte(&f, ADD);
    wb_byte(&f, LSET), wb_uleb(&f, 2);
    wb_byte(&f, LOOP), wb_byte(&f, 0x40);
    for (uint32_t r = 0; r < 6; r++) {
        wb_byte(&f, LGET), wb_uleb(&f, 2), wb_byte(&f, I32C),
            wb_sleb(&f, (int32_t)((k * 31 + r) % 9973));
        wb_byte(&f, MUL), wb_byte(&f, LGET), wb_uleb(&f, 1), wb_byte(&f, XOR), wb_byte(&f, LSET),
            wb_uleb(&f, 2);
        wb_byte(&f, LGET), wb_uleb(&f, 2), wb_byte(&f, I32C), wb_sleb(&f, (int32_t)(r + 3)),
            wb_byte(&f, SHRU);
        wb_byte(&f, LGET), wb_uleb(&f, 2), wb_byte(&f, ADD), wb_byte(&f, LSET), wb_uleb(&f, 3);
        wb_byte(&f, I32C), wb_sleb(&f, (int32_t)(((k + r) * 4) & 0xfff)); /* address */
        wb_byte(&f, LGET), wb_uleb(&f, 3), wb_byte(&f, STORE), wb_uleb(&f, 2), wb_uleb(&f, 64);
        wb_byte(&f, I32C), wb_sleb(&f, (int32_t)((k * 8 + r * 4) & 0xfff));
        wb_byte(&f, LOAD), wb_uleb(&f, 2), wb_uleb(&f, 64), wb_byte(&f, LGET), wb_uleb(&f, 3),
            wb_byte(&f, ADD);
        wb_byte(&f, LSET), wb_uleb(&f, 2);
    }
    wb_byte(&f, LGET), wb_uleb(&f, 1), wb_byte(&f, I32C), wb_sleb(&f, 1), wb_byte(&f, SUB),
        wb_byte(&f, LTEE);
    wb_uleb(&f, 1), wb_byte(&f, BRIF), wb_uleb(&f, 0), wb_byte(&f, END);
    wb_byte(&f, LGET), wb_uleb(&f, 2), wb_byte(&f, END);
    wb_uleb(b, f.n);
    wb_put(b, f.p, f.n);
    free(f.p);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: gen_module MIB OUT.wasm\n");
        return 2;
    }
    size_t target = (size_t)strtoul(argv[1], NULL, 10) << 20;
    wbuf probe = {0};
    work_body(&probe, 12345);
    uint32_t nwork = (uint32_t)(target / probe.n);
    free(probe.p);
    if (nwork < 2)
        nwork = 2;
    wbuf out = {0}, s = {0};
    wb_put(&out, "\0asm\1\0\0\0", 8);
    /* types: 0 [] -> [], 1 fd_write (i32 x4) -> i32, 2 (i32 i32) -> i32 */
    wb_uleb(&s, 3);
    wb_put(&s, "\x60\x00\x00", 3);
    wb_put(&s, "\x60\x04\x7f\x7f\x7f\x7f\x01\x7f", 8);
    wb_put(&s, "\x60\x02\x7f\x7f\x01\x7f", 6);
    wb_section(&out, 1, &s);
    wb_uleb(&s, 1);
    wb_uleb(&s, 22), wb_put(&s, "wasi_snapshot_preview1", 22), wb_uleb(&s, 8),
        wb_put(&s, "fd_write", 8);
    wb_byte(&s, 0), wb_uleb(&s, 1);
    wb_section(&out, 2, &s);
    wb_uleb(&s, 1 + nwork); /* _start (function 1), then the work functions (2...) */
    wb_uleb(&s, 0);
    for (uint32_t i = 0; i < nwork; i++)
        wb_uleb(&s, 2);
    wb_section(&out, 3, &s);
    wb_put(&s, "\x01\x00\x01", 3); /* one memory, min 1 page */
    wb_section(&out, 5, &s);
    wb_uleb(&s, 2);
    wb_uleb(&s, 6), wb_put(&s, "_start", 6), wb_byte(&s, 0), wb_uleb(&s, 1);
    wb_uleb(&s, 6), wb_put(&s, "memory", 6), wb_byte(&s, 2), wb_uleb(&s, 0);
    wb_section(&out, 7, &s);
    wb_uleb(&s, 1 + nwork);
    wbuf f = {0};
    wb_byte(&f, 0); /* no locals */
    uint32_t calls[2] = {2, 1 + nwork};
    for (int c = 0; c < 2; c++) {
        wb_byte(&f, I32C), wb_sleb(&f, 5), wb_byte(&f, I32C), wb_sleb(&f, 3), wb_byte(&f, 0x10);
        wb_uleb(&f, calls[c]), wb_byte(&f, 0x1a); /* call, drop */
    }
    /* iovec at 0: {16, 6}; fd_write(1, 0, 1, 8) */
    wb_byte(&f, I32C), wb_sleb(&f, 0), wb_byte(&f, I32C), wb_sleb(&f, 16), wb_byte(&f, STORE),
        wb_uleb(&f, 2);
    wb_uleb(&f, 0);
    wb_byte(&f, I32C), wb_sleb(&f, 4), wb_byte(&f, I32C), wb_sleb(&f, 6), wb_byte(&f, STORE),
        wb_uleb(&f, 2);
    wb_uleb(&f, 0);
    wb_byte(&f, I32C), wb_sleb(&f, 1), wb_byte(&f, I32C), wb_sleb(&f, 0), wb_byte(&f, I32C),
        wb_sleb(&f, 1);
    wb_byte(&f, I32C), wb_sleb(&f, 8), wb_byte(&f, 0x10), wb_uleb(&f, 0), wb_byte(&f, 0x1a),
        wb_byte(&f, END);
    wb_uleb(&s, f.n);
    wb_put(&s, f.p, f.n);
    free(f.p);
    for (uint32_t i = 0; i < nwork; i++)
        work_body(&s, i);
    wb_section(&out, 10, &s);
    wb_uleb(&s, 1);
    wb_byte(&s, 0), wb_byte(&s, I32C), wb_sleb(&s, 16), wb_byte(&s, END), wb_uleb(&s, 6),
        wb_put(&s, "ready\n", 6);
    wb_section(&out, 11, &s);
    FILE *o = fopen(argv[2], "wb");
    if (o == NULL || fwrite(out.p, 1, out.n, o) != out.n || fclose(o) != 0) {
        perror(argv[2]);
        return 1;
    }
    free(out.p);
    free(s.p);
    return 0;
}
