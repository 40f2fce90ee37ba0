/* Pod (and later container) records: the JSON codec round-trips every field, a
 * damaged record is refused, ids are 64 hex digits, label selectors match. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pod.h"
#include "record.h"

static void test_pod_round_trip(void)
{
    char *labels[] = {"app", "web", "tier", "front", NULL};
    char *servers[] = {"10.0.0.10", NULL};
    wc_pod_spec spec = {.name = "web", .uid = "u1", .namespace_ = "ns", .attempt = 3,
                        .labels = labels, .hostname = "h", .log_directory = "/var/log/pods/x",
                        .dns_servers = servers, .net_mode = WC_NS_NODE, .pid_mode = WC_NS_CONTAINER};
    wc_pod *p = NULL;
    wc_error err = {0};
    CHECK(wc_pod_from_spec(&spec, &p, &err) == 0);
    if (p == NULL)
        return;
    CHECK(strlen(p->id) == 64 && strspn(p->id, "0123456789abcdef") == 64);
    CHECK(p->created_at > 0 && p->state == WC_POD_READY);
    char *text = wc_pod_encode(p);
    wc_pod *q = NULL;
    CHECK(text && wc_pod_decode(text, strlen(text), &q, &err) == 0);
    if (q) {
        char *again = wc_pod_encode(q);
        CHECK(again && strcmp(text, again) == 0);
        CHECK(strcmp(q->labels[3], "front") == 0 && q->labels[4] == NULL);
        CHECK(q->attempt == 3 && q->net_mode == WC_NS_NODE && q->pid_mode == WC_NS_CONTAINER);
        free(again);
    }
    free(text);
    wc_pod_free(p);
    wc_pod_free(q);
}

static void test_bad_records(void)
{
    wc_pod *p = NULL;
    wc_error err = {0};
    CHECK(wc_pod_decode("[1]", 3, &p, &err) == -EINVAL && p == NULL);
    CHECK(wc_pod_decode("{\"id\":\"abc\"}", 12, &p, &err) == -EINVAL && p == NULL);
    CHECK(wc_pod_decode("{", 1, &p, &err) == -EINVAL && p == NULL);
    wc_pod_spec nameless = {0};
    CHECK(wc_pod_from_spec(&nameless, &p, &err) == -EINVAL && p == NULL);
}

static void test_selector(void)
{
    char *map[] = {"a", "1", "b", "2", NULL};
    char *yes[] = {"b", "2", NULL};
    char *no[] = {"a", "2", NULL};
    char *missing[] = {"c", "1", NULL};
    CHECK(rec_map_matches(map, NULL));
    CHECK(rec_map_matches(map, yes));
    CHECK(!rec_map_matches(map, no));
    CHECK(!rec_map_matches(map, missing));
}

int main(void)
{
    test_pod_round_trip();
    test_bad_records();
    test_selector();
    return CHECK_DONE();
}
