/* A worker's privileges (wasm/zygote/privileges.c): after worker_drop_privileges, a forked
 * child has the user's real, effective and saved ids and groups, an empty bounding set, and can
 * still open the IPv4 and IPv6 sockets the WASI socket extension and its DNS lookups need, and
 * nothing else: any other family answers EAFNOSUPPORT, socketpair and setns EPERM. Three times: as
 * a plain process, as a zygote's child (worker_privileges_prepare first, in the parent: the
 * bounding set read there once, the filter compiled there), and as a spare of a zygote's forker
 * (the filter and no_new_privs set by the forker, worker_privileges_forker, inherited by the
 * spare it forks: the spare's set-up can still join a network namespace, no other kind, and once
 * its privileges are dropped not that one either; it can make the one kind of socket pair the
 * forker and the spare make, no other).
 * Either keeps its parent-death signal: set again after a change of ids, kept as root; either has
 * loaded one filter (a load is dear: a spare's worker loads none of its own). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "privileges.h"

/* socket(family, type) in the dropped child: 0 when it opened, else its errno. */
static int try_socket(int family, int type)
{
    int fd = socket(family, type | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return errno;
    close(fd);
    return 0;
}

/* A field of /proc/self/status in format ("CapBnd: %llx"); -1 when it cannot be read. */
static long long status_field(const char *format)
{
    FILE *f = fopen("/proc/self/status", "re");
    char line[256];
    long long v = -1;
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, format, &v) == 1)
            break;
    if (f)
        fclose(f);
    return v;
}

/* setns into this process's own network namespace, as nstype (CLONE_NEWNET, or 0: any kind):
 * 0 when it joined, else its errno. */
static int try_setns(int nstype)
{
    int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    int rc = fd < 0 || setns(fd, nstype) < 0 ? errno : 0;
    if (fd >= 0)
        close(fd);
    return rc;
}

/* socketpair(AF_UNIX, type): 0 when it made one, else its errno. */
static int try_socketpair(int type)
{
    int sv[2];
    if (socketpair(AF_UNIX, type, 0, sv) < 0)
        return errno;
    close(sv[0]);
    close(sv[1]);
    return 0;
}

/* What a spare's worker does before it drops its privileges (setns of a network namespace, the
 * forker's and the spare's kind of socket pair) and does not (setns of a namespace of any kind,
 * another socket pair): 0 when so. */
static int spare_setup_calls(void)
{
    if (try_socketpair(SOCK_SEQPACKET | SOCK_CLOEXEC) != 0)
        return 1;
    if (try_socketpair(SOCK_STREAM) != EPERM || try_socketpair(SOCK_SEQPACKET) != EPERM)
        return 4;
    if (try_setns(0) != EPERM)
        return 3; /* root may, but the filter says no */
    return try_setns(CLONE_NEWNET) != 0 ? 2 : 0;
}

static int pdeathsig(void)
{
    int sig = 0;
    prctl(PR_GET_PDEATHSIG, &sig);
    return sig;
}

/* As root: the spare's parent-death signal and no_new_privs kept. */
static void root_child(void)
{
    wc_error err = {0};
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    wc_user root = {.uid = 0, .gid = 0};
    if (worker_drop_privileges(&root, &err) < 0)
        _exit(100);
    _exit(pdeathsig() != SIGKILL ? 105 : status_field("NoNewPrivs: %lld") != 1 ? 106 : 0);
}

static void child(bool spare)
{
    wc_error err = {0};
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (spare) {
        if (status_field("NoNewPrivs: %lld") != 1)
            _exit(106);
        if (spare_setup_calls() != 0)
            _exit(102);
        if (try_socket(AF_UNIX, SOCK_STREAM) != EAFNOSUPPORT)
            _exit(103); /* the forker's filter is the spare's already */
    }
    wc_user user = {.uid = 1000, .gid = 1001, .n_groups = 1, .groups = {1002}};
    if (worker_drop_privileges(&user, &err) < 0)
        _exit(100);
    if (pdeathsig() != SIGKILL || status_field("NoNewPrivs: %lld") != 1)
        _exit(105); /* the change of ids cleared the signal: set again */
    if (status_field("Seccomp_filters: %lld") != 1)
        _exit(108); /* one filter loaded, the spare's or the worker's: no second on the path */
    uid_t ru, eu, su;
    gid_t rg, eg, sg, groups[4];
    if (getresuid(&ru, &eu, &su) < 0 || ru != 1000 || eu != 1000 || su != 1000 ||
        getresgid(&rg, &eg, &sg) < 0 || rg != 1001 || eg != 1001 || sg != 1001 ||
        getgroups(4, groups) != 1 || groups[0] != 1002)
        _exit(101); /* every id the user's, not only the file ids */
    int bad = status_field("CapBnd: %llx") != 0 ? 128 : 0;
    bad |= try_socket(AF_INET, SOCK_STREAM) != 0 ? 1 : 0;
    bad |= try_socket(AF_INET6, SOCK_DGRAM) != 0 ? 2 : 0;
    bad |= try_socket(AF_UNIX, SOCK_STREAM) != EAFNOSUPPORT ? 4 : 0;
    bad |= try_socket(AF_NETLINK, SOCK_RAW) != EAFNOSUPPORT ? 8 : 0;
    bad |= try_socket(AF_PACKET, SOCK_RAW) != EAFNOSUPPORT ? 16 : 0;
    bad |= try_socket(AF_INET6 + 1, SOCK_STREAM) != EAFNOSUPPORT ? 32 : 0;
    bad |= try_socketpair(SOCK_STREAM) != EPERM ? 64 : 0;
    if (bad)
        _exit(bad);
    _exit(try_setns(CLONE_NEWNET) != EPERM ? 104 : try_setns(0) != EPERM ? 107 : 0);
}

/* The exit status of a child running the checks (root's or a user's). */
static int run_child(bool spare, bool root)
{
    pid_t pid = fork();
    if (pid == 0 && root)
        root_child();
    if (pid == 0)
        child(spare);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return 200;
    return WEXITSTATUS(status);
}

/* A spare's checks run in a child of a forker: a child that loaded the filter first. */
static void check_child(bool spare, bool root)
{
    pid_t pid = spare ? fork() : 0;
    if (pid == 0 && spare) {
        worker_privileges_forker();
        _exit(run_child(spare, root));
    }
    int status = 0;
    CHECK(pid == 0 || (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status)));
    CHECK_EQ_INT(spare ? WEXITSTATUS(status) : run_child(spare, root), 0);
}

int main(void)
{
    check_child(false, false);
    wc_error err = {0};
    CHECK(worker_privileges_prepare(&err) == 0);
    check_child(false, false);
    check_child(true, false);
    check_child(true, true);
    return CHECK_DONE();
}
