/* prepare.c: the compile driver. After decode.c a module holds its function bodies as bytes
 * (code_bytes); wasm_module_prepare validates them in steps of a size the caller chooses (the
 * zygote's loop takes a slice at a time), and compiles each one in the same pass, or, for a module
 * loaded with limits.lazy_compile, validates only and points the function at lazy_stub: its first
 * call runs OP_LAZY_COMPILE (interp.c), which compiles it here (wasm_compile_on_call). Either way
 * every body is validated before the module can be instantiated, so an invalid module fails at
 * load and never mid-run (but with limits.prevalidated, where the caller vouches for the bytes and
 * load only notes the bodies; their compile still checks every rule). A lazy load's validation of a
 * big slice runs on two threads (validate_split.c). The bytes are freed once
 * every function is compiled (and, with limits.shared_code, the code made read-only: code_arena.c).
 */
#include <stdlib.h>

#include "engine.h"

static void make_lazy(wasm_module *m, wcode *fn)
{
    const wasm_functype *ft = &m->types[fn->type];
    /* until compiled: a frame of its params and results, no locals to clear (the stub's
     * handler checks the real frame size once it knows it) */
    fn->nparams = fn->zero_end = ft->nps;
    fn->frame_slots = ft->nps > ft->nrs ? ft->nps : ft->nrs;
    fn->code = &m->lazy_stub;
    m->nlazy++;
}

static void init_stub(wasm_module *m)
{
    const void *const *handlers = wasm_interp_handlers();
    if (handlers)
        m->lazy_stub.h = handlers[OP_LAZY_COMPILE];
    else
        m->lazy_stub.op = OP_LAZY_COMPILE;
}

/* The end of the next slice of bodies from m->nprepared: about max_bytes of them, at least one. */
static uint32_t slice_end(const wasm_module *m, size_t max_bytes)
{
    uint32_t ndef = m->nfuncs - m->nfunc_imports, i = m->nprepared;
    for (size_t done = 0; i < ndef && (done == 0 || done < max_bytes); i++)
        done += m->codes[i].body_len + 1;
    return i;
}

int wasm_module_prepare(wasm_module *m, size_t max_bytes, wc_error *err)
{
    bool lazy = m->limits.lazy_compile;
    if (m->nprepared == 0 && lazy)
        init_stub(m);
    uint32_t end = slice_end(m, max_bytes);
    if (lazy && !m->limits.prevalidated)
        TRY(wasm_validate_bodies(m, m->nprepared, end, err));
    for (; m->nprepared < end; m->nprepared++) {
        wcode *fn = &m->codes[m->nprepared];
        const uint8_t *p = m->code_bytes + fn->body_off;
        if (lazy)
            make_lazy(m, fn);
        else
            TRY(wasm_validate_func(m, m->nprepared, p, p + fn->body_len, WASM_BODY_VALIDATE_COMPILE,
                                   NULL, err));
    }
    if (!wasm_module_prepared(m))
        return 1;
    if (!lazy) {
        wasm_arena_seal(m);
        wasm_bodies_free(m);
        m->code_borrowed = false;
    }
    return 0;
}

bool wasm_module_prepared(const wasm_module *m)
{
    return m->nprepared == m->nfuncs - m->nfunc_imports;
}

int wasm_compile_on_call(wasm_func *f, wc_error *err)
{
    wasm_module *m = (wasm_module *)f->inst->m; /* the lazy part of a module: see wasm_engine.h */
    uint32_t def = f->index - m->nfunc_imports;
    const wcode *fn = &m->codes[def];
    const uint8_t *p = m->code_bytes + fn->body_off;
    TRY(wasm_validate_func(m, def, p, p + fn->body_len, WASM_BODY_COMPILE, NULL, err));
    if (--m->nlazy == 0)
        wasm_bodies_free(m);
    return 0;
}
