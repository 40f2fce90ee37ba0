/* common/ptrmap.h against a plain array: 20,000 random puts, replacements and deletes of
 * keys that collide often (a small table's runs wrap around its end), then every key's
 * value agrees, and the map frees cleanly; once copying the keys, once borrowing them. A
 * borrowed key handed over to an equal string (rekey) may then be overwritten. */
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

static void rekey(void)
{
    wc_ptrmap m = {.borrows_keys = true};
    char first[] = "pod-a", second[] = "pod-a", other[] = "pod-b";
    int v = 1;
    CHECK(wc_ptrmap_put(&m, first, &v) == 0 && wc_ptrmap_put(&m, other, &v) == 0);
    wc_ptrmap_rekey(&m, second);
    wc_ptrmap_rekey(&m, "absent"); /* nothing */
    first[0] = 'x';                /* its owner went */
    CHECK(wc_ptrmap_get(&m, "pod-a") == &v && wc_ptrmap_get(&m, "pod-b") == &v);
    CHECK(wc_ptrmap_get(&m, "absent") == NULL && m.len == 2);
    wc_ptrmap_del(&m, "pod-a");
    CHECK(wc_ptrmap_get(&m, "pod-a") == NULL && m.len == 1);
    wc_ptrmap_clear(&m);
}

int main(void)
{
    run(false);
    run(true);
    rekey();
    return CHECK_DONE();
}
