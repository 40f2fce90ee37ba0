/* wc [-lwcm] [FILE]...: counts lines, words and bytes (-m: characters, as bytes: the
 * toolbox is byte-oriented), in busybox's layout. */
#include <ctype.h>
#include <string.h>

#include "util.h"

enum { WC_LINES, WC_WORDS, WC_BYTES, WC_N };

static int count(FILE *f, unsigned long long c[WC_N])
{
    int ch, in_word = 0;
    while ((ch = getc(f)) != EOF) {
        c[WC_BYTES]++;
        c[WC_LINES] += ch == '\n';
        if (isspace(ch)) {
            in_word = 0;
        } else if (!in_word) {
            in_word = 1;
            c[WC_WORDS]++;
        }
    }
    return tb_read_failed(f) ? -1 : 0;
}

static void print(tb_io *io, const bool show[WC_N], const unsigned long long c[WC_N],
                  const char *name, bool pad)
{
    const char *sep = "";
    for (int k = 0; k < WC_N; k++) {
        if (!show[k])
            continue;
        fprintf(io->out, pad ? "%s%9llu" : "%s%llu", sep, c[k]);
        sep = " ";
    }
    fprintf(io->out, name ? " %s\n" : "\n", name);
}

int applet_wc(tb_io *io, int argc, char **argv)
{
    bool show[WC_N] = {false, false, false};
    int opt, rc = 0, ncols = 0;
    tb_getopt_reset();
    while ((opt = tb_getopt(io, argc, argv, "lwcm")) != -1) {
        const char *p = strchr("lwcm", opt);
        if (p == NULL)
            return tb_usage(io, "wc", "[-cmlw] [FILE]...");
        show[p - "lwcm" > 2 ? WC_BYTES : p - "lwcm"] = true;
    }
    for (int k = 0; k < WC_N; k++)
        ncols += show[k];
    if (ncols == 0) {
        show[WC_LINES] = show[WC_WORDS] = show[WC_BYTES] = true;
        ncols = 3;
    }
    int nfiles = argc - optind;
    bool pad = !(ncols == 1 && nfiles <= 1);
    unsigned long long total[WC_N] = {0, 0, 0};
    for (int i = optind; i < argc || (nfiles == 0 && i == optind); i++) {
        const char *name = nfiles ? argv[i] : NULL;
        unsigned long long c[WC_N] = {0, 0, 0};
        FILE *f = tb_fopen(io, name ? name : "-", "r");
        if (f == NULL || count(f, c) != 0) {
            tb_err_errno(io, "wc", "%s", name ? name : "standard input");
            rc = 1;
        }
        if (f)
            clearerr(f);
        tb_fclose(io, f);
        if (f)
            print(io, show, c, name, pad);
        for (int k = 0; k < WC_N; k++)
            total[k] += c[k];
    }
    if (nfiles > 1)
        print(io, show, total, "total", pad);
    return rc;
}
