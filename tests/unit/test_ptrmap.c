/* common/ptrmap.h against a plain array: 20,000 random puts, replacements and deletes of
 * keys that collide often (a small table's runs wrap around its end), then every key's
 * value agrees, and the map frees cleanly. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "ptrmap.h"

#define KEYS 3000

int main(void)
{
    wc_ptrmap m = {0};
    void *want[KEYS] = {0};
    char key[32];
    srand(18);
    for (int step = 0; step < 20000; step++) {
        int k = rand() % KEYS;
        snprintf(key, sizeof(key), "ctr/%d", k);
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
        snprintf(key, sizeof(key), "ctr/%d", k);
        CHECK(wc_ptrmap_get(&m, key) == want[k]);
        present += want[k] != NULL;
    }
    CHECK_EQ_INT(m.len, present);
    CHECK(wc_ptrmap_get(&m, "absent") == NULL);
    wc_ptrmap_del(&m, "absent");
    CHECK_EQ_INT(m.len, present);
    wc_ptrmap_clear(&m);
    CHECK(wc_ptrmap_get(&m, "ctr/1") == NULL && m.len == 0);
    return CHECK_DONE();
}
