/* The unit tests' one assertion style: CHECK(cond) reports file:line and the
 * expression, counts the failure and goes on; CHECK_DONE() prints the summary
 * line and returns the exit status for main(). */
#ifndef WASMCRI_TESTS_CHECK_H
#define WASMCRI_TESTS_CHECK_H

#include <stdio.h>

static int check_failures, check_total;

#define CHECK(cond)                                                                               \
    do {                                                                                          \
        check_total++;                                                                            \
        if (!(cond)) {                                                                            \
            check_failures++;                                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);             \
        }                                                                                         \
    } while (0)

#define CHECK_DONE()                                                                              \
    (printf("%d passed, %d failed\n", check_total - check_failures, check_failures),             \
     check_failures ? 1 : 0)

#endif
