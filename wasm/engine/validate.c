/* validate.c: type-checks one function body and drives compile.c (stage 2 + 3 in one pass).
 *
 * The classic validation algorithm of the spec appendix: an operand type stack and a control stack;
 * unreachable code makes the stack polymorphic (T_UNKNOWN). Every rule is checked once, here:
 * simple instructions get their types from the opcode table (opcodes.h), the others have a case
 * in op_special()/op_prefix(). Each case validates, then asks compile.c to emit code.
 * Adding an instruction: a line in opcodes.h if it is simple, else a case here plus a handler in
 * interp.c.
 */
#include <stdlib.h>

#include "compile.h"

static int fail(vstate *s, const char *msg)
{
    return wc_error_set(s->err, -EINVAL, "%s", msg);
}

int vfail(vstate *s, const char *msg)
{
    return fail(s, msg);
}

/* ---- reading immediates ---------------------------------------------------------------------- */

static int leb(vstate *s, unsigned bits, bool sign, uint64_t *ret)
{
    *ret = 0;
    const char *msg = wasm_leb(&s->p, s->end, bits, sign, ret);
    return msg ? fail(s, msg) : 0;
}

static int u32(vstate *s, uint32_t *ret)
{
    uint64_t v;
    TRY(leb(s, 32, false, &v));
    *ret = (uint32_t)v;
    return 0;
}

static int byte(vstate *s, uint8_t *ret)
{
    *ret = 0;
    if (s->p >= s->end)
        return fail(s, "unexpected end");
    *ret = *s->p++;
    return 0;
}

static int zero_byte(vstate *s)
{
    uint8_t b;
    TRY(byte(s, &b));
    return b == 0 ? 0 : fail(s, "zero byte expected");
}

int vbyte(vstate *s, uint8_t *ret)
{
    return byte(s, ret);
}

/* ---- the operand stack ------------------------------------------------------------------------
 */

static int frame_full(vstate *s)
{
    return wc_error_set(s->err, -E2BIG, "function needs more than %u frame slots",
                        WASM_MAX_FRAME_SLOTS);
}

/* An array of old_n entries of size bytes, at p (in the vstate's room or the heap), grown to n:
 * the new address, or NULL (p unchanged). */
static void *grow_array(void *p, const void *room, size_t old_n, size_t n, size_t size)
{
    if (p != room)
        return realloc(p, n * size);
    void *q = malloc(n * size);
    if (q)
        memcpy(q, p, old_n * size);
    return q;
}

static int grow_stack(vstate *s)
{
    uint32_t cap = s->cap * 2;
    if ((uint64_t)s->local_slots + cap > WASM_MAX_FRAME_SLOTS + 64)
        cap = WASM_MAX_FRAME_SLOTS + 64 - s->local_slots;
    if (s->h + 1 >= cap)
        return frame_full(s);
    wasm_valtype *vt = grow_array(s->vt, s->room->vt, s->cap, cap, sizeof(*vt));
    if (vt)
        s->vt = vt;
    uint16_t *loc = grow_array(s->loc, s->room->loc, s->cap, cap, sizeof(*loc));
    if (loc)
        s->loc = loc;
    uint16_t *home = grow_array(s->home, s->room->home, s->cap, cap, sizeof(*home));
    if (home)
        s->home = home;
    if (!vt || !loc || !home)
        return wc_error_set(s->err, -ENOMEM, "out of memory");
    s->cap = cap;
    return 0;
}

/* Gives entry h (already typed) its home slot, right after entry h-1. */
static int place(vstate *s, uint32_t h)
{
    uint32_t slot = cs_slot(s, h), end = slot + cs_width(s->vt[h]);
    if (end > s->max_slot) {
        if (end >= WASM_MAX_FRAME_SLOTS)
            return frame_full(s);
        s->max_slot = end;
    }
    s->home[h] = s->loc[h] = (uint16_t)slot;
    return 0;
}

static int push(vstate *s, wasm_valtype t)
{
    if (s->h + 1 >= s->cap)
        TRY(grow_stack(s));
    s->vt[s->h] = t;
    TRY(place(s, s->h));
    s->h++;
    return 0;
}

int vpush(vstate *s, wasm_valtype t)
{
    return push(s, t);
}

/* Pops a value of type want (T_UNKNOWN: any); *ret_t gets the actual type, *ret_loc its slot. */
static int pop(vstate *s, wasm_valtype want, wasm_valtype *ret_t, uint16_t *ret_loc)
{
    ctl *c = &s->ctls[s->nctl - 1];
    wasm_valtype t = T_UNKNOWN;
    uint16_t loc = 0;
    if (ret_t)
        *ret_t = want;
    if (ret_loc)
        *ret_loc = loc;
    if (s->h == c->height) {
        if (!c->unreachable)
            return fail(s, "type mismatch");
        loc = cs_slot(s, s->h);
    } else {
        s->h--;
        t = s->vt[s->h];
        loc = s->loc[s->h];
        if (s->npend && s->pend[s->npend - 1] == s->h)
            s->npend--;
    }
    if (want != T_UNKNOWN && t != T_UNKNOWN && t != want)
        return fail(s, "type mismatch");
    if (ret_t)
        *ret_t = t == T_UNKNOWN ? want : t;
    if (ret_loc)
        *ret_loc = loc;
    return 0;
}

static int pop_t(vstate *s, wasm_valtype want, uint16_t *ret_loc)
{
    return pop(s, want, NULL, ret_loc);
}

int vpop(vstate *s, wasm_valtype want, uint16_t *ret_loc)
{
    return pop(s, want, NULL, ret_loc);
}

/* Checks that the top n entries match types (without popping). */
/* Type checks whose cost is not bounded by one instruction (multi-value labels, block params) are
 * charged to a per-module budget proportional to its size, so no input makes validation slow. */
