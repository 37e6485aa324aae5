/* The JSON Web Token a GitHub App signs to speak as itself: RS256 over
 * {"iat","exp","iss"} with the App's private key, done by OpenSSL's
 * libcrypto. The key is read once from its PEM file and never printed. */
#ifndef HF_FORGE_JWT_H
#define HF_FORGE_JWT_H

#include "util/buf.h"
#include "util/error.h"

typedef struct hf_jwt_key hf_jwt_key;

/* Loads the PEM private key at path (the .pem GitHub generates for an App:
 * RSA, PKCS#1 or PKCS#8). Errors name the file, never its content. */
int hf_jwt_key_load(hf_jwt_key **out, const char *path, hf_error *err);
void hf_jwt_key_free(hf_jwt_key *key);

/* The seconds a JWT is valid for: GitHub accepts at most ten minutes. */
#define HF_JWT_LIFETIME 540
/* iat is set this far in the past, as GitHub advises against clock drift. */
#define HF_JWT_BACKDATE 60

/* out = a JWT for App app_id (digits) issued at wall-clock time now:
 * iat = now - HF_JWT_BACKDATE, exp = now + HF_JWT_LIFETIME. */
int hf_jwt_sign(hf_buf *out, const hf_jwt_key *key, const char *app_id, double now, hf_error *err);

/* base64url without padding (RFC 7515) of data; appended to out. */
void hf_base64url(hf_buf *out, const void *data, size_t len);
/* Standard base64 with padding (RFC 4648), appended to out. */
void hf_base64(hf_buf *out, const void *data, size_t len);

#endif
