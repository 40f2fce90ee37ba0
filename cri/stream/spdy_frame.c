/* SPDY/3.1 frames and header blocks (spdy_frame.h). */
#include "spdy_frame.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void spdy_put32(unsigned char *out, uint32_t v)
{
    out[0] = (unsigned char)(v >> 24);
    out[1] = (unsigned char)(v >> 16);
    out[2] = (unsigned char)(v >> 8);
    out[3] = (unsigned char)v;
}

void spdy_put_control(unsigned char *out, uint16_t type, uint8_t flags, uint32_t len)
{
    out[0] = 0x80;
    out[1] = SPDY_VERSION;
    out[2] = (unsigned char)(type >> 8);
    out[3] = (unsigned char)type;
    spdy_put32(out + 4, len);
    out[4] = flags;
}

void spdy_put_data(unsigned char *out, uint32_t stream_id, uint8_t flags, uint32_t len)
{
    spdy_put32(out, stream_id & 0x7fffffff);
    spdy_put32(out + 4, len);
    out[4] = flags;
}

/* The fixed part each control frame type needs, and where its fields are. */
static int parse_control(spdy_frame *f, const unsigned char *p, size_t len, wc_error *err)
{
    static const struct {
        uint16_t type;
        size_t min;
    } mins[] = {{SPDY_SYN_STREAM, 10}, {SPDY_SYN_REPLY, 4},    {SPDY_RST_STREAM, 8},
                {SPDY_SETTINGS, 4},    {SPDY_PING, 4},         {SPDY_GOAWAY, 8},
                {SPDY_HEADERS, 4},     {SPDY_WINDOW_UPDATE, 8}};
    for (size_t i = 0; i < sizeof(mins) / sizeof(mins[0]); i++)
        if (mins[i].type == f->type && len < mins[i].min)
            return wc_error_set(err, -EPROTO, "SPDY control frame %u of %zu bytes is too short",
                                f->type, len);
    switch (f->type) {
    case SPDY_SYN_STREAM: /* stream id, associated id, priority and slot, headers */
        f->stream_id = get32(p) & 0x7fffffff;
        f->data = p + 10;
        f->len = len - 10;
        break;
    case SPDY_SYN_REPLY:
    case SPDY_HEADERS:
        f->stream_id = get32(p) & 0x7fffffff;
        f->data = p + 4;
        f->len = len - 4;
        break;
    case SPDY_RST_STREAM:
    case SPDY_WINDOW_UPDATE:
        f->stream_id = get32(p) & 0x7fffffff;
        f->value = get32(p + 4) & (f->type == SPDY_WINDOW_UPDATE ? 0x7fffffff : 0xffffffff);
        break;
    case SPDY_PING:
        f->value = get32(p);
        break;
    case SPDY_GOAWAY:
        f->stream_id = get32(p) & 0x7fffffff;
        f->value = get32(p + 4);
        break;
    default: /* SETTINGS and unknown types: the payload as it is (ignored) */
        f->data = p;
        f->len = len;
        break;
    }
    if ((f->type == SPDY_SYN_STREAM || f->type == SPDY_SYN_REPLY || f->type == SPDY_RST_STREAM ||
         f->type == SPDY_HEADERS || f->type == SPDY_WINDOW_UPDATE) &&
        f->stream_id == 0)
        return wc_error_set(err, -EPROTO, "SPDY control frame %u names stream 0", f->type);
    return 0;
}

int spdy_parse(const unsigned char *buf, size_t n, spdy_frame *f, wc_error *err)
{
    if (n < SPDY_HEADER_LEN)
        return 0;
    memset(f, 0, sizeof(*f));
    uint32_t len = get32(buf + 4) & 0xffffff;
    f->flags = buf[4];
    if (len > SPDY_MAX_FRAME)
        return wc_error_set(err, -EPROTO, "a SPDY frame of %u bytes is over the limit of %d", len,
                            SPDY_MAX_FRAME);
    if (n - SPDY_HEADER_LEN < len)
        return 0;
    const unsigned char *p = buf + SPDY_HEADER_LEN;
    f->control = buf[0] & 0x80;
    if (!f->control) {
        f->stream_id = get32(buf) & 0x7fffffff;
        if (f->stream_id == 0)
            return wc_error_set(err, -EPROTO, "a SPDY data frame names stream 0");
        f->data = p;
        f->len = len;
        return SPDY_HEADER_LEN + (int)len;
    }
    uint16_t version = (uint16_t)((buf[0] & 0x7f) << 8 | buf[1]);
    if (version != SPDY_VERSION)
        return wc_error_set(err, -EPROTO, "SPDY version %u is not served (only 3)", version);
    f->type = (uint16_t)(buf[2] << 8 | buf[3]);
    TRY(parse_control(f, p, len, err));
    return SPDY_HEADER_LEN + (int)len;
}

