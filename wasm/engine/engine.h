/* Internal structures shared by the engine's stages (decode.c, validate.c, compile.c, interp.c,
 * instance.c). Nothing here is public API; see wasm_engine.h for that. */
#ifndef WASMCRI_ENGINE_INTERNAL_H
#define WASMCRI_ENGINE_INTERNAL_H

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "opcodes.h"
#include "wasm_engine.h"

/* One cell of compiled code: a handler address (or op number without computed goto), an immediate,
 * or up to four 16-bit frame slots. */
typedef union wcell {
    const void *h;
    const void *ptr; /* CALL_LOCAL: the callee's wcode */
    uintptr_t op;
    uint64_t u64;
    int64_t i64;
    struct {
        uint16_t a, b, c, d;
    } s;
    struct {
        uint16_t a, b;
        uint32_t x;
    } m;
} wcell;

#define WASM_MAX_FRAME_SLOTS 65535u
#define WASM_BACKTRACE_MAX 16

typedef struct wasm_functype {
    uint32_t np, nr;
    uint32_t nps, nrs;    /* frame slots of the params and of the results (a v128 takes two) */
    wasm_valtype *params; /* np params then nr results, one allocation */
    wasm_valtype *results;
} wasm_functype;

typedef struct wlimits {
    uint32_t min, max;
    bool has_max;
} wlimits;

typedef struct wtabletype {
    wasm_valtype elem;
    wlimits lim;
} wtabletype;

typedef struct wglobaltype {
    wasm_valtype type;
    bool mut;
} wglobaltype;

/* A constant expression (Wasm 2.0: exactly one instruction). */
enum { CONST_VALUE, CONST_GLOBAL, CONST_REF_FUNC };
typedef struct wconst {
    uint8_t kind;
    uint32_t idx;  /* global or function index */
    uint64_t bits; /* CONST_VALUE */
    uint64_t hi;   /* CONST_VALUE of a v128: the high 64 bits */
} wconst;

typedef struct wimport {
    char *module, *name;
    wasm_extern_kind kind;
    uint32_t type; /* FUNC: type index */
    wtabletype table;
    wlimits mem;
    wglobaltype global;
} wimport;

typedef struct wexport {
    char *name;
    uint32_t name_len; /* names may contain NUL bytes */
    wasm_extern_kind kind;
    uint32_t idx;
} wexport;

enum { SEG_ACTIVE, SEG_PASSIVE, SEG_DECLARATIVE };
typedef struct welem {
    uint8_t mode;
    wasm_valtype type;
    uint32_t table;
    wconst offset;
    uint32_t n;
    wconst *items;
} welem;

typedef struct wdata {
    uint8_t mode;
    uint32_t mem;
    wconst offset;
    uint32_t len;
    uint8_t *bytes;
} wdata;

typedef struct wcode_chunk wcode_chunk;

typedef struct wcode {
    uint32_t type;
    /* in frame slots (a v128 takes two): the code's first op (ZERO_LOCALS) zeroes [nparams,
     * zero_end), the declared locals that may be read before they are set (validate.c,
     * note_local_read) */
    uint32_t nparams, zero_end;
    uint32_t frame_slots; /* locals + maximal operand stack height */
    wcell *code; /* NULL until prepared (prepare.c); a lazy module's &lazy_stub until first call */
    size_t ncode;
    uint32_t body_off, body_len; /* the body in the module's code_bytes */
} wcode;

