/* decode.c: the binary format, section by section, into a wasm_module (stage 1 of the pipeline).
 *
 * Everything outside function bodies is decoded and checked here (LEB128 encodings, section order
 * and sizes, limits, constant expressions, segment forms, UTF-8 names); each function body is
 * handed to validate.c, which validates and compiles it in one pass. Every count read from the
 * input is checked against the configured limits and against the bytes left before anything is
 * allocated, so hostile input can neither crash nor exhaust memory. Adding a section: write
 * decode_<name>(), give it an order rank in section_rank(), call it from decode_section().
 */
#include <stdlib.h>

#include "engine.h"

typedef struct rd {
    const uint8_t *p, *end;
    wc_error *err;
    wasm_module *m;
} rd;

static int bad(rd *r, const char *what)
{
    return wc_error_set(r->err, -EINVAL, "%s", what);
}

static int rd_byte(rd *r, uint8_t *ret)
{
    *ret = 0;
    if (r->p >= r->end)
        return bad(r, "unexpected end");
    *ret = *r->p++;
    return 0;
}

const char *wasm_leb(const uint8_t **pp, const uint8_t *end, unsigned bits, bool sign,
                     uint64_t *ret)
{
    const uint8_t *p = *pp;
    /* one or two bytes, most LEBs (indexes, sizes, small constants): within a width of 32 bits
     * or more, so no byte can be too long or too large */
    if (bits >= 32 && p < end && !(p[0] & 0x80)) {
        *ret = sign && (p[0] & 0x40) ? p[0] | ~(uint64_t)0x7F : p[0];
        *pp = p + 1;
        return NULL;
    }
    if (bits >= 32 && end - p >= 2 && !(p[1] & 0x80)) {
        uint64_t v = (p[0] & 0x7Fu) | (uint64_t)p[1] << 7;
        *ret = sign && (p[1] & 0x40) ? v | ~(uint64_t)0x3FFF : v;
        *pp = p + 2;
        return NULL;
    }
    uint64_t v = 0;
    unsigned shift = 0;
    uint8_t b;
    for (;;) {
        if (p >= end)
            return "unexpected end";
        b = *p++;
        if (shift + 7 >= bits && shift < bits) {
            /* last permitted byte: the unused bits must be zero (unsigned) or the sign (signed) */
            unsigned used = bits - shift - (sign ? 1 : 0);
            if (b & 0x80)
                return "integer representation too long";
            uint8_t rest = (uint8_t)(b >> used) & 0x7F, all = (uint8_t)(0x7F >> used);
            if (rest != 0 && !(sign && rest == all))
                return "integer too large";
        }
        v |= (uint64_t)(b & 0x7F) << shift;
        shift += 7;
        if (!(b & 0x80))
            break;
    }
    if (sign && shift < 64 && (b & 0x40))
        v |= ~(uint64_t)0 << shift;
    *ret = v;
    *pp = p;
    return NULL;
}

static int rd_leb(rd *r, unsigned bits, bool sign, uint64_t *ret)
{
    *ret = 0;
    const char *msg = wasm_leb(&r->p, r->end, bits, sign, ret);
    return msg ? bad(r, msg) : 0;
}

static int rd_u32(rd *r, uint32_t *ret)
{
    uint64_t v;
    TRY(rd_leb(r, 32, false, &v));
    *ret = (uint32_t)v;
    return 0;
}

/* A count of items that each take at least one byte: bounded by the bytes left and the limit. */
static int rd_count(rd *r, uint32_t *ret)
{
    TRY(rd_u32(r, ret));
    if (*ret > (size_t)(r->end - r->p))
        return bad(r, "unexpected end of section or function");
    if (*ret > r->m->limits.max_section_items)
        return wc_error_set(r->err, -E2BIG, "too many items in a section (%u, limit %u)", *ret,
                            r->m->limits.max_section_items);
    return 0;
}

static void *xcalloc(rd *r, size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (p == NULL)
        wc_error_set(r->err, -ENOMEM, "out of memory");
    return p;
}

static bool utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        uint32_t cp;
        size_t len;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

static int rd_name_n(rd *r, char **ret, uint32_t *ret_len)
{
    uint32_t n;
    TRY(rd_u32(r, &n));
    if (n > (size_t)(r->end - r->p))
        return bad(r, "unexpected end");
    if (!utf8_valid(r->p, n))
        return bad(r, "malformed UTF-8 encoding");
    char *s = xcalloc(r, (size_t)n + 1, 1);
    if (s == NULL)
        return -ENOMEM;
    memcpy(s, r->p, n);
    r->p += n;
    *ret = s;
    if (ret_len)
        *ret_len = n;
    return 0;
}

