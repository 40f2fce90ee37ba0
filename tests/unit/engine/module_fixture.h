/* A unit test's module, loaded with an empty linker, and the instance the test makes of them
 * (test_instance_pages.c, test_instance_records.c): set up in one call, freed in one, so that a
 * test writes only what it checks between (wasm_instantiate, or wasm_instance_new with the page
 * faults counted around it). */
#ifndef WASMCRI_TESTS_ENGINE_MODULE_FIXTURE_H
#define WASMCRI_TESTS_ENGINE_MODULE_FIXTURE_H

#include "../../wasm_writer.h"
#include "wasm_engine.h"

typedef struct module_fixture {
    wbuf bytes;          /* the module's binary, owned */
    wasm_module *m;      /* loaded from bytes */
    wasm_linker *l;      /* defines nothing */
    wasm_instance *inst; /* the test's to make; freed by fixture_free */
    wc_error err;        /* the last failure's message */
} module_fixture;

/* Takes bytes (freed by fixture_free even on failure), loads them under lim and makes the
 * linker: 0, or the failing call's negative code with its message in f->err. */
int fixture_load(module_fixture *f, wbuf bytes, const wasm_limits *lim);
/* Frees the instance, linker, module and bytes, whichever were made. */
void fixture_free(module_fixture *f);

#endif
