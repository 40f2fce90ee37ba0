/* wasmcri and wasmcri-daemon find each other in their own directory: wasmcri execs
 * the daemon, and the daemon starts its zygote as `wasmcri zygote`. */
#include "sibling.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int sibling_program(const char *name, char *buf, size_t size)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n < 0)
        return -errno;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash == NULL)
        return -ENOENT;
    *slash = '\0';
    if ((size_t)snprintf(buf, size, "%s/%s", self, name) >= size)
        return -ENAMETOOLONG;
    return 0;
}