static int rd_name(rd *r, char **ret)
{
    return rd_name_n(r, ret, NULL);
}

static int rd_valtype(rd *r, wasm_valtype *ret)
{
    uint8_t b;
    *ret = WASM_I32;
    TRY(rd_byte(r, &b));
    switch (b) {
    case WASM_I32:
    case WASM_I64:
    case WASM_F32:
    case WASM_F64:
    case WASM_V128:
    case WASM_FUNCREF:
    case WASM_EXTERNREF:
        *ret = (wasm_valtype)b;
        return 0;
    default:
        return bad(r, "malformed value type");
    }
}

static int rd_reftype(rd *r, wasm_valtype *ret)
{
    uint8_t b;
    *ret = WASM_FUNCREF;
    TRY(rd_byte(r, &b));
    if (b != WASM_FUNCREF && b != WASM_EXTERNREF)
        return bad(r, "malformed reference type");
    *ret = (wasm_valtype)b;
    return 0;
}

static int rd_limits(rd *r, wlimits *ret, uint32_t hard_max, const char *what)
{
    uint8_t flag;
    TRY(rd_byte(r, &flag));
    if (flag > 1)
        return bad(r, "integer too large");
    TRY(rd_u32(r, &ret->min));
    ret->has_max = flag == 1;
    ret->max = UINT32_MAX;
    if (ret->has_max)
        TRY(rd_u32(r, &ret->max));
    if (ret->min > hard_max || (ret->has_max && ret->max > hard_max))
        return wc_error_set(r->err, -EINVAL, "%s size must be at most %u", what, hard_max);
    if (ret->has_max && ret->min > ret->max)
        return bad(r, "size minimum must not be greater than maximum");
    return 0;
}

static int rd_tabletype(rd *r, wtabletype *ret)
{
    TRY(rd_reftype(r, &ret->elem));
    return rd_limits(r, &ret->lim, UINT32_MAX, "table");
}

static int rd_globaltype(rd *r, wglobaltype *ret)
{
    uint8_t mut;
    TRY(rd_valtype(r, &ret->type));
    TRY(rd_byte(r, &mut));
    if (mut > 1)
        return bad(r, "malformed mutability");
    ret->mut = mut;
    return 0;
}

static uint32_t total_globals_so_far(const wasm_module *m)
{
    return m->nglobal_imports;
}

/* A constant expression of type want; marks ref.func targets as declared. */
static int rd_const(rd *r, wasm_valtype want, wconst *ret)
{
    wasm_module *m = r->m;
    uint8_t op;
    uint64_t v;
    wasm_valtype t;
    TRY(rd_byte(r, &op));
    memset(ret, 0, sizeof(*ret));
    switch (op) {
    case 0x41:
        TRY(rd_leb(r, 32, true, &v));
        ret->bits = (uint32_t)v;
        t = WASM_I32;
        break;
    case 0x42:
        TRY(rd_leb(r, 64, true, &v));
        ret->bits = v;
        t = WASM_I64;
        break;
    case 0x43:
        if (r->end - r->p < 4)
            return bad(r, "unexpected end");
        uint32_t f;
        memcpy(&f, r->p, 4);
        r->p += 4, ret->bits = f, t = WASM_F32;
        break;
    case 0x44:
        if (r->end - r->p < 8)
            return bad(r, "unexpected end");
        memcpy(&ret->bits, r->p, 8);
        r->p += 8, t = WASM_F64;
        break;
    case 0xFD: /* v128.const: sub-opcode 12, then 16 bytes */
        TRY(rd_leb(r, 32, false, &v));
        if (v != 12)
            return bad(r, "constant expression required");
        if (r->end - r->p < 16)
            return bad(r, "unexpected end");
        memcpy(&ret->bits, r->p, 8);
        memcpy(&ret->hi, r->p + 8, 8);
        r->p += 16, t = WASM_V128;
        break;
    case 0xD0:
        TRY(rd_reftype(r, &t));
        break;
    case 0xD2:
        TRY(rd_u32(r, &ret->idx));
        if (ret->idx >= m->nfuncs)
            return bad(r, "unknown function");
        m->func_declared[ret->idx] = true;
        ret->kind = CONST_REF_FUNC, t = WASM_FUNCREF;
        break;
    case 0x23:
        TRY(rd_u32(r, &ret->idx));
        if (ret->idx >= total_globals_so_far(m))
            return bad(r, "unknown global");
        if (m->globals[ret->idx].mut)
            return bad(r, "constant expression required");
        ret->kind = CONST_GLOBAL, t = m->globals[ret->idx].type;
        break;
    default:
        return bad(r, "constant expression required");
    }
    TRY(rd_byte(r, &op));
    if (op != 0x0B)
        return bad(r, op == 0x41 || op == 0x42 || op == 0x23 ? "type mismatch"
                                                             : "constant expression required");
    if (t != want)
        return bad(r, "type mismatch");
    return 0;
}

