/* libFuzzer target: decode + validate + compile arbitrary bytes, and link the module against an
 * empty import table when it loads. Must never crash, leak, hang or abort.
 * Build: cmake -DWASMCRI_FUZZ=ON with CC=clang; run: fuzz_load -max_total_time=600 CORPUS_DIR */
#include <stddef.h>
#include <stdint.h>

#include "wasm_engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wasm_limits lim;
    wasm_limits_default(&lim);
    lim.max_memory_pages = 16; /* keep instantiation cheap */
    lim.max_table_elems = 100000;
    wasm_module *m;
    wc_error err;
    if (wasm_module_load(data, size, &lim, &m, &err) < 0)
        return 0;
    wasm_instance *inst;
    if (wasm_instance_new(m, NULL, NULL, &inst, &err) == 0)
        wasm_instance_free(inst);
    wasm_module_free(m);
    return 0;
}
