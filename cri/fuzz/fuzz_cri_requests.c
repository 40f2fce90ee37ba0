/* libFuzzer target for CRI request decoding: the first byte picks one rpc of the
 * RuntimeService or the ImageService (every rpc the server registers from the proto), the
 * rest is its request as it comes off the wire. It is unpacked with protobuf-c as the server
 * does, and the requests that carry a spec go through what RunPodSandbox and CreateContainer
 * do before any work (cri/request_spec.h, then the pod's own checks in wc_pod_from_spec).
 * Must never crash, leak, hang or abort. (No round trip is checked: protobuf-c keeps an
 * unknown field numbered 0 that it then refuses to decode, which no handler sees.) Build: cmake
 * -DWASMCRI_FUZZ=ON with CC=clang; run: hack/fuzz.sh, or fuzz_cri_requests -max_total_time=600
 * CORPUS. */
#include <stdint.h>
#include <stdlib.h>

#include "api.pb-c.h"
#include "request_spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const ProtobufCMessageDescriptor *pick_request(uint8_t which)
{
    const ProtobufCServiceDescriptor *rt = &runtime__v1__runtime_service__descriptor;
    const ProtobufCServiceDescriptor *img = &runtime__v1__image_service__descriptor;
    unsigned i = which % (rt->n_methods + img->n_methods);
    return i < rt->n_methods ? rt->methods[i].input : img->methods[i - rt->n_methods].input;
}

static void run_pod_checks(const Runtime__V1__RunPodSandboxRequest *r)
{
    wc_pod_spec spec;
    pod_spec_owned owned = {0};
    wc_error err = {0};
    wc_pod *pod = NULL;
    if (cri_pod_spec_from(r->config, r->runtime_handler, &spec, &owned, &err) == 0 &&
        wc_pod_from_spec(&spec, &pod, &err) == 0)
        wc_pod_free(pod);
    cri_pod_spec_owned_free(&owned);
}

static void create_container_checks(const Runtime__V1__CreateContainerRequest *r)
{
    wc_container_spec spec;
    ctr_spec_owned owned = {0};
    wc_error err = {0};
    cri_ctr_spec_from(r, &spec, &owned, &err);
    cri_ctr_spec_owned_free(&owned);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const ProtobufCMessageDescriptor *desc = pick_request(data[0]);
    ProtobufCMessage *req = protobuf_c_message_unpack(desc, NULL, size - 1, data + 1);
    if (req == NULL)
        return 0;
    if (desc == &runtime__v1__run_pod_sandbox_request__descriptor)
        run_pod_checks((const void *)req);
    else if (desc == &runtime__v1__create_container_request__descriptor)
        create_container_checks((const void *)req);
    protobuf_c_message_free_unpacked(req, NULL);
    return 0;
}
