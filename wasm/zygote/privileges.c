/* Dropping a worker's privileges (see privileges.h), in this order: the bounding set
 * (PR_CAPBSET_DROP needs CAP_SETPCAP, which a non-root user loses with the next step),
 * the container's user for every id (groups, gid, uid: real, effective, saved and
 * file), the capabilities with capset(2) (plain syscalls, no libcap), no_new_privs,
 * then a libseccomp deny-list answering EPERM, compiled once in the zygote (exported
 * as BPF through a memfd) and loaded with prctl once by the forker that clones the spares
 * (worker_privileges_forker), which inherit it: a load is mostly fixed cost (cBPF to eBPF, the
 * JIT, its `text_poke`: 80-300 µs on a paravirtualised guest), so neither a spare nor a worker
 * loads one of its own.
 * The one call a worker's set-up makes that the guest must not, setns into its pod's network
 * namespace, passes the filter only with CLONE_NEWNET; the kernel then asks for CAP_SYS_ADMIN,
 * which no worker keeps past worker_drop_privileges (kept_caps, an emptied bounding set,
 * no_new_privs, unshare denied), so the guest's setns of any kind fails EPERM all the same.
 * To forbid another system call, add it to denied[]. Sockets: the guest's (the WasmEdge
 * extension) and sock_getaddrinfo's DNS queries are IPv4 and IPv6 only, so socket(2) of any
 * other family answers EAFNOSUPPORT (no netlink, packet or unix sockets from a worker), and
 * socketpair(2) is denied but for the one kind the forker (a spare's socket) and a spare (its
 * log's reopening pair) make, a SOCK_SEQPACKET pair: a socket pair connects nothing outside the
 * process, as a pipe does not.
 */
#include "privileges.h"

#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/fsuid.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"

static const int kept_caps[] = {CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER};

static const int denied[] = {
    SCMP_SYS(mount),
    SCMP_SYS(umount2),
    SCMP_SYS(pivot_root),
    SCMP_SYS(unshare),
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

/* socket(2) families other than AF_INET (2) and AF_INET6 (10): below, above, and between. */
static int deny_other_socket_families(scmp_filter_ctx ctx)
{
    const uint32_t deny = SCMP_ACT_ERRNO(EAFNOSUPPORT);
    TRY(seccomp_rule_add(ctx, deny, SCMP_SYS(socket), 1, SCMP_A0_32(SCMP_CMP_LT, AF_INET, 0)));
    TRY(seccomp_rule_add(ctx, deny, SCMP_SYS(socket), 1, SCMP_A0_32(SCMP_CMP_GT, AF_INET6, 0)));
    for (int family = AF_INET + 1; family < AF_INET6; family++)
        TRY(seccomp_rule_add(ctx, deny, SCMP_SYS(socket), 1,
                             SCMP_A0_32(SCMP_CMP_EQ, (uint32_t)family, 0)));
    return 0;
}

static __u32 kept_mask(bool root)
{
    __u32 keep = 0;
    for (size_t i = 0; root && i < sizeof(kept_caps) / sizeof(kept_caps[0]); i++)
        keep |= 1u << kept_caps[i];
    return keep;
}

/* Each drop is a new set of credentials (prepare_creds, commit_creds, an RCU free), even of a
 * capability not in the set: only the capabilities still in the set are dropped. The zygote,
 * which never executes a program, drops all but kept_caps from its own set once and reads what
 * is left (worker_privileges_prepare), so that a worker has at most those four left to drop and
 * need not read the set again: 41 drops were ~10 % of a worker's start, and 41 reads were 37 of
 * its 91 system calls. */
static uint64_t bounding_set;  /* as the zygote read it (bit n: capability n) */
static bool bounding_set_read; /* ... if it did; else each worker reads it */

static void read_bounding_set(void)
{
    uint64_t held = 0;
    int in;
    for (int cap = 0; cap < 64 && (in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0)) >= 0; cap++)
        if (in == 1)
            held |= 1ull << cap;
    bounding_set = held;
    bounding_set_read = true;
}

static int drop_bounding_set(__u32 keep, wc_error *err)
{
    int last = bounding_set_read ? 63 : CAP_LAST_CAP;
    for (int cap = 0; cap <= last; cap++) {
        bool kept = cap < 32 && (keep & (1u << cap));
        bool held = bounding_set_read ? (bounding_set >> cap) & 1
                                      : prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1;
        if (!kept && held && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
            return wc_error_set_errno(err, -errno, "drop capability %d from the bounding set", cap);
    }
    return 0;
}

/* The zygote's ids (root), which a worker has until it becomes its container's user. */
static uid_t zygote_uid;
static gid_t zygote_gid;

/* Every id the kernel checks becomes the user's: a guest's files, signals, limits and
 * /proc entries are the user's, as with runc. A change of uid or gid clears the parent-death
 * signal: it is set again (and a zygote that died meanwhile ends the worker); a root container's
 * keeps the spare's (three system calls fewer on its path). */
static int become_user(const wc_user *u, wc_error *err)
{
    gid_t groups[WC_MAX_GROUPS];
    uid_t r, e, s;
    bool same_ids = u->uid == zygote_uid && u->gid == zygote_gid;
    pid_t parent = same_ids ? 0 : getppid();
    for (uint32_t i = 0; i < u->n_groups && i < WC_MAX_GROUPS; i++)
        groups[i] = u->groups[i];
    if (setgroups(u->n_groups < WC_MAX_GROUPS ? u->n_groups : WC_MAX_GROUPS, groups) < 0)
        return wc_error_set_errno(err, -errno, "set the supplementary groups");
    if (setresgid(u->gid, u->gid, u->gid) < 0 || setresuid(u->uid, u->uid, u->uid) < 0)
        return wc_error_set_errno(err, -errno, "run as %u:%u", u->uid, u->gid);
    if (getresuid(&r, &e, &s) < 0 || r != u->uid || e != u->uid || s != u->uid ||
        (uid_t)setfsuid((uid_t)-1) != u->uid || (gid_t)setfsgid((gid_t)-1) != u->gid)
        return wc_error_set(err, -EPERM, "run as %u:%u: the ids did not change", u->uid, u->gid);
    if (same_ids)
        return 0;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        return wc_error_set(err, -ESRCH, "the zygote ended");
    return 0;
}

static int set_capabilities(__u32 keep, wc_error *err)
{
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2] = {{0}};
    data[0].effective = data[0].permitted = keep;
    if (syscall(SYS_capset, &hdr, data) < 0)
        return wc_error_set_errno(err, -errno, "capset");
    return 0;
}

