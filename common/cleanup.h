/* Cleanup helpers used across the tree: variables that free themselves when they go out
 * of scope (`_cleanup_free_ char *p = NULL;`), and take_ptr() to hand ownership on.
 * Every destructor here accepts NULL.
 */
#ifndef WASMCRI_COMMON_CLEANUP_H
#define WASMCRI_COMMON_CLEANUP_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void wc_freep(void *p)
{
    free(*(void **)p);
}
static inline void wc_closep(int *fd)
{
    if (*fd >= 0)
        close(*fd);
}
static inline void wc_fclosep(FILE **f)
{
    if (*f != NULL)
        fclose(*f);
}
static inline void wc_closedirp(DIR **d)
{
    if (*d != NULL)
        closedir(*d);
}
/* Frees a NULL-terminated array of strings and the array itself. */
static inline void wc_strv_free(char **v)
{
    if (v == NULL)
        return;
    for (char **p = v; *p != NULL; p++)
        free(*p);
    free(v);
}
static inline void wc_strv_freep(char ***v)
{
    wc_strv_free(*v);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ __attribute__((cleanup(wc_freep)))
#define _cleanup_close_ __attribute__((cleanup(wc_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(wc_fclosep)))
#define _cleanup_closedir_ __attribute__((cleanup(wc_closedirp)))
#define _cleanup_strv_ __attribute__((cleanup(wc_strv_freep)))

/* Returns *pp and sets it to NULL: the caller now owns the pointer. */
#define take_ptr(pp)                                                                               \
    ({                                                                                             \
        __typeof__(pp) *_pp = &(pp);                                                               \
        __typeof__(pp) _v = *_pp;                                                                  \
        *_pp = NULL;                                                                               \
        _v;                                                                                        \
    })

/* Returns fd and sets it to -1: the caller now owns the descriptor. */
#define take_fd(fd)                                                                                \
    ({                                                                                             \
        int _fd = (fd);                                                                            \
        (fd) = -1;                                                                                 \
        _fd;                                                                                       \
    })

#endif
