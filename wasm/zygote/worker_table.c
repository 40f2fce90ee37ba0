/* The zygote's worker table (worker_table.h): slots in mmap'd chunks, a free list through the
 * free slots, and two open-addressing indexes (by id, by pid) with linear probing, doubled at
 * half full, deletion shifting the rest of a run back (no tombstones). */
#include "worker_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "record.h"

/* Zeroed memory outside the malloc heap that forked workers do not get (none of them reads
 * the table: a fork copies none of its page tables, and the zygote's writes to it make no
 * copy-on-write faults), or NULL. */
static void *map_zeroed(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    madvise(p, bytes, MADV_DONTFORK);
    return p;
}

static zworker *slot_at(const worker_table *t, size_t i)
{
    return &t->chunks[i / WT_CHUNK_SLOTS][i % WT_CHUNK_SLOTS];
}

/* ---- indexes ---- */

static size_t hash_id(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (size_t)h;
}

static size_t hash_pid(pid_t pid)
{
    return (size_t)((uint64_t)(uint32_t)pid * 0x9E3779B97F4A7C15ull >> 16);
}

static size_t home_of(const worker_table *t, const wt_index *x, uint32_t cell)
{
    const zworker *w = slot_at(t, cell - 1);
    return (x == &t->by_id ? hash_id(w->id) : hash_pid(w->pid)) & (x->cap - 1);
}

static bool cell_matches(const worker_table *t, const wt_index *x, uint32_t cell, const char *id,
                         pid_t pid)
{
    const zworker *w = slot_at(t, cell - 1);
    return x == &t->by_id ? strcmp(w->id, id) == 0 : w->pid == pid;
}

/* The cell holding the key (id for by_id, pid for by_pid), or the empty one where it goes. */
static size_t probe(const worker_table *t, const wt_index *x, const char *id, pid_t pid)
{
    size_t mask = x->cap - 1;
    size_t i = (x == &t->by_id ? hash_id(id) : hash_pid(pid)) & mask;
    while (x->cells[i] != 0 && !cell_matches(t, x, x->cells[i], id, pid))
        i = (i + 1) & mask;
    return i;
}

static void index_put(const worker_table *t, wt_index *x, const zworker *w)
{
    x->cells[probe(t, x, w->id, w->pid)] = w->slot + 1;
}

static void index_del(const worker_table *t, wt_index *x, const zworker *w)
{
    size_t mask = x->cap - 1, hole = probe(t, x, w->id, w->pid);
    if (x->cells[hole] == 0)
        return;
    x->cells[hole] = 0;
    /* a cell after the hole moves into it unless its home lies cyclically in (hole, i] */
    for (size_t i = (hole + 1) & mask; x->cells[i] != 0; i = (i + 1) & mask) {
        size_t home = home_of(t, x, x->cells[i]);
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            x->cells[hole] = x->cells[i];
            x->cells[i] = 0;
            hole = i;
        }
    }
}

/* Both indexes at twice the room when one more worker would fill them past half. */
static int grow_indexes(worker_table *t)
{
    if ((t->n + 1) * 2 <= t->by_id.cap)
        return 0;
    size_t cap = t->by_id.cap ? t->by_id.cap * 2 : 1024;
    uint32_t *id_cells = map_zeroed(cap * sizeof(uint32_t));
    uint32_t *pid_cells = map_zeroed(cap * sizeof(uint32_t));
    if (id_cells == NULL || pid_cells == NULL) {
        if (id_cells)
            munmap(id_cells, cap * sizeof(uint32_t));
        if (pid_cells)
            munmap(pid_cells, cap * sizeof(uint32_t));
        return -ENOMEM;
    }
    if (t->by_id.cells) {
        munmap(t->by_id.cells, t->by_id.cap * sizeof(uint32_t));
        munmap(t->by_pid.cells, t->by_pid.cap * sizeof(uint32_t));
    }
    t->by_id = (wt_index){.cells = id_cells, .cap = cap};
    t->by_pid = (wt_index){.cells = pid_cells, .cap = cap};
    for (size_t i = 0; i < t->high; i++) {
        const zworker *w = slot_at(t, i);
        if (w->pid > 0) {
            index_put(t, &t->by_id, w);
            index_put(t, &t->by_pid, w);
        }
    }
    return 0;
}

