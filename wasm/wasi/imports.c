/* Binds the WASI calls to the engine: wasi_define_imports defines, of the functions a module
 * imports, those of WASI_PREVIEW1_CALLS under "wasi_snapshot_preview1" (and again under
 * "wasi_unstable" with the four legacy-layout variants swapped in), of the WasmEdge socket
 * extension (WASI_SOCKET_EXT_CALLS) under "wasi_snapshot_preview1", and of the runtime's own
 * calls (WASMCRI_CALLS) under "wasmcri". Only what the module imports: every worker defines its
 * imports into a linker of its own, and all 150 names were 24-32 KiB of heap in each idle
 * worker (issue 18) and a few hundred allocations at each start.
 *
 * Each definition's env is a binding {ctx, call} stored in the ctx (so it lives as long as the
 * ctx). The one host callback copies the params into a uint64_t array, takes the memory base and
 * size for this call (memory.grow cannot run during it), calls the WASI function, and returns its
 * errno as the i32 result. proc_exit, and proc_raise of a fatal signal, end the instance through
 * wasm_instance_exit with the recorded code.
 */
#include <stdlib.h>
#include <string.h>

#include "wasi_calls.h"
#include "wasm_engine.h"

#define MAX_PARAMS 10

typedef struct wasi_call {
    const char *name;
    const char *params;
    uint32_t nresults;
    wasi_fn fn;
} wasi_call;

struct wasi_binding {
    wasi_ctx *ctx;
    const wasi_call *call;
};

#define WASI_ENTRY(name, params, nresults) {#name, params, nresults, wasi_##name},
static const wasi_call preview1_calls[] = {WASI_PREVIEW1_CALLS(WASI_ENTRY)};
#undef WASI_ENTRY
#define WASI_ENTRY(name, fn, params, nresults) {#name, params, nresults, wasi_##fn},
static const wasi_call socket_ext_calls[] = {WASI_SOCKET_EXT_CALLS(WASI_ENTRY)};
#undef WASI_ENTRY
#define WASI_ENTRY(name) {#name, NULL, 0, wasi_unstable_##name},
static const wasi_call unstable_overrides[] = {WASI_UNSTABLE_OVERRIDES(WASI_ENTRY)};
#undef WASI_ENTRY
#define WASI_ENTRY(name, params, nresults) {#name, params, nresults, wasmcri_##name},
static const wasi_call wasmcri_calls[] = {WASMCRI_CALLS(WASI_ENTRY)};
#undef WASI_ENTRY

#define NCALLS (sizeof(preview1_calls) / sizeof(preview1_calls[0]))
#define NOVERRIDES (sizeof(unstable_overrides) / sizeof(unstable_overrides[0]))
#define NEXT (sizeof(socket_ext_calls) / sizeof(socket_ext_calls[0]))
#define NOWN (sizeof(wasmcri_calls) / sizeof(wasmcri_calls[0]))

static wasm_trap host_call(wasm_instance *inst, void *env, const wasm_val *args, wasm_val *results)
{
    const struct wasi_binding *b = env;
    uint64_t a[MAX_PARAMS];
    size_t np = strlen(b->call->params);
    for (size_t i = 0; i < np; i++)
        a[i] = b->call->params[i] == 'I' ? args[i].u64 : args[i].u32;
    wasi_mem mem;
    mem.base = wasm_memory_data(inst, &mem.size);
    wasi_errno err = b->call->fn(b->ctx, &mem, a);
    if (b->ctx->exit_code >= 0)
        return wasm_instance_exit(inst, b->ctx->exit_code);
    if (b->call->nresults == 1)
        results[0].u64 = err;
    return WASM_TRAP_NONE;
}

static int define_one(wasm_linker *linker, const char *module, struct wasi_binding *b,
                      wc_error *err)
{
    wasm_valtype params[MAX_PARAMS];
    size_t np = strlen(b->call->params);
    for (size_t i = 0; i < np; i++)
        params[i] = b->call->params[i] == 'I' ? WASM_I64 : WASM_I32;
    static const wasm_valtype result = WASM_I32;
    int r = wasm_linker_define_func(linker, module, b->call->name, params, (uint32_t)np, &result,
                                    b->call->nresults, host_call, b, err);
    return r < 0 ? wc_error_wrap(err, "wasi: define %s.%s", module, b->call->name) : 0;
}

