/* Interned strings: one shared, reference-counted copy of a string that many records hold
 * (a container's image, image id, snapshot and module paths: the same for every container
 * of an image, ~400 bytes each at 10,000 containers: issue 18). Thread-safe.
 *
 *   const char *s = wc_intern("sha256:..."); // NULL on ENOMEM
 *   ...
 *   wc_intern_drop(s); // freed with its last holder
 */
#ifndef WASMCRI_COMMON_INTERN_H
#define WASMCRI_COMMON_INTERN_H

/* The shared copy of s, held once more; NULL on ENOMEM. */
char *wc_intern(const char *s);
/* Lets go of a copy wc_intern gave (NULL is fine). */
void wc_intern_drop(const char *s);

#endif