static int decode_types(rd *r)
{
    wasm_module *m = r->m;
    TRY(rd_count(r, &m->ntypes));
    if ((m->types = xcalloc(r, m->ntypes, sizeof(*m->types))) == NULL)
        return -ENOMEM;
    for (uint32_t i = 0; i < m->ntypes; i++) {
        wasm_functype *ft = &m->types[i];
        uint8_t form;
        uint32_t np, nr;
        TRY(rd_byte(r, &form));
        if (form != 0x60)
            return bad(r, "malformed function type");
        TRY(rd_count(r, &np));
        const uint8_t *save = r->p;
        wasm_valtype tmp;
        for (uint32_t k = 0; k < np; k++)
            TRY(rd_valtype(r, &tmp));
        TRY(rd_count(r, &nr));
        if (np > m->limits.max_type_arity || nr > m->limits.max_type_arity)
            return wc_error_set(r->err, -E2BIG,
                                "function type with %u params and %u results (limit %u each)", np,
                                nr, m->limits.max_type_arity);
        if ((ft->params = xcalloc(r, (size_t)np + nr, sizeof(wasm_valtype))) == NULL)
            return -ENOMEM;
        ft->np = np, ft->nr = nr, ft->results = ft->params + np;
        const uint8_t *after = r->p;
        r->p = save;
        for (uint32_t k = 0; k < np; k++)
            TRY(rd_valtype(r, &ft->params[k]));
        r->p = after;
        for (uint32_t k = 0; k < nr; k++)
            TRY(rd_valtype(r, &ft->results[k]));
        for (uint32_t k = 0; k < np; k++)
            ft->nps += wasm_slots(ft->params[k]);
        for (uint32_t k = 0; k < nr; k++)
            ft->nrs += wasm_slots(ft->results[k]);
    }
    return 0;
}

static int check_mems(rd *r)
{
    if (r->m->nmems > 1)
        return bad(r, "multiple memories");
    return 0;
}

static int decode_imports(rd *r)
{
    wasm_module *m = r->m;
    TRY(rd_count(r, &m->nimports));
    if ((m->imports = xcalloc(r, m->nimports, sizeof(*m->imports))) == NULL)
        return -ENOMEM;
    /* first pass counts kinds so the index spaces can be allocated before section 3 */
    for (uint32_t i = 0; i < m->nimports; i++) {
        wimport *im = &m->imports[i];
        uint8_t kind;
        TRY(rd_name(r, &im->module));
        TRY(rd_name(r, &im->name));
        TRY(rd_byte(r, &kind));
        im->kind = (wasm_extern_kind)kind;
        switch (kind) {
        case 0:
            TRY(rd_u32(r, &im->type));
            if (im->type >= m->ntypes)
                return bad(r, "unknown type");
            m->nfunc_imports++;
            break;
        case 1:
            TRY(rd_tabletype(r, &im->table));
            m->ntable_imports++;
            break;
        case 2:
            TRY(rd_limits(r, &im->mem, 65536, "memory"));
            m->nmem_imports++;
            break;
        case 3:
            TRY(rd_globaltype(r, &im->global));
            m->nglobal_imports++;
            break;
        default:
            return bad(r, "malformed import kind");
        }
    }
    m->nfuncs = m->nfunc_imports, m->ntables = m->ntable_imports;
    m->nmems = m->nmem_imports, m->nglobals = m->nglobal_imports;
    return check_mems(r);
}

