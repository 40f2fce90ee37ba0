/* cat [-nbu] [FILE]...: concatenates files ("-" or none: stdin); -n numbers every line,
 * -b the non-empty ones. */
#include <errno.h>
#include <string.h>

#include "util.h"

static int cat_numbered(FILE *in, FILE *out, bool skip_blank, unsigned *line)
{
    int c, at_start = 1;
    while ((c = getc(in)) != EOF) {
        if (at_start && !(skip_blank && c == '\n'))
            fprintf(out, "%6u\t", ++*line);
        putc(c, out);
        at_start = c == '\n';
    }
    if (!at_start) /* busybox numbers whole lines: the last one gets its newline */
        putc('\n', out);
    return tb_read_failed(in) ? -1 : 0;
}

int applet_cat(tb_io *io, int argc, char **argv)
{
    bool number = false, blank = false;
    int opt, rc = 0;
    unsigned line = 0;
    tb_getopt_reset();
    while ((opt = tb_getopt(io, argc, argv, "nbu")) != -1) {
        if (opt == 'n' || opt == 'b') {
            number = true;
            blank = blank || opt == 'b';
        } else if (opt != 'u') {
            return tb_usage(io, "cat", "[-nbu] [FILE]...");
        }
    }
    char *dash[] = {"-", NULL};
    char **files = optind < argc ? argv + optind : dash;
    for (; *files; files++) {
        FILE *f = tb_fopen(io, *files, "r");
        if (f == NULL) {
            tb_err_errno(io, "cat", "can't open '%s'", *files);
            rc = 1;
            continue;
        }
        if ((number ? cat_numbered(f, io->out, blank, &line) : tb_copy(f, io->out)) != 0) {
            tb_err_errno(io, "cat", "read error");
            rc = 1;
        }
        clearerr(f);
        tb_fclose(io, f);
    }
    return rc;
}
