/* hostname: the pod's hostname ($HOSTNAME, which the runtime sets, else /etc/hostname). */
#include "applet.h"

#include <stdlib.h>
#include <string.h>

int applet_hostname(tb_io *io, int argc, char **argv)
{
    (void)argc;
    const char *h = getenv("HOSTNAME");
    char buf[256] = "";
    if (h == NULL || *h == '\0') {
        FILE *f = fopen("/etc/hostname", "r");
        if (f == NULL || fgets(buf, sizeof(buf), f) == NULL) {
            tb_perror(io, argv[0], "/etc/hostname");
            if (f)
                fclose(f);
            return 1;
        }
        fclose(f);
        buf[strcspn(buf, "\n")] = '\0';
        h = buf;
    }
    fprintf(io->out, "%s\n", h);
    return 0;
}
