/* Packed records (common/record_table.h: wc_record_pack): a record in one allocation
 * encodes as it did, every packed string, list and array lies in its block, the fields
 * marked as changing stay their own allocations and can be set again, a copy is not
 * packed, shared strings (and shared lists' items) are one copy for all records, an empty
 * changing field holds no allocation of its own, and freeing leaks nothing (ASan). The
 * sandbox's records: tests/unit/test_records.c. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "record_table.h"
#include "strv.h"

typedef struct item {
    char *name;
    char **args;
} item;

typedef struct rec {
    char id[WC_ID_SIZE];
    char *name, *empty, *note, *image;
    char **tags, **none, **ips, **env;
    int n;
    item *items;
    size_t n_items;
    item *no_items;
    size_t n_no_items;
    size_t packed; /* not in the table */
} rec;

static const wc_field item_fields[] = {
    WC_F_STR(item, name, "name"),
    WC_F_STRV(item, args, "args"),
};
static const wc_record_desc item_desc = WC_RECORD_DESC(item, item_fields);

static const wc_field rec_fields[] = {
    WC_F_ID(rec, id, "id"),
    WC_F_STR(rec, name, "name"),
    WC_F_STR(rec, empty, "empty"),
    WC_F_STR_CHANGES(rec, note, "note"),
    WC_F_STR_SHARED(rec, image, "image"),
    WC_F_STRV(rec, tags, "tags"),
    WC_F_STRV(rec, none, "none"),
    WC_F_STRV_CHANGES(rec, ips, "ips"),
    WC_F_STRV_SHARED_BUT(rec, env, "env", "HOSTNAME="),
    WC_F_INT(rec, n, "n"),
    WC_F_ARRAY(rec, items, n_items, "items", &item_desc),
    WC_F_ARRAY(rec, no_items, n_no_items, "no_items", &item_desc),
};
static const wc_record_desc rec_desc = WC_RECORD_DESC_PACKED(rec, rec_fields, packed);

static rec *make(void)
{
    rec *r = wc_record_new(&rec_desc);
    if (r == NULL)
        return NULL;
    memset(r->id, 'a', WC_ID_LEN);
    char *tags[] = {"app", "web", "", "tier", NULL};
    char *args[] = {"/bin/x", "-v", NULL};
    wc_record_set_str(&r->name, "a-name-longer-than-eight");
    wc_record_set_str(&r->note, "first");
    wc_record_set_str(&r->image, "docker.io/library/probe:latest");
    wc_record_set_strv(&r->tags, tags);
    wc_record_set_strv(&r->ips, tags + 3);
    char *env[] = {"PATH=/bin", "HOME=/", "HOSTNAME=its-own", NULL};
    wc_record_set_strv(&r->env, env);
    r->n = 7;
    free(r->items);
    r->items = calloc(2, sizeof(item));
    r->n_items = 2;
    for (size_t i = 0; i < 2; i++) {
        r->items[i].name = strdup(i ? "second" : "");
        r->items[i].args = wc_strv_copy(args);
    }
    return r;
}

static bool strv_in_pack(const rec *r, char *const *v)
{
    bool in = wc_record_in_pack(&rec_desc, r, v);
    for (; *v; v++)
        in = in && wc_record_in_pack(&rec_desc, r, *v);
    return in;
}

static void check_layout(const rec *r)
{
    CHECK(r->packed >= sizeof(rec));
    CHECK(wc_record_in_pack(&rec_desc, r, r->name) && wc_record_in_pack(&rec_desc, r, r->empty));
    CHECK(strv_in_pack(r, r->tags) && strv_in_pack(r, r->none));
    CHECK(wc_record_in_pack(&rec_desc, r, r->items) &&
          wc_record_in_pack(&rec_desc, r, r->no_items));
    for (size_t i = 0; i < r->n_items; i++)
        CHECK(wc_record_in_pack(&rec_desc, r, r->items[i].name) &&
              strv_in_pack(r, r->items[i].args));
    CHECK(!wc_record_in_pack(&rec_desc, r, r->note) && !wc_record_in_pack(&rec_desc, r, r->ips));
    CHECK(!wc_record_in_pack(&rec_desc, r, r->image));
    CHECK(((uintptr_t)r->tags | (uintptr_t)r->items) % sizeof(void *) == 0);
}

