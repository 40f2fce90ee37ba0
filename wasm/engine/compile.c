/* compile.c: code emission for one function (stage 3), driven by validate.c.
 *
 * The stack machine becomes slot code: the operand stack height is known at every point, so each
 * operand has a fixed frame slot (its home, compile.h) and every instruction names its slots
 * explicitly (dst first); a v128 is named by its first slot and moved by COPY_V128. Branch targets
 * are resolved to relative cell offsets (forward jumps are chained through their own offset cells
 * until the label is reached). Peepholes:
 *   - local.get is deferred: the stack entry points at the local's slot; it is copied ("flushed")
 *     only when the local is overwritten or at block boundaries / calls;
 *   - local.set/tee after an instruction that defined the stack top rewrites that instruction's
 *     destination instead of copying;
 *   - `x op const` uses an immediate form (WASM_IMM_OPS) and drops the constant.
 * Adding a peephole: find the pattern in last_def/last_const, rewrite the last instruction.
 */
#include <stdlib.h>
#include <string.h>

#include "compile.h"

int cs_reserve(vstate *s, size_t cells)
{
    if (s->n + cells <= s->codecap)
        return 0;
    size_t cap = s->codecap ? s->codecap * 2 : 256;
    while (cap < s->n + cells)
        cap *= 2;
    wcell *c = realloc(s->code, cap * sizeof(wcell));
    if (c == NULL) {
        s->oom = true;
        return -ENOMEM;
    }
    s->code = c;
    s->codecap = cap;
    return 0;
}

/* The next cell; on out-of-memory writes go to cell 0 again and the function fails at the end. */
static wcell *put(vstate *s)
{
    if (cs_reserve(s, 1) < 0)
        s->n = 0;
    wcell *c = &s->code[s->n++];
    c->u64 = 0;
    return c;
}

static void set_op(vstate *s, wcell *c, enum wop op)
{
    if (s->handlers)
        c->h = s->handlers[op];
    else
        c->op = op;
}

/* Whether the instruction starting at cell `at` is op. */
static bool op_at(const vstate *s, int64_t at, enum wop op)
{
    const wcell *c = &s->code[at];
    return s->handlers ? c->h == s->handlers[op] : c->op == (uintptr_t)op;
}

void cs_op(vstate *s, enum wop op)
{
    if (!cs_live(s))
        return;
    if (s->last_ins < 0 || (int64_t)s->n > s->last_ins) { /* not a rewrite of the last one */
        s->prev4_ins = s->prev3_ins;
        s->prev3_ins = s->prev2_ins;
        s->prev2_ins = s->prev_ins;
        s->prev_ins = s->last_ins;
        s->prev_op = s->last_op;
    }
    set_op(s, put(s), op);
    s->last_def = s->last_const = s->last_set = -1;
    s->last_op = op;
    s->last_ins = (int64_t)(s->n - 1);
}

/* A jump may land here: no peephole may combine instructions across this point. */
void cs_barrier(vstate *s)
{
    s->last_def = s->last_const = s->last_ins = s->prev_ins = s->prev2_ins = s->prev3_ins =
        s->prev4_ins = s->last_set = s->label_from = -1;
}

void cs_s(vstate *s, uint16_t a, uint16_t b, uint16_t c, uint16_t d)
{
    if (!cs_live(s))
        return;
    wcell *w = put(s);
    w->s.a = a, w->s.b = b, w->s.c = c, w->s.d = d;
}

void cs_m(vstate *s, uint16_t a, uint16_t b, uint32_t x)
{
    if (!cs_live(s))
        return;
    wcell *w = put(s);
    w->m.a = a, w->m.b = b, w->m.x = x;
}

void cs_u64(vstate *s, uint64_t v)
{
    if (!cs_live(s))
        return;
    put(s)->u64 = v;
}

/* Records that the instruction starting at cell `at` (just emitted) defined the stack top. */
void cs_def(vstate *s, size_t at)
{
    if (!cs_live(s))
        return;
    s->last_def = (int64_t)at;
    s->last_end = s->n;
}

/* The two instructions just fused are one: the ones before them move up a place. */
static void fused_pair(vstate *s)
{
    s->prev_ins = s->prev2_ins;
    s->prev2_ins = s->prev3_ins;
    s->prev3_ins = s->prev4_ins;
    s->prev4_ins = -1;
}

/* A COPY4 just completed right after another COPY4: both become COPY8 [4 cells of two copies], run
 * in order (sha256's round rotates eight working variables). */
static void join_copy4(vstate *s)
{
    int64_t p = s->prev_ins;
    if (p < 0 || p + 3 != s->last_ins || !op_at(s, p, OP_COPY4))
        return;
    memmove(&s->code[s->last_ins], &s->code[s->last_ins + 1], 2 * sizeof(wcell));
    s->n--;
    s->last_ins = p;
    s->last_op = OP_COPY8;
    fused_pair(s);
    s->prev_op = OP_COUNT_;
}

/* A scalar copy right after one, two or three others (COPY, COPY2, COPY3) joins them: up to four
 * copies in a row are one op (a hash round's rotation of its working variables), run in order, and
 * two such ops in a row are COPY8. */
static bool fuse_copy(vstate *s, uint16_t dst, uint16_t src)
{
    if (s->last_ins < 0)
        return false;
    size_t len = s->n - (size_t)s->last_ins;
    wcell *c = &s->code[s->last_ins + 1];
    if (s->last_op == OP_COPY && len == 2) {
        s->last_op = OP_COPY2;
        c->s.c = dst, c->s.d = src;
    } else if (s->last_op == OP_COPY2 && len == 2) {
        s->last_op = OP_COPY3;
        cs_s(s, dst, src, 0, 0);
    } else if (s->last_op == OP_COPY3 && len == 3) {
        s->last_op = OP_COPY4;
        c[1].s.c = dst, c[1].s.d = src;
        join_copy4(s);
    } else {
        return false;
    }
    set_op(s, &s->code[s->last_ins], s->last_op);
    return true;
}

void cs_copy(vstate *s, uint16_t dst, uint16_t src, wasm_valtype t)
{
    if (dst == src || !cs_live(s))
        return;
    if (t != WASM_V128 && fuse_copy(s, dst, src))
        return;
    if (s->last_ins >= 0 && s->last_op == OP_I32_ADD_IMM && (size_t)s->last_ins + 2 == s->n &&
        s->code[s->last_ins + 1].m.a == src) { /* the sum, teed, set to a second local */
        set_op(s, &s->code[s->last_ins], OP_I32_ADD_IMM2);
        cs_s(s, dst, 0, 0, 0);
        s->last_op = OP_I32_ADD_IMM2;
        s->last_def = s->last_const = -1;
        return;
    }
    cs_op(s, t == WASM_V128 ? OP_COPY_V128 : OP_COPY);
    cs_s(s, dst, src, 0, 0);
}

/* Copies deferred entries matching (position >= from, or reading local `slot`) to their own slots.
 */
static void flush_if(vstate *s, uint32_t from, int32_t slot)
{
    uint32_t keep = 0;
    for (uint32_t k = 0; k < s->npend; k++) {
        uint32_t i = s->pend[k];
        if (i >= from && (slot < 0 || s->loc[i] == slot)) {
            cs_copy(s, s->home[i], s->loc[i], s->vt[i]);
            s->loc[i] = s->home[i];
        } else {
            s->pend[keep++] = i;
        }
    }
    s->npend = keep;
}

void cs_flush(vstate *s, uint32_t from)
{
    flush_if(s, from, -1);
}

void cs_flush_local(vstate *s, uint16_t slot)
{
    flush_if(s, 0, slot);
}

bool cs_local_referenced(const vstate *s, uint16_t slot)
{
    for (uint32_t k = 0; k < s->npend; k++)
        if (s->loc[s->pend[k]] == slot)
            return true;
    return false;
}

/* The entry just pushed (at h-1) reads local `slot`: defer the copy if there is room to track it.
 */
void cs_defer_local(vstate *s, uint16_t slot)
{
    if (s->check_only) /* no code: nothing to defer (validate_fast.c relies on it) */
        return;
    uint32_t i = s->h - 1;
    if (s->npend < CS_MAX_PENDING) {
        s->loc[i] = slot;
        s->pend[s->npend++] = i;
    } else {
        cs_copy(s, s->home[i], slot, s->vt[i]);
    }
}

void cs_const(vstate *s, uint16_t dst, uint64_t bits, bool wide)
{
    size_t at = s->n;
    cs_op(s, wide ? OP_CONST64 : OP_CONST32);
    if (wide) {
        cs_s(s, dst, 0, 0, 0);
        cs_u64(s, bits);
    } else {
        cs_m(s, dst, 0, (uint32_t)bits);
    }
    cs_def(s, at);
    if (cs_live(s)) {
        s->last_const = (int64_t)at;
        s->last_const_bits = bits;
        s->last_const_slot = dst;
    }
}

/* The load + binop form of op whose right operand a load op ld (plain or _AI, *ret_ai) produced, or
 * OP_COUNT_. */
