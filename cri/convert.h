/* Small conversions between protobuf-c's CRI shapes and the sandbox's plain C ones,
 * shared by the pod and container service files.
 *
 * Maps: protobuf-c gives every map<string,string> its own entry type, all laid out
 * as {ProtobufCMessage base; char *key; char *value;}; these helpers rely on that.
 * On the sandbox side a map is a NULL-terminated alternating key, value char **.
 * Everything returned is malloc'd; NULL or -ENOMEM when memory runs out.
 */
#ifndef WASMCRI_CRI_CONVERT_H
#define WASMCRI_CRI_CONVERT_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

#include "api.pb-c.h"
#include "record.h"

/* Map entries → k,v list (never NULL unless ENOMEM). entries is any *Entry ** array. */
char **cri_map_to_kv(void *const *entries, size_t n);

/* k,v list → freshly allocated entries of the entry type desc. */
int cri_kv_to_map(char *const *kv, const ProtobufCMessageDescriptor *desc, void ***ret_entries,
                  size_t *ret_n);

/* repeated string → NULL-terminated copy, and back. */
char **cri_repeated_to_strv(char *const *items, size_t n);
int cri_strv_to_repeated(char *const *v, char ***ret_items, size_t *ret_n);

/* The CRI Signal enum and signal names as the sandbox keeps them ("SIGTERM", "SIGRTMIN+1"
 * for SIGRTMINPLUS1). cri_signal_name: the name in buf (n bytes), or NULL for
 * RUNTIME_DEFAULT or an unknown value; cri_signal_value: RUNTIME_DEFAULT for a name the
 * enum lacks. */
const char *cri_signal_name(int value, char *buf, size_t n);
int cri_signal_value(const char *name);

/* The limits of r (NULL: out is left as it is). */
void cri_resources_from(const Runtime__V1__LinuxContainerResources *r, wc_resources *out);

/* A new message of type desc, initialised; NULL on ENOMEM. */
void *cri_new(const ProtobufCMessageDescriptor *desc);
/* For a message made in steps: m (of cri_new, not NULL) when fill_rc, the steps' result, is 0;
 * otherwise m is freed and NULL returned. `return m ? cri_kept(m, fill(m, ...)) : NULL;` */
void *cri_kept(void *m, int fill_rc);
/* Frees *m, a message of cri_new or protobuf-c's unpacking (NULL is fine): for _cleanup_. */
void cri_message_freep(ProtobufCMessage **m);

/* Appends item (a message, taken; NULL: it could not be made) to the repeated field
 * *items of *n, with room for *cap (the caller's count of it); -ENOMEM, item freed. */
int cri_append(void ***items, size_t *n, size_t *cap, void *item);

#endif
