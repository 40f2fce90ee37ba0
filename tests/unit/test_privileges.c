/* The worker's seccomp filter on sockets (wasm/zygote/privileges.c): after
 * worker_drop_privileges, a forked child can still open the IPv4 and IPv6 sockets the WASI
 * socket extension and its DNS lookups need, and nothing else: any other family answers
 * EAFNOSUPPORT and socketpair EPERM. */
#include <errno.h>
#include <stdlib.h>
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

static void child(void)
{
    wc_error err = {0};
    if (worker_drop_privileges(false, &err) < 0)
        _exit(100);
    int sv[2];
    int bad = 0;
    bad |= try_socket(AF_INET, SOCK_STREAM) != 0 ? 1 : 0;
    bad |= try_socket(AF_INET6, SOCK_DGRAM) != 0 ? 2 : 0;
    bad |= try_socket(AF_UNIX, SOCK_STREAM) != EAFNOSUPPORT ? 4 : 0;
    bad |= try_socket(AF_NETLINK, SOCK_RAW) != EAFNOSUPPORT ? 8 : 0;
    bad |= try_socket(AF_PACKET, SOCK_RAW) != EAFNOSUPPORT ? 16 : 0;
    bad |= try_socket(AF_INET6 + 1, SOCK_STREAM) != EAFNOSUPPORT ? 32 : 0;
    bad |= socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 || errno != EPERM ? 64 : 0;
    _exit(bad);
}

int main(void)
{
    pid_t pid = fork();
    if (pid == 0)
        child();
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK_EQ_INT(WEXITSTATUS(status), 0);
    return CHECK_DONE();
}
