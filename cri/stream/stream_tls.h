/* The streaming server's TLS certificate and key (PEM, for libmicrohttpd's GnuTLS): read from the
 * configured files, or a self-signed pair made at start with OpenSSL. */
#ifndef WASMCRI_CRI_STREAM_TLS_H
#define WASMCRI_CRI_STREAM_TLS_H

#include <stddef.h>

#include "error.h"

#define STREAM_TLS_FILE_MAX (1024 * 1024) /* a PEM file larger than this is refused */

typedef struct stream_tls_pair {
    char *cert_pem, *key_pem; /* NUL-terminated, malloc'd */
} stream_tls_pair;

/* Reads the pair from cert_file and key_file; each must hold its PEM block (checked by OpenSSL,
 * so that a wrong file is named here and not in GnuTLS's words later) and the key must be the
 * certificate's. */
int stream_tls_load(const char *cert_file, const char *key_file, stream_tls_pair *ret,
                    wc_error *err);

/* A new P-256 key and a certificate for it, self-signed, valid for a year from an hour ago, for
 * the IP address addr (subjectAltName) and localhost. */
int stream_tls_self_signed(const char *addr, stream_tls_pair *ret, wc_error *err);

void stream_tls_pair_clear(stream_tls_pair *p);

#endif
