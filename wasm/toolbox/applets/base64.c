/* base64 [-d] [-w COLS] [FILE]: encodes (lines of COLS, default 76; 0: no wrapping) or,
 * with -d, decodes (characters outside the alphabet are skipped, as busybox does). */
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void put_wrapped(FILE *out, char c, long cols, long *col)
{
    putc(c, out);
    if (cols > 0 && ++*col == cols) {
        putc('\n', out);
        *col = 0;
    }
}

static void encode(FILE *in, FILE *out, long cols)
{
    unsigned char b[3];
    size_t n;
    long col = 0;
    while ((n = fread(b, 1, 3, in)) > 0) {
        if (n < 3)
            memset(b + n, 0, 3 - n);
        uint32_t v = (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
        for (size_t i = 0; i < 4; i++)
            put_wrapped(out, i <= n ? ALPHABET[(v >> (18 - 6 * i)) & 63] : '=', cols, &col);
        if (n < 3)
            break;
    }
    if (col > 0)
        putc('\n', out);
}

static void decode(FILE *in, FILE *out)
{
    uint32_t v = 0;
    int have = 0, c;
    while ((c = getc(in)) != EOF && c != '=') {
        const char *p = c ? strchr(ALPHABET, c) : NULL;
        if (p == NULL)
            continue;
        v = v << 6 | (uint32_t)(p - ALPHABET);
        if (++have == 4) {
            putc((int)(v >> 16) & 255, out);
            putc((int)(v >> 8) & 255, out);
            putc((int)v & 255, out);
            have = 0;
            v = 0;
        }
    }
    if (have >= 2)
        putc((int)(v >> (6 * have - 8)) & 255, out);
    if (have == 3)
        putc((int)(v >> 2) & 255, out);
}

int applet_base64(tb_io *io, int argc, char **argv)
{
    bool dec = false;
    long cols = 76;
    int opt;
    tb_getopt_reset();
    while ((opt = tb_getopt(io, argc, argv, "dw:")) != -1) {
        if (opt == 'd')
            dec = true;
        else if (opt == 'w')
            cols = strtol(optarg, NULL, 10);
        else
            return tb_usage(io, "base64", "[-d] [-w COL] [FILE]");
    }
    if (argc - optind > 1)
        return tb_usage(io, "base64", "[-d] [-w COL] [FILE]");
    const char *name = optind < argc ? argv[optind] : "-";
    FILE *f = tb_fopen(io, name, "r");
    if (f == NULL) {
        tb_err_errno(io, "base64", "%s", name);
        return 1;
    }
    if (dec)
        decode(f, io->out);
    else
        encode(f, io->out, cols);
    int bad = tb_read_failed(f);
    if (bad)
        tb_err_errno(io, "base64", "read error");
    clearerr(f);
    tb_fclose(io, f);
    return bad ? 1 : 0;
}
