/* tee [-a] FILE...: copies stdin to stdout and to every FILE (-a appends). */
#include <stdlib.h>
#include <string.h>

#include "util.h"

int applet_tee(tb_io *io, int argc, char **argv)
{
    bool append = false;
    int opt, rc = 0;
    tb_getopt_reset();
    while ((opt = tb_getopt(io, argc, argv, "ai")) != -1) {
        if (opt == 'a')
            append = true;
        else if (opt != 'i')
            return tb_usage(io, "tee", "[-ai] [FILE]...");
    }
    int n = argc - optind;
    FILE **files = calloc((size_t)n + 1, sizeof(*files));
    if (files == NULL)
        return 1;
    for (int i = 0; i < n; i++) {
        files[i] = fopen(argv[optind + i], append ? "a" : "w");
        if (files[i] == NULL) {
            tb_err_errno(io, "tee", "%s", argv[optind + i]);
            rc = 1;
        }
    }
    char buf[4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof(buf), io->in)) > 0) {
        fwrite(buf, 1, got, io->out);
        fflush(io->out);
        for (int i = 0; i < n; i++)
            if (files[i])
                fwrite(buf, 1, got, files[i]);
    }
    for (int i = 0; i < n; i++)
        if (files[i] && fclose(files[i]) != 0) {
            tb_err_errno(io, "tee", "%s", argv[optind + i]);
            rc = 1;
        }
    free(files);
    return rc;
}
