/* The wasi_snapshot_preview1 ABI as the guest sees it: errno numbers, rights bits, flag bits and
 * the byte layout of every struct in linear memory (wasm32, little-endian). Values are those of
 * the WASI witx / wasi-libc's <wasi/api.h>; host code cannot include that header, so they are
 * written out here once. */
#ifndef WASMCRI_WASI_ABI_H
#define WASMCRI_WASI_ABI_H

#include <stdint.h>

typedef uint16_t wasi_errno;

enum {
    WASI_ESUCCESS = 0,
    WASI_E2BIG = 1,
    WASI_EACCES = 2,
    WASI_EADDRINUSE = 3,
    WASI_EADDRNOTAVAIL = 4,
    WASI_EAFNOSUPPORT = 5,
    WASI_EAGAIN = 6,
    WASI_EALREADY = 7,
    WASI_EBADF = 8,
    WASI_EBADMSG = 9,
    WASI_EBUSY = 10,
    WASI_ECANCELED = 11,
    WASI_ECHILD = 12,
    WASI_ECONNABORTED = 13,
    WASI_ECONNREFUSED = 14,
    WASI_ECONNRESET = 15,
    WASI_EDEADLK = 16,
    WASI_EDESTADDRREQ = 17,
    WASI_EDOM = 18,
    WASI_EDQUOT = 19,
    WASI_EEXIST = 20,
    WASI_EFAULT = 21,
    WASI_EFBIG = 22,
    WASI_EHOSTUNREACH = 23,
    WASI_EIDRM = 24,
    WASI_EILSEQ = 25,
    WASI_EINPROGRESS = 26,
    WASI_EINTR = 27,
    WASI_EINVAL = 28,
    WASI_EIO = 29,
    WASI_EISCONN = 30,
    WASI_EISDIR = 31,
    WASI_ELOOP = 32,
    WASI_EMFILE = 33,
    WASI_EMLINK = 34,
    WASI_EMSGSIZE = 35,
    WASI_EMULTIHOP = 36,
    WASI_ENAMETOOLONG = 37,
    WASI_ENETDOWN = 38,
    WASI_ENETRESET = 39,
    WASI_ENETUNREACH = 40,
    WASI_ENFILE = 41,
    WASI_ENOBUFS = 42,
    WASI_ENODEV = 43,
    WASI_ENOENT = 44,
    WASI_ENOEXEC = 45,
    WASI_ENOLCK = 46,
    WASI_ENOLINK = 47,
    WASI_ENOMEM = 48,
    WASI_ENOMSG = 49,
    WASI_ENOPROTOOPT = 50,
    WASI_ENOSPC = 51,
    WASI_ENOSYS = 52,
    WASI_ENOTCONN = 53,
    WASI_ENOTDIR = 54,
    WASI_ENOTEMPTY = 55,
    WASI_ENOTRECOVERABLE = 56,
    WASI_ENOTSOCK = 57,
    WASI_ENOTSUP = 58,
    WASI_ENOTTY = 59,
    WASI_ENXIO = 60,
    WASI_EOVERFLOW = 61,
    WASI_EOWNERDEAD = 62,
    WASI_EPERM = 63,
    WASI_EPIPE = 64,
    WASI_EPROTO = 65,
    WASI_EPROTONOSUPPORT = 66,
    WASI_EPROTOTYPE = 67,
    WASI_ERANGE = 68,
    WASI_EROFS = 69,
    WASI_ESPIPE = 70,
    WASI_ESRCH = 71,
    WASI_ESTALE = 72,
    WASI_ETIMEDOUT = 73,
    WASI_ETXTBSY = 74,
    WASI_EXDEV = 75,
    WASI_ENOTCAPABLE = 76,
};

