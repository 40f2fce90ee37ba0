/* SPDY/3.1 framing of the streaming server (cri/stream/spdy_frame.h): the header
 * dictionary is the one client-go's spdystream uses (its SHA-256), a frame recorded from
 * spdystream itself decodes, and malformed frames are refused, never read past. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "spdy_frame.h"

/* SHA-256 of moby/spdystream's headerDictionary (spdy/dictionary.go). */
static const char dict_sha256[] =
    "51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02";

static void test_dictionary(void)
{
    unsigned char md[32];
    unsigned int n = 0;
    char hex[65];
    CHECK(EVP_Digest(spdy_dictionary(), SPDY_DICT_LEN, md, &n, EVP_sha256(), NULL) == 1);
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    CHECK_STR(hex, dict_sha256);
}

typedef struct pairs {
    char text[256];
} pairs;

static int collect(void *ctx, const char *name, size_t nl, const char *value, size_t vl)
{
    pairs *p = ctx;
    size_t at = strlen(p->text);
    snprintf(p->text + at, sizeof(p->text) - at, "%.*s=%.*s;", (int)nl, name, (int)vl, value);
    return 0;
}

static size_t unhex(const char *hex, unsigned char *out)
{
    size_t n = 0;
    for (; hex[0] && hex[1]; hex += 2)
        sscanf(hex, "%2hhx", &out[n++]);
    return n;
}

/* What spdystream v0.2.0 (Debian's golang-github-docker-spdystream-dev) sent for
 * CreateStream({"streamtype": "error"}) then CreateStream({"streamtype": "stdout"}) and
 * two data frames on the first ("hi", then FIN), recorded from its socket. */
static const char recorded[] =
    "80030001000000290000000100000000000078f9e3c6a7c26260606004a7b392a2d4c45c6851c29a0a0a68000000"
    "00ffff800300010000001900000003000000000000c22ac5565c92925f5a02000000ffff00000001000000026869"
    "0000000101000000";

static void test_recorded_client(void)
{
    unsigned char buf[1024];
    size_t n = unhex(recorded, buf), at = 0;
    spdy_zlib z = {0};
    spdy_frame f;
    wc_error err = {0};
    const char *want[] = {"streamtype=error;", "streamtype=stdout;"};
    for (int i = 0; i < 2; i++) {
        int used = spdy_parse(buf + at, n - at, &f, &err);
        CHECK(used > 0);
        if (used <= 0)
            return;
        at += (size_t)used;
        CHECK(f.control && f.type == SPDY_SYN_STREAM);
        CHECK_EQ_INT(f.stream_id, 1 + 2 * i);
        pairs p = {{0}};
        CHECK_EQ_INT(spdy_headers_decode(&z, f.data, f.len, collect, &p, &err), 0);
        CHECK_STR(p.text, want[i]);
    }
    CHECK(spdy_parse(buf + at, n - at, &f, &err) > 0);
    CHECK(!f.control && f.stream_id == 1 && f.len == 2 && memcmp(f.data, "hi", 2) == 0);
    at += SPDY_HEADER_LEN + f.len;
    CHECK(spdy_parse(buf + at, n - at, &f, &err) > 0);
    CHECK(!f.control && f.stream_id == 1 && f.len == 0 && (f.flags & SPDY_FLAG_FIN));
    CHECK_EQ_INT(at + SPDY_HEADER_LEN, n);
    spdy_zlib_end(&z);
}

static void test_round_trip_through_one_stream(void)
{
    spdy_zlib tx = {0}, rx = {0}; /* the sender's deflate stream, the receiver's inflate one */
    wc_error err = {0};
    for (int i = 0; i < 3; i++) { /* later blocks refer back to earlier ones */
        const char *kv[] = {"streamtype", "data", "port", "8080", "requestid", i ? "1" : "0"};
        unsigned char *block = NULL;
        size_t n = 0;
        CHECK_EQ_INT(spdy_headers_encode(&tx, kv, 3, &block, &n, &err), 0);
        pairs p = {{0}};
        CHECK_EQ_INT(spdy_headers_decode(&rx, block, n, collect, &p, &err), 0);
        CHECK_STR(p.text, i ? "streamtype=data;port=8080;requestid=1;"
                            : "streamtype=data;port=8080;requestid=0;");
        free(block);
    }
    spdy_zlib_end(&tx);
    spdy_zlib_end(&rx);
}

static void test_malformed(void)
{
    spdy_frame f;
    wc_error err = {0};
    unsigned char ping[] = {0x80, 3, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1};
    CHECK_EQ_INT(spdy_parse(ping, 7, &f, &err), 0);  /* half a header: wait for more */
    CHECK_EQ_INT(spdy_parse(ping, 11, &f, &err), 0); /* half a payload */
    CHECK_EQ_INT(spdy_parse(ping, 12, &f, &err), 12);
    CHECK(f.control && f.type == SPDY_PING && f.value == 1);
    unsigned char v2[] = {0x80, 2, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1};
    CHECK_EQ_INT(spdy_parse(v2, sizeof(v2), &f, &err), -EPROTO);
    unsigned char huge[] = {0, 0, 0, 1, 0, 0xff, 0xff, 0xff};
    CHECK_EQ_INT(spdy_parse(huge, sizeof(huge), &f, &err), -EPROTO);
    CHECK(strstr(err.msg, "over the limit") != NULL);
    unsigned char zero[] = {0, 0, 0, 0, 0, 0, 0, 0};
    CHECK_EQ_INT(spdy_parse(zero, sizeof(zero), &f, &err), -EPROTO);
    unsigned char short_rst[] = {0x80, 3, 0, 3, 0, 0, 0, 4, 0, 0, 0, 1};
    CHECK_EQ_INT(spdy_parse(short_rst, sizeof(short_rst), &f, &err), -EPROTO);
    /* a block that is not zlib, and one whose pair runs past its end */
    spdy_zlib z = {0};
    pairs p = {{0}};
    unsigned char junk[] = {1, 2, 3, 4, 5, 6};
    CHECK_EQ_INT(spdy_headers_decode(&z, junk, sizeof(junk), collect, &p, &err), -EPROTO);
    spdy_zlib_end(&z);
}

int main(void)
{
    test_dictionary();
    test_recorded_client();
    test_round_trip_through_one_stream();
    test_malformed();
    return CHECK_DONE();
}
