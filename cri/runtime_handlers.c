/* The runtime handlers and runtime features Status reports (see runtime_handlers.h).
 *
 * recursive_read_only_mounts: a read-only mount is read-only in WASI for every path
 * beneath it (wasm/wasi checks the mount, not the host's mount flags), so mounts kubelet
 * asks to be recursively read-only are, submounts included. user_namespaces: no.
 * supplemental_groups_policy: the worker's groups are the ones the request and the
 * image's /etc/group give, and ContainerStatus.user reports them.
 */
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "runtime_handlers.h"
#include "service.h"

typedef struct handler_def {
    const char *name;
    bool recursive_read_only_mounts, user_namespaces;
} handler_def;

static const handler_def handlers[] = {
    {"", true, false},
    {"wasm", true, false},
};

#define N_HANDLERS (sizeof(handlers) / sizeof(handlers[0]))

int cri_runtime_handler_check(const char *name, wc_error *err)
{
    for (size_t i = 0; i < N_HANDLERS; i++)
        if (strcmp(handlers[i].name, name) == 0)
            return 0;
    return wc_error_set(err, -EINVAL,
                        "RunPodSandbox: runtime handler \"%.128s\" is not known to wasmcri "
                        "(it has the default handler \"\" and \"wasm\")",
                        name);
}

static Runtime__V1__RuntimeHandler *handler_new(const handler_def *def)
{
    Runtime__V1__RuntimeHandler *h = cri_new(&runtime__v1__runtime_handler__descriptor);
    if (h == NULL)
        return NULL;
    h->name = cri_strdup(def->name);
    h->features = cri_new(&runtime__v1__runtime_handler_features__descriptor);
    if (h->name == NULL || h->features == NULL) {
        protobuf_c_message_free_unpacked(&h->base, NULL);
        return NULL;
    }
    h->features->recursive_read_only_mounts = def->recursive_read_only_mounts;
    h->features->user_namespaces = def->user_namespaces;
    return h;
}

int cri_runtime_handlers_fill(Runtime__V1__StatusResponse *r)
{
    r->runtime_handlers = calloc(N_HANDLERS, sizeof(*r->runtime_handlers));
    if (r->runtime_handlers == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < N_HANDLERS; i++) {
        r->runtime_handlers[i] = handler_new(&handlers[i]);
        if (r->runtime_handlers[i] == NULL)
            return -ENOMEM;
        r->n_runtime_handlers++;
    }
    r->features = cri_new(&runtime__v1__runtime_features__descriptor);
    if (r->features == NULL)
        return -ENOMEM;
    r->features->supplemental_groups_policy = true;
    return 0;
}
