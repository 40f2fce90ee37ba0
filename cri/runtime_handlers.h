/* The runtime handlers wasmcri offers (what a RuntimeClass's `handler` may name) and the
 * features each one and the runtime as a whole implement, as Status reports them.
 *
 * Two handlers, both the same wasm sandbox: the default one ("") and "wasm", the name a
 * RuntimeClass for wasm workloads usually carries. To add one: a line in the table of
 * runtime_handlers.c. A RunPodSandbox naming any other handler fails (INVALID_ARGUMENT).
 */
#ifndef WASMCRI_CRI_RUNTIME_HANDLERS_H
#define WASMCRI_CRI_RUNTIME_HANDLERS_H

#include "api.pb-c.h"
#include "error.h"

/* 0 when name is a known handler ("" is the default one); -EINVAL naming it otherwise. */
int cri_runtime_handler_check(const char *name, wc_error *err);

/* Fills r->runtime_handlers and r->features. -ENOMEM. */
int cri_runtime_handlers_fill(Runtime__V1__StatusResponse *r);

#endif
