/* Call frames across two instances: module A calls B's export through an import, B's function
 * calls another, and the results come back through both returns with each instance's own memory
 * in place (A reads its byte 100 after B read its byte 7). A trap deep in B names B's function and
 * reports the backtrace innermost first across both modules, with the function indexes of each
 * module. Run with functions compiled at load and compiled on first call (limits.lazy_compile).
 * The call stack runs out at exactly limits.max_call_depth records (the entry's included), as a
 * trap naming the recursing function, after which the instance runs again.
 *
 * b.wat: (module (memory 1) (data (i32.const 0) "\07")
 *          (func $inner (param i32) (result i32)                          ;; 0
 *            (if (i32.eqz (local.get 0)) (then unreachable))
 *            (i32.add (local.get 0) (i32.load8_u (i32.const 0))))
 *          (func (export "get") (param i32) (result i32) (call $inner (local.get 0))))  ;; 1
 * a.wat: (module (import "b" "get" (func $get (param i32) (result i32)))  ;; 0
 *          (memory 1) (data (i32.const 0) "\64")
 *          (func $helper (param i32) (result i32)                          ;; 1
 *            (i32.add (call $get (local.get 0)) (i32.load8_u (i32.const 0))))
 *          (func (export "callb") (param i32) (result i32) (call $helper (local.get 0))))  ;; 2
 *
 * depth.wat: (module (func $down (export "down") (param $n i32) (result i32)  ;; 0: n + 1 by n
 * calls (local $one i32) (block (br_if 0 (i32.gt_s (local.get $n) (i32.const 0))) (return (i32.add
 * (local.get $n) (i32.const 1)))) (local.set $one (i32.const 1)) (i32.add (call $down (i32.add
 * (local.get $n) (i32.const -1))) (local.get $one))))
 */
#include "../check.h"
#include "wasm_engine.h"

static const uint8_t b_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01,
    0x7f, 0x03, 0x03, 0x02, 0x00, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x07, 0x01, 0x03,
    0x67, 0x65, 0x74, 0x00, 0x01, 0x0a, 0x1a, 0x02, 0x11, 0x00, 0x20, 0x00, 0x45, 0x04, 0x40,
    0x00, 0x0b, 0x20, 0x00, 0x41, 0x00, 0x2d, 0x00, 0x00, 0x6a, 0x0b, 0x06, 0x00, 0x20, 0x00,
    0x10, 0x00, 0x0b, 0x0b, 0x07, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x07};
static const uint8_t a_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f,
    0x02, 0x09, 0x01, 0x01, 0x62, 0x03, 0x67, 0x65, 0x74, 0x00, 0x00, 0x03, 0x03, 0x02, 0x00, 0x00,
    0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x09, 0x01, 0x05, 0x63, 0x61, 0x6c, 0x6c, 0x62, 0x00, 0x02,
    0x0a, 0x15, 0x02, 0x0c, 0x00, 0x20, 0x00, 0x10, 0x00, 0x41, 0x00, 0x2d, 0x00, 0x00, 0x6a, 0x0b,
    0x06, 0x00, 0x20, 0x00, 0x10, 0x01, 0x0b, 0x0b, 0x07, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x64};

static const uint8_t depth_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60, 0x01, 0x7f,
    0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x07, 0x08, 0x01, 0x04, 0x64, 0x6f, 0x77, 0x6e,
    0x00, 0x00, 0x0a, 0x24, 0x01, 0x22, 0x01, 0x01, 0x7f, 0x02, 0x40, 0x20, 0x00, 0x41,
    0x00, 0x4a, 0x0d, 0x00, 0x20, 0x00, 0x41, 0x01, 0x6a, 0x0f, 0x0b, 0x41, 0x01, 0x21,
    0x01, 0x20, 0x00, 0x41, 0x7f, 0x6a, 0x10, 0x00, 0x20, 0x01, 0x6a, 0x0b};

enum { DEPTH = 100 };

