/* stream_tls.h: the pair as PEM text, checked or made with OpenSSL (libcrypto, which the daemon
 * links for hashing already); libmicrohttpd's GnuTLS then serves it. */
#include "stream_tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ssl_error(wc_error *err, const char *what)
{
    char msg[256] = "";
    unsigned long e = ERR_get_error();
    if (e)
        ERR_error_string_n(e, msg, sizeof(msg));
    ERR_clear_error();
    return wc_error_set(err, -EINVAL, "%s%s%s", what, *msg ? ": " : "", msg);
}

/* The whole file, NUL-terminated. */
static int read_pem(const char *path, char **ret, wc_error *err)
{
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return wc_error_set_errno(err, -errno, "open %s", path);
    char *buf = malloc(STREAM_TLS_FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, STREAM_TLS_FILE_MAX + 1, f) : 0;
    bool failed = ferror(f);
    fclose(f);
    if (buf == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    if (failed || n > STREAM_TLS_FILE_MAX) {
        free(buf);
        return wc_error_set(err, -EINVAL, "%s: %s", path,
                            failed ? "cannot be read" : "over 1 MiB: not a PEM file");
    }
    buf[n] = '\0';
    *ret = buf;
    return 0;
}

static int check_pair(const stream_tls_pair *p, const char *cert_file, const char *key_file,
                      wc_error *err)
{
    BIO *cb = BIO_new_mem_buf(p->cert_pem, -1), *kb = BIO_new_mem_buf(p->key_pem, -1);
    X509 *cert = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
    EVP_PKEY *key = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
    char what[4096 + 64];
    int rc = 0;
    if (cert == NULL)
        snprintf(what, sizeof(what), "%s holds no PEM certificate", cert_file), rc = -1;
    else if (key == NULL)
        snprintf(what, sizeof(what), "%s holds no unencrypted PEM private key", key_file), rc = -1;
    else if (X509_check_private_key(cert, key) != 1)
        snprintf(what, sizeof(what), "the key in %s is not the one of the certificate in %s",
                 key_file, cert_file),
            rc = -1;
    X509_free(cert);
    EVP_PKEY_free(key);
    BIO_free(cb);
    BIO_free(kb);
    return rc < 0 ? ssl_error(err, what) : 0;
}

/* The two PEM files read into p and checked as a pair; on failure p may hold a part. */
static int read_pair(const char *cert_file, const char *key_file, stream_tls_pair *p, wc_error *err)
{
    TRY(read_pem(cert_file, &p->cert_pem, err));
    TRY(read_pem(key_file, &p->key_pem, err));
    return check_pair(p, cert_file, key_file, err);
}

int stream_tls_load(const char *cert_file, const char *key_file, stream_tls_pair *ret,
                    wc_error *err)
{
    stream_tls_pair p = {0};
    int rc = read_pair(cert_file, key_file, &p, err);
    if (rc < 0) {
        stream_tls_pair_clear(&p);
        return rc;
    }
    *ret = p;
    return 0;
}

/* What a memory BIO holds, as a NUL-terminated string. */
static char *bio_text(BIO *b)
{
    char *data = NULL;
    long n = BIO_get_mem_data(b, &data);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s) {
        memcpy(s, data, (size_t)n);
        s[n] = '\0';
    }
    return s;
}

static bool add_san(X509 *cert, const char *addr)
{
    char san[128];
    snprintf(san, sizeof(san), "IP:%s, DNS:localhost", addr);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san);
    bool ok = ext && X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

static X509 *make_cert(EVP_PKEY *key, const char *addr)
{
    X509 *cert = X509_new();
    unsigned char serial[16];
    BIGNUM *bn = NULL;
    bool ok = cert && RAND_bytes(serial, sizeof(serial)) == 1 &&
              (bn = BN_bin2bn(serial, sizeof(serial), NULL)) &&
              BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) &&
              X509_set_version(cert, 2) == 1 && X509_gmtime_adj(X509_getm_notBefore(cert), -3600) &&
              X509_gmtime_adj(X509_getm_notAfter(cert), 365L * 24 * 3600) &&
              X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                                         (const unsigned char *)"wasmcri streaming server", -1, -1,
                                         0) == 1 &&
              X509_set_issuer_name(cert, X509_get_subject_name(cert)) == 1 &&
              X509_set_pubkey(cert, key) == 1 && add_san(cert, addr) &&
              X509_sign(cert, key, EVP_sha256()) > 0;
    BN_free(bn);
    if (!ok) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

int stream_tls_self_signed(const char *addr, stream_tls_pair *ret, wc_error *err)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *cert = key ? make_cert(key, addr) : NULL;
    BIO *cb = BIO_new(BIO_s_mem()), *kb = BIO_new(BIO_s_mem());
    stream_tls_pair p = {0};
    if (cert && cb && kb && PEM_write_bio_X509(cb, cert) == 1 &&
        PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) == 1) {
        p.cert_pem = bio_text(cb);
        p.key_pem = bio_text(kb);
    }
    X509_free(cert);
    EVP_PKEY_free(key);
    BIO_free(cb);
    BIO_free(kb);
    if (p.cert_pem == NULL || p.key_pem == NULL) {
        stream_tls_pair_clear(&p);
        return ssl_error(err, "cannot make a self-signed certificate for the streaming server");
    }
    *ret = p;
    return 0;
}

void stream_tls_pair_clear(stream_tls_pair *p)
{
    free(p->cert_pem);
    if (p->key_pem)
        OPENSSL_cleanse(p->key_pem, strlen(p->key_pem));
    free(p->key_pem);
    *p = (stream_tls_pair){0};
}
