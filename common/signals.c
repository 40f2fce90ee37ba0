/* The signal table (signals.h): one line per classic Linux signal with its default action;
 * realtime signals (34-64) are computed. To add an alias, add a line with the same number
 * after the canonical one (wc_signal_format takes the first). */
#include "signals.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct signal_def {
    const char *name; /* without "SIG" */
    int signo;        /* Linux's */
    bool terminates;
} signal_def;

static const signal_def signals[] = {
    {"HUP", 1, true},     {"INT", 2, true},     {"QUIT", 3, true},   {"ILL", 4, true},
    {"TRAP", 5, true},    {"ABRT", 6, true},    {"IOT", 6, true},    {"BUS", 7, true},
    {"FPE", 8, true},     {"KILL", 9, true},    {"USR1", 10, true},  {"SEGV", 11, true},
    {"USR2", 12, true},   {"PIPE", 13, true},   {"ALRM", 14, true},  {"TERM", 15, true},
    {"STKFLT", 16, true}, {"CHLD", 17, false},  {"CLD", 17, false},  {"CONT", 18, false},
    {"STOP", 19, false},  {"TSTP", 20, false},  {"TTIN", 21, false}, {"TTOU", 22, false},
    {"URG", 23, false},   {"XCPU", 24, true},   {"XFSZ", 25, true},  {"VTALRM", 26, true},
    {"PROF", 27, true},   {"WINCH", 28, false}, {"IO", 29, true},    {"POLL", 29, true},
    {"PWR", 30, true},    {"SYS", 31, true},
};

#define N_SIGNALS (sizeof(signals) / sizeof(signals[0]))
#define RT_MIN 34 /* glibc's SIGRTMIN: the kernel's 32 and 33 are the C library's own */
#define RT_MAX WC_SIGNAL_MAX

/* "RTMIN", "RTMIN+3", "RTMAX-1": its number, or 0. */
static int realtime(const char *name)
{
    int base = strncasecmp(name, "RTMIN", 5) == 0   ? RT_MIN
               : strncasecmp(name, "RTMAX", 5) == 0 ? RT_MAX
                                                    : 0;
    if (base == 0)
        return 0;
    const char *rest = name + 5;
    if (*rest == '\0')
        return base;
    if ((*rest != '+' && *rest != '-') || !isdigit((unsigned char)rest[1]))
        return 0;
    char *end;
    long off = strtol(rest + 1, &end, 10);
    long n = *rest == '+' ? base + off : base - off;
    return *end == '\0' && off <= RT_MAX - RT_MIN && n >= RT_MIN && n <= RT_MAX ? (int)n : 0;
}

int wc_signal_number(const char *text)
{
    char buf[24];
    if (isdigit((unsigned char)*text)) {
        char *end;
        long n = strtol(text, &end, 10);
        return *end == '\0' && n >= 1 && n <= RT_MAX && wc_signal_format((int)n, buf, sizeof(buf))
                   ? (int)n
                   : 0;
    }
    const char *name = strncasecmp(text, "SIG", 3) == 0 ? text + 3 : text;
    for (size_t i = 0; i < N_SIGNALS; i++)
        if (strcasecmp(signals[i].name, name) == 0)
            return signals[i].signo;
    return realtime(name);
}

const char *wc_signal_format(int signo, char *buf, size_t n)
{
    for (size_t i = 0; i < N_SIGNALS; i++)
        if (signals[i].signo == signo) {
            snprintf(buf, n, "SIG%s", signals[i].name);
            return buf;
        }
    if (signo < RT_MIN || signo > RT_MAX)
        return NULL;
    if (signo - RT_MIN <= RT_MAX - signo)
        snprintf(buf, n, signo == RT_MIN ? "SIGRTMIN" : "SIGRTMIN+%d", signo - RT_MIN);
    else
        snprintf(buf, n, signo == RT_MAX ? "SIGRTMAX" : "SIGRTMAX-%d", RT_MAX - signo);
    return buf;
}

bool wc_signal_terminates(int signo)
{
    for (size_t i = 0; i < N_SIGNALS; i++)
        if (signals[i].signo == signo)
            return signals[i].terminates;
    return signo >= RT_MIN && signo <= RT_MAX; /* realtime signals: Term */
}
