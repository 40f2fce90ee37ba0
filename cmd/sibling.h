/* The path of another wasmcri program installed beside the running one. */
#ifndef WASMCRI_CMD_SIBLING_H
#define WASMCRI_CMD_SIBLING_H

#include <stddef.h>

/* Writes "<directory of /proc/self/exe>/name" into buf. -errno on failure. */
int sibling_program(const char *name, char *buf, size_t size);

#endif
