/* interp.c: runs compiled slot code (stage 4).
 *
 * One function, wasm_interp(), holds the dispatch loop: with GCC/Clang every handler is a label and
 * each cell stream starts with the label's address (computed goto, "threaded code"); other
 * compilers (or -DWASM_NO_COMPUTED_GOTO) get a switch over the op number. Handlers are short macro
 * instances (BIN, UN, LOAD, STORE...) so each operation reads as one line of semantics. Code layout
 * per op is documented in compile.c / validate.c: cell 0 handler, then slots (dst first) and
 * immediates.
 *
 * Calls never recurse on the C stack: a frame record (return ip, fp, the caller's code and
 * instance) is pushed on the instance's frame array, bounded by max_call_depth; the callee's frame
 * starts at the caller's argument slots, so arguments are never copied. The loop tracks the running
 * function by its code (a call site holds the callee's), and the function index only matters on a
 * trap (func_index) or a lazy compile. Traps jump to one exit path that records the trap
 * code and allocates nothing. Memory bounds checks are one compare of a 64-bit effective address.
 * Adding an operation: a line in opcodes.h, then a handler here (the label table is generated).
 */
#include <math.h>
#include <stdlib.h>

#include "engine.h"

#if (defined(__GNUC__) || defined(__clang__)) && !defined(WASM_NO_COMPUTED_GOTO) &&                \
    !defined(WASM_OP_PROFILE)
#define USE_CGOTO 1
#else
#define USE_CGOTO 0
#endif

/* ---- value helpers
 * ------------------------------------------------------------------------------- */

