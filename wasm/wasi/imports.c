/* Binds the WASI calls to the engine: wasi_define_imports defines every function of
 * WASI_PREVIEW1_CALLS under "wasi_snapshot_preview1", and again under "wasi_unstable" with the
 * four legacy-layout variants swapped in, then the WasmEdge socket extension
 * (WASI_SOCKET_EXT_CALLS) under "wasi_snapshot_preview1", and the runtime's own calls
 * (WASMCRI_CALLS) under "wasmcri".
 *
 * Each definition's env is a binding {ctx, call} stored in the ctx (so it lives as long as the
 * ctx). The one host callback copies the params into a uint64_t array, takes the memory base and
 * size for this call (memory.grow cannot run during it), calls the WASI function, and returns its
 * errno as the i32 result. proc_exit, and proc_raise of a fatal signal, end the instance through
 * wasm_instance_exit with the recorded code.
 */
#include <stdlib.h>

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

static const wasi_call *unstable_variant(const wasi_call *call, wasi_call *scratch)
{
    for (size_t i = 0; i < NOVERRIDES; i++) {
        if (strcmp(unstable_overrides[i].name, call->name) == 0) {
            *scratch = *call;
            scratch->fn = unstable_overrides[i].fn;
            return scratch;
        }
    }
    return call;
}

int wasi_define_imports(wasm_linker *linker, wasi_ctx *ctx, wc_error *err)
{
    if (ctx->bindings == NULL) {
        ctx->bindings = calloc(2 * NCALLS + NEXT + NOWN, sizeof(struct wasi_binding));
        ctx->unstable_calls = calloc(NOVERRIDES, sizeof(wasi_call));
        if (ctx->bindings == NULL || ctx->unstable_calls == NULL)
            return wc_error_set(err, -ENOMEM, "wasi: define imports: out of memory");
    }
    wasi_call *scratch = ctx->unstable_calls;
    for (size_t i = 0; i < NCALLS; i++) {
        struct wasi_binding *p = &ctx->bindings[i], *u = &ctx->bindings[NCALLS + i];
        *p = (struct wasi_binding){ctx, &preview1_calls[i]};
        const wasi_call *legacy = unstable_variant(&preview1_calls[i], scratch);
        if (legacy == scratch)
            scratch++;
        *u = (struct wasi_binding){ctx, legacy};
        TRY(define_one(linker, "wasi_snapshot_preview1", p, err));
        TRY(define_one(linker, "wasi_unstable", u, err));
    }
    for (size_t i = 0; i < NEXT; i++) {
        struct wasi_binding *x = &ctx->bindings[2 * NCALLS + i];
        *x = (struct wasi_binding){ctx, &socket_ext_calls[i]};
        TRY(define_one(linker, "wasi_snapshot_preview1", x, err));
    }
    for (size_t i = 0; i < NOWN; i++) {
        struct wasi_binding *x = &ctx->bindings[2 * NCALLS + NEXT + i];
        *x = (struct wasi_binding){ctx, &wasmcri_calls[i]};
        int r = define_one(linker, "wasmcri", x, err);
        if (r < 0)
            return r;
    }
    return 0;
}
