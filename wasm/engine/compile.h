/* The state shared by validate.c and validate_simd.c (type rules) and compile.c (code emission)
 * while one function body is processed.
 *
 * Frame layout: every value takes one 64-bit slot, except a v128, which takes two adjacent ones
 * (low half first), so scalar code keeps its one-cell values and v128 moves are two word copies
 * (a frame of 128-bit slots would double every scalar frame). Locals come first (params, then the
 * declared ones, each at the sum of the widths before it); operand stack entry i lives at home[i],
 * right after entry i-1; loc[i] says where its value really is (its home, or a local's slot for a
 * deferred local.get). A label's values sit from the home of its height on, in the label's types,
 * which is also how a callee sees its params and a caller its results. */
#ifndef WASMCRI_ENGINE_COMPILE_H
#define WASMCRI_ENGINE_COMPILE_H

#include "engine.h"

#define CS_MAX_PENDING 64
#define CS_MAX_SET 256
#define T_UNKNOWN 0 /* polymorphic stack entry in unreachable code */

enum { CTL_FUNC, CTL_BLOCK, CTL_LOOP, CTL_IF, CTL_ELSE };

typedef struct ctl {
    uint8_t kind;
    bool unreachable; /* typing: the rest of the block is unreachable (polymorphic stack) */
    bool dead;        /* emission: the block itself is in dead code */
    uint32_t height;  /* operand stack height below the block's params */
    uint32_t np, nr;
    const wasm_valtype *params, *results;
    int64_t patch;      /* chain of forward jumps to the end (cell indexes), -1 = none */
    int64_t else_patch; /* IF: the conditional jump to the else branch */
    size_t loop_pc;     /* LOOP: start of the body */
    uint64_t set_before[CS_MAX_SET / 64]; /* vstate.set_here at the block's start */
} ctl;

/* The first entries of a vstate's arrays, on the caller's stack (left uninitialised): most
 * functions need no more, and their validation allocates nothing. */
#define VS_ROOM_STACK 64
#define VS_ROOM_CTLS 16
#define VS_ROOM_GROUPS 8
#define VS_ROOM_PARAMS 16
typedef struct vroom {
    wasm_valtype vt[VS_ROOM_STACK];
    uint16_t loc[VS_ROOM_STACK], home[VS_ROOM_STACK];
    ctl ctls[VS_ROOM_CTLS];
    uint32_t grp_end[VS_ROOM_GROUPS], grp_slot_end[VS_ROOM_GROUPS], param_slot[VS_ROOM_PARAMS];
    wasm_valtype grp_type[VS_ROOM_GROUPS];
} vroom;

typedef struct vstate {
    wasm_module *m;
    int64_t *work_left; /* the validation budget charged (m->work_left, or a thread's:
                           validate_split.c) */
    wcode *fn;
    const wasm_functype *ft;
    const uint8_t *p, *end;
    wc_error *err;
    vroom *room;       /* where the arrays below start; any other address is the heap's */
    uint32_t *grp_end; /* locals: running totals of the declaration groups (after the params) */
    uint32_t *grp_slot_end; /* the same in frame slots */
    uint32_t *param_slot;   /* frame slot of each param */
    wasm_valtype *grp_type;
    uint32_t ngroups, nlocals, local_slots;
    /* zeroing at entry: set_here marks the local slots (the first CS_MAX_SET) set on every path
     * to this point; zero_end is one past the last declared local's slot a local.get may read
     * before it is set, the end of what a call zeroes (validate.c, note_local_read) */
    uint64_t set_here[CS_MAX_SET / 64];
    uint32_t zero_end;
    /* operand stack */
    wasm_valtype *vt;
    uint16_t *loc, *home;
    uint32_t h, cap, max_slot;
    /* stack positions of deferred local.gets, ascending; bounded so every scan is O(1) */
    uint32_t pend[CS_MAX_PENDING], npend;
    /* control stack */
    ctl *ctls;
    uint32_t nctl, ctlcap;
    /* code */
    wcell *code;
    size_t n, codecap;
    const void *const *handlers;
    /* peephole state: position of the last instruction defining the stack top / a constant */
    int64_t last_def, last_const, last_ins; /* last_ins: start of the last instruction */
    int64_t prev_ins;                       /* start of the one before it (-1: none, or a label) */
    int64_t prev2_ins;                      /* and of the one before that (the same) */
    int64_t prev3_ins;                      /* and of the one before that (the same) */
    int64_t prev4_ins;                      /* and of the one before that (the same) */
    int64_t last_set; /* the last instruction, when a local.set/tee made it write the local */
    /* the BR_<cmp>_IMM_ADDI_RETURN that ends at the label just placed (cs_label_here), whose jump
     * is the only way there; -1 after any other barrier */
    int64_t label_from;
    uint64_t last_const_bits;
    enum wop last_op, prev_op; /* ops of the last two emitted instructions */
    uint16_t last_const_slot;
    size_t last_end;
    bool oom;
    bool check_only; /* type rules only, no code (WASM_BODY_VALIDATE) */
    bool validated;  /* the body passed validation before: no work limit (WASM_BODY_COMPILE) */
} vstate;

