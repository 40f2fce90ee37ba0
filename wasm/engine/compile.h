/* The state shared by validate.c (type rules) and compile.c (code emission) while one function
 * body is processed. Operand stack entry i lives in frame slot nlocals + i; loc[i] says where its
 * value really is (its own slot, or a local's slot for a deferred local.get). */
#ifndef WASMCRI_ENGINE_COMPILE_H
#define WASMCRI_ENGINE_COMPILE_H

#include "engine.h"

#define CS_MAX_PENDING 64
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
} ctl;

typedef struct vstate {
    wasm_module *m;
    wcode *fn;
    const wasm_functype *ft;
    const uint8_t *p, *end;
    wc_error *err;
    uint32_t *grp_end; /* locals: running totals of the declaration groups (after the params) */
    wasm_valtype *grp_type;
    uint32_t ngroups, nlocals;
    /* operand stack */
    wasm_valtype *vt;
    uint16_t *loc;
    uint32_t h, cap, max_h;
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
    uint64_t last_const_bits;
    enum wop last_op; /* op of the last emitted instruction */
    uint16_t last_const_slot;
    size_t last_end;
    bool oom;
} vstate;

static inline bool cs_live(const vstate *s)
{
    const ctl *c = &s->ctls[s->nctl - 1];
    return !c->unreachable && !c->dead;
}

static inline uint16_t cs_slot(const vstate *s, uint32_t h)
{
    return (uint16_t)(s->nlocals + h);
}

/* compile.c */
int cs_reserve(vstate *s, size_t cells);
void cs_op(vstate *s, enum wop op);
void cs_barrier(vstate *s);
void cs_s(vstate *s, uint16_t a, uint16_t b, uint16_t c, uint16_t d);
void cs_m(vstate *s, uint16_t a, uint16_t b, uint32_t x);
void cs_u64(vstate *s, uint64_t v);
void cs_flush(vstate *s, uint32_t from);
void cs_flush_local(vstate *s, uint16_t slot);
void cs_defer_local(vstate *s, uint16_t slot);
bool cs_local_referenced(const vstate *s, uint16_t slot);
void cs_def(vstate *s, size_t at);
void cs_const(vstate *s, uint16_t dst, uint64_t bits, bool wide);
void cs_binop(vstate *s, enum wop op, enum wop imm_op, bool wide, uint16_t dst, uint16_t a,
              uint16_t b);
bool cs_fold_set(vstate *s, uint16_t slot);
void cs_label_here(vstate *s, ctl *c);
void cs_branch(vstate *s, ctl *target, uint32_t arity);
void cs_br_if(vstate *s, ctl *target, uint32_t arity, uint16_t cond);
void cs_br_table(vstate *s, const uint32_t *depths, uint32_t n, uint32_t arity, uint16_t idx);
void cs_return(vstate *s, uint32_t arity);
void cs_fwd(vstate *s, int64_t *chain);
void cs_cond_jump(vstate *s, uint16_t cond, bool when_true);
void cs_patch(vstate *s, int64_t chain, size_t target);

#endif
