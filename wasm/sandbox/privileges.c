/* Dropping a worker's privileges (see privileges.h): capabilities with capset(2)
 * and PR_CAPBSET_DROP (plain syscalls, no libcap), then no_new_privs, then a
 * libseccomp deny-list answering EPERM. To forbid another system call, add it to
 * denied[].
 */
#include "privileges.h"

#include <linux/capability.h>
#include <seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const int kept_caps[] = {CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER};

static const int denied[] = {
    SCMP_SYS(mount),
    SCMP_SYS(umount2),
    SCMP_SYS(pivot_root),
    SCMP_SYS(unshare),
    SCMP_SYS(setns),
    SCMP_SYS(ptrace),
    SCMP_SYS(process_vm_readv),
    SCMP_SYS(process_vm_writev),
    SCMP_SYS(kexec_load),
    SCMP_SYS(init_module),
    SCMP_SYS(finit_module),
    SCMP_SYS(delete_module),
    SCMP_SYS(bpf),
    SCMP_SYS(perf_event_open),
    SCMP_SYS(keyctl),
    SCMP_SYS(add_key),
    SCMP_SYS(request_key),
    SCMP_SYS(reboot),
    SCMP_SYS(swapon),
    SCMP_SYS(swapoff),
    SCMP_SYS(open_by_handle_at),
    SCMP_SYS(userfaultfd),
    SCMP_SYS(chroot),
    SCMP_SYS(acct),
    SCMP_SYS(settimeofday),
    SCMP_SYS(clock_settime),
    SCMP_SYS(sethostname),
    SCMP_SYS(setdomainname),
    SCMP_SYS(iopl),
    SCMP_SYS(ioperm),
};

static int drop_capabilities(wc_error *err)
{
    __u32 keep = 0;
    for (size_t i = 0; i < sizeof(kept_caps) / sizeof(kept_caps[0]); i++)
        keep |= 1u << kept_caps[i];
    for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
        int kept = cap < 32 && (keep & (1u << cap));
        if (!kept && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
            return wc_error_set_errno(err, -errno, "drop capability %d from the bounding set", cap);
    }
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2] = {{0}};
    data[0].effective = data[0].permitted = keep;
    if (syscall(SYS_capset, &hdr, data) < 0)
        return wc_error_set_errno(err, -errno, "capset");
    return 0;
}

static int install_seccomp(wc_error *err)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (ctx == NULL)
        return wc_error_set(err, -ENOMEM, "seccomp_init");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof(denied) / sizeof(denied[0]); i++)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), denied[i], 0);
    if (rc == 0)
        rc = seccomp_load(ctx);
    seccomp_release(ctx);
    return rc < 0 ? wc_error_set_errno(err, rc, "install the seccomp filter") : 0;
}

int worker_drop_privileges(wc_error *err)
{
    int rc = drop_capabilities(err);
    if (rc == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        rc = wc_error_set_errno(err, -errno, "set no_new_privs");
    return rc ?: install_seccomp(err);
}