static enum wop load_binop(enum wop op, enum wop ld, bool *ret_ai)
{
    static const struct {
        enum wop op, ld, fused;
    } map[] = {
#define X(n, l) {OP_##n, OP_##l, OP_##n##_L_##l},
        WASM_LOADBIN_OPS(X)
#undef X
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (map[i].op == op && (map[i].ld == ld || map[i].ld + 1 == ld)) { /* NAME_AI = NAME + 1 */
            *ret_ai = map[i].ld != ld;
            return map[i].fused;
        }
    return OP_COUNT_;
}

static bool commutative_int(enum wop op)
{
    return op == OP_I32_ADD || op == OP_I32_MUL || op == OP_I32_XOR || op == OP_I32_AND;
}

/* Whether the instruction at cell `at`, ending at cell `next`, is an i32 add writing a local
 * (*ret: its operand cell). */
static bool local_add_at(const vstate *s, int64_t at, int64_t next, wcell *ret)
{
    if (at < 0 || at + 2 != next || !op_at(s, at, OP_I32_ADD) ||
        s->code[at + 1].s.a >= s->local_slots)
        return false;
    *ret = s->code[at + 1];
    return true;
}

/* Whether the instruction at cell `at` is the load ld or its _AI form (*ret_ai). */
static bool load_at(const vstate *s, int64_t at, enum wop ld, bool *ret_ai)
{
    *ret_ai = at >= 0 && op_at(s, at, ld + 1); /* NAME_AI = NAME + 1 */
    return at >= 0 && (*ret_ai || op_at(s, at, ld));
}

/* The form of NAME_LL_LOAD ll that runs an i32 add to a local first (I32_ADD_NAME_LL_LOAD), or
 * OP_COUNT_. */
static enum wop add_then(enum wop ll)
{
    return ll == OP_F64_MUL_LL_F64_LOAD       ? OP_I32_ADD_F64_MUL_LL_F64_LOAD
           : ll == OP_I32_MUL_LL_I32_LOAD16_S ? OP_I32_ADD_I32_MUL_LL_I32_LOAD16_S
                                              : OP_COUNT_;
}

/* The load + binop `fused` (NAME_L_LOAD) whose left operand a the instruction before the right
 * operand's load loaded too, with the same load (plain or _AI) into its stack slot: both loads and
 * the op become NAME_LL_LOAD, replacing both loads. An i32 add to a local just before the left
 * load (the address both loads index: matmul's), or between the two loads when it neither reads
 * the left load's value nor writes its address (coremark's), joins them as I32_ADD_NAME_LL_LOAD
 * [NAME_LL_LOAD's cells][dst, x, y], the add run first. */
static bool fuse_load_left(vstate *s, enum wop fused, enum wop ld, uint16_t dst, uint16_t a,
                           wcell lb, uint32_t add_b)
{
    bool ai, pre;
    wcell add = {.u64 = 0};
    int64_t left = s->prev_ins, start;
    enum wop op = fused + 1, with_add = add_then(op); /* NAME_LL_LOAD follows NAME_L_LOAD */
    if (load_at(s, left, ld, &ai) && left + 2 + ai == s->last_def) {
        pre = with_add != OP_COUNT_ && local_add_at(s, s->prev2_ins, left, &add);
        start = pre ? s->prev2_ins : left;
    } else if (with_add != OP_COUNT_ && local_add_at(s, s->prev_ins, s->last_def, &add) &&
               load_at(s, s->prev2_ins, ld, &ai) && s->prev2_ins + 2 + ai == s->prev_ins) {
        left = start = s->prev2_ins;
        wcell l = s->code[left + 1];
        if (add.s.b == l.m.a || add.s.c == l.m.a || add.s.a == l.m.b)
            return false;
        pre = true;
    } else {
        return false;
    }
    wcell la = s->code[left + 1];
    if (la.m.a != a || a < s->local_slots || lb.m.b == a)
        return false;
    uint32_t add_a = ai ? (uint32_t)s->code[left + 2].u64 : 0;
    /* the instructions before the ones replaced stay the ones before (fuse_dot4 reads them) */
    bool second = start == s->prev2_ins;
    int64_t before[3] = {second ? s->prev3_ins : s->prev2_ins, second ? s->prev4_ins : s->prev3_ins,
                         second ? -1 : s->prev4_ins};
    if (start != s->prev_ins && !second)
        before[0] = before[1] = before[2] = -1;
    s->n = (size_t)start;
    size_t at = s->n;
    cs_op(s, pre ? with_add : op);
    cs_m(s, dst, lb.m.b, lb.m.x);
    cs_m(s, la.m.b, 0, add_b);
    cs_u64(s, add_a | (uint64_t)la.m.x << 32);
    if (pre)
        cs_s(s, add.s.a, add.s.b, add.s.c, 0);
    s->prev_ins = before[0], s->prev2_ins = before[1], s->prev3_ins = before[2];
    s->prev4_ins = -1;
    s->prev_op = OP_COUNT_; /* not known: no peephole reads it with these */
    cs_def(s, at);
    return true;
}

/* `a op b` where the last instruction loaded b (or a, for integer ops that commute) into its
 * stack slot: the load folds into the op (WASM_LOADBIN_OPS). */
static bool fuse_load(vstate *s, enum wop op, uint16_t dst, uint16_t a, uint16_t b)
{
    if (s->last_def < 0 || s->last_def != s->last_ins || s->last_end != s->n)
        return false;
    bool ai = false;
    enum wop fused = load_binop(op, s->last_op, &ai);
    wcell l = s->code[s->last_def + 1];
    if (fused == OP_COUNT_ || a == b)
        return false;
    if (l.m.a == a && commutative_int(op))
        a = b;
    else if (l.m.a != b)
        return false;
    uint32_t add = ai ? (uint32_t)s->code[s->last_def + 2].u64 : 0;
    if (fuse_load_left(s, fused, (enum wop)(s->last_op - ai), dst, a, l, add))
        return true;
    s->n = (size_t)s->last_def;
    size_t at = s->n;
    cs_op(s, fused);
    cs_m(s, dst, l.m.b, l.m.x);
    cs_m(s, a, 0, add);
    cs_def(s, at);
    return true;
}

/* The fused form of binary op `first` followed by `op` (WASM_BINBIN_OPS), or OP_COUNT_. */
static enum wop chained_binop(enum wop first, enum wop op)
{
    static const struct {
        enum wop first, op, fused;
    } map[] = {
#define X(n1, n2) {OP_##n1, OP_##n2, OP_##n1##_##n2},
        WASM_BINBIN_OPS(X)
#undef X
            {OP_V128_AND, OP_I32X4_ADD, OP_V128_AND_I32X4_ADD},
        {OP_F32X4_MUL, OP_F32X4_ADD, OP_F32X4_MUL_F32X4_ADD},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (map[i].first == first && map[i].op == op)
            return map[i].fused;
    return OP_COUNT_;
}

/* The fused form of a shift/rotate by a constant (its _IMM op) followed by op
 * (WASM_SHIFTBIN_OPS), or OP_COUNT_. */
static enum wop shift_binop(enum wop first, enum wop op)
{
    static const struct {
        enum wop first, op, fused;
    } map[] = {
#define X(n1, n2) {OP_##n1##_IMM, OP_##n2, OP_##n1##_IMM_##n2},
        WASM_SHIFTBIN_OPS(X)
#undef X
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (map[i].first == first && map[i].op == op)
            return map[i].fused;
    return OP_COUNT_;
}

/* `a op b` where the last instruction, a binary op, computed b into its stack slot (or a, when op
 * is an integer op that commutes): both become one op (WASM_BINBIN_OPS, WASM_SHIFTBIN_OPS). */
/* dst = c ^ rotl(x, k) (I32_ROTL_IMM_I32_XOR) where the instruction before computed c from the same
 * x by one or two rotates (I32_ROTL_IMM, I32_ROTL2_XOR) into a stack slot: all become one op,
 * I32_ROTL2_XOR [dst, x, k1, k2] or I32_ROTL3_XOR [dst, x, k1 | k2 << 8, k3] (the sigma functions
 * of SHA-2: three rotates of one word xored). */
static bool fuse_rotates(vstate *s, uint16_t dst, uint16_t x, uint16_t k, uint16_t c)
{
    if (s->prev_ins < 0 || s->prev_ins + 2 != s->last_def || c < s->local_slots)
        return false;
    wcell p = s->code[s->prev_ins + 1];
    if (p.s.a != c || p.s.b != x || c == x)
        return false;
    wcell out = {.s = {dst, x, 0, k}};
    enum wop fused;
    if (op_at(s, s->prev_ins, OP_I32_ROTL_IMM)) {
        fused = OP_I32_ROTL2_XOR;
        out.s.c = (uint16_t)(p.m.x & 31);
    } else if (op_at(s, s->prev_ins, OP_I32_ROTL2_XOR)) {
        fused = OP_I32_ROTL3_XOR;
        out.s.c = (uint16_t)(p.s.c | p.s.d << 8);
    } else {
        return false;
    }
    s->n = (size_t)s->prev_ins;
    fused_pair(s); /* the instruction before the rotates stays in view (fuse_load_sigma) */
    size_t at = s->n;
    cs_op(s, fused);
    cs_s(s, out.s.a, out.s.b, out.s.c, out.s.d);
    cs_def(s, at);
    return true;
}

/* dst = x + (the last instruction `first` [t, u, v]: an and or an and-not) where the instruction
 * right before it computed x into a stack slot (sha256's round: h + w[i], then the choice
 * function's two halves added): an i32 add [x, p, q] before I32_AND_I32_ADD becomes
 * I32_ADD_I32_AND_I32_ADD [dst, u, v, p][q], (p + q) + (u & v); that op [x, a, b, p][q] before
 * I32_ANDN_I32_ADD becomes I32_ADD_I32_AND_I32_ADD_ANDN_ADD [dst, a, b, p][q, u, v]. */
static bool fuse_add_chain(vstate *s, enum wop fused, uint16_t dst, wcell first, uint16_t x)
{
    bool andn = fused == OP_I32_ANDN_I32_ADD;
    int64_t p = s->prev_ins;
    if ((!andn && fused != OP_I32_AND_I32_ADD) || p < 0 || p + 2 + andn != s->last_def ||
        !op_at(s, p, andn ? OP_I32_ADD_I32_AND_I32_ADD : OP_I32_ADD))
        return false;
    wcell c = s->code[p + 1], d = s->code[p + 1 + andn];
    if (c.s.a != x || x < s->local_slots || x == first.s.b || x == first.s.c)
        return false;
    s->n = (size_t)p;
    s->prev_ins = s->prev2_ins = s->prev3_ins = s->prev4_ins = -1;
    cs_op(s, andn ? OP_I32_ADD_I32_AND_I32_ADD_ANDN_ADD : OP_I32_ADD_I32_AND_I32_ADD);
    if (andn) {
        cs_s(s, dst, c.s.b, c.s.c, c.s.d);
        cs_s(s, d.s.a, first.s.b, first.s.c, 0);
    } else {
        cs_s(s, dst, first.s.b, first.s.c, c.s.b);
        cs_s(s, c.s.c, 0, 0, 0);
    }
    cs_def(s, (size_t)p);
    return true;
}

static bool fuse_chain(vstate *s, enum wop op, uint16_t dst, uint16_t a, uint16_t b)
{
    if (s->last_def < 0 || s->last_def != s->last_ins || s->last_end != s->n)
        return false;
    enum wop fused = chained_binop(s->last_op, op);
    wcell first = s->code[s->last_def + 1];
    if (fused == OP_COUNT_) {
        fused = shift_binop(s->last_op, op);
        first.s.c = (uint16_t)(first.m.x & 31); /* [dst, a, imm] -> [dst, a, k] */
    }
    if (fused == OP_COUNT_ || a == b)
        return false;
    if (first.s.a == a && commutative_int(op))
        a = b;
    else if (first.s.a != b)
        return false;
    if (fused == OP_I32_ROTL_IMM_I32_XOR && fuse_rotates(s, dst, first.s.b, first.s.c, a))
        return true;
    if (fuse_add_chain(s, fused, dst, first, a))
        return true;
    s->n = (size_t)s->last_def;
    size_t at = s->n;
    cs_op(s, fused);
    cs_s(s, dst, first.s.b, first.s.c, a);
    cs_def(s, at);
    return true;
}

/* `a op b` where the last instruction, a fused one below, computed a or b into its stack slot: it
 * writes dst instead, after adding the other operand, which one more cell [e] names. A float add
 * keeps its operands' order: the last result on the side `left` says (an integer add takes it on
 * either). From profiles of tests/wasm/bench: sha256's sigma added to the running sum, the last
 * sum and the last product (a multiply-accumulate) of dot products unrolled by 4 (matmul,
 * coremark). */
/* I32_ROTL2_XOR_SHR_U_I32_ADD just made (at last_ins) right after an I32_LOAD_AI whose value a
 * local.tee took, the word the sigma reads: both become I32_LOAD_AI_SIGMA_ADD [the load's cells]
 * [the sigma's cells], the load first (sha256's message schedule: w[i - 15] and w[i - 2] loaded and
 * their small sigmas added). */
static void fuse_load_sigma(vstate *s)
{
    int64_t p = s->prev_ins;
    if (p < 0 || p + 3 != s->last_ins || !op_at(s, p, OP_I32_LOAD_AI) ||
        s->code[p + 1].m.a != s->code[s->last_ins + 1].s.b)
        return;
    memmove(&s->code[p + 3], &s->code[p + 4], 2 * sizeof(wcell));
    s->n--;
    set_op(s, &s->code[p], OP_I32_LOAD_AI_SIGMA_ADD);
    s->last_ins = p;
    s->last_op = OP_I32_LOAD_AI_SIGMA_ADD;
    s->last_def = -1;
    s->prev_ins = s->prev2_ins = s->prev3_ins = s->prev4_ins = -1;
}

/* I32_AND_I32_XOR_I32_ADD [dst, a, b, t][e] just made (at last_ins) right after I32_XOR_I32_AND
 * [t, x, y, z] computed t into a stack slot: both become I32_MAJ_ADD [dst, a, b, e][x, y, z],
 * e + ((z & (x ^ y)) ^ (a & b)) (SHA-2's majority function added to its big sigma); when e is the
 * stack slot an I32_ROTL3_XOR [e, w, k1 | k2 << 8, k3] right before them wrote (the big sigma), all
 * three are I32_ROTL3_XOR_MAJ_ADD [dst, a, b, w][x, y, z, k1 | k2 << 8][k3]. */
static void fuse_maj(vstate *s)
{
    int64_t p = s->prev_ins;
    if (p < 0 || p + 2 != s->last_ins || !op_at(s, p, OP_I32_XOR_I32_AND))
        return;
    wcell first = s->code[p + 1], c = s->code[s->last_ins + 1], e = s->code[s->last_ins + 2];
    uint16_t t = first.s.a;
    if (c.s.d != t || t < s->local_slots || t == c.s.b || t == c.s.c || t == e.s.a)
        return;
    int64_t q = s->prev2_ins;
    bool rot = q >= 0 && q + 2 == p && op_at(s, q, OP_I32_ROTL3_XOR);
    wcell r = rot ? s->code[q + 1] : (wcell){.u64 = 0};
    enum wop op = OP_I32_MAJ_ADD;
    if (rot && r.s.a == e.s.a && r.s.a >= s->local_slots && r.s.a != c.s.b && r.s.a != c.s.c &&
        r.s.a != first.s.b && r.s.a != first.s.c && r.s.a != first.s.d) {
        p = q;
        op = OP_I32_ROTL3_XOR_MAJ_ADD;
        s->code[p + 3] = (wcell){.s = {r.s.d, 0, 0, 0}};
    }
    s->code[p + 1] = (wcell){.s = {c.s.a, c.s.b, c.s.c, op == OP_I32_MAJ_ADD ? e.s.a : r.s.b}};
    s->code[p + 2] = (wcell){.s = {first.s.b, first.s.c, first.s.d, r.s.c}};
    s->n = (size_t)p + (op == OP_I32_MAJ_ADD ? 3 : 4);
    set_op(s, &s->code[p], op);
    s->last_ins = p;
    s->last_op = op;
    s->last_def = p; /* its dst is the first slot, as a local.set may retarget */
    s->last_end = s->n;
    s->prev_ins = s->prev2_ins = s->prev3_ins = s->prev4_ins = -1;
}

/* NAME_MAC_LL_<load>_ADD3 just made (at last_ins) right after the dot product's three other
 * products, I32_ADD_NAME_MUL_LL_<load> and two NAME_MUL_LL_<load>: all four become
 * NAME_DOT4_LL_<load> [the MAC_ADD3's cells][I32_ADD_NAME_MUL_LL_<load>'s][the two products'], run
 * in order (the products, then the MAC_ADD3): one dispatch for the body of a dot product unrolled
 * by 4 (matmul, coremark's matrix). */
static void fuse_dot4(vstate *s, bool f64)
{
    int64_t p = s->last_ins, c = s->prev_ins, b = s->prev2_ins, a = s->prev3_ins;
    enum wop mul = f64 ? OP_F64_MUL_LL_F64_LOAD : OP_I32_MUL_LL_I32_LOAD16_S;
    if (a < 0 || a + 5 != b || b + 4 != c || c + 4 != p ||
        !op_at(s, a, f64 ? OP_I32_ADD_F64_MUL_LL_F64_LOAD : OP_I32_ADD_I32_MUL_LL_I32_LOAD16_S) ||
        !op_at(s, b, mul) || !op_at(s, c, mul))
        return;
    wcell products[10], sum[6];
    memcpy(products, &s->code[a + 1], 4 * sizeof(wcell));
    memcpy(&products[4], &s->code[b + 1], 3 * sizeof(wcell));
    memcpy(&products[7], &s->code[c + 1], 3 * sizeof(wcell));
    memcpy(sum, &s->code[p + 1], sizeof(sum));
    memcpy(&s->code[a + 1], sum, sizeof(sum));
    memcpy(&s->code[a + 7], products, sizeof(products));
    s->n = (size_t)a + 17;
    s->last_op = f64 ? OP_F64_DOT4_LL_F64_LOAD : OP_I32_DOT4_LL_I32_LOAD16_S;
    set_op(s, &s->code[a], s->last_op);
    s->last_ins = s->last_def = a;
    s->last_end = s->n;
    s->prev_ins = s->prev2_ins = s->prev3_ins = s->prev4_ins = -1;
}

/* NAME_ADD3 [dst, a, b, c][e] just made (at last_ins) right after NAME_MAC_LL_<load> computed its
 * product-sum x into a stack slot that only the first add reads, on its right (b, the top of the
 * stack when the add ran): both become NAME_MAC_LL_<load>_ADD3 [dst, a, x, c][e][the MAC's cells],
 * the MAC first (a dot product unrolled by 4: its last product added to the running sum, then the
 * other three: matmul, coremark's matrix; the sum no longer goes through a stack slot). */
static void fuse_mac_sum(vstate *s)
{
    bool f64 = s->last_op == OP_F64_ADD3;
    int64_t p = s->prev_ins, q = s->last_ins;
    if (p < 0 || p + 5 != q ||
        !op_at(s, p, f64 ? OP_F64_MAC_LL_F64_LOAD : OP_I32_MAC_LL_I32_LOAD16_S))
        return;
    wcell c = s->code[q + 1], e = s->code[q + 2], mac[4];
    uint16_t x = s->code[p + 1].m.a;
    if (x < s->local_slots || c.s.c != x || c.s.b == x || c.s.d == x || e.s.a == x)
        return;
    memcpy(mac, &s->code[p + 1], sizeof(mac));
    s->code[p + 1] = c;
    s->code[p + 2] = e;
    memcpy(&s->code[p + 3], mac, sizeof(mac));
    s->n = (size_t)p + 7;
    s->last_op = f64 ? OP_F64_MAC_LL_F64_LOAD_ADD3 : OP_I32_MAC_LL_I32_LOAD16_S_ADD3;
    set_op(s, &s->code[p], s->last_op);
    s->last_ins = s->last_def = p; /* its dst is the first slot, as a local.set may retarget */
    s->last_end = s->n;
    fused_pair(s);
    fuse_dot4(s, f64);
}

static bool fuse_extend(vstate *s, enum wop op, uint16_t dst, uint16_t a, uint16_t b)
{
    static const struct {
        enum wop last, op, fused;
        bool left;
    } map[] = {
        {OP_I32_ROTL3_XOR, OP_I32_ADD, OP_I32_ROTL3_XOR_I32_ADD, false},
        {OP_I32_ROTL2_XOR_SHR_U, OP_I32_ADD, OP_I32_ROTL2_XOR_SHR_U_I32_ADD, false},
        {OP_I32_AND_I32_XOR, OP_I32_ADD, OP_I32_AND_I32_XOR_I32_ADD, false},
        {OP_I32_ADD_I32_ADD, OP_I32_ADD, OP_I32_ADD3, false},
        {OP_F64_ADD_F64_ADD, OP_F64_ADD, OP_F64_ADD3, false},
        {OP_F64_MUL_LL_F64_LOAD, OP_F64_ADD, OP_F64_MAC_LL_F64_LOAD, true},
        {OP_I32_MUL_LL_I32_LOAD16_S, OP_I32_ADD, OP_I32_MAC_LL_I32_LOAD16_S, false},
    };
    if (s->last_def < 0 || s->last_def != s->last_ins || s->last_end != s->n || a == b)
        return false;
    wcell *first = &s->code[s->last_def + 1];
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (map[i].last != s->last_op || map[i].op != op)
            continue;
        bool on_left = first->s.a == a && (map[i].left || commutative_int(op));
        if (!on_left && (first->s.a != b || map[i].left))
            return false;
        first->s.a = dst;
        set_op(s, &s->code[s->last_ins], map[i].fused);
        s->last_op = map[i].fused;
        cs_s(s, on_left ? b : a, 0, 0, 0);
        cs_def(s, (size_t)s->last_ins);
        if (map[i].fused == OP_I32_ROTL2_XOR_SHR_U_I32_ADD)
            fuse_load_sigma(s);
        else if (map[i].fused == OP_I32_AND_I32_XOR_I32_ADD)
            fuse_maj(s);
        else if (map[i].fused == OP_I32_ADD3 || map[i].fused == OP_F64_ADD3)
            fuse_mac_sum(s);
        return true;
    }
    return false;
}

/* a ^ b (op, I32_XOR) where the last instruction, I32_SHR_U_IMM [u, x, k3], shifted a word x whose
 * two rotates the instruction before xored (I32_ROTL2_XOR [t, x, k1, k2]) into a stack slot, and
 * a and b are t and u: all become I32_ROTL2_XOR_SHR_U [dst, x, k1 | k2 << 8, k3] (the small sigma
 * functions of SHA-256's message schedule). */
static bool fuse_sigma(vstate *s, enum wop op, uint16_t dst, uint16_t a, uint16_t b)
{
    if (op != OP_I32_XOR || s->last_def < 0 || s->last_def != s->last_ins || s->last_end != s->n ||
        s->last_op != OP_I32_SHR_U_IMM || s->prev_ins < 0 || s->prev_ins + 2 != s->last_ins ||
        !op_at(s, s->prev_ins, OP_I32_ROTL2_XOR) || a == b)
        return false;
    wcell shr = s->code[s->last_ins + 1], rot = s->code[s->prev_ins + 1];
    uint16_t t = shr.m.a == b ? a : b;
    if ((shr.m.a != a && shr.m.a != b) || rot.s.a != t || rot.s.b != shr.m.b ||
        t < s->local_slots || t == rot.s.b)
        return false;
    s->n = (size_t)s->prev_ins;
    fused_pair(s); /* the instruction before the rotates stays in view (fuse_load_sigma) */
    size_t at = s->n;
    cs_op(s, OP_I32_ROTL2_XOR_SHR_U);
    cs_s(s, dst, rot.s.b, (uint16_t)(rot.s.c | rot.s.d << 8), (uint16_t)(shr.m.x & 31));
    cs_def(s, at);
    return true;
}

/* An i32 add reading local L where the last instruction, I32_ADD_L_I32_LOAD [L, addr, offset]
 * [x, 0, add], wrote L (a local.set/tee of its result) and not taking L twice: both become
 * I32_ADD_L_I32_LOAD_SET_ADD [dst, addr, offset][x, L, add][e], L = x + load, dst = e + L (sha256's
 * round: t1 teed to a local and added to t2). */
static bool fuse_set_add(vstate *s, enum wop op, uint16_t dst, uint16_t a, uint16_t b)
{
    if (op != OP_I32_ADD || s->last_set < 0 || s->last_set != s->last_ins ||
        (size_t)s->last_ins + 3 != s->n || s->last_op != OP_I32_ADD_L_I32_LOAD || a == b)
        return false;
    wcell *c = &s->code[s->last_ins + 1];
    uint16_t local = c[0].m.a;
    if (local != a && local != b)
        return false;
    c[0].m.a = dst;
    c[1].m.b = local;
    set_op(s, &s->code[s->last_ins], OP_I32_ADD_L_I32_LOAD_SET_ADD);
    s->last_op = OP_I32_ADD_L_I32_LOAD_SET_ADD;
    s->last_set = -1;
    cs_s(s, local == a ? b : a, 0, 0, 0);
    cs_def(s, (size_t)s->last_ins);
    return true;
}

/* An i32 and where the last instruction, I32_XOR_IMM [t, x, -1], computed one operand (t, a stack
 * slot) as ~x: both become I32_ANDN [dst, x, other] (sha256's choice function, ~e & g), which a
 * following add joins (I32_ANDN_I32_ADD, fuse_chain). */
static bool fuse_andn(vstate *s, enum wop op, uint16_t dst, uint16_t a, uint16_t b)
{
    if (op != OP_I32_AND || s->last_def < 0 || s->last_def != s->last_ins || s->last_end != s->n ||
        s->last_op != OP_I32_XOR_IMM || a == b)
        return false;
    wcell x = s->code[s->last_def + 1];
    if (x.m.x != UINT32_MAX || (x.m.a != a && x.m.a != b) || x.m.a < s->local_slots)
        return false;
    s->n = (size_t)s->last_def;
    size_t at = s->n;
    cs_op(s, OP_I32_ANDN);
    cs_s(s, dst, x.m.b, x.m.a == a ? b : a, 0);
    cs_def(s, at);
    return true;
}

void cs_binop(vstate *s, enum wop op, enum wop imm_op, bool wide, uint16_t dst, uint16_t a,
              uint16_t b)
{
    if (!cs_live(s) || fuse_load(s, op, dst, a, b) || fuse_chain(s, op, dst, a, b) ||
        fuse_extend(s, op, dst, a, b) || fuse_sigma(s, op, dst, a, b) ||
        fuse_set_add(s, op, dst, a, b) || fuse_andn(s, op, dst, a, b))
        return;
    uint64_t bits = s->last_const_bits;
    bool fits = wide ? (int64_t)(int32_t)bits == (int64_t)bits : true;
    if (imm_op != OP_COUNT_ && s->last_const >= 0 && s->last_end == s->n &&
        s->last_const_slot == b && a != b && fits) {
        uint32_t imm = (uint32_t)bits;
        s->n = (size_t)s->last_const;
        size_t at = s->n;
        cs_op(s, imm_op);
        cs_m(s, dst, a, imm);
        cs_def(s, at);
        return;
    }
    size_t at = s->n;
    cs_op(s, op);
    cs_s(s, dst, a, b, 0);
    cs_def(s, at);
}

/* An i32 load (plain or _PI) whose value a local.set/tee took, right after an i32 add-immediate:
 * both become I32_ADD_IMM_I32_LOAD[_PI] [the load's cells][the add's dst, a, imm], the add run
 * first (sort's loops: a counter stepped, then an element loaded into a local). */
static void fuse_add_load(vstate *s)
{
    enum wop op = s->last_op == OP_I32_LOAD      ? OP_I32_ADD_IMM_I32_LOAD
                  : s->last_op == OP_I32_LOAD_PI ? OP_I32_ADD_IMM_I32_LOAD_PI
                                                 : OP_COUNT_;
    if (op == OP_COUNT_ || s->prev_ins < 0 || s->prev_ins + 2 != s->last_ins ||
        !op_at(s, s->prev_ins, OP_I32_ADD_IMM))
        return;
    wcell add = s->code[s->prev_ins + 1];
    size_t len = s->n - (size_t)s->last_ins - 1; /* the load's operand cells */
    memmove(&s->code[s->prev_ins + 1], &s->code[s->last_ins + 1], len * sizeof(wcell));
    s->code[s->prev_ins + 1 + len] = add;
    s->n--;
    set_op(s, &s->code[s->prev_ins], op);
    s->last_ins = s->prev_ins;
    s->last_op = op;
    fused_pair(s);
}

/* A plain i32 load whose value a local.set/tee took, its address the stack slot the i32 add right
 * before it computed: both become I32_ADD_I32_LOAD [the load's dst, x, offset][y], the address
 * u32(x + y) + offset (sha256's round: the message word w[i] loaded into a local). */
static bool fuse_add_slots_load(vstate *s)
{
    if (s->last_op != OP_I32_LOAD || s->prev_ins < 0 || s->prev_ins + 2 != s->last_ins ||
        !op_at(s, s->prev_ins, OP_I32_ADD))
        return false;
    wcell add = s->code[s->prev_ins + 1], ld = s->code[s->last_ins + 1];
    if (add.s.a != ld.m.b || add.s.a < s->local_slots)
        return false;
    ld.m.b = add.s.b;
    s->n = (size_t)s->prev_ins;
    cs_op(s, OP_I32_ADD_I32_LOAD);
    cs_m(s, ld.m.a, ld.m.b, ld.m.x);
    cs_s(s, add.s.c, 0, 0, 0);
    s->prev_op = OP_COUNT_;
    fused_pair(s);
    return true;
}

/* An i32 store [v, addr, off] right after a plain i32 load (a list's link read, then overwritten;
 * a word copied): both become I32_LOAD_I32_STORE [the load's cells][v, addr, off], run in order
 * (the load, and its trap, first). */
bool cs_load_store(vstate *s, enum wop op, uint16_t v, uint16_t addr, uint32_t off)
{
    if (!cs_live(s) || op != OP_I32_STORE || s->last_ins < 0 || s->last_op != OP_I32_LOAD ||
        (size_t)s->last_ins + 2 != s->n)
        return false;
    set_op(s, &s->code[s->last_ins], OP_I32_LOAD_I32_STORE);
    cs_m(s, v, addr, off);
    s->last_op = OP_I32_LOAD_I32_STORE;
    s->last_def = s->last_const = s->last_set = -1;
    return true;
}

/* local.set/tee of the value just popped from height s->h whose location is s->loc[s->h]:
 * retarget the defining instruction to the local. */
/* BR_<cmp>_IMM_ADDI_RETURN and its form that also sets a constant where its branch lands. */
static const struct {
    enum wop plain, fused;
} return_const_map[] = {
#define X(n) {OP_BR_##n##_IMM_ADDI_RETURN, OP_BR_##n##_IMM_ADDI_RETURN_CONST},
    WASM_BRCMP_OPS(X)
#undef X
};
#define RETURN_CONST_N (sizeof(return_const_map) / sizeof(return_const_map[0]))

/* The fused form of the BR_<cmp>_IMM_ADDI_RETURN starting at cell `at`, or OP_COUNT_. */
static enum wop return_const_form(const vstate *s, int64_t at)
{
    for (size_t i = 0; i < RETURN_CONST_N; i++)
        if (op_at(s, at, return_const_map[i].plain))
            return return_const_map[i].fused;
    return OP_COUNT_;
}

/* An i32 constant set to a local as the first op after a label that only the branch of the
 * BR_<cmp>_IMM_ADDI_RETURN before it reaches (s->label_from; fib's `if (n < 2) return n;` and its
 * sum's `acc = 0`): BR_<cmp>_IMM_ADDI_RETURN_CONST [a, imm][0, a, imm][dst, k], which sets the
 * constant when it branches, then goes on after itself (the branch's offset cell goes). */
static void fuse_return_const(vstate *s)
{
    int64_t at = s->label_from;
    if (at < 0 || at + 4 != s->last_ins || s->last_op != OP_CONST32)
        return;
    enum wop fused = return_const_form(s, at);
    if (fused == OP_COUNT_)
        return;
    set_op(s, &s->code[at], fused);
    s->code[at + 2] = s->code[at + 3];
    s->code[at + 3] = s->code[at + 5];
    s->n = (size_t)at + 4;
    cs_barrier(s); /* nothing fuses with it */
}

bool cs_fold_set(vstate *s, uint16_t slot)
{
    if (!cs_live(s) || s->last_def < 0 || s->last_end != s->n)
        return false;
    uint16_t own = cs_slot(s, s->h);
    if (s->loc[s->h] != own || s->code[s->last_def + 1].s.a != own)
        return false;
    s->code[s->last_def + 1].s.a = slot;
    s->last_set = s->last_def;
    s->last_def = s->last_const = -1;
    if (s->last_set == s->last_ins) {
        if (!fuse_add_slots_load(s))
            fuse_add_load(s);
        s->last_set = s->last_ins;
    }
    fuse_return_const(s);
    return true;
}

void cs_fwd(vstate *s, int64_t *chain)
{
    if (!cs_live(s))
        return;
    wcell *c = put(s);
    c->i64 = *chain;
    *chain = (int64_t)(s->n - 1);
}

void cs_patch(vstate *s, int64_t chain, size_t target)
{
    while (chain >= 0 && !s->oom) {
        int64_t next = s->code[chain].i64;
        s->code[chain].i64 = (int64_t)target - chain;
        chain = next;
    }
}

void cs_label_here(vstate *s, ctl *c)
{
    /* reached only by the jump of a BR_<cmp>_IMM_ADDI_RETURN that ends here (it never falls
     * through): an `if` without else patched its else_patch here before */
    int64_t from = s->last_ins;
    bool sole = from >= 0 && (size_t)from + 4 == s->n && return_const_form(s, from) != OP_COUNT_ &&
                c->patch == from + 2 && s->code[c->patch].i64 < 0 && c->else_patch < 0;
    cs_patch(s, c->patch, s->n);
    c->patch = -1;
    cs_barrier(s);
    if (sole)
        s->label_from = from;
}

/* Makes cell `at` jump to target's label. */
static void link_cell(vstate *s, size_t at, ctl *t)
{
    if (t->kind == CTL_LOOP) {
        s->code[at].i64 = (int64_t)t->loop_pc - (int64_t)at;
    } else {
        s->code[at].i64 = t->patch;
        t->patch = (int64_t)at;
    }
}

static void jump_to(vstate *s, ctl *t)
{
    if (!cs_live(s))
        return;
    if (s->last_ins >= 0 && s->last_op == OP_COPY8 && (size_t)s->last_ins + 5 == s->n) {
        /* eight copies, then the jump (sha256's round: its variables rotated, then back to the
         * loop's head): COPY8_JMP [COPY8's cells][offset] */
        set_op(s, &s->code[s->last_ins], OP_COPY8_JMP);
        s->last_op = OP_COPY8_JMP;
        s->last_def = s->last_const = s->last_set = -1;
        int64_t p = s->prev_ins;
        if (p >= 0 && p + 2 == s->last_ins && op_at(s, p, OP_I32_ADD_IMM)) {
            /* an i32 add-immediate before (the round's counter stepped): I32_ADD_IMM_COPY8_JMP
             * [dst, a, imm][COPY8's cells][offset], the add first */
            memmove(&s->code[p + 2], &s->code[p + 3], 4 * sizeof(wcell));
            s->n--;
            set_op(s, &s->code[p], OP_I32_ADD_IMM_COPY8_JMP);
            s->last_ins = p;
            s->last_op = OP_I32_ADD_IMM_COPY8_JMP;
            s->prev_ins = s->prev2_ins = s->prev3_ins = s->prev4_ins = -1;
        }
    } else {
        cs_op(s, OP_JMP);
    }
    put(s);
    link_cell(s, s->n - 1, t);
}

/* The types a branch to t carries. */
static const wasm_valtype *label_types(const ctl *t)
{
    return t->kind == CTL_LOOP ? t->params : t->results;
}

static bool needs_copies(const vstate *s, const ctl *t, uint32_t arity)
{
    const wasm_valtype *types = label_types(t);
    uint32_t slot = cs_slot(s, t->height);
    for (uint32_t i = 0; i < arity; slot += cs_width(types[i]), i++)
        if (slot != s->loc[s->h - arity + i])
            return true;
    return false;
}

static void branch_copies(vstate *s, const ctl *t, uint32_t arity)
{
    const wasm_valtype *types = label_types(t);
    uint32_t slot = cs_slot(s, t->height);
    for (uint32_t i = 0; i < arity; slot += cs_width(types[i]), i++)
        cs_copy(s, (uint16_t)slot, s->loc[s->h - arity + i], types[i]);
}

/* I32_ADD_IMM_RETURN right after a compare-immediate branch BR_<cmp>_IMM: both become
 * BR_<cmp>_IMM_ADDI_RETURN [the branch's cells][0, a, imm], which returns a + imm when the branch
 * is not taken (fib's `if (n < 2) return n;`). */
static void branch_return(vstate *s)
{
    static const struct {
        enum wop br, fused;
    } map[] = {
#define X(n) {OP_BR_##n##_IMM, OP_BR_##n##_IMM_ADDI_RETURN},
        WASM_BRCMP_OPS(X)
#undef X
    };
    if (s->prev_ins < 0 || s->prev_ins + 3 != s->last_ins)
        return;
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (op_at(s, s->prev_ins, map[i].br)) {
            set_op(s, &s->code[s->prev_ins], map[i].fused);
            s->code[s->last_ins] = s->code[s->last_ins + 1];
            s->n--;
            s->last_ins = s->prev_ins;
            s->last_op = map[i].fused;
            s->prev_ins = s->prev2_ins = s->prev3_ins = s->prev4_ins = -1;
            return;
        }
    }
}

/* Results go to slots 0..arity-1 of the frame, then RETURN. Sources that are deferred locals are
 * first copied to their own slots (without changing the compile state: this may be a branch). */
void cs_return(vstate *s, uint32_t arity)
{
    if (!cs_live(s))
        return;
    uint32_t base = s->h - arity;
    if (arity == 1 && s->last_def >= 0 && s->last_end == s->n && s->loc[base] == cs_slot(s, base) &&
        s->code[s->last_def + 1].s.a == cs_slot(s, base)) {
        s->code[s->last_def + 1].s.a =
            0; /* the instruction that computed the result writes slot 0 */
        enum wop fused = s->last_op == OP_I32_ADD       ? OP_I32_ADD_RETURN
                         : s->last_op == OP_I32_ADD_IMM ? OP_I32_ADD_IMM_RETURN
                                                        : OP_COUNT_;
        if (fused != OP_COUNT_ && s->last_def == s->last_ins) { /* and returns (fib's sums) */
            set_op(s, &s->code[s->last_ins], fused);
            s->last_op = fused;
            s->last_def = s->last_const = -1;
            if (fused == OP_I32_ADD_IMM_RETURN)
                branch_return(s);
            return;
        }
    } else if (arity == 1) {
        cs_copy(s, 0, s->loc[base], s->vt[base]);
    } else {
        const wasm_valtype *types = s->ctls[0].results;
        for (uint32_t i = 0; i < arity; i++)
            cs_copy(s, s->home[base + i], s->loc[base + i], types[i]);
        for (uint32_t i = 0, slot = 0; i < arity; slot += cs_width(types[i]), i++)
            cs_copy(s, (uint16_t)slot, s->home[base + i], types[i]);
    }
    cs_op(s, OP_RETURN);
}

/* A function that must zero some declared locals at entry (wcode.zero_end, known only once its
 * body is validated) starts with ZERO_LOCALS [nparams, zero_end]: its code moves up two cells
 * (branch offsets are relative to the branch), so a call zeroes nothing and checks nothing. */
int cs_zero_prologue(vstate *s, uint32_t nparams, uint32_t zero_end)
{
    if (zero_end <= nparams)
        return 0;
    if (cs_reserve(s, 2) < 0)
        return -ENOMEM;
    memmove(s->code + 2, s->code, s->n * sizeof(wcell));
    set_op(s, &s->code[0], OP_ZERO_LOCALS);
    s->code[1].m.a = (uint16_t)nparams, s->code[1].m.b = (uint16_t)zero_end, s->code[1].m.x = 0;
    s->n += 2;
    return 0;
}

/* A call of function f of this module, its frame at slot `frame`: CALL_LOCAL [frame, 0, f][code];
 * right after an i32 add-immediate (an argument's n - 1, as fib's), both are CALL_LOCAL_ADDI
 * [dst, a, imm][frame, 0, f][code], the add run first. */
void cs_call_local(vstate *s, uint16_t frame, uint32_t f, const wcode *code)
{
    if (!cs_live(s))
        return;
    if (s->last_ins >= 0 && s->last_op == OP_I32_ADD_IMM && (size_t)s->last_ins + 2 == s->n) {
        set_op(s, &s->code[s->last_ins], OP_CALL_LOCAL_ADDI);
        s->last_op = OP_CALL_LOCAL_ADDI;
        s->last_def = s->last_const = -1;
    } else {
        cs_op(s, OP_CALL_LOCAL);
    }
    cs_m(s, frame, 0, f);
    if (cs_reserve(s, 1) == 0)
        s->code[s->n++].ptr = code;
}

void cs_branch(vstate *s, ctl *t, uint32_t arity)
{
    if (!cs_live(s))
        return;
    if (t->kind == CTL_FUNC) {
        cs_return(s, arity);
        return;
    }
    branch_copies(s, t, arity);
    jump_to(s, t);
}

/* The fused form of compare op (negated if !when_true), or OP_COUNT_. */
static enum wop fused_branch(enum wop op, bool when_true)
{
    static const struct {
        enum wop cmp, br, neg;
    } map[] = {
#define X(c, n)                                                                                    \
    {OP_I32_##c, OP_BR_I32_##c, OP_BR_I32_##n},                                                    \
        {OP_I32_##c##_IMM, OP_BR_I32_##c##_IMM, OP_BR_I32_##n##_IMM},
        X(EQ, NE) X(NE, EQ) X(LT_S, GE_S) X(LT_U, GE_U) X(GT_S, LE_S) X(GT_U, LE_U) X(LE_S, GT_S)
            X(LE_U, GT_U) X(GE_S, LT_S) X(GE_U, LT_U)
#undef X
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (map[i].cmp == op)
            return when_true ? map[i].br : map[i].neg;
    return OP_COUNT_;
}

/* The op joining the instruction at `at` (ending at `end`) and the latch BR_ADDI_I32_NE (!two) or
 * BR_ADDI2_I32_NE (two) that follows it, or OP_COUNT_: a dot product's three-add sum before its
 * loop's two-variable latch (I32_ADD3/F64_ADD3_BR_ADDI2_I32_NE), an i32 store before a
 * one-variable latch (I32_STORE_BR_ADDI_I32_NE: sha256's message schedule, an array filled). */
static enum wop latch_tail(const vstate *s, int64_t at, int64_t end, bool two, enum wop br)
{
    if (br != OP_BR_I32_NE_IMM || at < 0)
        return OP_COUNT_;
    if (two && at + 3 == end)
        return op_at(s, at, OP_I32_ADD3)   ? OP_I32_ADD3_BR_ADDI2_I32_NE
               : op_at(s, at, OP_F64_ADD3) ? OP_F64_ADD3_BR_ADDI2_I32_NE
                                           : OP_COUNT_;
    if (two && at + 17 == end)
        return op_at(s, at, OP_I32_DOT4_LL_I32_LOAD16_S)
                   ? OP_I32_DOT4_LL_I32_LOAD16_S_BR_ADDI2_I32_NE
               : op_at(s, at, OP_F64_DOT4_LL_F64_LOAD) ? OP_F64_DOT4_LL_F64_LOAD_BR_ADDI2_I32_NE
                                                       : OP_COUNT_;
    if (two && at + 7 == end)
        return op_at(s, at, OP_I32_MAC_LL_I32_LOAD16_S_ADD3)
                   ? OP_I32_MAC_LL_I32_LOAD16_S_ADD3_BR_ADDI2_I32_NE
               : op_at(s, at, OP_F64_MAC_LL_F64_LOAD_ADD3)
                   ? OP_F64_MAC_LL_F64_LOAD_ADD3_BR_ADDI2_I32_NE
                   : OP_COUNT_;
    return !two && at + 2 == end && op_at(s, at, OP_I32_STORE) ? OP_I32_STORE_BR_ADDI_I32_NE
                                                               : OP_COUNT_;
}

/* Whether NAME_DOT4_LL_<load> at `at` sums into its running sum's slot (the MAC's added one), which
 * no other part of it nor the latch's adds add1, add write: its handler may then keep the sum in a
 * register while its loop is that op alone. */
static bool dot4_own_sum(const vstate *s, int64_t at, wcell add1, wcell add)
{
    const wcell *c = &s->code[at];
    uint16_t acc = c[6].s.a;
    return acc == c[1].s.a && acc != c[3].m.a && acc != c[7].m.a && acc != c[10].s.a &&
           acc != c[11].m.a && acc != c[14].m.a && acc != add1.m.a && acc != add.m.a;
}

/* NAME_DOT4_LL_<load>_BR_ADDI2_I32_NE's cells c (from its first operand cell, the offset not yet
 * there) whose sum dot4_own_sum found its own: 2 or 3 when its loop may keep every slot it writes
 * in registers (interp.c, dot4_regs_<T>), else 1. That is the loop clang emits for a dot product:
 * p = a + i, the four products of loads from p and from the latch's first variable b (every left
 * operand from p: 2; from b: 3, every right one from the other), added up as
 * p3 + (p2 + (p1 + (p0 * q0 + s))), b and i stepping themselves, and the eight slots written (p,
 * the four products, the MAC's sum, the running sum, b, i) all different, a none of them. */
static uint16_t dot4_regs(const wcell *c)
{
    uint16_t w[8] = {c[9].s.a, c[6].m.a, c[10].m.a, c[13].m.a,
                     c[2].m.a, c[0].s.a, c[16].m.a, c[17].m.a};
    uint16_t p = w[0], b = w[6], i = w[7], a = c[9].s.b == i ? c[9].s.c : c[9].s.b;
    for (int k = 0; k < 8; k++)
        for (int j = k + 1; j < 8; j++)
            if (w[k] == w[j] || a == w[k])
                return 1;
    if (a == w[7] || (c[9].s.b != i && c[9].s.c != i) || c[5].s.a != w[5] || c[16].m.b != b ||
        c[17].m.b != i || c[0].s.b != w[3] || c[0].s.d != w[2] || c[1].s.a != w[1])
        return 1;
    uint16_t left = c[3].m.a, right = left == p ? b : p; /* the MAC's left base decides */
    if ((left != p && left != b) || c[2].m.b != right)
        return 1;
    for (int k = 6; k <= 13; k += k == 6 ? 4 : 3) /* the other products at 6, 10, 13 */
        if (c[k + 1].m.a != left || c[k].m.b != right)
            return 1;
    return left == p ? 2 : 3;
}

/* The compare-immediate op (about to become branch br) reads the result of an i32 add-immediate
 * just before it: both become BR_ADDI_<cmp> (WASM_BRCMP_OPS), and with a second i32
 * add-immediate right before that (a loop with two induction variables), BR_ADDI2_<cmp>. */
static bool fuse_add_branch(vstate *s, enum wop op, enum wop br, wcell cmp)
{
    if (op < OP_I32_ADD_IMM || op > OP_I64_SHR_U_IMM || s->prev_ins < 0 ||
        s->prev_op != OP_I32_ADD_IMM || s->prev_ins + 2 != s->last_def ||
        s->code[s->prev_ins + 1].m.a != cmp.m.b)
        return false;
    wcell add = s->code[s->prev_ins + 1];
    bool two = s->prev2_ins >= 0 && s->prev2_ins + 2 == s->prev_ins &&
               op_at(s, s->prev2_ins, OP_I32_ADD_IMM);
    wcell add1 = two ? s->code[s->prev2_ins + 1] : add;
    int64_t sum = two ? s->prev3_ins : s->prev2_ins;
    enum wop tail = latch_tail(s, sum, two ? s->prev2_ins : s->prev_ins, two, br);
    s->n = (size_t)(two ? s->prev2_ins : s->prev_ins);
    s->prev_ins = s->prev2_ins = s->prev3_ins = s->prev4_ins = -1;
    if (tail != OP_COUNT_) { /* [the instruction's cells][BR_ADDI[2]_I32_NE's cells] */
        set_op(s, &s->code[sum], tail);
        s->last_ins = sum;
        s->last_op = tail;
        s->last_def = s->last_const = s->last_set = -1;
    } else {
        cs_op(s, br + 1 + two); /* BR_ADDI_<cmp>, BR_ADDI2_<cmp> follow BR_<cmp>_IMM in enum wop */
    }
    if (two)
        cs_m(s, add1.m.a, add1.m.b, add1.m.x);
    cs_m(s, add.m.a, add.m.b, add.m.x);
    bool own = (tail == OP_F64_DOT4_LL_F64_LOAD_BR_ADDI2_I32_NE ||
                tail == OP_I32_DOT4_LL_I32_LOAD16_S_BR_ADDI2_I32_NE) &&
               dot4_own_sum(s, sum, add1, add);
    cs_m(s, own, 0, cmp.m.x);
    if (own && !s->oom)
        s->code[s->n - 1].m.a = dot4_regs(&s->code[sum + 1]);
    return true;
}

/* BR_I32_NE_IMM (br) of the compare cmp right after an i32 add of two slots (sha256's round: t1
 * added to a local, then the test for the last round): both become I32_ADD_BR_I32_NE_IMM
 * [dst, a, b][x, 0, imm], the add run first; the caller appends the offset. */
static bool fuse_add_cmp_branch(vstate *s, enum wop br, wcell cmp)
{
    if (br != OP_BR_I32_NE_IMM || s->prev_ins < 0 || s->prev_ins + 2 != s->last_def ||
        !op_at(s, s->prev_ins, OP_I32_ADD))
        return false;
    wcell add = s->code[s->prev_ins + 1];
    s->n = (size_t)s->prev_ins;
    s->prev_ins = s->prev2_ins = s->prev3_ins = s->prev4_ins = -1;
    cs_op(s, OP_I32_ADD_BR_I32_NE_IMM);
    cs_s(s, add.s.a, add.s.b, add.s.c, 0);
    cs_m(s, cmp.m.b, 0, cmp.m.x);
    return true;
}

/* The compare-and-branch br (cmp: the compare's cell) right after an i32 load (a list searched for
 * a node's key, a string scanned for a character): both become I32_LOAD16_S_BR_I32_NE [the load's
 * cell][a, b] or I32_LOAD8_U_BR_I32_EQ_IMM [the load's cell][a, 0, imm], run in order; the caller
 * appends the offset. */
static bool fuse_load_branch(vstate *s, enum wop br, wcell cmp)
{
    int64_t p = s->prev_ins;
    bool slots = br == OP_BR_I32_NE;
    enum wop op = slots ? OP_I32_LOAD16_S : OP_I32_LOAD8_U;
    if ((!slots && br != OP_BR_I32_EQ_IMM) || p < 0 || p + 2 != s->last_def || !op_at(s, p, op))
        return false;
    s->n = (size_t)s->last_def;
    op = slots ? OP_I32_LOAD16_S_BR_I32_NE : OP_I32_LOAD8_U_BR_I32_EQ_IMM;
    set_op(s, &s->code[p], op);
    if (slots)
        cs_s(s, cmp.s.b, cmp.s.c, 0, 0);
    else
        cs_m(s, cmp.m.b, 0, cmp.m.x);
    s->last_ins = p;
    s->last_op = op;
    s->last_def = s->last_const = s->last_set = -1;
    fused_pair(s);
    return true;
}

/* A br_if on `cond` right after I32_ADD_IMM2 [dst, a, add][dst2, cond], where the instruction
 * before that set cond to an i32 compare-immediate and the add writes neither copy to cond (a
 * rotated loop's latch): all become BR_SET_ADDI2_<cmp> [cdst, ca, imm][dst, a, add][dst2][off],
 * with an i32 add just before the compare (fib's running sum) BR_ADD_SET_ADDI2_<cmp>
 * [..][dst2, d, x, y][off]; each part runs in order. */
static bool fuse_set_branch(vstate *s, uint16_t cond)
{
    int64_t cmp = s->prev_ins, add = s->prev2_ins;
    enum wop op = OP_I32_EQ_IMM;
    while (op <= OP_I32_GE_U_IMM && !(cmp >= 0 && op_at(s, cmp, op)))
        op++;
    if (op > OP_I32_GE_U_IMM || cmp + 2 != s->last_ins)
        return false;
    wcell c = s->code[cmp + 1], d = s->code[s->last_ins + 1], e = s->code[s->last_ins + 2];
    if (c.m.a != cond || d.m.a == cond || e.s.a == cond)
        return false;
    bool pre = add >= 0 && add + 2 == cmp && op_at(s, add, OP_I32_ADD);
    wcell a = pre ? s->code[add + 1] : (wcell){.u64 = 0};
    s->n = (size_t)(pre ? add : cmp);
    /* BR_SET_ADDI2_<cmp>, BR_ADD_SET_ADDI2_<cmp> follow BR_ADDI2_<cmp> in enum wop */
    cs_op(s, fused_branch(op, true) + 3 + pre);
    cs_m(s, c.m.a, c.m.b, c.m.x);
    cs_m(s, d.m.a, d.m.b, d.m.x);
    cs_s(s, e.s.a, a.s.a, a.s.b, a.s.c);
    s->prev_ins = s->prev2_ins = s->prev3_ins = s->prev4_ins = -1;
    return true;
}

/* COPY_BR_IF [dst, src, cond] just made (at last_ins) right after I32_LOAD_I32_STORE and a COPY
 * before that (a list reversed: l = next; next = l->next; l->next = prev; prev = l; while next):
 * the three become COPY_I32_LOAD_I32_STORE_COPY_BR_IF [the COPY's cell][the load-store's two]
 * [COPY_BR_IF's cell], run in order; the caller appends the offset. The COPY's cell's c is 1 when
 * the slots are those of l, next and prev as above, three apart: a loop that is this op alone may
 * then keep them in registers (interp.c, list_reverse). */
static void fuse_list_step(vstate *s)
{
    int64_t p = s->prev2_ins, q = s->prev_ins, r = s->last_ins;
    if (p < 0 || p + 2 != q || q + 3 != r || !op_at(s, p, OP_COPY) ||
        !op_at(s, q, OP_I32_LOAD_I32_STORE))
        return;
    s->code[p + 2] = s->code[q + 1];
    s->code[p + 3] = s->code[q + 2];
    s->code[p + 4] = s->code[r + 1];
    wcell *c = &s->code[p + 1];
    uint16_t l = c[0].s.a, next = c[0].s.b, prev = c[2].m.a;
    c[0].s.c = l != next && l != prev && next != prev && c[1].m.a == next && c[1].m.b == l &&
               c[2].m.b == l && c[3].s.a == prev && c[3].s.b == l && c[3].s.c == next;
    s->n = (size_t)p + 5;
    set_op(s, &s->code[p], OP_COPY_I32_LOAD_I32_STORE_COPY_BR_IF);
    s->last_ins = p;
    s->prev_ins = s->prev2_ins = s->prev3_ins = s->prev4_ins = -1;
}

/* Emits a jump taken when cond != 0 (when_true) or cond == 0; the caller appends the offset cell.
 * If the instruction just emitted computed cond (a compare or eqz into the popped stack slot at
 * height s->h), it is replaced by a fused compare-and-branch. */
void cs_cond_jump(vstate *s, uint16_t cond, bool when_true)
{
    if (!cs_live(s))
        return;
    if (s->last_def >= 0 && s->last_end == s->n && cond == cs_slot(s, s->h) &&
        s->code[s->last_def + 1].s.a == cond) {
        wcell c = s->code[s->last_def + 1];
        enum wop op = s->last_op, br = fused_branch(op, when_true);
        if (op == OP_I32_EQZ) {
            s->n = (size_t)s->last_def;
            cs_op(s, when_true ? OP_BR_UNLESS : OP_BR_IF);
            cs_s(s, c.s.b, 0, 0, 0);
            return;
        }
        if (br != OP_COUNT_ && (fuse_add_branch(s, op, br, c) || fuse_add_cmp_branch(s, br, c) ||
                                fuse_load_branch(s, br, c)))
            return;
        if (br != OP_COUNT_) {
            s->n = (size_t)s->last_def;
            cs_op(s, br);
            if (op >= OP_I32_ADD_IMM && op <= OP_I64_SHR_U_IMM) /* the WASM_IMM_OPS range */
                cs_m(s, c.m.b, 0, c.m.x);
            else
                cs_s(s, c.s.b, c.s.c, 0, 0);
            return;
        }
    }
    if (s->last_ins >= 0 && s->last_op == OP_COPY && (size_t)s->last_ins + 2 == s->n) {
        /* a copy, then the branch (a list walk's step): COPY_BR_<IF|UNLESS> [dst, src, cond] */
        set_op(s, &s->code[s->last_ins], when_true ? OP_COPY_BR_IF : OP_COPY_BR_UNLESS);
        s->code[s->last_ins + 1].s.c = cond;
        if (when_true)
            fuse_list_step(s);
    } else if (when_true && s->last_ins >= 0 && s->last_op == OP_I32_LOAD &&
               (size_t)s->last_ins + 2 == s->n && s->code[s->last_ins + 1].m.a == cond) {
        /* a load, then the branch on the loaded word (a list walked to its end): I32_LOAD_BR_IF
         * [dst, addr, off] */
        set_op(s, &s->code[s->last_ins], OP_I32_LOAD_BR_IF);
    } else if (s->last_ins >= 0 && s->last_op == OP_I32_ADD_IMM2 &&
               (size_t)s->last_ins + 3 == s->n) {
        /* a compare set to cond before: fuse_set_branch; else I32_ADD_IMM2_BR_<IF|UNLESS>
         * [dst, a, imm][dst2, cond] */
        if (!when_true || !fuse_set_branch(s, cond)) {
            set_op(s, &s->code[s->last_ins],
                   when_true ? OP_I32_ADD_IMM2_BR_IF : OP_I32_ADD_IMM2_BR_UNLESS);
            s->code[s->last_ins + 2].s.b = cond;
        }
    } else {
        cs_op(s, when_true ? OP_BR_IF : OP_BR_UNLESS);
        cs_s(s, cond, 0, 0, 0);
        return;
    }
    s->last_op = OP_BR_IF; /* a branch: nothing fuses with it */
    s->last_def = s->last_const = s->last_set = -1;
}

/* Whether the offset cell at `at` still waits in an open block's chain (its target not known). */
static bool pending_jump(const vstate *s, int64_t at)
{
    for (uint32_t i = 0; i < s->nctl; i++)
        for (int64_t c = s->ctls[i].patch, e = s->ctls[i].else_patch; c >= 0 || e >= 0;) {
            if (c == at || e == at)
                return true;
            c = c >= 0 ? s->code[c].i64 : -1;
            e = e >= 0 ? s->code[e].i64 : -1;
        }
    return false;
}

/* I32_LOAD_BR_IF at b, its offset just linked back to a loop's head where I32_LOAD16_S_BR_I32_NE
 * branches to b: a list searched (for (n = head; n; n = n->next) if (n->key == k) ...), the key t
 * loaded from p and compared with k, then p = p->next. When p, t and k are three slots, the
 * compare cell's c becomes 1: the search op then runs that loop with them in registers (interp.c,
 * list_find). */
static void mark_list_find(vstate *s, int64_t b)
{
    if (b < 0 || (size_t)b + 3 != s->n || !op_at(s, b, OP_I32_LOAD_BR_IF))
        return;
    int64_t a = b + 2 + s->code[b + 2].i64;
    if (a < 0 || a + 4 > b || !op_at(s, a, OP_I32_LOAD16_S_BR_I32_NE) || pending_jump(s, a + 3) ||
        a + 3 + s->code[a + 3].i64 != b)
        return;
    wcell *c = &s->code[a + 1];
    uint16_t t = c[0].m.a, p = c[0].m.b, k = c[1].s.a == t ? c[1].s.b : c[1].s.a;
    c[1].s.c = p != t && k != p && k != t && (c[1].s.a == t || c[1].s.b == t) &&
               s->code[b + 1].m.a == p && s->code[b + 1].m.b == p;
}

void cs_br_if(vstate *s, ctl *t, uint32_t arity, uint16_t cond)
{
    if (!cs_live(s))
        return;
    if (t->kind != CTL_FUNC && !needs_copies(s, t, arity)) {
        cs_cond_jump(s, cond, true);
        put(s);
        link_cell(s, s->n - 1, t);
        if (t->kind == CTL_LOOP)
            mark_list_find(s, s->last_ins);
        return;
    }
    int64_t skip = -1;
    cs_cond_jump(s, cond, false);
    cs_fwd(s, &skip);
    cs_branch(s, t, arity);
    cs_patch(s, skip, s->n);
    cs_barrier(s);
}

void cs_br_table(vstate *s, const uint32_t *depths, uint32_t n, uint32_t arity, uint16_t idx)
{
    if (!cs_live(s))
        return;
    cs_op(s, OP_BR_TABLE);
    cs_s(s, idx, 0, 0, 0);
    cs_u64(s, n);
    size_t base = s->n;
    for (uint32_t k = 0; k <= n; k++)
        put(s);
    for (uint32_t k = 0; k <= n && !s->oom; k++) {
        ctl *t = &s->ctls[s->nctl - 1 - depths[k]];
        if (t->kind == CTL_FUNC || needs_copies(s, t, arity)) {
            s->code[base + k].i64 = (int64_t)(s->n - (base + k));
            cs_branch(s, t, arity);
        } else {
            link_cell(s, base + k, t);
        }
    }
}