/* rights */
#define WASI_RIGHT(n) ((uint64_t)1 << (n))
#define WASI_RIGHT_FD_DATASYNC WASI_RIGHT(0)
#define WASI_RIGHT_FD_READ WASI_RIGHT(1)
#define WASI_RIGHT_FD_SEEK WASI_RIGHT(2)
#define WASI_RIGHT_FD_FDSTAT_SET_FLAGS WASI_RIGHT(3)
#define WASI_RIGHT_FD_SYNC WASI_RIGHT(4)
#define WASI_RIGHT_FD_TELL WASI_RIGHT(5)
#define WASI_RIGHT_FD_WRITE WASI_RIGHT(6)
#define WASI_RIGHT_FD_ADVISE WASI_RIGHT(7)
#define WASI_RIGHT_FD_ALLOCATE WASI_RIGHT(8)
#define WASI_RIGHT_PATH_CREATE_DIRECTORY WASI_RIGHT(9)
#define WASI_RIGHT_PATH_CREATE_FILE WASI_RIGHT(10)
#define WASI_RIGHT_PATH_LINK_SOURCE WASI_RIGHT(11)
#define WASI_RIGHT_PATH_LINK_TARGET WASI_RIGHT(12)
#define WASI_RIGHT_PATH_OPEN WASI_RIGHT(13)
#define WASI_RIGHT_FD_READDIR WASI_RIGHT(14)
#define WASI_RIGHT_PATH_READLINK WASI_RIGHT(15)
#define WASI_RIGHT_PATH_RENAME_SOURCE WASI_RIGHT(16)
#define WASI_RIGHT_PATH_RENAME_TARGET WASI_RIGHT(17)
#define WASI_RIGHT_PATH_FILESTAT_GET WASI_RIGHT(18)
#define WASI_RIGHT_PATH_FILESTAT_SET_SIZE WASI_RIGHT(19)
#define WASI_RIGHT_PATH_FILESTAT_SET_TIMES WASI_RIGHT(20)
#define WASI_RIGHT_FD_FILESTAT_GET WASI_RIGHT(21)
#define WASI_RIGHT_FD_FILESTAT_SET_SIZE WASI_RIGHT(22)
#define WASI_RIGHT_FD_FILESTAT_SET_TIMES WASI_RIGHT(23)
#define WASI_RIGHT_PATH_SYMLINK WASI_RIGHT(24)
#define WASI_RIGHT_PATH_REMOVE_DIRECTORY WASI_RIGHT(25)
#define WASI_RIGHT_PATH_UNLINK_FILE WASI_RIGHT(26)
#define WASI_RIGHT_POLL_FD_READWRITE WASI_RIGHT(27)
#define WASI_RIGHT_SOCK_SHUTDOWN WASI_RIGHT(28)
#define WASI_RIGHT_SOCK_ACCEPT WASI_RIGHT(29)
#define WASI_RIGHTS_ALL (WASI_RIGHT(30) - 1)

/* filetype */
enum {
    WASI_FILETYPE_UNKNOWN = 0,
    WASI_FILETYPE_BLOCK_DEVICE = 1,
    WASI_FILETYPE_CHARACTER_DEVICE = 2,
    WASI_FILETYPE_DIRECTORY = 3,
    WASI_FILETYPE_REGULAR_FILE = 4,
    WASI_FILETYPE_SOCKET_DGRAM = 5,
    WASI_FILETYPE_SOCKET_STREAM = 6,
    WASI_FILETYPE_SYMBOLIC_LINK = 7,
};

/* fdflags, oflags, lookupflags, fstflags */
#define WASI_FDFLAG_APPEND 0x1
#define WASI_FDFLAG_DSYNC 0x2
#define WASI_FDFLAG_NONBLOCK 0x4
#define WASI_FDFLAG_RSYNC 0x8
#define WASI_FDFLAG_SYNC 0x10
#define WASI_OFLAG_CREAT 0x1
#define WASI_OFLAG_DIRECTORY 0x2
#define WASI_OFLAG_EXCL 0x4
#define WASI_OFLAG_TRUNC 0x8
#define WASI_LOOKUP_SYMLINK_FOLLOW 0x1
#define WASI_FST_ATIM 0x1
#define WASI_FST_ATIM_NOW 0x2
#define WASI_FST_MTIM 0x4
#define WASI_FST_MTIM_NOW 0x8

/* whence, advice, clocks, events, sockets */
enum { WASI_WHENCE_SET = 0, WASI_WHENCE_CUR = 1, WASI_WHENCE_END = 2 };
enum {
    WASI_CLOCK_REALTIME = 0,
    WASI_CLOCK_MONOTONIC = 1,
    WASI_CLOCK_PROCESS_CPUTIME = 2,
    WASI_CLOCK_THREAD_CPUTIME = 3
};
enum { WASI_EVENT_CLOCK = 0, WASI_EVENT_FD_READ = 1, WASI_EVENT_FD_WRITE = 2 };
#define WASI_EVENT_FD_READWRITE_HANGUP 0x1
#define WASI_SUBCLOCK_ABSTIME 0x1
#define WASI_RIFLAG_RECV_PEEK 0x1
#define WASI_RIFLAG_RECV_WAITALL 0x2
#define WASI_ROFLAG_RECV_DATA_TRUNCATED 0x1
#define WASI_SDFLAG_RD 0x1
#define WASI_SDFLAG_WR 0x2
#define WASI_PREOPENTYPE_DIR 0
#define WASI_PREOPENTYPE_SOCKET 1 /* ours (README): what wasi-libc's preopen scan skips */