static int charge(vstate *s, uint64_t units)
{
    if (s->validated) /* a lazy compile: this body passed within the limit at load */
        return 0;
    *s->work_left -= (int64_t)units + 1;
    if (*s->work_left < 0)
        return wc_error_set(s->err, -E2BIG, "module too complex to validate (work limit)");
    return 0;
}

static int check_top(vstate *s, const wasm_valtype *types, uint32_t n)
{
    ctl *c = &s->ctls[s->nctl - 1];
    uint32_t have = s->h - c->height, first = 0;
    if (have < n) {
        if (!c->unreachable)
            return fail(s, "type mismatch");
        first = n - have; /* missing entries are polymorphic */
    }
    TRY(charge(s, n - first));
    for (uint32_t i = first; i < n; i++) {
        wasm_valtype t = s->vt[s->h - (n - i)];
        if (t != T_UNKNOWN && t != types[i])
            return fail(s, "type mismatch");
    }
    return 0;
}

/* After the stack was cut back to a block boundary: no deferred entries remain, since everything
 * below a block's height was flushed when the block was entered. */
static void count_pending(vstate *s)
{
    s->npend = 0;
}

/* Checks the top n entries against types; in unreachable code the stack may be shorter than n:
 * it is padded at the bottom with those types (as if they had been popped and pushed again). */
static int fill_top(vstate *s, const wasm_valtype *types, uint32_t n)
{
    ctl *c = &s->ctls[s->nctl - 1];
    TRY(check_top(s, types, n));
    uint32_t have = s->h - c->height;
    if (have >= n)
        return 0;
    TRY(charge(s, n));
    for (uint32_t i = have; i < n; i++)
        TRY(push(s, T_UNKNOWN));
    for (uint32_t i = 0; i < n; i++) {
        s->vt[c->height + i] = types[i];
        TRY(place(s, c->height + i));
    }
    count_pending(s);
    return 0;
}

static bool is_num(wasm_valtype t) /* or vector: what an untyped select takes */
{
    return t == WASM_I32 || t == WASM_I64 || t == WASM_F32 || t == WASM_F64 || t == WASM_V128 ||
           t == T_UNKNOWN;
}

static bool is_ref(wasm_valtype t)
{
    return t == WASM_FUNCREF || t == WASM_EXTERNREF || t == T_UNKNOWN;
}

/* ---- control
 * ------------------------------------------------------------------------------------- */

static const wasm_valtype one_type[] = {WASM_I32,  WASM_I64,     WASM_F32,      WASM_F64,
                                        WASM_V128, WASM_FUNCREF, WASM_EXTERNREF};

static int block_type(vstate *s, ctl *c)
{
    uint8_t b = s->p < s->end ? *s->p : 0;
    c->np = c->nr = 0;
    c->params = c->results = NULL;
    if (b == 0x40) {
        s->p++;
        return 0;
    }
    for (size_t i = 0; i < sizeof(one_type) / sizeof(one_type[0]); i++) {
        if (b == one_type[i]) {
            s->p++;
            c->nr = 1, c->results = &one_type[i];
            return 0;
        }
    }
    uint64_t v;
    TRY(leb(s, 33, true, &v));
    if ((int64_t)v < 0 || v >= s->m->ntypes)
        return fail(s, (int64_t)v < 0 ? "malformed value type" : "unknown type");
    const wasm_functype *ft = &s->m->types[v];
    c->np = ft->np, c->nr = ft->nr, c->params = ft->params, c->results = ft->results;
    return 0;
}

static int push_ctl(vstate *s, ctl *c)
{
    if (s->nctl >= s->m->limits.max_nesting)
        return wc_error_set(s->err, -E2BIG, "blocks nested deeper than %u",
                            s->m->limits.max_nesting);
    if (s->nctl == s->ctlcap) {
        uint32_t cap = s->ctlcap * 2;
        ctl *n = grow_array(s->ctls, s->room->ctls, s->ctlcap, cap, sizeof(*n));
        if (n == NULL)
            return wc_error_set(s->err, -ENOMEM, "out of memory");
        s->ctls = n, s->ctlcap = cap;
    }
    s->ctls[s->nctl++] = *c;
    return 0;
}

static int op_block(vstate *s, uint8_t kind)
{
    ctl c = {.kind = kind, .patch = -1, .else_patch = -1};
    uint16_t cond = 0;
    TRY(block_type(s, &c));
    if (kind == CTL_IF)
        TRY(pop_t(s, WASM_I32, &cond));
    TRY(fill_top(s, c.params, c.np));
    cs_flush(s, 0);
    c.height = s->h - c.np;
    c.unreachable = false;
    bool live = cs_live(s);
    if (kind == CTL_IF) {
        cs_cond_jump(s, cond, false);
        cs_fwd(s, &c.else_patch);
    }
    c.loop_pc = s->n;
    if (kind == CTL_LOOP && s->m->limits.interruptible)
        cs_op(s, OP_POLL); /* every iteration passes here: interrupt and fuel checks */
    c.dead = !live;        /* a block in dead code stays dead: emit nothing for it */
    if (kind != CTL_BLOCK) /* no jump lands at a block's start: peepholes may cross it */
        cs_barrier(s);
    memcpy(c.set_before, s->set_here, sizeof(c.set_before));
    return push_ctl(s, &c);
}

/* Pops the block's results and checks the stack is then at the block's height. */
static int check_end_stack(vstate *s, ctl *c)
{
    TRY(fill_top(s, c->results, c->nr));
    if (s->h != c->height + c->nr)
        return fail(s, "type mismatch");
    return 0;
}

