/* wasmcri-daemon's entry point: the CRI daemon (cmd/daemon_cmd.c). Users start it as
 * `wasmcri [daemon flags]`, which execs this program (cmd/daemon_exec.c).
 * `wasmcri-daemon zygote STATE_DIR` is a replacement zygote the running daemon
 * starts when it lost its first one (cmd/zygote_cmd.c). */
#include <string.h>

#include "daemon_cmd.h"
#include "zygote_cmd.h"

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "zygote") == 0)
        return wasmcri_zygote_main(argc - 1, argv + 1);
    return wasmcri_daemon_main(argc, argv);
}