/* ---- the dictionary ---- */

/* Section 2.6.10.1: these words, each after its length as 4 bytes, then the tail. */
static const char *const dict_words[] = {"options",
                                         "head",
                                         "post",
                                         "put",
                                         "delete",
                                         "trace",
                                         "accept",
                                         "accept-charset",
                                         "accept-encoding",
                                         "accept-language",
                                         "accept-ranges",
                                         "age",
                                         "allow",
                                         "authorization",
                                         "cache-control",
                                         "connection",
                                         "content-base",
                                         "content-encoding",
                                         "content-language",
                                         "content-length",
                                         "content-location",
                                         "content-md5",
                                         "content-range",
                                         "content-type",
                                         "date",
                                         "etag",
                                         "expect",
                                         "expires",
                                         "from",
                                         "host",
                                         "if-match",
                                         "if-modified-since",
                                         "if-none-match",
                                         "if-range",
                                         "if-unmodified-since",
                                         "last-modified",
                                         "location",
                                         "max-forwards",
                                         "pragma",
                                         "proxy-authenticate",
                                         "proxy-authorization",
                                         "range",
                                         "referer",
                                         "retry-after",
                                         "server",
                                         "te",
                                         "trailer",
                                         "transfer-encoding",
                                         "upgrade",
                                         "user-agent",
                                         "vary",
                                         "via",
                                         "warning",
                                         "www-authenticate",
                                         "method",
                                         "get",
                                         "status",
                                         "200 OK",
                                         "version",
                                         "HTTP/1.1",
                                         "url",
                                         "public",
                                         "set-cookie",
                                         "keep-alive",
                                         "origin"};
static const char dict_tail[] =
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
    "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 "
    "Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 "
    "Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, "
    "Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,application/xml,"
    "application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=gzip,deflate,sdch"
    "charset=utf-8charset=iso-8859-1,utf-,*,enq=0.";

static unsigned char dict[SPDY_DICT_LEN];
static pthread_once_t dict_once = PTHREAD_ONCE_INIT;

static void build_dict(void)
{
    size_t at = 0;
    for (size_t i = 0; i < sizeof(dict_words) / sizeof(dict_words[0]); i++) {
        size_t n = strlen(dict_words[i]);
        spdy_put32(dict + at, (uint32_t)n);
        memcpy(dict + at + 4, dict_words[i], n);
        at += 4 + n;
    }
    memcpy(dict + at, dict_tail, sizeof(dict_tail) - 1); /* the sizes add up: spdy unit test */
}

const unsigned char *spdy_dictionary(void)
{
    pthread_once(&dict_once, build_dict);
    return dict;
}

/* ---- header blocks ---- */

void spdy_zlib_end(spdy_zlib *z)
{
    if (z->in_ready)
        inflateEnd(&z->in);
    if (z->out_ready)
        deflateEnd(&z->out);
    z->in_ready = z->out_ready = false;
}

