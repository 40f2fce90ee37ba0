/* `wasmcri run [options] FILE.wasm [ARGS...]` (or `--toolbox APPLET [ARGS...]`): runs one module
 * from a shell. */
#ifndef WASMCRI_CMD_RUN_H
#define WASMCRI_CMD_RUN_H

#include <stdbool.h>
#include <stddef.h>

/* A preopened directory: HOST[:GUEST] (guest defaults to host). */
typedef struct wasmcri_run_dir {
    const char *host, *guest;
} wasmcri_run_dir;

/* The parsed command line; strings point into argv. */
typedef struct wasmcri_run_opts {
    wasmcri_run_dir *dirs;
    size_t ndirs;
    const char **envs; /* K=V */
    size_t nenvs;
    const char *invoke; /* export to call instead of _start, or NULL */
    bool toolbox;       /* --toolbox: run the embedded toolbox.wasm, args[0] names the applet */
    const char *file;
    char **args; /* guest arguments after FILE (args[0] is FILE) */
    int nargs;
} wasmcri_run_opts;

/* argv[0] is "run". Returns the process exit status (134 after a trap). */
int wasmcri_run_main(int argc, char **argv);

#endif
