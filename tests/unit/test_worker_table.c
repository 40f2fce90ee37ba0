/* wasm/zygote/worker_table.h against a plain array: 20,000 random adds and removes of
 * workers (ids and pids chosen to collide in the indexes, the indexes grown past their
 * first size and the slots past one chunk), then every worker is found by id and by pid
 * and nothing else is; strings longer than a record's inline room; a forked child does not
 * get the table's memory. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "worker_table.h"

#define WORKERS 3000

static zworker *add(worker_table *t, int k, const char *lower)
{
    char id[32], pod[32], *argv[] = {"/bin/probe.wasm", "sleep", "1000000", NULL};
    snprintf(id, sizeof(id), "ctr-%d", k);
    snprintf(pod, sizeof(pod), "pod-%d", k % 7);
    worker_spec s = {.id = id,
                     .argv = argv,
                     .pod = pod,
                     .name = "c",
                     .layer_dir = "/var/lib/wasmcri/containers/x",
                     .layer_lower = (char *)lower};
    zworker *w = NULL;
    wc_error err = {0};
    CHECK(wt_add(t, &s, "ctr", (pid_t)(k * 4096 + 1), (uint64_t)(100 + k), &w, &err) == 0);
    return w;
}

int main(void)
{
    static worker_table t; /* zero: empty */
    bool running[WORKERS] = {false};
    srand(18);
    for (int step = 0; step < 20000; step++) {
        int k = rand() % WORKERS;
        char id[32];
        snprintf(id, sizeof(id), "ctr-%d", k);
        zworker *w = wt_find_id(&t, id);
        CHECK((w != NULL) == running[k]);
        if (w) {
            wt_remove(&t, w);
            running[k] = false;
        } else if (rand() % 4) {
            add(&t, k, "/var/lib/wasmcri/snapshots/y");
            running[k] = true;
        }
    }
    size_t n = 0;
    for (int k = 0; k < WORKERS; k++) {
        char id[32];
        snprintf(id, sizeof(id), "ctr-%d", k);
        zworker *by_id = wt_find_id(&t, id), *by_pid = wt_find_pid(&t, (pid_t)(k * 4096 + 1));
        CHECK((by_id != NULL) == running[k]);
        CHECK(by_id == by_pid);
        if (by_id) {
            CHECK_STR(by_id->id, id);
            CHECK_EQ_INT((int)by_id->module_id, 100 + k);
            CHECK_STR(by_id->proc.command, "/bin/probe.wasm sleep 1000000");
            CHECK_STR(by_id->layer_lower, "/var/lib/wasmcri/snapshots/y");
            n++;
        }
    }
    CHECK_EQ_INT(t.n, n);
    size_t seen = 0;
    for (zworker *w = NULL; (w = wt_next(&t, w));)
        seen++;
    CHECK_EQ_INT(seen, n);

    /* over the inline room: the strings are kept whole */
    char lower[2 * WT_TEXT];
    memset(lower, 'l', sizeof(lower) - 1);
    lower[sizeof(lower) - 1] = '\0';
    zworker *w = add(&t, WORKERS, lower);
    CHECK(w && w->spilled != NULL);
    CHECK(w && strcmp(w->layer_lower, lower) == 0);
    CHECK(w && wt_find_pid(&t, (pid_t)(WORKERS * 4096 + 1)) == w);

    /* a forked worker has no copy of the table (MADV_DONTFORK): reading it faults */
    pid_t child = fork();
    if (child == 0) {
        setrlimit(RLIMIT_CORE, &(struct rlimit){0, 0}); /* no core file */
        signal(SIGSEGV, SIG_DFL);                       /* ASan's handler would exit 1 */
        volatile char c = t.chunks[0]->id[0];
        (void)c;
        _exit(0);
    }
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
    if (w)
        wt_remove(&t, w); /* frees the spilled strings */
    CHECK(wt_find_pid(&t, (pid_t)(WORKERS * 4096 + 1)) == NULL);
    return CHECK_DONE();
}
