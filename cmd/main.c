/* wasmcri's entry point: picks the subcommand and hands over. No logic lives here.
 *   wasmcri [daemon flags]        the CRI daemon (default)
 *   wasmcri run FILE.wasm ...     run one module from a shell (cmd/run.c)
 */
#include <stdio.h>
#include <string.h>

#include "run.h"

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "run") == 0)
        return wasmcri_run_main(argc - 1, argv + 1);
    fprintf(stderr, "usage: wasmcri run FILE.wasm [ARGS...]\n");
    return 2;
}
