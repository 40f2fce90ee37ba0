/* Conversions between protobuf-c CRI shapes and the sandbox's C shapes (see convert.h). */
#include "convert.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "service.h"
#include "strv.h"

typedef struct map_entry {
    ProtobufCMessage base;
    char *key;
    char *value;
} map_entry;

char **cri_map_to_kv(void *const *entries, size_t n)
{
    wc_strv_builder kv = {0};
    for (size_t i = 0; i < n; i++) {
        const map_entry *e = entries[i];
        if (wc_strv_builder_add(&kv, e->key) < 0 || wc_strv_builder_add(&kv, e->value) < 0) {
            wc_strv_builder_clear(&kv);
            return NULL;
        }
    }
    return wc_strv_builder_take(&kv);
}

void *cri_new(const ProtobufCMessageDescriptor *desc)
{
    ProtobufCMessage *m = malloc(desc->sizeof_message);
    if (m)
        protobuf_c_message_init(desc, m);
    return m;
}

void *cri_kept(void *m, int fill_rc)
{
    if (fill_rc == 0)
        return m;
    protobuf_c_message_free_unpacked(m, NULL);
    return NULL;
}

void cri_message_freep(ProtobufCMessage **m)
{
    if (*m != NULL)
        protobuf_c_message_free_unpacked(*m, NULL);
}

int cri_append(void ***items, size_t *n, size_t *cap, void *item)
{
    if (item && *n == *cap) {
        size_t grown = *cap ? *cap * 2 : 16;
        void **a = realloc(*items, grown * sizeof(void *));
        if (a == NULL) {
            protobuf_c_message_free_unpacked(item, NULL);
            return -ENOMEM;
        }
        *items = a;
        *cap = grown;
    }
    if (item == NULL)
        return -ENOMEM;
    (*items)[(*n)++] = item;
    return 0;
}

int cri_kv_to_map(char *const *kv, const ProtobufCMessageDescriptor *desc, void ***ret_entries,
                  size_t *ret_n)
{
    size_t n = wc_strv_len(kv) / 2;
    *ret_n = 0;
    *ret_entries = NULL;
    if (n == 0)
        return 0;
    void **out = calloc(n, sizeof(void *));
    if (out == NULL)
        return -ENOMEM;
    *ret_entries = out;
    for (size_t i = 0; i < n; i++) {
        map_entry *e = cri_new(desc);
        if (e == NULL)
            return -ENOMEM;
        out[(*ret_n)++] = e;
        e->key = cri_strdup(kv[2 * i]);
        e->value = cri_strdup(kv[2 * i + 1]);
        if (!e->key || !e->value)
            return -ENOMEM;
    }
    return 0;
}

char **cri_repeated_to_strv(char *const *items, size_t n)
{
    char **v = calloc(n + 1, sizeof(char *));
    for (size_t i = 0; v && i < n; i++) {
        v[i] = strdup(items[i]);
        if (v[i] == NULL) {
            wc_strv_free(v);
            return NULL;
        }
    }
    return v;
}

int cri_strv_to_repeated(char *const *v, char ***ret_items, size_t *ret_n)
{
    size_t n = wc_strv_len(v);
    *ret_n = 0;
    *ret_items = NULL;
    if (n == 0)
        return 0;
    char **out = calloc(n, sizeof(char *));
    if (out == NULL)
        return -ENOMEM;
    *ret_items = out;
    for (size_t i = 0; i < n; i++) {
        out[i] = strdup(v[i]);
        if (out[i] == NULL)
            return -ENOMEM;
        (*ret_n)++;
    }
    return 0;
}

/* "SIGRTMINPLUS3" <-> "SIGRTMIN+3", "SIGRTMAXMINUS2" <-> "SIGRTMAX-2"; others are the same. */
const char *cri_signal_name(int value, char *buf, size_t n)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&runtime__v1__signal__descriptor, value);
    if (v == NULL || value == RUNTIME__V1__SIGNAL__RUNTIME_DEFAULT)
        return NULL;
    const char *plus = strstr(v->name, "PLUS"), *minus = strstr(v->name, "MINUS");
    if (plus)
        snprintf(buf, n, "%.*s+%s", (int)(plus - v->name), v->name, plus + 4);
    else if (minus)
        snprintf(buf, n, "%.*s-%s", (int)(minus - v->name), v->name, minus + 5);
    else
        snprintf(buf, n, "%s", v->name);
    return buf;
}

int cri_signal_value(const char *name)
{
    char enum_name[32];
    const char *sign = strpbrk(name, "+-");
    if (sign)
        snprintf(enum_name, sizeof(enum_name), "%.*s%s%s", (int)(sign - name), name,
                 *sign == '+' ? "PLUS" : "MINUS", sign + 1);
    else
        snprintf(enum_name, sizeof(enum_name), "%s", name);
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value_by_name(&runtime__v1__signal__descriptor, enum_name);
    return v ? v->value : RUNTIME__V1__SIGNAL__RUNTIME_DEFAULT;
}

void cri_resources_from(const Runtime__V1__LinuxContainerResources *r, wc_resources *out)
{
    if (r == NULL)
        return;
    out->cpu_period = r->cpu_period;
    out->cpu_quota = r->cpu_quota;
    out->cpu_shares = r->cpu_shares;
    out->memory_limit = r->memory_limit_in_bytes;
}