/* Allocates the index spaces for imports (+ defined entries, known later) */
static int alloc_imported(rd *r, uint32_t nfuncs_def)
{
    wasm_module *m = r->m;
    uint64_t total = (uint64_t)m->nfunc_imports + nfuncs_def;
    if (total > m->limits.max_functions)
        return wc_error_set(r->err, -E2BIG, "too many functions (%llu, limit %u)",
                            (unsigned long long)total, m->limits.max_functions);
    m->nfuncs = (uint32_t)total;
    if ((m->func_type = xcalloc(r, total, sizeof(uint32_t))) == NULL ||
        (m->func_declared = xcalloc(r, total, sizeof(bool))) == NULL)
        return -ENOMEM;
    uint32_t f = 0;
    for (uint32_t i = 0; i < m->nimports; i++)
        if (m->imports[i].kind == WASM_EXTERN_FUNC)
            m->func_type[f++] = m->imports[i].type;
    return 0;
}

static int decode_functions(rd *r)
{
    wasm_module *m = r->m;
    uint32_t n;
    TRY(rd_count(r, &n));
    free(m->func_type), free(m->func_declared);
    m->func_type = NULL, m->func_declared = NULL;
    TRY(alloc_imported(r, n));
    if ((m->codes = xcalloc(r, n, sizeof(*m->codes))) == NULL)
        return -ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t t;
        TRY(rd_u32(r, &t));
        if (t >= m->ntypes)
            return bad(r, "unknown type");
        m->func_type[m->nfunc_imports + i] = t;
        m->codes[i].type = t;
    }
    return 0;
}

static int decode_tables(rd *r)
{
    wasm_module *m = r->m;
    uint32_t n;
    TRY(rd_count(r, &n));
    wtabletype *t = realloc(m->tables, ((size_t)m->ntable_imports + n + 1) * sizeof(*t));
    if (t == NULL)
        return wc_error_set(r->err, -ENOMEM, "out of memory");
    m->tables = t;
    m->ntables = m->ntable_imports + n;
    for (uint32_t i = 0; i < n; i++)
        TRY(rd_tabletype(r, &m->tables[m->ntable_imports + i]));
    return 0;
}

static int decode_mems(rd *r)
{
    wasm_module *m = r->m;
    uint32_t n;
    TRY(rd_count(r, &n));
    if ((uint64_t)m->nmem_imports + n > 1)
        return bad(r, "multiple memories");
    m->nmems = m->nmem_imports + n;
    for (uint32_t i = 0; i < n; i++)
        TRY(rd_limits(r, &m->mems[m->nmem_imports + i], 65536, "memory"));
    return 0;
}

static int decode_globals(rd *r)
{
    wasm_module *m = r->m;
    uint32_t n;
    TRY(rd_count(r, &n));
    wglobaltype *g = realloc(m->globals, ((size_t)m->nglobal_imports + n + 1) * sizeof(*g));
    if (g == NULL)
        return wc_error_set(r->err, -ENOMEM, "out of memory");
    m->globals = g;
    if ((m->global_init = xcalloc(r, n, sizeof(wconst))) == NULL)
        return -ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        TRY(rd_globaltype(r, &g[m->nglobal_imports + i]));
        TRY(rd_const(r, g[m->nglobal_imports + i].type, &m->global_init[i]));
        m->nglobals = m->nglobal_imports + i + 1;
    }
    return 0;
}

static int cmp_export(const void *a, const void *b)
{
    const wexport *x = *(const wexport *const *)a, *y = *(const wexport *const *)b;
    if (x->name_len != y->name_len)
        return x->name_len < y->name_len ? -1 : 1;
    return memcmp(x->name, y->name, x->name_len);
}

/* Export names must be unique: sort pointers by name and compare neighbours (O(n log n)). */
static int check_unique_exports(rd *r)
{
    wasm_module *m = r->m;
    if (m->nexports < 2)
        return 0;
    const wexport **v = xcalloc(r, m->nexports, sizeof(*v));
    if (v == NULL)
        return -ENOMEM;
    for (uint32_t i = 0; i < m->nexports; i++)
        v[i] = &m->exports[i];
    qsort(v, m->nexports, sizeof(*v), cmp_export);
    int rc = 0;
    for (uint32_t i = 1; i < m->nexports && rc == 0; i++)
        if (cmp_export(&v[i - 1], &v[i]) == 0)
            rc = bad(r, "duplicate export name");
    free(v);
    return rc;
}

