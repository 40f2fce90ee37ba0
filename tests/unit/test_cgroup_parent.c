/* Unit test of wc_cgroup_parent_path: kubelet's cgroup_parent as a path below the
 * cgroup hierarchies, for the cgroupfs and systemd drivers, and the names refused. */
#include <string.h>

#include "cgroups.h"
#include "check.h"

static const char *path(const char *driver, const char *parent, int *rc)
{
    static char buf[4096];
    static wc_error err;
    *rc = wc_cgroup_parent_path(driver, parent, buf, sizeof(buf), &err);
    return *rc == 0 ? buf : err.msg;
}

int main(void)
{
    int rc;
    CHECK_STR(path("cgroupfs", "/kubepods/burstable/pod12", &rc), "kubepods/burstable/pod12");
    CHECK_EQ_INT(rc, 0);
    CHECK_STR(path("cgroupfs", "kubepods/pod12/", &rc), "kubepods/pod12");
    CHECK_STR(path("cgroupfs", "", &rc), "");
    CHECK_STR(path("systemd", "", &rc), "");
    CHECK_STR(path("systemd", "kubepods-burstable-pod12.slice", &rc),
              "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod12.slice");
    CHECK_EQ_INT(rc, 0);
    CHECK_STR(path("systemd", "kubepods.slice", &rc), "kubepods.slice");
    path("cgroupfs", "/kubepods/../../etc", &rc);
    CHECK_EQ_INT(rc, -EINVAL);
    path("cgroupfs", "..", &rc);
    CHECK_EQ_INT(rc, -EINVAL);
    CHECK(strstr(path("systemd", "/kubepods/pod12", &rc), "not a systemd slice") != NULL);
    CHECK_EQ_INT(rc, -EINVAL);
    path("systemd", "kubepods--x.slice", &rc);
    CHECK_EQ_INT(rc, -EINVAL);
    path("systemd", "-x.slice", &rc);
    CHECK_EQ_INT(rc, -EINVAL);
    return CHECK_DONE();
}
