/* Daemon logging: one line per event on stderr, "<RFC3339 UTC time> <level> <component>: <text>".
 *
 * Library code (wasm/, image/, store/) does not log; it returns errors. The daemon's
 * edges (cri/, cmd/, the pull progress reporter) log through wc_log. Thread-safe:
 * each line is written with one write(2).
 */
#ifndef WASMCRI_COMMON_LOG_H
#define WASMCRI_COMMON_LOG_H

typedef enum wc_log_level {
    WC_LOG_DEBUG = 0,
    WC_LOG_INFO = 1,
    WC_LOG_WARN = 2,
    WC_LOG_ERROR = 3,
} wc_log_level;

/* Lines below this level are dropped. Default WC_LOG_INFO. */
void wc_log_set_level(wc_log_level level);
wc_log_level wc_log_get_level(void);

/* "debug" | "info" | "warn" | "error" → level; returns -EINVAL for anything else. */
int wc_log_parse_level(const char *name, wc_log_level *ret_level);
const char *wc_log_level_name(wc_log_level level);

void wc_log(wc_log_level level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define wc_debug(comp, ...) wc_log(WC_LOG_DEBUG, comp, __VA_ARGS__)
#define wc_info(comp, ...) wc_log(WC_LOG_INFO, comp, __VA_ARGS__)
#define wc_warn(comp, ...) wc_log(WC_LOG_WARN, comp, __VA_ARGS__)
#define wc_err(comp, ...) wc_log(WC_LOG_ERROR, comp, __VA_ARGS__)

#endif
