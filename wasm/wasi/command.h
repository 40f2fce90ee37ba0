/* Running a module as a WASI command, the sequence `wasmcri run`, the container worker and
 * ExecSync share: new linker -> WASI imports -> instantiate -> call `_start` -> exit code.
 */
#ifndef WASMCRI_WASI_COMMAND_H
#define WASMCRI_WASI_COMMAND_H

#include "wasi.h"
#include "wasm_engine.h"

#define WASI_TRAP_EXIT_CODE 134 /* what a trap reports as exit code, like SIGABRT (128+6) */

typedef struct wasi_command_result {
    int exit_code;     /* _start returned: 0; proc_exit(n): n; trap: WASI_TRAP_EXIT_CODE */
    wasm_trap trap;    /* WASM_TRAP_NONE, WASM_TRAP_EXIT, or why it failed */
    char message[256]; /* the trap message, "" when none */
} wasi_command_result;

/* For _cleanup_: what a command run makes (and wasi_ctx_destroyp, wasi.h). */
static inline void wasm_linker_freep(wasm_linker **linker)
{
    wasm_linker_free(*linker);
}
static inline void wasm_instance_freep(wasm_instance **inst)
{
    wasm_instance_free(*inst);
}

/* Borrows module, opts and inst_opts (may be NULL) for the call. Returns 0 when the command ran
 * (whatever its exit code or trap, see *ret); a negative errno when it could not start: no
 * `_start` export (-ENOEXEC), unknown imports (-ENOENT/-ENOEXEC), instantiation trap (-ECANCELED).
 */
int wasi_command_run(const wasm_module *module, const wasi_options *opts,
                     const wasm_instance_opts *inst_opts, wasi_command_result *ret, wc_error *err);

#endif
