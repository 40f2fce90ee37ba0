/* validate_split.c: validation without compile (a lazy load, the zygote's check at create) of a
 * run of function bodies on two cores. The bodies are independent, so the run is cut in two
 * halves of about equal bytes: a second thread validates the second half while the caller
 * validates the first, and the thread is joined before this returns (a process that forks, like
 * the zygote, never forks with it alive). The outcome is the one a loop over the bodies in order
 * would have: an error in the first half wins; the second half runs on a private copy of the
 * work budget (validate.c charge()), and when it failed, or the two halves together spent more
 * than the budget had, it is validated again after the first, on the module's budget, so the
 * error (message and body) is the sequential one. A run too small to pay for a thread, or a
 * thread that cannot be created (a seccomp filter), is validated on the caller's thread alone.
 */
#include <pthread.h>

#include "engine.h"

/* Bytes of bodies below which a second thread costs more than it saves (a thread's start and
 * join take tens of microseconds; validation runs at ~400 MB/s). */
#define SPLIT_MIN_BYTES (256u << 10)

typedef struct half {
    wasm_module *m;
    uint32_t from, to;
    int64_t work_left;
    wc_error err;
    int rc;
} half;

static int validate_run(wasm_module *m, uint32_t from, uint32_t to, int64_t *work_left,
                        wc_error *err)
{
    for (uint32_t i = from; i < to; i++) {
        const wcode *fn = &m->codes[i];
        const uint8_t *p = m->code_bytes + fn->body_off;
        TRY(wasm_validate_func(m, i, p, p + fn->body_len, WASM_BODY_VALIDATE, work_left, err));
    }
    return 0;
}

static void *second_half(void *arg)
{
    half *h = arg;
    h->rc = validate_run(h->m, h->from, h->to, &h->work_left, &h->err);
    return NULL;
}

/* The first body of the second half: where the bytes before it reach half of the run's. */
static uint32_t middle(const wasm_module *m, uint32_t from, uint32_t to, size_t *ret_bytes)
{
    size_t total = 0, before = 0;
    for (uint32_t i = from; i < to; i++)
        total += m->codes[i].body_len;
    uint32_t mid = from;
    while (mid < to && before + m->codes[mid].body_len / 2 < total / 2)
        before += m->codes[mid++].body_len;
    *ret_bytes = total;
    return mid;
}

int wasm_validate_bodies(wasm_module *m, uint32_t from, uint32_t to, wc_error *err)
{
    size_t bytes;
    uint32_t mid = middle(m, from, to, &bytes);
    pthread_t thread;
    const int64_t budget = m->work_left;
    half h = {.m = m, .from = mid, .to = to, .work_left = budget};
    if (bytes < SPLIT_MIN_BYTES || mid == from || mid == to ||
        pthread_create(&thread, NULL, second_half, &h) != 0)
        return validate_run(m, from, to, NULL, err);
    int rc = validate_run(m, from, mid, NULL, err);
    pthread_join(thread, NULL);
    if (rc < 0)
        return rc;
    int64_t second_spent = budget - h.work_left;
    if (h.rc == 0 && m->work_left - second_spent >= 0) {
        m->work_left -= second_spent;
        return 0;
    }
    return validate_run(m, mid, to, NULL, err); /* in order, on the module's budget */
}
