/* The runtime's own imports, module "wasmcri" (WASMCRI_CALLS in wasi_calls.h), for the
 * toolbox's ps, top and kill: a WASI guest has no /proc and no kill(2), and must see and
 * signal its own pod's processes only. The answers come from the hooks the sandbox gives
 * (wasi_options.pod_ps, pod_kill: the worker asks the zygote); without them ENOSYS.
 *
 *   pod_ps(buf, buf_len, ret_len) -> errno    the pod's process table as text into buf
 *   pod_kill(pid, signal) -> errno            a Linux signal number; 0 checks the pid
 */
#include "wasi_calls.h"

wasi_errno wasmcri_pod_ps(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    uint32_t cap = (uint32_t)a[1];
    uint8_t *buf = mem_at(m, (uint32_t)a[0], cap);
    size_t len = 0;
    if (buf == NULL || mem_at(m, (uint32_t)a[2], 4) == NULL)
        return WASI_EFAULT;
    if (c->pod_ps == NULL)
        return WASI_ENOSYS;
    int rc = c->pod_ps(c->pod_arg, (char *)buf, cap, &len);
    if (rc < 0)
        return wasi_errno_from_host(-rc);
    mem_store_u32(m, (uint32_t)a[2], (uint32_t)len);
    return WASI_ESUCCESS;
}

wasi_errno wasmcri_pod_kill(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    (void)m;
    if (c->pod_kill == NULL)
        return WASI_ENOSYS;
    int rc = c->pod_kill(c->pod_arg, (int)(int32_t)a[0], (int)(int32_t)a[1]);
    return rc < 0 ? wasi_errno_from_host(-rc) : WASI_ESUCCESS;
}
