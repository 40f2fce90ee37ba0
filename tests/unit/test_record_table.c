/* The table-driven record functions (common/record_table.h) on a record with one field
 * of every kind: made empty, encoded, decoded leniently, deep-copied and freed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "record_table.h"
#include "strv.h"

typedef struct item {
    char *name;
    bool on;
} item;

typedef enum color { RED, GREEN, BLUE } color;

typedef struct point {
    int32_t x, y;
} point;

typedef struct rec {
    char id[WC_ID_SIZE];
    char *name;
    char **tags;
    bool flag;
    int n;
    uint32_t u;
    int64_t big, missing;
    uint64_t size;
    color state, shade;
    item *items;
    size_t n_items;
    point at;
    int runtime_only; /* not in the table */
} rec;

static int point_encode(json_t *o, const char *key, const void *value)
{
    const point *p = value;
    json_t *v = json_pack("[i, i]", p->x, p->y);
    return v && json_object_set_new(o, key, v) == 0 ? 0 : -ENOMEM;
}

static int point_decode(const json_t *o, const char *key, void *value)
{
    point *p = value;
    json_t *a = json_object_get(o, key);
    p->x = (int32_t)json_integer_value(json_array_get(a, 0));
    p->y = (int32_t)json_integer_value(json_array_get(a, 1));
    return 0;
}

static const wc_field_codec point_codec = {
    .size = sizeof(point), .encode = point_encode, .decode = point_decode};
static const char *const color_names[] = {"red", "green", "blue", NULL};

static const wc_field item_fields[] = {
    WC_F_STR(item, name, "name"),
    WC_F_BOOL(item, on, "on"),
};
static const wc_record_desc item_desc = WC_RECORD_DESC(item, item_fields);

static const wc_field rec_fields[] = {
    WC_F_ID(rec, id, "id"),
    WC_F_STR(rec, name, "name"),
    WC_F_STRV(rec, tags, "tags"),
    WC_F_BOOL(rec, flag, "flag"),
    WC_F_INT(rec, n, "n"),
    WC_F_U32(rec, u, "u"),
    WC_F_I64(rec, big, "big"),
    WC_F_I64_OR(rec, missing, "missing", -1),
    WC_F_U64(rec, size, "size"),
    WC_F_ENUM(rec, state, "state", BLUE, GREEN),
    WC_F_NAMED(rec, shade, "shade", color_names),
    WC_F_ARRAY(rec, items, n_items, "items", &item_desc),
    WC_F_CUSTOM(rec, at, "at", &point_codec),
};
static const wc_record_desc rec_desc = WC_RECORD_DESC(rec, rec_fields);

static rec *filled(void)
{
    rec *r = wc_record_new(&rec_desc);
    if (r == NULL)
        return NULL;
    memset(r->id, 'a', WC_ID_LEN);
    wc_record_set_str(&r->name, "web");
    wc_strv_push(&r->tags, "x");
    wc_strv_push(&r->tags, "y z");
    r->flag = true;
    r->n = -7;
    r->u = 4000000000u;
    r->big = -(1LL << 40);
    r->missing = 5;
    r->size = 1ULL << 50;
    r->state = BLUE;
    r->shade = GREEN;
    free(r->items);
    r->items = calloc(2, sizeof(item));
    r->items[0] = (item){strdup("a"), true};
    r->items[1] = (item){strdup("b"), false};
    r->n_items = 2;
    r->at = (point){3, -4};
    r->runtime_only = 9;
    return r;
}

