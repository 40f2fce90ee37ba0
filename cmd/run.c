/* `wasmcri run`: placeholder until the engine lands (issue 3 replaces this file). */
#include "run.h"

#include <stdio.h>

int wasmcri_run_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "wasmcri run: the wasm engine is not built into this binary yet\n");
    return 2;
}
