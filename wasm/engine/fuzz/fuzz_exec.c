/* libFuzzer target: load, instantiate (with a spectest-like import table) and run every exported
 * function with zero arguments under ASan, on metered fuel so that no input can hang. Exercises the
 * compiler's peepholes and the interpreter on arbitrary valid code. Uses engine internals for the
 * fuel (engine.h). Build: cmake -DWASMCRI_FUZZ=ON; run: fuzz_exec -max_total_time=300 CORPUS_DIR */
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static wasm_trap nop(wasm_instance *inst, void *env, const wasm_val *args, wasm_val *results)
{
    (void)inst, (void)env, (void)args, (void)results;
    return WASM_TRAP_NONE;
}

static wasm_linker *spectest(void)
{
    static const wasm_valtype i32[] = {WASM_I32}, i64[] = {WASM_I64}, f32[] = {WASM_F32},
                              f64[] = {WASM_F64}, i32f32[] = {WASM_I32, WASM_F32},
                              f64f64[] = {WASM_F64, WASM_F64};
    wasm_linker *l;
    wc_error err;
    if (wasm_linker_new(&l, &err) < 0)
        return NULL;
    wasm_linker_define_func(l, "spectest", "print", NULL, 0, NULL, 0, nop, NULL, &err);
    wasm_linker_define_func(l, "spectest", "print_i32", i32, 1, NULL, 0, nop, NULL, &err);
    wasm_linker_define_func(l, "spectest", "print_i64", i64, 1, NULL, 0, nop, NULL, &err);
    wasm_linker_define_func(l, "spectest", "print_f32", f32, 1, NULL, 0, nop, NULL, &err);
    wasm_linker_define_func(l, "spectest", "print_f64", f64, 1, NULL, 0, nop, NULL, &err);
    wasm_linker_define_func(l, "spectest", "print_i32_f32", i32f32, 2, NULL, 0, nop, NULL, &err);
    wasm_linker_define_func(l, "spectest", "print_f64_f64", f64f64, 2, NULL, 0, nop, NULL, &err);
    wasm_val v = {.u64 = 666};
    wasm_linker_define_global(l, "spectest", "global_i32", WASM_I32, false, v, &err);
    wasm_linker_define_global(l, "spectest", "global_i64", WASM_I64, false, v, &err);
    wasm_linker_define_global(l, "spectest", "global_f32", WASM_F32, false, v, &err);
    wasm_linker_define_global(l, "spectest", "global_f64", WASM_F64, false, v, &err);
    wasm_linker_define_table(l, "spectest", "table", WASM_FUNCREF, 10, 20, &err);
    wasm_linker_define_memory(l, "spectest", "memory", 1, 2, &err);
    return l;
}

static void run_exports(wasm_instance *inst)
{
    const wasm_module *m = inst->m;
    wasm_val args[MAX_ARGS], res[MAX_ARGS];
    for (uint32_t i = 0; i < m->nexports; i++) {
        if (m->exports[i].kind != WASM_EXTERN_FUNC)
            continue;
        wasm_func *f = wasm_inst_func(inst, m->exports[i].idx); /* made on first use */
        if (f->type->nps > MAX_ARGS || f->type->nrs > MAX_ARGS)
            continue;
        memset(args, 0, sizeof(args));
        inst->fuel = 20000;
        wasm_call(inst, f, args, f->type->nps, res, f->type->nrs);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wasm_linker *linker =
        spectest(); /* per input: its table must not outlive the instances it points to */
    wasm_limits lim = {.max_memory_pages = 16,
                       .max_table_elems = 100000,
                       .max_call_depth = 500,
                       .max_value_stack = 1 << 16,
                       .interruptible = 1};
    wasm_module *m;
    wasm_instance *inst;
    wc_error err;
    if (wasm_module_load(data, size, &lim, &m, &err) < 0) {
        wasm_linker_free(linker);
        return 0;
    }
    if (wasm_instance_new(m, linker, NULL, &inst, &err) == 0) {
        inst->metered = true;
        inst->fuel = 20000;
        if (wasm_instance_start(inst) == WASM_TRAP_NONE)
            run_exports(inst);
        wasm_instance_free(inst);
    }
    wasm_module_free(m);
    wasm_linker_free(linker);
    return 0;
}
