/* Shared by the WASI test programs: print an errno by name, so expected outputs read well and do
 * not depend on strerror wording. */
#ifndef WASI_TEST_COMMON_H
#define WASI_TEST_COMMON_H

#include <errno.h>
#include <stdio.h>

static const char *errname(int e)
{
    switch (e) {
    case 0:
        return "OK";
    case EACCES:
        return "EACCES";
    case EBADF:
        return "EBADF";
    case EEXIST:
        return "EEXIST";
    case EFAULT:
        return "EFAULT";
    case EINVAL:
        return "EINVAL";
    case EISDIR:
        return "EISDIR";
    case ELOOP:
        return "ELOOP";
    case ENOENT:
        return "ENOENT";
    case ENOTDIR:
        return "ENOTDIR";
    case ENOTEMPTY:
        return "ENOTEMPTY";
    case ENOTCAPABLE:
        return "ENOTCAPABLE";
    case EPERM:
        return "EPERM";
    case EROFS:
        return "EROFS";
    case EXDEV:
        return "EXDEV";
    case ENOTSOCK:
        return "ENOTSOCK";
    case ENOTSUP:
        return "ENOTSUP";
    case ESPIPE:
        return "ESPIPE";
    case ENAMETOOLONG:
        return "ENAMETOOLONG";
    case EAGAIN:
        return "EAGAIN";
    case EAFNOSUPPORT:
        return "EAFNOSUPPORT";
    case EPROTOTYPE:
        return "EPROTOTYPE";
    case ENOPROTOOPT:
        return "ENOPROTOOPT";
    case ECONNREFUSED:
        return "ECONNREFUSED";
    case 78:
        return "EAI_AGAIN";
    case 80:
        return "EAI_FAIL";
    case 83:
        return "EAI_NODATA";
    case 84:
        return "EAI_NONAME";
    case 85:
        return "EAI_SERVICE";
    default:
        return "E?";
    }
}

/* "what: OK" or "what: ENAME" from a libc call's return value (-1 + errno means failure). */
#define REPORT(what, call)                                                                         \
    do {                                                                                           \
        errno = 0;                                                                                 \
        int rc_ = (int)(call);                                                                     \
        printf("%s: %s\n", what, rc_ < 0 ? errname(errno) : "OK");                                 \
    } while (0)

#endif
