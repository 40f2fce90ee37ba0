/* Packed records (record_table.h: wc_record_pack): a record's struct and what its fields
 * point to, in one allocation. The block is laid out in two passes over the table, one
 * that measures and one that copies: the struct, then the word-aligned parts (string
 * lists' pointer arrays, arrays of records), then the characters of every string, with
 * all empty strings sharing one byte. A field marked WC_F_*_CHANGES keeps its pointer; one
 * marked WC_F_STR_SHARED points at its interned copy, and the items of a WC_F_STRV_SHARED
 * list (but those of a WC_F_STRV_SHARED_BUT list's prefix, copied as the others) at theirs (their
 * pointer array in the block; interning is the only step that can fail besides the block's
 * allocation). An empty array points at the block's start (it is never read).
 */
#include "record_table.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "intern.h"
#include "strv.h"

/* Where the next part goes: words from the struct's end, chars after all words. */
typedef struct pack_cursor {
    char *base;
    size_t words, chars;
} pack_cursor;

#define FIELD(rec, f, T) ((T *)((char *)(rec) + (f)->offset))

static size_t *packed_len(const wc_record_desc *d, const void *rec)
{
    return (size_t *)((char *)rec + d->packed_offset - 1);
}

bool wc_record_in_pack(const wc_record_desc *d, const void *rec, const void *p)
{
    if (d->packed_offset == 0 || *packed_len(d, rec) == 0)
        return false;
    uintptr_t lo = (uintptr_t)rec, at = (uintptr_t)p;
    return at >= lo && at < lo + *packed_len(d, rec);
}

static size_t round_up(size_t n)
{
    return (n + sizeof(void *) - 1) & ~(sizeof(void *) - 1);
}

static size_t str_chars(const char *s)
{
    return *s ? strlen(s) + 1 : 0; /* the shared empty string is counted once, apart */
}

/* Whether f's value, or (a list) its pointer array, goes into the block. */
static bool packable(const wc_field *f)
{
    return !f->changes && !(f->shared && f->kind == WC_FIELD_STR);
}

/* Whether item, of f's list, is interned when packed. */
static bool interned_item(const wc_field *f, const char *item)
{
    return f->shared &&
           !(f->own_prefix && strncmp(item, f->own_prefix, strlen(f->own_prefix)) == 0);
}

/* Adds to c->words and c->chars what rec's packable fields need (c->base NULL). */
static void measure(const wc_record_desc *d, const void *rec, pack_cursor *c)
{
    for (size_t i = 0; i < d->n_fields; i++) {
        const wc_field *f = &d->fields[i];
        if (!packable(f))
            continue;
        if (f->kind == WC_FIELD_STR)
            c->chars += str_chars(*FIELD(rec, f, char *const));
        if (f->kind == WC_FIELD_STRV) {
            char *const *v = *FIELD(rec, f, char **const);
            size_t n = 0;
            for (; v[n]; n++)
                c->chars += interned_item(f, v[n]) ? 0 : str_chars(v[n]);
            c->words += (n + 1) * sizeof(char *);
        }
        if (f->kind == WC_FIELD_ARRAY) {
            size_t n = *(const size_t *)((const char *)rec + f->count_offset);
            const char *a = *FIELD(rec, f, void *const);
            c->words += round_up(n * f->elem->size);
            for (size_t j = 0; j < n; j++)
                measure(f->elem, a + j * f->elem->size, c);
        }
    }
}

static char *put_str(pack_cursor *c, const char *s)
{
    if (*s == '\0')
        return c->base + c->chars - 1; /* the last byte of the block: the shared "" */
    size_t n = strlen(s) + 1;
    char *to = memcpy(c->base + c->words, s, n);
    c->words += n; /* (by now words runs through the chars region) */
    return to;
}

/* Points rec's packable fields (rec in the block already) at copies in the block. */
static void place_words(const wc_record_desc *d, void *rec, pack_cursor *c);

static void place_array(const wc_field *f, void *rec, pack_cursor *c)
{
    size_t n = *(size_t *)((char *)rec + f->count_offset);
    void **field = FIELD(rec, f, void *);
    if (n == 0) {
        *field = c->base;
        return;
    }
    char *a = memcpy(c->base + c->words, *field, n * f->elem->size);
    c->words += round_up(n * f->elem->size);
    *field = a;
    for (size_t j = 0; j < n; j++)
        place_words(f->elem, a + j * f->elem->size, c);
}

static void place_words(const wc_record_desc *d, void *rec, pack_cursor *c)
{
    for (size_t i = 0; i < d->n_fields; i++) {
        const wc_field *f = &d->fields[i];
        if (!packable(f))
            continue;
        if (f->kind == WC_FIELD_STRV) {
            size_t bytes = (wc_strv_len(*FIELD(rec, f, char **)) + 1) * sizeof(char *);
            *FIELD(rec, f, char **) = memcpy(c->base + c->words, *FIELD(rec, f, char **), bytes);
            c->words += bytes;
        }
        if (f->kind == WC_FIELD_ARRAY)
            place_array(f, rec, c);
    }
}

/* Copies the characters of every packable string of rec (whose pointers, lists' items
 * included, still point at the old ones) and points them at the copies. */
