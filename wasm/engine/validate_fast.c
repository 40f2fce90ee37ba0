/* validate_fast.c: the fast path of validation without compile (WASM_BODY_VALIDATE: a module
 * validated at load whose functions compile on their first call, or one validated ahead of its
 * start, issue 14). Straight-line code is mostly simple instructions, locals, globals, constants,
 * loads and stores; vfast_run types a run of them in one loop on the operand type stack, with
 * no code to emit, no call per instruction and no allocation.
 *
 * It accepts only what is plainly valid and decides nothing else: at the first instruction it
 * does not handle, or whose operands are not exactly the types it needs (the unknown entries of
 * unreachable code, a mismatch, an entry below the block's height), or whose immediate it cannot
 * read at once (a long LEB128, the end of the body), or that would grow the stack's arrays or
 * the frame to its limit, it stops before that instruction, and validate.c's rules take it and
 * give any error. So every rule and every message stays in validate.c; what it accepts here is
 * what those rules accept, with the same state after it (types, homes, frame size).
 * Adding an instruction: a case that checks its operands' types exactly and commits only then.
 */
#include "compile.h"

typedef struct mem_op {
    uint8_t store, type, align;
} mem_op;

static const mem_op mem_ops[256] = {
#define X_LOAD(b, n, t, al) [b] = {0, t, al},
    WASM_LOAD_OPS(X_LOAD)
#undef X_LOAD
#define X_STORE(b, n, t, al) [b] = {1, t, al},
        WASM_STORE_OPS(X_STORE)
#undef X_STORE
};

/* The length of a LEB128 at p of at most max bytes (whose value needs no range check), or 0. */
static inline size_t short_leb(const uint8_t *p, const uint8_t *end, size_t max)
{
    for (size_t n = 0; n < max && p + n < end; n++)
        if (!(p[n] & 0x80))
            return n + 1;
    return 0;
}

/* A one-byte index at p (values up to 127), or -1. */
static inline int32_t small_index(const uint8_t *p, const uint8_t *end)
{
    return p < end && !(*p & 0x80) ? *p : -1;
}

typedef struct fstack {
    wasm_valtype *vt;
    uint16_t *home, *loc;
    uint32_t h, floor, cap, max_slot, local_slots;
} fstack;

/* Pushes a one-slot entry as validate.c's push would, or returns false (the stack's arrays
 * would grow, or the frame reach its limit: validate.c does that). */
static inline bool fpush(fstack *f, wasm_valtype t)
{
    if (f->h + 1 >= f->cap)
        return false;
    uint32_t slot = f->h == 0 ? f->local_slots : f->home[f->h - 1] + cs_width(f->vt[f->h - 1]);
    if (slot + 1 > f->max_slot) {
        if (slot + 1 >= WASM_MAX_FRAME_SLOTS)
            return false;
        f->max_slot = slot + 1;
    }
    f->vt[f->h] = t;
    f->home[f->h] = f->loc[f->h] = (uint16_t)slot;
    f->h++;
    return true;
}

/* Whether the top n entries are this block's (above its height). */
static inline bool has(const fstack *f, uint32_t n)
{
    return f->h - f->floor >= n;
}

static inline bool top_is(const fstack *f, uint32_t depth, wasm_valtype t)
{
    return f->vt[f->h - 1 - depth] == t;
}

/* local.get/set/tee x: its length, or 0 to leave it to validate.c. */
static size_t op_local(const vstate *s, fstack *f, const uint8_t *p)
{
    int32_t x = small_index(p + 1, s->end);
    if (x < 0 || (uint32_t)x >= s->nlocals)
        return 0;
    uint16_t slot;
    wasm_valtype t = vlocal_type(s, (uint32_t)x, &slot);
    if (cs_width(t) != 1)
        return 0;
    if (*p == 0x20)
        return fpush(f, t) ? 2 : 0;
    if (!has(f, 1) || !top_is(f, 0, t))
        return 0;
    if (*p == 0x21)
        f->h--;
    return 2;
}

static size_t op_global(const vstate *s, fstack *f, const uint8_t *p)
{
    int32_t g = small_index(p + 1, s->end);
    if (g < 0 || (uint32_t)g >= s->m->nglobals)
        return 0;
    const wglobaltype *gt = &s->m->globals[g];
    if (cs_width(gt->type) != 1)
        return 0;
    if (*p == 0x23)
        return fpush(f, gt->type) ? 2 : 0;
    if (!gt->mut || !has(f, 1) || !top_is(f, 0, gt->type))
        return 0;
    f->h--;
    return 2;
}

static size_t op_const(const vstate *s, fstack *f, const uint8_t *p)
{
    /* up to 28 (63) bits: in range for an i32 (i64) whatever the value */
    size_t n = short_leb(p + 1, s->end, *p == 0x41 ? 4 : 9);
    return n && fpush(f, *p == 0x41 ? WASM_I32 : WASM_I64) ? n + 1 : 0;
}

