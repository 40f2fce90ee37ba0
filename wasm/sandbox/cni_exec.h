/* Runs one CNI plugin binary once, as the CNI spec 1.0 says a runtime does: the
 * plugin found by its type in the bin dirs, the CNI_* environment, the network
 * config on stdin, the result (or error) read from stdout.
 *
 * A plugin is outside input: its name may not be a path, its run is bounded by a
 * time limit (past it the whole process group is killed), its stdout by
 * CNI_EXEC_MAX_OUTPUT bytes, and what it prints must be a JSON object.
 */
#ifndef WASMCRI_SANDBOX_CNI_EXEC_H
#define WASMCRI_SANDBOX_CNI_EXEC_H

#include <jansson.h>
#include <stddef.h>

#include "error.h"

#define CNI_EXEC_MAX_OUTPUT (1 << 20)

typedef struct cni_exec_req {
    const char *type;      /* the plugin's "type": a file name in one of bin_dirs */
    char *const *bin_dirs; /* NULL-terminated; also CNI_PATH */
    const char *command;   /* "ADD" | "DEL" | "CHECK" | "VERSION" */
    const char *container_id, *netns, *ifname, *args; /* CNI_CONTAINERID ... CNI_ARGS */
    const json_t *config;                             /* borrowed; written to stdin */
    int timeout_ms;                                   /* > 0 */
} cni_exec_req;

/* The path (into path, size bytes) of plugin type, a plain file name, in the first of the
 * n_bin_dirs bin_dirs that holds it as an executable: -EINVAL for a type that is a path,
 * -ENAMETOOLONG for a bin dir too long to make the path in, -ENOEXEC when none holds it. */
int cni_find_plugin(const char *type, char *const *bin_dirs, size_t n_bin_dirs, char *path,
                    size_t size, wc_error *err);

/* Runs the plugin. On exit status 0, *ret_result is what it printed (a JSON object
 * the caller owns) or NULL when it printed nothing. Otherwise -EIO with the
 * plugin's own "msg" and "details" (or its stderr) in err, -ETIMEDOUT past the time
 * limit, -ENOEXEC when the plugin is in no bin dir. */
int cni_exec_plugin(const cni_exec_req *req, json_t **ret_result, wc_error *err);

#endif
