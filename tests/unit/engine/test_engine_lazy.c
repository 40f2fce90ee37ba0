/* The compile driver (wasm/engine/prepare.c): a lazy module (limits.lazy_compile) still refuses
 * an invalid body at load; a prevalidated one (limits.prevalidated) loads, and its invalid body
 * traps with the reason when first called, never runs; a module prepared in steps
 * (wasm_module_decode + wasm_module_prepare) cannot be instantiated before the last step and
 * then gives the results of a module loaded at once; a recursion through lazily compiled
 * functions ends in "call stack exhausted"; a module decoded from borrowed bytes compiles from
 * them and leaves them to the caller. */
#include <stdlib.h>

#include "../../wasm_writer.h"
#include "../check.h"
#include "wasm_engine.h"

/* Functions (all [i32] -> [i32], exported as f0, f1, ...): f0 = x + 1, f1 = f0(x) * 3,
 * f2 = f2(x) (recursion without end), and with invalid: f3 = an i64 returned as i32. */
static wbuf module(bool invalid)
{
    wbuf out = {0}, s = {0};
    uint32_t n = invalid ? 4 : 3;
    wb_put(&out, "\0asm\1\0\0\0", 8);
    wb_uleb(&s, 1), wb_put(&s, "\x60\x01\x7f\x01\x7f", 5);
    wb_section(&out, 1, &s);
    wb_uleb(&s, n);
    for (uint32_t i = 0; i < n; i++)
        wb_uleb(&s, 0);
    wb_section(&out, 3, &s);
    wb_uleb(&s, n);
    for (uint32_t i = 0; i < n; i++) {
        char name[3] = {'f', (char)('0' + i), 0};
        wb_uleb(&s, 2), wb_put(&s, name, 2), wb_byte(&s, 0), wb_uleb(&s, i);
    }
    wb_section(&out, 7, &s);
    static const char *const bodies[] = {
        "\x00\x20\x00\x41\x01\x6a\x0b",         /* local.get 0, i32.const 1, i32.add */
        "\x00\x20\x00\x10\x00\x41\x03\x6c\x0b", /* call f0, i32.const 3, i32.mul */
        "\x00\x20\x00\x10\x02\x0b",             /* call f2 */
        "\x00\x42\x07\x0b",                     /* i64.const 7: type mismatch */
    };
    static const size_t lens[] = {7, 9, 6, 4};
    wb_uleb(&s, n);
    for (uint32_t i = 0; i < n; i++)
        wb_uleb(&s, lens[i]), wb_put(&s, bodies[i], lens[i]);
    wb_section(&out, 10, &s);
    free(s.p);
    return out;
}

static wasm_trap call(wasm_instance *inst, const char *name, int32_t arg, int32_t *ret)
{
    wasm_func *f = wasm_instance_export_func(inst, name);
    CHECK(f != NULL);
    wasm_val a = {.i32 = arg}, r = {0};
    wasm_trap t = f ? wasm_call(inst, f, &a, 1, &r, 1) : WASM_TRAP_HOST;
    *ret = r.i32;
    return t;
}

static wasm_instance *instance(wasm_module *m)
{
    wasm_linker *l = NULL;
    wasm_instance *inst = NULL;
    wc_error err = {0};
    CHECK(wasm_linker_new(&l, &err) == 0);
    CHECK(wasm_instantiate(m, l, NULL, &inst, &err) == 0);
    wasm_linker_free(l);
    return inst;
}

static void test_lazy_validates_at_load(void)
{
    wbuf bad = module(true);
    wasm_limits lazy = {.lazy_compile = 1};
    wasm_module *m = NULL;
    wc_error err = {0};
    CHECK(wasm_module_load(bad.p, bad.n, &lazy, &m, &err) == -EINVAL);
    CHECK(strstr(err.msg, "type mismatch") != NULL);

    wasm_limits trusted = {.lazy_compile = 1, .prevalidated = 1};
    CHECK(wasm_module_load(bad.p, bad.n, &trusted, &m, &err) == 0);
    wasm_instance *inst = instance(m);
    int32_t r = 0;
    CHECK(call(inst, "f1", 4, &r) == WASM_TRAP_NONE && r == 15);
    CHECK(call(inst, "f3", 0, &r) == WASM_TRAP_HOST);
    const char *msg = wasm_instance_trap_message(inst);
    CHECK(strstr(msg, "compiling function 3") && strstr(msg, "type mismatch"));
    CHECK(call(inst, "f3", 0, &r) == WASM_TRAP_HOST); /* again: still refused */
    CHECK(call(inst, "f0", 1, &r) == WASM_TRAP_NONE && r == 2);
    wasm_instance_free(inst);
    wasm_module_free(m);
    free(bad.p);
}

static void test_steps_and_recursion(void)
{
    wbuf good = module(false);
    wasm_module *m = NULL;
    wc_error err = {0};
    CHECK(wasm_module_decode(good.p, good.n, NULL, &m, &err) == 0);
    wasm_linker *l = NULL;
    wasm_instance *inst = NULL;
    CHECK(wasm_linker_new(&l, &err) == 0);
    CHECK(wasm_instantiate(m, l, NULL, &inst, &err) == -EAGAIN);
    int steps = 0, rc;
    while ((rc = wasm_module_prepare(m, 1, &err)) == 1)
        steps++;
    CHECK(rc == 0 && steps == 2); /* one body per step */
    CHECK(wasm_instantiate(m, l, NULL, &inst, &err) == 0);
    int32_t r = 0;
    CHECK(call(inst, "f1", 4, &r) == WASM_TRAP_NONE && r == 15);
    wasm_instance_free(inst);
    wasm_linker_free(l);
    wasm_module_free(m);

    wasm_limits lazy = {.lazy_compile = 1};
    CHECK(wasm_module_load(good.p, good.n, &lazy, &m, &err) == 0);
    inst = instance(m);
    CHECK(call(inst, "f2", 0, &r) == WASM_TRAP_STACK_EXHAUSTED);
    CHECK(call(inst, "f1", 5, &r) == WASM_TRAP_NONE && r == 18);
    wasm_instance_free(inst);
    wasm_module_free(m);
    free(good.p);
}

/* wasm_module_decode_borrowed: the bodies are read from the caller's bytes, on each first call
 * too, and the module never frees them. */
static void test_borrowed_bodies(void)
{
    wbuf good = module(false);
    wasm_limits lazy = {.lazy_compile = 1, .prevalidated = 1};
    wasm_module *m = NULL;
    wc_error err = {0};
    CHECK(wasm_module_decode_borrowed(good.p, good.n, &lazy, &m, &err) == 0);
    CHECK(wasm_module_prepare(m, SIZE_MAX, &err) == 0);
    wasm_instance *inst = instance(m);
    int32_t r = 0;
    CHECK(call(inst, "f1", 4, &r) == WASM_TRAP_NONE);
    CHECK_EQ_INT(r, 15);
    CHECK(call(inst, "f2", 4, &r) == WASM_TRAP_STACK_EXHAUSTED); /* the last one compiled */
    CHECK(call(inst, "f0", 4, &r) == WASM_TRAP_NONE);
    CHECK_EQ_INT(r, 5);
    wasm_instance_free(inst);
    wasm_module_free(m);
    CHECK(memcmp(good.p, "\0asm", 4) == 0); /* still the caller's */
    free(good.p);
}

int main(void)
{
    test_lazy_validates_at_load();
    test_steps_and_recursion();
    test_borrowed_bodies();
    return CHECK_DONE();
}
