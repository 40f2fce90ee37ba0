/* libFuzzer target: decode + validate + compile arbitrary bytes, and link the module against an
 * empty import table when it loads. Must never crash, leak, hang or abort. The same bytes are
 * then loaded validated only (limits.lazy_compile: validate_fast.c's path, which the compile
 * never takes), and both verdicts must be the same, down to the error's message.
 * Build: cmake -DWASMCRI_FUZZ=ON with CC=clang; run: fuzz_load -max_total_time=600 CORPUS_DIR */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wasm_limits lim;
    wasm_limits_default(&lim);
    lim.max_memory_pages = 16; /* keep instantiation cheap */
    lim.max_table_elems = 100000;
    wasm_module *m, *lazy;
    wc_error err, lazy_err;
    int rc = wasm_module_load(data, size, &lim, &m, &err);
    lim.lazy_compile = 1;
    int lazy_rc = wasm_module_load(data, size, &lim, &lazy, &lazy_err);
    if ((rc < 0) != (lazy_rc < 0) || (rc < 0 && strcmp(err.msg, lazy_err.msg) != 0))
        abort(); /* the two paths disagree about these bytes */
    if (lazy_rc == 0)
        wasm_module_free(lazy);
    if (rc < 0)
        return 0;
    wasm_instance *inst;
    if (wasm_instance_new(m, NULL, NULL, &inst, &err) == 0)
        wasm_instance_free(inst);
    wasm_module_free(m);
    return 0;
}