static int inflate_block(spdy_zlib *z, const unsigned char *block, size_t n, unsigned char *out,
                         size_t *ret_len, wc_error *err)
{
    if (!z->in_ready) {
        if (inflateInit(&z->in) != Z_OK)
            return wc_error_set(err, -ENOMEM, "out of memory");
        z->in_ready = true;
    }
    z->in.next_in = (unsigned char *)block;
    z->in.avail_in = (unsigned)n;
    z->in.next_out = out;
    z->in.avail_out = SPDY_MAX_HEADERS;
    while (z->in.avail_in > 0) {
        int rc = inflate(&z->in, Z_SYNC_FLUSH);
        if (rc == Z_NEED_DICT &&
            inflateSetDictionary(&z->in, spdy_dictionary(), SPDY_DICT_LEN) == Z_OK)
            continue;
        if (rc == Z_BUF_ERROR && z->in.avail_out == 0)
            return wc_error_set(err, -EPROTO, "a SPDY header block is over %d bytes inflated",
                                SPDY_MAX_HEADERS);
        if (rc != Z_OK)
            return wc_error_set(err, -EPROTO, "a SPDY header block does not inflate: %s",
                                z->in.msg ? z->in.msg : "bad data");
        if (z->in.avail_out == 0 && z->in.avail_in > 0)
            return wc_error_set(err, -EPROTO, "a SPDY header block is over %d bytes inflated",
                                SPDY_MAX_HEADERS);
    }
    *ret_len = SPDY_MAX_HEADERS - z->in.avail_out;
    return 0;
}

int spdy_headers_decode(spdy_zlib *z, const unsigned char *block, size_t n, spdy_header_fn fn,
                        void *ctx, wc_error *err)
{
    unsigned char *buf = malloc(SPDY_MAX_HEADERS);
    if (buf == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    size_t len = 0;
    int rc = inflate_block(z, block, n, buf, &len, err);
    size_t at = 4;
    uint32_t count = rc == 0 && len >= 4 ? get32(buf) : 0;
    if (rc == 0 && len < 4)
        rc = wc_error_set(err, -EPROTO, "a SPDY header block has no pair count");
    for (uint32_t i = 0; rc == 0 && i < count; i++) {
        uint32_t nl = 0, vl = 0;
        if (len - at < 4 || (nl = get32(buf + at)) > len - at - 4 || len - at - 4 - nl < 4 ||
            (vl = get32(buf + at + 4 + nl)) > len - at - 8 - nl) {
            rc = wc_error_set(err, -EPROTO, "SPDY header pair %u runs past its block", i);
            break;
        }
        const char *name = (const char *)buf + at + 4, *value = name + nl + 4;
        at += 8 + (size_t)nl + vl;
        rc = fn(ctx, name, nl, value, vl);
        if (rc < 0)
            wc_error_set(err, rc, "SPDY header %.*s is refused", (int)(nl < 64 ? nl : 64), name);
    }
    free(buf);
    return rc;
}

int spdy_headers_encode(spdy_zlib *z, const char *const *kv, size_t n, unsigned char **ret,
                        size_t *ret_len, wc_error *err)
{
    size_t raw_len = 4;
    for (size_t i = 0; i < 2 * n; i++)
        raw_len += 4 + strlen(kv[i]);
    if (!z->out_ready) {
        if (deflateInit(&z->out, Z_DEFAULT_COMPRESSION) != Z_OK)
            return wc_error_set(err, -ENOMEM, "out of memory");
        z->out_ready = true;
        if (deflateSetDictionary(&z->out, spdy_dictionary(), SPDY_DICT_LEN) != Z_OK)
            return wc_error_set(err, -EIO, "zlib refused the SPDY dictionary");
    }
    unsigned char *raw = malloc(raw_len);
    size_t cap = deflateBound(&z->out, raw_len) + 64;
    unsigned char *out = malloc(cap);
    if (raw == NULL || out == NULL) {
        free(raw);
        free(out);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    spdy_put32(raw, (uint32_t)n);
    size_t at = 4;
    for (size_t i = 0; i < 2 * n; i++) {
        size_t l = strlen(kv[i]);
        spdy_put32(raw + at, (uint32_t)l);
        memcpy(raw + at + 4, kv[i], l);
        at += 4 + l;
    }
    z->out.next_in = raw;
    z->out.avail_in = (unsigned)raw_len;
    z->out.next_out = out;
    z->out.avail_out = (unsigned)cap;
    int rc = deflate(&z->out, Z_SYNC_FLUSH);
    free(raw);
    if (rc != Z_OK || z->out.avail_in != 0) {
        free(out);
        return wc_error_set(err, -EIO, "zlib could not compress a SPDY header block");
    }
    *ret = out;
    *ret_len = cap - z->out.avail_out;
    return 0;
}