struct wasm_module {
    wasm_limits limits;
    uint32_t ntypes;
    wasm_functype *types;
    uint32_t nimports;
    wimport *imports;
    uint32_t nfuncs, nfunc_imports; /* index space incl. imports */
    uint32_t *func_type;            /* type index per function */
    wcode *codes;                   /* per defined function (index - nfunc_imports) */
    bool *func_declared;            /* may appear in ref.func */
    uint32_t ntables, ntable_imports;
    wtabletype *tables;
    uint32_t nmems, nmem_imports;
    wlimits *mems;
    uint32_t nglobals, nglobal_imports;
    wglobaltype *globals;
    wconst *global_init; /* per defined global */
    uint32_t nexports;
    wexport *exports;
    int64_t start; /* -1: none */
    uint32_t nelems;
    welem *elems;
    uint32_t ndatas;
    wdata *datas;
    bool has_datacount;
    uint32_t datacount;
    int64_t work_left; /* validation budget (validate.c charge()), set from the module size */
    char **func_names; /* from the name section, may be NULL */
    uint32_t nfunc_names;
    bool seen_code;
    uint8_t *code_bytes;      /* the code section's bodies, kept while some remain to compile */
    bool code_borrowed;       /* code_bytes is the caller's (an eager wasm_module_load, or
                                 wasm_module_decode_borrowed) */
    size_t code_bytes_mapped; /* code_bytes is a mapping of this many bytes (body_copy.c) */
    uint32_t nprepared;       /* functions validated (and, unless lazy, compiled): prepare.c */
    uint32_t nlazy;           /* functions validated but not compiled yet */
    wcell lazy_stub;          /* a lazy function's code until its first call: OP_LAZY_COMPILE */
    wcode_chunk *chunks;      /* limits.shared_code: where the code is (code_arena.c) */
    size_t shared_code_bytes;
};

/* Runtime objects. */
struct wasm_func {
    const wasm_functype *type;
    wasm_instance *inst; /* NULL for host functions */
    const wcode *code;
    uint32_t index;
    wasm_host_fn host;
    void *env;
};

struct wasm_memory {
    uint8_t *base;
    uint64_t size; /* bytes */
    uint32_t pages, max;
    bool has_max, hit_cap;
    uint32_t cap; /* pages; grow beyond fails and sets hit_cap */
};

struct wasm_table {
    void **elems;
    uint32_t size, max;
    bool has_max;
    wasm_valtype type;
};

struct wasm_global {
    wasm_valtype type;
    bool mut;
    wasm_val val;
    uint64_t hi; /* a v128's high 64 bits (val holds the low ones) */
};

/* Frame slots a value of type t takes: two for a v128, else one. */
static inline uint32_t wasm_slots(wasm_valtype t)
{
    return t == WASM_V128 ? 2 : 1;
}

/* A call's record: where the caller resumes, its frame, and the code of the function the call
 * entered (the running function is the top record's). A call within one instance writes only
 * these three. A call into another instance, and the entry of a wasm_interp run, resume at the
 * interpreter's OP_RETURN_INST cell instead, which takes the caller's instance and resume point
 * (NULL: leave wasm_interp) from inst and resume. */
typedef struct wframe {
    const wcell *ip;
    uint64_t *fp;
    const wcode *code;
    wasm_instance *inst;
    const wcell *resume;
} wframe;

enum { WASM_ATTN_INTERRUPT = 1, WASM_ATTN_METERED = 2 };

struct wasm_instance {
    const wasm_module *m;
    wasm_func **funcs; /* NULL until first use for a defined function: wasm_inst_func */
    wasm_table **tables;
    wasm_memory *mem; /* memory 0 or NULL */
    wasm_global **globals;
    wasm_func *own_funcs;
    wasm_table *own_tables;
    wasm_memory *own_mem;
    wasm_global *own_globals;
    bool *elem_dropped, *data_dropped;
    /* execution context (used when this instance is the entry of a wasm_call) */
    uint64_t *stack, *stack_end, *sp; /* sp: first free slot */
    wframe *frames, *frames_end;      /* frames_end: frames + max_frames, a call's depth check */
    uint32_t nframes, max_frames, native_depth;
    /* checked at calls and loop headers (one load): WASM_ATTN_INTERRUPT, set by
     * wasm_instance_interrupt; WASM_ATTN_METERED, set when a wasm_call starts on a metered instance
     */
    atomic_int interrupt;
    bool metered; /* fuel counts calls and loop iterations (fuzzing, tests) */
    int64_t fuel;
    /* trap details */
    wasm_trap trap;
    int exit_code;
    uint32_t trap_func;
    uint32_t backtrace[WASM_BACKTRACE_MAX], nbacktrace; /* innermost first */
    char msg[256];
    void *user;
    bool started;
};

