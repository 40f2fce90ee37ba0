/* whoami: the container's user's name (id -un); its number when the view's /etc/passwd has
 * none, with an error as busybox gives. */
#include "applet.h"

#include "proc_table.h"

int applet_whoami(tb_io *io, int argc, char **argv)
{
    (void)argc;
    unsigned uid, gid, groups[32];
    int ng;
    if (tb_self_user(&uid, &gid, groups, &ng) < 0) {
        tb_err(io, argv[0], "unknown user: the runtime gives none (%s)", TB_USER_FILE);
        return 1;
    }
    char name[64];
    if (!tb_user_name(uid, name, sizeof(name))) {
        tb_err(io, argv[0], "unknown uid %u", uid);
        return 1;
    }
    fprintf(io->out, "%s\n", name);
    return 0;
}
