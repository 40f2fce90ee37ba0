/* NULL-terminated string arrays: the few operations the records, the pull and the CRI edge
 * need, each linear in the array's length except wc_strv_push (see strv.h). */
#include "strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "error.h"

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
    size_t n = wc_strv_len(v);
    char **out = calloc(n + 1, sizeof(char *));
    for (size_t i = 0; out != NULL && i < n; i++)
        if ((out[i] = strdup(v[i])) == NULL)
            wc_strv_free(take_ptr(out));
    return out;
}

int wc_strv_builder_add(wc_strv_builder *b, const char *s)
{
    if (b->len + 1 >= b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 8;
        char **nv = realloc(b->v, cap * sizeof(char *));
        if (nv == NULL)
            return -ENOMEM;
        b->v = nv;
        b->cap = cap;
    }
    char *copy = strdup(s);
    if (copy == NULL)
        return -ENOMEM;
    b->v[b->len++] = copy;
    b->v[b->len] = NULL;
    return 0;
}

int wc_strv_builder_add_all(wc_strv_builder *b, char *const *v)
{
    for (size_t i = 0; v && v[i]; i++)
        TRY(wc_strv_builder_add(b, v[i]));
    return 0;
}

char **wc_strv_builder_take(wc_strv_builder *b)
{
    char **v = b->v ? b->v : calloc(1, sizeof(char *));
    *b = (wc_strv_builder){0};
    return v;
}

void wc_strv_builder_clear(wc_strv_builder *b)
{
    wc_strv_free(b->v);
    *b = (wc_strv_builder){0};
}
