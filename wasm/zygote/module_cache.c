/* The zygote's budgeted module cache (see module_cache.h). The bytes of an entry are
 * what glibc's heap grew by while compiling it (mallinfo2: small and mmap'd chunks), and its
 * compiled code, which lies in shared mappings, or a lazy module's copy of its bodies
 * (wr_module_mapped_bytes). */
#include "module_cache.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void mc_init(module_cache *mc, size_t budget)
{
    *mc = (module_cache){.budget = budget, .next_id = 1};
}

mc_entry *mc_find(module_cache *mc, const char *key)
{
    for (size_t i = 0; i < mc->n; i++)
        if (strcmp(mc->entries[i].key, key) == 0)
            return &mc->entries[i];
    return NULL;
}

static bool file_within(int fd, size_t bytes)
{
    struct stat st;
    return fstat(fd, &st) == 0 && (uint64_t)st.st_size <= bytes;
}

bool mc_compiles_here(const module_cache *mc, int fd)
{
    return file_within(fd, mc->budget / MC_EXPANSION);
}

bool mc_holds_decoded(const module_cache *mc, int fd)
{
    return file_within(fd, mc->budget);
}

static void drop(module_cache *mc, size_t i)
{
    mc_entry *e = &mc->entries[i];
    mc->bytes -= e->bytes;
    wr_module_free(e->module);
    free(e->key);
    *e = mc->entries[--mc->n];
    mc->version++;
}

/* While over budget: the least recently used entry no worker runs, but keep. */
static void evict(module_cache *mc, const mc_entry *keep_id_of)
{
    uint64_t keep = keep_id_of ? keep_id_of->id : 0;
    while (mc->bytes > mc->budget) {
        size_t victim = mc->n;
        for (size_t i = 0; i < mc->n; i++) {
            const mc_entry *e = &mc->entries[i];
            if (e->users == 0 && e->id != keep &&
                (victim == mc->n || e->last_used < mc->entries[victim].last_used))
                victim = i;
        }
        if (victim == mc->n)
            return;
        drop(mc, victim);
    }
}

static size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

size_t mc_heap_mark(void)
{
    return heap_in_use();
}

size_t mc_heap_since(size_t mark)
{
    size_t now = heap_in_use();
    return now > mark ? now - mark : 0;
}

/* keep_new: the new entry stays even over budget (a start needs it now). */
static int insert(module_cache *mc, const char *key, wr_module *m, size_t bytes, bool keep_new,
                  mc_entry **ret_entry, wc_error *err)
{
    if (mc->n == mc->cap) {
        size_t cap = mc->cap ? 2 * mc->cap : 8;
        mc_entry *grown = realloc(mc->entries, cap * sizeof(*grown));
        if (grown == NULL) {
            wr_module_free(m);
            return wc_error_set(err, -ENOMEM, "out of memory");
        }
        mc->entries = grown;
        mc->cap = cap;
    }
    char *k = strdup(key);
    if (k == NULL) {
        wr_module_free(m);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    mc_entry *e = &mc->entries[mc->n++];
    *e = (mc_entry){.key = k,
                    .module = m,
                    .bytes = bytes + wr_module_mapped_bytes(m),
                    .id = mc->next_id++,
                    .last_used = mc->clock++};
    mc->bytes += e->bytes;
    mc->version++;
    uint64_t id = e->id;
    evict(mc, keep_new ? e : NULL);
    mc_entry *kept = NULL;
    for (size_t i = 0; i < mc->n; i++) /* evict moved entries around */
        if (mc->entries[i].id == id)
            kept = &mc->entries[i];
    if (ret_entry)
        *ret_entry = kept;
    return 0;
}

int mc_add_module(module_cache *mc, const char *key, wr_module *m, size_t bytes,
                  mc_entry **ret_entry, wc_error *err)
{
    if (bytes + wr_module_mapped_bytes(m) > mc->budget) { /* it would evict all, then itself */
        wr_module_free(m);
        if (ret_entry)
            *ret_entry = NULL;
        return 0;
    }
    return insert(mc, key, m, bytes, false, ret_entry, err);
}

int mc_add(module_cache *mc, const char *key, int fd, const char *name, mc_entry **ret_entry,
           wc_error *err)
{
    size_t mark = mc_heap_mark();
    wr_module *m = NULL;
    TRY(wr_module_load_fd(fd, name, WR_LOAD_EAGER, false, &m, err));
    return insert(mc, key, m, mc_heap_since(mark), true, ret_entry, err);
}

void mc_use(module_cache *mc, mc_entry *e)
{
    e->users++;
    e->last_used = mc->clock++;
}

void mc_release(module_cache *mc, uint64_t id)
{
    for (size_t i = 0; i < mc->n; i++)
        if (mc->entries[i].id == id && mc->entries[i].users > 0) {
            mc->entries[i].users--;
            break;
        }
    evict(mc, NULL);
}
