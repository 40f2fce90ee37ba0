/* Kubelet-rules CRI log parser for tests (see cri_log_parse.h). Strict: a timestamp must be
 * RFC3339 UTC with a fraction, never go backwards, the stream and tag must be known, and the file
 * must end with a newline. */
#include "cri_log_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int parse_ts(const char *s, size_t len, long long *ns)
{
    struct tm tm = {0};
    int frac_start = 0;
    if (len < 21 ||
        sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &frac_start) != 6 ||
        frac_start != 20 || s[len - 1] != 'Z')
        return -1;
    long long frac = 0;
    size_t digits = 0;
    for (size_t i = 20; i < len - 1; i++, digits++) {
        if (s[i] < '0' || s[i] > '9' || digits >= 9)
            return -1;
        frac = frac * 10 + (s[i] - '0');
    }
    if (digits == 0)
        return -1;
    for (; digits < 9; digits++)
        frac *= 10;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *ns = (long long)timegm(&tm) * 1000000000LL + frac;
    return 0;
}

static int fail(char *why, size_t cap, size_t lineno, const char *msg)
{
    snprintf(why, cap, "line %zu: %s", lineno, msg);
    return -1;
}

int cri_parse_file(const char *path, cri_parsed *out, char *why, size_t whycap)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return fail(why, whycap, 0, "cannot open");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    size_t lineno = 0;
    int rc = 0;
    while ((n = getline(&line, &cap, f)) > 0 && rc == 0) {
        lineno++;
        if (line[n - 1] != '\n') {
            rc = fail(why, whycap, lineno, "no newline at end of record");
            break;
        }
        char *sp1 = memchr(line, ' ', (size_t)n);
        long long ns;
        if (sp1 == NULL || parse_ts(line, (size_t)(sp1 - line), &ns) < 0) {
            rc = fail(why, whycap, lineno, "bad timestamp");
            break;
        }
        if (ns < out->last_ns) {
            rc = fail(why, whycap, lineno, "timestamp goes backwards");
            break;
        }
        out->last_ns = ns;
        int stream;
        if (strncmp(sp1 + 1, "stdout ", 7) == 0)
            stream = 0;
        else if (strncmp(sp1 + 1, "stderr ", 7) == 0)
            stream = 1;
        else {
            rc = fail(why, whycap, lineno, "bad stream");
            break;
        }
        char *tag = sp1 + 8;
        if ((tag[0] != 'P' && tag[0] != 'F') || tag[1] != ' ') {
            rc = fail(why, whycap, lineno, "bad tag");
            break;
        }
        char *content = tag + 2;
        size_t clen = (size_t)(line + n - 1 - content);
        if (out->open[stream] == 0) {
            out->msgs = realloc(out->msgs, (out->n + 1) * sizeof(cri_msg));
            out->msgs[out->n] = (cri_msg){.stream = stream, .text = calloc(1, 1)};
            out->open[stream] = ++out->n;
        }
        cri_msg *m = &out->msgs[out->open[stream] - 1];
        m->text = realloc(m->text, m->len + clen + 1);
        memcpy(m->text + m->len, content, clen);
        m->len += clen;
        m->text[m->len] = '\0';
        m->records++;
        if (tag[0] == 'F')
            out->open[stream] = 0;
    }
    free(line);
    fclose(f);
    return rc;
}

int cri_parse_finish(const cri_parsed *p, char *why, size_t whycap)
{
    if (p->open[0] != 0 || p->open[1] != 0)
        return fail(why, whycap, 0, "log ends inside a P sequence");
    return 0;
}

void cri_parsed_free(cri_parsed *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->msgs[i].text);
    free(p->msgs);
    p->msgs = NULL;
    p->n = 0;
}
