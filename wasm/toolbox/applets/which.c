/* which [-a] NAME...: where each name is found: an applet (printed as /bin/NAME, the path the
 * runtime's rule runs it by), else a file in $PATH. Exit 1 when one is not found. */
#include "applet.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int find_file(tb_io *io, const char *name, int all)
{
    struct stat st;
    if (strchr(name, '/')) {
        if (stat(name, &st) == 0 && S_ISREG(st.st_mode)) {
            fprintf(io->out, "%s\n", name);
            return 1;
        }
        return 0;
    }
    const char *path = getenv("PATH");
    int found = 0;
    for (const char *p = path ? path : ""; *p && (all || !found);) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        char buf[4096];
        snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, p, name);
        if (len && stat(buf, &st) == 0 && S_ISREG(st.st_mode)) {
            fprintf(io->out, "%s\n", buf);
            found++;
        }
        p += len + (colon ? 1 : 0);
    }
    return found;
}

int applet_which(tb_io *io, int argc, char **argv)
{
    int i = 1, all = 0, status = 0;
    if (i < argc && strcmp(argv[i], "-a") == 0) {
        all = 1;
        i++;
    }
    for (; i < argc; i++) {
        int found = find_file(io, argv[i], all);
        if ((!found || all) && !strchr(argv[i], '/') && tb_find_applet(argv[i])) {
            fprintf(io->out, "/bin/%s\n", argv[i]);
            found++;
        }
        if (!found)
            status = 1;
    }
    return status;
}