/* setns of any namespace but a network one (the worker's set-up joins its pod's), and any
 * socket pair but an AF_UNIX SOCK_SEQPACKET one with SOCK_CLOEXEC (the forker's and the
 * spare's). */
static int deny_all_but_setup(scmp_filter_ctx ctx)
{
    const uint32_t deny = SCMP_ACT_ERRNO(EPERM);
    TRY(seccomp_rule_add(ctx, deny, SCMP_SYS(setns), 1, SCMP_A1_32(SCMP_CMP_NE, CLONE_NEWNET, 0)));
    TRY(seccomp_rule_add(ctx, deny, SCMP_SYS(socketpair), 1, SCMP_A0_32(SCMP_CMP_NE, AF_UNIX, 0)));
    return seccomp_rule_add(ctx, deny, SCMP_SYS(socketpair), 1,
                            SCMP_A1_32(SCMP_CMP_NE, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
}

static int add_rules(scmp_filter_ctx ctx)
{
    for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
        TRY(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), denied[i], 0));
    TRY(deny_all_but_setup(ctx));
    return deny_other_socket_families(ctx);
}

static scmp_filter_ctx build_filter(void)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (ctx && add_rules(ctx) < 0) {
        seccomp_release(ctx);
        ctx = NULL;
    }
    return ctx;
}

/* Compiled by worker_privileges_prepare, loaded by the forker (or by a worker whose forker
 * could not). */
static struct sock_fprog compiled;
static bool forker_filtered;     /* the forker loaded the filter, inherited */
static bool forker_no_new_privs; /* the forker set no_new_privs, inherited */

/* The filter as BPF (seccomp_export_bpf) into *out; -EIO when it cannot be read back. */
static int export_filter(scmp_filter_ctx ctx, struct sock_fprog *out)
{
    _cleanup_close_ int fd = memfd_create("wasmcri-seccomp", MFD_CLOEXEC);
    if (fd < 0)
        return -errno;
    TRY(seccomp_export_bpf(ctx, fd));
    off_t len = lseek(fd, 0, SEEK_END);
    struct sock_filter *prog = len > 0 ? malloc((size_t)len) : NULL;
    if (prog == NULL || pread(fd, prog, (size_t)len, 0) != len) {
        free(prog);
        return -EIO;
    }
    out->filter = prog;
    out->len = (unsigned short)(len / (off_t)sizeof(struct sock_filter));
    return 0;
}

static int compile_filter(void)
{
    scmp_filter_ctx ctx = build_filter();
    if (ctx == NULL)
        return -ENOMEM;
    int rc = export_filter(ctx, &compiled);
    seccomp_release(ctx);
    return rc;
}

int worker_privileges_prepare(wc_error *err)
{
    drop_bounding_set(kept_mask(true), NULL); /* on failure each worker drops them */
    read_bounding_set();
    zygote_uid = geteuid();
    zygote_gid = getegid();
    int rc = compile_filter();
    return rc < 0 ? wc_error_set_errno(err, rc, "cannot compile the seccomp filter") : 0;
}

void worker_privileges_forker(void)
{
    /* no_new_privs now (it only bars gaining privileges by execve, which neither the forker nor
     * a worker calls), off every start's path; the forker is root (CAP_SYS_ADMIN), which may load
     * a filter without it */
    forker_no_new_privs = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0;
    forker_filtered = compiled.filter && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &compiled) == 0;
}

static int install_seccomp(wc_error *err)
{
    if (forker_filtered)
        return 0;
    if (compiled.filter)
        return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &compiled) < 0
                   ? wc_error_set_errno(err, -errno, "load the seccomp filter")
                   : 0;
    scmp_filter_ctx ctx = build_filter();
    if (ctx == NULL)
        return wc_error_set(err, -ENOMEM, "cannot build the seccomp filter");
    int rc = seccomp_load(ctx);
    seccomp_release(ctx);
    return rc < 0 ? wc_error_set_errno(err, rc, "install the seccomp filter") : 0;
}

static bool dropped; /* once per process */

int worker_drop_privileges(const wc_user *user, wc_error *err)
{
    if (dropped)
        return 0;
    __u32 keep = kept_mask(user->uid == 0);
    TRY(drop_bounding_set(keep, err));
    TRY(become_user(user, err));
    TRY(set_capabilities(keep, err));
    if (!forker_no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return wc_error_set_errno(err, -errno, "set no_new_privs");
    TRY(install_seccomp(err));
    dropped = true;
    return 0;
}
