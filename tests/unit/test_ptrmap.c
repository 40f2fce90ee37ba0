/* common/ptrmap.h against a plain array: 20,000 random puts, replacements and deletes of
 * keys that collide often (a small table's runs wrap around its end), then every key's
 * value agrees, and the map frees cleanly; once copying the keys, once borrowing them. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "ptrmap.h"

#define KEYS 3000

/* The same run on a map that borrows its keys from keys[] (freeing one would abort under
 * ASan, or corrupt the heap). */
static char keys[KEYS][32];

static int run(bool borrow)
{
    wc_ptrmap m = {.borrows_keys = borrow};
    void *want[KEYS] = {0};
    char buf[32];
    srand(18);
    for (int step = 0; step < 20000; step++) {
        int k = rand() % KEYS;
        char *key = borrow ? keys[k] : buf;
        snprintf(key, sizeof(buf), "ctr/%d", k);
        if (rand() % 3 == 0) {
            wc_ptrmap_del(&m, key);
            want[k] = NULL;
        } else {
            void *v = (void *)(intptr_t)(step + 1);
            CHECK(wc_ptrmap_put(&m, key, v) == 0);
            want[k] = v;
        }
    }
    size_t present = 0;
    for (int k = 0; k < KEYS; k++) {
        snprintf(buf, sizeof(buf), "ctr/%d", k);
        CHECK(wc_ptrmap_get(&m, buf) == want[k]);
        present += want[k] != NULL;
    }
    CHECK_EQ_INT(m.len, present);
    CHECK(wc_ptrmap_get(&m, "absent") == NULL);
    wc_ptrmap_del(&m, "absent");
    CHECK_EQ_INT(m.len, present);
    wc_ptrmap_clear(&m);
    CHECK(wc_ptrmap_get(&m, "ctr/1") == NULL && m.len == 0 && m.borrows_keys == borrow);
    return 0;
}

int main(void)
{
    run(false);
    run(true);
    return CHECK_DONE();
}
