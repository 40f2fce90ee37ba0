/* jansson helpers: copy strings, string arrays and string maps out of parsed JSON. */
#include "json_util.h"

#include <string.h>

#include "cleanup.h"
#include "strv.h"

char *json_dup_str(json_t *o, const char *key, const char *def)
{
    const char *v = json_string_value(json_object_get(o, key));
    if (v == NULL)
        v = def;
    return v ? strdup(v) : NULL;
}

char **json_dup_strv(json_t *o, const char *key)
{
    char **v = calloc(1, sizeof(char *));
    json_t *a = json_object_get(o, key);
    size_t i;
    json_t *item;
    json_array_foreach(a, i, item)
    {
        const char *s = json_string_value(item);
        if (v != NULL && s != NULL && wc_strv_push(&v, s) < 0)
            wc_strv_free(take_ptr(v));
    }
    return v;
}

char **json_dup_map(json_t *o, const char *key)
{
    char **v = calloc(1, sizeof(char *));
    json_t *m = json_object_get(o, key);
    const char *k;
    json_t *val;
    json_object_foreach(m, k, val)
    {
        const char *s = json_string_value(val);
        if (v != NULL && s != NULL && (wc_strv_push(&v, k) < 0 || wc_strv_push(&v, s) < 0))
            wc_strv_free(take_ptr(v));
    }
    return v;
}
