/* wasmcri-daemon's entry point: the CRI daemon (cmd/daemon_cmd.c). Users start it as
 * `wasmcri [daemon flags]`, which execs this program (cmd/daemon_exec.c). */
#include "daemon_cmd.h"

int main(int argc, char **argv)
{
    return wasmcri_daemon_main(argc, argv);
}
