/* Hostile modules must be rejected (or accepted) quickly, never with super-linear work:
 *   - many functions declaring ~50,000 locals each (locals stay compressed),
 *   - br_table over thousands of distinct multi-value labels (validation work budget),
 *   - 100,000 exports (duplicate-name check by sorting),
 *   - nesting deeper than the limit, deep recursion at run time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../wasm_writer.h"
#include "../check.h"
#include "wasm_engine.h"

static wbuf header(void)
{
    wbuf b = {0};
    wb_put(&b, "\0asm\1\0\0\0", 8);
    return b;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int load(wbuf *b, wc_error *err)
{
    wasm_module *m = NULL;
    double t0 = now();
    int rc = wasm_module_load(b->p, b->n, NULL, &m, err);
    double dt = now() - t0;
    printf("  %zu bytes: rc %d (%s) in %.3f s\n", b->n, rc, rc ? err->msg : "ok", dt);
    CHECK(dt < 20); /* generous: a quadratic path takes hours on these inputs */
    wasm_module_free(m);
    free(b->p);
    return rc;
}

static void many_locals(void)
{
    wbuf b = header(), c = {0};
    uint32_t nf = 5000;
    wb_uleb(&c, 1), wb_byte(&c, 0x60), wb_byte(&c, 0), wb_byte(&c, 0);
    wb_section(&b, 1, &c);
    wb_uleb(&c, nf);
    for (uint32_t i = 0; i < nf; i++)
        wb_byte(&c, 0);
    wb_section(&b, 3, &c);
    wb_uleb(&c, nf);
    for (uint32_t i = 0; i < nf; i++) {
        static const uint8_t body[] = {6, 1, 0xA8, 0xFE, 0x02, 0x7F, 0x0B}; /* 49,000 i32 locals */
        wb_put(&c, body, sizeof(body));
    }
    wb_section(&b, 10, &c);
    free(c.p);
    wc_error err;
    CHECK(load(&b, &err) == 0);
}

static void br_table_labels(void)
{
    wbuf b = header(), c = {0}, f = {0};
    uint32_t arity = 1000, depth = 3000, reps = 400;
    wb_uleb(&c, 2), wb_byte(&c, 0x60), wb_byte(&c, 0), wb_uleb(&c, arity);
    for (uint32_t i = 0; i < arity; i++)
        wb_byte(&c, 0x7F);
    wb_byte(&c, 0x60), wb_byte(&c, 0), wb_byte(&c, 0);
    wb_section(&b, 1, &c);
    wb_uleb(&c, 1), wb_uleb(&c, 1);
    wb_section(&b, 3, &c);
    wb_uleb(&f, 0);
    for (uint32_t i = 0; i < depth; i++)
        wb_byte(&f, 0x02), wb_byte(&f, 0x00);
    for (uint32_t r = 0; r < reps; r++) {
        for (uint32_t i = 0; i <= arity; i++)
            wb_byte(&f, 0x41), wb_byte(&f, 0x00);
        wb_byte(&f, 0x0E), wb_uleb(&f, depth - 1);
        for (uint32_t i = 0; i < depth; i++)
            wb_uleb(&f, i);
    }
    for (uint32_t i = 0; i <= depth; i++)
        wb_byte(&f, 0x0B);
    wb_uleb(&c, 1), wb_uleb(&c, (uint32_t)f.n), wb_put(&c, f.p, f.n);
    wb_section(&b, 10, &c);
    free(f.p), free(c.p);
    wc_error err;
    CHECK(load(&b, &err) == -E2BIG && strstr(err.msg, "too complex"));
}

static void many_exports(bool duplicate)
{
    wbuf b = header(), c = {0};
    uint32_t n = 100000;
    wb_uleb(&c, 1), wb_byte(&c, 0x60), wb_byte(&c, 0), wb_byte(&c, 0);
    wb_section(&b, 1, &c);
    wb_uleb(&c, 1), wb_uleb(&c, 0);
    wb_section(&b, 3, &c);
    wb_uleb(&c, n);
    for (uint32_t i = 0; i < n; i++) {
        char name[16];
        int len = snprintf(name, sizeof(name), "f%u", duplicate && i == n - 1 ? 7u : i);
        wb_uleb(&c, (uint32_t)len), wb_put(&c, name, (size_t)len), wb_byte(&c, 0), wb_uleb(&c, 0);
    }
    wb_section(&b, 7, &c);
    wb_uleb(&c, 1), wb_uleb(&c, 2), wb_byte(&c, 0), wb_byte(&c, 0x0B);
    wb_section(&b, 10, &c);
    free(c.p);
    wc_error err;
    int rc = load(&b, &err);
    CHECK(duplicate ? rc == -EINVAL && strstr(err.msg, "duplicate export") : rc == 0);
}

static void deep_nesting(void)
{
    wbuf b = header(), c = {0}, f = {0};
    uint32_t depth = 20000; /* above the default limit of 10,000 */
    wb_uleb(&c, 1), wb_byte(&c, 0x60), wb_byte(&c, 0), wb_byte(&c, 0);
    wb_section(&b, 1, &c);
    wb_uleb(&c, 1), wb_uleb(&c, 0);
    wb_section(&b, 3, &c);
    wb_uleb(&f, 0);
    for (uint32_t i = 0; i < depth; i++)
        wb_byte(&f, 0x02), wb_byte(&f, 0x40);
    for (uint32_t i = 0; i <= depth; i++)
        wb_byte(&f, 0x0B);
    wb_uleb(&c, 1), wb_uleb(&c, (uint32_t)f.n), wb_put(&c, f.p, f.n);
    wb_section(&b, 10, &c);
    free(f.p), free(c.p);
    wc_error err;
    CHECK(load(&b, &err) == -E2BIG);
}

int main(void)
{
    many_locals();
    br_table_labels();
    many_exports(false);
    many_exports(true);
    deep_nesting();
    return CHECK_DONE();
}
