/* WASI process calls: args_*, environ_*, random_get, sched_yield, proc_exit, proc_raise.
 *
 * args and env were packed into NUL-separated buffers by wasi_ctx_create; *_get copies the buffer
 * to the guest and writes one pointer per string. proc_exit only records the code: imports.c sees
 * it and ends the instance through the engine. proc_raise applies the default action of the
 * signal: ignore (CHLD, CONT, URG, WINCH and the stop signals, there is no job control) or end
 * the instance with 128+signal, as a shell reports a death by signal.
 */
#include <sched.h>
#include <sys/random.h>

#include "wasi_impl.h"

#define WASI_SIGNAL_MAX 30

static wasi_errno sizes_get(const wasi_mem *m, const uint64_t *a, uint32_t count, size_t len)
{
    if (!mem_store_u32(m, (uint32_t)a[0], count) ||
        !mem_store_u32(m, (uint32_t)a[1], (uint32_t)len))
        return WASI_EFAULT;
    return WASI_ESUCCESS;
}

static wasi_errno strings_get(const wasi_mem *m, const uint64_t *a, uint32_t count, const char *buf,
                              size_t len)
{
    uint32_t ptrs = (uint32_t)a[0], dst = (uint32_t)a[1];
    uint8_t *out = mem_at(m, dst, len);
    if (out == NULL || mem_at(m, ptrs, (uint64_t)count * 4) == NULL)
        return WASI_EFAULT;
    memcpy(out, buf, len);
    size_t off = 0;
    for (uint32_t i = 0; i < count; i++) {
        mem_store_u32(m, ptrs + (uint64_t)i * 4, dst + (uint32_t)off);
        off += strlen(buf + off) + 1;
    }
    return WASI_ESUCCESS;
}

wasi_errno wasi_args_sizes_get(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return sizes_get(m, a, c->argc, c->args_len);
}

wasi_errno wasi_args_get(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return strings_get(m, a, c->argc, c->args_buf, c->args_len);
}

wasi_errno wasi_environ_sizes_get(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return sizes_get(m, a, c->envc, c->env_len);
}

wasi_errno wasi_environ_get(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return strings_get(m, a, c->envc, c->env_buf, c->env_len);
}

wasi_errno wasi_random_get(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    (void)c;
    uint32_t len = (uint32_t)a[1];
    uint8_t *buf = mem_at(m, (uint32_t)a[0], len);
    if (buf == NULL)
        return WASI_EFAULT;
    for (uint32_t done = 0; done < len;) {
        ssize_t n = getrandom(buf + done, len - done, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return wasi_errno_from_host(errno);
        }
        done += (uint32_t)n;
    }
    return WASI_ESUCCESS;
}

wasi_errno wasi_sched_yield(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    (void)c, (void)m, (void)a;
    sched_yield();
    return WASI_ESUCCESS;
}

wasi_errno wasi_proc_exit(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    (void)m;
    c->exit_code = (int)(uint32_t)a[0];
    return WASI_ESUCCESS;
}

wasi_errno wasi_proc_raise(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    (void)m;
    uint32_t sig = (uint32_t)a[0];
    if (sig > WASI_SIGNAL_MAX)
        return WASI_EINVAL;
    /* 0: none; 16 CHLD, 17 CONT, 18 STOP, 19 TSTP, 20 TTIN, 21 TTOU, 22 URG, 27 WINCH */
    static const uint32_t ignored = 1u << 0 | 1u << 16 | 1u << 17 | 1u << 18 | 1u << 19 | 1u << 20 |
                                    1u << 21 | 1u << 22 | 1u << 27;
    if (ignored & (1u << sig))
        return WASI_ESUCCESS;
    c->exit_code = 128 + (int)sig;
    return WASI_ESUCCESS;
}
