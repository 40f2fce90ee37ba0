/* jansson helpers shared by every codec (see json_util.h). */
#include "json_util.h"

#include <errno.h>
#include <string.h>

#include "cleanup.h"
#include "strv.h"

int wc_json_set_new(json_t *o, const char *key, json_t *v)
{
    if (v == NULL || json_object_set_new(o, key, v) < 0)
        return -ENOMEM;
    return 0;
}

int wc_json_set_str(json_t *o, const char *key, const char *value)
{
    return wc_json_set_new(o, key, json_string(value ? value : ""));
}

int wc_json_set_int(json_t *o, const char *key, int64_t value)
{
    return wc_json_set_new(o, key, json_integer(value));
}

int wc_json_set_bool(json_t *o, const char *key, bool value)
{
    return wc_json_set_new(o, key, json_boolean(value));
}

int wc_json_set_strv(json_t *o, const char *key, char *const *v)
{
    json_t *a = json_array();
    for (size_t i = 0; a && v && v[i]; i++)
        if (json_array_append_new(a, json_string(v[i])) < 0) {
            json_decref(a);
            a = NULL;
        }
    return wc_json_set_new(o, key, a);
}

char *wc_json_dup_str(const json_t *o, const char *key, const char *def)
{
    const char *v = json_string_value(json_object_get(o, key));
    if (v == NULL)
        v = def;
    return v ? strdup(v) : NULL;
}

char **wc_json_dup_strv(const json_t *o, const char *key)
{
    const json_t *a = json_object_get(o, key);
    size_t n = json_is_array(a) ? json_array_size(a) : 0, j = 0;
    char **v = calloc(n + 1, sizeof(char *)); /* sized once: linear in the array */
    for (size_t i = 0; v != NULL && i < n; i++) {
        const char *s = json_string_value(json_array_get(a, i));
        if (s != NULL && (v[j++] = strdup(s)) == NULL)
            wc_strv_free(take_ptr(v));
    }
    return v;
}

char **wc_json_dup_map(const json_t *o, const char *key)
{
    wc_strv_builder b = {0};
    json_t *m = json_object_get(o, key);
    const char *k;
    json_t *val;
    json_object_foreach(m, k, val)
    {
        const char *s = json_string_value(val);
        if (s != NULL && (wc_strv_builder_add(&b, k) < 0 || wc_strv_builder_add(&b, s) < 0)) {
            wc_strv_builder_clear(&b);
            return NULL;
        }
    }
    return wc_strv_builder_take(&b);
}

int64_t wc_json_int(const json_t *o, const char *key, int64_t def)
{
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? json_integer_value(v) : def;
}

bool wc_json_bool(const json_t *o, const char *key)
{
    return json_is_true(json_object_get(o, key));
}

const char *wc_json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

static bool has_type(const json_t *v, wc_json_type want)
{
    switch (want) {
    case WC_JSON_OBJECT:
        return json_is_object(v);
    case WC_JSON_ARRAY:
    case WC_JSON_STRINGS:
        return json_is_array(v);
    case WC_JSON_STRING:
        return json_is_string(v);
    case WC_JSON_BOOL:
        return json_is_boolean(v);
    case WC_JSON_INTEGER:
        return json_is_integer(v);
    }
    return false;
}

int wc_json_check_type(const json_t *v, wc_json_type want, const char *path, wc_error *err)
{
    static const char *const wanted[] = {"an object",           "an array",  "a string",
                                         "an array of strings", "a boolean", "an integer"};
    if (!has_type(v, want))
        return wc_error_set(err, -EINVAL, "%s is %s, not %s", path, wc_json_type_name(v),
                            wanted[want]);
    for (size_t i = 0; want == WC_JSON_STRINGS && i < json_array_size(v); i++) {
        const json_t *item = json_array_get(v, i);
        if (!json_is_string(item))
            return wc_error_set(err, -EINVAL, "%s[%zu] is %s, not a string", path, i,
                                wc_json_type_name(item));
    }
    return 0;
}
