/* Filesystem helpers shared by the daemon, the store and the sandbox (see fs.h). */
#include "fs.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

int wc_mkdirs(const char *path, mode_t mode, wc_error *err)
{
    char buf[PATH_MAX];
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return 0; /* the common case (kubelet makes a pod's log directory): one call */
    TRY(wc_path(buf, sizeof(buf), err, "%s", path));
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

int wc_path(char *buf, size_t n, wc_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    if (len >= 0 && (size_t)len < n)
        return 0;
    int rc =
        wc_error_set(err, -ENAMETOOLONG, "path too long (over %zu bytes): %.200s...", n - 1, buf);
    if (n > 0)
        buf[0] = '\0';
    return rc;
}
