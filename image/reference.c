/* Reference parsing after distribution/reference's grammar:
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [domain "/"] component ("/" component)*
 *   domain    := host [":" port]   (recognised by a "." or ":" or being "localhost")
 *   component := [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*
 *   tag       := [\w][\w.-]{0,127}
 * followed by Docker's normalisation (docker.io, library/, :latest).
 */
#include "reference.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "digest.h"

#define NAME_MAX_LEN 255

static bool is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component: alnum runs joined by ".", "_", "__" or any number of "-". */
static bool component_valid(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (!is_lower_alnum(s[i]))
            return false;
        while (i < len && is_lower_alnum(s[i]))
            i++;
        if (i == len)
            return true;
        size_t sep = i;
        if (s[i] == '.')
            i++;
        else if (s[i] == '_')
            i += (i + 1 < len && s[i + 1] == '_') ? 2 : 1;
        else
            while (i < len && s[i] == '-')
                i++;
        if (i == sep || i == len)
            return false;
    }
    return len > 0;
}

static bool domain_valid(const char *s, size_t len)
{
    if (len == 0)
        return false;
    const char *colon = memchr(s, ':', len);
    size_t host_len = colon ? (size_t)(colon - s) : len;
    if (host_len == 0)
        return false;
    for (size_t i = 0; i < host_len; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '-')
            return false;
    if (s[0] == '-' || s[0] == '.' || s[host_len - 1] == '-' || s[host_len - 1] == '.')
        return false;
    if (colon == NULL)
        return true;
    size_t port_len = len - host_len - 1;
    if (port_len == 0 || port_len > 5)
        return false;
    for (size_t i = host_len + 1; i < len; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static bool tag_valid(const char *t)
{
    size_t len = strlen(t);
    if (len == 0 || len > 128)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = t[i];
        bool word = isalnum((unsigned char)c) || c == '_';
        if (!(word || (i > 0 && (c == '.' || c == '-'))))
            return false;
    }
    return true;
}

static bool path_valid(const char *p)
{
    const char *start = p;
    for (;;) {
        const char *slash = strchr(start, '/');
        size_t len = slash ? (size_t)(slash - start) : strlen(start);
        if (!component_valid(start, len))
            return false;
        if (slash == NULL)
            return true;
        start = slash + 1;
    }
}

/* Splits "name" into domain and path; both malloc'd. */
static int split_name(const char *name, char **ret_domain, char **ret_path)
{
    const char *slash = strchr(name, '/');
    bool has_domain = false;
    if (slash != NULL) {
        size_t n = (size_t)(slash - name);
        has_domain = memchr(name, '.', n) || memchr(name, ':', n) ||
                     (n == 9 && strncmp(name, "localhost", 9) == 0);
        for (size_t i = 0; i < n && !has_domain; i++)
            has_domain = isupper((unsigned char)name[i]);
    }
    if (has_domain) {
        size_t n = (size_t)(slash - name);
        if (!domain_valid(name, n))
            return -EINVAL;
        *ret_domain = strndup(name, n);
        if (strcmp(*ret_domain, "index.docker.io") == 0) {
            free(*ret_domain);
            *ret_domain = strdup("docker.io");
        }
        *ret_path = strdup(slash + 1);
    } else {
        *ret_domain = strdup("docker.io");
        *ret_path = strdup(name);
    }
    if (*ret_domain == NULL || *ret_path == NULL)
        return -ENOMEM;
    if (strcmp(*ret_domain, "docker.io") == 0 && strchr(*ret_path, '/') == NULL) {
        char *p = NULL;
        if (asprintf(&p, "library/%s", *ret_path) < 0)
            return -ENOMEM;
        free(*ret_path);
        *ret_path = p;
    }
    return 0;
}

static int ref_parse(const char *s, wc_ref *ref, const char **why)
{
    _cleanup_free_ char *copy = strdup(s);
    if (copy == NULL)
        return -ENOMEM;
    char *at = strchr(copy, '@');
    if (at != NULL) {
        *at = '\0';
        if (wc_digest_validate(at + 1, NULL) < 0)
            return (*why = "the digest must be sha256:<64 lowercase hex digits>"), -EINVAL;
        ref->digest = strdup(at + 1);
    }
    char *last_slash = strrchr(copy, '/');
    char *colon = strrchr(last_slash ? last_slash : copy, ':');
    if (colon != NULL) {
        *colon = '\0';
        if (!tag_valid(colon + 1))
            return (*why = "the tag must be 1-128 of [A-Za-z0-9_.-], not starting with . or -"),
                   -EINVAL;
        ref->tag = strdup(colon + 1);
    } else if (ref->digest == NULL) {
        ref->tag = strdup("latest");
    }
    if (copy[0] == '\0')
        return (*why = "the name is empty"), -EINVAL;
    int r = split_name(copy, &ref->domain, &ref->path);
    if (r == -EINVAL)
        return (*why = "the registry host is not a valid host[:port]"), -EINVAL;
    if (r < 0)
        return r;
    if (!path_valid(ref->path))
        return (*why = "the repository must be lowercase letters and digits separated by "
                       "'/', '.', '_' or '-'"),
               -EINVAL;
    if (strlen(ref->domain) + 1 + strlen(ref->path) > NAME_MAX_LEN)
        return (*why = "the name is longer than 255 characters"), -EINVAL;
    return 0;
}

int wc_ref_parse(const char *s, wc_ref *ret, wc_error *err)
{
    wc_ref ref = {0};
    const char *why = "";
    int r = ref_parse(s, &ref, &why);
    if (r == 0 && (ref.domain == NULL || ref.path == NULL || (!ref.tag && !ref.digest)))
        r = -ENOMEM;
    if (r < 0) {
        wc_ref_clear(&ref);
        if (r == -ENOMEM)
            return wc_error_set(err, r, "parse image reference: out of memory");
        return wc_error_set(err, r, "invalid image reference \"%s\": %s", s, why);
    }
    *ret = ref;
    return 0;
}

void wc_ref_clear(wc_ref *r)
{
    free(r->domain);
    free(r->path);
    free(r->tag);
    free(r->digest);
    *r = (wc_ref){0};
}

char *wc_ref_name(const wc_ref *r)
{
    char *s = NULL;
    if (asprintf(&s, "%s/%s", r->domain, r->path) < 0)
        return NULL;
    return s;
}

char *wc_ref_string(const wc_ref *r)
{
    char *s = NULL;
    if (asprintf(&s, "%s/%s%s%s%s%s", r->domain, r->path, r->tag ? ":" : "", r->tag ? r->tag : "",
                 r->digest ? "@" : "", r->digest ? r->digest : "") < 0)
        return NULL;
    return s;
}

const char *wc_ref_object(const wc_ref *r)
{
    return r->digest ? r->digest : r->tag;
}
