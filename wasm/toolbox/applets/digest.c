/* digest.c: md5sum/sha256sum's shared part: hashing files, printing "HASH  NAME", and -c,
 * which reads such lines and prints "NAME: OK" or "NAME: FAILED". */
#include "digest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void tb_hash_blocks(tb_hash_ctx *c, const void *data, size_t len,
                    void (*compress)(uint32_t state[8], const uint8_t block[64]))
{
    const uint8_t *p = data;
    c->length += len;
    while (len > 0) {
        size_t take = 64 - c->used < len ? 64 - c->used : len;
        memcpy(c->block + c->used, p, take);
        c->used += take;
        p += take;
        len -= take;
        if (c->used == 64) {
            compress(c->state, c->block);
            c->used = 0;
        }
    }
}

void tb_hash_pad(tb_hash_ctx *c, bool big_endian,
                 void (*compress)(uint32_t state[8], const uint8_t block[64]))
{
    uint64_t bits = c->length * 8;
    c->block[c->used++] = 0x80;
    if (c->used > 56) {
        memset(c->block + c->used, 0, 64 - c->used);
        compress(c->state, c->block);
        c->used = 0;
    }
    memset(c->block + c->used, 0, 56 - c->used);
    for (int i = 0; i < 8; i++)
        c->block[56 + i] = (uint8_t)(bits >> (big_endian ? 56 - 8 * i : 8 * i));
    compress(c->state, c->block);
}

/* Hashes NAME into HEX (2 * size + 1 bytes); prints busybox's error and returns -1. */
static int hash_file(const tb_hash *h, tb_io *io, const char *name, char *hex)
{
    FILE *f = tb_fopen(io, name, "r");
    if (f == NULL) {
        tb_err_errno(io, h->applet, "can't open '%s'", name);
        return -1;
    }
    tb_hash_ctx ctx;
    uint8_t buf[8192], digest[32];
    size_t n;
    h->init(&ctx);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        h->update(&ctx, buf, n);
    int bad = tb_read_failed(f);
    if (bad)
        tb_err_errno(io, h->applet, "can't read '%s'", name);
    clearerr(f);
    tb_fclose(io, f);
    if (bad)
        return -1;
    h->final(&ctx, digest);
    for (size_t i = 0; i < h->size; i++)
        sprintf(hex + 2 * i, "%02x", digest[i]);
    return 0;
}

static int check_list(const tb_hash *h, tb_io *io, const char *list)
{
    FILE *f = tb_fopen(io, list, "r");
    if (f == NULL) {
        tb_err_errno(io, h->applet, "can't open '%s'", list);
        return 1;
    }
    char *line = NULL, hex[65];
    size_t cap = 0, hexlen = 2 * h->size;
    int failed = 0, checked = 0;
    while (getline(&line, &cap, f) > 0) {
        line[strcspn(line, "\n")] = '\0';
        if (strlen(line) < hexlen + 2 || line[hexlen] != ' ') {
            tb_err(io, h->applet, "invalid format");
            failed++;
            continue;
        }
        const char *name = line + hexlen + 2;
        bool ok = hash_file(h, io, name, hex) == 0 && strncasecmp(hex, line, hexlen) == 0;
        fprintf(io->out, "%s: %s\n", name, ok ? "OK" : "FAILED");
        failed += !ok;
        checked++;
    }
    free(line);
    tb_fclose(io, f);
    if (failed)
        tb_err(io, h->applet, "WARNING: %d of %d computed checksums did NOT match", failed,
               checked);
    return failed ? 1 : 0;
}

int tb_digest_main(const tb_hash *h, tb_io *io, int argc, char **argv)
{
    bool check = false;
    int opt, rc = 0;
    tb_getopt_reset();
    while ((opt = tb_getopt(io, argc, argv, "csw")) != -1) {
        if (opt == 'c')
            check = true;
        else if (opt != 's' && opt != 'w')
            return tb_usage(io, h->applet, "[-c[sw]] [FILE]...");
    }
    char *dash[] = {"-", NULL};
    char **files = optind < argc ? argv + optind : dash;
    for (; *files; files++) {
        char hex[65];
        if (check)
            rc |= check_list(h, io, *files);
        else if (hash_file(h, io, *files, hex) != 0)
            rc = 1;
        else
            fprintf(io->out, "%s  %s\n", hex, *files);
    }
    return rc;
}
