/* id [-u|-g|-G] [-n]: the container's user (the runtime's /run/wasmcri/user: WASI has no uid),
 * names from the view's /etc/passwd and /etc/group, as busybox prints them. */
#include "applet.h"

#include <string.h>

#include "proc_table.h"

int applet_id(tb_io *io, int argc, char **argv)
{
    unsigned uid, gid, groups[32];
    int ng = 0, c;
    char what = 0;
    bool names = false;
    tb_getopt_reset();
    while ((c = tb_getopt(io, argc, argv, "ugGn")) != -1) {
        if (c == 'n')
            names = true;
        else if (c == '?')
            return 1;
        else
            what = (char)c;
    }
    if (tb_self_user(&uid, &gid, groups, &ng) < 0) {
        tb_err(io, argv[0], "unknown user: the runtime gives none (%s)", TB_USER_FILE);
        return 1;
    }
    char un[64], gn[64];
    bool has_un = tb_user_name(uid, un, sizeof(un)), has_gn = tb_group_name(gid, gn, sizeof(gn));
    if (what == 'u' || what == 'g') {
        if (names)
            fprintf(io->out, "%s\n", what == 'u' ? un : gn);
        else
            fprintf(io->out, "%u\n", what == 'u' ? uid : gid);
        return 0;
    }
    if (what == 'G') {
        fprintf(io->out, "%u", gid);
        for (int i = 0; i < ng; i++)
            if (groups[i] != gid)
                fprintf(io->out, " %u", groups[i]);
        fputc('\n', io->out);
        return 0;
    }
    fprintf(io->out, "uid=%u", uid);
    if (has_un)
        fprintf(io->out, "(%s)", un);
    fprintf(io->out, " gid=%u", gid);
    if (has_gn)
        fprintf(io->out, "(%s)", gn);
    /* groups: the primary group first, then the supplementary ones, as id(1) lists them */
    fputs(" groups=", io->out);
    for (int i = -1; i < ng; i++) {
        if (i >= 0 && groups[i] == gid)
            continue;
        unsigned g = i < 0 ? gid : groups[i];
        char name[64];
        bool known = tb_group_name(g, name, sizeof(name));
        fprintf(io->out, "%s%u", i < 0 ? "" : ",", g);
        if (known)
            fprintf(io->out, "(%s)", name);
    }
    fputc('\n', io->out);
    return 0;
}
