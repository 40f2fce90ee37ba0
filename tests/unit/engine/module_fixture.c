/* The unit tests' module set-up and tear-down (see module_fixture.h). */
#include "module_fixture.h"

#include <stdlib.h>

int fixture_load(module_fixture *f, wbuf bytes, const wasm_limits *lim)
{
    *f = (module_fixture){.bytes = bytes};
    int rc = wasm_module_load(bytes.p, bytes.n, lim, &f->m, &f->err);
    return rc < 0 ? rc : wasm_linker_new(&f->l, &f->err);
}

void fixture_free(module_fixture *f)
{
    wasm_instance_free(f->inst);
    wasm_linker_free(f->l);
    wasm_module_free(f->m);
    free(f->bytes.p);
}
