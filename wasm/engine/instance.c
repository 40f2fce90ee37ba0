/* instance.c: instantiation and the runtime half of the public API.
 *
 * wasm_instance_new resolves imports against the linker (kind and type checks give "unknown import"
 * and "incompatible import type"), allocates the instance's own tables, memory and globals and
 * evaluates global initialisers. wasm_instance_start applies the active element and data segments
 * in order (a bounds failure traps, earlier writes stay, as Wasm 2.0 says) and calls the start
 * function. wasm_call sets up the execution context (value stack and frame array, allocated on
 * first use) and enters interp.c. The flat list of steps in wasm_instance_new is the place to add a
 * new kind of instance state.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "engine.h"
#include "pages.h"

/* linker.c: the newest entry of that name whose function type is want (when want is set and
 * one matches), else the newest of that name; -ENOENT when there is none. */
int wasm_linker_lookup(const wasm_linker *l, const char *module, const char *name,
                       const wasm_functype *want, wasm_extern *ret);

#define MAX_NATIVE_DEPTH 64

/* ---- linear memory: anonymous mappings, so untouched pages cost no RSS and grow is mremap
 * ----------- */

int wasm_mem_map(wasm_memory *mem, uint32_t pages)
{
    uint64_t bytes = (uint64_t)pages * WASM_PAGE_SIZE;
    mem->base = NULL;
    mem->pages = pages;
    mem->size = bytes;
    if (bytes == 0)
        return 0;
    if (bytes > SIZE_MAX) /* 32-bit hosts */
        return -ENOMEM;
    void *p = mmap(NULL, (size_t)bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -ENOMEM;
    mem->base = p;
    return 0;
}

void wasm_mem_unmap(wasm_memory *mem)
{
    if (mem && mem->base)
        munmap(mem->base, (size_t)mem->size);
}

static int mem_resize(wasm_memory *mem, uint64_t want_pages)
{
    uint64_t bytes = want_pages * WASM_PAGE_SIZE;
    if (bytes > SIZE_MAX)
        return -ENOMEM;
    if (mem->base == NULL) {
        wasm_memory fresh;
        if (wasm_mem_map(&fresh, (uint32_t)want_pages) < 0)
            return -ENOMEM;
        mem->base = fresh.base;
    } else {
        void *p = mremap(mem->base, (size_t)mem->size, (size_t)bytes, MREMAP_MAYMOVE);
        if (p == MAP_FAILED)
            return -ENOMEM;
        mem->base = p; /* the new pages are zero */
    }
    mem->pages = (uint32_t)want_pages;
    mem->size = bytes;
    return 0;
}

/* ---- growth
 * ---------------------------------------------------------------------------------------- */

int32_t wasm_memory_grow_(wasm_memory *mem, uint32_t delta)
{
    uint32_t old = mem->pages;
    uint64_t want = (uint64_t)old + delta;
    if (want > mem->max)
        return -1;
    if (want > mem->cap) {
        mem->hit_cap = true;
        return -1;
    }
    if (delta == 0)
        return (int32_t)old;
    return mem_resize(mem, want) < 0 ? -1 : (int32_t)old;
}

int32_t wasm_table_grow_(wasm_table *t, uint32_t delta, void *init, uint32_t limit)
{
    uint32_t old = t->size;
    uint64_t want = (uint64_t)old + delta;
    if ((t->has_max && want > t->max) || want > limit || want > UINT32_MAX)
        return -1;
    if (delta == 0)
        return (int32_t)old;
    void **e = realloc(t->elems, (size_t)want * sizeof(void *));
    if (e == NULL)
        return -1;
    for (uint64_t i = old; i < want; i++)
        e[i] = init;
    t->elems = e;
    t->size = (uint32_t)want;
    return (int32_t)old;
}

/* ---- imports
 * --------------------------------------------------------------------------------------- */

static bool limits_match(uint64_t size, bool has_max, uint32_t max, const wlimits *want)
{
    if (size < want->min)
        return false;
    if (want->has_max && (!has_max || max > want->max))
        return false;
    return true;
}

static int check_import(const wasm_module *m, const wimport *im, const wasm_extern *ext,
                        wc_error *err)
{
    bool ok = ext->kind == im->kind;
    if (ok) {
        switch (im->kind) {
        case WASM_EXTERN_FUNC:
            ok = wasm_functype_eq(ext->u.func->type, &m->types[im->type]);
            break;
        case WASM_EXTERN_TABLE:
            ok = ext->u.table->type == im->table.elem &&
                 limits_match(ext->u.table->size, ext->u.table->has_max, ext->u.table->max,
                              &im->table.lim);
            break;
        case WASM_EXTERN_MEMORY:
            ok = limits_match(ext->u.memory->pages, ext->u.memory->has_max, ext->u.memory->max,
                              &im->mem);
            break;
        case WASM_EXTERN_GLOBAL:
            ok = ext->u.global->type == im->global.type && ext->u.global->mut == im->global.mut;
            break;
        }
    }
    if (!ok)
        return wc_error_set(err, -ENOEXEC, "incompatible import type for %s.%s", im->module,
                            im->name);
    return 0;
}

static int link_imports(wasm_instance *inst, const wasm_linker *linker, wc_error *err)
{
    const wasm_module *m = inst->m;
    uint32_t nf = 0, nt = 0, ng = 0;
    for (uint32_t i = 0; i < m->nimports; i++) {
        const wimport *im = &m->imports[i];
        wasm_extern ext;
        const wasm_functype *want = im->kind == WASM_EXTERN_FUNC ? &m->types[im->type] : NULL;
        if (wasm_linker_lookup(linker, im->module, im->name, want, &ext) < 0)
            return wc_error_set(err, -ENOENT, "unknown import %s.%s", im->module, im->name);
        int rc = check_import(m, im, &ext, err);
        if (rc < 0)
            return rc;
        switch (im->kind) {
        case WASM_EXTERN_FUNC:
            inst->funcs[nf++] = ext.u.func;
            break;
        case WASM_EXTERN_TABLE:
            inst->tables[nt++] = ext.u.table;
            break;
        case WASM_EXTERN_MEMORY:
            inst->mem = ext.u.memory;
            break;
        case WASM_EXTERN_GLOBAL:
            inst->globals[ng++] = ext.u.global;
            break;
        }
    }
    return 0;
}

/* ---- allocation of own objects
 * ---------------------------------------------------------------------- */

/* The value stack (8 MiB by default), the frame array and big per-function arrays are mapped,
 * not malloc'd: a mapping's pages cost nothing until touched, whatever malloc's thresholds are (a
 * calloc from reused heap would zero, and so touch, all of them: in each of a thousand idle
 * workers). */
static void *map_zeroed(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

#define BIG_ARRAY_BYTES (64u << 10)

static void *alloc_func_array(uint32_t n, size_t size)
{
    size_t bytes = ((size_t)n + 1) * size;
    return bytes >= BIG_ARRAY_BYTES ? map_zeroed(bytes) : calloc(1, bytes);
}

static void free_func_array(void *p, uint32_t n, size_t size)
{
    size_t bytes = ((size_t)n + 1) * size;
    if (p && bytes >= BIG_ARRAY_BYTES)
        munmap(p, bytes);
    else
        free(p);
}

static int alloc_arrays(wasm_instance *inst, wc_error *err)
{
    const wasm_module *m = inst->m;
    uint32_t nt = m->ntables - m->ntable_imports, ng = m->nglobals - m->nglobal_imports;
    inst->funcs = alloc_func_array(m->nfuncs, sizeof(*inst->funcs));
    inst->tables = calloc(m->ntables + 1, sizeof(*inst->tables));
    inst->globals = calloc(m->nglobals + 1, sizeof(*inst->globals));
    inst->own_funcs = alloc_func_array(m->nfuncs - m->nfunc_imports, sizeof(wasm_func));
    inst->own_tables = calloc(nt + 1, sizeof(wasm_table));
    inst->own_globals = calloc(ng + 1, sizeof(wasm_global));
    inst->elem_dropped = calloc(m->nelems + 1, sizeof(bool));
    inst->data_dropped = calloc(m->ndatas + 1, sizeof(bool));
    if (!inst->funcs || !inst->tables || !inst->globals || !inst->own_funcs || !inst->own_tables ||
        !inst->own_globals || !inst->elem_dropped || !inst->data_dropped)
        return wc_error_set(err, -ENOMEM, "out of memory");
    return 0;
}

wasm_func *wasm_func_record(wasm_instance *inst, uint32_t i)
{
    const wasm_module *m = inst->m;
    wasm_func *f = &inst->own_funcs[i - m->nfunc_imports];
    *f = (wasm_func){.type = &m->types[m->func_type[i]],
                     .inst = inst,
                     .code = &m->codes[i - m->nfunc_imports],
                     .index = i};
    inst->funcs[i] = f;
    return f;
}

static int init_tables(wasm_instance *inst, wc_error *err)
{
    const wasm_module *m = inst->m;
    for (uint32_t i = m->ntable_imports; i < m->ntables; i++) {
        const wtabletype *tt = &m->tables[i];
        wasm_table *t = &inst->own_tables[i - m->ntable_imports];
        if (tt->lim.min > m->limits.max_table_elems)
            return wc_error_set(err, -E2BIG, "table of %u elements is above the limit %u",
                                tt->lim.min, m->limits.max_table_elems);
        t->elems = calloc(tt->lim.min ? tt->lim.min : 1, sizeof(void *));
        if (t->elems == NULL)
            return wc_error_set(err, -ENOMEM, "out of memory");
        t->size = tt->lim.min, t->max = tt->lim.max, t->has_max = tt->lim.has_max,
        t->type = tt->elem;
        inst->tables[i] = t;
    }
    return 0;
}

static int init_memory(wasm_instance *inst, uint32_t cap, wc_error *err)
{
    const wasm_module *m = inst->m;
    if (m->nmems == 0 || m->nmem_imports > 0)
        return 0;
    const wlimits *lim = &m->mems[0];
    uint32_t max = lim->has_max ? lim->max : 65536;
    if (max > m->limits.max_memory_pages)
        max = m->limits.max_memory_pages;
    if (cap == 0 || cap > max)
        cap = max;
    if (lim->min > cap)
        return wc_error_set(err, -E2BIG, "memory needs %u pages, the limit is %u", lim->min, cap);
    if ((uint64_t)lim->min * WASM_PAGE_SIZE > SIZE_MAX)
        return wc_error_set(err, -E2BIG,
                            "memory needs %u pages (%" PRIu64 " GiB): more than a %zu-bit host "
                            "can address",
                            lim->min, ((uint64_t)lim->min * WASM_PAGE_SIZE) >> 30,
                            sizeof(size_t) * 8);
    wasm_memory *mem = calloc(1, sizeof(*mem));
    if (mem == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    inst->own_mem = inst->mem = mem;
    if (wasm_mem_map(mem, lim->min) < 0)
        return wc_error_set(err, -ENOMEM, "cannot map %u pages of linear memory", lim->min);
    mem->max = max, mem->has_max = lim->has_max, mem->cap = cap;
    return 0;
}

static wasm_val const_value(wasm_instance *inst, const wconst *c)
{
    wasm_val v = {.u64 = c->bits};
    if (c->kind == CONST_GLOBAL)
        v = inst->globals[c->idx]->val;
    else if (c->kind == CONST_REF_FUNC)
        v.ref = wasm_inst_func(inst, c->idx);
    return v;
}

static void init_globals(wasm_instance *inst)
{
    const wasm_module *m = inst->m;
    for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++) {
        wasm_global *g = &inst->own_globals[i - m->nglobal_imports];
        const wconst *c = &m->global_init[i - m->nglobal_imports];
        g->type = m->globals[i].type, g->mut = m->globals[i].mut;
        g->val = const_value(inst, c);
        g->hi = c->kind == CONST_GLOBAL ? inst->globals[c->idx]->hi : c->hi;
        inst->globals[i] = g;
    }
}

int wasm_instance_new(const wasm_module *module, const wasm_linker *linker,
                      const wasm_instance_opts *opts, wasm_instance **ret_inst, wc_error *err)
{
    if (!wasm_module_prepared(module))
        return wc_error_set(err, -EAGAIN, "the module is not validated yet (wasm_module_prepare)");
    wasm_instance *inst = calloc(1, sizeof(*inst));
    if (inst == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    inst->m = module;
    inst->user = opts ? opts->user : NULL;
    inst->trap_func = UINT32_MAX;
    int rc = alloc_arrays(inst, err);
    if (rc == 0)
        rc = link_imports(inst, linker, err);
    if (rc == 0)
        rc = init_tables(inst, err);
    if (rc == 0)
        rc = init_memory(inst, opts ? opts->max_memory_pages : 0, err);
    if (rc < 0) {
        wasm_instance_free(inst);
        return rc;
    }
    init_globals(inst);
    inst->max_frames = module->limits.max_call_depth;
    *ret_inst = inst;
    return 0;
}

/* ---- start
 * ----------------------------------------------------------------------------------------- */

static wasm_trap init_elems(wasm_instance *inst)
{
    const wasm_module *m = inst->m;
    for (uint32_t i = 0; i < m->nelems; i++) {
        const welem *e = &m->elems[i];
        if (e->mode == SEG_ACTIVE) {
            uint32_t off = (uint32_t)const_value(inst, &e->offset).u32;
            wasm_table *t = inst->tables[e->table];
            if ((uint64_t)off + e->n > t->size)
                return WASM_TRAP_TABLE_OOB;
            for (uint32_t k = 0; k < e->n; k++)
                t->elems[off + k] = const_value(inst, &e->items[k]).ref;
        }
        if (e->mode != SEG_PASSIVE)
            inst->elem_dropped[i] = true;
    }
    return WASM_TRAP_NONE;
}

/* One madvise writes a segment's pages where the copy took a page fault each (~20 µs on a
 * paravirtualised guest, about twice a populated page's cost); a one-page segment is left to its
 * fault. Best effort: the copy faults in whatever this left. */
static void populate_segment(uint8_t *at, size_t len)
{
    size_t page = wc_page_size();
    if ((uintptr_t)at % page + len > page) /* more than one page */
        wc_populate(at, len, true);
}

static wasm_trap init_datas(wasm_instance *inst)
{
    const wasm_module *m = inst->m;
    for (uint32_t i = 0; i < m->ndatas; i++) {
        const wdata *d = &m->datas[i];
        if (d->mode != SEG_ACTIVE)
            continue;
        uint32_t off = const_value(inst, &d->offset).u32;
        if ((uint64_t)off + d->len > inst->mem->size)
            return WASM_TRAP_MEMORY_OOB;
        if (d->len) {
            populate_segment(inst->mem->base + off, d->len);
            memcpy(inst->mem->base + off, d->bytes, d->len);
        }
        inst->data_dropped[i] = true;
    }
    return WASM_TRAP_NONE;
}

/* Compiled code this small, shared with the process that compiled it (a zygote: the engine's
 * shared_code), is mapped at an instance's start in one call: a small module's start took 3 read
 * faults of it, 64 KiB at a time. A bigger module's is left to the faults of what it runs. */
#define MAP_CODE_MAX (256u << 10)

wasm_trap wasm_instance_start(wasm_instance *inst)
{
    if (inst->started)
        return WASM_TRAP_NONE;
    inst->started = true;
    if (inst->m->shared_code_bytes <= MAP_CODE_MAX)
        wasm_arena_map(inst->m);
    wasm_trap t = init_elems(inst);
    if (t == WASM_TRAP_NONE)
        t = init_datas(inst);
    if (t != WASM_TRAP_NONE) {
        inst->trap = t;
        return t;
    }
    if (inst->m->start >= 0)
        return wasm_call(inst, wasm_inst_func(inst, (uint32_t)inst->m->start), NULL, 0, NULL, 0);
    return WASM_TRAP_NONE;
}

int wasm_instantiate(const wasm_module *module, const wasm_linker *linker,
                     const wasm_instance_opts *opts, wasm_instance **ret_inst, wc_error *err)
{
    wasm_instance *inst;
    int rc = wasm_instance_new(module, linker, opts, &inst, err);
    if (rc < 0)
        return rc;
    wasm_trap t = wasm_instance_start(inst);
    if (t != WASM_TRAP_NONE) {
        rc = wc_error_set(err, -ECANCELED, "%s", wasm_instance_trap_message(inst));
        wasm_instance_free(inst);
        return rc;
    }
    *ret_inst = inst;
    return 0;
}

/* The frame array's share of the execution context's mapping: whole pages, so that the value
 * stack after it starts on a page of its own. */
static size_t frames_bytes(const wasm_instance *inst)
{
    size_t page = wc_page_size();
    return (((size_t)inst->max_frames + 1) * sizeof(wframe) + page - 1) & ~(page - 1);
}

static void unmap_stack(wasm_instance *inst)
{
    if (inst->frames)
        munmap(inst->frames,
               frames_bytes(inst) + (size_t)(inst->stack_end - inst->stack) * sizeof(uint64_t));
    inst->stack = inst->stack_end = NULL;
    inst->frames = inst->frames_end = NULL;
}

void wasm_instance_free(wasm_instance *inst)
{
    if (inst == NULL)
        return;
    const wasm_module *m = inst->m;
    for (uint32_t i = 0; inst->own_tables && i < m->ntables - m->ntable_imports; i++)
        free(inst->own_tables[i].elems);
    free(inst->own_tables);
    wasm_mem_unmap(inst->own_mem);
    free(inst->own_mem);
    free_func_array(inst->funcs, m->nfuncs, sizeof(*inst->funcs));
    free(inst->tables);
    free(inst->globals);
    free_func_array(inst->own_funcs, m->nfuncs - m->nfunc_imports, sizeof(wasm_func));
    free(inst->own_globals);
    free(inst->elem_dropped);
    free(inst->data_dropped);
    unmap_stack(inst);
    free(inst);
}

/* ---- calls
 * ----------------------------------------------------------------------------------------- */

static wasm_trap call_host(wasm_instance *inst, wasm_func *f, const wasm_val *args,
                           wasm_val *results)
{
    const wasm_functype *ft = f->type;
    uint32_t n = ft->nps > ft->nrs ? ft->nps : ft->nrs;
    wasm_val small[16], *buf = n <= 16 ? small : calloc(n, sizeof(wasm_val));
    if (buf == NULL)
        return wasm_instance_host_error(inst, "out of memory");
    if (ft->nps)
        memcpy(buf, args, ft->nps * sizeof(wasm_val));
    wasm_trap t = f->host(inst, f->env, buf, buf);
    if (t == WASM_TRAP_NONE && ft->nrs)
        memcpy(results, buf, ft->nrs * sizeof(wasm_val));
    if (buf != small)
        free(buf);
    return t;
}

/* The frame array and the value stack: one mapping, frames first. Every call writes the first
 * page of each, which one madvise each writes ahead (best effort): a page populated so costs
 * 1-4 µs, a page fault ~20-30 µs on a paravirtualised guest (issue 14: two of a container start's
 * faults). */
static int ensure_stack(wasm_instance *inst)
{
    if (inst->stack)
        return 0;
    size_t slots = inst->m->limits.max_value_stack, frames = frames_bytes(inst);
    char *p = map_zeroed(frames + slots * sizeof(uint64_t));
    if (p == NULL)
        return -ENOMEM;
    wc_populate(p, wc_page_size(), true);
    wc_populate(p + frames, wc_page_size(), true);
    inst->frames = (wframe *)(void *)p;
    inst->frames_end = inst->frames + inst->max_frames;
    inst->stack = (uint64_t *)(void *)(p + frames);
    inst->stack_end = inst->stack + slots;
    inst->sp = inst->stack;
    inst->nframes = 0;
    return 0;
}

/* What a short command (a probe's sh -c "cat FILE") touches of each at most. */
#define WARM_BYTES 8192
/* A linear memory this small is faulted in whole (the toolbox's: 128 KiB, of which its sh -c
 * "cat FILE" wrote 13 pages, spread over it); a bigger one is left to the guest. */
#define WARM_MEMORY_MAX (256u << 10)

int wasm_instance_warm(wasm_instance *inst, bool whole)
{
    if (ensure_stack(inst) < 0)
        return -ENOMEM;
    if (!whole)
        return 0;
    size_t stack = (size_t)(inst->stack_end - inst->stack) * sizeof(uint64_t);
    size_t frames = ((size_t)inst->max_frames + 1) * sizeof(wframe);
    /* zero pages written: the first call's writes fault no more */
    memset(inst->stack, 0, stack < WARM_BYTES ? stack : WARM_BYTES);
    memset(inst->frames, 0, frames < WARM_BYTES ? frames : WARM_BYTES);
    if (inst->own_mem && inst->own_mem->base && inst->own_mem->size <= WARM_MEMORY_MAX)
        wc_populate(inst->own_mem->base, (size_t)inst->own_mem->size, true);
    wasm_arena_map(inst->m);
    return 0;
}

static wasm_trap call_wasm(wasm_instance *inst, wasm_func *f, const wasm_val *args,
                           wasm_val *results)
{
    const wasm_functype *ft = f->type;
    if (ensure_stack(inst) < 0)
        return wasm_instance_host_error(inst, "out of memory for the value stack");
    uint64_t *fp = inst->nframes ? inst->sp : inst->stack;
    uint32_t saved_frames = inst->nframes;
    uint64_t *saved_sp = inst->sp;
    if (fp + (ft->nps > ft->nrs ? ft->nps : ft->nrs) > inst->stack_end)
        return WASM_TRAP_STACK_EXHAUSTED;
    for (uint32_t i = 0; i < ft->nps; i++)
        fp[i] = args[i].u64;
    wasm_trap t = wasm_interp(inst, f, fp);
    for (uint32_t i = 0; t == WASM_TRAP_NONE && i < ft->nrs; i++)
        results[i].u64 = fp[i];
    inst->nframes = saved_frames;
    inst->sp = saved_sp;
    return t;
}

wasm_trap wasm_call(wasm_instance *inst, wasm_func *func, const wasm_val *args, uint32_t nargs,
                    wasm_val *results, uint32_t nresults)
{
    if (inst->native_depth == 0) {
        atomic_store(&inst->interrupt, inst->metered ? WASM_ATTN_METERED : 0);
        inst->trap = WASM_TRAP_NONE;
        inst->msg[0] = '\0';
        inst->trap_func = UINT32_MAX;
        inst->nbacktrace = 0;
    }
    if (nargs != func->type->nps || nresults != func->type->nrs)
        return inst->trap = wasm_instance_host_error(inst, "argument count mismatch");
    if (inst->native_depth >= MAX_NATIVE_DEPTH)
        return inst->trap = WASM_TRAP_STACK_EXHAUSTED;
    inst->native_depth++;
    wasm_trap t =
        func->host ? call_host(inst, func, args, results) : call_wasm(inst, func, args, results);
    inst->native_depth--;
    if (t != WASM_TRAP_NONE)
        inst->trap = t;
    return t;
}

/* ---- accessors
 * ------------------------------------------------------------------------------------- */

const wasm_module *wasm_instance_module(const wasm_instance *inst)
{
    return inst->m;
}

void wasm_instance_set_user(wasm_instance *inst, void *user)
{
    inst->user = user;
}

void *wasm_instance_user(const wasm_instance *inst)
{
    return inst->user;
}

int wasm_instance_export(const wasm_instance *inst, const char *name, wasm_extern *ret_ext)
{
    return wasm_instance_export_n(inst, name, strlen(name), ret_ext);
}

int wasm_instance_export_n(const wasm_instance *inst, const char *name, size_t len,
                           wasm_extern *ret_ext)
{
    const wasm_module *m = inst->m;
    for (uint32_t i = 0; i < m->nexports; i++) {
        const wexport *e = &m->exports[i];
        if (e->name_len != len || memcmp(e->name, name, len) != 0)
            continue;
        wasm_extern ext = {.kind = e->kind};
        switch (e->kind) {
        case WASM_EXTERN_FUNC: /* the record is made here, if not yet: logically const */
            ext.u.func = wasm_inst_func((wasm_instance *)inst, e->idx);
            break;
        case WASM_EXTERN_TABLE:
            ext.u.table = inst->tables[e->idx];
            break;
        case WASM_EXTERN_MEMORY:
            ext.u.memory = inst->mem;
            break;
        case WASM_EXTERN_GLOBAL:
            ext.u.global = inst->globals[e->idx];
            break;
        }
        *ret_ext = ext;
        return 0;
    }
    return -ENOENT;
}

wasm_func *wasm_instance_export_func(const wasm_instance *inst, const char *name)
{
    wasm_extern ext;
    if (wasm_instance_export(inst, name, &ext) < 0 || ext.kind != WASM_EXTERN_FUNC)
        return NULL;
    return ext.u.func;
}

void wasm_func_type(const wasm_func *func, const wasm_valtype **ret_params, uint32_t *ret_nparams,
                    const wasm_valtype **ret_results, uint32_t *ret_nresults)
{
    *ret_params = func->type->params;
    *ret_nparams = func->type->np;
    *ret_results = func->type->results;
    *ret_nresults = func->type->nr;
}

wasm_trap wasm_instance_trap(const wasm_instance *inst)
{
    return inst->trap;
}

const char *wasm_instance_trap_message(const wasm_instance *inst)
{
    if (inst->trap == WASM_TRAP_HOST && inst->msg[0])
        return inst->msg;
    return wasm_trap_message(inst->trap);
}

int wasm_instance_exit_code(const wasm_instance *inst)
{
    return inst->exit_code;
}

uint32_t wasm_instance_trap_func(const wasm_instance *inst)
{
    return inst->trap_func;
}

uint32_t wasm_instance_trap_backtrace(const wasm_instance *inst, uint32_t *ret_funcs, uint32_t max)
{
    uint32_t n = inst->nbacktrace < max ? inst->nbacktrace : max;
    if (n)
        memcpy(ret_funcs, inst->backtrace, n * sizeof(uint32_t));
    return n;
}

const char *wasm_instance_func_name(const wasm_instance *inst, uint32_t func_index)
{
    const wasm_module *m = inst->m;
    if (m->func_names && func_index < m->nfunc_names && m->func_names[func_index])
        return m->func_names[func_index];
    for (uint32_t i = 0; i < m->nexports; i++)
        if (m->exports[i].kind == WASM_EXTERN_FUNC && m->exports[i].idx == func_index)
            return m->exports[i].name;
    return NULL;
}

void wasm_instance_interrupt(wasm_instance *inst)
{
    atomic_fetch_or(&inst->interrupt, WASM_ATTN_INTERRUPT);
}

wasm_trap wasm_instance_exit(wasm_instance *inst, int exit_code)
{
    inst->exit_code = exit_code;
    return WASM_TRAP_EXIT;
}

wasm_trap wasm_instance_host_error(wasm_instance *inst, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(inst->msg, sizeof(inst->msg), fmt, ap);
    va_end(ap);
    return WASM_TRAP_HOST;
}

/* ---- memory, globals, tables
 * ------------------------------------------------------------------------ */

uint8_t *wasm_memory_data(wasm_instance *inst, uint64_t *ret_size)
{
    *ret_size = inst->mem ? inst->mem->size : 0;
    return inst->mem ? inst->mem->base : NULL;
}

int wasm_memory_read(wasm_instance *inst, uint64_t offset, void *dst, size_t len)
{
    uint64_t size = inst->mem ? inst->mem->size : 0;
    if (offset > size || len > size - offset)
        return -EFAULT;
    if (len)
        memcpy(dst, inst->mem->base + offset, len);
    return 0;
}

int wasm_memory_write(wasm_instance *inst, uint64_t offset, const void *src, size_t len)
{
    uint64_t size = inst->mem ? inst->mem->size : 0;
    if (offset > size || len > size - offset)
        return -EFAULT;
    if (len)
        memcpy(inst->mem->base + offset, src, len);
    return 0;
}

uint32_t wasm_memory_pages(wasm_instance *inst)
{
    return inst->mem ? inst->mem->pages : 0;
}

bool wasm_instance_hit_memory_cap(const wasm_instance *inst)
{
    return inst->mem && inst->mem->hit_cap;
}

wasm_valtype wasm_global_type(const wasm_global *g)
{
    return g->type;
}

bool wasm_global_mutable(const wasm_global *g)
{
    return g->mut;
}

wasm_val wasm_global_get(const wasm_global *g)
{
    return g->val;
}

void wasm_global_get_v128(const wasm_global *g, wasm_val ret[2])
{
    ret[0] = g->val;
    ret[1].u64 = g->hi;
}

void wasm_global_set(wasm_global *g, wasm_val v)
{
    g->val = v;
}

uint32_t wasm_table_size(const wasm_table *t)
{
    return t->size;
}
