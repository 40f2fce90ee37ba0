/* Records described once. A record struct (a pod, a container, a worker spec, an image)
 * gets one table of its stored fields, {JSON key, offset, kind}; the functions below
 * read that table to make an empty record, free, encode, decode and deep-copy it, so
 * adding a field is one line in the table (and the member in the struct).
 *
 *   static const wc_field pod_fields[] = {
 *       WC_F_STR(wc_pod, name, "name"),
 *       WC_F_STRV(wc_pod, labels, "labels"),
 *   };
 *   static const wc_record_desc pod_desc = WC_RECORD_DESC(wc_pod, pod_fields);
 *
 * Each WC_F_* macro checks at compile time that the member has the C type its kind
 * needs. Strings (char *) and string lists (char **, NULL-terminated) are never NULL
 * in a record made, decoded or copied here. Decoding is lenient: a missing or
 * mistyped value reads as "", an empty list, false, or the field's fallback, so a
 * record written by an older wasmcri still loads; only -ENOMEM is returned. A member
 * that is not in the table (runtime-only state) is left zero by decode and copy.
 */
#ifndef WASMCRI_COMMON_RECORD_TABLE_H
#define WASMCRI_COMMON_RECORD_TABLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A record id: 64 hex digits and the NUL. */
#define WC_ID_LEN 64
#define WC_ID_SIZE (WC_ID_LEN + 1)

typedef enum wc_field_kind {
    WC_FIELD_ID,     /* char[WC_ID_SIZE] */
    WC_FIELD_STR,    /* char *, never NULL */
    WC_FIELD_STRV,   /* char **, NULL-terminated, never NULL */
    WC_FIELD_BOOL,   /* bool */
    WC_FIELD_INT,    /* int */
    WC_FIELD_U32,    /* uint32_t */
    WC_FIELD_I64,    /* int64_t */
    WC_FIELD_U64,    /* uint64_t */
    WC_FIELD_ENUM,   /* an int-sized enum, stored as its number: 0..max, anything else fallback */
    WC_FIELD_NAMED,  /* an int-sized enum stored by name: names[value]; unknown names read as 0 */
    WC_FIELD_ARRAY,  /* T * and a size_t count: a JSON array of records of elem's table */
    WC_FIELD_CUSTOM, /* a value coded by codec (memcpy copies it unless codec->copy) */
} wc_field_kind;

typedef struct wc_record_desc wc_record_desc;

/* The coder of a WC_FIELD_CUSTOM value. decode must give a valid value for any JSON; on
 * -ENOMEM it leaves one that clear can take. A value that holds a reference has copy (dst
 * zeroed; 0 or -ENOMEM, then dst as decode leaves it) and clear (lets it go; a zeroed value
 * too); without them memcpy copies it and clearing leaves it. */
typedef struct wc_field_codec {
    size_t size;
    int (*encode)(json_t *o, const char *key, const void *value); /* 0 or -ENOMEM */
    int (*decode)(const json_t *o, const char *key, void *value); /* 0 or -ENOMEM */
    int (*copy)(void *dst, const void *src);
    void (*clear)(void *value);
} wc_field_codec;

typedef struct wc_field {
    const char *key;
    size_t offset;
    wc_field_kind kind;
    int64_t fallback;            /* the integer kinds: the value of a missing/bad one */
    int64_t max;                 /* WC_FIELD_ENUM */
    const char *const *names;    /* WC_FIELD_NAMED: NULL-terminated */
    const wc_record_desc *elem;  /* WC_FIELD_ARRAY: the elements' table */
    size_t count_offset;         /* WC_FIELD_ARRAY: where its size_t count is */
    const wc_field_codec *codec; /* WC_FIELD_CUSTOM */
    bool changes; /* STR, STRV: set again once the record is packed, so never packed */
    bool shared;  /* STR, STRV of a record (not of an array's element): interned when packed */
    /* a shared STRV: its items that start with this are the record's own, packed with it */
    const char *own_prefix;
} wc_field;

struct wc_record_desc {
    size_t size; /* sizeof the struct */
    const wc_field *fields;
    size_t n_fields;
    /* WC_RECORD_DESC_PACKED: the struct's size_t member that holds the length of the block
     * wc_record_pack made (0: not packed) is at packed_offset - 1 */
    size_t packed_offset;
};

#define WC_RECORD_DESC(T, fields_)                                                                 \
    {                                                                                              \
        .size = sizeof(T), .fields = fields_, .n_fields = sizeof(fields_) / sizeof(fields_[0])     \
    }
