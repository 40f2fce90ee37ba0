/* CRI messages built from sandbox records, shared by the rpcs that report them
 * (PodSandboxStatus, ContainerStatus, GetContainerEvents, the stats' attributes). Each
 * returns a message built from malloc'd memory, or NULL when memory runs out. */
#ifndef WASMCRI_CRI_MESSAGES_H
#define WASMCRI_CRI_MESSAGES_H

#include "api.pb-c.h"
#include "container.h"
#include "pod.h"

Runtime__V1__PodSandboxStatus *cri_pod_status_new(const wc_pod *p);
Runtime__V1__ContainerStatus *cri_ctr_status_new(const wc_container *c);
Runtime__V1__PodSandboxMetadata *cri_pod_metadata_new(const wc_pod *p);
Runtime__V1__ContainerMetadata *cri_ctr_metadata_new(const wc_container *c);

/* A record's metadata in md (the caller's), borrowing the record's strings: for the list
 * rpcs, which pack each item at once (packer.h). */
void cri_pod_metadata_view(Runtime__V1__PodSandboxMetadata *md, const wc_pod *p);
void cri_ctr_metadata_view(Runtime__V1__ContainerMetadata *md, const wc_container *c);

#endif
