/* Small filesystem helpers every library needs. */
#ifndef WASMCRI_COMMON_FS_H
#define WASMCRI_COMMON_FS_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* mkdir -p: creates path and its missing parents with mode (existing ones are left
 * as they are). Fills err naming the directory that could not be made. */
int wc_mkdirs(const char *path, mode_t mode, wc_error *err);

/* snprintf for paths: formats into buf (size n) and returns 0, or -ENAMETOOLONG naming
 * the cut path in err when it does not fit (a cut path names another file). */
int wc_path(char *buf, size_t n, wc_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
