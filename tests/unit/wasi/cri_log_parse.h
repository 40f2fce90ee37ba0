/* A CRI log reader with kubelet's rules (pkg/kubelet/kuberuntime/logs): every line is
 * `<RFC3339Nano> <stdout|stderr> <P|F> <content>\n`; P records are joined with the following
 * records of the same stream until an F. Used by the unit tests to check what cri_log wrote. */
#ifndef WASMCRI_TESTS_WASI_CRI_LOG_PARSE_H
#define WASMCRI_TESTS_WASI_CRI_LOG_PARSE_H

#include <stddef.h>

typedef struct cri_msg {
    int stream; /* 0 stdout, 1 stderr */
    char *text; /* joined content of P...F, NUL-terminated, without the newline */
    size_t len;
    int records; /* how many records it took */
} cri_msg;

typedef struct cri_parsed {
    cri_msg *msgs;
    size_t n;
    long long last_ns;
    size_t open[2]; /* 1 + index of the message a P record left open, per stream; 0 if none */
} cri_parsed;

/* Parses the whole file, appending to out (zero-initialise it first; rotated files are parsed in
 * order into the same out). Returns 0, or -1 with a reason in why. */
int cri_parse_file(const char *path, cri_parsed *out, char *why, size_t whycap);
/* Returns -1 when a P sequence was never ended by an F. */
int cri_parse_finish(const cri_parsed *p, char *why, size_t whycap);
void cri_parsed_free(cri_parsed *p);

#endif