static void test_new_is_empty(void)
{
    rec *r = wc_record_new(&rec_desc);
    CHECK(r != NULL);
    if (r == NULL)
        return;
    CHECK_STR(r->name, "");
    CHECK(r->tags != NULL && r->tags[0] == NULL);
    CHECK(r->items != NULL && r->n_items == 0);
    /* the fields at their default are left out, and read back as they were */
    char *text = wc_record_encode(&rec_desc, r);
    CHECK(text != NULL && strstr(text, "\"tags\"") == NULL && strstr(text, "\"name\"") == NULL);
    CHECK(text != NULL && strstr(text, "\"missing\"") != NULL); /* 0, not its fallback -1 */
    CHECK(text != NULL && strstr(text, "\"state\":0") != NULL); /* RED, not its fallback */
    json_t *o = json_loads(text ? text : "", 0, NULL);
    rec *d = o ? wc_record_load(&rec_desc, o) : NULL;
    CHECK(d != NULL);
    if (d) {
        CHECK(d->tags[0] == NULL && d->n_items == 0 && d->missing == 0 && d->state == RED);
        char *again = wc_record_encode(&rec_desc, d);
        CHECK_STR(again, text);
        free(again);
    }
    json_decref(o);
    wc_record_free(&rec_desc, d);
    free(text);
    wc_record_free(&rec_desc, r);
}

static void test_round_trip_and_copy(void)
{
    rec *r = filled();
    CHECK(r != NULL);
    if (r == NULL)
        return;
    char *text = wc_record_encode(&rec_desc, r);
    CHECK(text != NULL && strstr(text, "\"shade\":\"green\"") != NULL);
    json_t *o = json_loads(text ? text : "", 0, NULL);
    rec *d = calloc(1, sizeof(rec));
    CHECK(d && wc_record_from_json(&rec_desc, o, d) == 0);
    rec *c = wc_record_dup(&rec_desc, r);
    CHECK(c != NULL);
    rec *both[] = {d, c};
    for (size_t i = 0; i < 2; i++) {
        rec *x = both[i];
        if (x == NULL)
            continue;
        char *again = wc_record_encode(&rec_desc, x);
        CHECK_STR(again, text);
        free(again);
        CHECK_EQ_INT(x->u, 4000000000u);
        CHECK_EQ_INT(x->size, 1ULL << 50);
        CHECK(x->n_items == 2 && x->items[0].on && strcmp(x->items[1].name, "b") == 0);
        CHECK(x->at.x == 3 && x->at.y == -4 && x->state == BLUE && x->shade == GREEN);
        CHECK_EQ_INT(x->runtime_only, 0);
    }
    if (c) { /* a deep copy: the copy's strings are its own */
        CHECK(c->name != r->name && c->tags[1] != r->tags[1] && c->items != r->items);
        CHECK(c->items[0].name != r->items[0].name);
    }
    json_decref(o);
    free(text);
    wc_record_free(&rec_desc, r);
    wc_record_free(&rec_desc, d);
    wc_record_free(&rec_desc, c);
}

/* Old or damaged records: every missing or mistyped value reads as its default. */
static void test_lenient_decode(void)
{
    char text[512];
    snprintf(text, sizeof(text), "{\"id\":\"%065d\",%s", 0, /* one digit too many */
             "\"name\":3,\"tags\":[\"a\",1,\"b\"],\"n\":\"x\",\"state\":17,\"shade\":\"purple\","
             "\"items\":[{\"name\":\"m\"},7],\"at\":{}}");
    json_t *o = json_loads(text, 0, NULL);
    rec *d = calloc(1, sizeof(rec));
    CHECK(o && d && wc_record_from_json(&rec_desc, o, d) == 0);
    if (d) {
        CHECK_STR(d->id, "");
        CHECK_STR(d->name, "");
        CHECK(wc_strv_len(d->tags) == 2 && strcmp(d->tags[1], "b") == 0);
        CHECK_EQ_INT(d->n, 0);
        CHECK_EQ_INT(d->missing, -1);
        CHECK_EQ_INT(d->state, GREEN);
        CHECK_EQ_INT(d->shade, RED);
        CHECK(d->n_items == 2 && strcmp(d->items[0].name, "m") == 0);
        CHECK_STR(d->items[1].name, "");
    }
    json_decref(o);
    wc_record_free(&rec_desc, d);
    wc_record_free(&rec_desc, NULL);
}

int main(void)
{
    test_new_is_empty();
    test_round_trip_and_copy();
    test_lenient_decode();
    return CHECK_DONE();
}
