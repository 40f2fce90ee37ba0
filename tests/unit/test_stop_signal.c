/* Unit tests for stop signals: the spellings an image's StopSignal may use (wasm/sandbox/
 * stop_signal.c), which signals end a process without a handler, and the CRI Signal enum's
 * names both ways (cri/convert.c), realtime signals included. */
#include <signal.h>

#include "api.pb-c.h"
#include "check.h"
#include "convert.h"
#include "stop_signal.h"

static void test_parse(void)
{
    const struct {
        const char *text;
        int signo;
    } ok[] = {{"SIGTERM", SIGTERM}, {"TERM", SIGTERM},   {"sigint", SIGINT},
              {"15", SIGTERM},      {"SIGCLD", SIGCHLD}, {"SIGRTMIN", 34},
              {"RTMIN+3", 37},      {"SIGRTMAX-1", 63},  {"SIGRTMAX", 64}};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        int signo = 0;
        wc_error err = {0};
        CHECK(wc_signal_parse(ok[i].text, &signo, &err) == 0);
        CHECK_EQ_INT(signo, ok[i].signo);
    }
    const char *bad[] = {"", "SIGFOO", "0", "65", "15x", "RTMIN+31", "RTMAX-", "SIGRTMIN-1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int signo = 0;
        wc_error err = {0};
        CHECK(wc_signal_parse(bad[i], &signo, &err) == -EINVAL);
        CHECK(strstr(err.msg, "is not a signal") != NULL);
    }
}

static void test_names_and_actions(void)
{
    CHECK_STR(wc_signal_name(SIGTERM), "SIGTERM");
    CHECK_STR(wc_signal_name(35), "SIGRTMIN+1");
    CHECK_STR(wc_signal_name(62), "SIGRTMAX-2");
    CHECK(wc_signal_name(0) == NULL && wc_signal_name(32) == NULL);
    CHECK(wc_signal_terminates(SIGTERM) && wc_signal_terminates(SIGUSR1));
    CHECK(wc_signal_terminates(SIGQUIT) && wc_signal_terminates(40));
    CHECK(!wc_signal_terminates(SIGWINCH) && !wc_signal_terminates(SIGCHLD));
    CHECK(!wc_signal_terminates(SIGCONT) && !wc_signal_terminates(SIGSTOP));
}

static void test_cri_enum(void)
{
    char buf[32];
    CHECK_STR(cri_signal_name(RUNTIME__V1__SIGNAL__SIGTERM, buf, sizeof(buf)), "SIGTERM");
    CHECK_STR(cri_signal_name(RUNTIME__V1__SIGNAL__SIGRTMINPLUS3, buf, sizeof(buf)), "SIGRTMIN+3");
    CHECK_STR(cri_signal_name(RUNTIME__V1__SIGNAL__SIGRTMAXMINUS14, buf, sizeof(buf)),
              "SIGRTMAX-14");
    CHECK(cri_signal_name(RUNTIME__V1__SIGNAL__RUNTIME_DEFAULT, buf, sizeof(buf)) == NULL);
    CHECK(cri_signal_name(9999, buf, sizeof(buf)) == NULL);
    CHECK_EQ_INT(cri_signal_value("SIGTERM"), RUNTIME__V1__SIGNAL__SIGTERM);
    CHECK_EQ_INT(cri_signal_value("SIGRTMIN+3"), RUNTIME__V1__SIGNAL__SIGRTMINPLUS3);
    CHECK_EQ_INT(cri_signal_value("SIGRTMAX-14"), RUNTIME__V1__SIGNAL__SIGRTMAXMINUS14);
    CHECK_EQ_INT(cri_signal_value(""), RUNTIME__V1__SIGNAL__RUNTIME_DEFAULT);
    /* every name the sandbox gives maps to the enum */
    for (int signo = 1; signo <= 64; signo++)
        if (wc_signal_name(signo))
            CHECK(cri_signal_value(wc_signal_name(signo)) != RUNTIME__V1__SIGNAL__RUNTIME_DEFAULT);
}

int main(void)
{
    test_parse();
    test_names_and_actions();
    test_cri_enum();
    return CHECK_DONE();
}
