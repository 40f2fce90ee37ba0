/* The table-driven record functions (see record_table.h): one switch per operation
 * over the field kinds, so a new record or field needs no new code here. */
#include "record_table.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "intern.h"
#include "json_util.h"
#include "strv.h"

#define AT(rec, f, T) ((__typeof__(T) *)((char *)(rec) + (f)->offset))
#define AT_C(rec, f, T) ((const __typeof__(T) *)((const char *)(rec) + (f)->offset))

static size_t *count_at(void *rec, const wc_field *f)
{
    return (size_t *)((char *)rec + f->count_offset);
}

static size_t count_of(const void *rec, const wc_field *f)
{
    return *(const size_t *)((const char *)rec + f->count_offset);
}

static void *elem_at(void *base, const wc_field *f, size_t i)
{
    return (char *)base + i * f->elem->size;
}

/* An array of n zeroed elements (one when n is 0, so it is never NULL). */
static void *new_array(const wc_field *f, size_t n)
{
    return calloc(n ? n : 1, f->elem->size);
}

/* The empty string and list that the WC_F_*_CHANGES fields share while they are empty, so
 * that an idle record holds no allocation for them (a container's reason and message, a
 * pod's cni_state and ips: 32 bytes of heap each; issue 18). Never written nor freed. */
static char no_str[1];
static char *no_strv[1];

void wc_record_free_str(char *s)
{
    if (s != no_str)
        free(s);
}

void wc_record_free_strv(char **v)
{
    if (v != no_strv)
        wc_strv_free(v);
}

/* A changing field's copy of s (the shared empty one for ""); NULL on ENOMEM. */
static char *changing_str(const char *s)
{
    return s == NULL || *s == '\0' ? no_str : strdup(s);
}

static int64_t enum_value(const wc_field *f, int64_t v)
{
    return v >= 0 && v <= f->max ? v : f->fallback;
}

int wc_record_init(const wc_record_desc *d, void *rec)
{
    for (size_t i = 0; i < d->n_fields; i++) {
        const wc_field *f = &d->fields[i];
        if (f->kind == WC_FIELD_STR &&
            (*AT(rec, f, char *) = f->changes ? no_str : strdup("")) == NULL)
            return -ENOMEM;
        if (f->kind == WC_FIELD_STRV &&
            (*AT(rec, f, char **) = f->changes ? no_strv : calloc(1, sizeof(char *))) == NULL)
            return -ENOMEM;
        if (f->kind == WC_FIELD_ARRAY && (*AT(rec, f, void *) = new_array(f, 0)) == NULL)
            return -ENOMEM;
    }
    return 0;
}

/* Frees p unless it is in the packed block of top (the record being cleared) or one of the
 * shared empty ones. */
static void free_unpacked(const wc_record_desc *top_d, const void *top, void *p)
{
    if (!wc_record_in_pack(top_d, top, p))
        wc_record_free_str(p);
}

/* wc_record_clear of rec, a part of the record top (or top itself). */
static void clear_in(const wc_record_desc *d, void *rec, const wc_record_desc *top_d,
                     const void *top)
{
    for (size_t i = 0; i < d->n_fields; i++) {
        const wc_field *f = &d->fields[i];
        if (f->kind == WC_FIELD_STR && f->shared && wc_record_in_pack(top_d, top, top))
            wc_intern_drop(take_ptr(*AT(rec, f, char *))); /* packing interned it */
        else if (f->kind == WC_FIELD_STR)
            free_unpacked(top_d, top, take_ptr(*AT(rec, f, char *)));
        else if (f->kind == WC_FIELD_STRV) {
            char **v = take_ptr(*AT(rec, f, char **));
            if (!wc_record_in_pack(top_d, top, v))
                wc_record_free_strv(v);
            else if (f->shared) /* packing interned its items, but those it copied */
                wc_record_drop_items(f, v, SIZE_MAX);
        } else if (f->kind == WC_FIELD_ARRAY) {
            void *a = take_ptr(*AT(rec, f, void *));
            for (size_t j = 0; a && j < count_of(rec, f); j++)
                clear_in(f->elem, elem_at(a, f, j), top_d, top);
            *count_at(rec, f) = 0;
            free_unpacked(top_d, top, a);
        } else if (f->kind == WC_FIELD_CUSTOM && f->codec->clear)
            f->codec->clear(AT(rec, f, void));
    }
}

