/* wasmcri's WebAssembly engine: the public API (the only header users include).
 *
 * Pipeline: bytes --wasm_module_load--> wasm_module (decoded, validated, compiled; immutable)
 *           wasm_module + wasm_linker --wasm_instantiate--> wasm_instance --wasm_call-->
 * results/trap
 *
 * Ownership words used below:
 *   takes    the callee owns the object afterwards (caller must not free it);
 *   borrows  the caller keeps ownership and must keep the object alive as long as stated;
 *   returns a borrowed pointer  valid as long as the named owner lives, never freed by the caller.
 * All *_free functions accept NULL. Out-parameters are named ret_* and are left untouched on
 * failure. Errors follow common/error.h: 0 or a negative errno-style code, with a message in *err
 * (may be NULL). -EINVAL   malformed or invalid module (message says which), or a bad argument;
 *   -E2BIG    a configured limit was exceeded;   -ENOMEM  out of memory;
 *   -ENOENT   unknown import or export;           -ENOEXEC import type mismatch (unlinkable);
 *   -ECANCELED instantiation trapped (message is the trap reason).
 *
 * Linear memory is an anonymous mapping (pages cost RSS only once touched; memory.grow is mremap).
 * Threads: a module may be shared by any number of threads and instances (it is never written after
 * load, and survives fork()). An instance, its linker and its host objects are used by one thread
 * at a time. Values are little-endian (the engine assumes a little-endian host).
 */
#ifndef WASMCRI_WASM_ENGINE_H
#define WASMCRI_WASM_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* The engine reads wasm's little-endian values (code, memory, WASI structs) with plain loads and
 * memcpy: it runs on little-endian hosts only (x86-64, arm64, armhf). Every build checks it. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "wasmcri's engine needs a little-endian host");

#define WASM_PAGE_SIZE 65536u

typedef enum wasm_valtype {
    WASM_I32 = 0x7F,
    WASM_I64 = 0x7E,
    WASM_F32 = 0x7D,
    WASM_F64 = 0x7C,
    WASM_V128 = 0x7B, /* 128 bits: takes two wasm_val cells, see below */
    WASM_FUNCREF = 0x70,
    WASM_EXTERNREF = 0x6F,
} wasm_valtype;

/* One value, untyped: the type comes from the signature. 8 bytes. i32/f32 use the low 4 bytes.
 * A v128 takes two consecutive cells, its low 64 bits first, wherever values travel in arrays
 * (wasm_call's args and results, a host function's args and results): counts are in cells.
 * References: NULL is the null reference; a funcref is an opaque engine pointer (a wasm_func *);
 * an externref is any host pointer except NULL. */
typedef union wasm_val {
    int32_t i32;
    uint32_t u32;
    int64_t i64;
    uint64_t u64;
    float f32;
    double f64;
    void *ref;
} wasm_val;

/* Traps: a fixed set; wasm_trap_message() gives the spec wording. WASM_TRAP_EXIT is not an error:
 * a host function ended the instance with an exit code (WASI proc_exit). The trap path allocates
 * nothing. Appending new codes is allowed; numbers never change. */
typedef enum wasm_trap {
    WASM_TRAP_NONE = 0,
    WASM_TRAP_UNREACHABLE = 1,           /* "unreachable" */
    WASM_TRAP_MEMORY_OOB = 2,            /* "out of bounds memory access" */
    WASM_TRAP_TABLE_OOB = 3,             /* "out of bounds table access" */
    WASM_TRAP_UNDEFINED_ELEMENT = 4,     /* "undefined element" */
    WASM_TRAP_UNINITIALIZED_ELEMENT = 5, /* "uninitialized element" */
    WASM_TRAP_INDIRECT_MISMATCH = 6,     /* "indirect call type mismatch" */
    WASM_TRAP_DIV_ZERO = 7,              /* "integer divide by zero" */
    WASM_TRAP_INT_OVERFLOW = 8,          /* "integer overflow" */
    WASM_TRAP_BAD_CONVERSION = 9,        /* "invalid conversion to integer" */
    WASM_TRAP_STACK_EXHAUSTED = 10,      /* "call stack exhausted" */
    WASM_TRAP_HOST = 11,        /* "host error" (+ message, see wasm_instance_trap_message) */
    WASM_TRAP_EXIT = 12,        /* "exit" (see wasm_instance_exit_code) */
    WASM_TRAP_INTERRUPTED = 13, /* "interrupted" (reserved for timeouts) */
    WASM_TRAP_COUNT_
} wasm_trap;

