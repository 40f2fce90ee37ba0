/* Workers kept ready for a container: a set of them, each prepared with a spec, waiting for
 * the request that takes it. Two sets, one code:
 *
 * Exec workers (issue 12): a container's next exec (a kubelet exec probe, every few seconds)
 * starts in a worker that has done the exec's set-up already. When an exec of a running
 * container ends, the zygote turns its spare into a worker "ready" for that container's next
 * exec: in the container's cgroups (joined by the zygote), its pod's netns, its view opened and
 * the seccomp filter loaded (worker.h's worker_prepare), waiting for the exec's spec. The next
 * exec whose set-up is the same (the spec but for its id, argv, module and terminal:
 * ready_same_setup) and whose module the worker holds takes it over: no fork and no set-up but
 * the ids, the WASI context and the instance on its path. One with another set-up (new limits
 * gave the container a cgroup of its own) does not, and the old one is killed. A ready worker
 * is killed when its container's worker exits, after keep_ms with no exec (the daemon's config
 * exec_ready_ms, sent with each exec), and when READY_MAX others are newer. A container that is
 * never exec'ed has none.
 *
 * Workers made at CreateContainer (issue 14: runc's create): the same set-up, with the start's
 * spec, made when the container is created; its start takes it by the container's id and sends
 * no spec (ready_setup_of gives the zygote the one kept). Killed when the container is stopped
 * before its start, when a start makes its worker anyway, after CREATED_KEEP_MS (zygote.c), and
 * when READY_MAX others are newer.
 *
 * Neither is in the worker table: a guest's ps does not list it, and the zygote reaps it as an
 * unknown child.
 */
#ifndef WASMCRI_ZYGOTE_READY_H
#define WASMCRI_ZYGOTE_READY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* At most this many at once (the oldest goes): each costs ~0.4 MiB of PSS of its own, and a share
 * of its module's compiled code (README, issue 12). */
#define READY_MAX 64

typedef struct ready_worker {
    pid_t pid;
    int sock;           /* the zygote's end of its hand-over socket */
    char *ctr;          /* its container's id */
    json_t *setup;      /* the spec it was prepared with (a reference): ready_same_setup's */
    uint64_t mark;      /* the module cache's next_id when it was forked: it holds those below */
    int64_t expires_ms; /* CLOCK_MONOTONIC */
} ready_worker;

/* An exec running now that wants a ready worker for its container when it ends. */
typedef struct ready_wanted {
    pid_t exec_pid;
    json_t *spec; /* the exec's (a reference) */
    int64_t keep_ms;
} ready_wanted;

typedef struct ready_set {
    ready_worker *items;
    size_t n;
    ready_wanted *wanted;
    size_t n_wanted;
    json_t *spent; /* a taken worker's set-up, freed by ready_expire: off the exec's path, where
                    * free would write to heap pages the zygote shares with its last fork */
} ready_set;

int64_t ready_now_ms(void);

/* Whether two exec specs have the same set-up: the same fields but the exec's own. No copy, no
 * allocation: it is on the exec's path. */
bool ready_same_setup(const json_t *a, const json_t *b);

/* The exec's own fields of spec (those ready_same_setup leaves out), all a ready worker needs of
 * it: the rest is the set-up it was prepared with (a new object; NULL on ENOMEM). */
json_t *ready_exec_fields(const json_t *spec);

/* Takes the ready worker prepared for spec's set-up that holds the module module_id (the cache's
 * entry id): 1 with *ret_pid and *ret_sock (the caller's now), 0 when there is none. A ready
 * worker of the same container that does not fit (another set-up, or forked before that
 * module was compiled) is killed. */
int ready_take(ready_set *rs, const char *ctr, const json_t *spec, uint64_t module_id,
               pid_t *ret_pid, int *ret_sock);

/* The set-up (borrowed) of the worker kept for container ctr, or NULL. */
json_t *ready_setup_of(const ready_set *rs, const char *ctr);

/* Whether a ready worker for spec's set-up exists. */
bool ready_has(const ready_set *rs, const json_t *spec);

/* Records a ready worker (its string and reference are taken); the oldest goes when READY_MAX
 * are there. */
void ready_add(ready_set *rs, ready_worker w);

/* Kills the ready workers of container ctr (its worker has exited). */
void ready_kill_ctr(ready_set *rs, const char *ctr);

/* Forgets pid when it was a ready worker (reaped); true if it was one. */
bool ready_reaped(ready_set *rs, pid_t pid);

/* Kills those whose time is up (and frees what ready_take left); the ms until the next one's,
 * or -1 when none is left. */
int ready_expire(ready_set *rs, int64_t now_ms);

/* Remembers that exec exec_pid wants a ready worker when it ends (spec: a new reference). */
void ready_want(ready_set *rs, pid_t exec_pid, json_t *spec, int64_t keep_ms);

/* What exec_pid wanted (*ret_spec: the caller's reference), or false. */
bool ready_wanted_by(ready_set *rs, pid_t exec_pid, json_t **ret_spec, int64_t *ret_keep_ms);

#endif
