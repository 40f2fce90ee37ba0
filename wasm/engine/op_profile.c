/* op_profile.c: counts of executed ops and of op pairs, for choosing fused ops (superinstructions)
 * from measurements. Only in a profiling build (cmake -DWASMCRI_OP_PROFILE=ON: interp.c then uses
 * its switch loop and calls wasm_op_profile_count before each op); release builds have none of it.
 * The counts are written when the process exits, to the file named by $WASMCRI_OP_PROFILE (else
 * stderr): the hottest ops, then the hottest pairs, each with its share of all ops executed.
 *   hack/bench/op_profile.sh runs the benchmark programs this way.
 */
#include <stdio.h>
#include <stdlib.h>

#include "engine.h"

#define TOP 60

static const char *const op_names[OP_COUNT_] = {
#define X_SIMPLE(b, n, i1, i2, o) [OP_##n] = #n,
#define X_MEM(b, n, t, a) [OP_##n] = #n, [OP_##n##_AI] = #n "_AI",
#define X_LD(b, n, t, a) X_MEM(b, n, t, a)[OP_##n##_PI] = #n "_PI",
#define X_IMM(n) [OP_##n##_IMM] = #n "_IMM",
#define X_INT(n) [OP_##n] = #n,
#define X_BR(n)                                                                                    \
    [OP_BR_##n] = "BR_" #n, [OP_BR_##n##_IMM] = "BR_" #n "_IMM", [OP_BR_ADDI_##n] = "BR_ADDI_" #n, \
    [OP_BR_ADDI2_##n] = "BR_ADDI2_" #n, [OP_BR_SET_ADDI2_##n] = "BR_SET_ADDI2_" #n,                \
    [OP_BR_ADD_SET_ADDI2_##n] = "BR_ADD_SET_ADDI2_" #n,                                            \
    [OP_BR_##n##_IMM_ADDI_RETURN] = "BR_" #n "_IMM_ADDI_RETURN",                                   \
    [OP_BR_##n##_IMM_ADDI_RETURN_CONST] = "BR_" #n "_IMM_ADDI_RETURN_CONST",
#define X_LB(n, ld) [OP_##n##_L_##ld] = #n "_L_" #ld, [OP_##n##_LL_##ld] = #n "_LL_" #ld,
#define X_BB(n1, n2) [OP_##n1##_##n2] = #n1 "_" #n2,
#define X_SB(n1, n2) [OP_##n1##_IMM_##n2] = #n1 "_IMM_" #n2,
#define X_VMEM(b, n, a) [OP_##n] = #n,
#define X_VLANE(b, n, l, t, r) [OP_##n] = #n,
    WASM_SIMPLE_OPS(X_SIMPLE) WASM_SAT_OPS(X_SIMPLE) WASM_LOAD_OPS(X_LD) WASM_STORE_OPS(X_MEM)
        WASM_IMM_OPS(X_IMM) WASM_INTERNAL_OPS(X_INT) WASM_BRCMP_OPS(X_BR) WASM_LOADBIN_OPS(X_LB)
            WASM_BINBIN_OPS(X_BB) WASM_SHIFTBIN_OPS(X_SB) WASM_SIMD_OPS(X_SIMPLE)
                WASM_SIMD_MEM_OPS(X_VMEM) WASM_SIMD_LANE_MEM_OPS(X_VMEM) WASM_SIMD_LANE_OPS(X_VLANE)
                    WASM_SIMD_INTERNAL_OPS(X_INT)
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

static uint64_t (*pairs)[OP_COUNT_]; /* pairs[prev][op] */
static unsigned prev = OP_NOP;

typedef struct ranked {
    uint64_t n;
    unsigned a, b;
} ranked;

/* Keeps the TOP largest entries of top[] (sorted, largest first; *len of them). */
static void rank(ranked *top, unsigned *len, ranked r)
{
    if (*len == TOP && top[TOP - 1].n >= r.n)
        return;
    unsigned i = *len < TOP ? (*len)++ : TOP - 1;
    for (; i > 0 && top[i - 1].n < r.n; i--)
        top[i] = top[i - 1];
    top[i] = r;
}

static void dump(void)
{
    const char *path = getenv("WASMCRI_OP_PROFILE");
    FILE *out = path && *path ? fopen(path, "w") : stderr;
    if (out == NULL)
        return;
    static uint64_t ops[OP_COUNT_];
    static ranked top_ops[TOP], top_pairs[TOP];
    unsigned nops = 0, npairs = 0;
    uint64_t total = 0;
    for (unsigned a = 0; a < OP_COUNT_; a++)
        for (unsigned b = 0; b < OP_COUNT_; b++) {
            ops[b] += pairs[a][b];
            total += pairs[a][b];
            if (pairs[a][b])
                rank(top_pairs, &npairs, (ranked){pairs[a][b], a, b});
        }
    for (unsigned b = 0; b < OP_COUNT_; b++)
        if (ops[b])
            rank(top_ops, &nops, (ranked){ops[b], b, b});
    fprintf(out, "ops executed: %llu\n", (unsigned long long)total);
    for (unsigned i = 0; i < nops; i++)
        fprintf(out, "op %6.2f%% %12llu %s\n", 100.0 * (double)top_ops[i].n / (double)total,
                (unsigned long long)top_ops[i].n, op_names[top_ops[i].a]);
    for (unsigned i = 0; i < npairs; i++)
        fprintf(out, "pair %6.2f%% %12llu %s %s\n", 100.0 * (double)top_pairs[i].n / (double)total,
                (unsigned long long)top_pairs[i].n, op_names[top_pairs[i].a],
                op_names[top_pairs[i].b]);
    if (out != stderr)
        fclose(out);
}

void wasm_op_profile_count(unsigned op)
{
    if (pairs == NULL) {
        pairs = calloc(OP_COUNT_, sizeof(*pairs));
        if (pairs == NULL)
            abort();
        atexit(dump);
    }
    pairs[prev][op]++;
    prev = op;
}