/* Static string for a trap code ("unknown trap" for out-of-range codes). */
const char *wasm_trap_message(wasm_trap trap);

/* ---- Limits (load time; copied into the module) ------------------------------------------------
 */

typedef struct wasm_limits {
    uint64_t max_module_bytes;  /* size of the binary (default 256 MiB) */
    uint32_t max_functions;     /* functions incl. imports (default 1,000,000) */
    uint32_t max_locals;        /* locals per function incl. params (default 50,000) */
    uint32_t max_nesting;       /* nested blocks per function (default 10,000) */
    uint32_t max_section_items; /* types/imports/exports/globals/segments/... per section (default
                                   1,000,000) */
    uint32_t max_value_stack;   /* value stack slots per instance, all frames together (default
                                   1,048,576) */
    uint32_t max_call_depth;    /* nested wasm calls (default 20,000) */
    uint32_t max_memory_pages;  /* linear memory pages, 64 KiB each (default 65536 = 4 GiB) */
    uint32_t max_table_elems;   /* elements per table (default 10,000,000) */
    uint32_t max_type_arity;    /* params, and results, per function type (default 1,000) */
    uint32_t
        interruptible; /* 1: loops also check for wasm_instance_interrupt (default 0: only calls) */
    uint32_t lazy_compile; /* 1: load validates every function but compiles each on its first call
                              (default 0: all at load). Such a module is written on those calls:
                              it may be run by one thread at a time (or by forked processes) */
    uint32_t prevalidated; /* 1, with lazy_compile: the caller vouches that these bytes passed
                              validation before (the zygote checked them at CreateContainer), and
                              load skips it. A function's compile on its first call still applies
                              every rule: a body that is not valid after all traps there
                              ("compiling function N: ..."), it never runs */
    uint32_t shared_code;  /* 1 (not with lazy_compile): compiled code goes into shared mappings,
                              read-only once the module is prepared: a fork copies none of their
                              page table entries (for a process that forks workers holding the
                              module: the zygote). Its size: wasm_module_shared_code_bytes */
} wasm_limits;

/* Fills *ret with the defaults above. A zero field in limits passed to wasm_module_load also means
 * default. */
void wasm_limits_default(wasm_limits *ret);

/* ---- Modules -----------------------------------------------------------------------------------
 */

typedef struct wasm_module wasm_module;

/* Decodes, validates and compiles a binary module. Borrows bytes only for the call (the module
 * keeps no pointer into them). limits may be NULL (defaults). On success *ret_module is owned by
 * the caller. -EINVAL (malformed/invalid; the message names the problem, e.g. "type mismatch"),
 * -E2BIG, -ENOMEM. */
int wasm_module_load(const uint8_t *bytes, size_t len, const wasm_limits *limits,
                     wasm_module **ret_module, wc_error *err);
void wasm_module_free(wasm_module *module);

/* wasm_module_load in steps, for a caller that must never stop long (the zygote's loop): decode
 * reads every section and copies the function bodies, validating none; the module cannot be
 * instantiated (-EAGAIN) until wasm_module_prepare returned 0. Errors as wasm_module_load. */
int wasm_module_decode(const uint8_t *bytes, size_t len, const wasm_limits *limits,
                       wasm_module **ret_module, wc_error *err);
/* wasm_module_decode without copying the function bodies: the module reads them from bytes, which
 * must stay valid and unchanged until wasm_module_free (a worker's mapping of a module file the
 * store never changes). */
