/* Pod network namespaces (see netns.h).
 *
 * unshare(CLONE_NEWNET) changes only the calling thread's namespace, so creation
 * runs on a throw-away thread: it unshares, brings `lo` up with an ioctl on a
 * socket made inside the new namespace, and bind-mounts its own
 * /proc/self/task/<tid>/ns/net onto the target file. When the thread ends, the
 * mount keeps the namespace alive. Removal is a lazy unmount and an unlink.
 */
#include "netns.h"

#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef struct netns_job {
    const char *path;
    wc_error *err;
    int rc;
} netns_job;

static int loopback_up(wc_error *err)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return wc_error_set_errno(err, -errno, "socket in the new network namespace");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
    int rc = 0;
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
        rc = wc_error_set_errno(err, -errno, "get the flags of lo");
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (rc == 0 && ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
        rc = wc_error_set_errno(err, -errno, "bring lo up");
    close(s);
    return rc;
}

static void *create_thread(void *arg)
{
    netns_job *job = arg;
    char self[64];
    if (unshare(CLONE_NEWNET) < 0) {
        job->rc = wc_error_set_errno(job->err, -errno, "unshare a network namespace");
        return NULL;
    }
    job->rc = loopback_up(job->err);
    if (job->rc < 0)
        return NULL;
    snprintf(self, sizeof(self), "/proc/self/task/%ld/ns/net", (long)syscall(SYS_gettid));
    if (mount(self, job->path, NULL, MS_BIND, NULL) < 0)
        job->rc = wc_error_set_errno(job->err, -errno, "bind-mount the namespace on %s", job->path);
    return NULL;
}

int wc_netns_create(const char *path, wc_error *err)
{
    int fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0444);
    if (fd < 0)
        return wc_error_set_errno(err, -errno, "create %s", path);
    close(fd);
    netns_job job = {.path = path, .err = err, .rc = 0};
    pthread_t t;
    int rc = pthread_create(&t, NULL, create_thread, &job);
    if (rc != 0) {
        unlink(path);
        return wc_error_set_errno(err, -rc, "start a thread for the network namespace");
    }
    pthread_join(t, NULL);
    if (job.rc < 0)
        unlink(path);
    return job.rc;
}

int wc_netns_remove(const char *path, wc_error *err)
{
    if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
        return wc_error_set_errno(err, -errno, "unmount the network namespace %s", path);
    if (unlink(path) < 0 && errno != ENOENT)
        return wc_error_set_errno(err, -errno, "delete %s", path);
    return 0;
}