static int decode_exports(rd *r)
{
    wasm_module *m = r->m;
    TRY(rd_count(r, &m->nexports));
    if ((m->exports = xcalloc(r, m->nexports, sizeof(*m->exports))) == NULL)
        return -ENOMEM;
    for (uint32_t i = 0; i < m->nexports; i++) {
        wexport *e = &m->exports[i];
        uint8_t kind;
        TRY(rd_name_n(r, &e->name, &e->name_len));
        TRY(rd_byte(r, &kind));
        TRY(rd_u32(r, &e->idx));
        e->kind = (wasm_extern_kind)kind;
        uint32_t lim[4] = {m->nfuncs, m->ntables, m->nmems, m->nglobals};
        static const char *const unknown[4] = {"unknown function", "unknown table",
                                               "unknown memory", "unknown global"};
        if (kind > 3)
            return bad(r, "malformed export kind");
        if (e->idx >= lim[kind])
            return bad(r, unknown[kind]);
        if (kind == 0)
            m->func_declared[e->idx] = true;
    }
    return check_unique_exports(r);
}

static int decode_start(rd *r)
{
    wasm_module *m = r->m;
    uint32_t f;
    TRY(rd_u32(r, &f));
    if (f >= m->nfuncs)
        return bad(r, "unknown function");
    const wasm_functype *t = &m->types[m->func_type[f]];
    if (t->np || t->nr)
        return bad(r, "start function");
    m->start = f;
    return 0;
}

static int rd_elem_items(rd *r, welem *e, bool exprs)
{
    wasm_module *m = r->m;
    TRY(rd_count(r, &e->n));
    if ((e->items = xcalloc(r, e->n, sizeof(wconst))) == NULL)
        return -ENOMEM;
    for (uint32_t i = 0; i < e->n; i++) {
        if (exprs) {
            TRY(rd_const(r, e->type, &e->items[i]));
            continue;
        }
        uint32_t f;
        TRY(rd_u32(r, &f));
        if (f >= m->nfuncs)
            return bad(r, "unknown function");
        m->func_declared[f] = true;
        e->items[i].kind = CONST_REF_FUNC, e->items[i].idx = f;
    }
    return 0;
}

static int decode_elem(rd *r, welem *e)
{
    wasm_module *m = r->m;
    uint32_t flags;
    TRY(rd_u32(r, &flags));
    if (flags > 7)
        return bad(r, "malformed elements segment kind");
    bool exprs = flags & 4;
    e->mode = (flags & 1) ? ((flags & 2) ? SEG_DECLARATIVE : SEG_PASSIVE) : SEG_ACTIVE;
    e->type = WASM_FUNCREF;
    if (e->mode == SEG_ACTIVE) {
        if (flags & 2)
            TRY(rd_u32(r, &e->table));
        if (e->table >= m->ntables)
            return bad(r, "unknown table");
        TRY(rd_const(r, WASM_I32, &e->offset));
    }
    if (flags & 3) {
        if (exprs) {
            TRY(rd_reftype(r, &e->type));
        } else {
            uint8_t kind;
            TRY(rd_byte(r, &kind));
            if (kind != 0)
                return bad(r, "malformed element kind");
        }
    }
    TRY(rd_elem_items(r, e, exprs));
    if (e->mode == SEG_ACTIVE && m->tables[e->table].elem != e->type)
        return bad(r, "type mismatch");
    return 0;
}

static int decode_elems(rd *r)
{
    wasm_module *m = r->m;
    TRY(rd_count(r, &m->nelems));
    if ((m->elems = xcalloc(r, m->nelems, sizeof(welem))) == NULL)
        return -ENOMEM;
    for (uint32_t i = 0; i < m->nelems; i++)
        TRY(decode_elem(r, &m->elems[i]));
    return 0;
}

static int decode_datacount(rd *r)
{
    TRY(rd_u32(r, &r->m->datacount));
    r->m->has_datacount = true;
    return 0;
}

/* The bodies are copied (or borrowed, during wasm_module_load) and their places noted; prepare.c
 * validates and compiles them. */