static void place_chars(const wc_record_desc *d, void *rec, pack_cursor *c)
{
    for (size_t i = 0; i < d->n_fields; i++) {
        const wc_field *f = &d->fields[i];
        if (f->changes || (f->shared && f->kind == WC_FIELD_STR))
            continue;
        if (f->kind == WC_FIELD_STR)
            *FIELD(rec, f, char *) = put_str(c, *FIELD(rec, f, char *));
        if (f->kind == WC_FIELD_STRV)
            for (char **v = *FIELD(rec, f, char **); *v; v++)
                if (!interned_item(f, *v)) /* (those are: intern_items) */
                    *v = put_str(c, *v);
        if (f->kind == WC_FIELD_ARRAY) {
            size_t n = *(size_t *)((char *)rec + f->count_offset);
            for (size_t j = 0; j < n; j++)
                place_chars(f->elem, *FIELD(rec, f, char *) + j * f->elem->size, c);
        }
    }
}

/* Frees what rec's packable fields own, the fields themselves left as they are. */
static void free_packable(const wc_record_desc *d, void *rec)
{
    for (size_t i = 0; i < d->n_fields; i++) {
        const wc_field *f = &d->fields[i];
        if (!packable(f))
            continue;
        if (f->kind == WC_FIELD_STR)
            free(*FIELD(rec, f, char *));
        if (f->kind == WC_FIELD_STRV)
            wc_strv_free(*FIELD(rec, f, char **));
        if (f->kind == WC_FIELD_ARRAY) {
            size_t n = *(size_t *)((char *)rec + f->count_offset);
            for (size_t j = 0; j < n; j++)
                free_packable(f->elem, *FIELD(rec, f, char *) + j * f->elem->size);
            free(*FIELD(rec, f, void *));
        }
    }
}

/* The interned copies of rec's shared strings into shared[] (by field); false on ENOMEM,
 * with none held. */
static bool intern_shared(const wc_record_desc *d, const void *rec, char **shared)
{
    for (size_t i = 0; i < d->n_fields; i++) {
        const wc_field *f = &d->fields[i];
        shared[i] = NULL;
        if (f->kind == WC_FIELD_STR && f->shared &&
            (shared[i] = wc_intern(*FIELD(rec, f, char *const))) == NULL) {
            while (i-- > 0)
                wc_intern_drop(shared[i]);
            return false;
        }
    }
    return true;
}

void wc_record_drop_items(const wc_field *f, char **v, size_t n)
{
    for (size_t j = 0; v[j] && j < n; j++)
        if (interned_item(f, v[j]))
            wc_intern_drop(v[j]);
}

/* Drops the interned items of the block's shared lists, of the fields before end, and of
 * field end's list those before its item n. */
static void drop_items(const wc_record_desc *d, char *block, size_t end, size_t n)
{
    for (size_t i = 0; i <= end && i < d->n_fields; i++) {
        const wc_field *f = &d->fields[i];
        if (f->kind == WC_FIELD_STRV && f->shared)
            wc_record_drop_items(f, *FIELD(block, f, char **), i < end ? SIZE_MAX : n);
    }
}

/* Points the items of the block's shared lists (their arrays in the block, still pointing
 * at rec's strings) at interned copies; false on ENOMEM, with none held. */
static bool intern_items(const wc_record_desc *d, char *block)
{
    for (size_t i = 0; i < d->n_fields; i++) {
        const wc_field *f = &d->fields[i];
        char **v = f->kind == WC_FIELD_STRV && f->shared ? *FIELD(block, f, char **) : NULL;
        for (size_t j = 0; v && v[j]; j++) {
            if (!interned_item(f, v[j]))
                continue;
            char *held = wc_intern(v[j]);
            if (held == NULL) {
                drop_items(d, block, i, j);
                return false;
            }
            v[j] = held;
        }
    }
    return true;
}

/* Points the block's shared fields at their interned copies and frees rec's own. */
static void use_shared(const wc_record_desc *d, void *rec, char *block, char **shared)
{
    for (size_t i = 0; i < d->n_fields; i++)
        if (shared[i] != NULL) {
            free(*FIELD(rec, &d->fields[i], char *));
            *FIELD(block, &d->fields[i], char *) = shared[i];
        }
}

void *wc_record_pack(const wc_record_desc *d, void *rec)
{
    if (*packed_len(d, rec))
        return rec;
    pack_cursor c = {.words = round_up(d->size), .chars = 1};
    measure(d, rec, &c);
    size_t len = c.words + c.chars;
    char *shared[d->n_fields];
    _cleanup_free_ char *block = malloc(len);
    if (block == NULL || !intern_shared(d, rec, shared))
        return NULL;
    memcpy(block, rec, d->size);
    c = (pack_cursor){.base = block, .words = round_up(d->size), .chars = len};
    place_words(d, block, &c);
    if (!intern_items(d, block)) {
        for (size_t i = 0; i < d->n_fields; i++)
            wc_intern_drop(shared[i]);
        return NULL;
    }
    use_shared(d, rec, block, shared);
    place_chars(d, block, &c);
    block[len - 1] = '\0';
    free_packable(d, rec);
    free(rec);
    *packed_len(d, block) = len;
    return take_ptr(block);
}

int wc_record_set_shared(const wc_record_desc *d, void *rec, char **field, const char *value)
{
    if (!wc_record_in_pack(d, rec, rec))
        return wc_record_set_str(field, value);
    char *copy = wc_intern(value ? value : "");
    if (copy == NULL)
        return -ENOMEM;
    wc_intern_drop(*field);
    *field = copy;
    return 0;
}