int wasm_module_decode_borrowed(const uint8_t *bytes, size_t len, const wasm_limits *limits,
                                wasm_module **ret_module, wc_error *err);
/* Validates (and compiles, unless lazy_compile) the next function bodies, about max_bytes of them
 * and at least one: 1 while some remain, 0 when the module is ready, < 0 when it is invalid (the
 * module is then only good for wasm_module_free). With lazy_compile, 256 KiB of bodies or more are
 * validated on two threads (the caller's and one joined before this returns: a caller that forks
 * never forks with it alive); the outcome and the message are those of one thread. */
int wasm_module_prepare(wasm_module *module, size_t max_bytes, wc_error *err);
bool wasm_module_prepared(const wasm_module *module);
/* Bytes of compiled code in shared mappings (limits.shared_code), which a heap measure misses. */
size_t wasm_module_shared_code_bytes(const wasm_module *module);
/* Bytes of the copy of the function bodies a lazy module keeps in a mapping of its own (2 MiB and
 * more), which a heap measure misses too; 0 when it has none (small, borrowed or freed). */
size_t wasm_module_body_copy_bytes(const wasm_module *module);

typedef enum wasm_extern_kind {
    WASM_EXTERN_FUNC = 0,
    WASM_EXTERN_TABLE = 1,
    WASM_EXTERN_MEMORY = 2,
    WASM_EXTERN_GLOBAL = 3,
} wasm_extern_kind;

/* Import/export listing. Names are borrowed from the module (valid while it lives). */
uint32_t wasm_module_import_count(const wasm_module *module);
int wasm_module_import(const wasm_module *module, uint32_t i, const char **ret_module,
                       const char **ret_name, wasm_extern_kind *ret_kind);
uint32_t wasm_module_export_count(const wasm_module *module);
/* Whether the module has a start function (run by wasm_instantiate / wasm_instance_start). */
bool wasm_module_has_start(const wasm_module *module);
int wasm_module_export(const wasm_module *module, uint32_t i, const char **ret_name,
                       wasm_extern_kind *ret_kind);

/* ---- Host objects and the linker ----------------------------------------------------------------
 */

typedef struct wasm_instance wasm_instance;
typedef struct wasm_func wasm_func; /* a function instance (wasm or host) */
typedef struct wasm_table wasm_table;
typedef struct wasm_memory wasm_memory;
typedef struct wasm_global wasm_global;

typedef struct wasm_extern {
    wasm_extern_kind kind;
    union {
        wasm_func *func;
        wasm_table *table;
        wasm_memory *memory;
        wasm_global *global;
    } u;
} wasm_extern;

/* A host function. inst is the calling instance, env the pointer given at definition.
 * args holds the params, results receives the results; THEY MAY ALIAS (same slots): read every
 * argument before writing any result. Return WASM_TRAP_NONE, or a trap: usually the return value of
 * wasm_instance_exit() or wasm_instance_host_error(). Linear memory pointers obtained inside the
 * callback stay valid until the callback returns (or the guest runs again, e.g. a nested
 * wasm_call). */
typedef wasm_trap (*wasm_host_fn)(wasm_instance *inst, void *env, const wasm_val *args,
                                  wasm_val *results);

typedef struct wasm_linker wasm_linker;

/* An empty import table. The linker owns the host objects defined into it, so it must outlive every
 * instance created with it. */
int wasm_linker_new(wasm_linker **ret_linker, wc_error *err);
void wasm_linker_free(wasm_linker *linker);

/* Defines a host function module.name. Copies the strings and type arrays; env is borrowed
 * (opaque). A later definition of the same name replaces the earlier one. */
int wasm_linker_define_func(wasm_linker *linker, const char *module, const char *name,
                            const wasm_valtype *params, uint32_t nparams,
                            const wasm_valtype *results, uint32_t nresults, wasm_host_fn fn,
                            void *env, wc_error *err);
/* Host global/table/memory owned by the linker (spectest's global_i32, table, memory...).
 * max = UINT32_MAX means "no maximum". A table's elements start as null. */