static int decode_code(rd *r, bool seen_funcs)
{
    wasm_module *m = r->m;
    uint32_t n;
    TRY(rd_count(r, &n));
    uint32_t ndef = seen_funcs ? m->nfuncs - m->nfunc_imports : 0;
    if (n != ndef)
        return bad(r, "function and code section have inconsistent lengths");
    m->seen_code = true;
    const uint8_t *base = r->p;
    if (n && m->code_borrowed) {
        m->code_bytes = (uint8_t *)base; /* the caller's, for the load: not written */
    } else if (n && wasm_bodies_copy(m, base, (size_t)(r->end - base)) < 0) {
        return wc_error_set(r->err, -ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t size;
        TRY(rd_u32(r, &size));
        if (size > (size_t)(r->end - r->p))
            return bad(r, "unexpected end of section or function");
        m->codes[i].body_off = (uint32_t)(r->p - base);
        m->codes[i].body_len = size;
        r->p += size;
    }
    return 0;
}

static int decode_datas(rd *r)
{
    wasm_module *m = r->m;
    TRY(rd_count(r, &m->ndatas));
    if (m->has_datacount && m->datacount != m->ndatas)
        return bad(r, "data count and data section have inconsistent lengths");
    if ((m->datas = xcalloc(r, m->ndatas, sizeof(wdata))) == NULL)
        return -ENOMEM;
    for (uint32_t i = 0; i < m->ndatas; i++) {
        wdata *d = &m->datas[i];
        uint32_t flags;
        TRY(rd_u32(r, &flags));
        if (flags > 2)
            return bad(r, "malformed data segment kind");
        d->mode = flags == 1 ? SEG_PASSIVE : SEG_ACTIVE;
        if (flags == 2)
            TRY(rd_u32(r, &d->mem));
        if (d->mode == SEG_ACTIVE) {
            if (d->mem >= m->nmems)
                return bad(r, "unknown memory");
            TRY(rd_const(r, WASM_I32, &d->offset));
        }
        TRY(rd_u32(r, &d->len));
        if (d->len > (size_t)(r->end - r->p))
            return bad(r, "unexpected end of section or function");
        if ((d->bytes = xcalloc(r, d->len, 1)) == NULL)
            return -ENOMEM;
        memcpy(d->bytes, r->p, d->len);
        r->p += d->len;
    }
    return 0;
}

/* The function names of a "name" section (for trap messages). Best effort: a malformed name
 * section is ignored, as the spec requires. */
static void decode_func_names(rd *r)
{
    wasm_module *m = r->m;
    wc_error scratch;
    rd sub = {r->p, r->end, &scratch, m};
    while (sub.p < sub.end && m->func_names == NULL && m->nfuncs) {
        uint8_t id;
        uint32_t size, n;
        if (rd_byte(&sub, &id) < 0 || rd_u32(&sub, &size) < 0 || size > (size_t)(sub.end - sub.p))
            return;
        if (id != 1) {
            sub.p += size;
            continue;
        }
        sub.end = sub.p + size;
        if (rd_count(&sub, &n) < 0 || (m->func_names = calloc(m->nfuncs, sizeof(char *))) == NULL)
            return;
        m->nfunc_names = m->nfuncs;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t idx;
            char *name;
            if (rd_u32(&sub, &idx) < 0 || rd_name(&sub, &name) < 0)
                return;
            if (idx < m->nfunc_names && m->func_names[idx] == NULL)
                m->func_names[idx] = name;
            else
                free(name);
        }
    }
}

static int decode_custom(rd *r)
{
    char *name = NULL;
    TRY(rd_name(r, &name));
    if (strcmp(name, "name") == 0)
        decode_func_names(r);
    free(name);
    r->p = r->end;
    return 0;
}

/* Order rank of a section id (0 for custom, -1 for unknown). Data count (12) sits between 9 and 10.
 */
static int section_rank(uint8_t id)
{
    static const int8_t rank[13] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
    return id <= 12 ? rank[id] : -1;
}

static int decode_section(rd *r, uint8_t id, bool *seen_funcs)
{
    switch (id) {
    case 0:
        return decode_custom(r);
    case 1:
        return decode_types(r);
    case 2:
        return decode_imports(r);
    case 3:
        *seen_funcs = true;
        return decode_functions(r);
    case 4:
        return decode_tables(r);
    case 5:
        return decode_mems(r);
    case 6:
        return decode_globals(r);
    case 7:
        return decode_exports(r);
    case 8:
        return decode_start(r);
    case 9:
        return decode_elems(r);
    case 10:
        return decode_code(r, *seen_funcs);
    case 11:
        return decode_datas(r);
    case 12:
        return decode_datacount(r);
    }
    return bad(r, "malformed section id");
}

/* Sizes the table/memory/global arrays for the imported entries (imports were counted); the
 * sections that define more grow them (a table per byte left was 16 bytes of zeroed memory per
 * byte of module: most of a load's time). */