static void reset_stack(vstate *s, uint32_t h, const wasm_valtype *types, uint32_t n)
{
    *s->work_left -= n; /* checked at the next charge() */
    s->h = h;
    for (uint32_t i = 0; i < n; i++)
        push(s, types[i]); /* cannot fail: these slots existed before */
    count_pending(s);
}

static int op_else(vstate *s)
{
    ctl *c = &s->ctls[s->nctl - 1];
    if (c->kind != CTL_IF)
        return fail(s, "else without if");
    TRY(check_end_stack(s, c));
    cs_flush(s, c->height);
    cs_op(s, OP_JMP);
    cs_fwd(s, &c->patch);
    c->kind = CTL_ELSE;
    c->unreachable = false;
    cs_patch(s, c->else_patch, s->n);
    c->else_patch = -1;
    cs_barrier(s);
    reset_stack(s, c->height, c->params, c->np);
    memcpy(s->set_here, c->set_before, sizeof(s->set_here));
    return 0;
}

static int op_end(vstate *s, bool *ret_done)
{
    ctl *c = &s->ctls[s->nctl - 1];
    TRY(check_end_stack(s, c));
    if (c->kind == CTL_IF) {
        if (c->np != c->nr ||
            (c->np && memcmp(c->params, c->results, c->np * sizeof(wasm_valtype)) != 0))
            return fail(s, "type mismatch");
    }
    cs_flush(s, c->height);
    if (c->kind == CTL_FUNC) {
        cs_return(s, c->nr);
        *ret_done = true;
        return 0;
    }
    cs_patch(s, c->else_patch, s->n);
    cs_label_here(s, c);
    ctl done = *c;
    s->nctl--;
    reset_stack(s, done.height, done.results, done.nr);
    if (done.kind != CTL_LOOP) /* only its body's end falls through to after a loop */
        memcpy(s->set_here, done.set_before, sizeof(s->set_here));
    return 0;
}

static int label(vstate *s, uint32_t depth, ctl **ret, uint32_t *ret_arity,
                 const wasm_valtype **ret_types)
{
    *ret = NULL, *ret_arity = 0, *ret_types = NULL;
    if (depth >= s->nctl)
        return fail(s, "unknown label");
    ctl *t = &s->ctls[s->nctl - 1 - depth];
    *ret = t;
    *ret_arity = t->kind == CTL_LOOP ? t->np : t->nr;
    *ret_types = t->kind == CTL_LOOP ? t->params : t->results;
    return 0;
}

static void set_unreachable(vstate *s)
{
    ctl *c = &s->ctls[s->nctl - 1];
    s->h = c->height;
    c->unreachable = true;
    count_pending(s);
}

static int op_br(vstate *s, uint8_t op)
{
    uint32_t depth, arity;
    ctl *t;
    const wasm_valtype *types;
    uint16_t cond = 0;
    if (op == 0x0F) {
        depth = s->nctl - 1;
    } else {
        TRY(u32(s, &depth));
    }
    TRY(label(s, depth, &t, &arity, &types));
    if (op == 0x0D)
        TRY(pop_t(s, WASM_I32, &cond));
    TRY(fill_top(s, types, arity));
    if (op == 0x0D) {
        cs_br_if(s, t, arity, cond);
        /* the operands keep the label's types */
        for (uint32_t i = 0; i < arity; i++)
            s->vt[s->h - arity + i] = types[i];
        return 0;
    }
    cs_branch(s, t, arity);
    set_unreachable(s);
    return 0;
}

static int op_br_table(vstate *s)
{
    uint32_t n, arity = 0;
    TRY(u32(s, &n));
    if (n > (size_t)(s->end - s->p))
        return fail(s, "unexpected end");
    uint32_t *depths = malloc(((size_t)n + 1) * sizeof(uint32_t));
    if (depths == NULL)
        return wc_error_set(s->err, -ENOMEM, "out of memory");
    int rc = 0;
    uint16_t idx = 0;
    for (uint32_t k = 0; k <= n && rc == 0; k++)
        rc = u32(s, &depths[k]);
    if (rc == 0)
        rc = pop_t(s, WASM_I32, &idx);
    for (uint32_t k = 0; k <= n && rc == 0; k++) {
        ctl *t;
        uint32_t a;
        const wasm_valtype *types;
        rc = label(s, depths[n - k], &t, &a, &types);
        if (rc == 0 && k > 0 && a != arity)
            rc = fail(s, "type mismatch");
        arity = a;
        if (rc == 0)
            rc = check_top(s, types, a);
    }
    if (rc == 0) {
        cs_br_table(s, depths, n, arity, idx);
        set_unreachable(s);
    }
    free(depths);
    return rc;
}

/* ---- calls, variables, memory -------------------------------------------------------------------
 */

static int call_sig(vstate *s, const wasm_functype *ft, uint16_t *ret_frame)
{
    TRY(fill_top(s, ft->params, ft->np));
    cs_flush(s, s->h - ft->np);
    s->h -= ft->np;
    *ret_frame = cs_slot(s, s->h);
    return 0;
}

static int push_results(vstate *s, const wasm_functype *ft)
{
    for (uint32_t i = 0; i < ft->nr; i++)
        TRY(push(s, ft->results[i]));
    cs_barrier(s);
    return 0;
}

static int op_call(vstate *s)
{
    uint32_t f;
    uint16_t frame;
    TRY(u32(s, &f));
    if (f >= s->m->nfuncs)
        return fail(s, "unknown function");
    const wasm_functype *ft = &s->m->types[s->m->func_type[f]];
    TRY(call_sig(s, ft, &frame));
    if (f < s->m->nfunc_imports) {
        cs_op(s, OP_CALL);
        cs_m(s, frame, 0, f);
    } else {
        /* a function of this module: the code address is fixed once the module is loaded */
        cs_call_local(s, frame, f, &s->m->codes[f - s->m->nfunc_imports]);
    }
    return push_results(s, ft);
}