int wasm_linker_define_global(wasm_linker *linker, const char *module, const char *name,
                              wasm_valtype type, bool mutable_, wasm_val value, wc_error *err);
int wasm_linker_define_table(wasm_linker *linker, const char *module, const char *name,
                             wasm_valtype elem, uint32_t min, uint32_t max, wc_error *err);
int wasm_linker_define_memory(wasm_linker *linker, const char *module, const char *name,
                              uint32_t min_pages, uint32_t max_pages, wc_error *err);
/* Defines one extern (e.g. an export of another instance) under module.name. Borrows the object:
 * its owner must outlive every instance created with this linker. */
int wasm_linker_define_extern(wasm_linker *linker, const char *module, const char *name,
                              wasm_extern ext, wc_error *err);
/* Defines every export of inst under module name (spec `register`). Borrows inst: it must outlive
 * every instance created with this linker afterwards. */
int wasm_linker_define_instance(wasm_linker *linker, const char *module, wasm_instance *inst,
                                wc_error *err);

/* ---- Instances ----------------------------------------------------------------------------------
 */

typedef struct wasm_instance_opts {
    uint32_t max_memory_pages; /* cap on the instance's own linear memory 0 (container limit); 0 =
                                  module limit. An imported memory keeps the limits of its owner. */
    void *user;                /* initial user pointer (wasm_instance_user) */
} wasm_instance_opts;

/* Creates an instance and runs the module's start: resolves imports in linker (borrowed; NULL = no
 * imports), initialises globals, tables and memory from the segments, then calls the start
 * function. module and linker are borrowed and must outlive the instance. opts may be NULL (all
 * defaults). -ENOENT/-ENOEXEC unlinkable, -E2BIG memory above the cap, -ECANCELED a trap during
 * initialisation or in the start function (message = trap reason), -ENOMEM. */
int wasm_instantiate(const wasm_module *module, const wasm_linker *linker,
                     const wasm_instance_opts *opts, wasm_instance **ret_inst, wc_error *err);

/* The same in two steps, for callers that must keep an instance whose start trapped (the spec
 * suite: a trapped instance's functions may already sit in a shared table). wasm_instance_new links
 * and allocates only; wasm_instance_start initialises segments and runs the start function,
 * returning the trap (0 = ok). Call start exactly once. */
int wasm_instance_new(const wasm_module *module, const wasm_linker *linker,
                      const wasm_instance_opts *opts, wasm_instance **ret_inst, wc_error *err);
wasm_trap wasm_instance_start(wasm_instance *inst);

void wasm_instance_free(wasm_instance *inst);

const wasm_module *wasm_instance_module(const wasm_instance *inst);
void wasm_instance_set_user(wasm_instance *inst, void *user);
void *wasm_instance_user(const wasm_instance *inst);

/* Looks up an export. The object is borrowed from inst. -ENOENT if there is no such export. */
int wasm_instance_export(const wasm_instance *inst, const char *name, wasm_extern *ret_ext);
/* The same for a name of len bytes that may contain NUL bytes. */
int wasm_instance_export_n(const wasm_instance *inst, const char *name, size_t len,
                           wasm_extern *ret_ext);
/* Convenience: the exported function, or NULL. */
wasm_func *wasm_instance_export_func(const wasm_instance *inst, const char *name);

/* A function's type (arrays borrowed from the function's module/linker). */
void wasm_func_type(const wasm_func *func, const wasm_valtype **ret_params, uint32_t *ret_nparams,
                    const wasm_valtype **ret_results, uint32_t *ret_nresults);

/* Calls func (of inst or linked into it) with args; writes results. nargs/nresults must match the
 * type, in cells (a v128 counts two; WASM_TRAP_HOST with message "argument count mismatch"
 * otherwise). Returns the trap
 * (WASM_TRAP_NONE on success); details via wasm_instance_trap_*(inst). May be called from inside a
 * host function (nested calls count against max_call_depth). */
