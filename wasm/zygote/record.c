/* The user codec, ids, timestamps and selectors of the sandbox's records (see record.h). */
#include "record.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "json_util.h"

static int user_encode(json_t *o, const char *key, const void *value)
{
    const wc_user *u = value;
    json_t *groups = json_array();
    for (uint32_t i = 0; groups && i < u->n_groups && i < WC_MAX_GROUPS; i++)
        if (json_array_append_new(groups, json_integer(u->groups[i])) < 0) {
            json_decref(groups);
            groups = NULL;
        }
    json_t *v = groups ? json_pack("{s:I, s:I, s:o}", "uid", (json_int_t)u->uid, "gid",
                                   (json_int_t)u->gid, "groups", groups)
                       : NULL;
    return wc_json_set_new(o, key, v);
}

static uint32_t id_value(const json_t *v)
{
    json_int_t n = json_integer_value(v);
    return n >= 0 && n <= UINT32_MAX ? (uint32_t)n : 0;
}

static int user_decode(const json_t *o, const char *key, void *value)
{
    wc_user *u = value;
    const json_t *v = json_object_get(o, key);
    const json_t *groups = json_object_get(v, "groups");
    memset(u, 0, sizeof(*u));
    u->uid = id_value(json_object_get(v, "uid"));
    u->gid = id_value(json_object_get(v, "gid"));
    for (size_t i = 0; i < json_array_size(groups) && i < WC_MAX_GROUPS; i++)
        u->groups[u->n_groups++] = id_value(json_array_get(groups, i));
    return 0;
}

const wc_field_codec wc_user_codec = {
    .size = sizeof(wc_user), .encode = user_encode, .decode = user_decode};

const char *rec_dir(const char *parent, const char *id, char *buf, size_t n)
{
    if (*parent == '\0')
        return "";
    snprintf(buf, n, "%s/%s", parent, id);
    return buf;
}

void rec_dir_to_parent(char *parent, const char *id)
{
    size_t len = strlen(parent);
    char *slash = len > WC_ID_LEN ? parent + len - WC_ID_LEN - 1 : NULL;
    if (slash && *slash == '/' && strcmp(slash + 1, id) == 0)
        *slash = '\0';
    else
        *parent = '\0';
}

int rec_decode(const wc_record_desc *d, const char *what, const char *json, size_t len,
               void **ret_rec, wc_error *err)
{
    json_error_t jerr;
    json_t *o = json_loadb(json, len, 0, &jerr);
    const char *id = json_string_value(json_object_get(o, "id"));
    int rc = 0;
    if (!json_is_object(o))
        rc = wc_error_set(err, -EINVAL, "%s record is not a JSON object: %s", what, jerr.text);
    else if (id == NULL || strlen(id) != WC_ID_LEN)
        rc = wc_error_set(err, -EINVAL, "%s record without a 64-digit id", what);
    else if ((*ret_rec = wc_record_load(d, o)) == NULL)
        rc = wc_error_set(err, -ENOMEM, "out of memory");
    json_decref(o);
    return rc;
}

int rec_new_id(char out[WC_ID_SIZE])
{
    unsigned char raw[32];
    if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
        return -EIO;
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof(raw); i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[WC_ID_LEN] = '\0';
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
