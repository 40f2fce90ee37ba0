/* Network namespaces for pods that do not use the host network: a fresh namespace
 * with loopback up and nothing else (pod networks via CNI come later), bind-mounted
 * on a file so it outlives every process (the daemon, the zygote, the workers).
 * Workers join it with setns(2) on the file.
 */
#ifndef WASMCRI_SANDBOX_NETNS_H
#define WASMCRI_SANDBOX_NETNS_H

#include "error.h"

/* Creates the namespace at path (the file is created; its directory must exist).
 * Safe in a multi-threaded process: the work runs on a short-lived thread of its own. */
int wc_netns_create(const char *path, wc_error *err);

/* Unmounts and deletes path; a path that does not exist is fine. */
int wc_netns_remove(const char *path, wc_error *err);

#endif