/* The wasi_unstable form of a preview1 call: its legacy-layout variant, kept in ctx, if any. */
static const wasi_call *unstable_variant(wasi_ctx *ctx, const wasi_call *call)
{
    for (size_t i = 0; i < NOVERRIDES; i++) {
        if (strcmp(unstable_overrides[i].name, call->name) == 0) {
            ctx->unstable_calls[i] = *call;
            ctx->unstable_calls[i].fn = unstable_overrides[i].fn;
            return &ctx->unstable_calls[i];
        }
    }
    return call;
}

/* Binds each call of the table named name (under module_name) to ctx in the next binding and
 * defines it (a name may have several: of different types); legacy: their wasi_unstable form. */
static int define_named(wasm_linker *linker, wasi_ctx *ctx, const char *module_name,
                        const char *name, const wasi_call *table, size_t n, bool legacy,
                        size_t *next, wc_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(table[i].name, name) != 0)
            continue;
        struct wasi_binding *b = &ctx->bindings[(*next)++];
        *b = (struct wasi_binding){ctx, legacy ? unstable_variant(ctx, &table[i]) : &table[i]};
        TRY(define_one(linker, module_name, b, err));
    }
    return 0;
}

/* Defines every call of that module and name, in the order of the tables. */
static int define_import(wasm_linker *linker, wasi_ctx *ctx, const char *module_name,
                         const char *name, size_t *next, wc_error *err)
{
    if (strcmp(module_name, "wasi_snapshot_preview1") == 0) {
        TRY(define_named(linker, ctx, module_name, name, preview1_calls, NCALLS, false, next, err));
        return define_named(linker, ctx, module_name, name, socket_ext_calls, NEXT, false, next,
                            err);
    }
    if (strcmp(module_name, "wasi_unstable") == 0)
        return define_named(linker, ctx, module_name, name, preview1_calls, NCALLS, true, next,
                            err);
    if (strcmp(module_name, "wasmcri") == 0)
        return define_named(linker, ctx, module_name, name, wasmcri_calls, NOWN, false, next, err);
    return 0;
}

/* Whether import i of module names the same function as an earlier one. */
static bool imported_before(const wasm_module *module, uint32_t i, const char *module_name,
                            const char *name)
{
    for (uint32_t k = 0; k < i; k++) {
        const char *mod, *nm;
        wasm_extern_kind kind;
        if (wasm_module_import(module, k, &mod, &nm, &kind) == 0 && kind == WASM_EXTERN_FUNC &&
            strcmp(nm, name) == 0 && strcmp(mod, module_name) == 0)
            return true;
    }
    return false;
}

int wasi_define_imports(wasm_linker *linker, wasi_ctx *ctx, const wasm_module *module,
                        wc_error *err)
{
    if (ctx->bindings != NULL)
        return wc_error_set(err, -EBUSY, "wasi: the imports of this ctx are already defined");
    ctx->bindings = calloc(2 * NCALLS + NEXT + NOWN, sizeof(struct wasi_binding));
    ctx->unstable_calls = calloc(NOVERRIDES, sizeof(wasi_call));
    if (ctx->bindings == NULL || ctx->unstable_calls == NULL)
        return wc_error_set(err, -ENOMEM, "wasi: define imports: out of memory");
    size_t next = 0;
    for (uint32_t i = 0; i < wasm_module_import_count(module); i++) {
        const char *module_name, *name;
        wasm_extern_kind kind;
        if (wasm_module_import(module, i, &module_name, &name, &kind) == 0 &&
            kind == WASM_EXTERN_FUNC && !imported_before(module, i, module_name, name))
            TRY(define_import(linker, ctx, module_name, name, &next, err));
    }
    return 0;
}
