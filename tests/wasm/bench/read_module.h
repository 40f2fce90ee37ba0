/* read_module.h: the whole of a module file in memory, for the native bench tools (compile_speed,
 * instance_cost); NULL when it cannot be read. */
#ifndef WASMCRI_BENCH_READ_MODULE_H
#define WASMCRI_BENCH_READ_MODULE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static inline uint8_t *read_module(const char *path, size_t *ret_len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    uint8_t *buf = NULL;
    long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (n > 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) != NULL &&
        fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *ret_len = buf ? (size_t)n : 0;
    return buf;
}

#endif
