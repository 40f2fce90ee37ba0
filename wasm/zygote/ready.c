/* The zygote's workers kept ready (see ready.h): a small array, searched in full (at most
 * READY_MAX), and the execs that want one when they end. */
#include "ready.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* An exec's own fields: the rest of its spec is its container's set-up. */
static const char *const per_exec[] = {"id", "argv", "module_name", "module_key", "terminal"};

int64_t ready_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool per_exec_field(const char *key)
{
    for (size_t i = 0; i < sizeof(per_exec) / sizeof(per_exec[0]); i++)
        if (strcmp(key, per_exec[i]) == 0)
            return true;
    return false;
}

/* How many of o's fields are of the set-up. */
static size_t setup_fields(const json_t *o)
{
    size_t n = 0;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)o, key, v) n += !per_exec_field(key);
    return n;
}

bool ready_same_setup(const json_t *a, const json_t *b)
{
    if (!json_is_object(a) || !json_is_object(b))
        return false;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)a, key,
                        v) if (!per_exec_field(key) &&
                               !json_equal(v, json_object_get(b, key))) return false;
    return setup_fields(a) == setup_fields(b);
}

json_t *ready_exec_fields(const json_t *spec)
{
    json_t *own = json_object();
    for (size_t i = 0; own && i < sizeof(per_exec) / sizeof(per_exec[0]); i++) {
        json_t *v = json_object_get(spec, per_exec[i]);
        if (v && json_object_set(own, per_exec[i], v) < 0) {
            json_decref(own);
            return NULL;
        }
    }
    return own;
}

/* Forgets items[i], killing it first when it runs (the zygote then reaps it as an unknown
 * child); a reaped one's pid may be another process's already. */
static void forget(ready_set *rs, size_t i, bool running)
{
    ready_worker *w = &rs->items[i];
    if (running)
        kill(w->pid, SIGKILL);
    close(w->sock);
    free(w->ctr);
    json_decref(w->setup);
    rs->items[i] = rs->items[--rs->n];
}

int ready_take(ready_set *rs, const char *ctr, const json_t *spec, uint64_t module_id,
               pid_t *ret_pid, int *ret_sock)
{
    for (size_t i = 0; i < rs->n; i++) {
        ready_worker *w = &rs->items[i];
        if (strcmp(w->ctr, ctr) != 0)
            continue;
        if (!ready_same_setup(w->setup, spec) || module_id >= w->mark) {
            forget(rs, i--, true);
            continue;
        }
        *ret_pid = w->pid;
        *ret_sock = w->sock;
        free(w->ctr);
        json_decref(rs->spent);
        rs->spent = w->setup;
        rs->items[i] = rs->items[--rs->n];
        return 1;
    }
    return 0;
}

json_t *ready_setup_of(const ready_set *rs, const char *ctr)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->items[i].ctr, ctr) == 0)
            return rs->items[i].setup;
    return NULL;
}

bool ready_has(const ready_set *rs, const json_t *spec)
{
    for (size_t i = 0; i < rs->n; i++)
        if (ready_same_setup(rs->items[i].setup, spec))
            return true;
    return false;
}

void ready_add(ready_set *rs, ready_worker w)
{
    if (rs->n == READY_MAX) {
        size_t oldest = 0;
        for (size_t i = 1; i < rs->n; i++)
            if (rs->items[i].expires_ms < rs->items[oldest].expires_ms)
                oldest = i;
        forget(rs, oldest, true);
    }
    if (rs->items == NULL)
        rs->items = calloc(READY_MAX, sizeof(*rs->items));
    if (rs->items == NULL) {
        kill(w.pid, SIGKILL);
        close(w.sock);
        free(w.ctr);
        json_decref(w.setup);
        return;
    }
    rs->items[rs->n++] = w;
}

void ready_kill_ctr(ready_set *rs, const char *ctr)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->items[i].ctr, ctr) == 0)
            forget(rs, i--, true);
}

bool ready_reaped(ready_set *rs, pid_t pid)
{
    for (size_t i = 0; i < rs->n; i++)
        if (rs->items[i].pid == pid) {
            forget(rs, i, false);
            return true;
        }
    return false;
}

int ready_expire(ready_set *rs, int64_t now_ms)
{
    json_decref(rs->spent);
    rs->spent = NULL;
    int64_t next = -1;
    for (size_t i = 0; i < rs->n; i++) {
        int64_t left = rs->items[i].expires_ms - now_ms;
        if (left <= 0)
            forget(rs, i--, true);
        else if (next < 0 || left < next)
            next = left;
    }
    return next < 0 ? -1 : next > INT32_MAX ? INT32_MAX : (int)next;
}

void ready_want(ready_set *rs, pid_t exec_pid, json_t *spec, int64_t keep_ms)
{
    ready_wanted *grown = realloc(rs->wanted, (rs->n_wanted + 1) * sizeof(*grown));
    if (grown == NULL)
        return; /* no ready worker then */
    rs->wanted = grown;
    rs->wanted[rs->n_wanted++] =
        (ready_wanted){.exec_pid = exec_pid, .spec = json_incref(spec), .keep_ms = keep_ms};
}

bool ready_wanted_by(ready_set *rs, pid_t exec_pid, json_t **ret_spec, int64_t *ret_keep_ms)
{
    for (size_t i = 0; i < rs->n_wanted; i++)
        if (rs->wanted[i].exec_pid == exec_pid) {
            *ret_spec = rs->wanted[i].spec;
            *ret_keep_ms = rs->wanted[i].keep_ms;
            rs->wanted[i] = rs->wanted[--rs->n_wanted];
            return true;
        }
    return false;
}