static int op_call_indirect(vstate *s)
{
    uint32_t ti, tab;
    uint16_t frame, idx;
    TRY(u32(s, &ti));
    TRY(u32(s, &tab));
    if (tab >= s->m->ntables)
        return fail(s, "unknown table");
    if (ti >= s->m->ntypes)
        return fail(s, "unknown type");
    if (s->m->tables[tab].elem != WASM_FUNCREF)
        return fail(s, "type mismatch");
    TRY(pop_t(s, WASM_I32, &idx));
    const wasm_functype *ft = &s->m->types[ti];
    TRY(call_sig(s, ft, &frame));
    cs_op(s, OP_CALL_INDIRECT);
    cs_m(s, frame, idx, ti);
    cs_u64(s, tab);
    return push_results(s, ft);
}

/* Zeroing at entry (engine.h, wcode.zero_end): a declared local read here needs it unless every
 * path to here set it. A set in a block precedes everything after it up to the block's end (no
 * branch jumps into a block, and a loop's back edge goes to its start), so set_here gains the set
 * local and drops back to the block's start state at its else and end (op_else, op_end), except
 * at a loop's end: no branch goes there, only the body's own end runs on past it. */
static bool is_set_here(const vstate *s, uint32_t slot)
{
    return slot < CS_MAX_SET && (s->set_here[slot / 64] >> (slot % 64) & 1);
}

static void note_local_read(vstate *s, uint16_t slot, wasm_valtype t)
{
    uint32_t end = slot + cs_width(t);
    if (slot >= s->ft->nps && end > s->zero_end && !is_set_here(s, slot))
        s->zero_end = end;
}

static void note_local_set(vstate *s, uint16_t slot, wasm_valtype t)
{
    for (uint32_t i = slot; i < (uint32_t)slot + cs_width(t) && i < CS_MAX_SET; i++)
        s->set_here[i / 64] |= 1ull << (i % 64);
}

static int op_local(vstate *s, uint8_t op)
{
    uint32_t x;
    uint16_t src, slot;
    TRY(u32(s, &x));
    if (x >= s->nlocals)
        return fail(s, "unknown local");
    wasm_valtype t = vlocal_type(s, x, &slot);
    if (op == 0x20) {
        note_local_read(s, slot, t);
        TRY(push(s, t));
        cs_defer_local(s, slot);
        return 0;
    }
    TRY(pop_t(s, t, &src));
    bool referenced = cs_local_referenced(s, slot);
    if (referenced || !cs_fold_set(s, slot)) {
        cs_flush_local(s, slot);
        cs_copy(s, slot, src, t);
    }
    note_local_set(s, slot, t);
    if (op == 0x22) {
        TRY(push(s, t));
        cs_defer_local(s, slot);
    }
    return 0;
}

static int op_global(vstate *s, uint8_t op)
{
    uint32_t g;
    uint16_t v;
    TRY(u32(s, &g));
    if (g >= s->m->nglobals)
        return fail(s, "unknown global");
    wglobaltype *gt = &s->m->globals[g];
    bool v128 = gt->type == WASM_V128;
    if (op == 0x23) {
        size_t at = s->n;
        TRY(push(s, gt->type));
        cs_op(s, v128 ? OP_GLOBAL_GET_V128 : OP_GLOBAL_GET);
        cs_m(s, cs_slot(s, s->h - 1), 0, g);
        cs_def(s, at);
        return 0;
    }
    if (!gt->mut)
        return fail(s, "global is immutable");
    TRY(pop_t(s, gt->type, &v));
    cs_op(s, v128 ? OP_GLOBAL_SET_V128 : OP_GLOBAL_SET);
    cs_m(s, v, 0, g);
    return 0;
}

static int memarg(vstate *s, uint32_t max_align, uint32_t *ret_offset)
{
    uint32_t align;
    TRY(u32(s, &align));
    TRY(u32(s, ret_offset));
    if (s->m->nmems == 0)
        return fail(s, "unknown memory");
    if (align > max_align)
        return fail(s, "alignment must not be larger than natural");
    return 0;
}

int vmemarg(vstate *s, uint32_t max_align, uint32_t *ret_offset)
{
    return memarg(s, max_align, ret_offset);
}

/* If the address (popped, at height s->h) was just computed by an i32 add-immediate, drops that
 * instruction and returns true with its operand and immediate: the access uses the _AI form. */
static bool fuse_address(vstate *s, uint16_t addr, uint16_t *ret_base, uint32_t *ret_imm)
{
    if (!cs_live(s) || s->last_def < 0 || s->last_end != s->n || s->last_op != OP_I32_ADD_IMM ||
        addr != cs_slot(s, s->h) || s->code[s->last_def + 1].m.a != addr)
        return false;
    *ret_base = s->code[s->last_def + 1].m.b;
    *ret_imm = s->code[s->last_def + 1].m.x;
    s->n = (size_t)s->last_def;
    return true;
}

/* If the address (a local's slot, after local.tee) was just computed by an i32 add-immediate,
 * drops that instruction and returns true with its operand and immediate: the load uses the _PI
 * form, which writes the local itself. */
static bool fuse_pointer_bump(vstate *s, uint16_t addr, uint16_t *ret_src, uint32_t *ret_imm)
{
    if (!cs_live(s) || s->last_ins < 0 || s->last_op != OP_I32_ADD_IMM ||
        (size_t)s->last_ins + 2 != s->n || s->code[s->last_ins + 1].m.a != addr)
        return false;
    *ret_src = s->code[s->last_ins + 1].m.b;
    *ret_imm = s->code[s->last_ins + 1].m.x;
    s->n = (size_t)s->last_ins;
    return true;
}

