/* top [-b] [-n COUNT] [-d SECONDS]: the pod's processes (ps's table) every few seconds, with
 * %CPU between two looks, until stopped (or COUNT times). On a terminal the screen is redrawn;
 * otherwise (a container's log, -b) each look is appended. The runtime reads the figures at each
 * look (proc_table.h). */
#include "applet.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "numbers.h"
#include "proc_table.h"

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long prev_cpu(const tb_proc *prev, int n, int pid)
{
    for (int i = 0; i < n; i++)
        if (prev[i].pid == pid)
            return prev[i].cpu_ms;
    return -1;
}

static void show(tb_io *io, bool tty, const tb_proc *v, int n, const tb_proc *prev, int pn,
                 long long elapsed_ms)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    long long rss = 0;
    for (int i = 0; i < n; i++)
        rss += v[i].rss_kb;
    if (tty)
        fputs("\033[H\033[J", io->out);
    fprintf(io->out, "top - %02d:%02d:%02d UTC, %d processes in this pod, %lldk resident\n",
            tm.tm_hour, tm.tm_min, tm.tm_sec, n, rss);
    fprintf(io->out, "%5s %-8s %-4s %5s %7s %6s %-12s %s\n", "PID", "USER", "STAT", "%CPU", "RSS",
            "TIME", "CONTAINER", "COMMAND");
    for (int i = 0; i < n; i++) {
        char user[64];
        tb_user_name(v[i].uid, user, sizeof(user));
        long long before = prev_cpu(prev, pn, v[i].pid);
        double cpu = before >= 0 && elapsed_ms > 0
                         ? 100.0 * (double)(v[i].cpu_ms - before) / (double)elapsed_ms
                         : 0.0;
        fprintf(io->out, "%5d %-8.8s %-4c %5.1f %6lldk %3lld:%02lld %-12.12s %s\n", v[i].pid, user,
                v[i].state, cpu, v[i].rss_kb, v[i].cpu_ms / 60000, v[i].cpu_ms / 1000 % 60,
                v[i].name, v[i].command);
    }
    fflush(io->out);
}

int applet_top(tb_io *io, int argc, char **argv)
{
    long count = -1;
    double delay = 3;
    bool batch = false;
    int c;
    tb_getopt_reset();
    while ((c = tb_getopt(io, argc, argv, "bn:d:")) != -1) {
        if (c == 'b')
            batch = true;
        else if (c == 'n')
            count = strtol(optarg, NULL, 10);
        else if (c == 'd')
            delay = strtod(optarg, NULL);
        else
            return 1;
    }
    if (!(delay >= 0.1)) /* NaN too */
        delay = 0.1;
    bool tty = !batch && isatty(fileno(io->out));
    tb_proc *prev = NULL;
    int pn = 0, status = 0;
    long long prev_at = now_ms();
    for (long i = 0; count < 0 || i < count; i++) {
        tb_proc *v = NULL;
        int n = 0;
        if (tb_proc_read(&v, &n) < 0) {
            tb_perror(io, argv[0], TB_PS_WHAT);
            status = 1;
            break;
        }
        long long at = now_ms();
        show(io, tty, v, n, prev, pn, at - prev_at);
        free(prev);
        prev = v;
        pn = n;
        prev_at = at;
        if (ferror(io->out)) {
            status = 1;
            break;
        }
        if ((count < 0 || i + 1 < count) && !tb_sleep_ms(tb_secs_to_ms(delay)))
            break; /* timeout's deadline */
    }
    free(prev);
    return status;
}