/* A table whose records wc_record_pack can pack; T.m is a size_t left out of the table. */
#define WC_RECORD_DESC_PACKED(T, fields_, m)                                                       \
    {                                                                                              \
        .size = sizeof(T), .fields = fields_, .n_fields = sizeof(fields_) / sizeof(fields_[0]),    \
        .packed_offset = WC_OFFSET_TYPED(T, m, size_t) + 1                                         \
    }

/* offsetof(T, m), failing to compile unless T.m has type C (or, for WC_F_ID, size C). */
#define WC_OFFSET_TYPED(T, m, C) (offsetof(T, m) + 0 * sizeof(_Generic(((T *)0)->m, C : 1)))
#define WC_OFFSET_SIZED(T, m, n)                                                                   \
    (offsetof(T, m) + 0 * sizeof(char[sizeof(((T *)0)->m) == (n) ? 1 : -1]))

#define WC_FIELD_AT(key_, offset_, kind_, ...)                                                     \
    {                                                                                              \
        .key = key_, .offset = offset_, .kind = kind_, __VA_ARGS__                                 \
    }
#define WC_F_ID(T, m, key) WC_FIELD_AT(key, WC_OFFSET_SIZED(T, m, WC_ID_SIZE), WC_FIELD_ID)
#define WC_F_STR(T, m, key) WC_FIELD_AT(key, WC_OFFSET_TYPED(T, m, char *), WC_FIELD_STR)
#define WC_F_STRV(T, m, key) WC_FIELD_AT(key, WC_OFFSET_TYPED(T, m, char **), WC_FIELD_STRV)
/* A string or list set again after the record is packed (wc_record_set_*): its own allocation. */
#define WC_F_STR_CHANGES(T, m, key)                                                                \
    WC_FIELD_AT(key, WC_OFFSET_TYPED(T, m, char *), WC_FIELD_STR, .changes = true)
/* A string that many records hold alike: packing interns it (common/intern.h). */
#define WC_F_STR_SHARED(T, m, key)                                                                 \
    WC_FIELD_AT(key, WC_OFFSET_TYPED(T, m, char *), WC_FIELD_STR, .shared = true)
/* A list whose items many records hold alike (an image's env): packing interns each item. */
#define WC_F_STRV_SHARED(T, m, key)                                                                \
    WC_FIELD_AT(key, WC_OFFSET_TYPED(T, m, char **), WC_FIELD_STRV, .shared = true)
/* The same, but for items starting with prefix, which each record has its own of (a
 * container's HOSTNAME=<its pod>: interned, one would cost more than the copy it saves). */
#define WC_F_STRV_SHARED_BUT(T, m, key, prefix)                                                    \
    WC_FIELD_AT(key, WC_OFFSET_TYPED(T, m, char **), WC_FIELD_STRV, .shared = true,                \
                .own_prefix = prefix)
#define WC_F_STRV_CHANGES(T, m, key)                                                               \
    WC_FIELD_AT(key, WC_OFFSET_TYPED(T, m, char **), WC_FIELD_STRV, .changes = true)
#define WC_F_BOOL(T, m, key) WC_FIELD_AT(key, WC_OFFSET_TYPED(T, m, bool), WC_FIELD_BOOL)
#define WC_F_INT(T, m, key) WC_FIELD_AT(key, WC_OFFSET_TYPED(T, m, int), WC_FIELD_INT)
#define WC_F_U32(T, m, key) WC_FIELD_AT(key, WC_OFFSET_TYPED(T, m, uint32_t), WC_FIELD_U32)
#define WC_F_I64(T, m, key) WC_FIELD_AT(key, WC_OFFSET_TYPED(T, m, int64_t), WC_FIELD_I64)
#define WC_F_U64(T, m, key) WC_FIELD_AT(key, WC_OFFSET_TYPED(T, m, uint64_t), WC_FIELD_U64)
/* An int64_t that reads as fb when missing. */
#define WC_F_I64_OR(T, m, key, fb)                                                                 \
    WC_FIELD_AT(key, WC_OFFSET_TYPED(T, m, int64_t), WC_FIELD_I64, .fallback = fb)
/* An enum valid from 0 to max; anything else reads as fb. */
#define WC_F_ENUM(T, m, key, max_, fb)                                                             \
    WC_FIELD_AT(key, WC_OFFSET_SIZED(T, m, sizeof(int)), WC_FIELD_ENUM, .max = max_, .fallback = fb)
