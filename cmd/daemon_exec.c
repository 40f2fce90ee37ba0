/* `wasmcri` is two programs. This one (wasmcri) runs modules, prints the config and
 * is the zygote: it links only the engine, WASI, the zygote and common, so
 * `wasmcri run` starts in well under a millisecond and the zygote's workers map
 * nothing they do not use. The daemon, with gRPC, curl, OpenSSL, LevelDB and the
 * ~100 shared libraries they bring, is wasmcri-daemon, installed beside it;
 * `wasmcri [daemon flags]` replaces itself with it (same pid, so systemd's
 * Type=notify still holds), with LD_BIND_NOW=1: the dynamic loader then resolves every
 * library's symbols while the daemon starts, and the daemon unmaps what that touched
 * (cmd/startup_pages.c); left lazy, the first calls of each serving path would look
 * symbols up then, through the hash tables of ~80 libraries, and keep those pages
 * mapped (2.7 MB of an idle daemon's RSS after 10,000 rpcs: hack/bench/footprint.py).
 */
#include "daemon_exec.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
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
    setenv("LD_BIND_NOW", "1", 1);
    execv(path, argv);
    fprintf(stderr, "wasmcri: cannot start the daemon %s: %s\n", path, strerror(errno));
    return 1;
}
