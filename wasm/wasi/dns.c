/* One DNS question over UDP (RFC 1035): builds the query, sends it from a connected socket (so
 * the kernel drops datagrams from anyone but the server), and waits until the deadline for the
 * answer whose id, flags and question match ours. Answers are untrusted input: every length and
 * offset is checked against the datagram before it is read. Truncated answers are used as far as
 * they go (no TCP retry).
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lookup.h"

#define DNS_MAX_UDP 1232 /* the EDNS-safe size; longer answers come truncated */
#define DNS_HEADER 12
#define DNS_MAX_NAME 255

int64_t lookup_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* name -> query datagram in q; its length, or -EINVAL when a label is empty or too long. */
static int build_query(const char *name, uint16_t id, int qtype, uint8_t q[DNS_MAX_UDP])
{
    memset(q, 0, DNS_HEADER);
    put16(q, id);
    q[2] = 0x01; /* RD */
    put16(q + 4, 1);
    size_t o = DNS_HEADER;
    for (const char *p = name; *p;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (len == 0 || len > 63 || o - DNS_HEADER + len + 2 > DNS_MAX_NAME)
            return -EINVAL;
        q[o++] = (uint8_t)len;
        memcpy(q + o, p, len);
        o += len;
        p += len;
        if (*p == '.')
            p++;
    }
    if (o == DNS_HEADER)
        return -EINVAL;
    q[o++] = 0;
    put16(q + o, (uint16_t)qtype);
    put16(q + o + 2, 1); /* class IN */
    return (int)o + 4;
}

/* Offset after the (possibly compressed) name at o, or 0 when it runs past n. */
static size_t skip_name(const uint8_t *b, size_t n, size_t o)
{
    while (o < n) {
        uint8_t len = b[o];
        if ((len & 0xC0) == 0xC0)
            return o + 2 <= n ? o + 2 : 0;
        if (len & 0xC0)
            return 0;
        if (len == 0)
            return o + 1;
        o += 1 + (size_t)len;
    }
    return 0;
}

/* Checks the answer r (n bytes) against query q (qn bytes) and collects its addresses. */
static int parse_answer(const uint8_t *r, size_t n, const uint8_t *q, size_t qn, int qtype,
                        lookup_addr *out, size_t max, size_t *count)
{
    if (n < qn || get16(r) != get16(q) || !(r[2] & 0x80) || (r[2] & 0x78) != 0 || get16(r + 4) != 1)
        return -EAGAIN;                        /* not our answer: keep waiting */
    for (size_t i = DNS_HEADER; i < qn; i++) { /* same question, letters in any case */
        uint8_t a = r[i], b = q[i];
        if (a != b && !((a | 0x20) == (b | 0x20) && (a | 0x20) >= 'a' && (a | 0x20) <= 'z'))
            return -EAGAIN;
    }
    int rcode = r[3] & 0x0F;
    if (rcode == 3)
        return -ENOENT;
    if (rcode != 0)
        return -EPROTO;
    size_t o = qn, first = *count;
    bool cut = r[2] & 0x02; /* TC: what is there is usable, the rest is missing */
    for (uint16_t an = get16(r + 6); an > 0; an--) {
        o = skip_name(r, n, o);
        uint16_t rdlen = o != 0 && o + 10 <= n ? get16(r + o + 8) : 0;
        if (o == 0 || o + 10 + (size_t)rdlen > n) {
            if (!cut)
                *count = first; /* garbled: nothing of it counts */
            return cut ? 0 : -EPROTO;
        }
        uint16_t type = get16(r + o), class = get16(r + o + 2);
        o += 10;
        size_t want = qtype == DNS_A ? 4 : 16;
        if (type == qtype && class == 1 && rdlen == want && *count < max) {
            out[*count].family = qtype == DNS_A ? AF_INET : AF_INET6;
            memcpy(out[*count].bytes, r + o, want);
            (*count)++;
        }
        o += rdlen;
    }
    return 0;
}

int dns_query(const struct sockaddr *server, unsigned len, const char *name, int qtype,
              int64_t deadline_ms, lookup_addr *out, size_t max, size_t *n)
{
    uint8_t q[DNS_MAX_UDP], r[DNS_MAX_UDP];
    uint16_t id;
    if (getrandom(&id, sizeof(id), 0) != sizeof(id))
        return -errno;
    int qn = build_query(name, id, qtype, q);
    if (qn < 0)
        return qn;
    int fd = socket(server->sa_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -errno;
    int rc = connect(fd, server, len) < 0 || send(fd, q, (size_t)qn, 0) != qn ? -errno : -EAGAIN;
    while (rc == -EAGAIN) {
        int64_t left = deadline_ms - lookup_now_ms();
        if (left <= 0) {
            rc = -ETIMEDOUT;
            break;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int pr = poll(&p, 1, left > 1000000 ? 1000000 : (int)left);
        if (pr < 0 && errno != EINTR) {
            rc = -errno;
        } else if (pr > 0) {
            ssize_t got = recv(fd, r, sizeof(r), 0);
            if (got < 0 && errno != EAGAIN && errno != EINTR)
                rc = errno == ECONNREFUSED ? -EPROTO : -errno; /* nothing listens there */
            else if (got > 0)
                rc = parse_answer(r, (size_t)got, q, (size_t)qn, qtype, out, max, n);
        }
    }
    close(fd);
    return rc;
}
