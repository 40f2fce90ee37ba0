/* wasm/zygote/ready.h, the wishes of execs for a worker kept ready: one of an exec that still
 * runs is never taken; one of an ended exec is taken once due (READY_DELAY_MS after its end, so
 * that making it does not compete with the daemon answering the exec), or at once when an exec
 * request waits (all), and only once; ready_due_in says when the next one is due. */
#include <jansson.h>
#include <stdlib.h>

#include "check.h"
#include "ready.h"

static json_t *spec(const char *ctr)
{
    return json_pack("{s:s, s:s}", "id", "exec-1", "container", ctr);
}

static void check_not_taken_while_running(void)
{
    ready_set rs = {0};
    json_t *s = spec("c1");
    ready_want(&rs, 100, s, 60000);
    json_t *got = NULL;
    int64_t keep = 0;
    CHECK(!ready_take_due(&rs, 1000, false, &got, &keep));
    CHECK(!ready_take_due(&rs, 1000, true, &got, &keep)); /* not even for a waiting request */
    CHECK_EQ_INT(ready_due_in(&rs, 1000), -1);
    ready_ended(&rs, 101, 1000 + READY_DELAY_MS); /* another pid: not this exec */
    CHECK_EQ_INT(ready_due_in(&rs, 1000), -1);
    ready_ended(&rs, 100, 1000 + READY_DELAY_MS);
    CHECK(ready_take_due(&rs, 1000 + READY_DELAY_MS, false, &got, &keep));
    json_decref(got);
    json_decref(s);
    free(rs.wanted);
}

static void check_due_after_the_delay(void)
{
    ready_set rs = {0};
    json_t *s1 = spec("c1"), *s2 = spec("c2");
    ready_want(&rs, 100, s1, 60000);
    ready_want(&rs, 200, s2, 5000);
    ready_ended(&rs, 100, 1000 + READY_DELAY_MS);
    ready_ended(&rs, 200, 1001 + READY_DELAY_MS);
    CHECK_EQ_INT(ready_due_in(&rs, 1000), READY_DELAY_MS);
    json_t *got = NULL;
    int64_t keep = 0;
    CHECK(!ready_take_due(&rs, 1000, false, &got, &keep)); /* the daemon is answering */
    CHECK(ready_take_due(&rs, 1000 + READY_DELAY_MS, false, &got, &keep));
    CHECK(got == s1);
    CHECK_EQ_INT(keep, 60000);
    json_decref(got);
    CHECK(!ready_take_due(&rs, 1000 + READY_DELAY_MS, false, &got, &keep)); /* taken once */
    CHECK_EQ_INT(ready_due_in(&rs, 1000 + READY_DELAY_MS), 1);
    CHECK_EQ_INT(ready_due_in(&rs, 5000), 0); /* overdue */
    CHECK(ready_take_due(&rs, 1000, true, &got, &keep)); /* an exec request waits: at once */
    CHECK(got == s2);
    CHECK_EQ_INT(keep, 5000);
    json_decref(got);
    CHECK(!ready_take_due(&rs, 9000, true, &got, &keep));
    CHECK_EQ_INT(ready_due_in(&rs, 9000), -1);
    json_decref(s1);
    json_decref(s2);
    free(rs.wanted);
}

int main(void)
{
    check_not_taken_while_running();
    check_due_after_the_delay();
    return CHECK_DONE();
}
