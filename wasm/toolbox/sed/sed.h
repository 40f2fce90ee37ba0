/* sed.h: the compiled form of a sed script, shared by parse.c (text → commands) and
 * sed.c (runs them over the input). */
#pragma once

#include <regex.h>

#include "../applets/util.h"

typedef enum { ADDR_NONE, ADDR_LINE, ADDR_LAST, ADDR_REGEX } sed_addr_kind;

typedef struct sed_addr {
    sed_addr_kind kind;
    long line;
    regex_t re;
} sed_addr;

typedef struct sed_cmd {
    sed_addr a1, a2;
    bool negate, in_range;
    long range_end; /* a2 as a line number once the range started */
    char cmd;       /* s y d D p P q Q = a i c n N h H g G x b t l { } : */
    regex_t re;     /* s */
    bool re_set;
    char *text;             /* s: replacement; a i c: text; b t : label */
    bool global, print;     /* s flags g and p */
    long nth;               /* s flag N (1: the first match) */
    unsigned char map[256]; /* y */
    int jump;               /* { : index after its }; b t: the label's index, -1: the end */
    int exit_code;          /* q Q */
} sed_cmd;

typedef struct sed_script {
    sed_cmd *cmds;
    int n, cap;
} sed_script;

/* Appends the commands of TEXT to S (EXTENDED: -E). Returns 0, or -1 after printing
 * "sed: ..." to io->err. sed_link resolves labels and blocks once all of the text is in. */
int sed_parse(sed_script *s, const char *text, bool extended, tb_io *io);
int sed_link(sed_script *s, tb_io *io);
void sed_free(sed_script *s);
