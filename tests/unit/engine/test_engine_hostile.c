/* Hostile modules must be rejected (or accepted) quickly, never with super-linear work:
 *   - many functions declaring ~50,000 locals each (locals stay compressed),
 *   - br_table over thousands of distinct multi-value labels (validation work budget),
 *   - 100,000 exports (duplicate-name check by sorting),
 *   - nesting deeper than the limit, deep recursion at run time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../check.h"
#include "wasm_engine.h"

typedef struct buf {
    uint8_t *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *d, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = realloc(b->p, b->cap);
        CHECK(b->p != NULL);
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}

static void byte(buf *b, uint8_t v)
{
    put(b, &v, 1);
}

static void leb(buf *b, uint32_t v)
{
    do {
        uint8_t x = v & 0x7F;
        v >>= 7;
        byte(b, v ? x | 0x80 : x);
    } while (v);
}

static void section(buf *out, uint8_t id, buf *content)
{
    byte(out, id);
    leb(out, (uint32_t)content->n);
    put(out, content->p, content->n);
    content->n = 0;
}

static buf header(void)
{
    buf b = {0};
    put(&b, "\0asm\1\0\0\0", 8);
    return b;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int load(buf *b, wc_error *err)
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
    buf b = header(), c = {0};
    uint32_t nf = 5000;
    leb(&c, 1), byte(&c, 0x60), byte(&c, 0), byte(&c, 0);
    section(&b, 1, &c);
    leb(&c, nf);
    for (uint32_t i = 0; i < nf; i++)
        byte(&c, 0);
    section(&b, 3, &c);
    leb(&c, nf);
    for (uint32_t i = 0; i < nf; i++) {
        static const uint8_t body[] = {6, 1, 0xA8, 0xFE, 0x02, 0x7F, 0x0B}; /* 49,000 i32 locals */
        put(&c, body, sizeof(body));
    }
    section(&b, 10, &c);
    free(c.p);
    wc_error err;
    CHECK(load(&b, &err) == 0);
}

static void br_table_labels(void)
{
    buf b = header(), c = {0}, f = {0};
    uint32_t arity = 1000, depth = 3000, reps = 400;
    leb(&c, 2), byte(&c, 0x60), byte(&c, 0), leb(&c, arity);
    for (uint32_t i = 0; i < arity; i++)
        byte(&c, 0x7F);
    byte(&c, 0x60), byte(&c, 0), byte(&c, 0);
    section(&b, 1, &c);
    leb(&c, 1), leb(&c, 1);
    section(&b, 3, &c);
    leb(&f, 0);
    for (uint32_t i = 0; i < depth; i++)
        byte(&f, 0x02), byte(&f, 0x00);
    for (uint32_t r = 0; r < reps; r++) {
        for (uint32_t i = 0; i <= arity; i++)
            byte(&f, 0x41), byte(&f, 0x00);
        byte(&f, 0x0E), leb(&f, depth - 1);
        for (uint32_t i = 0; i < depth; i++)
            leb(&f, i);
    }
    for (uint32_t i = 0; i <= depth; i++)
        byte(&f, 0x0B);
    leb(&c, 1), leb(&c, (uint32_t)f.n), put(&c, f.p, f.n);
    section(&b, 10, &c);
    free(f.p), free(c.p);
    wc_error err;
    CHECK(load(&b, &err) == -E2BIG && strstr(err.msg, "too complex"));
}

static void many_exports(bool duplicate)
{
    buf b = header(), c = {0};
    uint32_t n = 100000;
    leb(&c, 1), byte(&c, 0x60), byte(&c, 0), byte(&c, 0);
    section(&b, 1, &c);
    leb(&c, 1), leb(&c, 0);
    section(&b, 3, &c);
    leb(&c, n);
    for (uint32_t i = 0; i < n; i++) {
        char name[16];
        int len = snprintf(name, sizeof(name), "f%u", duplicate && i == n - 1 ? 7u : i);
        leb(&c, (uint32_t)len), put(&c, name, (size_t)len), byte(&c, 0), leb(&c, 0);
    }
    section(&b, 7, &c);
    leb(&c, 1), leb(&c, 2), byte(&c, 0), byte(&c, 0x0B);
    section(&b, 10, &c);
    free(c.p);
    wc_error err;
    int rc = load(&b, &err);
    CHECK(duplicate ? rc == -EINVAL && strstr(err.msg, "duplicate export") : rc == 0);
}

static void deep_nesting(void)
{
    buf b = header(), c = {0}, f = {0};
    uint32_t depth = 20000; /* above the default limit of 10,000 */
    leb(&c, 1), byte(&c, 0x60), byte(&c, 0), byte(&c, 0);
    section(&b, 1, &c);
    leb(&c, 1), leb(&c, 0);
    section(&b, 3, &c);
    leb(&f, 0);
    for (uint32_t i = 0; i < depth; i++)
        byte(&f, 0x02), byte(&f, 0x40);
    for (uint32_t i = 0; i <= depth; i++)
        byte(&f, 0x0B);
    leb(&c, 1), leb(&c, (uint32_t)f.n), put(&c, f.p, f.n);
    section(&b, 10, &c);
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
