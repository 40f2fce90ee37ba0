/* wasmcri's entry point: picks the subcommand and hands over. No logic lives here.
 *   wasmcri [daemon flags]        the CRI daemon: execs wasmcri-daemon (cmd/daemon_exec.c)
 *   wasmcri config default        print the default config file (cmd/config_cmd.c)
 *   wasmcri run FILE.wasm ...     run one module from a shell (cmd/run.c)
 *   wasmcri zygote STATE_DIR      the daemon's zygote, started by the daemon (cmd/zygote_cmd.c)
 */
#include <string.h>

#include "config_cmd.h"
#include "daemon_exec.h"
#include "run.h"
#include "zygote_cmd.h"

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "run") == 0)
        return wasmcri_run_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "config") == 0)
        return wasmcri_config_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "zygote") == 0)
        return wasmcri_zygote_main(argc - 1, argv + 1);
    return wasmcri_exec_daemon(argv);
}