static int op_load(vstate *s, enum wop op, wasm_valtype t, uint32_t align)
{
    uint32_t off, imm = 0;
    uint16_t addr, src = 0;
    TRY(memarg(s, align, &off));
    TRY(pop_t(s, WASM_I32, &addr));
    bool ai = fuse_address(s, addr, &addr, &imm);
    bool pi = !ai && fuse_pointer_bump(s, addr, &src, &imm);
    size_t at = s->n;
    TRY(push(s, t));
    cs_op(s, op + ai + 2 * pi); /* NAME, NAME_AI, NAME_PI in this order in enum wop */
    cs_m(s, cs_slot(s, s->h - 1), addr, off);
    if (ai)
        cs_u64(s, imm);
    if (pi)
        cs_m(s, src, 0, imm);
    cs_def(s, at);
    return 0;
}

static int op_store(vstate *s, enum wop op, wasm_valtype t, uint32_t align)
{
    uint32_t off;
    uint16_t addr, v;
    uint32_t imm = 0;
    TRY(memarg(s, align, &off));
    TRY(pop_t(s, t, &v));
    TRY(pop_t(s, WASM_I32, &addr));
    bool ai = fuse_address(s, addr, &addr, &imm);
    if (!ai && cs_load_store(s, op, v, addr, off))
        return 0;
    cs_op(s, ai ? op + 1 : op);
    cs_m(s, v, addr, off);
    if (ai)
        cs_u64(s, imm);
    return 0;
}

/* Pushes a result and emits `op [dst, a, b]`. */
static int emit_def(vstate *s, enum wop op, wasm_valtype t, uint16_t a, uint16_t b, uint16_t c)
{
    size_t at = s->n;
    TRY(push(s, t));
    cs_op(s, op);
    cs_s(s, cs_slot(s, s->h - 1), a, b, c);
    cs_def(s, at);
    return 0;
}

int vemit_def(vstate *s, enum wop op, wasm_valtype t, uint16_t a, uint16_t b, uint16_t c)
{
    return emit_def(s, op, t, a, b, c);
}

static int op_select(vstate *s, bool typed)
{
    wasm_valtype want = T_UNKNOWN, t1, t2;
    uint16_t a, b, c;
    if (typed) {
        uint32_t n;
        TRY(u32(s, &n));
        if (n != 1)
            return fail(s, "invalid result arity");
        uint8_t tb;
        TRY(byte(s, &tb));
        bool ok = false;
        for (size_t i = 0; i < sizeof(one_type) / sizeof(one_type[0]); i++)
            ok |= tb == one_type[i];
        if (!ok)
            return fail(s, "malformed value type");
        want = (wasm_valtype)tb;
    }
    TRY(pop_t(s, WASM_I32, &c));
    TRY(pop(s, want, &t2, &b));
    TRY(pop(s, want == T_UNKNOWN ? t2 : want, &t1, &a));
    if (!typed) {
        if (!is_num(t1) || !is_num(t2))
            return fail(s, "type mismatch");
        if (t1 == T_UNKNOWN)
            t1 = t2;
    }
    return emit_def(s, t1 == WASM_V128 ? OP_SELECT_V128 : OP_SELECT, t1, a, b, c);
}

static int op_const(vstate *s, uint8_t op)
{
    uint64_t v = 0;
    wasm_valtype t;
    switch (op) {
    case 0x41:
        TRY(leb(s, 32, true, &v));
        t = WASM_I32;
        v = (uint32_t)v;
        break;
    case 0x42:
        TRY(leb(s, 64, true, &v));
        t = WASM_I64;
        break;
    case 0x43:
        if (s->end - s->p < 4)
            return fail(s, "unexpected end");
        uint32_t f;
        memcpy(&f, s->p, 4);
        s->p += 4, v = f, t = WASM_F32;
        break;
    default:
        if (s->end - s->p < 8)
            return fail(s, "unexpected end");
        memcpy(&v, s->p, 8);
        s->p += 8, t = WASM_F64;
        break;
    }
    TRY(push(s, t));
    cs_const(s, cs_slot(s, s->h - 1), v, op == 0x42 || op == 0x44);
    return 0;
}

static int op_ref(vstate *s, uint8_t op)
{
    uint16_t a;
    wasm_valtype t;
    if (op == 0xD0) {
        uint8_t b;
        TRY(byte(s, &b));
        if (b != WASM_FUNCREF && b != WASM_EXTERNREF)
            return fail(s, "malformed reference type");
        TRY(push(s, (wasm_valtype)b));
        cs_const(s, cs_slot(s, s->h - 1), 0, true);
        return 0;
    }
    if (op == 0xD1) {
        TRY(pop(s, T_UNKNOWN, &t, &a));
        if (!is_ref(t))
            return fail(s, "type mismatch");
        return emit_def(s, OP_REF_IS_NULL, WASM_I32, a, 0, 0);
    }
    uint32_t f;
    TRY(u32(s, &f));
    if (f >= s->m->nfuncs)
        return fail(s, "unknown function");
    if (!s->m->func_declared[f])
        return fail(s, "undeclared function reference");
    size_t at = s->n;
    TRY(push(s, WASM_FUNCREF));
    cs_op(s, OP_REF_FUNC);
    cs_m(s, cs_slot(s, s->h - 1), 0, f);
    cs_def(s, at);
    return 0;
}

static int table_idx(vstate *s, uint32_t *ret)
{
    TRY(u32(s, ret));
    return *ret < s->m->ntables ? 0 : fail(s, "unknown table");
}

