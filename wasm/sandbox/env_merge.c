/* wc_env_merge: a hash of variable names → positions in the result (open addressing, FNV-1a,
 * sized once for both lists), so that a container config with many variables over an image
 * with many variables costs one lookup each, not a scan of the list (issue 11, DoS 4). */
#include "env_merge.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "strv.h"

typedef struct env_index {
    char **out;    /* the result being built */
    size_t *slots; /* position in out + 1; 0 = empty */
    size_t mask;   /* slots - 1, a power of two minus one */
} env_index;

static size_t name_len(const char *kv)
{
    const char *eq = strchr(kv, '=');
    return eq ? (size_t)(eq - kv) : strlen(kv);
}

/* The slot holding kv's name, or the empty slot where it would go. */
static size_t *slot_of(const env_index *ix, const char *kv)
{
    size_t n = name_len(kv);
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)kv[i]) * 1099511628211ull;
    for (size_t i = (size_t)h & ix->mask;; i = (i + 1) & ix->mask) {
        size_t *slot = &ix->slots[i];
        if (*slot == 0)
            return slot;
        const char *have = ix->out[*slot - 1];
        if (name_len(have) == n && memcmp(have, kv, n) == 0)
            return slot;
    }
}

char **wc_env_merge(char *const *base, char *const *overrides)
{
    size_t nb = wc_strv_len(base), no = wc_strv_len(overrides), cap = 16, n = 0;
    while (cap < 2 * (nb + no))
        cap *= 2;
    env_index ix = {.out = calloc(nb + no + 1, sizeof(char *)),
                    .slots = calloc(cap, sizeof(size_t)),
                    .mask = cap - 1};
    for (size_t i = 0; ix.out && ix.slots && i < nb + no; i++) {
        const char *kv = i < nb ? base[i] : overrides[i - nb];
        size_t *slot = slot_of(&ix, kv);
        char *copy = strdup(kv);
        if (copy == NULL) {
            wc_strv_free(take_ptr(ix.out));
        } else if (*slot != 0 && i >= nb) { /* an override of a name already there */
            free(ix.out[*slot - 1]);
            ix.out[*slot - 1] = copy;
        } else {
            if (*slot == 0)
                *slot = n + 1;
            ix.out[n++] = copy;
        }
    }
    if (ix.slots == NULL)
        wc_strv_free(take_ptr(ix.out));
    free(ix.slots);
    return ix.out;
}
