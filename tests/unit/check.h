/* The unit tests' one assertion style: CHECK(cond) reports file:line and the
 * expression, counts the failure and goes on; CHECK_EQ_INT and CHECK_STR also show
 * both values; CHECK_DONE() prints the summary line and returns the exit status
 * for main(). */
#ifndef WASMCRI_TESTS_CHECK_H
#define WASMCRI_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures, check_total;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        check_total++;                                                                             \
        if (!(cond)) {                                                                             \
            check_failures++;                                                                      \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                         \
    do {                                                                                           \
        long long va_ = (long long)(a), vb_ = (long long)(b);                                      \
        CHECK(va_ == vb_);                                                                         \
        if (va_ != vb_)                                                                            \
            fprintf(stderr, "  %s == %s: %lld != %lld\n", #a, #b, va_, vb_);                       \
    } while (0)

#define CHECK_STR(got, want)                                                                       \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        CHECK(g_ != NULL && strcmp(g_, w_) == 0);                                                  \
        if (g_ == NULL || strcmp(g_, w_) != 0)                                                     \
            fprintf(stderr, "  got \"%s\", want \"%s\"\n", g_ ? g_ : "(null)", w_);                \
    } while (0)

#define CHECK_DONE()                                                                               \
    (printf("%d passed, %d failed\n", check_total - check_failures, check_failures),               \
     check_failures ? 1 : 0)

#endif