/* decode.c. wasm_leb reads a LEB128 of `bits` bits; NULL on success, else a static message. */
const char *wasm_leb(const uint8_t **p, const uint8_t *end, unsigned bits, bool sign,
                     uint64_t *ret);
int wasm_decode(wasm_module *m, const uint8_t *p, size_t len, wc_error *err);
void wasm_module_clear(wasm_module *m);

/* validate.c: validates and/or compiles one function body [p, end). */
typedef enum wasm_body_mode {
    WASM_BODY_VALIDATE_COMPILE, /* one pass: type rules, code emitted */
    WASM_BODY_VALIDATE,         /* type rules only: no code (a lazy module's load) */
    WASM_BODY_COMPILE,          /* a body validated before (lazy compile): no work limit */
} wasm_body_mode;
/* work_left: the budget charged (NULL: the module's, m->work_left). */
int wasm_validate_func(wasm_module *m, uint32_t def_index, const uint8_t *p, const uint8_t *end,
                       wasm_body_mode mode, int64_t *work_left, wc_error *err);
/* validate_split.c: validates (type rules only) the bodies of defined functions [from, to), on two
 * threads when they are big enough; fails as a loop over them in order would, the same error. */
int wasm_validate_bodies(wasm_module *m, uint32_t from, uint32_t to, wc_error *err);

/* body_copy.c: code_bytes as a copy of the n bytes at src (-ENOMEM); code_bytes freed (unless
 * borrowed) and NULL. */
int wasm_bodies_copy(wasm_module *m, const uint8_t *src, size_t n);
void wasm_bodies_free(wasm_module *m);

/* code_arena.c (limits.shared_code): a copy of a function's code in the module's shared chunks
 * (-ENOMEM); the chunks made read-only, once every function is compiled; unmapped. */
int wasm_arena_copy(wasm_module *m, const wcell *code, size_t n, wcell **ret_code);
void wasm_arena_seal(wasm_module *m);
/* Maps the compiled code into this process's page tables now (wasm_instance_warm). */
void wasm_arena_map(const wasm_module *m);
void wasm_arena_free(wasm_module *m);

/* prepare.c: compiles f's body on its first call (OP_LAZY_COMPILE); -ENOMEM. */
int wasm_compile_on_call(wasm_func *f, wc_error *err);

/* interp.c */
const void *const *
wasm_interp_handlers(void); /* handler address per enum wop (NULL without computed goto) */
wasm_trap wasm_interp(wasm_instance *ctx, wasm_func *f, uint64_t *fp);
#ifdef WASM_OP_PROFILE
void wasm_op_profile_count(unsigned op); /* op_profile.c: a profiling build's counts */
#endif

/* instance.c: function i's record in inst. A defined function's record is written on first use
 * (a call, ref.func, an export, a table element), so an instance of a module of 100k functions
 * writes the few it uses, not all of them; an import's is set when the instance is linked. */
wasm_func *wasm_func_record(wasm_instance *inst, uint32_t i);
static inline wasm_func *wasm_inst_func(wasm_instance *inst, uint32_t i)
{
    wasm_func *f = inst->funcs[i];
    return __builtin_expect(f != NULL, 1) ? f : wasm_func_record(inst, i);
}

/* instance.c helpers used by interp.c and linker.c. Linear memory is an anonymous mapping. */
int wasm_mem_map(wasm_memory *mem, uint32_t pages);
void wasm_mem_unmap(wasm_memory *mem);
int32_t wasm_memory_grow_(wasm_memory *mem, uint32_t delta);
int32_t wasm_table_grow_(wasm_table *t, uint32_t delta, void *init, uint32_t limit);
bool wasm_functype_eq(const wasm_functype *a, const wasm_functype *b);

#endif
