/* kill [-s SIG | -SIG | -n NUM] PID..., kill -l [SIG...]: signals the pod's own processes (its
 * containers and execs, as ps lists them) through the runtime (proc_table.h), which refuses any
 * other pid (`No such process`). A WASI guest has no handlers: a signal whose default action
 * ends a process ends it (a container then exits with 128 + the signal, 143 for TERM); STOP,
 * CONT and the ignored ones act as on a process with default handling. Messages as busybox's. */
#include "applet.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proc_table.h"
#include "signals.h"

/* The name busybox's `kill -l` gives SIG (0 EXIT, 1..31, 29 being POLL where the shared table
 * says IO), or NULL for a number it prints as it is. */
static const char *listed_name(int sig, char *buf, size_t n)
{
    if (sig == 0 || sig == 29)
        return sig ? "POLL" : "EXIT";
    return sig >= 1 && sig <= 31 && wc_signal_format(sig, buf, n) ? buf + 3 : NULL;
}

/* `kill -l`: " 1) HUP" ... "31) SYS"; `kill -l 15` → TERM, `kill -l TERM` → 15. */
static int list(tb_io *io, int argc, char **argv)
{
    char name[24];
    if (argc == 0) {
        for (int sig = 1; sig < 32; sig++)
            fprintf(io->out, "%2d) %s\n", sig, listed_name(sig, name, sizeof(name)));
        return 0;
    }
    for (int i = 0; i < argc; i++) {
        char *end;
        long n = strtol(argv[i], &end, 10);
        if (*argv[i] >= '0' && *argv[i] <= '9' && *end == '\0') {
            const char *s = n <= 31 ? listed_name((int)n, name, sizeof(name)) : NULL;
            fprintf(io->out, "%s\n", s ? s : argv[i]);
        } else if (wc_signal_number(argv[i]) > 0) {
            fprintf(io->out, "%d\n", wc_signal_number(argv[i]));
        } else {
            tb_err(io, "kill", "unknown signal '%s'", argv[i]);
            return 1;
        }
    }
    return 0;
}

/* The signal an option names (`-s TERM`, `-TERM`, `-9`, `-n 9`), or -1 (said). */
static int signal_of(tb_io *io, const char *text)
{
    int sig = strcmp(text, "0") == 0 ? 0 : wc_signal_number(text);
    if (sig == 0 && strcmp(text, "0") != 0) {
        tb_err(io, "kill", "bad signal name '%s'", text);
        return -1;
    }
    return sig;
}

static int send_all(tb_io *io, int sig, int argc, char **argv)
{
    if (argc == 0) {
        tb_err(io, "kill", "you need to specify whom to kill");
        return 1;
    }
    int status = 0;
    for (int i = 0; i < argc; i++) {
        char *end;
        long pid = strtol(argv[i], &end, 10);
        if (*argv[i] == '\0' || *end != '\0') {
            tb_err(io, "kill", "invalid number '%s'", argv[i]);
            return 1;
        }
        if (pid <= 0 || pid > 0x7fffffff) { /* no process groups: a pid is one process */
            errno = ESRCH;
            status = 1;
            tb_err(io, "kill", "can't kill pid %ld: %s", pid, strerror(errno));
        } else if (tb_proc_kill((int)pid, sig) < 0) {
            status = 1;
            tb_err(io, "kill", "can't kill pid %ld: %s", pid, strerror(errno));
        }
    }
    return status;
}

int applet_kill(tb_io *io, int argc, char **argv)
{
    int i = 1, sig = 15;
    if (i < argc && strcmp(argv[i], "-l") == 0)
        return list(io, argc - 2, argv + 2);
    if (i < argc && (strcmp(argv[i], "-s") == 0 || strcmp(argv[i], "-n") == 0)) {
        if (i + 1 >= argc) {
            tb_err(io, "kill", "bad signal name '%s'", argv[i] + 1);
            return 1;
        }
        if ((sig = signal_of(io, argv[i + 1])) < 0)
            return 1;
        i += 2;
    } else if (i < argc && argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--") != 0) {
        if ((sig = signal_of(io, argv[i] + 1)) < 0)
            return 1;
        i++;
    }
    if (i < argc && strcmp(argv[i], "--") == 0)
        i++;
    return send_all(io, sig, argc - i, argv + i);
}
