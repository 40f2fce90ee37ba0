/* Call frames across two instances: module A calls B's export through an import, B's function
 * calls another, and the results come back through both returns with each instance's own memory
 * in place (A reads its byte 100 after B read its byte 7). A trap deep in B names B's function and
 * reports the backtrace innermost first across both modules, with the function indexes of each
 * module. Run with functions compiled at load and compiled on first call (limits.lazy_compile).
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

static wasm_trap callb(wasm_instance *a, int32_t arg, int32_t *ret)
{
    wasm_func *f = wasm_instance_export_func(a, "callb");
    CHECK(f != NULL);
    wasm_val in = {.i32 = arg}, out = {0};
    wasm_trap t = wasm_call(a, f, &in, 1, &out, 1);
    *ret = out.i32;
    return t;
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
    CHECK(callb(a, 5, &r) == WASM_TRAP_NONE);
    CHECK_EQ_INT(r, 5 + 7 + 100); /* B's memory in B, A's again after the return into A */

    CHECK(callb(a, 0, &r) == WASM_TRAP_UNREACHABLE);
    CHECK_EQ_INT(wasm_instance_trap_func(a), 0); /* B's $inner */
    uint32_t bt[8];
    CHECK_EQ_INT(wasm_instance_trap_backtrace(a, bt, 8), 4);
    CHECK_EQ_INT(bt[0], 0); /* B's $inner */
    CHECK_EQ_INT(bt[1], 1); /* B's get */
    CHECK_EQ_INT(bt[2], 1); /* A's $helper */
    CHECK_EQ_INT(bt[3], 2); /* A's callb */

    CHECK(callb(a, 9, &r) == WASM_TRAP_NONE); /* the trap left both instances usable */
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
    return CHECK_DONE();
}