/* The WasmEdge socket extension (wasm/wasi/README.md): its errnos for sock_getaddrinfo, address
 * families, socket types, protocols, sockopt names and addrinfo flags. */
enum {
    WASI_EAI_ADDRFAMILY = 77,
    WASI_EAI_AGAIN = 78,
    WASI_EAI_BADFLAG = 79,
    WASI_EAI_FAIL = 80,
    WASI_EAI_FAMILY = 81,
    WASI_EAI_MEMORY = 82,
    WASI_EAI_NODATA = 83,
    WASI_EAI_NONAME = 84,
    WASI_EAI_SERVICE = 85,
    WASI_EAI_SOCKTYPE = 86,
    WASI_EAI_SYSTEM = 87,
};
enum { WASI_AF_UNSPEC = 0, WASI_AF_INET4 = 1, WASI_AF_INET6 = 2 };
enum { WASI_SOCK_ANY = 0, WASI_SOCK_DGRAM = 1, WASI_SOCK_STREAM = 2 };
enum { WASI_PROTO_IP = 0, WASI_PROTO_TCP = 1, WASI_PROTO_UDP = 2 };
#define WASI_AI_PASSIVE 0x1
#define WASI_AI_CANONNAME 0x2
#define WASI_AI_NUMERICHOST 0x4
#define WASI_AI_NUMERICSERV 0x8
#define WASI_AI_V4MAPPED 0x10
#define WASI_AI_ALL 0x20
#define WASI_AI_ADDRCONFIG 0x40
#define WASI_SOL_SOCKET 0
enum {
    WASI_SO_REUSEADDR = 0,
    WASI_SO_TYPE = 1,
    WASI_SO_ERROR = 2,
    WASI_SO_DONTROUTE = 3,
    WASI_SO_BROADCAST = 4,
    WASI_SO_SNDBUF = 5,
    WASI_SO_RCVBUF = 6,
    WASI_SO_KEEPALIVE = 7,
    WASI_SO_OOBINLINE = 8,
    WASI_SO_LINGER = 9,
    WASI_SO_RCVLOWAT = 10,
    WASI_SO_RCVTIMEO = 11,
    WASI_SO_SNDTIMEO = 12,
    WASI_SO_ACCEPTCONN = 13,
};

/* struct layouts: sizes and field offsets in guest memory */
#define WASI_IOVEC_SIZE 8 /* buf u32 @0, buf_len u32 @4 */
#define WASI_FDSTAT_SIZE                                                                           \
    24 /* filetype u8 @0, flags u16 @2, rights_base u64 @8, inheriting u64 @16 */
#define WASI_FILESTAT_SIZE                                                                         \
    64 /* dev @0 ino @8 filetype u8 @16 nlink @24 size @32 atim @40 mtim @48 ctim @56 */
#define WASI_PRESTAT_SIZE 8 /* tag u8 @0, name_len u32 @4 */
#define WASI_DIRENT_SIZE 24 /* d_next u64 @0, d_ino u64 @8, d_namlen u32 @16, d_type u8 @20 */
#define WASI_SUBSCRIPTION_SIZE                                                                     \
    48 /* userdata u64 @0, tag u8 @8, clock{id u32 @16, timeout u64 @24,                           \
          precision u64 @32, flags u16 @40} | fd u32 @16 */
#define WASI_EVENT_SIZE                                                                            \
    32 /* userdata u64 @0, error u16 @8, type u8 @10, nbytes u64 @16, flags u16 @24 */
/* extension: address {buf u32 @0, buf_len u32 @4}; buf_len 4 (IPv4 bytes), 16 (IPv6 bytes) or
 * 128 (storage: family u16 @0, address bytes @2) */
#define WASI_ADDRESS_SIZE 8
#define WASI_ADDR_STORAGE_SIZE 128
/* extension: addrinfo {flags u16 @0, family u8 @2, socktype u8 @3, protocol u8 @4, addrlen u32 @8,
 * addr u32 @12, canonname u32 @16, canonname_len u32 @20, next u32 @24}; its sockaddr {family u8
 * @0, data_len u32 @4, data u32 @8}, data = the host sockaddr from the port on */
#define WASI_ADDRINFO_SIZE 28
#define WASI_SOCKADDR_SIZE 12

#endif
