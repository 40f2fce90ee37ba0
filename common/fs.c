/* Filesystem helpers shared by the daemon, the store and the sandbox (see fs.h). */
#include "fs.h"

#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

int wc_mkdirs(const char *path, mode_t mode, wc_error *err)
{
    char buf[PATH_MAX];
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return 0; /* the common case (kubelet makes a pod's log directory): one call */
    if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
        return wc_error_set(err, -ENAMETOOLONG, "path too long: %s", path);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(buf, mode) < 0 && errno != EEXIST)
            return wc_error_set_errno(err, -errno, "cannot create directory %s", buf);
        *p = saved;
        if (saved == '\0')
            return 0;
    }
}
