/* A container's user as its record keeps it (container.h: wc_ctr_user): the uid and gid, and
 * the supplementary groups as one interned string of their decimal ids ("1 2 3"; NULL for
 * none), since a wc_user's room for 32 groups was 128 bytes of every container and most
 * containers hold the same few (issue 18). Its codec stores it as a wc_user is stored, so
 * records read and write the same JSON as before. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "intern.h"

static void to_user(const wc_ctr_user *cu, wc_user *ret_user)
{
    *ret_user = (wc_user){.uid = cu->uid, .gid = cu->gid};
    const char *p = cu->groups;
    while (p && *p && ret_user->n_groups < WC_MAX_GROUPS) {
        char *end;
        ret_user->groups[ret_user->n_groups++] = (uint32_t)strtoul(p, &end, 10);
        p = end;
    }
}

void wc_container_user(const wc_container *c, wc_user *ret_user)
{
    to_user(&c->user, ret_user);
}

/* u as a wc_ctr_user into a zeroed out; -ENOMEM leaves it zeroed. */
static int from_user(wc_ctr_user *out, const wc_user *u)
{
    char text[WC_MAX_GROUPS * 11 + 1] = "";
    size_t len = 0;
    for (uint32_t i = 0; i < u->n_groups && i < WC_MAX_GROUPS; i++)
        len += (size_t)snprintf(text + len, sizeof(text) - len, i ? " %u" : "%u", u->groups[i]);
    char *groups = len ? wc_intern(text) : NULL;
    if (len && groups == NULL)
        return -ENOMEM;
    *out = (wc_ctr_user){.uid = u->uid, .gid = u->gid, .groups = groups};
    return 0;
}

int wc_container_set_user(wc_container *c, const wc_user *u)
{
    wc_ctr_user next = {0};
    if (from_user(&next, u) < 0)
        return -ENOMEM;
    wc_intern_drop(c->user.groups);
    c->user = next;
    return 0;
}

static int user_encode(json_t *o, const char *key, const void *value)
{
    wc_user u;
    to_user(value, &u);
    return wc_user_codec.encode(o, key, &u);
}

static int user_decode(const json_t *o, const char *key, void *value)
{
    wc_user u;
    wc_user_codec.decode(o, key, &u);
    return from_user(value, &u);
}

static int user_copy(void *dst, const void *src)
{
    const wc_ctr_user *from = src;
    wc_ctr_user *to = dst;
    *to = (wc_ctr_user){.uid = from->uid, .gid = from->gid};
    if (from->groups && (to->groups = wc_intern(from->groups)) == NULL)
        return -ENOMEM;
    return 0;
}

static void user_clear(void *value)
{
    wc_ctr_user *u = value;
    wc_intern_drop(u->groups);
    *u = (wc_ctr_user){0};
}

const wc_field_codec wc_ctr_user_codec = {sizeof(wc_ctr_user), user_encode, user_decode, user_copy,
                                          user_clear};
