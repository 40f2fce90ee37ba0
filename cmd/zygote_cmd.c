/* `wasmcri-daemon zygote STATE_DIR`: a zygote started by a running daemon that lost its
 * first one (wasm/sandbox/zygote_client.c execs this; its listening socket is fd 3).
 * Not for people: the daemon forks its first zygote itself before any thread. */
#include "zygote_cmd.h"

#include <stdio.h>

#include "zygote.h"

int wasmcri_zygote_main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: wasmcri-daemon zygote STATE_DIR (started by the daemon)\n");
        return 2;
    }
    zygote_main(3, argv[1]);
}