static inline float f32_of(uint64_t v)
{
    uint32_t u = (uint32_t)v;
    float f;
    memcpy(&f, &u, 4);
    return f;
}
static inline double f64_of(uint64_t v)
{
    double d;
    memcpy(&d, &v, 8);
    return d;
}
static inline uint64_t of_f32(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}
static inline uint64_t of_f64(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

typedef uint32_t u32;
typedef int32_t i32;
typedef uint64_t u64;
typedef int64_t i64;
typedef float f32;
typedef double f64;

#define get_u32(v) ((uint32_t)(v))
#define get_i32(v) ((int32_t)(uint32_t)(v))
#define get_u64(v) ((uint64_t)(v))
#define get_i64(v) ((int64_t)(v))
#define get_f32(v) f32_of(v)
#define get_f64(v) f64_of(v)
#define put_u32(x) ((uint64_t)(uint32_t)(x))
#define put_i32(x) ((uint64_t)(uint32_t)(x))
#define put_u64(x) ((uint64_t)(x))
#define put_i64(x) ((uint64_t)(x))
#define put_f32(x) of_f32(x)
#define put_f64(x) of_f64(x)

static inline uint32_t rotl32(uint32_t a, uint32_t b)
{
    b &= 31;
    return (a << b) | (a >> ((32 - b) & 31));
}
static inline uint32_t rotr32(uint32_t a, uint32_t b)
{
    b &= 31;
    return (a >> b) | (a << ((32 - b) & 31));
}
static inline uint64_t rotl64(uint64_t a, uint64_t b)
{
    b &= 63;
    return (a << b) | (a >> ((64 - b) & 63));
}
static inline uint64_t rotr64(uint64_t a, uint64_t b)
{
    b &= 63;
    return (a >> b) | (a << ((64 - b) & 63));
}

static inline float fmin32(float a, float b)
{
    if (a != a || b != b)
        return a + b;
    if (a == 0 && b == 0)
        return signbit(a) ? a : b;
    return a < b ? a : b;
}
static inline float fmax32(float a, float b)
{
    if (a != a || b != b)
        return a + b;
    if (a == 0 && b == 0)
        return signbit(a) ? b : a;
    return a > b ? a : b;
}
static inline double fmin64(double a, double b)
{
    if (a != a || b != b)
        return a + b;
    if (a == 0 && b == 0)
        return signbit(a) ? a : b;
    return a < b ? a : b;
}
static inline double fmax64(double a, double b)
{
    if (a != a || b != b)
        return a + b;
    if (a == 0 && b == 0)
        return signbit(a) ? b : a;
    return a > b ? a : b;
}

/* libm's rounding functions return a signalling NaN unchanged; wasm wants it quieted. */
#define QNAN(a, expr) ((a) != (a) ? (a) + (a) : (expr))

/* Saturating truncations (NaN -> 0, clamped). */
static inline int32_t sat_i32(double x)
{
    if (x != x)
        return 0;
    if (x <= -2147483648.0)
        return INT32_MIN;
    if (x >= 2147483647.0)
        return INT32_MAX;
    return (int32_t)x;
}
static inline uint32_t sat_u32(double x)
{
    if (x != x || x <= 0)
        return 0;
    if (x >= 4294967295.0)
        return UINT32_MAX;
    return (uint32_t)x;
}
static inline int64_t sat_i64(double x)
{
    if (x != x)
        return 0;
    if (x < -9223372036854775808.0)
        return INT64_MIN;
    if (x >= 9223372036854775808.0)
        return INT64_MAX;
    return (int64_t)x;
}
static inline uint64_t sat_u64(double x)
{
    if (x != x || x <= 0)
        return 0;
    if (x >= 18446744073709551616.0)
        return UINT64_MAX;
    return (uint64_t)x;
}

/* Range checks for trapping truncations: 0 ok, else the trap. */
static inline wasm_trap trunc_check(double x, double lo, double hi)
{
    if (x != x)
        return WASM_TRAP_BAD_CONVERSION;
    if (!(x > lo && x < hi))
        return WASM_TRAP_INT_OVERFLOW;
    return WASM_TRAP_NONE;
}

/* The check for a signed 64-bit truncation: -2^63 itself is in range. */
static inline wasm_trap trunc_check_s64(double x)
{
    if (x == -9223372036854775808.0)
        return WASM_TRAP_NONE;
    return trunc_check(x, -9223372036854775808.0, 9223372036854775808.0);
}

#include "simd_ops.h" /* uses the helpers above */

static void *const_ref(wasm_instance *inst, const wconst *c)
{
    if (c->kind == CONST_REF_FUNC)
        return wasm_inst_func(inst, c->idx);
    if (c->kind == CONST_GLOBAL)
        return inst->globals[c->idx]->val.ref;
    return NULL;
}

/* Copies a trap reported by a host function of `inst` into the entry context. */
static void host_trap_details(wasm_instance *ctx, wasm_instance *inst, wasm_trap t)
{
    if (inst == ctx)
        return;
    ctx->exit_code = inst->exit_code;
    if (t == WASM_TRAP_HOST)
        memcpy(ctx->msg, inst->msg, sizeof(ctx->msg));
}

static int table_init(wasm_instance *inst, uint32_t d, uint32_t s, uint32_t n, uint64_t imm)
{
    const welem *e = &inst->m->elems[(uint32_t)imm];
    wasm_table *t = inst->tables[imm >> 32];
    uint32_t len = inst->elem_dropped[(uint32_t)imm] ? 0 : e->n;
    if ((uint64_t)s + n > len || (uint64_t)d + n > t->size)
        return -1;
    for (uint32_t i = 0; i < n; i++)
        t->elems[d + i] = const_ref(inst, &e->items[s + i]);
    return 0;
}

static int table_copy(wasm_instance *inst, uint32_t d, uint32_t s, uint32_t n, uint64_t imm)
{
    wasm_table *td = inst->tables[(uint32_t)imm], *ts = inst->tables[imm >> 32];
    if ((uint64_t)s + n > ts->size || (uint64_t)d + n > td->size)
        return -1;
    memmove(td->elems + d, ts->elems + s, (size_t)n * sizeof(void *));
    return 0;
}

static int table_fill(wasm_table *t, uint32_t i, void *v, uint32_t n)
{
    if ((uint64_t)i + n > t->size)
        return -1;
    for (uint32_t k = 0; k < n; k++)
        t->elems[i + k] = v;
    return 0;
}

/* The index of the function whose code is `code`, in inst's module. */
static uint32_t func_index(const wasm_instance *inst, const wcode *code)
{
    return (uint32_t)(code - inst->m->codes) + inst->m->nfunc_imports;
}

/* After the attention word was found set: true if the run must stop (an interrupt, or a metered
 * instance out of fuel). */
static bool must_stop(wasm_instance *ctx, int attn)
{
    return (attn & WASM_ATTN_INTERRUPT) || ((attn & WASM_ATTN_METERED) && --ctx->fuel < 0);
}

/* Zeroes the n declared locals at `from` a function's entry must zero (wcode.zero_end): out of
 * line, so the loop does not keep registers around a memset. */
static __attribute__((noinline)) void zero_locals(uint64_t *from, uint32_t n)
{
    memset(from, 0, (size_t)n * sizeof(uint64_t));
}

/* ---- the loop
 * ------------------------------------------------------------------------------------ */

#if USE_CGOTO
#define OP(n) L_##n:
#define NEXT() goto * ip->h
#else
#define OP(n) case OP_##n:
#define NEXT() goto dispatch
#endif

#define TRAP(code)                                                                                 \
    do {                                                                                           \
        trap = WASM_TRAP_##code;                                                                   \
        goto trapped;                                                                              \
    } while (0)

/* At calls and loop headers: one load while nothing asks for attention. */
#define CHECK_ATTENTION()                                                                          \
    do {                                                                                           \
        int attn_ = atomic_load_explicit(&ctx->interrupt, memory_order_relaxed);                   \
        if (__builtin_expect(attn_ != 0, 0) && must_stop(ctx, attn_))                              \
            TRAP(INTERRUPTED);                                                                     \
    } while (0)

#define MEMLOAD()                                                                                  \
    do {                                                                                           \
        wasm_memory *m_ = inst->mem;                                                               \
        mbase = m_ ? m_->base : NULL;                                                              \
        msize = m_ ? m_->size : 0;                                                                 \
    } while (0)

#define BIN(n, T, R, expr)                                                                         \
    OP(n)                                                                                          \
    {                                                                                              \
        wcell c = ip[1];                                                                           \
        T a = get_##T(fp[c.s.b]), b = get_##T(fp[c.s.c]);                                          \
        fp[c.s.a] = put_##R(expr);                                                                 \
        ip += 2;                                                                                   \
        NEXT();                                                                                    \
    }
#define BINI(n, T, R, expr)                                                                        \
    OP(n##_IMM)                                                                                    \
    {                                                                                              \
        wcell c = ip[1];                                                                           \
        T a = get_##T(fp[c.m.b]), b = (T)(int32_t)c.m.x;                                           \
        fp[c.m.a] = put_##R(expr);                                                                 \
        ip += 2;                                                                                   \
        NEXT();                                                                                    \
    }
#define UN(n, T, R, expr)                                                                          \
    OP(n)                                                                                          \
    {                                                                                              \
        wcell c = ip[1];                                                                           \
        T a = get_##T(fp[c.s.b]);                                                                  \
        fp[c.s.a] = put_##R(expr);                                                                 \
        ip += 2;                                                                                   \
        NEXT();                                                                                    \
    }
/* A trapping unary op: check is an expression yielding a wasm_trap. */
#define UNT(n, T, R, check, expr)                                                                  \
    OP(n)                                                                                          \
    {                                                                                              \
        wcell c = ip[1];                                                                           \
        T a = get_##T(fp[c.s.b]);                                                                  \
        if ((trap = (check)) != WASM_TRAP_NONE)                                                    \
            goto trapped;                                                                          \
        fp[c.s.a] = put_##R(expr);                                                                 \
        ip += 2;                                                                                   \
        NEXT();                                                                                    \
    }
/* The wasm address base + add (an i32 sum) + off (a u32, so no wrap), after a MEMORY_OOB trap
 * unless its n bytes lie within the memory: every load's and store's check. */
#define MEM_AT(n, base, add, off)                                                                  \
    ({                                                                                             \
        uint64_t at_mem_ = (uint64_t)(uint32_t)((uint32_t)(base) + (uint32_t)(add)) + (off);       \
        if (at_mem_ + (n) > msize)                                                                 \
            TRAP(MEMORY_OOB);                                                                      \
        at_mem_;                                                                                   \
    })
/* One memory operand at MEM_AT's address: x = the ctype there, widened to L and read as T;
 * STORE_OPERAND: x's low ctype written there. */
#define LOAD_OPERAND(x, ctype, L, T, base, add, off)                                               \
    do {                                                                                           \
        uint64_t ea_ = MEM_AT(sizeof(ctype), base, add, off);                                      \
        ctype v_;                                                                                  \
        memcpy(&v_, mbase + ea_, sizeof(v_));                                                      \
        x = get_##T(put_##L(v_));                                                                  \
    } while (0)
#define STORE_OPERAND(x, ctype, base, add, off)                                                    \
    do {                                                                                           \
        uint64_t ea_ = MEM_AT(sizeof(ctype), base, add, off);                                      \
        ctype v_ = (ctype)(x);                                                                     \
        memcpy(mbase + ea_, &v_, sizeof(v_));                                                      \
    } while (0)
/* A load [dst, addr, off] from addr + add + off, after the statement pre (add: 0, or a cell's). */
#define LOAD_AT(lbl, pre, base, add, len, ctype, R)                                                \
    OP(lbl)                                                                                        \
    {                                                                                              \
        pre;                                                                                       \
        wcell c = ip[1];                                                                           \
        uint64_t x;                                                                                \
        LOAD_OPERAND(x, ctype, R, u64, base, add, c.m.x);                                          \
        fp[c.m.a] = x;                                                                             \
        ip += len;                                                                                 \
        NEXT();                                                                                    \
    }
/* _PI: the advanced pointer is written to its slot first (as the i32.add + local.tee did). */
#define PI_BASE (fp[c.m.b] = put_u32((uint32_t)fp[ip[2].m.a] + ip[2].m.x))
#define LOAD(n, ctype, R)                                                                          \
    LOAD_AT(n, (void)0, fp[c.m.b], 0, 2, ctype, R)                                                 \
    LOAD_AT(n##_AI, (void)0, fp[c.m.b], ip[2].u64, 3, ctype, R)                                    \
    LOAD_AT(n##_PI, (void)0, PI_BASE, 0, 3, ctype, R)
/* An i32 add-immediate [dst, a, imm] in the last cell (len - 1) of a load, run first (compile.c,
 * cs_fold_set). */
#define ADDI_LAST(len)                                                                             \
    fp[ip[len - 1].m.a] = put_u32((uint32_t)fp[ip[len - 1].m.b] + ip[len - 1].m.x)
/* A store [v, addr, off] of v's low ctype at addr + add + off (add: 0, or the _AI form's cell). */
#define STORE_AT(lbl, add, len, ctype)                                                             \
    OP(lbl)                                                                                        \
    {                                                                                              \
        wcell c = ip[1];                                                                           \
        STORE_OPERAND(fp[c.m.a], ctype, fp[c.m.b], add, c.m.x);                                    \
        ip += len;                                                                                 \
        NEXT();                                                                                    \
    }
#define STORE(n, ctype) STORE_AT(n, 0, 2, ctype) STORE_AT(n##_AI, ip[2].u64, 3, ctype)

/* WASM_BRCMP_OPS with each compare's operand type and C operator: M(name, type, operator). */
// clang-format off
#define BRCMP_TYPED(M)                                                                             \
    M(I32_EQ, u32, ==) M(I32_NE, u32, !=) M(I32_LT_S, i32, <) M(I32_LT_U, u32, <)                  \
    M(I32_GT_S, i32, >) M(I32_GT_U, u32, >) M(I32_LE_S, i32, <=) M(I32_LE_U, u32, <=)              \
    M(I32_GE_S, i32, >=) M(I32_GE_U, u32, >=)
// clang-format on
/* BR_<cmp>_IMM_ADDI_RETURN whose branch lands on an i32 constant set to a local, only it reaching
 * there (compile.c, fuse_return_const): [a, imm][0, a, imm][dst, k]; when the compare holds, dst =
 * k and on after this op, else return a + imm. Its own family, placed after the other handlers. */
#define BR_RETURN_CONST(n, T, cmp)                                                                 \
    OP(BR_##n##_IMM_ADDI_RETURN_CONST)                                                             \
    {                                                                                              \
        if (get_##T(fp[ip[1].m.a]) cmp(T)(int32_t) ip[1].m.x) {                                    \
            fp[ip[3].m.a] = ip[3].m.x;                                                             \
            ip += 4;                                                                               \
            NEXT();                                                                                \
        }                                                                                          \
        fp[0] = put_u32((uint32_t)fp[ip[2].m.b] + ip[2].m.x);                                      \
        goto do_return;                                                                            \
    }
/* BR_SET_ADDI2_<cmp> (opcodes.h), after the statement pre: the three parts in order, the
 * branch on the compare's value. */
#define SET_ADDI2_BR(lbl, T, cmp, pre)                                                             \
    OP(lbl)                                                                                        \
    {                                                                                              \
        pre;                                                                                       \
        wcell c = ip[1], d = ip[2];                                                                \
        uint32_t t = get_##T(fp[c.m.b]) cmp(T)(int32_t) c.m.x;                                     \
        fp[c.m.a] = t;                                                                             \
        uint64_t v = put_u32((uint32_t)fp[d.m.b] + d.m.x);                                         \
        fp[d.m.a] = v;                                                                             \
        fp[ip[3].s.a] = v;                                                                         \
        ip = t ? ip + 4 + ip[4].i64 : ip + 5;                                                      \
        NEXT();                                                                                    \
    }
#define BRCMP(n, T, cmp)                                                                           \
    OP(BR_##n)                                                                                     \
    {                                                                                              \
        if (get_##T(fp[ip[1].s.a]) cmp get_##T(fp[ip[1].s.b]))                                     \
            ip = ip + 2 + ip[2].i64;                                                               \
        else                                                                                       \
            ip += 3;                                                                               \
        NEXT();                                                                                    \
    }                                                                                              \
    OP(BR_##n##_IMM)                                                                               \
    {                                                                                              \
        if (get_##T(fp[ip[1].m.a]) cmp(T)(int32_t) ip[1].m.x)                                      \
            ip = ip + 2 + ip[2].i64;                                                               \
        else                                                                                       \
            ip += 3;                                                                               \
        NEXT();                                                                                    \
    }                                                                                              \
    OP(BR_##n##_IMM_ADDI_RETURN) /* BR_<n>_IMM's cells, then I32_ADD_IMM_RETURN's [0, a, imm] */   \
    {                                                                                              \
        if (get_##T(fp[ip[1].m.a]) cmp(T)(int32_t) ip[1].m.x) {                                    \
            ip = ip + 2 + ip[2].i64;                                                               \
            NEXT();                                                                                \
        }                                                                                          \
        fp[0] = put_u32((uint32_t)fp[ip[3].m.b] + ip[3].m.x);                                      \
        goto do_return;                                                                            \
    }                                                                                              \
    OP(BR_ADDI_##n)                                                                                \
    {                                                                                              \
        wcell c = ip[1];                                                                           \
        uint64_t v = put_u32((uint32_t)fp[c.m.b] + c.m.x);                                         \
        fp[c.m.a] = v;                                                                             \
        if (get_##T(v) cmp(T)(int32_t) ip[2].m.x)                                                  \
            ip = ip + 3 + ip[3].i64;                                                               \
        else                                                                                       \
            ip += 4;                                                                               \
        NEXT();                                                                                    \
    }                                                                                              \
    OP(BR_ADDI2_##n)                                                                               \
    {                                                                                              \
        wcell c1 = ip[1], c = ip[2];                                                               \
        fp[c1.m.a] = put_u32((uint32_t)fp[c1.m.b] + c1.m.x);                                       \
        uint64_t v = put_u32((uint32_t)fp[c.m.b] + c.m.x);                                         \
        fp[c.m.a] = v;                                                                             \
        if (get_##T(v) cmp(T)(int32_t) ip[3].m.x)                                                  \
            ip = ip + 4 + ip[4].i64;                                                               \
        else                                                                                       \
            ip += 5;                                                                               \
        NEXT();                                                                                    \
    }                                                                                              \
    SET_ADDI2_BR(BR_SET_ADDI2_##n, T, cmp, (void)0)                                                \
    SET_ADDI2_BR(BR_ADD_SET_ADDI2_##n, T, cmp,                                                     \
                 fp[ip[3].s.b] = put_u32((uint32_t)fp[ip[3].s.c] + (uint32_t)fp[ip[3].s.d]))

/* The four copies of COPY4's two cells from ip[k] on, in order. */
#define COPY4_AT(k)                                                                                \
    do {                                                                                           \
        wcell c_ = ip[k], e_ = ip[(k) + 1];                                                        \
        fp[c_.s.a] = fp[c_.s.b];                                                                   \
        fp[c_.s.c] = fp[c_.s.d];                                                                   \
        fp[e_.s.a] = fp[e_.s.b];                                                                   \
        fp[e_.s.c] = fp[e_.s.d];                                                                   \
    } while (0)

/* BR_ADDI2_I32_NE's cells from ip[k] on, after a fused op's own (an ADD3's): the two adds, then the
 * branch (the offset in cell k + 3). */
#define ADDI2_NE_AT(k)                                                                             \
    do {                                                                                           \
        bool taken_;                                                                               \
        ADDI2_NE_STEP(k, taken_);                                                                  \
        ip = taken_ ? ip + (k) + 3 + ip[(k) + 3].i64 : ip + (k) + 4;                               \
        NEXT();                                                                                    \
    } while (0)
/* Its two adds and compare: whether the branch is taken. */
#define ADDI2_NE_STEP(k, taken)                                                                    \
    do {                                                                                           \
        wcell a1_ = ip[k], a_ = ip[(k) + 1];                                                       \
        fp[a1_.m.a] = put_u32((uint32_t)fp[a1_.m.b] + a1_.m.x);                                    \
        uint32_t v_ = (uint32_t)fp[a_.m.b] + a_.m.x;                                               \
        fp[a_.m.a] = put_u32(v_);                                                                  \
        taken = v_ != ip[(k) + 2].m.x;                                                             \
    } while (0)

/* I32_LOAD_I32_STORE's two cells from ip[k] on: the load, then the store. */
#define LOAD_STORE_AT(k)                                                                           \
    do {                                                                                           \
        wcell l_ = ip[k], s_ = ip[(k) + 1];                                                        \
        uint32_t x_;                                                                               \
        LOAD_OPERAND(x_, uint32_t, u32, u32, fp[l_.m.b], 0, l_.m.x);                               \
        fp[l_.m.a] = put_u32(x_);                                                                  \
        STORE_OPERAND(fp[s_.m.a], uint32_t, fp[s_.m.b], 0, s_.m.x);                                \
    } while (0)

/* An i32 load (ctype widened to i32) [dst, addr, off], then a branch on its value (compile.c,
 * fuse_load_branch): the branch's cells up to len - 1, its offset in cell len; `taken` is read
 * after the load's store (x: the loaded word). Its own family, placed after the other handlers. */
#define LOAD_BR(n, ctype, len, pre, taken)                                                         \
    OP(n)                                                                                          \
    {                                                                                              \
        pre;                                                                                       \
        wcell c = ip[1];                                                                           \
        uint32_t x;                                                                                \
        LOAD_OPERAND(x, ctype, i32, u32, fp[c.m.b], 0, c.m.x);                                     \
        fp[c.m.a] = put_u32(x);                                                                    \
        ip = (taken) ? ip + (len) + ip[len].i64 : ip + (len) + 1;                                  \
        NEXT();                                                                                    \
    }

/* A COPY or an I32_ADD_IMM2 (`pre`, its cells len - 1) run before a BR_IF or BR_UNLESS on slot
 * `cond` (compile.c, cs_cond_jump); the branch offset is the last cell. */
#define PRE_BR(n, len, pre, cond)                                                                  \
    OP(n##_BR_IF)                                                                                  \
    {                                                                                              \
        wcell c = ip[1];                                                                           \
        pre;                                                                                       \
        ip = (uint32_t)fp[cond] ? ip + len + ip[len].i64 : ip + len + 1;                           \
        NEXT();                                                                                    \
    }                                                                                              \
    OP(n##_BR_UNLESS)                                                                              \
    {                                                                                              \
        wcell c = ip[1];                                                                           \
        pre;                                                                                       \
        ip = (uint32_t)fp[cond] ? ip + len + 1 : ip + len + ip[len].i64;                           \
        NEXT();                                                                                    \
    }

/* Two chained binary ops (WASM_BINBIN_OPS): dst = c n2 (a n1 b). */
#define BIN2(n1, n2, T, expr1, expr2)                                                              \
    OP(n1##_##n2)                                                                                  \
    {                                                                                              \
        wcell c = ip[1];                                                                           \
        T a = get_##T(fp[c.s.b]), b = get_##T(fp[c.s.c]);                                          \
        T t = (expr1);                                                                             \
        a = get_##T(fp[c.s.d]), b = t;                                                             \
        fp[c.s.a] = put_##T(expr2);                                                                \
        ip += 2;                                                                                   \
        NEXT();                                                                                    \
    }

/* A shift/rotate by a constant, then a binary op on its result (WASM_SHIFTBIN_OPS). */
#define BIN2I(n1, n2, T, expr1, expr2)                                                             \
    OP(n1##_IMM_##n2)                                                                              \
    {                                                                                              \
        wcell c = ip[1];                                                                           \
        T a = get_##T(fp[c.s.b]), b = c.s.c;                                                       \
        T t = (expr1);                                                                             \
        a = get_##T(fp[c.s.d]), b = t;                                                             \
        fp[c.s.a] = put_##T(expr2);                                                                \
        ip += 2;                                                                                   \
        NEXT();                                                                                    \
    }

/* Load + binary op (WASM_LOADBIN_OPS): b is loaded like the load ld (ctype, widened to L); in
 * the _LL form a too, first. */
/* Both operands loaded (NAME_LL_LOAD's cells, len of them and the op's): dst = expr of a, b, after
 * the statement pre. */
/* The two operands va and vb of NAME_LL_LOAD's cells from ip[k] on, va loaded first. */
#define LL_LOADS(k, va, vb, ctype, L, T)                                                           \
    do {                                                                                           \
        wcell c_ = ip[k], d_ = ip[(k) + 1];                                                        \
        uint64_t e_ = ip[(k) + 2].u64;                                                             \
        LOAD_OPERAND(va, ctype, L, T, fp[d_.m.a], e_, e_ >> 32);                                   \
        LOAD_OPERAND(vb, ctype, L, T, fp[c_.m.b], d_.m.x, c_.m.x);                                 \
    } while (0)
#define LL_AT(lbl, ctype, L, T, pre, expr, len)                                                    \
    OP(lbl)                                                                                        \
    {                                                                                              \
        pre;                                                                                       \
        wcell c = ip[1];                                                                           \
        T a, b;                                                                                    \
        LL_LOADS(1, a, b, ctype, L, T);                                                            \
        fp[c.m.a] = put_##T(expr);                                                                 \
        ip += len;                                                                                 \
        NEXT();                                                                                    \
    }
#define BINL(n, ld, ctype, L, T, expr)                                                             \
    OP(n##_L_##ld)                                                                                 \
    {                                                                                              \
        wcell c = ip[1], d = ip[2];                                                                \
        T a = get_##T(fp[d.m.a]), b;                                                               \
        LOAD_OPERAND(b, ctype, L, T, fp[c.m.b], d.m.x, c.m.x);                                     \
        fp[c.m.a] = put_##T(expr);                                                                 \
        ip += 3;                                                                                   \
        NEXT();                                                                                    \
    }                                                                                              \
    LL_AT(n##_LL_##ld, ctype, L, T, (void)0, expr, 4)
/* NAME_MUL_LL_ld, then an add of its product and e (fuse_extend): [NAME_MUL_LL_ld's cells][e],
 * dst = a * b + e. */
#define MACL(n, ld, ctype, L, T)                                                                   \
    LL_AT(n##_MAC_LL_##ld, ctype, L, T, (void)0, a *b + get_##T(fp[ip[4].s.a]), 5)
/* NAME_MAC_LL_ld's product-sum x added up by NAME_ADD3 (fuse_mac_sum): [NAME_ADD3's cells, x its
 * first add's right operand][NAME_MAC_LL_ld's cells], the MAC first; x is stored and used from a
 * register, so the running sum goes through memory once per op, not twice. Alone, and before
 * BR_ADDI2_I32_NE's cells (the loop's latch). */
#define MAC_ADD3_BODY(ctype, L, T)                                                                 \
    T sum_;                                                                                        \
    MAC_ADD3_SUM(ctype, L, T, get_##T(fp[ip[6].s.a]), sum_)
/* The same with the running sum acc given, the result (stored) in sum. */
#define MAC_ADD3_SUM(ctype, L, T, acc, sum)                                                        \
    do {                                                                                           \
        wcell cw_ = ip[1];                                                                         \
        T a_, b_;                                                                                  \
        LL_LOADS(3, a_, b_, ctype, L, T);                                                          \
        T x_ = a_ * b_ + (acc);                                                                    \
        fp[ip[3].m.a] = put_##T(x_);                                                               \
        T t_ = get_##T(fp[cw_.s.d]) + (get_##T(fp[cw_.s.b]) + x_);                                 \
        sum = get_##T(fp[ip[2].s.a]) + t_;                                                         \
        fp[cw_.s.a] = put_##T(sum);                                                                \
    } while (0)
#define MAC_ADD3(n, ld, ctype, L, T)                                                               \
    OP(n##_MAC_LL_##ld##_ADD3)                                                                     \
    {                                                                                              \
        MAC_ADD3_BODY(ctype, L, T);                                                                \
        ip += 7;                                                                                   \
        NEXT();                                                                                    \
    }                                                                                              \
    OP(n##_MAC_LL_##ld##_ADD3_BR_ADDI2_I32_NE)                                                     \
    {                                                                                              \
        MAC_ADD3_BODY(ctype, L, T);                                                                \
        ADDI2_NE_AT(7);                                                                            \
    }
/* The four products of a dot product and their sum (fuse_dot4): [NAME_MAC_LL_ld_ADD3's cells]
 * [I32_ADD_NAME_MUL_LL_ld's][NAME_MUL_LL_ld's][NAME_MUL_LL_ld's], the products first, in order. */
#define PRODUCT_AT(k, ctype, L, T)                                                                 \
    do {                                                                                           \
        T a_, b_;                                                                                  \
        LL_LOADS(k, a_, b_, ctype, L, T);                                                          \
        fp[ip[k].m.a] = put_##T(a_ * b_);                                                          \
    } while (0)
#define DOT4_PRODUCTS(ctype, L, T)                                                                 \
    fp[ip[10].s.a] = put_u32((uint32_t)fp[ip[10].s.b] + (uint32_t)fp[ip[10].s.c]);                 \
    PRODUCT_AT(7, ctype, L, T);                                                                    \
    PRODUCT_AT(11, ctype, L, T);                                                                   \
    PRODUCT_AT(14, ctype, L, T)
/* With the latch: when the loop is this op alone (its branch lands on itself) and the sum's slot
 * is the running sum's, which no other part writes (the latch's cmp cell's a, fuse_add_branch),
 * the loop runs in its own function (dot4_loop_<T>: inside the interpreter's loop, it made gcc keep
 * ip on the stack in every handler) with the running sum in a register: it does not go through
 * memory between iterations (every slot is still written as the ops in order would). */
/* One load of that loop from cells k, k + 1, k + 2 (LL_LOADS'), its base in a register. */
#define REG_LOADS(k, pa, pb, va, vb, ctype, L, T)                                                  \
    do {                                                                                           \
        uint64_t e_ = ip[(k) + 2].u64;                                                             \
        LOAD_OPERAND(va, ctype, L, T, pa, e_, e_ >> 32);                                           \
        LOAD_OPERAND(vb, ctype, L, T, pb, ip[(k) + 1].m.x, ip[k].m.x);                             \
    } while (0)
/* The loop of that op with every slot it writes kept in registers and written back once at its
 * end, when the compiler found it safe (the latch's cmp cell's a is 2 or 3: compile.c, dot4_regs):
 * p = a + i, the four products of loads from p and from a pointer b (the left operands from p, or
 * from b when a is 3), summed as p3 + (p2 + (p1 + (p0 * q0 + s))), b and i stepped by the latch.
 * A trap leaves the written slots stale: nothing reads a trapped frame. */
#define DOT4_REGS(name, ctype, L, T)                                                               \
    static __attribute__((noinline)) wasm_trap name(const wcell *ip, uint64_t *fp, uint8_t *mbase, \
                                                    uint64_t msize)                                \
    {                                                                                              \
        wasm_trap trap;                                                                            \
        uint32_t i = (uint32_t)fp[ip[18].m.a], b = (uint32_t)fp[ip[17].m.a], p;                    \
        uint32_t a = (uint32_t)fp[ip[10].s.b == ip[18].m.a ? ip[10].s.c : ip[10].s.b];             \
        uint32_t di = ip[18].m.x, db = ip[17].m.x, end = ip[19].m.x;                               \
        bool left_b = ip[19].m.a == 3;                                                             \
        T acc = get_##T(fp[ip[6].s.a]), a_, b_, p3, p2, p1, x;                                     \
        do {                                                                                       \
            p = a + i;                                                                             \
            uint32_t l = left_b ? b : p, r = left_b ? p : b;                                       \
            REG_LOADS(7, l, r, a_, b_, ctype, L, T);                                               \
            p3 = a_ * b_;                                                                          \
            REG_LOADS(11, l, r, a_, b_, ctype, L, T);                                              \
            p2 = a_ * b_;                                                                          \
            REG_LOADS(14, l, r, a_, b_, ctype, L, T);                                              \
            p1 = a_ * b_;                                                                          \
            REG_LOADS(3, l, r, a_, b_, ctype, L, T);                                               \
            x = a_ * b_ + acc;                                                                     \
            acc = p3 + (p2 + (p1 + x));                                                            \
            b += db;                                                                               \
            i += di;                                                                               \
        } while (i != end);                                                                        \
        fp[ip[10].s.a] = put_u32(p), fp[ip[7].m.a] = put_##T(p3), fp[ip[11].m.a] = put_##T(p2);    \
        fp[ip[14].m.a] = put_##T(p1), fp[ip[3].m.a] = put_##T(x), fp[ip[1].s.a] = put_##T(acc);    \
        fp[ip[17].m.a] = put_u32(b), fp[ip[18].m.a] = put_u32(i);                                  \
        return WASM_TRAP_NONE;                                                                     \
    trapped:                                                                                       \
        return trap;                                                                               \
    }
DOT4_REGS(dot4_regs_f64, uint64_t, u64, f64)
DOT4_REGS(dot4_regs_u32, int16_t, i32, u32)
#define DOT4_LOOP(name, ctype, L, T)                                                               \
    static __attribute__((noinline)) wasm_trap name(const wcell *ip, uint64_t *fp, uint8_t *mbase, \
                                                    uint64_t msize)                                \
    {                                                                                              \
        if (ip[19].m.a >= 2)                                                                       \
            return dot4_regs_##T(ip, fp, mbase, msize);                                            \
        wasm_trap trap;                                                                            \
        T acc = get_##T(fp[ip[6].s.a]);                                                            \
        bool again;                                                                                \
        do {                                                                                       \
            DOT4_PRODUCTS(ctype, L, T);                                                            \
            MAC_ADD3_SUM(ctype, L, T, acc, acc);                                                   \
            ADDI2_NE_STEP(17, again);                                                              \
        } while (again);                                                                           \
        return WASM_TRAP_NONE;                                                                     \
    trapped:                                                                                       \
        return trap;                                                                               \
    }
DOT4_LOOP(dot4_loop_f64, uint64_t, u64, f64)
DOT4_LOOP(dot4_loop_u32, int16_t, i32, u32)
#define DOT4(n, ld, ctype, L, T)                                                                   \
    OP(n##_DOT4_LL_##ld)                                                                           \
    {                                                                                              \
        DOT4_PRODUCTS(ctype, L, T);                                                                \
        MAC_ADD3_BODY(ctype, L, T);                                                                \
        ip += 17;                                                                                  \
        NEXT();                                                                                    \
    }                                                                                              \
    OP(n##_DOT4_LL_##ld##_BR_ADDI2_I32_NE)                                                         \
    {                                                                                              \
        if (ip[19].m.a && ip[20].i64 == -20) {                                                     \
            if ((trap = dot4_loop_##T(ip, fp, mbase, msize)) != WASM_TRAP_NONE)                    \
                goto trapped;                                                                      \
            ip += 21;                                                                              \
            NEXT();                                                                                \
        }                                                                                          \
        DOT4_PRODUCTS(ctype, L, T);                                                                \
        MAC_ADD3_BODY(ctype, L, T);                                                                \
        ADDI2_NE_AT(17);                                                                           \
    }
/* COPY_I32_LOAD_I32_STORE_COPY_BR_IF's loop when it is the op alone (its branch lands on itself)
 * and its slots are a list's l, next and prev, apart (compile.c, fuse_list_step): l = next;
 * next = l->next; l->next = prev; prev = l; while next, the three in registers and written back at
 * its end (a trap leaves them stale: nothing reads a trapped frame). */
static __attribute__((noinline)) wasm_trap list_reverse(const wcell *ip, uint64_t *fp,
                                                        uint8_t *mbase, uint64_t msize)
{
    wasm_trap trap;
    uint32_t l, next = (uint32_t)fp[ip[1].s.b], prev = (uint32_t)fp[ip[3].m.a];
    uint32_t load_off = ip[2].m.x, store_off = ip[3].m.x;
    do {
        l = next;
        LOAD_OPERAND(next, uint32_t, u32, u32, l, 0, load_off);
        STORE_OPERAND(prev, uint32_t, l, 0, store_off);
        prev = l;
    } while (next);
    fp[ip[1].s.a] = put_u32(l), fp[ip[1].s.b] = put_u32(next), fp[ip[3].m.a] = put_u32(prev);
    return WASM_TRAP_NONE;
trapped:
    return trap;
}
/* I32_LOAD16_S_BR_I32_NE's loop with the I32_LOAD_BR_IF its branch lands on, which branches back
 * to it, when p, the key t and k are three slots (compile.c, mark_list_find): t = p->key; if t ==
 * k, on after the first op; else p = p->next, and when p is 0 on after the second op; p and t in
 * registers, written back at the end. NULL: a load out of bounds (nothing reads a trapped frame).
 */
static __attribute__((noinline)) const wcell *list_find(const wcell *ip, uint64_t *fp,
                                                        uint8_t *mbase, uint64_t msize)
{
    wasm_trap trap;
    const wcell *b = ip + 3 + ip[3].i64, *next;
    uint16_t ts = ip[1].m.a, ps = ip[1].m.b;
    uint32_t p = (uint32_t)fp[ps], t, k = (uint32_t)fp[ip[2].s.a == ts ? ip[2].s.b : ip[2].s.a];
    uint32_t key_off = ip[1].m.x, next_off = b[1].m.x;
    for (;;) {
        LOAD_OPERAND(t, int16_t, i32, u32, p, 0, key_off);
        if (t == k) {
            next = ip + 4;
            break;
        }
        LOAD_OPERAND(p, uint32_t, u32, u32, p, 0, next_off);
        if (p == 0) {
            next = b + 3;
            break;
        }
    }
    fp[ts] = put_u32(t), fp[ps] = put_u32(p);
    return next;
trapped:
    (void)trap;
    return NULL;
}
/* The search's loop run by its first op when the compiler marked it (the compare cell's c). */
#define LIST_FIND()                                                                                \
    if (ip[2].s.c) {                                                                               \
        const wcell *next_ = list_find(ip, fp, mbase, msize);                                      \
        if (next_ == NULL)                                                                         \
            TRAP(MEMORY_OOB);                                                                      \
        ip = next_;                                                                                \
        NEXT();                                                                                    \
    }
/* An i32 add to a local [dst, x, y] after NAME_MUL_LL_ld's cells, run first (fuse_load_left). */
#define ADD_MULL(n, ld, ctype, L, T)                                                               \
    LL_AT(I32_ADD_##n##_MUL_LL_##ld, ctype, L, T,                                                  \
          fp[ip[4].s.a] = put_u32((uint32_t)fp[ip[4].s.b] + (uint32_t)fp[ip[4].s.c]), a * b, 5)

#define DIVCHK_S(min)                                                                              \
    (b == 0                    ? WASM_TRAP_DIV_ZERO                                                \
     : (a == (min) && b == -1) ? WASM_TRAP_INT_OVERFLOW                                            \
                               : WASM_TRAP_NONE)
#define BIN_DIV(n, T, check, expr)                                                                 \
    OP(n)                                                                                          \
    {                                                                                              \
        wcell c = ip[1];                                                                           \
        T a = get_##T(fp[c.s.b]), b = get_##T(fp[c.s.c]);                                          \
        if ((trap = (check)) != WASM_TRAP_NONE)                                                    \
            goto trapped;                                                                          \
        fp[c.s.a] = put_##T(expr);                                                                 \
        ip += 2;                                                                                   \
        NEXT();                                                                                    \
    }

wasm_trap wasm_interp(wasm_instance *ctx, wasm_func *entry, uint64_t *entry_fp)
{
#if USE_CGOTO
    static const void *const labels[OP_COUNT_] = {
#define X_SIMPLE(b, n, i1, i2, o) [OP_##n] = &&L_##n,
#define X_MEM(b, n, t, a) [OP_##n] = &&L_##n, [OP_##n##_AI] = &&L_##n##_AI,
#define X_LD(b, n, t, a) X_MEM(b, n, t, a)[OP_##n##_PI] = &&L_##n##_PI,
#define X_IMM(n) [OP_##n##_IMM] = &&L_##n##_IMM,
#define X_INT(n) [OP_##n] = &&L_##n,
#define X_BR(n)                                                                                    \
    [OP_BR_##n] = &&L_BR_##n, [OP_BR_##n##_IMM] = &&L_BR_##n##_IMM,                                \
    [OP_BR_ADDI_##n] = &&L_BR_ADDI_##n, [OP_BR_ADDI2_##n] = &&L_BR_ADDI2_##n,                      \
    [OP_BR_SET_ADDI2_##n] = &&L_BR_SET_ADDI2_##n,                                                  \
    [OP_BR_ADD_SET_ADDI2_##n] = &&L_BR_ADD_SET_ADDI2_##n,                                          \
    [OP_BR_##n##_IMM_ADDI_RETURN] = &&L_BR_##n##_IMM_ADDI_RETURN,                                  \
    [OP_BR_##n##_IMM_ADDI_RETURN_CONST] = &&L_BR_##n##_IMM_ADDI_RETURN_CONST,
#define X_LB(n, ld) [OP_##n##_L_##ld] = &&L_##n##_L_##ld, [OP_##n##_LL_##ld] = &&L_##n##_LL_##ld,
#define X_BB(n1, n2) [OP_##n1##_##n2] = &&L_##n1##_##n2,
#define X_SB(n1, n2) [OP_##n1##_IMM_##n2] = &&L_##n1##_IMM_##n2,
#define X_VMEM(b, n, a) [OP_##n] = &&L_##n,
#define X_VLANE(b, n, l, t, r) [OP_##n] = &&L_##n,
        WASM_SIMPLE_OPS(X_SIMPLE) WASM_SAT_OPS(X_SIMPLE) WASM_LOAD_OPS(X_LD) WASM_STORE_OPS(X_MEM)
            WASM_IMM_OPS(X_IMM) WASM_INTERNAL_OPS(X_INT) WASM_BRCMP_OPS(X_BR) WASM_LOADBIN_OPS(X_LB)
                WASM_BINBIN_OPS(X_BB) WASM_SHIFTBIN_OPS(X_SB) WASM_SIMD_OPS(X_SIMPLE)
                    WASM_SIMD_MEM_OPS(X_VMEM) WASM_SIMD_LANE_MEM_OPS(X_VMEM)
                        WASM_SIMD_LANE_OPS(X_VLANE) WASM_SIMD_INTERNAL_OPS(X_INT)
#undef X_VMEM
#undef X_VLANE
#undef X_SIMPLE
#undef X_MEM
#undef X_LD
#undef X_IMM
#undef X_INT
#undef X_BR
#undef X_LB
#undef X_BB
#undef X_SB
    };
    if (ctx == NULL) {
        *(const void *const **)entry_fp = labels;
        return WASM_TRAP_NONE;
    }
    /* where a record of a call into another instance (or of the entry) resumes: wframe */
    static const wcell ret_inst = {.h = &&L_RETURN_INST};
#else
    if (ctx == NULL)
        return WASM_TRAP_NONE;
    static const wcell ret_inst = {.op = OP_RETURN_INST};
#endif
    const wcell *ip = NULL;
    uint64_t *fp = NULL, *nfp = entry_fp;
    wasm_func *callee = entry;
    wasm_instance *inst = entry->inst;
    wframe *fr = ctx->frames + ctx->nframes; /* the next free record */
    const uint32_t base = ctx->nframes;
    uint64_t *stack_end = ctx->stack_end;
    uint8_t *mbase;
    uint64_t msize;
    wasm_trap trap = WASM_TRAP_NONE;
    MEMLOAD();
    goto do_call;

#if !USE_CGOTO
dispatch:
#ifdef WASM_OP_PROFILE
    wasm_op_profile_count((unsigned)ip->op);
#endif
    switch ((enum wop)ip->op) {
#endif

        // clang-format off
    BIN(I32_EQ, u32, u32, a == b)
    BIN(I32_NE, u32, u32, a != b)
    BIN(I32_LT_S, i32, u32, a < b)
    BIN(I32_LT_U, u32, u32, a < b)
    BIN(I32_GT_S, i32, u32, a > b)
    BIN(I32_GT_U, u32, u32, a > b)
    BIN(I32_LE_S, i32, u32, a <= b)
    BIN(I32_LE_U, u32, u32, a <= b)
    BIN(I32_GE_S, i32, u32, a >= b)
    BIN(I32_GE_U, u32, u32, a >= b)
    UN(I32_EQZ, u32, u32, a == 0)
    UN(I64_EQZ, u64, u32, a == 0)
    BIN(I64_EQ, u64, u32, a == b)
    BIN(I64_NE, u64, u32, a != b)
    BIN(I64_LT_S, i64, u32, a < b)
    BIN(I64_LT_U, u64, u32, a < b)
    BIN(I64_GT_S, i64, u32, a > b)
    BIN(I64_GT_U, u64, u32, a > b)
    BIN(I64_LE_S, i64, u32, a <= b)
    BIN(I64_LE_U, u64, u32, a <= b)
    BIN(I64_GE_S, i64, u32, a >= b)
    BIN(I64_GE_U, u64, u32, a >= b)
    BIN(F32_EQ, f32, u32, a == b)
    BIN(F32_NE, f32, u32, a != b)
    BIN(F32_LT, f32, u32, a < b)
    BIN(F32_GT, f32, u32, a > b)
    BIN(F32_LE, f32, u32, a <= b)
    BIN(F32_GE, f32, u32, a >= b)
    BIN(F64_EQ, f64, u32, a == b)
    BIN(F64_NE, f64, u32, a != b)
    BIN(F64_LT, f64, u32, a < b)
    BIN(F64_GT, f64, u32, a > b)
    BIN(F64_LE, f64, u32, a <= b)
    BIN(F64_GE, f64, u32, a >= b)

    UN(I32_CLZ, u32, u32, a ? (uint32_t)__builtin_clz(a) : 32)
    UN(I32_CTZ, u32, u32, a ? (uint32_t)__builtin_ctz(a) : 32)
    UN(I32_POPCNT, u32, u32, (uint32_t)__builtin_popcount(a))
    BIN(I32_ADD, u32, u32, a + b)
    BIN(I32_SUB, u32, u32, a - b)
    BIN(I32_MUL, u32, u32, a * b)
    BIN_DIV(I32_DIV_S, i32, DIVCHK_S(INT32_MIN), a / b)
    BIN_DIV(I32_DIV_U, u32, b == 0 ? WASM_TRAP_DIV_ZERO : WASM_TRAP_NONE, a / b)
    BIN_DIV(I32_REM_S, i32, b == 0 ? WASM_TRAP_DIV_ZERO : WASM_TRAP_NONE, b == -1 ? 0 : a % b)
    BIN_DIV(I32_REM_U, u32, b == 0 ? WASM_TRAP_DIV_ZERO : WASM_TRAP_NONE, a % b)
    BIN(I32_AND, u32, u32, a & b)
    BIN(I32_OR, u32, u32, a | b)
    BIN(I32_XOR, u32, u32, a ^ b)
    BIN(I32_SHL, u32, u32, a << (b & 31))
    BIN(I32_SHR_S, i32, i32, a >> (b & 31))
    BIN(I32_SHR_U, u32, u32, a >> (b & 31))
    BIN(I32_ROTL, u32, u32, rotl32(a, b))
    BIN(I32_ROTR, u32, u32, rotr32(a, b))

    UN(I64_CLZ, u64, u64, a ? (uint64_t)__builtin_clzll(a) : 64)
    UN(I64_CTZ, u64, u64, a ? (uint64_t)__builtin_ctzll(a) : 64)
    UN(I64_POPCNT, u64, u64, (uint64_t)__builtin_popcountll(a))
    BIN(I64_ADD, u64, u64, a + b)
    BIN(I64_SUB, u64, u64, a - b)
    BIN(I64_MUL, u64, u64, a * b)
    BIN_DIV(I64_DIV_S, i64, DIVCHK_S(INT64_MIN), a / b)
    BIN_DIV(I64_DIV_U, u64, b == 0 ? WASM_TRAP_DIV_ZERO : WASM_TRAP_NONE, a / b)
    BIN_DIV(I64_REM_S, i64, b == 0 ? WASM_TRAP_DIV_ZERO : WASM_TRAP_NONE, b == -1 ? 0 : a % b)
    BIN_DIV(I64_REM_U, u64, b == 0 ? WASM_TRAP_DIV_ZERO : WASM_TRAP_NONE, a % b)
    BIN(I64_AND, u64, u64, a & b)
    BIN(I64_OR, u64, u64, a | b)
    BIN(I64_XOR, u64, u64, a ^ b)
    BIN(I64_SHL, u64, u64, a << (b & 63))
    BIN(I64_SHR_S, i64, i64, a >> (b & 63))
    BIN(I64_SHR_U, u64, u64, a >> (b & 63))
    BIN(I64_ROTL, u64, u64, rotl64(a, b))
    BIN(I64_ROTR, u64, u64, rotr64(a, b))

    UN(F32_ABS, u32, u32, a & 0x7FFFFFFFu)
    UN(F32_NEG, u32, u32, a ^ 0x80000000u)
    UN(F32_CEIL, f32, f32, QNAN(a, ceilf(a)))
    UN(F32_FLOOR, f32, f32, QNAN(a, floorf(a)))
    UN(F32_TRUNC, f32, f32, QNAN(a, truncf(a)))
    UN(F32_NEAREST, f32, f32, QNAN(a, nearbyintf(a)))
    UN(F32_SQRT, f32, f32, QNAN(a, sqrtf(a)))
    BIN(F32_ADD, f32, f32, a + b)
    BIN(F32_SUB, f32, f32, a - b)
    BIN(F32_MUL, f32, f32, a * b)
    BIN(F32_DIV, f32, f32, a / b)
    BIN(F32_MIN, f32, f32, fmin32(a, b))
    BIN(F32_MAX, f32, f32, fmax32(a, b))
    BIN(F32_COPYSIGN, u32, u32, (a & 0x7FFFFFFFu) | (b & 0x80000000u))
    UN(F64_ABS, u64, u64, a & 0x7FFFFFFFFFFFFFFFull)
    UN(F64_NEG, u64, u64, a ^ 0x8000000000000000ull)
    UN(F64_CEIL, f64, f64, QNAN(a, ceil(a)))
    UN(F64_FLOOR, f64, f64, QNAN(a, floor(a)))
    UN(F64_TRUNC, f64, f64, QNAN(a, trunc(a)))
    UN(F64_NEAREST, f64, f64, QNAN(a, nearbyint(a)))
    UN(F64_SQRT, f64, f64, QNAN(a, sqrt(a)))
    BIN(F64_ADD, f64, f64, a + b)
    BIN(F64_SUB, f64, f64, a - b)
    BIN(F64_MUL, f64, f64, a * b)
    BIN(F64_DIV, f64, f64, a / b)
    BIN(F64_MIN, f64, f64, fmin64(a, b))
    BIN(F64_MAX, f64, f64, fmax64(a, b))
    BIN(F64_COPYSIGN, u64, u64, (a & 0x7FFFFFFFFFFFFFFFull) | (b & 0x8000000000000000ull))

    UN(I32_WRAP_I64, u64, u32, (uint32_t)a)
    UNT(I32_TRUNC_F32_S, f32, i32, trunc_check(a, -2147483649.0, 2147483648.0), (int32_t)a)
    UNT(I32_TRUNC_F32_U, f32, u32, trunc_check(a, -1.0, 4294967296.0), (uint32_t)a)
    UNT(I32_TRUNC_F64_S, f64, i32, trunc_check(a, -2147483649.0, 2147483648.0), (int32_t)a)
    UNT(I32_TRUNC_F64_U, f64, u32, trunc_check(a, -1.0, 4294967296.0), (uint32_t)a)
    UN(I64_EXTEND_I32_S, i32, i64, (int64_t)a)
    UN(I64_EXTEND_I32_U, u32, u64, (uint64_t)a)
    UNT(I64_TRUNC_F32_S, f32, i64, trunc_check_s64(a), (int64_t)a)
    UNT(I64_TRUNC_F32_U, f32, u64, trunc_check(a, -1.0, 18446744073709551616.0), (uint64_t)a)
    UNT(I64_TRUNC_F64_S, f64, i64, trunc_check_s64(a), (int64_t)a)
    UNT(I64_TRUNC_F64_U, f64, u64, trunc_check(a, -1.0, 18446744073709551616.0), (uint64_t)a)
    UN(F32_CONVERT_I32_S, i32, f32, (float)a)
    UN(F32_CONVERT_I32_U, u32, f32, (float)a)
    UN(F32_CONVERT_I64_S, i64, f32, (float)a)
    UN(F32_CONVERT_I64_U, u64, f32, (float)a)
    UN(F32_DEMOTE_F64, f64, f32, (float)a)
    UN(F64_CONVERT_I32_S, i32, f64, (double)a)
    UN(F64_CONVERT_I32_U, u32, f64, (double)a)
    UN(F64_CONVERT_I64_S, i64, f64, (double)a)
    UN(F64_CONVERT_I64_U, u64, f64, (double)a)
    UN(F64_PROMOTE_F32, f32, f64, (double)a)
    UN(I32_REINTERPRET_F32, u32, u32, a)
    UN(I64_REINTERPRET_F64, u64, u64, a)
    UN(F32_REINTERPRET_I32, u32, u32, a)
    UN(F64_REINTERPRET_I64, u64, u64, a)
    UN(I32_EXTEND8_S, u32, i32, (int8_t)a)
    UN(I32_EXTEND16_S, u32, i32, (int16_t)a)
    UN(I64_EXTEND8_S, u64, i64, (int8_t)a)
    UN(I64_EXTEND16_S, u64, i64, (int16_t)a)
    UN(I64_EXTEND32_S, u64, i64, (int32_t)a)
    UN(I32_TRUNC_SAT_F32_S, f32, i32, sat_i32(a))
    UN(I32_TRUNC_SAT_F32_U, f32, u32, sat_u32(a))
    UN(I32_TRUNC_SAT_F64_S, f64, i32, sat_i32(a))
    UN(I32_TRUNC_SAT_F64_U, f64, u32, sat_u32(a))
    UN(I64_TRUNC_SAT_F32_S, f32, i64, sat_i64(a))
    UN(I64_TRUNC_SAT_F32_U, f32, u64, sat_u64(a))
    UN(I64_TRUNC_SAT_F64_S, f64, i64, sat_i64(a))
    UN(I64_TRUNC_SAT_F64_U, f64, u64, sat_u64(a))

    BINI(I32_ADD, u32, u32, a + b)
    BINI(I32_SUB, u32, u32, a - b)
    BINI(I32_MUL, u32, u32, a * b)
    BINI(I32_AND, u32, u32, a & b)
    BINI(I32_OR, u32, u32, a | b)
    BINI(I32_XOR, u32, u32, a ^ b)
    BINI(I32_SHL, u32, u32, a << (b & 31))
    BINI(I32_SHR_S, i32, i32, a >> (b & 31))
    BINI(I32_SHR_U, u32, u32, a >> (b & 31))
    BINI(I32_EQ, u32, u32, a == b)
    BINI(I32_NE, u32, u32, a != b)
    BINI(I32_LT_S, i32, u32, a < b)
    BINI(I32_LT_U, u32, u32, a < b)
    BINI(I32_GT_S, i32, u32, a > b)
    BINI(I32_GT_U, u32, u32, a > b)
    BINI(I32_LE_S, i32, u32, a <= b)
    BINI(I32_LE_U, u32, u32, a <= b)
    BINI(I32_GE_S, i32, u32, a >= b)
    BINI(I32_GE_U, u32, u32, a >= b)
    BINI(I32_ROTL, u32, u32, rotl32(a, b))
    BINI(I32_ROTR, u32, u32, rotr32(a, b))
    BINI(I64_ADD, u64, u64, a + b)
    BINI(I64_SUB, u64, u64, a - b)
    BINI(I64_MUL, u64, u64, a * b)
    BINI(I64_AND, u64, u64, a & b)
    BINI(I64_OR, u64, u64, a | b)
    BINI(I64_XOR, u64, u64, a ^ b)
    BINI(I64_SHL, u64, u64, a << (b & 63))
    BINI(I64_SHR_S, i64, i64, a >> (b & 63))
    BINI(I64_SHR_U, u64, u64, a >> (b & 63))

    LOAD(I32_LOAD, uint32_t, u32)
    LOAD(I64_LOAD, uint64_t, u64)
    LOAD(F32_LOAD, uint32_t, u32)
    LOAD(F64_LOAD, uint64_t, u64)
    LOAD(I32_LOAD8_S, int8_t, i32)
    LOAD(I32_LOAD8_U, uint8_t, u32)
    LOAD(I32_LOAD16_S, int16_t, i32)
    LOAD_AT(I32_ADD_IMM_I32_LOAD, ADDI_LAST(3), fp[c.m.b], 0, 3, uint32_t, u32)
    LOAD_AT(I32_ADD_IMM_I32_LOAD_PI, ADDI_LAST(4), PI_BASE, 0, 4, uint32_t, u32)
    LOAD(I32_LOAD16_U, uint16_t, u32)
    LOAD(I64_LOAD8_S, int8_t, i64)
    LOAD(I64_LOAD8_U, uint8_t, u64)
    LOAD(I64_LOAD16_S, int16_t, i64)
    LOAD(I64_LOAD16_U, uint16_t, u64)
    LOAD(I64_LOAD32_S, int32_t, i64)
    LOAD(I64_LOAD32_U, uint32_t, u64)
    STORE(I32_STORE, uint32_t)
    STORE(I64_STORE, uint64_t)
    STORE(F32_STORE, uint32_t)
    STORE(F64_STORE, uint64_t)
    STORE(I32_STORE8, uint8_t)
    STORE(I32_STORE16, uint16_t)
    STORE(I64_STORE8, uint8_t)
    STORE(I64_STORE16, uint16_t)
    STORE(I64_STORE32, uint32_t)

    BINL(I32_ADD, I32_LOAD, uint32_t, u32, u32, a + b)
    BINL(I32_MUL, I32_LOAD, uint32_t, u32, u32, a * b)
    BINL(I32_MUL, I32_LOAD16_S, int16_t, i32, u32, a * b)
    BINL(I32_MUL, I32_LOAD8_U, uint8_t, u32, u32, a * b)
    BINL(F64_ADD, F64_LOAD, uint64_t, u64, f64, a + b)
    BINL(F64_MUL, F64_LOAD, uint64_t, u64, f64, a * b)
    BINL(F32_ADD, F32_LOAD, uint32_t, u32, f32, a + b)
    BINL(F32_MUL, F32_LOAD, uint32_t, u32, f32, a * b)
    MACL(F64, F64_LOAD, uint64_t, u64, f64)
    MACL(I32, I32_LOAD16_S, int16_t, i32, u32)
    ADD_MULL(F64, F64_LOAD, uint64_t, u64, f64)
    ADD_MULL(I32, I32_LOAD16_S, int16_t, i32, u32)
    BIN2(I32_ADD, I32_ADD, u32, a + b, a + b)
    BIN2(I32_XOR, I32_ADD, u32, a ^ b, a + b)
    BIN2(I32_AND, I32_ADD, u32, a & b, a + b)
    BIN2(I32_XOR, I32_XOR, u32, a ^ b, a ^ b)
    BIN2(I32_XOR, I32_AND, u32, a ^ b, a & b)
    BIN2(I32_AND, I32_XOR, u32, a & b, a ^ b)
    BIN(I32_ANDN, u32, u32, ~a & b) /* [dst, x, y]: ~x & y (compile.c, fuse_andn) */
    BIN2(I32_ANDN, I32_ADD, u32, ~a & b, a + b)
    BIN2(F64_ADD, F64_ADD, f64, a + b, a + b)
    BIN2(F32_ADD, F32_ADD, f32, a + b, a + b)
    BIN2I(I32_ROTL, I32_XOR, u32, rotl32(a, b), a ^ b)
    BIN2I(I32_SHL, I32_ADD, u32, a << b, a + b)
        // clang-format on

#include "interp_simd.h"

        OP(NOP)
        {
            ip += 1;
            NEXT();
        }
        OP(UNREACHABLE) TRAP(UNREACHABLE);
        OP(COPY)
        {
            fp[ip[1].s.a] = fp[ip[1].s.b];
            ip += 2;
            NEXT();
        }
        OP(I32_ADD_IMM2) /* [dst, a, imm][dst2]: i32.add-immediate, local.tee dst, local.set dst2 */
        {
            wcell c = ip[1];
            uint64_t v = put_u32((uint32_t)fp[c.m.b] + c.m.x);
            fp[c.m.a] = v;
            fp[ip[2].s.a] = v;
            ip += 3;
            NEXT();
        }
        OP(COPY2)
        {
            wcell c = ip[1];
            fp[c.s.a] = fp[c.s.b];
            fp[c.s.c] = fp[c.s.d];
            ip += 2;
            NEXT();
        }
        OP(COPY3) /* [dst, src, dst2, src2][dst3, src3]: three copies, in order */
        {
            wcell c = ip[1], e = ip[2];
            fp[c.s.a] = fp[c.s.b];
            fp[c.s.c] = fp[c.s.d];
            fp[e.s.a] = fp[e.s.b];
            ip += 3;
            NEXT();
        }
        OP(COPY4) /* [dst, src, dst2, src2][dst3, src3, dst4, src4]: four copies, in order */
        {
            COPY4_AT(1);
            ip += 3;
            NEXT();
        }
        OP(COPY8) /* four cells of COPY4's form: eight copies, in order */
        {
            COPY4_AT(1);
            COPY4_AT(3);
            ip += 5;
            NEXT();
        }
        OP(COPY8_JMP) /* COPY8's four cells, then JMP's offset (compile.c, jump_to) */
        {
            COPY4_AT(1);
            COPY4_AT(3);
            ip = ip + 5 + ip[5].i64;
            NEXT();
        }
        OP(I32_ROTL2_XOR) /* [dst, x, k1, k2]: rotl(x, k1) ^ rotl(x, k2) (compile.c, fuse_rotates)
                           */
        {
            wcell c = ip[1];
            uint32_t x = (uint32_t)fp[c.s.b];
            fp[c.s.a] = put_u32(rotl32(x, c.s.c) ^ rotl32(x, c.s.d));
            ip += 2;
            NEXT();
        }
        OP(I32_ROTL3_XOR) /* [dst, x, k1 | k2 << 8, k3]: rotl(x, k1) ^ rotl(x, k2) ^ rotl(x, k3) */
        {
            wcell c = ip[1];
            uint32_t x = (uint32_t)fp[c.s.b];
            fp[c.s.a] = put_u32(rotl32(x, c.s.c) ^ rotl32(x, c.s.c >> 8) ^ rotl32(x, c.s.d));
            ip += 2;
            NEXT();
        }
        OP(I32_ROTL3_XOR_I32_ADD) /* [dst, x, k1 | k2 << 8, k3][e]: e + I32_ROTL3_XOR (fuse_extend)
                                   */
        {
            wcell c = ip[1];
            uint32_t x = (uint32_t)fp[c.s.b];
            uint32_t t = rotl32(x, c.s.c) ^ rotl32(x, c.s.c >> 8) ^ rotl32(x, c.s.d);
            fp[c.s.a] = put_u32((uint32_t)fp[ip[2].s.a] + t);
            ip += 3;
            NEXT();
        }
        OP(I32_ROTL2_XOR_SHR_U) /* [dst, x, k1 | k2 << 8, k3]: rotl(x, k1) ^ rotl(x, k2) ^ x >> k3
                                 * (fuse_sigma) */
        {
            wcell c = ip[1];
            uint32_t x = (uint32_t)fp[c.s.b];
            fp[c.s.a] = put_u32(rotl32(x, c.s.c) ^ rotl32(x, c.s.c >> 8) ^ x >> c.s.d);
            ip += 2;
            NEXT();
        }
        OP(I32_ROTL2_XOR_SHR_U_I32_ADD) /* [I32_ROTL2_XOR_SHR_U's cells][e]: e + it */
        {
            wcell c = ip[1];
            uint32_t x = (uint32_t)fp[c.s.b];
            uint32_t t = rotl32(x, c.s.c) ^ rotl32(x, c.s.c >> 8) ^ x >> c.s.d;
            fp[c.s.a] = put_u32((uint32_t)fp[ip[2].s.a] + t);
            ip += 3;
            NEXT();
        }
        OP(I32_AND_I32_XOR_I32_ADD) /* [dst, a, b, c][e]: e + (c ^ (a & b)) */
        {
            wcell c = ip[1];
            uint32_t t = (uint32_t)fp[c.s.d] ^ ((uint32_t)fp[c.s.b] & (uint32_t)fp[c.s.c]);
            fp[c.s.a] = put_u32((uint32_t)fp[ip[2].s.a] + t);
            ip += 3;
            NEXT();
        }
        OP(I32_ADD_L_I32_LOAD_SET_ADD) /* [dst, addr, offset][x, local, add][e] (fuse_set_add) */
        {
            wcell c = ip[1], d = ip[2];
            uint32_t v, e = (uint32_t)fp[ip[3].s.a];
            LOAD_OPERAND(v, uint32_t, u32, u32, fp[c.m.b], d.m.x, c.m.x);
            v += (uint32_t)fp[d.m.a];
            fp[d.m.b] = put_u32(v);
            fp[c.m.a] = put_u32(e + v);
            ip += 4;
            NEXT();
        }
        OP(I32_ADD3) /* [dst, a, b, c][e]: e + (c + (a + b)) */
        {
            wcell c = ip[1];
            uint32_t t = (uint32_t)fp[c.s.d] + ((uint32_t)fp[c.s.b] + (uint32_t)fp[c.s.c]);
            fp[c.s.a] = put_u32((uint32_t)fp[ip[2].s.a] + t);
            ip += 3;
            NEXT();
        }
        OP(F64_ADD3) /* [dst, a, b, c][e]: e + (c + (a + b)), in that order */
        {
            wcell c = ip[1];
            f64 t = get_f64(fp[c.s.d]) + (get_f64(fp[c.s.b]) + get_f64(fp[c.s.c]));
            fp[c.s.a] = put_f64(get_f64(fp[ip[2].s.a]) + t);
            ip += 3;
            NEXT();
        }
        OP(I32_LOAD_I32_STORE) /* [dst, addr, off][v, addr2, off2]: an i32 load, then an i32
                                * store, in order (cs_load_store) */
        {
            LOAD_STORE_AT(1);
            ip += 3;
            NEXT();
        }
        OP(I32_ADD3_BR_ADDI2_I32_NE) /* [I32_ADD3's cells][BR_ADDI2_I32_NE's cells] (a dot
                                      * product's sum, then its loop's latch: fuse_add_branch) */
        {
            wcell c = ip[1];
            uint32_t t = (uint32_t)fp[c.s.d] + ((uint32_t)fp[c.s.b] + (uint32_t)fp[c.s.c]);
            fp[c.s.a] = put_u32((uint32_t)fp[ip[2].s.a] + t);
            ADDI2_NE_AT(3);
        }
        OP(F64_ADD3_BR_ADDI2_I32_NE) /* [F64_ADD3's cells][BR_ADDI2_I32_NE's cells] */
        {
            wcell c = ip[1];
            f64 t = get_f64(fp[c.s.d]) + (get_f64(fp[c.s.b]) + get_f64(fp[c.s.c]));
            fp[c.s.a] = put_f64(get_f64(fp[ip[2].s.a]) + t);
            ADDI2_NE_AT(3);
        }
        OP(I32_STORE_BR_ADDI_I32_NE) /* [v, addr, off][BR_ADDI_I32_NE's cells] (fuse_add_branch) */
        {
            wcell c = ip[1];
            STORE_OPERAND(fp[c.m.a], uint32_t, fp[c.m.b], 0, c.m.x);
            wcell a = ip[2];
            uint32_t v = (uint32_t)fp[a.m.b] + a.m.x;
            fp[a.m.a] = put_u32(v);
            ip = v != ip[3].m.x ? ip + 4 + ip[4].i64 : ip + 5;
            NEXT();
        }
        OP(CONST32)
        {
            fp[ip[1].m.a] = ip[1].m.x;
            ip += 2;
            NEXT();
        }
        OP(CONST64)
        {
            fp[ip[1].s.a] = ip[2].u64;
            ip += 3;
            NEXT();
        }
        OP(JMP)
        {
            ip = ip + 1 + ip[1].i64;
            NEXT();
        }
        OP(BR_IF)
        {
            if ((uint32_t)fp[ip[1].s.a])
                ip = ip + 2 + ip[2].i64;
            else
                ip += 3;
            NEXT();
        }
        OP(BR_UNLESS)
        {
            if (!(uint32_t)fp[ip[1].s.a])
                ip = ip + 2 + ip[2].i64;
            else
                ip += 3;
            NEXT();
        }
        // clang-format off
        PRE_BR(COPY, 2, fp[c.s.a] = fp[c.s.b], c.s.c)
        PRE_BR(I32_ADD_IMM2, 3, uint64_t v = put_u32((uint32_t)fp[c.m.b] + c.m.x);
               fp[c.m.a] = v; fp[ip[2].s.a] = v, ip[2].s.b)
        // clang-format on
        BRCMP_TYPED(BRCMP)
        OP(BR_TABLE)
        {
            uint32_t i = (uint32_t)fp[ip[1].s.a];
            uint64_t n = ip[2].u64;
            const wcell *e = ip + 3 + (i < n ? i : n);
            ip = e + e->i64;
            NEXT();
        }
        OP(SELECT)
        {
            wcell c = ip[1];
            fp[c.s.a] = (uint32_t)fp[c.s.d] ? fp[c.s.b] : fp[c.s.c];
            ip += 2;
            NEXT();
        }
        OP(GLOBAL_GET)
        {
            fp[ip[1].m.a] = inst->globals[ip[1].m.x]->val.u64;
            ip += 2;
            NEXT();
        }
        OP(GLOBAL_SET)
        {
            inst->globals[ip[1].m.x]->val.u64 = fp[ip[1].m.a];
            ip += 2;
            NEXT();
        }
        OP(MEMORY_SIZE)
        {
            fp[ip[1].s.a] = inst->mem->pages;
            ip += 2;
            NEXT();
        }
        OP(MEMORY_GROW)
        {
            fp[ip[1].s.a] = (uint32_t)wasm_memory_grow_(inst->mem, (uint32_t)fp[ip[1].s.b]);
            MEMLOAD();
            ip += 2;
            NEXT();
        }
        OP(MEMORY_INIT)
        {
            wcell c = ip[1];
            uint32_t idx = (uint32_t)ip[2].u64, d = (uint32_t)fp[c.s.a], s = (uint32_t)fp[c.s.b],
                     n = (uint32_t)fp[c.s.c];
            const wdata *seg = &inst->m->datas[idx];
            uint32_t len = inst->data_dropped[idx] ? 0 : seg->len;
            if ((uint64_t)s + n > len || (uint64_t)d + n > msize)
                TRAP(MEMORY_OOB);
            if (n)
                memcpy(mbase + d, seg->bytes + s, n);
            ip += 3;
            NEXT();
        }
        OP(DATA_DROP)
        {
            inst->data_dropped[ip[1].u64] = true;
            ip += 2;
            NEXT();
        }
        OP(MEMORY_COPY)
        {
            wcell c = ip[1];
            uint32_t d = (uint32_t)fp[c.s.a], s = (uint32_t)fp[c.s.b], n = (uint32_t)fp[c.s.c];
            if ((uint64_t)s + n > msize || (uint64_t)d + n > msize)
                TRAP(MEMORY_OOB);
            if (n)
                memmove(mbase + d, mbase + s, n);
            ip += 2;
            NEXT();
        }
        OP(MEMORY_FILL)
        {
            wcell c = ip[1];
            uint32_t d = (uint32_t)fp[c.s.a], n = (uint32_t)fp[c.s.c];
            if ((uint64_t)d + n > msize)
                TRAP(MEMORY_OOB);
            if (n)
                memset(mbase + d, (int)(uint8_t)fp[c.s.b], n);
            ip += 2;
            NEXT();
        }
        OP(TABLE_GET)
        {
            wcell c = ip[1];
            wasm_table *t = inst->tables[c.m.x];
            uint32_t i = (uint32_t)fp[c.m.b];
            if (i >= t->size)
                TRAP(TABLE_OOB);
            fp[c.m.a] = (uintptr_t)t->elems[i];
            ip += 2;
            NEXT();
        }
        OP(TABLE_SET)
        {
            wcell c = ip[1];
            wasm_table *t = inst->tables[c.m.x];
            uint32_t i = (uint32_t)fp[c.m.a];
            if (i >= t->size)
                TRAP(TABLE_OOB);
            t->elems[i] = (void *)(uintptr_t)fp[c.m.b];
            ip += 2;
            NEXT();
        }
        OP(TABLE_INIT)
        {
            wcell c = ip[1];
            if (table_init(inst, (uint32_t)fp[c.s.a], (uint32_t)fp[c.s.b], (uint32_t)fp[c.s.c],
                           ip[2].u64) < 0)
                TRAP(TABLE_OOB);
            ip += 3;
            NEXT();
        }
        OP(ELEM_DROP)
        {
            inst->elem_dropped[ip[1].u64] = true;
            ip += 2;
            NEXT();
        }
        OP(TABLE_COPY)
        {
            wcell c = ip[1];
            if (table_copy(inst, (uint32_t)fp[c.s.a], (uint32_t)fp[c.s.b], (uint32_t)fp[c.s.c],
                           ip[2].u64) < 0)
                TRAP(TABLE_OOB);
            ip += 3;
            NEXT();
        }
        OP(TABLE_GROW)
        {
            wcell c = ip[1];
            wasm_table *t = inst->tables[ip[2].u64];
            fp[c.s.a] =
                (uint32_t)wasm_table_grow_(t, (uint32_t)fp[c.s.c], (void *)(uintptr_t)fp[c.s.b],
                                           inst->m->limits.max_table_elems);
            ip += 3;
            NEXT();
        }
        OP(TABLE_SIZE)
        {
            fp[ip[1].s.a] = inst->tables[ip[2].u64]->size;
            ip += 3;
            NEXT();
        }
        OP(TABLE_FILL)
        {
            wcell c = ip[1];
            wasm_table *t = inst->tables[ip[2].u64];
            if (table_fill(t, (uint32_t)fp[c.s.a], (void *)(uintptr_t)fp[c.s.b],
                           (uint32_t)fp[c.s.c]) < 0)
                TRAP(TABLE_OOB);
            ip += 3;
            NEXT();
        }
        OP(REF_IS_NULL)
        {
            fp[ip[1].s.a] = fp[ip[1].s.b] == 0;
            ip += 2;
            NEXT();
        }
        OP(REF_FUNC)
        {
            fp[ip[1].m.a] = (uintptr_t)wasm_inst_func(inst, ip[1].m.x);
            ip += 2;
            NEXT();
        }
        /* Session 12's fused ops, after the others: placed among them, they moved matmul's CPU time
         * by +14% at the same instruction count (README, speed). */
        OP(I32_ADD_BR_I32_NE_IMM) /* [dst, a, b][x, 0, imm][off]: the add, then a branch if x != imm
                                   * (compile.c, fuse_add_cmp_branch) */
        {
            wcell c = ip[1];
            fp[c.s.a] = put_u32((uint32_t)fp[c.s.b] + (uint32_t)fp[c.s.c]);
            ip = (uint32_t)fp[ip[2].m.a] != ip[2].m.x ? ip + 3 + ip[3].i64 : ip + 4;
            NEXT();
        }
        OP(I32_ADD_I32_AND_I32_ADD) /* [dst, a, b, x][y]: (x + y) + (a & b) (fuse_add_chain) */
        {
            wcell c = ip[1];
            uint32_t t = (uint32_t)fp[c.s.d] + (uint32_t)fp[ip[2].s.a];
            fp[c.s.a] = put_u32(t + ((uint32_t)fp[c.s.b] & (uint32_t)fp[c.s.c]));
            ip += 3;
            NEXT();
        }
        OP(I32_ADD_IMM_COPY8_JMP) /* [dst, a, imm], COPY8's four cells, JMP's offset (jump_to) */
        {
            wcell c = ip[1];
            fp[c.m.a] = put_u32((uint32_t)fp[c.m.b] + c.m.x);
            COPY4_AT(2);
            COPY4_AT(4);
            ip = ip + 6 + ip[6].i64;
            NEXT();
        }
        OP(I32_LOAD_AI_SIGMA_ADD) /* [x, base, off][imm][I32_ROTL2_XOR_SHR_U_I32_ADD's cells on x]:
                                   * x loaded (I32_LOAD_AI), then e + sigma(x) (fuse_load_sigma) */
        {
            wcell c = ip[1], d = ip[3];
            uint32_t x;
            LOAD_OPERAND(x, uint32_t, u32, u32, fp[c.m.b], ip[2].u64, c.m.x);
            fp[c.m.a] = put_u32(x);
            uint32_t t = rotl32(x, d.s.c) ^ rotl32(x, d.s.c >> 8) ^ x >> d.s.d;
            fp[d.s.a] = put_u32((uint32_t)fp[ip[4].s.a] + t);
            ip += 5;
            NEXT();
        }
        OP(I32_MAJ_ADD) /* [dst, a, b, e][x, y, z]: e + ((z & (x ^ y)) ^ (a & b)) (fuse_maj) */
        {
            wcell c = ip[1], d = ip[2];
            uint32_t t = (uint32_t)fp[d.s.c] & ((uint32_t)fp[d.s.a] ^ (uint32_t)fp[d.s.b]);
            t ^= (uint32_t)fp[c.s.b] & (uint32_t)fp[c.s.c];
            fp[c.s.a] = put_u32((uint32_t)fp[c.s.d] + t);
            ip += 3;
            NEXT();
        }
        OP(I32_ROTL3_XOR_MAJ_ADD) /* [dst, a, b, w][x, y, z, k1 | k2 << 8][k3]: I32_MAJ_ADD with
                                   * I32_ROTL3_XOR's value of w as e (fuse_maj) */
        {
            wcell c = ip[1], d = ip[2];
            uint32_t w = (uint32_t)fp[c.s.d];
            uint32_t t = (uint32_t)fp[d.s.c] & ((uint32_t)fp[d.s.a] ^ (uint32_t)fp[d.s.b]);
            t ^= (uint32_t)fp[c.s.b] & (uint32_t)fp[c.s.c];
            t += rotl32(w, d.s.d) ^ rotl32(w, d.s.d >> 8) ^ rotl32(w, ip[3].s.a);
            fp[c.s.a] = put_u32(t);
            ip += 4;
            NEXT();
        }
        /* Two slots' i32 sum as the address (compile.c, fuse_add_slots_load): [dst, a, off][b] */
        // clang-format off
    LOAD_AT(I32_ADD_I32_LOAD, (void)0, fp[c.m.b], fp[ip[2].s.a], 3, uint32_t, u32)
        // clang-format on
        OP(I32_ADD_I32_AND_I32_ADD_ANDN_ADD) /* [dst, a, b, x][y, u, v]: I32_ADD_I32_AND_I32_ADD's
                                              * sum + (~u & v) (fuse_add_chain) */
        {
            wcell c = ip[1], d = ip[2];
            uint32_t t = (uint32_t)fp[c.s.d] + (uint32_t)fp[d.s.a];
            t += (uint32_t)fp[c.s.b] & (uint32_t)fp[c.s.c];
            fp[c.s.a] = put_u32(t + (~(uint32_t)fp[d.s.b] & (uint32_t)fp[d.s.c]));
            ip += 3;
            NEXT();
        }
        OP(CALL)
        {
            callee = inst->funcs[ip[1].m.x];
            nfp = fp + ip[1].m.a;
            ip += 2;
            goto do_call;
        }
        OP(CALL_LOCAL_ADDI) /* [dst, a, imm][CALL_LOCAL's cells]: an argument's i32 add-immediate,
                             * then the call (fib's n - 1) */
        {
            wcell c = ip[1];
            fp[c.m.a] = put_u32((uint32_t)fp[c.m.b] + c.m.x);
            ip += 1;
            goto call_local;
        }
        OP(CALL_LOCAL) /* [frame, 0, func][callee's wcode]: a function of the same instance */
        {
        call_local:;
            const wcode *code = ip[2].ptr;
            nfp = fp + ip[1].m.a;
            if (fr >= ctx->frames_end || nfp + code->frame_slots > stack_end)
                TRAP(STACK_EXHAUSTED);
            CHECK_ATTENTION();
            fr->ip = ip + 3, fr->fp = fp, fr->code = code;
            fr++;
            fp = nfp, ip = code->code;
            NEXT();
        }
        OP(ZERO_LOCALS) /* [nparams, zero_end]: a function's first op when it has locals to zero
                         * at entry (cs_zero_prologue) */
        {
            wcell c = ip[1];
            zero_locals(fp + c.m.a, c.m.b - c.m.a);
            ip += 2;
            NEXT();
        }
        OP(LAZY_COMPILE) /* the first call of a lazy module's function (prepare.c): the top
                          * record's function was just entered with a frame of its params; compile,
                          * then enter it again */
        {
            wc_error err = {0};
            const wcode *code = fr[-1].code;
            wasm_func *f = wasm_inst_func(inst, func_index(inst, code));
            if (wasm_compile_on_call(f, &err) < 0) {
                trap = wasm_instance_host_error(ctx, "compiling function %u: %.160s", f->index,
                                                err.msg);
                goto trapped;
            }
            if (fp + code->frame_slots > stack_end)
                TRAP(STACK_EXHAUSTED);
            ip = code->code;
            NEXT();
        }
        OP(CALL_INDIRECT)
        {
            wcell c = ip[1];
            wasm_table *t = inst->tables[ip[2].u64];
            uint32_t i = (uint32_t)fp[c.m.b];
            if (i >= t->size)
                TRAP(UNDEFINED_ELEMENT);
            callee = t->elems[i];
            if (callee == NULL)
                TRAP(UNINITIALIZED_ELEMENT);
            const wasm_functype *want = &inst->m->types[c.m.x];
            if (callee->type != want && !wasm_functype_eq(callee->type, want))
                TRAP(INDIRECT_MISMATCH);
            nfp = fp + c.m.a;
            ip += 3;
            goto do_call;
        }
        OP(POLL)
        {
            CHECK_ATTENTION();
            ip += 1;
            NEXT();
        }
        OP(I32_ADD_RETURN) /* [0, a, b]: the function's result a + b, then RETURN (cs_return) */
        {
            wcell c = ip[1];
            fp[0] = put_u32((uint32_t)fp[c.s.b] + (uint32_t)fp[c.s.c]);
            goto do_return;
        }
        OP(I32_ADD_IMM_RETURN) /* [0, a, imm]: the function's result a + imm, then RETURN */
        {
            wcell c = ip[1];
            fp[0] = put_u32((uint32_t)fp[c.m.b] + c.m.x);
            goto do_return;
        }
        OP(RETURN)
        {
        do_return:;
            --fr;
            ip = fr->ip, fp = fr->fp;
            NEXT();
        }
        OP(RETURN_INST) /* a return into another instance, or out of the entry: the record just
                         * popped (fr) holds the caller's instance and where it resumes */
        {
            ip = fr->resume;
            if (ip == NULL) {
                ctx->nframes = (uint32_t)(fr - ctx->frames);
                return WASM_TRAP_NONE;
            }
            inst = fr->inst;
            MEMLOAD();
            NEXT();
        }
        BRCMP_TYPED(BR_RETURN_CONST)
        MAC_ADD3(F64, F64_LOAD, uint64_t, u64, f64)
        MAC_ADD3(I32, I32_LOAD16_S, int16_t, i32, u32)
        DOT4(F64, F64_LOAD, uint64_t, u64, f64)
        DOT4(I32, I32_LOAD16_S, int16_t, i32, u32)
        OP(COPY_I32_LOAD_I32_STORE_COPY_BR_IF) /* [COPY's cell][I32_LOAD_I32_STORE's two]
                                                * [COPY_BR_IF's cell][off], in order: a list
                                                * reversed (fuse_list_step) */
        {
            if (ip[1].s.c && ip[5].i64 == -5) { /* its loop is this op alone */
                if ((trap = list_reverse(ip, fp, mbase, msize)) != WASM_TRAP_NONE)
                    goto trapped;
                ip += 6;
                NEXT();
            }
            wcell c = ip[1], d = ip[4];
            fp[c.s.a] = fp[c.s.b];
            LOAD_STORE_AT(2);
            fp[d.s.a] = fp[d.s.b];
            ip = (uint32_t)fp[d.s.c] ? ip + 5 + ip[5].i64 : ip + 6;
            NEXT();
        }
        LOAD_BR(I32_LOAD_BR_IF, uint32_t, 2, (void)0, x != 0)
        LOAD_BR(I32_LOAD16_S_BR_I32_NE, int16_t, 3, LIST_FIND(),
                (uint32_t)fp[ip[2].s.a] != (uint32_t)fp[ip[2].s.b])
        LOAD_BR(I32_LOAD8_U_BR_I32_EQ_IMM, uint8_t, 3, (void)0,
                (uint32_t)fp[ip[2].m.a] == ip[2].m.x)

#if !USE_CGOTO
    default:
        TRAP(UNREACHABLE);
    }
#endif

do_call:
    if (callee->host) {
        const wasm_functype *ft = callee->type;
        ctx->sp = nfp + (ft->nps > ft->nrs ? ft->nps : ft->nrs);
        ctx->nframes = (uint32_t)(fr - ctx->frames);
        if (ctx->sp > stack_end)
            TRAP(STACK_EXHAUSTED);
        trap = callee->host(inst, callee->env, (const wasm_val *)nfp, (wasm_val *)nfp);
        if (trap != WASM_TRAP_NONE) {
            host_trap_details(ctx, inst, trap);
            goto trapped;
        }
        MEMLOAD();
        NEXT();
    }
    {
        const wcode *code = callee->code;
        if (fr >= ctx->frames_end || nfp + code->frame_slots > stack_end)
            TRAP(STACK_EXHAUSTED);
        CHECK_ATTENTION();
        fr->ip = ip, fr->fp = fp, fr->code = code;
        if (ip == NULL || callee->inst != inst) { /* the entry, or into another instance */
            fr->ip = &ret_inst, fr->inst = inst, fr->resume = ip;
            inst = callee->inst;
            MEMLOAD();
        }
        fr++;
        fp = nfp, ip = code->code;
        NEXT();
    }

trapped:
    ctx->nbacktrace = 0;
    const wframe *bottom = ctx->frames + base;
    ctx->trap_func =
        fr > bottom ? func_index(inst, fr[-1].code) : (callee ? callee->index : UINT32_MAX);
    const wasm_instance *bi = inst;
    for (const wframe *r = fr; r > bottom && ctx->nbacktrace < WASM_BACKTRACE_MAX;) {
        --r;
        ctx->backtrace[ctx->nbacktrace++] = func_index(bi, r->code);
        if (r->ip == &ret_inst) /* the caller ran in another instance */
            bi = r->inst;
    }
    ctx->nframes = base;
    return trap;
}

const void *const *wasm_interp_handlers(void)
{
    const void *const *table = NULL;
    wasm_interp(NULL, NULL, (uint64_t *)(void *)&table);
    return table;
}
