/* Small filesystem helpers every library needs. */
#ifndef WASMCRI_COMMON_FS_H
#define WASMCRI_COMMON_FS_H

#include <sys/types.h>

#include "error.h"

/* mkdir -p: creates path and its missing parents with mode (existing ones are left
 * as they are). Fills err naming the directory that could not be made. */
int wc_mkdirs(const char *path, mode_t mode, wc_error *err);

#endif
