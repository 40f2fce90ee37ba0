/* toolbox.wasm as the runtime ships it: embedded in the program at build time (no file to
 * install or find), and which commands run it (the names of applets.def).
 *
 * The rule (README "The toolbox"): a command whose cmd[0] is a wasm module in the container's view
 * runs that module; one whose cmd[0] is absent or not wasm, and whose basename names an applet
 * (`sh`, `/bin/sh`, `/usr/bin/env`, `cat`), runs toolbox.wasm with the same argv. */
#ifndef WASMCRI_TOOLBOX_MODULE_H
#define WASMCRI_TOOLBOX_MODULE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* The module's bytes (static, never freed). */
const unsigned char *toolbox_wasm(size_t *ret_len);

/* True when basename(cmd0) is an applet's name. */
bool toolbox_names_applet(const char *cmd0);

/* The zygote's cache key of the module: "toolbox:" and a hash of its bytes, so a zygote that
 * outlives a daemon upgrade never runs an older toolbox for the new one. Static. */
const char *toolbox_module_key(void);

/* A new read-only descriptor (O_CLOEXEC, the caller's) of a sealed memfd holding the module,
 * made on the first call: a regular file as the zygote expects of a module. */
int toolbox_module_fd(int *ret_fd, wc_error *err);

#endif
