/* Tiny assertion helpers for the wasi unit tests: a failed CHECK prints where and why, counts,
 * and the test's main returns check_status(). */
#ifndef WASMCRI_TESTS_WASI_CHECK_H
#define WASMCRI_TESTS_WASI_CHECK_H

#include <stdio.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        check_count++;                                                               \
        if (!(cond)) {                                                               \
            check_failures++;                                                        \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                  \
    do {                                                                                    \
        long long va_ = (long long)(a), vb_ = (long long)(b);                               \
        check_count++;                                                                      \
        if (va_ != vb_) {                                                                   \
            check_failures++;                                                               \
            fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld != %lld)\n", __FILE__,     \
                    __LINE__, #a, #b, va_, vb_);                                            \
        }                                                                                   \
    } while (0)

static inline int check_status(const char *name)
{
    fprintf(stderr, "%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures == 0 ? 0 : 1;
}

#endif
