/* The unit tests' assertions (tests/unit/check.h) plus CHECK_STR, which shows both strings
 * when they differ. */
#ifndef WASMCRI_TESTS_IMAGE_CHECK_H
#define WASMCRI_TESTS_IMAGE_CHECK_H

#include <string.h>

#include "../unit/check.h"

#define CHECK_STR(got, want)                                                                       \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        CHECK(g_ != NULL && strcmp(g_, w_) == 0);                                                  \
        if (g_ == NULL || strcmp(g_, w_) != 0)                                                     \
            fprintf(stderr, "  got \"%s\", want \"%s\"\n", g_ ? g_ : "(null)", w_);               \
    } while (0)

#endif
