/* wasi_command_run (see command.h): the flat list of steps that runs a WASI command.
 *   1. a WASI ctx from the options (fds, preopens, args, env)
 *   2. a linker holding the WASI imports bound to that ctx
 *   3. instantiate (this runs the module's own start function, if any)
 *   4. call `_start`; a proc_exit inside ends it with WASM_TRAP_EXIT
 *   5. translate the outcome into an exit code, destroy in reverse order (the ctx last: it
 *      flushes the log's partial lines).
 * A reactor-style entry point or `--invoke NAME` would be another step-4 variant.
 */
#include "command.h"

#include <stdio.h>

#include "cleanup.h"

static void outcome(wasm_instance *inst, wasm_trap trap, wasi_command_result *ret)
{
    ret->trap = trap;
    ret->message[0] = '\0';
    if (trap == WASM_TRAP_NONE) {
        ret->exit_code = 0;
    } else if (trap == WASM_TRAP_EXIT) {
        ret->exit_code = wasm_instance_exit_code(inst);
    } else {
        ret->exit_code = WASI_TRAP_EXIT_CODE;
        snprintf(ret->message, sizeof(ret->message), "%s", wasm_instance_trap_message(inst));
    }
}

int wasi_command_run(const wasm_module *module, const wasi_options *opts,
                     const wasm_instance_opts *inst_opts, wasi_command_result *ret, wc_error *err)
{
    _cleanup_(wasi_ctx_destroyp) wasi_ctx *ctx = NULL;
    _cleanup_(wasm_linker_freep) wasm_linker *linker = NULL;
    _cleanup_(wasm_instance_freep) wasm_instance *inst = NULL;
    TRY(wasi_ctx_create(opts, &ctx, err));
    TRY(wasm_linker_new(&linker, err));
    TRY(wasi_define_imports(linker, ctx, module, err));
    TRY(wasm_instantiate(module, linker, inst_opts, &inst, err));
    wasm_func *start = wasm_instance_export_func(inst, "_start");
    if (start == NULL)
        return wc_error_set(err, -ENOEXEC,
                            "the module exports no _start function: it is not a WASI command");
    outcome(inst, wasm_call(inst, start, NULL, 0, NULL, 0), ret);
    return 0;
}
