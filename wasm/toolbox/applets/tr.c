/* tr [-cds] SET1 [SET2]: translates, deletes (-d) or squeezes (-s) bytes. Sets take ranges
 * (a-z), escapes (\n \t \\ \NNN) and classes ([:alpha:] [:digit:] [:lower:] [:upper:]
 * [:space:] [:alnum:] [:punct:] [:blank:]); -c complements SET1. */
#include <ctype.h>
#include <string.h>

#include "util.h"

typedef struct tr_class {
    const char *name;
    int (*is)(int);
} tr_class;

static const tr_class CLASSES[] = {
    {"alpha", isalpha},   {"digit", isdigit}, {"lower", islower}, {"upper", isupper},
    {"space", isspace},   {"alnum", isalnum}, {"punct", ispunct}, {"blank", isblank},
    {"xdigit", isxdigit}, {"cntrl", iscntrl}, {"print", isprint}, {"graph", isgraph},
};

static int escape(const char **s)
{
    const char *p = *s;
    int c = (unsigned char)*p++;
    if (c == '\\' && *p) {
        c = (unsigned char)*p++;
        if (c >= '0' && c <= '7') {
            c -= '0';
            for (int i = 0; i < 2 && *p >= '0' && *p <= '7'; i++)
                c = c * 8 + (*p++ - '0');
        } else {
            const char *from = "ntrabfv", *to = "\n\t\r\a\b\f\v", *at = strchr(from, c);
            c = at ? (unsigned char)to[at - from] : c;
        }
    }
    *s = p;
    return c & 255;
}

/* Expands SPEC into OUT (up to 256 bytes, counted in the return value). */
static int expand(const char *spec, unsigned char *out)
{
    int n = 0;
    while (*spec && n < 256) {
        if (strncmp(spec, "[:", 2) == 0) {
            const char *end = strstr(spec, ":]");
            size_t k = 0;
            for (; end && k < sizeof(CLASSES) / sizeof(*CLASSES); k++)
                if (strlen(CLASSES[k].name) == (size_t)(end - spec - 2) &&
                    strncmp(spec + 2, CLASSES[k].name, (size_t)(end - spec - 2)) == 0)
                    break;
            if (end && k < sizeof(CLASSES) / sizeof(*CLASSES)) {
                for (int c = 0; c < 256 && n < 256; c++)
                    if (CLASSES[k].is(c))
                        out[n++] = (unsigned char)c;
                spec = end + 2;
                continue;
            }
        }
        int lo = escape(&spec);
        if (*spec == '-' && spec[1]) {
            spec++;
            int hi = escape(&spec);
            for (int c = lo; c <= hi && n < 256; c++)
                out[n++] = (unsigned char)c;
        } else {
            out[n++] = (unsigned char)lo;
        }
    }
    return n;
}

int applet_tr(tb_io *io, int argc, char **argv)
{
    bool complement = false, del = false, squeeze = false;
    int opt;
    const char *usage = "[-cds] STRING1 [STRING2]";
    tb_getopt_reset();
    while ((opt = tb_getopt(io, argc, argv, "cCds")) != -1) {
        if (opt == 'c' || opt == 'C')
            complement = true;
        else if (opt == 'd')
            del = true;
        else if (opt == 's')
            squeeze = true;
        else
            return tb_usage(io, "tr", usage);
    }
    int nsets = argc - optind;
    if (nsets < 1 || nsets > 2 || (nsets == 1 && !del && !squeeze))
        return tb_usage(io, "tr", usage);
    unsigned char s1[256], s2[256];
    int n1 = expand(argv[optind], s1), n2 = nsets > 1 ? expand(argv[optind + 1], s2) : 0;
    bool in1[256] = {false}, in_squeeze[256] = {false};
    int map[256];
    for (int i = 0; i < n1; i++)
        in1[s1[i]] = true;
    if (complement)
        for (int c = 0; c < 256; c++)
            in1[c] = !in1[c];
    for (int c = 0; c < 256; c++)
        map[c] = c;
    if (!del && n2 > 0) { /* SET2 is padded with its last byte */
        int k = 0;
        for (int c = 0; c < 256; c++)
            if (complement ? in1[c] : false)
                map[c] = s2[k < n2 ? k++ : n2 - 1];
        for (int i = 0; !complement && i < n1; i++)
            map[s1[i]] = s2[i < n2 ? i : n2 - 1];
    }
    const unsigned char *sq = nsets == 2 ? s2 : s1;
    int nsq = nsets == 2 ? n2 : n1;
    for (int i = 0; squeeze && i < nsq; i++)
        in_squeeze[sq[i]] = true;
    if (squeeze && nsets == 1 && complement)
        memcpy(in_squeeze, in1, sizeof(in_squeeze));
    int c, last = -1;
    while ((c = getc(io->in)) != EOF) {
        if (del && in1[c])
            continue;
        int o = map[c];
        if (squeeze && o == last && in_squeeze[o])
            continue;
        putc(o, io->out);
        last = o;
    }
    clearerr(io->in);
    return 0;
}