static size_t op_mem(const vstate *s, fstack *f, const uint8_t *p, const mem_op *o)
{
    int32_t align = small_index(p + 1, s->end);
    if (align < 0 || align > o->align || s->m->nmems == 0)
        return 0;
    size_t n = short_leb(p + 2, s->end, 4); /* the offset: any 28-bit value */
    if (n == 0)
        return 0;
    if (o->store) {
        if (!has(f, 2) || !top_is(f, 0, (wasm_valtype)o->type) || !top_is(f, 1, WASM_I32))
            return 0;
        f->h -= 2;
    } else {
        if (!has(f, 1) || !top_is(f, 0, WASM_I32))
            return 0;
        f->vt[f->h - 1] = (wasm_valtype)o->type; /* one slot in, one out: the same home */
    }
    return n + 2;
}

/* One simple instruction: all of them take and give one-slot values. */
static size_t op_simple(fstack *f, const simple_op *o)
{
    if (o->in2) {
        if (!has(f, 2) || !top_is(f, 0, (wasm_valtype)o->in2) ||
            !top_is(f, 1, (wasm_valtype)o->in1))
            return 0;
        f->h--;
    } else if (!has(f, 1) || !top_is(f, 0, (wasm_valtype)o->in1)) {
        return 0;
    }
    f->vt[f->h - 1] = (wasm_valtype)o->out;
    return 1;
}

/* What each opcode is to this file: one table, so a step costs one indirect jump. */
enum { K_NONE, K_SIMPLE, K_DROP, K_LOCAL, K_GLOBAL, K_CONST, K_MEM };

static const uint8_t kinds[256] = {
#define X_SIMPLE(b, n, i1, i2, o) [b] = K_SIMPLE,
    WASM_SIMPLE_OPS(X_SIMPLE)
#undef X_SIMPLE
#define X_MEM(b, n, t, al) [b] = K_MEM,
        WASM_LOAD_OPS(X_MEM) WASM_STORE_OPS(X_MEM)
#undef X_MEM
            [0x1A] = K_DROP,
    [0x20] = K_LOCAL,
    [0x21] = K_LOCAL,
    [0x22] = K_LOCAL,
    [0x23] = K_GLOBAL,
    [0x24] = K_GLOBAL,
    [0x41] = K_CONST,
    [0x42] = K_CONST,
};

void vfast_run(vstate *s)
{
    fstack f = {.vt = s->vt,
                .home = s->home,
                .loc = s->loc,
                .h = s->h,
                .floor = s->ctls[s->nctl - 1].height,
                .cap = s->cap,
                .max_slot = s->max_slot,
                .local_slots = s->local_slots};
    const uint8_t *p = s->p;
    size_t n = 0;
    /* each kind's case jumps to the next instruction's itself (threaded: the branch predictor sees
     * one indirect jump per kind, not one for all; a switch elsewhere, as in interp.c) */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(WASM_NO_COMPUTED_GOTO)
    static const void *const go[] = {
        [K_NONE] = &&out,      [K_SIMPLE] = &&simple, [K_DROP] = &&drop, [K_LOCAL] = &&local,
        [K_GLOBAL] = &&global, [K_CONST] = &&cnst,    [K_MEM] = &&mem};
#define DISPATCH goto *go[kinds[*p]]
#else
#define DISPATCH                                                                                   \
    switch (kinds[*p]) {                                                                           \
    case K_SIMPLE:                                                                                 \
        goto simple;                                                                               \
    case K_DROP:                                                                                   \
        goto drop;                                                                                 \
    case K_LOCAL:                                                                                  \
        goto local;                                                                                \
    case K_GLOBAL:                                                                                 \
        goto global;                                                                               \
    case K_CONST:                                                                                  \
        goto cnst;                                                                                 \
    case K_MEM:                                                                                    \
        goto mem;                                                                                  \
    default:                                                                                       \
        goto out;                                                                                  \
    }
#endif
#define NEXT                                                                                       \
    do {                                                                                           \
        if (n == 0)                                                                                \
            goto out;                                                                              \
        p += n;                                                                                    \
        if (p >= s->end)                                                                           \
            goto out;                                                                              \
        DISPATCH;                                                                                  \
    } while (0)
    if (p >= s->end)
        goto out;
    DISPATCH;
simple:
    n = op_simple(&f, &vsimple_table[*p]);
    NEXT;
drop:
    n = has(&f, 1) ? 1 : 0;
    f.h -= (uint32_t)n;
    NEXT;
local:
    n = op_local(s, &f, p);
    NEXT;
global:
    n = op_global(s, &f, p);
    NEXT;
cnst:
    n = op_const(s, &f, p);
    NEXT;
mem:
    n = op_mem(s, &f, p, &mem_ops[*p]);
    NEXT;
#undef NEXT
#undef DISPATCH
out:
    s->p = p;
    s->h = f.h;
    s->max_slot = f.max_slot;
}
