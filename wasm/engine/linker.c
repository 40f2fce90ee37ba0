/* linker.c: the import table. Each entry maps (module, name) to an extern; host functions,
 * globals, tables and memories defined here are owned by the linker and freed with it. Lookups
 * scan from the newest entry, so a later definition shadows an earlier one; a function import is
 * matched by name and type, so one name may carry several host functions of different types
 * (WASI's sock_accept and the WasmEdge socket extension's). */
#include <stdlib.h>

#include "engine.h"

typedef struct lentry {
    char *module, *name;
    wasm_extern ext;
    bool owned;
} lentry;

struct wasm_linker {
    lentry *e;
    size_t n, cap;
};

int wasm_linker_new(wasm_linker **ret_linker, wc_error *err)
{
    wasm_linker *l = calloc(1, sizeof(*l));
    if (l == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    *ret_linker = l;
    return 0;
}

static void free_owned(lentry *e)
{
    switch (e->ext.kind) {
    case WASM_EXTERN_FUNC:
        free(e->ext.u.func->type->params);
        free((void *)e->ext.u.func->type);
        free(e->ext.u.func);
        break;
    case WASM_EXTERN_TABLE:
        free(e->ext.u.table->elems);
        free(e->ext.u.table);
        break;
    case WASM_EXTERN_MEMORY:
        wasm_mem_unmap(e->ext.u.memory);
        free(e->ext.u.memory);
        break;
    case WASM_EXTERN_GLOBAL:
        free(e->ext.u.global);
        break;
    }
}

void wasm_linker_free(wasm_linker *linker)
{
    if (linker == NULL)
        return;
    for (size_t i = 0; i < linker->n; i++) {
        if (linker->e[i].owned)
            free_owned(&linker->e[i]);
        free(linker->e[i].module);
        free(linker->e[i].name);
    }
    free(linker->e);
    free(linker);
}

static int add(wasm_linker *l, const char *module, const char *name, wasm_extern ext, bool owned,
               wc_error *err)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        lentry *e = realloc(l->e, cap * sizeof(*e));
        if (e == NULL)
            return wc_error_set(err, -ENOMEM, "out of memory");
        l->e = e, l->cap = cap;
    }
    lentry *e = &l->e[l->n];
    e->module = strdup(module);
    e->name = strdup(name);
    if (!e->module || !e->name) {
        free(e->module), free(e->name);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    e->ext = ext, e->owned = owned;
    l->n++;
    return 0;
}

int wasm_linker_lookup(const wasm_linker *l, const char *module, const char *name,
                       const wasm_functype *want, wasm_extern *ret)
{
    bool found = false;
    for (size_t i = l ? l->n : 0; i-- > 0;) {
        const lentry *e = &l->e[i];
        if (strcmp(e->module, module) != 0 || strcmp(e->name, name) != 0)
            continue;
        if (!found) /* the newest of that name, whatever its type */
            *ret = e->ext;
        found = true;
        if (want == NULL ||
            (e->ext.kind == WASM_EXTERN_FUNC && wasm_functype_eq(e->ext.u.func->type, want))) {
            *ret = e->ext;
            return 0;
        }
    }
    return found ? 0 : -ENOENT;
}

int wasm_linker_define_func(wasm_linker *linker, const char *module, const char *name,
                            const wasm_valtype *params, uint32_t nparams,
                            const wasm_valtype *results, uint32_t nresults, wasm_host_fn fn,
                            void *env, wc_error *err)
{
    wasm_func *f = calloc(1, sizeof(*f));
    wasm_functype *ft = calloc(1, sizeof(*ft));
    wasm_valtype *types = calloc((size_t)nparams + nresults + 1, sizeof(wasm_valtype));
    if (!f || !ft || !types) {
        free(f), free(ft), free(types);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    if (nparams)
        memcpy(types, params, nparams * sizeof(wasm_valtype));
    if (nresults)
        memcpy(types + nparams, results, nresults * sizeof(wasm_valtype));
    *ft = (wasm_functype){nparams, nresults, 0, 0, types, types + nparams};
    for (uint32_t i = 0; i < nparams; i++)
        ft->nps += wasm_slots(params[i]);
    for (uint32_t i = 0; i < nresults; i++)
        ft->nrs += wasm_slots(results[i]);
    *f = (wasm_func){.type = ft, .host = fn, .env = env, .index = UINT32_MAX};
    wasm_extern ext = {.kind = WASM_EXTERN_FUNC, .u.func = f};
    int rc = add(linker, module, name, ext, true, err);
    if (rc < 0) {
        free(f), free(ft), free(types);
    }
    return rc;
}

int wasm_linker_define_global(wasm_linker *linker, const char *module, const char *name,
                              wasm_valtype type, bool mutable_, wasm_val value, wc_error *err)
{
    wasm_global *g = calloc(1, sizeof(*g));
    if (g == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    *g = (wasm_global){.type = type, .mut = mutable_, .val = value};
    int rc = add(linker, module, name, (wasm_extern){.kind = WASM_EXTERN_GLOBAL, .u.global = g},
                 true, err);
    if (rc < 0)
        free(g);
    return rc;
}

int wasm_linker_define_table(wasm_linker *linker, const char *module, const char *name,
                             wasm_valtype elem, uint32_t min, uint32_t max, wc_error *err)
{
    wasm_table *t = calloc(1, sizeof(*t));
    void **elems = calloc(min ? min : 1, sizeof(void *));
    if (!t || !elems) {
        free(t), free(elems);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    *t = (wasm_table){elems, min, max, max != UINT32_MAX, elem};
    int rc = add(linker, module, name, (wasm_extern){.kind = WASM_EXTERN_TABLE, .u.table = t}, true,
                 err);
    if (rc < 0)
        free(t), free(elems);
    return rc;
}

int wasm_linker_define_memory(wasm_linker *linker, const char *module, const char *name,
                              uint32_t min_pages, uint32_t max_pages, wc_error *err)
{
    if (min_pages > 65536)
        return wc_error_set(err, -EINVAL, "memory of %u pages is above 4 GiB", min_pages);
    wasm_memory *m = calloc(1, sizeof(*m));
    if (m == NULL || wasm_mem_map(m, min_pages) < 0) {
        free(m);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    bool has_max = max_pages != UINT32_MAX;
    m->max = has_max ? max_pages : 65536, m->has_max = has_max, m->cap = 65536;
    int rc = add(linker, module, name, (wasm_extern){.kind = WASM_EXTERN_MEMORY, .u.memory = m},
                 true, err);
    if (rc < 0) {
        wasm_mem_unmap(m);
        free(m);
    }
    return rc;
}

int wasm_linker_define_extern(wasm_linker *linker, const char *module, const char *name,
                              wasm_extern ext, wc_error *err)
{
    return add(linker, module, name, ext, false, err);
}

int wasm_linker_define_instance(wasm_linker *linker, const char *module, wasm_instance *inst,
                                wc_error *err)
{
    const wasm_module *m = inst->m;
    for (uint32_t i = 0; i < m->nexports; i++) {
        wasm_extern ext;
        int rc = wasm_instance_export_n(inst, m->exports[i].name, m->exports[i].name_len, &ext);
        if (rc == 0)
            rc = add(linker, module, m->exports[i].name, ext, false, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}