void wc_record_clear(const wc_record_desc *d, void *rec)
{
    clear_in(d, rec, d, rec);
    if (d->packed_offset)
        *(size_t *)((char *)rec + d->packed_offset - 1) = 0;
}

static int array_to_json(const wc_field *f, const void *rec, json_t *o)
{
    json_t *a = json_array();
    const void *base = *AT_C(rec, f, void *);
    for (size_t j = 0; a && j < count_of(rec, f); j++) {
        json_t *e = json_object();
        if (e == NULL || wc_record_to_json(f->elem, elem_at((void *)base, f, j), e) < 0 ||
            json_array_append_new(a, e) < 0) {
            json_decref(e);
            json_decref(a);
            a = NULL;
        }
    }
    return wc_json_set_new(o, f->key, a);
}

static int field_to_json(const wc_field *f, const void *rec, json_t *o)
{
    switch (f->kind) {
    case WC_FIELD_ID:
        return wc_json_set_str(o, f->key, AT_C(rec, f, char));
    case WC_FIELD_STR:
        return wc_json_set_str(o, f->key, *AT_C(rec, f, char *));
    case WC_FIELD_STRV:
        return wc_json_set_strv(o, f->key, *AT_C(rec, f, char **));
    case WC_FIELD_BOOL:
        return wc_json_set_bool(o, f->key, *AT_C(rec, f, bool));
    case WC_FIELD_INT:
    case WC_FIELD_ENUM:
        return wc_json_set_int(o, f->key, *AT_C(rec, f, int));
    case WC_FIELD_U32:
        return wc_json_set_int(o, f->key, *AT_C(rec, f, uint32_t));
    case WC_FIELD_I64:
        return wc_json_set_int(o, f->key, *AT_C(rec, f, int64_t));
    case WC_FIELD_U64:
        return wc_json_set_int(o, f->key, (int64_t)*AT_C(rec, f, uint64_t));
    case WC_FIELD_NAMED: {
        int v = *AT_C(rec, f, int);
        size_t n = wc_strv_len((char *const *)f->names);
        return wc_json_set_str(o, f->key, v >= 0 && (size_t)v < n ? f->names[v] : "unknown");
    }
    case WC_FIELD_ARRAY:
        return array_to_json(f, rec, o);
    case WC_FIELD_CUSTOM:
        return f->codec->encode(o, f->key, AT_C(rec, f, void));
    }
    return -EINVAL;
}

/* Whether the field holds what decoding a record without it gives (its kind's empty value or
 * its fallback): wc_record_encode leaves it out. A custom value is always written. */
static bool at_default(const wc_field *f, const void *rec)
{
    switch (f->kind) {
    case WC_FIELD_ID:
        return *AT_C(rec, f, char) == '\0';
    case WC_FIELD_STR:
        return *AT_C(rec, f, char *) == NULL || **AT_C(rec, f, char *) == '\0';
    case WC_FIELD_STRV:
        return *AT_C(rec, f, char **) == NULL || **AT_C(rec, f, char **) == NULL;
    case WC_FIELD_BOOL:
        return !*AT_C(rec, f, bool);
    case WC_FIELD_INT:
    case WC_FIELD_ENUM:
        return *AT_C(rec, f, int) == f->fallback;
    case WC_FIELD_U32:
        return *AT_C(rec, f, uint32_t) == (uint32_t)f->fallback;
    case WC_FIELD_I64:
        return *AT_C(rec, f, int64_t) == f->fallback;
    case WC_FIELD_U64:
        return *AT_C(rec, f, uint64_t) == (uint64_t)f->fallback;
    case WC_FIELD_NAMED:
        return *AT_C(rec, f, int) == 0;
    case WC_FIELD_ARRAY:
        return count_of(rec, f) == 0;
    case WC_FIELD_CUSTOM:
        return false;
    }
    return false;
}

