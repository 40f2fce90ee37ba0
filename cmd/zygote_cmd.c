/* `wasmcri zygote STATE_DIR`: the zygote, started by the daemon (wasm/sandbox/
 * zygote_client.c execs this with its listening socket as fd 3). Not for people. */
#include "zygote_cmd.h"

#include <stdio.h>

#include "zygote.h"

int wasmcri_zygote_main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: wasmcri zygote STATE_DIR (started by the daemon)\n");
        return 2;
    }
    zygote_main(3, argv[1]);
}
