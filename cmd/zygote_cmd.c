/* `wasmcri zygote STATE_DIR CACHE_BYTES`: the zygote, started by the daemon
 * (wasm/sandbox/zygote_client.c execs this with its listening socket as fd 3; CACHE_BYTES
 * is the config's module_cache_mib in bytes). Not for people. */
#include "zygote_cmd.h"

#include <stdio.h>
#include <stdlib.h>

#include "zygote.h"

int wasmcri_zygote_main(int argc, char **argv)
{
    char *end = NULL;
    unsigned long long budget = argc == 3 ? strtoull(argv[2], &end, 10) : 0;
    if (argc != 3 || end == argv[2] || *end != '\0') {
        fprintf(stderr, "usage: wasmcri zygote STATE_DIR CACHE_BYTES (started by the daemon)\n");
        return 2;
    }
    zygote_main(3, argv[1], (size_t)budget);
}
