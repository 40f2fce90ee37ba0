/* cri_packer (cri/packer.c): items added one by one as the field of their response give
 * the very bytes protobuf-c packs for the whole response, for short and long items (a
 * length of one varint byte and of two), small and big lists, a first item too big for the
 * heap, and a single message field. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "packer.h"
#include "service.h"

/* Container i of n, with a name long enough past the first few to need a 2-byte length. */
static void fill(Runtime__V1__Container *c, Runtime__V1__ContainerMetadata *md, char *name,
                 size_t i)
{
    runtime__v1__container__init(c);
    runtime__v1__container_metadata__init(md);
    memset(name, 'a' + (int)i, 200);
    name[i < 2 ? 5 : 200] = '\0';
    md->name = name;
    md->attempt = (uint32_t)i;
    c->metadata = md;
    c->id = "0123456789abcdef";
    c->state = RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING;
    c->created_at = 1234567890123 * (int64_t)i;
}

/* n containers added one by one, and as protobuf-c packs the n-item response. */
static void check_list(size_t n)
{
    Runtime__V1__Container *c = calloc(n, sizeof(*c));
    Runtime__V1__ContainerMetadata *md = calloc(n, sizeof(*md));
    char(*names)[201] = calloc(n, sizeof(*names));
    Runtime__V1__Container **items = calloc(n, sizeof(*items));
    CHECK(c && md && names && items);
    if (!c || !md || !names || !items)
        return;
    cri_packer p;
    cri_packer_init(&p);
    for (size_t i = 0; i < n; i++) {
        fill(&c[i], &md[i], names[i], i % 20);
        items[i] = &c[i];
        CHECK_EQ_INT(cri_packer_add_field(&p, &runtime__v1__list_containers_response__descriptor,
                                          "containers", &c[i].base),
                     0);
    }
    Runtime__V1__ListContainersResponse r = RUNTIME__V1__LIST_CONTAINERS_RESPONSE__INIT;
    r.containers = items;
    r.n_containers = n;
    size_t len = protobuf_c_message_get_packed_size(&r.base);
    uint8_t *want = malloc(len);
    protobuf_c_message_pack(&r.base, want);
    CHECK(!p.failed);
    size_t got_len = 0;
    uint8_t *got = cri_packer_take(&p, &got_len);
    CHECK_EQ_INT(got_len, len);
    CHECK(got != NULL && got_len == len && memcmp(got, want, len) == 0);
    CHECK(p.data == NULL && p.len == 0);
    cri_packer_bytes_free(got, got_len);
    free(want);
    free(c);
    free(md);
    free(names);
    free(items);
}

static void test_list_is_the_response(void)
{
    check_list(4);
    check_list(3000); /* over half a megabyte: a mapping of its own (packer.c) */
}

/* One item of over MAP_FROM (a pod's stats with its containers' can be) as the first. */
static void test_big_first_item(void)
{
    enum { BIG = 300 * 1024 };
    char *name = malloc(BIG + 1);
    CHECK(name != NULL);
    if (!name)
        return;
    memset(name, 'n', BIG);
    name[BIG] = '\0';
    Runtime__V1__Container c = RUNTIME__V1__CONTAINER__INIT;
    Runtime__V1__ContainerMetadata md = RUNTIME__V1__CONTAINER_METADATA__INIT;
    md.name = name;
    c.metadata = &md;
    cri_packer p;
    cri_packer_init(&p);
    CHECK_EQ_INT(cri_packer_add_field(&p, &runtime__v1__list_containers_response__descriptor,
                                      "containers", &c.base),
                 0);
    Runtime__V1__ListContainersResponse *back =
        runtime__v1__list_containers_response__unpack(NULL, p.len, p.data);
    CHECK(back != NULL && back->n_containers == 1 && back->containers[0]->metadata);
    if (back && back->n_containers == 1 && back->containers[0]->metadata)
        CHECK(strcmp(back->containers[0]->metadata->name, name) == 0);
    protobuf_c_message_free_unpacked(&back->base, NULL);
    cri_packer_clear(&p);
    free(name);
}

static void test_one_field(void)
{
    Runtime__V1__ContainerStats s = RUNTIME__V1__CONTAINER_STATS__INIT;
    Runtime__V1__ContainerAttributes a = RUNTIME__V1__CONTAINER_ATTRIBUTES__INIT;
    a.id = "ctr";
    s.attributes = &a;
    cri_packer p;
    cri_packer_init(&p);
    CHECK_EQ_INT(cri_packer_add_field(&p, &runtime__v1__container_stats_response__descriptor,
                                      "stats", &s.base),
                 0);
    Runtime__V1__ContainerStatsResponse *back =
        runtime__v1__container_stats_response__unpack(NULL, p.len, p.data);
    CHECK(back != NULL && back->stats && back->stats->attributes);
    if (back && back->stats && back->stats->attributes)
        CHECK_STR(back->stats->attributes->id, "ctr");
    protobuf_c_message_free_unpacked(&back->base, NULL);
    cri_packer_clear(&p);
}

static void test_no_such_field(void)
{
    Runtime__V1__ContainerStats s = RUNTIME__V1__CONTAINER_STATS__INIT;
    cri_packer p;
    cri_packer_init(&p);
    CHECK_EQ_INT(cri_packer_add_field(&p, &runtime__v1__container_stats_response__descriptor,
                                      "nothing", &s.base),
                 -EINVAL);
    CHECK_EQ_INT(
        cri_packer_add_field(&p, &runtime__v1__cpu_usage__descriptor, "timestamp", &s.base),
        -EINVAL); /* not a message field */
    CHECK_EQ_INT(p.len, 0);
    cri_packer_clear(&p);
}

int main(void)
{
    test_list_is_the_response();
    test_big_first_item();
    test_one_field();
    test_no_such_field();
    return CHECK_DONE();
}