/* An enum stored as names_[value] (a NULL-terminated list). */
#define WC_F_NAMED(T, m, key, names_)                                                              \
    WC_FIELD_AT(key, WC_OFFSET_SIZED(T, m, sizeof(int)), WC_FIELD_NAMED, .names = names_)
/* T.m points to T.n records of elem_'s table. */
#define WC_F_ARRAY(T, m, n, key, elem_)                                                            \
    WC_FIELD_AT(key, offsetof(T, m), WC_FIELD_ARRAY, .elem = elem_,                                \
                .count_offset = WC_OFFSET_TYPED(T, n, size_t))
#define WC_F_CUSTOM(T, m, key, codec_)                                                             \
    WC_FIELD_AT(key, offsetof(T, m), WC_FIELD_CUSTOM, .codec = codec_)

/* Every string "", every list empty, numbers 0 (the struct must be zeroed). 0 or -ENOMEM;
 * on failure rec holds what was made so far: wc_record_clear frees it. */
int wc_record_init(const wc_record_desc *d, void *rec);
/* Frees what the record's fields own (not rec itself) and zeroes them. */
void wc_record_clear(const wc_record_desc *d, void *rec);
/* Sets every field of the table as a key of o. 0 or -ENOMEM. */
int wc_record_to_json(const wc_record_desc *d, const void *rec, json_t *o);
/* The same without the fields at their default (an empty string, list or array, false, the
 * fallback), which wc_record_from_json gives back as they were. 0 or -ENOMEM. */
int wc_record_to_json_set(const wc_record_desc *d, const void *rec, json_t *o);
/* Fills a zeroed rec from o (any JSON). 0 or -ENOMEM (then as wc_record_init). */
int wc_record_from_json(const wc_record_desc *d, const json_t *o, void *rec);
/* Deep-copies src's fields into a zeroed dst. 0 or -ENOMEM (then as wc_record_init). */
int wc_record_copy(const wc_record_desc *d, void *dst, const void *src);

/* The same on malloc'd records: NULL on ENOMEM. */
void *wc_record_new(const wc_record_desc *d);
void *wc_record_dup(const wc_record_desc *d, const void *src);
void *wc_record_load(const wc_record_desc *d, const json_t *o); /* from o, as from_json */
void wc_record_free(const wc_record_desc *d, void *rec);        /* NULL is fine */
/* Replace a string (NULL → "") or string-list field, freeing the old value; -ENOMEM
 * leaves it unchanged. While a WC_F_*_CHANGES field is empty (made, decoded or copied so)
 * it points at an empty string or list that all records share: free such a field only
 * with these calls, wc_record_free_str or wc_record_free_strv. */
int wc_record_set_str(char **field, const char *value);
int wc_record_set_strv(char ***field, char *const *value);
void wc_record_free_str(char *s);   /* free(s) unless s is the shared empty string */
void wc_record_free_strv(char **v); /* wc_strv_free(v) unless v is the shared empty list */

/* record_pack.c: a malloc'd record of a WC_RECORD_DESC_PACKED table moved into one
 * allocation: the struct, then every string, list and array of its fields (those of
 * WC_F_*_CHANGES fields stay their own allocations, those of WC_F_STR_SHARED fields and
 * the items of WC_F_STRV_SHARED lists are interned: common/intern.h). Returns the packed record and
 * frees rec, or NULL on ENOMEM with rec unchanged; a packed rec is returned as it is. A packed
 * record reads, copies (the copy is not packed) and frees (wc_record_free) as before, but
 * its packed fields must not be set again. At 10,000 containers the daemon kept each
 * record's ~50 strings as ~50 allocations: ~1.5 KiB of malloc overhead per container, and
 * as many cache misses per record in every list (issue 18). */
void *wc_record_pack(const wc_record_desc *d, void *rec);
/* Replaces a WC_F_STR_SHARED field of rec: with its interned copy once rec is packed, else
 * as wc_record_set_str; -ENOMEM leaves it unchanged. */
int wc_record_set_shared(const wc_record_desc *d, void *rec, char **field, const char *value);
/* Whether p points into rec's packed block (never true for a record not packed). */
bool wc_record_in_pack(const wc_record_desc *d, const void *rec, const void *p);
/* Lets go of the interned ones among the first n items (SIZE_MAX: all) of v, the list of a
 * WC_F_STRV_SHARED field f in a packed block: a pack's undoing, a packed record's clear. */
void wc_record_drop_items(const wc_field *f, char **v, size_t n);

/* The record as compact JSON text (malloc'd), NULL on ENOMEM: wc_record_to_json_set's object. */
char *wc_record_encode(const wc_record_desc *d, const void *rec);

#endif