wasm_trap wasm_call(wasm_instance *inst, wasm_func *func, const wasm_val *args, uint32_t nargs,
                    wasm_val *results, uint32_t nresults);

/* Makes now what inst's first wasm_call would make on its path: the value stack and the frame
 * array (their first page each), and with whole 8 KiB of each, a small linear memory (at most
 * 256 KiB) faulted in and the page table entries of all the module's compiled code
 * (limits.shared_code: pages other processes hold already). For a process that instantiates ahead
 * of a call it waits for (the zygote's workers kept ready: an exec's whole, for its latency; a
 * container's not: it would keep pages its guest may never touch, and a 21 MB module's code took ms
 * to map). -ENOMEM. */
int wasm_instance_warm(wasm_instance *inst, bool whole);

/* After a trap: the message (spec wording, or the host error text), the exit code for
 * WASM_TRAP_EXIT, and the index of the function that trapped (UINT32_MAX if unknown). Valid until
 * the next call. */
wasm_trap wasm_instance_trap(const wasm_instance *inst);
const char *wasm_instance_trap_message(const wasm_instance *inst);
int wasm_instance_exit_code(const wasm_instance *inst);
uint32_t wasm_instance_trap_func(const wasm_instance *inst);
/* After a trap in wasm code: the function indexes on the wasm call stack, innermost first (at most
 * 16, from the entry of the outermost wasm_call). Copies up to max into ret_funcs, returns the
 * count. */
uint32_t wasm_instance_trap_backtrace(const wasm_instance *inst, uint32_t *ret_funcs, uint32_t max);
/* The export or debug (name section) name of a function index of inst's module, or NULL. */
const char *wasm_instance_func_name(const wasm_instance *inst, uint32_t func_index);

/* Asks the running wasm_call of inst to stop: it returns WASM_TRAP_INTERRUPTED at the next call, or
 * the next loop iteration if the module was loaded with limits.interruptible. Thread-safe and
 * async-signal-safe. The request is forgotten when the next outermost wasm_call starts. */
void wasm_instance_interrupt(wasm_instance *inst);

/* For host functions: end the instance cleanly with an exit code (WASI proc_exit); returns
 * WASM_TRAP_EXIT for the callback to return. */
wasm_trap wasm_instance_exit(wasm_instance *inst, int exit_code);
/* For host functions: a "host error" trap carrying a message (copied into the instance, truncated
 * at 256 bytes); returns WASM_TRAP_HOST for the callback to return. */
wasm_trap wasm_instance_host_error(wasm_instance *inst, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- Linear memory (memory 0 of the instance, own or imported) ----------------------------------
 */

/* Base pointer and current size in bytes (*ret_size = 0 and NULL if there is no memory). The
 * pointer is borrowed and valid until the guest runs again (memory.grow may move it). */
uint8_t *wasm_memory_data(wasm_instance *inst, uint64_t *ret_size);
/* Bounds-checked copies; -EFAULT if [offset, offset+len) is outside the memory. */
int wasm_memory_read(wasm_instance *inst, uint64_t offset, void *dst, size_t len);
int wasm_memory_write(wasm_instance *inst, uint64_t offset, const void *src, size_t len);
/* Current size of memory 0 in pages (0 without memory). */
uint32_t wasm_memory_pages(wasm_instance *inst);
/* True once memory.grow failed because of the per-instance page cap (report as OOMKilled). */
bool wasm_instance_hit_memory_cap(const wasm_instance *inst);

/* ---- Globals and tables (exports, host objects) -------------------------------------------------
 */

wasm_valtype wasm_global_type(const wasm_global *g);
bool wasm_global_mutable(const wasm_global *g);
wasm_val wasm_global_get(const wasm_global *g);
/* A v128 global's value: the low 64 bits in ret[0], the high ones in ret[1]. */
void wasm_global_get_v128(const wasm_global *g, wasm_val ret[2]);
void wasm_global_set(wasm_global *g, wasm_val v);
uint32_t wasm_table_size(const wasm_table *t);

#endif