static int reserve_spaces(rd *r)
{
    wasm_module *m = r->m;
    if ((m->tables = xcalloc(r, m->ntable_imports + 1, sizeof(wtabletype))) == NULL ||
        (m->mems = xcalloc(r, m->nmem_imports + 2, sizeof(wlimits))) == NULL ||
        (m->globals = xcalloc(r, m->nglobal_imports + 1, sizeof(wglobaltype))) == NULL)
        return -ENOMEM;
    uint32_t t = 0, me = 0, g = 0;
    for (uint32_t i = 0; i < m->nimports; i++) {
        const wimport *im = &m->imports[i];
        if (im->kind == WASM_EXTERN_TABLE)
            m->tables[t++] = im->table;
        else if (im->kind == WASM_EXTERN_MEMORY)
            m->mems[me++] = im->mem;
        else if (im->kind == WASM_EXTERN_GLOBAL)
            m->globals[g++] = im->global;
    }
    return alloc_imported(r, 0);
}

static int decode_sections(rd *r)
{
    int last = 0;
    bool seen_funcs = false, reserved = false;
    while (r->p < r->end) {
        uint8_t id;
        uint32_t size;
        TRY(rd_byte(r, &id));
        TRY(rd_u32(r, &size));
        if (size > (size_t)(r->end - r->p))
            return bad(r, "section size mismatch: unexpected end");
        int rank = section_rank(id);
        if (rank < 0)
            return bad(r, "malformed section id");
        if (rank != 0 && rank <= last)
            return bad(r, "unexpected content after last section (junk or out-of-order section)");
        if (rank > 2 && !reserved) {
            TRY(reserve_spaces(r));
            reserved = true;
        }
        rd sub = {r->p, r->p + size, r->err, r->m};
        TRY(decode_section(&sub, id, &seen_funcs));
        if (sub.p != sub.end)
            return bad(r, "section size mismatch");
        r->p += size;
        if (rank)
            last = rank;
    }
    if (!reserved)
        TRY(reserve_spaces(r));
    if (seen_funcs && r->m->nfuncs != r->m->nfunc_imports && !r->m->seen_code)
        return bad(r, "function and code section have inconsistent lengths");
    if (r->m->has_datacount && r->m->datacount != r->m->ndatas && r->m->ndatas == 0)
        return bad(r, "data count and data section have inconsistent lengths");
    return 0;
}

int wasm_decode(wasm_module *m, const uint8_t *p, size_t len, wc_error *err)
{
    rd r = {p, p + len, err, m};
    static const uint8_t magic[4] = {0, 'a', 's', 'm'}, version[4] = {1, 0, 0, 0};
    m->start = -1;
    m->work_left = 64 * (int64_t)len + (1 << 20);
    if (len < 4 || memcmp(p, magic, 4) != 0)
        return bad(&r, "magic header not detected");
    if (len < 8 || memcmp(p + 4, version, 4) != 0)
        return bad(&r, "unknown binary version");
    r.p += 8;
    return decode_sections(&r);
}

void wasm_module_clear(wasm_module *m)
{
    for (uint32_t i = 0; m->types && i < m->ntypes; i++)
        free(m->types[i].params);
    free(m->types);
    for (uint32_t i = 0; m->imports && i < m->nimports; i++)
        free(m->imports[i].module), free(m->imports[i].name);
    free(m->imports);
    for (uint32_t i = 0; m->func_names && i < m->nfunc_names; i++)
        free(m->func_names[i]);
    free(m->func_names);
    free(m->func_type);
    free(m->func_declared);
    if (m->codes && !m->limits.shared_code)
        for (uint32_t i = 0; i < m->nfuncs - m->nfunc_imports; i++)
            if (m->codes[i].code != &m->lazy_stub)
                free(m->codes[i].code);
    wasm_arena_free(m);
    free(m->codes);
    free(m->tables);
    free(m->mems);
    free(m->globals);
    free(m->global_init);
    for (uint32_t i = 0; m->exports && i < m->nexports; i++)
        free(m->exports[i].name);
    free(m->exports);
    for (uint32_t i = 0; m->elems && i < m->nelems; i++)
        free(m->elems[i].items);
    free(m->elems);
    for (uint32_t i = 0; m->datas && i < m->ndatas; i++)
        free(m->datas[i].bytes);
    free(m->datas);
    wasm_bodies_free(m);
}
