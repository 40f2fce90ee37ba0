/* NULL-terminated string arrays: the few operations the image record and the pull need. */
#include "strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

size_t wc_strv_len(char *const *v)
{
    size_t n = 0;
    while (v != NULL && v[n] != NULL)
        n++;
    return n;
}

bool wc_strv_contains(char *const *v, const char *s)
{
    for (; v != NULL && *v != NULL; v++)
        if (strcmp(*v, s) == 0)
            return true;
    return false;
}

int wc_strv_push(char ***v, const char *s)
{
    size_t n = wc_strv_len(*v);
    char *copy = strdup(s);
    if (copy == NULL)
        return -ENOMEM;
    char **nv = realloc(*v, (n + 2) * sizeof(char *));
    if (nv == NULL) {
        free(copy);
        return -ENOMEM;
    }
    nv[n] = copy;
    nv[n + 1] = NULL;
    *v = nv;
    return 0;
}

int wc_strv_push_unique(char ***v, const char *s)
{
    return wc_strv_contains(*v, s) ? 0 : wc_strv_push(v, s);
}

size_t wc_strv_remove(char **v, const char *s)
{
    size_t removed = 0, j = 0;
    for (size_t i = 0; v != NULL && v[i] != NULL; i++) {
        if (strcmp(v[i], s) == 0) {
            free(v[i]);
            removed++;
        } else {
            v[j++] = v[i];
        }
    }
    if (v != NULL)
        v[j] = NULL;
    return removed;
}

char **wc_strv_copy(char *const *v)
{
    char **out = calloc(1, sizeof(char *));
    if (out == NULL)
        return NULL;
    for (; v != NULL && *v != NULL; v++) {
        if (wc_strv_push(&out, *v) < 0) {
            wc_strv_free(out);
            return NULL;
        }
    }
    return out;
}