/* The fields of the table as keys of o: all, or those not at their default. */
static int fields_to_json(const wc_record_desc *d, const void *rec, json_t *o, bool all)
{
    for (size_t i = 0; i < d->n_fields; i++) {
        const wc_field *f = &d->fields[i];
        int rc = all || !at_default(f, rec) ? field_to_json(f, rec, o) : 0;
        if (rc < 0)
            return rc;
    }
    return 0;
}

int wc_record_to_json(const wc_record_desc *d, const void *rec, json_t *o)
{
    return fields_to_json(d, rec, o, true);
}

/* A container's record has ~20 fields at their default of its ~40, and building and dumping the
 * tree of each record written was ~8% of the daemon's CPU per start (issue 18). */
int wc_record_to_json_set(const wc_record_desc *d, const void *rec, json_t *o)
{
    return fields_to_json(d, rec, o, false);
}

static int array_from_json(const wc_field *f, const json_t *o, void *rec)
{
    json_t *a = json_object_get(o, f->key);
    size_t n = json_array_size(a);
    void *base = new_array(f, n);
    if (base == NULL)
        return -ENOMEM;
    *AT(rec, f, void *) = base;
    for (size_t j = 0; j < n; j++) {
        (*count_at(rec, f))++;
        int rc = wc_record_from_json(f->elem, json_array_get(a, j), elem_at(base, f, j));
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int named_value(const wc_field *f, const json_t *o)
{
    const char *s = json_string_value(json_object_get(o, f->key));
    for (int v = 0; s && f->names[v]; v++)
        if (strcmp(s, f->names[v]) == 0)
            return v;
    return 0;
}

static int field_from_json(const wc_field *f, const json_t *o, void *rec)
{
    switch (f->kind) {
    case WC_FIELD_ID: {
        const char *s = json_string_value(json_object_get(o, f->key));
        snprintf(AT(rec, f, char), WC_ID_SIZE, "%s", s && strlen(s) <= WC_ID_LEN ? s : "");
        return 0;
    }
    case WC_FIELD_STR:
        if (f->changes)
            return (*AT(rec, f, char *) =
                        changing_str(json_string_value(json_object_get(o, f->key))))
                       ? 0
                       : -ENOMEM;
        return (*AT(rec, f, char *) = wc_json_dup_str(o, f->key, "")) ? 0 : -ENOMEM;
    case WC_FIELD_STRV:
        if (f->changes && json_array_size(json_object_get(o, f->key)) == 0)
            return *AT(rec, f, char **) = no_strv, 0;
        return (*AT(rec, f, char **) = wc_json_dup_strv(o, f->key)) ? 0 : -ENOMEM;
    case WC_FIELD_BOOL:
        *AT(rec, f, bool) = wc_json_bool(o, f->key);
        return 0;
    case WC_FIELD_INT:
        *AT(rec, f, int) = (int)wc_json_int(o, f->key, f->fallback);
        return 0;
    case WC_FIELD_ENUM:
        *AT(rec, f, int) = (int)enum_value(f, wc_json_int(o, f->key, f->fallback));
        return 0;
    case WC_FIELD_U32:
        *AT(rec, f, uint32_t) = (uint32_t)wc_json_int(o, f->key, f->fallback);
        return 0;
    case WC_FIELD_I64:
        *AT(rec, f, int64_t) = wc_json_int(o, f->key, f->fallback);
        return 0;
    case WC_FIELD_U64:
        *AT(rec, f, uint64_t) = (uint64_t)wc_json_int(o, f->key, f->fallback);
        return 0;
    case WC_FIELD_NAMED:
        *AT(rec, f, int) = named_value(f, o);
        return 0;
    case WC_FIELD_ARRAY:
        return array_from_json(f, o, rec);
    case WC_FIELD_CUSTOM:
        return f->codec->decode(o, f->key, AT(rec, f, void));
    }
    return -EINVAL;
}

int wc_record_from_json(const wc_record_desc *d, const json_t *o, void *rec)
{
    for (size_t i = 0; i < d->n_fields; i++) {
        int rc = field_from_json(&d->fields[i], o, rec);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int array_copy(const wc_field *f, void *dst, const void *src)
{
    size_t n = count_of(src, f);
    const void *from = *AT_C(src, f, void *);
    void *base = new_array(f, n);
    if (base == NULL)
        return -ENOMEM;
    *AT(dst, f, void *) = base;
    for (size_t j = 0; j < n; j++) {
        (*count_at(dst, f))++;
        int rc = wc_record_copy(f->elem, elem_at(base, f, j), elem_at((void *)from, f, j));
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int field_copy(const wc_field *f, void *dst, const void *src)
{
    switch (f->kind) {
    case WC_FIELD_STR: {
        const char *s = *AT_C(src, f, char *);
        return (*AT(dst, f, char *) = f->changes ? changing_str(s) : strdup(s ? s : "")) ? 0
                                                                                         : -ENOMEM;
    }
    case WC_FIELD_STRV: {
        char *const *v = *AT_C(src, f, char **);
        if (f->changes && v[0] == NULL)
            return *AT(dst, f, char **) = no_strv, 0;
        return (*AT(dst, f, char **) = wc_strv_copy(v)) ? 0 : -ENOMEM;
    }
    case WC_FIELD_ARRAY:
        return array_copy(f, dst, src);
    case WC_FIELD_ID:
        memcpy(AT(dst, f, char), AT_C(src, f, char), WC_ID_SIZE);
        return 0;
    case WC_FIELD_BOOL:
        *AT(dst, f, bool) = *AT_C(src, f, bool);
        return 0;
    case WC_FIELD_INT:
    case WC_FIELD_ENUM:
    case WC_FIELD_NAMED:
        *AT(dst, f, int) = *AT_C(src, f, int);
        return 0;
    case WC_FIELD_U32:
        *AT(dst, f, uint32_t) = *AT_C(src, f, uint32_t);
        return 0;
    case WC_FIELD_I64:
    case WC_FIELD_U64:
        *AT(dst, f, int64_t) = *AT_C(src, f, int64_t);
        return 0;
    case WC_FIELD_CUSTOM:
        if (f->codec->copy)
            return f->codec->copy(AT(dst, f, void), AT_C(src, f, void));
        memcpy(AT(dst, f, char), AT_C(src, f, char), f->codec->size);
        return 0;
    }
    return -EINVAL;
}

int wc_record_copy(const wc_record_desc *d, void *dst, const void *src)
{
    for (size_t i = 0; i < d->n_fields; i++) {
        int rc = field_copy(&d->fields[i], dst, src);
        if (rc < 0)
            return rc;
    }
    return 0;
}

void wc_record_free(const wc_record_desc *d, void *rec)
{
    if (rec == NULL)
        return;
    wc_record_clear(d, rec);
    free(rec);
}

void *wc_record_new(const wc_record_desc *d)
{
    void *rec = calloc(1, d->size);
    if (rec != NULL && wc_record_init(d, rec) < 0)
        wc_record_free(d, take_ptr(rec));
    return rec;
}

void *wc_record_dup(const wc_record_desc *d, const void *src)
{
    void *rec = calloc(1, d->size);
    if (rec != NULL && wc_record_copy(d, rec, src) < 0)
        wc_record_free(d, take_ptr(rec));
    return rec;
}

void *wc_record_load(const wc_record_desc *d, const json_t *o)
{
    void *rec = calloc(1, d->size);
    if (rec != NULL && wc_record_from_json(d, o, rec) < 0)
        wc_record_free(d, take_ptr(rec));
    return rec;
}

char *wc_record_encode(const wc_record_desc *d, const void *rec)
{
    json_t *o = json_object();
    char *text = o && wc_record_to_json_set(d, rec, o) == 0 ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return text;
}

int wc_record_set_str(char **field, const char *value)
{
    char *copy = strdup(value ? value : "");
    if (copy == NULL)
        return -ENOMEM;
    wc_record_free_str(*field);
    *field = copy;
    return 0;
}

int wc_record_set_strv(char ***field, char *const *value)
{
    char **copy = wc_strv_copy(value);
    if (copy == NULL)
        return -ENOMEM;
    wc_record_free_strv(*field);
    *field = copy;
    return 0;
}
