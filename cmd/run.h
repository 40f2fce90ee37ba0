/* `wasmcri run [options] FILE.wasm [ARGS...]`: runs one module from a shell. */
#ifndef WASMCRI_CMD_RUN_H
#define WASMCRI_CMD_RUN_H

/* argv[0] is "run". Returns the process exit status. */
int wasmcri_run_main(int argc, char **argv);

#endif
