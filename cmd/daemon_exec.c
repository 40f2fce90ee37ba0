/* `wasmcri` is two programs. This one (wasmcri) runs modules and prints the config:
 * it links only the engine, WASI and common, so `wasmcri run` starts in well under
 * a millisecond. The daemon, with gRPC, curl, OpenSSL, LevelDB and the ~100 shared
 * libraries they bring, is wasmcri-daemon, installed beside it; `wasmcri [daemon
 * flags]` replaces itself with it (same pid, so systemd's Type=notify still holds).
 */
#include "daemon_exec.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DAEMON_PROGRAM "wasmcri-daemon"

int wasmcri_exec_daemon(char **argv)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n < 0) {
        fprintf(stderr, "wasmcri: cannot find my own path: %s\n", strerror(errno));
        return 1;
    }
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    char path[PATH_MAX + sizeof(DAEMON_PROGRAM)];
    snprintf(path, sizeof(path), "%.*s/%s", slash ? (int)(slash - self) : 1, slash ? self : ".",
             DAEMON_PROGRAM);
    execv(path, argv);
    fprintf(stderr, "wasmcri: cannot start the daemon %s: %s\n", path, strerror(errno));
    return 1;
}