static int op_table(vstate *s, uint8_t op)
{
    uint32_t t;
    uint16_t i, v;
    TRY(table_idx(s, &t));
    wasm_valtype et = s->m->tables[t].elem;
    if (op == 0x25) {
        TRY(pop_t(s, WASM_I32, &i));
        size_t at = s->n;
        TRY(push(s, et));
        cs_op(s, OP_TABLE_GET);
        cs_m(s, cs_slot(s, s->h - 1), i, t);
        cs_def(s, at);
        return 0;
    }
    TRY(pop_t(s, et, &v));
    TRY(pop_t(s, WASM_I32, &i));
    cs_op(s, OP_TABLE_SET);
    cs_m(s, i, v, t);
    return 0;
}

/* ---- 0xFC prefix
 * ---------------------------------------------------------------------------------- */

static const struct {
    uint8_t in, out;
} sat_ops[8] = {{T_F32, T_I32}, {T_F32, T_I32}, {T_F64, T_I32}, {T_F64, T_I32},
                {T_F32, T_I64}, {T_F32, T_I64}, {T_F64, T_I64}, {T_F64, T_I64}};

static int pop3(vstate *s, wasm_valtype t1, wasm_valtype t2, wasm_valtype t3, uint16_t *a,
                uint16_t *b, uint16_t *c)
{
    *a = *b = *c = 0;
    TRY(pop_t(s, t3, c));
    TRY(pop_t(s, t2, b));
    return pop_t(s, t1, a);
}

static int data_idx(vstate *s, uint32_t *ret)
{
    TRY(u32(s, ret));
    if (!s->m->has_datacount)
        return fail(s, "data count section required");
    return *ret < s->m->datacount ? 0 : fail(s, "unknown data segment");
}

static int elem_idx(vstate *s, uint32_t *ret)
{
    TRY(u32(s, ret));
    return *ret < s->m->nelems ? 0 : fail(s, "unknown elem segment");
}

static int op_prefix_mem(vstate *s, uint32_t sub)
{
    uint32_t x;
    uint16_t a, b, c;
    switch (sub) {
    case 8:
        TRY(data_idx(s, &x));
        TRY(zero_byte(s));
        if (s->m->nmems == 0)
            return fail(s, "unknown memory");
        TRY(pop3(s, WASM_I32, WASM_I32, WASM_I32, &a, &b, &c));
        cs_op(s, OP_MEMORY_INIT);
        cs_s(s, a, b, c, 0);
        cs_u64(s, x);
        return 0;
    case 9:
        TRY(data_idx(s, &x));
        cs_op(s, OP_DATA_DROP);
        cs_u64(s, x);
        return 0;
    case 10:
        TRY(zero_byte(s));
        TRY(zero_byte(s));
        if (s->m->nmems == 0)
            return fail(s, "unknown memory");
        TRY(pop3(s, WASM_I32, WASM_I32, WASM_I32, &a, &b, &c));
        cs_op(s, OP_MEMORY_COPY);
        cs_s(s, a, b, c, 0);
        return 0;
    default:
        TRY(zero_byte(s));
        if (s->m->nmems == 0)
            return fail(s, "unknown memory");
        TRY(pop3(s, WASM_I32, WASM_I32, WASM_I32, &a, &b, &c));
        cs_op(s, OP_MEMORY_FILL);
        cs_s(s, a, b, c, 0);
        return 0;
    }
}

static int op_prefix_table(vstate *s, uint32_t sub)
{
    uint32_t x, t;
    uint16_t a, b, c;
    switch (sub) {
    case 12:
        TRY(elem_idx(s, &x));
        TRY(table_idx(s, &t));
        if (s->m->elems[x].type != s->m->tables[t].elem)
            return fail(s, "type mismatch");
        TRY(pop3(s, WASM_I32, WASM_I32, WASM_I32, &a, &b, &c));
        cs_op(s, OP_TABLE_INIT);
        cs_s(s, a, b, c, 0);
        cs_u64(s, x | (uint64_t)t << 32);
        return 0;
    case 13:
        TRY(elem_idx(s, &x));
        cs_op(s, OP_ELEM_DROP);
        cs_u64(s, x);
        return 0;
    case 14:
        TRY(table_idx(s, &x));
        TRY(table_idx(s, &t));
        if (s->m->tables[x].elem != s->m->tables[t].elem)
            return fail(s, "type mismatch");
        TRY(pop3(s, WASM_I32, WASM_I32, WASM_I32, &a, &b, &c));
        cs_op(s, OP_TABLE_COPY);
        cs_s(s, a, b, c, 0);
        cs_u64(s, x | (uint64_t)t << 32);
        return 0;
    }
    TRY(table_idx(s, &t));
    wasm_valtype et = s->m->tables[t].elem;
    if (sub == 15) {
        TRY(pop_t(s, WASM_I32, &b));
        TRY(pop_t(s, et, &a));
        TRY(emit_def(s, OP_TABLE_GROW, WASM_I32, a, b, 0));
    } else if (sub == 16) {
        TRY(emit_def(s, OP_TABLE_SIZE, WASM_I32, 0, 0, 0));
    } else {
        TRY(pop3(s, WASM_I32, et, WASM_I32, &a, &b, &c));
        cs_op(s, OP_TABLE_FILL);
        cs_s(s, a, b, c, 0);
    }
    cs_u64(s, t);
    s->last_def = -1;
    return 0;
}

