/* The CRI requests that carry a spec, turned into the sandbox's spec types (and checked on
 * the way): what RunPodSandbox and CreateContainer do before any work, and what the CRI
 * request fuzzer (cri/fuzz/fuzz_cri_requests.c) drives. The spec borrows from the request
 * except what had to be converted, which lands in the owned struct: free that after the
 * spec's last use (also on failure). */
#ifndef WASMCRI_CRI_REQUEST_SPEC_H
#define WASMCRI_CRI_REQUEST_SPEC_H

#include "api.pb-c.h"
#include "error.h"
#include "sandbox.h"

typedef struct pod_spec_owned {
    char **labels, **annotations, **dns_servers, **dns_searches, **dns_options;
    wc_port_mapping *ports;
} pod_spec_owned;

/* pod_service.c. -EINVAL naming the field for a config that cannot be a pod. */
int cri_pod_spec_from(const Runtime__V1__PodSandboxConfig *c, const char *handler, wc_pod_spec *s,
                      pod_spec_owned *o, wc_error *err);
void cri_pod_spec_owned_free(pod_spec_owned *o);

typedef struct ctr_spec_owned {
    char **labels, **annotations, **command, **args, **env;
    wc_mount *mounts;
    char stop_signal[32]; /* config.stop_signal as the sandbox names it */
} ctr_spec_owned;

/* container_service.c. -EINVAL when the config has no metadata, or its command and args or
 * its env are over their size limits (named in the message). */
int cri_ctr_spec_from(const Runtime__V1__CreateContainerRequest *in, wc_container_spec *s,
                      ctr_spec_owned *o, wc_error *err);
void cri_ctr_spec_owned_free(ctr_spec_owned *o);

#endif
