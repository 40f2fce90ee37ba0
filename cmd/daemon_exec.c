/* `wasmcri` is two programs. This one (wasmcri) runs modules, prints the config and
 * is the zygote: it links only the engine, WASI, the zygote and common, so
 * `wasmcri run` starts in well under a millisecond and the zygote's workers map
 * nothing they do not use. The daemon, with gRPC, curl, OpenSSL, LevelDB and the
 * ~100 shared libraries they bring, is wasmcri-daemon, installed beside it;
 * `wasmcri [daemon flags]` replaces itself with it (same pid, so systemd's
 * Type=notify still holds).
 */
#include "daemon_exec.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sibling.h"

int wasmcri_exec_daemon(char **argv)
{
    char path[PATH_MAX];
    int rc = sibling_program("wasmcri-daemon", path, sizeof(path));
    if (rc < 0) {
        fprintf(stderr, "wasmcri: cannot find wasmcri-daemon beside me: %s\n", strerror(-rc));
        return 1;
    }
    execv(path, argv);
    fprintf(stderr, "wasmcri: cannot start the daemon %s: %s\n", path, strerror(errno));
    return 1;
}