static int op_prefix(vstate *s)
{
    uint32_t sub;
    uint16_t a;
    TRY(u32(s, &sub));
    if (sub < 8) {
        static const enum wop ops[8] = {OP_I32_TRUNC_SAT_F32_S, OP_I32_TRUNC_SAT_F32_U,
                                        OP_I32_TRUNC_SAT_F64_S, OP_I32_TRUNC_SAT_F64_U,
                                        OP_I64_TRUNC_SAT_F32_S, OP_I64_TRUNC_SAT_F32_U,
                                        OP_I64_TRUNC_SAT_F64_S, OP_I64_TRUNC_SAT_F64_U};
        TRY(pop_t(s, (wasm_valtype)sat_ops[sub].in, &a));
        return emit_def(s, ops[sub], (wasm_valtype)sat_ops[sub].out, a, 0, 0);
    }
    if (sub <= 11)
        return op_prefix_mem(s, sub);
    if (sub <= 17)
        return op_prefix_table(s, sub);
    return fail(s, "illegal opcode");
}

/* ---- simple instructions from the table ---------------------------------------------------------
 */

const simple_op vsimple_table[256] = {
#define X_SIMPLE(b, n, i1, i2, o) [b] = {i1, i2, o, 1, OP_##n},
    WASM_SIMPLE_OPS(X_SIMPLE)
#undef X_SIMPLE
};

static enum wop imm_form(enum wop op)
{
    switch (op) {
#define X_IMM(n)                                                                                   \
    case OP_##n:                                                                                   \
        return OP_##n##_IMM;
        WASM_IMM_OPS(X_IMM)
#undef X_IMM
    default:
        return OP_COUNT_;
    }
}

static int op_simple(vstate *s, const simple_op *o)
{
    uint16_t a, b = 0;
    if (o->in2) {
        TRY(pop_t(s, (wasm_valtype)o->in2, &b));
        TRY(pop_t(s, (wasm_valtype)o->in1, &a));
        TRY(push(s, (wasm_valtype)o->out));
        cs_binop(s, (enum wop)o->op, imm_form((enum wop)o->op), o->in1 == T_I64,
                 cs_slot(s, s->h - 1), a, b);
        return 0;
    }
    TRY(pop_t(s, (wasm_valtype)o->in1, &a));
    return emit_def(s, (enum wop)o->op, (wasm_valtype)o->out, a, 0, 0);
}

int vsimple(vstate *s, const simple_op *o)
{
    return op_simple(s, o);
}

static int op_memory(vstate *s, uint8_t op)
{
    uint16_t a;
    TRY(zero_byte(s));
    if (s->m->nmems == 0)
        return fail(s, "unknown memory");
    if (op == 0x3F)
        return emit_def(s, OP_MEMORY_SIZE, WASM_I32, 0, 0, 0);
    TRY(pop_t(s, WASM_I32, &a));
    return emit_def(s, OP_MEMORY_GROW, WASM_I32, a, 0, 0);
}