static void test_pack(void)
{
    rec *r = make();
    char *before = r ? wc_record_encode(&rec_desc, r) : NULL;
    CHECK(before != NULL && r->packed == 0 && !wc_record_in_pack(&rec_desc, r, r->name));
    rec *p = r ? wc_record_pack(&rec_desc, r) : NULL;
    CHECK(p != NULL);
    if (p == NULL)
        return;
    char *after = wc_record_encode(&rec_desc, p);
    CHECK_STR(after, before);
    check_layout(p);
    CHECK(wc_record_pack(&rec_desc, p) == p); /* packed already */
    CHECK(wc_record_set_str(&p->note, "changed") == 0 && wc_record_set_strv(&p->ips, NULL) == 0);
    CHECK_STR(p->note, "changed");
    CHECK(p->ips[0] == NULL && strcmp(p->tags[1], "web") == 0);
    rec *copy = wc_record_dup(&rec_desc, p);
    CHECK(copy != NULL && copy->packed == 0 && !wc_record_in_pack(&rec_desc, copy, copy->name));
    char *p_text = wc_record_encode(&rec_desc, p);
    char *copy_text = copy ? wc_record_encode(&rec_desc, copy) : NULL;
    CHECK(p_text && copy_text && strcmp(p_text, copy_text) == 0);
    free(p_text);
    free(copy_text);
    free(before);
    free(after);
    wc_record_free(&rec_desc, copy);
    wc_record_free(&rec_desc, p);
}

static void test_pack_empty(void)
{
    rec *r = wc_record_new(&rec_desc);
    rec *p = r ? wc_record_pack(&rec_desc, r) : NULL;
    CHECK(p != NULL);
    if (p == NULL)
        return;
    check_layout(p);
    CHECK(p->name == p->empty); /* every "" is one byte of the block */
    wc_record_free(&rec_desc, p);
}

static void test_shared(void)
{
    rec *a = make(), *b = make();
    rec *pa = a ? wc_record_pack(&rec_desc, a) : NULL;
    rec *pb = b ? wc_record_pack(&rec_desc, b) : NULL;
    CHECK(pa && pb && pa->image == pb->image); /* one copy */
    CHECK(pa && pb && pa->env != pb->env && pa->env[0] == pb->env[0] && pa->env[1] == pb->env[1]);
    if (pa) {
        CHECK(wc_record_in_pack(&rec_desc, pa, pa->env) &&
              !wc_record_in_pack(&rec_desc, pa, pa->env[0]));
        CHECK_STR(pa->env[0], "PATH=/bin");
        CHECK_STR(pa->env[1], "HOME=/");
        CHECK_STR(pa->env[2], "HOSTNAME=its-own"); /* a record's own item: in its block */
        CHECK(pb && pa->env[2] != pb->env[2] && wc_record_in_pack(&rec_desc, pa, pa->env[2]));
        CHECK(pa->env[3] == NULL);
    }
    if (pa)
        CHECK_STR(pa->image, "docker.io/library/probe:latest");
    wc_record_free(&rec_desc, pa);
    rec *c = make();
    rec *pc = c ? wc_record_pack(&rec_desc, c) : NULL;
    if (pb && pc) {
        CHECK(pc->image == pb->image); /* still held by b */
        CHECK_STR(pc->image, "docker.io/library/probe:latest");
    }
    CHECK(pb && wc_record_set_shared(&rec_desc, pb, &pb->image, "other") == 0);
    if (pb && pc) {
        CHECK_STR(pb->image, "other");
        CHECK_STR(pc->image, "docker.io/library/probe:latest");
    }
    wc_record_free(&rec_desc, pb);
    wc_record_free(&rec_desc, pc);
}

/* Records made, decoded and copied with their changing fields empty share one empty string
 * and list (no heap per record), which read, encode, set and free as their own did. */
static void test_changing_empty(void)
{
    rec *a = wc_record_new(&rec_desc);
    json_t *o = json_pack("{s:s, s:[]}", "note", "", "ips");
    rec *b = o ? wc_record_load(&rec_desc, o) : NULL;
    rec *c = a ? wc_record_dup(&rec_desc, a) : NULL;
    CHECK(a && b && c);
    if (a && b && c) {
        CHECK(a->note == b->note && b->note == c->note && a->ips == b->ips && b->ips == c->ips);
        CHECK_STR(c->note, "");
        CHECK(c->ips[0] == NULL && a->empty != b->empty); /* not the fields that never change */
        char *text = wc_record_encode(&rec_desc, c);
        CHECK(text && !strstr(text, "\"note\"") && !strstr(text, "\"ips\"")); /* at default */
        free(text);
        char *ips[] = {"10.0.0.2", NULL};
        CHECK(wc_record_set_str(&c->note, "set") == 0 && wc_record_set_strv(&c->ips, ips) == 0);
        CHECK_STR(c->note, "set");
        CHECK_STR(c->ips[0], "10.0.0.2");
        CHECK_STR(a->note, ""); /* the shared one is unchanged */
        CHECK(a->ips[0] == NULL);
    }
    rec *pa = a ? wc_record_pack(&rec_desc, a) : NULL;
    CHECK(pa && b && pa->note == b->note && pa->ips == b->ips);
    json_decref(o);
    wc_record_free(&rec_desc, pa);
    wc_record_free(&rec_desc, b);
    wc_record_free(&rec_desc, c);
}

int main(void)
{
    test_pack();
    test_pack_empty();
    test_shared();
    test_changing_empty();
    return CHECK_DONE();
}
