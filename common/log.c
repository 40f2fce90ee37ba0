/* wc_log: timestamped, levelled log lines on stderr (see log.h). */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static _Atomic int log_level = WC_LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void wc_log_set_level(wc_log_level level)
{
    log_level = level;
}

wc_log_level wc_log_get_level(void)
{
    return log_level;
}

const char *wc_log_level_name(wc_log_level level)
{
    if (level < WC_LOG_DEBUG || level > WC_LOG_ERROR)
        return "unknown";
    return level_names[level];
}

int wc_log_parse_level(const char *name, wc_log_level *ret_level)
{
    for (int i = WC_LOG_DEBUG; i <= WC_LOG_ERROR; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *ret_level = (wc_log_level)i;
            return 0;
        }
    }
    return -EINVAL;
}

void wc_log(wc_log_level level, const char *component, const char *fmt, ...)
{
    if ((int)level < log_level)
        return;
    char line[4096];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof(line),
                     "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ %-5s %s: ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000,
                     wc_log_level_name(level), component);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof(line) - 2)
        len = sizeof(line) - 2;
    line[len++] = '\n';
    ssize_t unused = write(STDERR_FILENO, line, len);
    (void)unused;
}