static int op_loadstore(vstate *s, uint8_t op)
{
    switch (op) {
#define X_LOAD(b, n, t, al)                                                                        \
    case b:                                                                                        \
        return op_load(s, OP_##n, (wasm_valtype)t, al);
        WASM_LOAD_OPS(X_LOAD)
#undef X_LOAD
#define X_STORE(b, n, t, al)                                                                       \
    case b:                                                                                        \
        return op_store(s, OP_##n, (wasm_valtype)t, al);
        WASM_STORE_OPS(X_STORE)
#undef X_STORE
    }
    return fail(s, "illegal opcode");
}

static int op_special(vstate *s, uint8_t op, bool *ret_done)
{
    uint16_t a;
    switch (op) {
    case 0x00:
        cs_op(s, OP_UNREACHABLE);
        set_unreachable(s);
        return 0;
    case 0x01:
        return 0;
    case 0x02:
        return op_block(s, CTL_BLOCK);
    case 0x03:
        return op_block(s, CTL_LOOP);
    case 0x04:
        return op_block(s, CTL_IF);
    case 0x05:
        return op_else(s);
    case 0x0B:
        return op_end(s, ret_done);
    case 0x0C:
    case 0x0D:
    case 0x0F:
        return op_br(s, op);
    case 0x0E:
        return op_br_table(s);
    case 0x10:
        return op_call(s);
    case 0x11:
        return op_call_indirect(s);
    case 0x1A:
        return pop_t(s, T_UNKNOWN, &a);
    case 0x1B:
        return op_select(s, false);
    case 0x1C:
        return op_select(s, true);
    case 0x20:
    case 0x21:
    case 0x22:
        return op_local(s, op);
    case 0x23:
    case 0x24:
        return op_global(s, op);
    case 0x25:
    case 0x26:
        return op_table(s, op);
    case 0x3F:
    case 0x40:
        return op_memory(s, op);
    case 0x41:
    case 0x42:
    case 0x43:
    case 0x44:
        return op_const(s, op);
    case 0xD0:
    case 0xD1:
    case 0xD2:
        return op_ref(s, op);
    case 0xFC:
        return op_prefix(s);
    case 0xFD:
        return op_simd(s);
    }
    if (op >= 0x28 && op <= 0x3E)
        return op_loadstore(s, op);
    return fail(s, "illegal opcode");
}

/* ---- the function
 * -------------------------------------------------------------------------------- */

static bool valid_valtype(uint8_t b)
{
    return b == WASM_I32 || b == WASM_I64 || b == WASM_F32 || b == WASM_F64 || b == WASM_V128 ||
           b == WASM_FUNCREF || b == WASM_EXTERNREF;
}

/* Local declarations stay compressed as (running total, type) groups, so a function declaring
 * 50,000 locals costs no more to validate than one declaring one. */
static int read_locals(vstate *s)
{
    const wasm_functype *ft = s->ft;
    uint32_t ngroups;
    TRY(u32(s, &ngroups));
    if (ngroups > (size_t)(s->end - s->p) / 2)
        return fail(s, "unexpected end");
    bool few = ngroups < VS_ROOM_GROUPS;
    s->grp_end = few ? s->room->grp_end : malloc(((size_t)ngroups + 1) * sizeof(*s->grp_end));
    s->grp_slot_end =
        few ? s->room->grp_slot_end : malloc(((size_t)ngroups + 1) * sizeof(*s->grp_slot_end));
    s->grp_type = few ? s->room->grp_type : malloc(((size_t)ngroups + 1) * sizeof(*s->grp_type));
    s->param_slot = ft->np < VS_ROOM_PARAMS ? s->room->param_slot
                                            : malloc(((size_t)ft->np + 1) * sizeof(*s->param_slot));
    if (!s->grp_end || !s->grp_slot_end || !s->grp_type || !s->param_slot)
        return wc_error_set(s->err, -ENOMEM, "out of memory");
    for (uint32_t i = 0, slot = 0; i < ft->np; slot += cs_width(ft->params[i]), i++)
        s->param_slot[i] = slot;
    uint64_t total = ft->np, slots = ft->nps;
    for (uint32_t g = 0; g < ngroups; g++) {
        uint32_t n;
        uint8_t b;
        TRY(u32(s, &n));
        TRY(byte(s, &b));
        if (!valid_valtype(b))
            return fail(s, "malformed value type");
        total += n;
        if (total > s->m->limits.max_locals)
            return total > UINT32_MAX ? fail(s, "too many locals")
                                      : wc_error_set(s->err, -E2BIG, "too many locals (limit %u)",
                                                     s->m->limits.max_locals);
        slots += (uint64_t)n * cs_width((wasm_valtype)b);
        s->grp_end[g] = (uint32_t)total;
        s->grp_slot_end[g] = (uint32_t)slots;
        s->grp_type[g] = (wasm_valtype)b;
    }
    if (slots + 16 >= WASM_MAX_FRAME_SLOTS)
        return frame_full(s);
    s->ngroups = ngroups;
    s->nlocals = (uint32_t)total;
    s->local_slots = s->max_slot = (uint32_t)slots;
    s->zero_end = ft->nps;
    return 0;
}

static int body(vstate *s)
{
    ctl f = {.kind = CTL_FUNC,
             .nr = s->ft->nr,
             .results = s->ft->results,
             .patch = -1,
             .else_patch = -1};
    TRY(push_ctl(s, &f));
    bool done = false;
    while (!done) {
        uint8_t op;
        if (s->check_only)
            vfast_run(s); /* a run of plainly valid straight-line code (validate_fast.c) */
        TRY(byte(s, &op));
        const simple_op *o = &vsimple_table[op];
        if (o->valid)
            TRY(op_simple(s, o));
        else
            TRY(op_special(s, op, &done));
    }
    if (s->p != s->end)
        return fail(s, "section size mismatch");
    if (s->oom)
        return wc_error_set(s->err, -ENOMEM, "out of memory");
    return 0;
}

static void free_unless(void *p, const void *room)
{
    if (p != room)
        free(p);
}

static void vstate_free(vstate *s)
{
    free_unless(s->grp_end, s->room->grp_end);
    free_unless(s->grp_slot_end, s->room->grp_slot_end);
    free_unless(s->param_slot, s->room->param_slot);
    free_unless(s->grp_type, s->room->grp_type);
    free_unless(s->vt, s->room->vt);
    free_unless(s->loc, s->room->loc);
    free_unless(s->home, s->room->home);
    free_unless(s->ctls, s->room->ctls);
    free(s->code);
}

int wasm_validate_func(wasm_module *m, uint32_t def_index, const uint8_t *p, const uint8_t *end,
                       wasm_body_mode mode, int64_t *work_left, wc_error *err)
{
    wcode *fn = &m->codes[def_index];
    vroom room; /* not cleared: every entry is written before it is read */
    vstate s = {.m = m,
                .work_left = work_left ? work_left : &m->work_left,
                .room = &room,
                .fn = fn,
                .ft = &m->types[fn->type],
                .p = p,
                .end = end,
                .err = err,
                .handlers = wasm_interp_handlers(),
                .check_only = mode == WASM_BODY_VALIDATE,
                .validated = mode == WASM_BODY_COMPILE,
                .last_def = -1,
                .last_const = -1,
                .last_ins = -1,
                .prev_ins = -1,
                .prev2_ins = -1,
                .prev3_ins = -1,
                .prev4_ins = -1,
                .last_set = -1,
                .label_from = -1};
    s.cap = VS_ROOM_STACK, s.ctlcap = VS_ROOM_CTLS;
    s.vt = room.vt, s.loc = room.loc, s.home = room.home, s.ctls = room.ctls;
    int rc =
        s.check_only || cs_reserve(&s, 64) == 0 ? 0 : wc_error_set(err, -ENOMEM, "out of memory");
    if (rc == 0)
        rc = read_locals(&s);
    if (rc == 0)
        rc = body(&s);
    if (rc == 0 && !s.check_only && cs_zero_prologue(&s, s.ft->nps, s.zero_end) < 0)
        rc = wc_error_set(err, -ENOMEM, "out of memory");
    if (rc == 0 && !s.check_only) {
        fn->nparams = s.ft->nps;
        fn->zero_end = s.zero_end;
        fn->frame_slots = s.max_slot + 1;
        fn->ncode = s.n;
        if (m->limits.shared_code) {
            wcell *code = NULL;
            rc = wasm_arena_copy(m, s.code, s.n, &code) < 0
                     ? wc_error_set(err, -ENOMEM, "out of memory for compiled code")
                     : 0;
            fn->code = code;
        } else {
            fn->code = s.code; /* last: a call reads the frame size, then the code */
            s.code = NULL;
        }
    }
    vstate_free(&s);
    return rc;
}
