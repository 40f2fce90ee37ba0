/* Small jansson helpers shared by the manifest and platform parsers. */
#ifndef WASMCRI_IMAGE_JSON_UTIL_H
#define WASMCRI_IMAGE_JSON_UTIL_H

#include <jansson.h>

/* A copy of o[key] if it is a string, else of def (NULL def → NULL). */
char *json_dup_str(json_t *o, const char *key, const char *def);
/* A NULL-terminated copy of the array of strings o[key] (empty when absent). */
char **json_dup_strv(json_t *o, const char *key);
/* The string pairs of the object o[key] as key, value, key, value, ... */
char **json_dup_map(json_t *o, const char *key);

#endif
