/* Finds the node's CNI network configuration and checks that its plugins exist.
 *
 * Used by Status (NetworkReady) and by pod networking (cni_net.c). Like kubelet and
 * containerd, the first file in lexical order in conf_dir ending in .conflist,
 * .conf or .json is the network; a .conflist names its plugins in "plugins", a
 * single .conf names one "type". Every plugin type must be an executable file in
 * one of bin_dirs.
 */
#ifndef WASMCRI_SANDBOX_CNI_CONFIG_H
#define WASMCRI_SANDBOX_CNI_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct cni_check {
    bool ready;
    char reason[64];     /* "NetworkPluginNotReady" when not ready, "" when ready */
    char message[1024];  /* what is missing, or which network is used */
    char conf_file[512]; /* the config file chosen, "" if none */
    char network[256];   /* its "name" */
} cni_check;

/* Never fails: problems become ready=false with a message saying what to fix. */
void cni_check_config(const char *conf_dir, char *const *bin_dirs, size_t n_bin_dirs,
                      cni_check *ret);

/* The network config as a conflist object (a single .conf becomes a list of one
 * plugin); the caller owns *ret_list. -ENOENT when conf_dir holds no config file,
 * -ENOEXEC when the first one is not usable (the message says why, as Status does). */
int cni_config_load(const char *conf_dir, char *const *bin_dirs, size_t n_bin_dirs,
                    json_t **ret_list, wc_error *err);

#endif
