/* module.c: the module half of the public API: limits, load (decode.c + validate.c), listing of
 * imports and exports, trap messages. A loaded module is never written again, so it can be shared
 * by instances, threads and forked processes. */
#include <stdint.h>
#include <stdlib.h>

#include "engine.h"

void wasm_limits_default(wasm_limits *ret)
{
    *ret = (wasm_limits){
        .max_module_bytes = 256u << 20,
        .max_functions = 1000000,
        .max_locals = 50000,
        .max_nesting = 10000,
        .max_section_items = 1000000,
        .max_value_stack = 1u << 20,
        .max_call_depth = 20000,
        .max_memory_pages = 65536,
        .max_table_elems = 10000000,
        .max_type_arity = 1000,
    };
}

static void merge_limits(wasm_limits *dst, const wasm_limits *src)
{
    wasm_limits_default(dst);
    if (src == NULL)
        return;
#define MERGE(f)                                                                                   \
    do {                                                                                           \
        if (src->f)                                                                                \
            dst->f = src->f;                                                                       \
    } while (0)
    MERGE(max_module_bytes);
    MERGE(max_functions);
    MERGE(max_locals);
    MERGE(max_nesting);
    MERGE(max_section_items);
    MERGE(max_value_stack);
    MERGE(max_call_depth);
    MERGE(max_memory_pages);
    MERGE(max_table_elems);
    MERGE(max_type_arity);
    MERGE(interruptible);
    MERGE(lazy_compile);
    MERGE(prevalidated);
    MERGE(shared_code);
#undef MERGE
    if (dst->lazy_compile) /* its functions are compiled in the process that calls them */
        dst->shared_code = 0;
    if (dst->max_memory_pages > 65536)
        dst->max_memory_pages = 65536;
}

/* The bodies stay in bytes with borrow (an eager load, which compiles them all before it returns)
 * or lifelong (the caller keeps them for the module's life). */
enum { COPY, BORROW, BORROW_LIFELONG };
static int decode(const uint8_t *bytes, size_t len, const wasm_limits *limits, int borrow,
                  wasm_module **ret_module, wc_error *err)
{
    wasm_module *m = calloc(1, sizeof(*m));
    if (m == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    merge_limits(&m->limits, limits);
    m->code_borrowed = borrow == BORROW_LIFELONG || (borrow == BORROW && !m->limits.lazy_compile);
    if (len > m->limits.max_module_bytes) {
        int rc = wc_error_set(err, -E2BIG, "module is %zu bytes, limit %llu", len,
                              (unsigned long long)m->limits.max_module_bytes);
        free(m);
        return rc;
    }
    int rc = wasm_decode(m, bytes, len, err);
    if (rc < 0) {
        wasm_module_free(m);
        return rc;
    }
    *ret_module = m;
    return 0;
}

int wasm_module_decode(const uint8_t *bytes, size_t len, const wasm_limits *limits,
                       wasm_module **ret_module, wc_error *err)
{
    return decode(bytes, len, limits, COPY, ret_module, err);
}

int wasm_module_decode_borrowed(const uint8_t *bytes, size_t len, const wasm_limits *limits,
                                wasm_module **ret_module, wc_error *err)
{
    return decode(bytes, len, limits, BORROW_LIFELONG, ret_module, err);
}

int wasm_module_load(const uint8_t *bytes, size_t len, const wasm_limits *limits,
                     wasm_module **ret_module, wc_error *err)
{
    wasm_module *m = NULL;
    TRY(decode(bytes, len, limits, BORROW, &m, err));
    int rc = wasm_module_prepare(m, SIZE_MAX, err);
    if (rc < 0) {
        wasm_module_free(m); /* the borrowed bytes are not freed: code_borrowed */
        return rc;
    }
    *ret_module = m;
    return 0;
}

void wasm_module_free(wasm_module *module)
{
    if (module == NULL)
        return;
    wasm_module_clear(module);
    free(module);
}

uint32_t wasm_module_import_count(const wasm_module *module)
{
    return module->nimports;
}

bool wasm_module_has_start(const wasm_module *module)
{
    return module->start >= 0;
}

int wasm_module_import(const wasm_module *module, uint32_t i, const char **ret_module,
                       const char **ret_name, wasm_extern_kind *ret_kind)
{
    if (i >= module->nimports)
        return -ENOENT;
    *ret_module = module->imports[i].module;
    *ret_name = module->imports[i].name;
    *ret_kind = module->imports[i].kind;
    return 0;
}

uint32_t wasm_module_export_count(const wasm_module *module)
{
    return module->nexports;
}

int wasm_module_export(const wasm_module *module, uint32_t i, const char **ret_name,
                       wasm_extern_kind *ret_kind)
{
    if (i >= module->nexports)
        return -ENOENT;
    *ret_name = module->exports[i].name;
    *ret_kind = module->exports[i].kind;
    return 0;
}

const char *wasm_trap_message(wasm_trap trap)
{
    static const char *const msgs[WASM_TRAP_COUNT_] = {
        [WASM_TRAP_NONE] = "no trap",
        [WASM_TRAP_UNREACHABLE] = "unreachable",
        [WASM_TRAP_MEMORY_OOB] = "out of bounds memory access",
        [WASM_TRAP_TABLE_OOB] = "out of bounds table access",
        [WASM_TRAP_UNDEFINED_ELEMENT] = "undefined element",
        [WASM_TRAP_UNINITIALIZED_ELEMENT] = "uninitialized element",
        [WASM_TRAP_INDIRECT_MISMATCH] = "indirect call type mismatch",
        [WASM_TRAP_DIV_ZERO] = "integer divide by zero",
        [WASM_TRAP_INT_OVERFLOW] = "integer overflow",
        [WASM_TRAP_BAD_CONVERSION] = "invalid conversion to integer",
        [WASM_TRAP_STACK_EXHAUSTED] = "call stack exhausted",
        [WASM_TRAP_HOST] = "host error",
        [WASM_TRAP_EXIT] = "exit",
        [WASM_TRAP_INTERRUPTED] = "interrupted",
    };
    if ((unsigned)trap >= WASM_TRAP_COUNT_)
        return "unknown trap";
    return msgs[trap];
}

bool wasm_functype_eq(const wasm_functype *a, const wasm_functype *b)
{
    return a == b ||
           (a->np == b->np && a->nr == b->nr &&
            memcmp(a->params, b->params, ((size_t)a->np + a->nr) * sizeof(wasm_valtype)) == 0);
}
