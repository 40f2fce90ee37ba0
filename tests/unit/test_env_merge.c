/* Unit tests for wasm/sandbox/env_merge.c: an override replaces the image's variable of the
 * same name in place, new names are appended in order, the last override of a name wins, and
 * 200,000 image variables under 100,000 overrides merge in linear time (before: each
 * override scanned the whole list, 10^10 comparisons on the completion-queue thread). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "check.h"
#include "cleanup.h"
#include "env_merge.h"

static void test_semantics(void)
{
    char *base[] = {"PATH=/bin", "A=1", "B=2", "A=dup", "FLAG", NULL};
    char *over[] = {"B=two", "NEW=n", "PATH=/usr/bin", "NEW=n2", "FLAG=on", "A", NULL};
    char *want[] = {"PATH=/usr/bin", "A", "B=two", "A=dup", "FLAG=on", "NEW=n2", NULL};
    char **got = wc_env_merge(base, over);
    CHECK(got != NULL);
    for (size_t i = 0; got && want[i]; i++)
        CHECK_STR(got[i], want[i]);
    CHECK(got && got[6] == NULL);
    wc_strv_free(got);
    char **empty = wc_env_merge(NULL, NULL);
    CHECK(empty != NULL && empty[0] == NULL);
    wc_strv_free(empty);
}

static void test_many_over_many_is_linear(void)
{
    enum { N_BASE = 200000, N_OVER = 100000 };
    char **base = calloc(N_BASE + 1, sizeof(char *)), **over = calloc(N_OVER + 1, sizeof(char *));
    for (int i = 0; i < N_BASE; i++)
        asprintf(&base[i], "IMAGE_VAR_%06d=image", i);
    for (int i = 0; i < N_OVER; i++) /* every other one overrides, the rest are new */
        asprintf(&over[i], "%s_VAR_%06d=config", i % 2 ? "CONFIG" : "IMAGE", i * 2);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char **got = wc_env_merge(base, over);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    /* A generous bound (the quadratic merge took minutes): a regression, not a benchmark. */
    CHECK(s < 5.0);
    CHECK(got != NULL);
    if (got) {
        CHECK_STR(got[0], "IMAGE_VAR_000000=config");
        CHECK_STR(got[1], "IMAGE_VAR_000001=image");
        CHECK_STR(got[N_BASE], "CONFIG_VAR_000002=config");
        CHECK(got[N_BASE + N_OVER / 2] == NULL);
    }
    wc_strv_free(got);
    wc_strv_free(base);
    wc_strv_free(over);
}

int main(void)
{
    test_semantics();
    test_many_over_many_is_linear();
    return CHECK_DONE();
}