/* Calls inst's export `name` (i32) -> i32. */
static wasm_trap call_i32(wasm_instance *inst, const char *name, int32_t arg, int32_t *ret)
{
    wasm_func *f = wasm_instance_export_func(inst, name);
    CHECK(f != NULL);
    wasm_val in = {.i32 = arg}, out = {0};
    wasm_trap t = wasm_call(inst, f, &in, 1, &out, 1);
    *ret = out.i32;
    return t;
}

static void run_depth(uint32_t lazy)
{
    wc_error err = {0};
    wasm_limits lim = {.lazy_compile = lazy, .max_call_depth = DEPTH};
    wasm_module *m = NULL;
    wasm_instance *inst = NULL;
    CHECK(wasm_module_load(depth_wasm, sizeof(depth_wasm), &lim, &m, &err) == 0);
    CHECK(wasm_instantiate(m, NULL, NULL, &inst, &err) == 0);
    if (inst == NULL) {
        fprintf(stderr, "setup failed: %s\n", err.msg);
        wasm_module_free(m);
        return;
    }
    int32_t r = 0;
    /* DEPTH calls: every record used */
    CHECK(call_i32(inst, "down", DEPTH - 1, &r) == WASM_TRAP_NONE);
    CHECK_EQ_INT(r, DEPTH);
    CHECK(call_i32(inst, "down", DEPTH, &r) == WASM_TRAP_STACK_EXHAUSTED); /* one call more */
    CHECK_EQ_INT(wasm_instance_trap_func(inst), 0);
    uint32_t bt[4] = {9, 9, 9, 9};
    CHECK_EQ_INT(wasm_instance_trap_backtrace(inst, bt, 4), 4);
    CHECK_EQ_INT(bt[3], 0);
    CHECK(call_i32(inst, "down", DEPTH - 1, &r) == WASM_TRAP_NONE); /* the records are free again */
    CHECK_EQ_INT(r, DEPTH);
    wasm_instance_free(inst);
    wasm_module_free(m);
}

static void run(uint32_t lazy)
{
    wc_error err = {0};
    wasm_limits lim = {.lazy_compile = lazy};
    wasm_module *mb = NULL, *ma = NULL;
    wasm_linker *l = NULL;
    wasm_instance *b = NULL, *a = NULL;
    CHECK(wasm_module_load(b_wasm, sizeof(b_wasm), &lim, &mb, &err) == 0);
    CHECK(wasm_module_load(a_wasm, sizeof(a_wasm), &lim, &ma, &err) == 0);
    CHECK(wasm_instantiate(mb, NULL, NULL, &b, &err) == 0);
    CHECK(wasm_linker_new(&l, &err) == 0);
    CHECK(wasm_linker_define_instance(l, "b", b, &err) == 0);
    CHECK(wasm_instantiate(ma, l, NULL, &a, &err) == 0);
    if (a == NULL || b == NULL) {
        fprintf(stderr, "setup failed: %s\n", err.msg);
        return;
    }

    int32_t r = 0;
    CHECK(call_i32(a, "callb", 5, &r) == WASM_TRAP_NONE);
    CHECK_EQ_INT(r, 5 + 7 + 100); /* B's memory in B, A's again after the return into A */

    CHECK(call_i32(a, "callb", 0, &r) == WASM_TRAP_UNREACHABLE);
    CHECK_EQ_INT(wasm_instance_trap_func(a), 0); /* B's $inner */
    uint32_t bt[8];
    CHECK_EQ_INT(wasm_instance_trap_backtrace(a, bt, 8), 4);
    CHECK_EQ_INT(bt[0], 0); /* B's $inner */
    CHECK_EQ_INT(bt[1], 1); /* B's get */
    CHECK_EQ_INT(bt[2], 1); /* A's $helper */
    CHECK_EQ_INT(bt[3], 2); /* A's callb */

    CHECK(call_i32(a, "callb", 9, &r) == WASM_TRAP_NONE); /* the trap left both instances usable */
    CHECK_EQ_INT(r, 9 + 7 + 100);

    wasm_instance_free(a);
    wasm_instance_free(b);
    wasm_linker_free(l);
    wasm_module_free(ma);
    wasm_module_free(mb);
}

int main(void)
{
    run(0);
    run(1);
    run_depth(0);
    run_depth(1);
    return CHECK_DONE();
}
