/* RS256 JWTs for a GitHub App with OpenSSL's EVP interface: the PEM key
 * loaded once, each token signed with SHA-256 and PKCS#1 v1.5 padding, and
 * the base64 encodings JSON Web Tokens and the GitHub API use. */
#include "forge/jwt.h"
#include "util/mem.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hf_jwt_key {
    EVP_PKEY *pkey;
};

void hf_base64(hf_buf *out, const void *data, size_t len)
{
    /* EVP_EncodeBlock takes an int length: encode in slices of 3 * 4096
     * bytes (a multiple of 3, so no padding inside). */
    enum { SLICE = 3 * 4096 };
    const unsigned char *p = data;
    unsigned char chunk[SLICE / 3 * 4 + 1];
    while (len) {
        size_t n = len < (size_t)SLICE ? len : (size_t)SLICE;
        int w = EVP_EncodeBlock(chunk, p, (int)n);
        hf_buf_put(out, (const char *)chunk, (size_t)w);
        p += n;
        len -= n;
    }
}

void hf_base64url(hf_buf *out, const void *data, size_t len)
{
    size_t start = out->len;
    hf_base64(out, data, len);
    while (out->len > start && out->ptr[out->len - 1] == '=')
        hf_buf_truncate(out, out->len - 1);
    for (size_t i = start; i < out->len; i++) {
        if (out->ptr[i] == '+')
            out->ptr[i] = '-';
        else if (out->ptr[i] == '/')
            out->ptr[i] = '_';
    }
}

int hf_jwt_key_load(hf_jwt_key **out, const char *path, hf_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f)
        return hf_error_set(err, "--app-key %s: %s", path, strerror(errno));
    EVP_PKEY *pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    ERR_clear_error();
    if (!pkey)
        return hf_error_set(err,
                            "--app-key %s: not a PEM private key (expected the .pem file "
                            "GitHub generated for the App)",
                            path);
    if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
        EVP_PKEY_free(pkey);
        return hf_error_set(err,
                            "--app-key %s: not an RSA key; GitHub Apps sign their JWTs with "
                            "RS256",
                            path);
    }
    hf_jwt_key *k = hf_xcalloc(1, sizeof(*k));
    k->pkey = pkey;
    *out = k;
    return 0;
}

void hf_jwt_key_free(hf_jwt_key *key)
{
    if (!key)
        return;
    EVP_PKEY_free(key->pkey);
    free(key);
}

int hf_jwt_sign(hf_buf *out, const hf_jwt_key *key, const char *app_id, double now, hf_error *err)
{
    static const char header[] = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
    hf_buf payload = HF_BUF_INIT;
    unsigned char *sig = NULL;
    size_t sig_len = 0;
    EVP_MD_CTX *md = NULL;
    int rc = -1;

    hf_buf_clear(out);
    long long t = (long long)now;
    /* iss is the App id as a JSON number, as GitHub documents it. */
    hf_buf_printf(&payload, "{\"iat\":%lld,\"exp\":%lld,\"iss\":%s}", t - HF_JWT_BACKDATE,
                  t + HF_JWT_LIFETIME, app_id);
    hf_base64url(out, header, strlen(header));
    hf_buf_putc(out, '.');
    hf_base64url(out, payload.ptr, payload.len);

    md = EVP_MD_CTX_new();
    if (!md || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key->pkey) != 1 ||
        EVP_DigestSign(md, NULL, &sig_len, (const unsigned char *)out->ptr, out->len) != 1)
        goto fail;
    sig = hf_xmalloc(sig_len);
    if (EVP_DigestSign(md, sig, &sig_len, (const unsigned char *)out->ptr, out->len) != 1)
        goto fail;
    hf_buf_putc(out, '.');
    hf_base64url(out, sig, sig_len);
    rc = 0;
    goto done;
fail:
    hf_error_set(err, "GitHub App %s: signing the JWT failed", app_id);
    hf_buf_clear(out);
done:
    ERR_clear_error();
    EVP_MD_CTX_free(md);
    free(sig);
    hf_buf_free(&payload);
    return rc;
}
