/* JSON codec helpers for pod and container records (see record.h). */
#include "record.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "cleanup.h"
#include "strv.h"

static int set_new(json_t *o, const char *key, json_t *v)
{
    if (v == NULL || json_object_set_new(o, key, v) < 0)
        return -ENOMEM;
    return 0;
}

int rec_set_str(json_t *o, const char *key, const char *value)
{
    return set_new(o, key, json_string(value ? value : ""));
}

int rec_set_int(json_t *o, const char *key, int64_t value)
{
    return set_new(o, key, json_integer(value));
}

int rec_set_bool(json_t *o, const char *key, bool value)
{
    return set_new(o, key, json_boolean(value));
}

int rec_set_strv(json_t *o, const char *key, char *const *v)
{
    json_t *a = json_array();
    if (a == NULL)
        return -ENOMEM;
    for (size_t i = 0; v && v[i]; i++)
        if (json_array_append_new(a, json_string(v[i])) < 0) {
            json_decref(a);
            return -ENOMEM;
        }
    return set_new(o, key, a);
}

char *rec_dup_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return strdup(s ? s : "");
}

char **rec_dup_strv(const json_t *o, const char *key)
{
    char **v = calloc(1, sizeof(char *));
    json_t *a = json_object_get(o, key);
    size_t i;
    json_t *item;
    if (v == NULL)
        return NULL;
    json_array_foreach(a, i, item)
    {
        const char *s = json_string_value(item);
        if (wc_strv_push(&v, s ? s : "") < 0) {
            for (char **p = v; *p; p++)
                free(*p);
            free(v);
            return NULL;
        }
    }
    return v;
}

int64_t rec_int(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

bool rec_bool(const json_t *o, const char *key)
{
    return json_is_true(json_object_get(o, key));
}

int rec_set_user(json_t *o, const char *key, const wc_user *u)
{
    json_t *groups = json_array();
    for (uint32_t i = 0; groups && i < u->n_groups && i < WC_MAX_GROUPS; i++)
        if (json_array_append_new(groups, json_integer(u->groups[i])) < 0) {
            json_decref(groups);
            groups = NULL;
        }
    json_t *v = groups ? json_pack("{s:I, s:I, s:o}", "uid", (json_int_t)u->uid, "gid",
                                   (json_int_t)u->gid, "groups", groups)
                       : NULL;
    return v && json_object_set_new(o, key, v) == 0 ? 0 : -ENOMEM;
}

static uint32_t id_value(const json_t *v)
{
    json_int_t n = json_integer_value(v);
    return n >= 0 && n <= UINT32_MAX ? (uint32_t)n : 0;
}

void rec_user(const json_t *o, const char *key, wc_user *u)
{
    const json_t *v = json_object_get(o, key);
    const json_t *groups = json_object_get(v, "groups");
    memset(u, 0, sizeof(*u));
    u->uid = id_value(json_object_get(v, "uid"));
    u->gid = id_value(json_object_get(v, "gid"));
    for (size_t i = 0; i < json_array_size(groups) && i < WC_MAX_GROUPS; i++)
        u->groups[u->n_groups++] = id_value(json_array_get(groups, i));
}

int rec_new_id(char out[65])
{
    unsigned char raw[32];
    if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
        return -EIO;
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof(raw); i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[64] = '\0';
    return 0;
}

int64_t rec_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static const char *map_get(char *const *map, const char *key)
{
    for (size_t i = 0; map && map[i] && map[i + 1]; i += 2)
        if (strcmp(map[i], key) == 0)
            return map[i + 1];
    return NULL;
}

bool rec_map_matches(char *const *map, char *const *selector)
{
    for (size_t i = 0; selector && selector[i] && selector[i + 1]; i += 2) {
        const char *v = map_get(map, selector[i]);
        if (v == NULL || strcmp(v, selector[i + 1]) != 0)
            return false;
    }
    return true;
}