static inline bool cs_live(const vstate *s)
{
    const ctl *c = &s->ctls[s->nctl - 1];
    return !c->unreachable && !c->dead && !s->check_only;
}

/* Frame slots a stack entry of type t takes (unknown ones, in unreachable code: the most). */
static inline uint32_t cs_width(wasm_valtype t)
{
    return t == WASM_V128 || t == T_UNKNOWN ? 2 : 1;
}

/* The home slot of stack entry h (h <= s->h: the next one to be pushed included). */
static inline uint16_t cs_slot(const vstate *s, uint32_t h)
{
    return h == 0 ? (uint16_t)s->local_slots : (uint16_t)(s->home[h - 1] + cs_width(s->vt[h - 1]));
}

/* Local x's type and frame slot. */
static inline wasm_valtype vlocal_type(const vstate *s, uint32_t x, uint16_t *ret_slot)
{
    if (x < s->ft->np) {
        *ret_slot = (uint16_t)s->param_slot[x];
        return s->ft->params[x];
    }
    uint32_t lo = 0, hi = s->ngroups; /* first group whose running total exceeds x */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->grp_end[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    uint32_t first = lo ? s->grp_end[lo - 1] : s->ft->np;
    uint32_t first_slot = lo ? s->grp_slot_end[lo - 1] : s->ft->nps;
    *ret_slot = (uint16_t)(first_slot + (x - first) * cs_width(s->grp_type[lo]));
    return s->grp_type[lo];
}

/* compile.c */
int cs_reserve(vstate *s, size_t cells);
void cs_op(vstate *s, enum wop op);
void cs_barrier(vstate *s);
void cs_s(vstate *s, uint16_t a, uint16_t b, uint16_t c, uint16_t d);
void cs_m(vstate *s, uint16_t a, uint16_t b, uint32_t x);
void cs_u64(vstate *s, uint64_t v);
void cs_copy(vstate *s, uint16_t dst, uint16_t src, wasm_valtype t);
void cs_flush(vstate *s, uint32_t from);
void cs_flush_local(vstate *s, uint16_t slot);
void cs_defer_local(vstate *s, uint16_t slot);
bool cs_local_referenced(const vstate *s, uint16_t slot);
void cs_def(vstate *s, size_t at);
void cs_const(vstate *s, uint16_t dst, uint64_t bits, bool wide);
void cs_binop(vstate *s, enum wop op, enum wop imm_op, bool wide, uint16_t dst, uint16_t a,
              uint16_t b);
bool cs_fold_set(vstate *s, uint16_t slot);
bool cs_load_store(vstate *s, enum wop op, uint16_t v, uint16_t addr, uint32_t off);
void cs_label_here(vstate *s, ctl *c);
void cs_branch(vstate *s, ctl *target, uint32_t arity);
void cs_br_if(vstate *s, ctl *target, uint32_t arity, uint16_t cond);
void cs_br_table(vstate *s, const uint32_t *depths, uint32_t n, uint32_t arity, uint16_t idx);
void cs_return(vstate *s, uint32_t arity);
int cs_zero_prologue(vstate *s, uint32_t nparams, uint32_t zero_end);
void cs_call_local(vstate *s, uint16_t frame, uint32_t f, const wcode *code);
void cs_fwd(vstate *s, int64_t *chain);
void cs_cond_jump(vstate *s, uint16_t cond, bool when_true);
void cs_patch(vstate *s, int64_t chain, size_t target);

/* validate.c, for validate_simd.c */
typedef struct simple_op {
    uint8_t in1, in2, out;
    uint8_t valid;
    uint16_t op;
} simple_op;
int vfail(vstate *s, const char *msg);
int vbyte(vstate *s, uint8_t *ret);
int vpush(vstate *s, wasm_valtype t);
int vpop(vstate *s, wasm_valtype want, uint16_t *ret_loc);
int vmemarg(vstate *s, uint32_t max_align, uint32_t *ret_offset);
int vemit_def(vstate *s, enum wop op, wasm_valtype t, uint16_t a, uint16_t b, uint16_t c);
int vsimple(vstate *s, const simple_op *o);
extern const simple_op vsimple_table[256]; /* the simple instructions' types, by opcode */

/* validate_fast.c: types the plainly valid run of straight-line code at s->p (check_only),
 * stopping before the first instruction it leaves to validate.c's rules */
void vfast_run(vstate *s);

/* validate_simd.c: one instruction after the 0xFD prefix */
int op_simd(vstate *s);

#endif