/* ---- slots ---- */

/* A free slot (a new chunk mapped when none is left), not yet taken off the free list. */
static zworker *free_slot(worker_table *t)
{
    if (t->free_top)
        return slot_at(t, t->free_top - 1);
    if (t->high == t->n_chunks * WT_CHUNK_SLOTS) {
        if (t->n_chunks == WT_MAX_CHUNKS)
            return NULL;
        zworker *chunk = map_zeroed(WT_CHUNK_SLOTS * sizeof(zworker));
        if (chunk == NULL)
            return NULL;
        t->chunks[t->n_chunks++] = chunk;
    }
    zworker *w = slot_at(t, t->high);
    w->slot = (uint32_t)t->high;
    return w;
}

/* Copies the strings (n of them) into w's text, or one malloc'd block when they do not fit;
 * out[i] points at the copy of in[i]. -ENOMEM. */
static int place_strings(zworker *w, const char *const *in, const char **out, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += strlen(in[i]) + 1;
    char *p = w->text;
    if (total > sizeof(w->text) && (p = w->spilled = malloc(total)) == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(in[i]) + 1;
        memcpy(p, in[i], len);
        out[i] = p;
        p += len;
    }
    return 0;
}

int wt_add(worker_table *t, const worker_spec *s, const char *kind, pid_t pid, uint64_t module_id,
           zworker **ret_w, wc_error *err)
{
    zworker *w = grow_indexes(t) < 0 ? NULL : free_slot(t);
    if (w == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory for the zygote's worker table");
    bool exec = strcmp(kind, "exec") == 0, layer = !exec && *s->layer_lower;
    char command[POD_PROC_COMMAND_MAX + 1];
    pod_proc_command(s->argv, command, sizeof(command));
    const char *in[5] = {s->pod ? s->pod : "", s->name && *s->name ? s->name : "-", command,
                         s->layer_dir, s->layer_lower};
    const char *out[5];
    uint32_t slot = w->slot, next_free = w->next_free;
    *w = (zworker){
        .slot = slot,
        .pid = pid,
        .log_fd = -1,
        .module_id = module_id,
        .stdin_fd = -1,
        .proc = {.pid = pid, .exec = exec, .uid = s->user.uid, .started_ns = rec_now_ns()}};
    if (place_strings(w, in, out, layer ? 5 : 3) < 0) {
        w->pid = 0;
        w->next_free = next_free;
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    snprintf(w->id, sizeof(w->id), "%s", s->id);
    snprintf(w->kind, sizeof(w->kind), "%s", kind);
    w->proc.pod = out[0];
    w->proc.name = out[1];
    w->proc.command = out[2];
    w->layer_dir = layer ? out[3] : NULL;
    w->layer_lower = layer ? out[4] : NULL;
    if (t->free_top == slot + 1)
        t->free_top = next_free;
    else
        t->high++;
    t->n++;
    index_put(t, &t->by_id, w);
    index_put(t, &t->by_pid, w);
    *ret_w = w;
    return 0;
}

void wt_remove(worker_table *t, zworker *w)
{
    index_del(t, &t->by_id, w);
    index_del(t, &t->by_pid, w);
    free(w->spilled);
    *w = (zworker){.slot = w->slot, .next_free = t->free_top};
    t->free_top = w->slot + 1;
    t->n--;
}

zworker *wt_find_id(const worker_table *t, const char *id)
{
    if (t->by_id.cap == 0)
        return NULL;
    uint32_t cell = t->by_id.cells[probe(t, &t->by_id, id, 0)];
    return cell ? slot_at(t, cell - 1) : NULL;
}

zworker *wt_find_pid(const worker_table *t, pid_t pid)
{
    if (t->by_pid.cap == 0 || pid <= 0)
        return NULL;
    uint32_t cell = t->by_pid.cells[probe(t, &t->by_pid, NULL, pid)];
    return cell ? slot_at(t, cell - 1) : NULL;
}

zworker *wt_next(const worker_table *t, const zworker *w)
{
    for (size_t i = w ? w->slot + 1 : 0; i < t->high; i++)
        if (slot_at(t, i)->pid > 0)
            return slot_at(t, i);
    return NULL;
}
