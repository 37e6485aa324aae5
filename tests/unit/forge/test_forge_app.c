/* GitHub App credentials against the fake GitHub: the RS256 JWT (checked
 * with OpenSSL here and by the server), the installation looked up once per
 * owner, installation tokens minted, kept and renewed before their end (on a
 * virtual clock), a token GitHub stops taking replaced once, and the errors
 * for a wrong key, a key file that is no key, and an owner without the App.
 * No token or JWT appears in an error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fake_forge.h"
#include "forge/auth.h"
#include "forge/github.h"
#include "forge/http.h"
#include "forge/jwt.h"
#include "util/fs.h"
#include "util/log.h"

#define APP_ID "424242"

static fake_forge forge;
static int forge_status = -1;
static char dir[64];
static char key_path[128], other_key_path[128], ec_key_path[128], junk_path[128];
static char *key_pem; /* the App's key, for the server */

static void write_key(EVP_PKEY *k, const char *path, char **pem_out)
{
    BIO *b = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL), 1);
    char *data;
    long n = BIO_get_mem_data(b, &data);
    hf_error err;
    assert_int_equal(hf_fs_write_atomic(path, data, (size_t)n, &err), 0);
    if (pem_out)
        *pem_out = strndup(data, (size_t)n);
    BIO_free(b);
}

static int group_setup(void **state)
{
    (void)state;
    setenv("NO_PROXY", "127.0.0.1,localhost", 1);
    setenv("no_proxy", "127.0.0.1,localhost", 1);
    snprintf(dir, sizeof(dir), "/tmp/hf-forge-app-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(key_path, sizeof(key_path), "%s/app.pem", dir);
    snprintf(other_key_path, sizeof(other_key_path), "%s/other.pem", dir);
    snprintf(ec_key_path, sizeof(ec_key_path), "%s/ec.pem", dir);
    snprintf(junk_path, sizeof(junk_path), "%s/junk.pem", dir);
    EVP_PKEY *app = EVP_RSA_gen(2048), *other = EVP_RSA_gen(2048);
    EVP_PKEY *ec = EVP_EC_gen("P-256");
    write_key(app, key_path, &key_pem);
    write_key(other, other_key_path, NULL);
    write_key(ec, ec_key_path, NULL);
    EVP_PKEY_free(app);
    EVP_PKEY_free(other);
    EVP_PKEY_free(ec);
    hf_error err;
    const char junk[] = "-----BEGIN NOT A KEY-----\nc2VjcmV0IGJ5dGVz\n-----END NOT A KEY-----\n";
    if (hf_fs_write_atomic(junk_path, junk, strlen(junk), &err) < 0)
        return -1;
    forge_status = fake_forge_start(&forge, "unused-personal-token", 100);
    return forge_status == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    if (forge_status == 0)
        fake_forge_stop(&forge);
    unlink(key_path);
    unlink(other_key_path);
    unlink(ec_key_path);
    unlink(junk_path);
    rmdir(dir);
    free(key_pem);
    return 0;
}

typedef struct ctx {
    fake_clock clock;
    hf_governor *governor;
    hf_auth *auth;
} ctx;

/* The server knows the App (with its key) and issues tokens for
 * `lifetime` seconds. */
static void configure(long lifetime, const char *installations)
{
    fake_forge_control(&forge, "reset", "{}");
    cJSON *cfg = cJSON_CreateObject();
    cJSON_AddStringToObject(cfg, "app_id", APP_ID);
    cJSON_AddStringToObject(cfg, "app_key", key_pem);
    cJSON_AddNumberToObject(cfg, "token_lifetime", (double)lifetime);
    if (installations)
        cJSON_AddItemToObject(cfg, "installations", cJSON_Parse(installations));
    char *text = cJSON_PrintUnformatted(cfg);
    fake_forge_control(&forge, "config", text);
    free(text);
    cJSON_Delete(cfg);
}

static hf_auth *app(ctx *c, const char *key)
{
    hf_app_options o = {.app_id = APP_ID,
                        .key_path = key,
                        .api_base = forge.base,
                        .clock = &c->clock.clock,
                        .governor = c->governor};
    hf_auth *a = NULL;
    hf_error err;
    if (hf_auth_new_app(&a, &o, &err) < 0)
        fail_msg("hf_auth_new_app: %s", err.msg);
    return a;
}

static int setup(void **state)
{
    if (forge_status != 0)
        return -1;
    configure(3600, NULL);
    ctx *c = calloc(1, sizeof(*c));
    /* The virtual wall clock starts at the real time: the server checks the
     * JWT's dates against its own clock. */
    fake_clock_init(&c->clock, (double)time(NULL) - 100);
    c->governor = hf_governor_new(&c->clock.clock, HF_GOVERNOR_INTERVAL);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    ctx *c = *state;
    if (!c)
        return 0;
    hf_auth_free(c->auth);
    hf_governor_free(c->governor);
    fake_clock_destroy(&c->clock);
    free(c);
    return 0;
}

static void base64url_decode(const char *in, size_t n, hf_buf *out)
{
    hf_buf b64 = HF_BUF_INIT;
    for (size_t i = 0; i < n; i++)
        hf_buf_putc(&b64, in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i]);
    while (b64.len % 4)
        hf_buf_putc(&b64, '=');
    unsigned char *raw = malloc(b64.len);
    int len = EVP_DecodeBlock(raw, (const unsigned char *)b64.ptr, (int)b64.len);
    assert_true(len >= 0);
    size_t pad =
        b64.len >= 2 && b64.ptr[b64.len - 1] == '=' ? (b64.ptr[b64.len - 2] == '=' ? 2 : 1) : 0;
    hf_buf_clear(out);
    hf_buf_put(out, (const char *)raw, (size_t)len - pad);
    free(raw);
    hf_buf_free(&b64);
}

/* ---- the JWT -------------------------------------------------------- */

static void jwt_is_rs256_with_the_claims_github_wants(void **state)
{
    (void)state;
    hf_jwt_key *key = NULL;
    hf_error err;
    assert_int_equal(hf_jwt_key_load(&key, key_path, &err), 0);
    hf_buf jwt = HF_BUF_INIT, part = HF_BUF_INIT;
    assert_int_equal(hf_jwt_sign(&jwt, key, APP_ID, 1700000000.0, &err), 0);
    const char *dot1 = strchr(jwt.ptr, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    assert_non_null(dot2);
    assert_null(strpbrk(jwt.ptr, "=+/"));
    base64url_decode(jwt.ptr, (size_t)(dot1 - jwt.ptr), &part);
    assert_string_equal(part.ptr, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
    base64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &part);
    assert_string_equal(part.ptr, "{\"iat\":1699999940,\"exp\":1700000540,\"iss\":424242}");
    /* The signature verifies with the public half of the key. */
    hf_buf sig = HF_BUF_INIT;
    base64url_decode(dot2 + 1, strlen(dot2 + 1), &sig);
    FILE *f = fopen(key_path, "r");
    EVP_PKEY *pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey), 1);
    assert_int_equal(EVP_DigestVerify(md, (const unsigned char *)sig.ptr, sig.len,
                                      (const unsigned char *)jwt.ptr, (size_t)(dot2 - jwt.ptr)),
                     1);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pkey);
    hf_buf_free(&sig);
    hf_buf_free(&part);
    hf_buf_free(&jwt);
    hf_jwt_key_free(key);
}

static void key_files_that_are_no_app_key(void **state)
{
    (void)state;
    hf_jwt_key *key = NULL;
    hf_error err;
    assert_int_equal(hf_jwt_key_load(&key, "/nonexistent/app.pem", &err), -1);
    assert_string_equal(err.msg, "--app-key /nonexistent/app.pem: No such file or directory");
    assert_int_equal(hf_jwt_key_load(&key, junk_path, &err), -1);
    assert_non_null(strstr(err.msg, "not a PEM private key"));
    assert_null(strstr(err.msg, "c2VjcmV0")); /* the file's content is never shown */
    assert_int_equal(hf_jwt_key_load(&key, ec_key_path, &err), -1);
    assert_non_null(strstr(err.msg, "not an RSA key"));
    /* Through hf_auth_new_app, the same errors; a bad id before the key. */
    hf_app_options o = {.app_id = "12a", .key_path = key_path};
    hf_auth *a = NULL;
    assert_int_equal(hf_auth_new_app(&a, &o, &err), -1);
    assert_string_equal(err.msg, "--app-id takes the App's numeric id, not '12a'");
    o.app_id = APP_ID;
    o.key_path = junk_path;
    assert_int_equal(hf_auth_new_app(&a, &o, &err), -1);
    assert_non_null(strstr(err.msg, "not a PEM private key"));
    assert_null(a);
}

/* ---- installation tokens -------------------------------------------- */

static void exchanges_the_jwt_once_per_installation(void **state)
{
    ctx *c = *state;
    c->auth = app(c, key_path);
    char *t1 = NULL, *t2 = NULL, *t3 = NULL, *t4 = NULL;
    hf_error err;
    if (hf_auth_token(c->auth, "acme", "shop", &t1, &err) < 0)
        fail_msg("%s", err.msg);
    assert_true(strncmp(t1, "ghs_", 4) == 0);
    /* Same owner, another repo: the same installation and token. */
    assert_int_equal(hf_auth_token(c->auth, "ACME", "depot", &t2, &err), 0);
    assert_string_equal(t1, t2);
    /* Another owner: its own installation and token. */
    assert_int_equal(hf_auth_token(c->auth, "zeta", "tools", &t3, &err), 0);
    assert_string_not_equal(t1, t3);
    assert_int_equal(hf_auth_token(c->auth, "acme", "shop", &t4, &err), 0);
    assert_string_equal(t1, t4);
    fake_forge_assert_log(&forge, true,
                          "GET /repos/acme/shop/installation 200 jwt\n"
                          "POST /app/installations/1001/access_tokens 201 jwt\n"
                          "GET /repos/zeta/tools/installation 200 jwt\n"
                          "POST /app/installations/1002/access_tokens 201 jwt\n");
    hf_auth_stats st;
    hf_auth_get_stats(c->auth, &st);
    assert_int_equal(st.lookups, 2);
    assert_int_equal(st.minted, 2);

    /* A REST client with this auth sends the owner's installation token. */
    hf_http_options ho = {
        .api_base = forge.base, .auth = c->auth, .clock = &c->clock.clock, .governor = c->governor};
    hf_http *h = NULL;
    assert_int_equal(hf_http_new(&h, &ho, &err), 0);
    hf_http_set_scope(h, "acme", "shop");
    hf_gh_pr *pr = NULL;
    fake_forge_clear_log(&forge);
    assert_int_equal(hf_gh_pr_find(h, "acme", "shop", "handoff/x", &pr, &err), 0);
    hf_http_set_scope(h, "zeta", "tools");
    assert_int_equal(hf_gh_pr_find(h, "zeta", "tools", "handoff/x", &pr, &err), 0);
    fake_forge_assert_log(
        &forge, true,
        "GET /repos/acme/shop/pulls?state=all&per_page=100&head=acme%3Ahandoff%2Fx 200 "
        "installation:1\n"
        "GET /repos/zeta/tools/pulls?state=all&per_page=100&head=zeta%3Ahandoff%2Fx 200 "
        "installation:2\n");
    /* No scope: no token to send, and said so. */
    hf_http_set_scope(h, NULL, NULL);
    assert_int_equal(hf_gh_pr_find(h, "acme", "shop", "handoff/x", &pr, &err), -1);
    assert_non_null(strstr(err.msg, "outside any repository"));

    /* Every token is a secret from now on; none is in the log. */
    hf_buf probe = HF_BUF_INIT, log = HF_BUF_INIT;
    hf_buf_printf(&probe, "x %s y %s", t1, t3);
    hf_log_redact(&probe);
    assert_string_equal(probe.ptr, "x *** y ***");
    fake_forge_log_text(&forge, &log);
    assert_null(strstr(log.ptr, t1));
    assert_null(strstr(log.ptr, "eyJ")); /* nor a JWT */
    hf_buf_free(&probe);
    hf_buf_free(&log);
    hf_http_free(h);
    hf_auth_token_free(t1);
    hf_auth_token_free(t2);
    hf_auth_token_free(t3);
    hf_auth_token_free(t4);
}

static void renews_a_token_before_its_end(void **state)
{
    ctx *c = *state;
    /* Tokens that live 10 min and 30 s: handoff wants 10 min left. */
    configure(630, NULL);
    c->auth = app(c, key_path);
    hf_http_options ho = {
        .api_base = forge.base, .auth = c->auth, .clock = &c->clock.clock, .governor = c->governor};
    hf_http *h = NULL;
    hf_error err;
    assert_int_equal(hf_http_new(&h, &ho, &err), 0);
    hf_http_set_scope(h, "acme", "shop");
    hf_gh_pr *pr = NULL;
    assert_int_equal(hf_gh_pr_find(h, "acme", "shop", "b", &pr, &err), 0);
    fake_clock *fc = &c->clock;
    fc->clock.sleep(fc, 10); /* 20 s left... */
    assert_int_equal(hf_gh_pr_find(h, "acme", "shop", "b", &pr, &err), 0);
    fc->clock.sleep(fc, 25); /* ...and now less than ten minutes */
    assert_int_equal(hf_gh_pr_find(h, "acme", "shop", "b", &pr, &err), 0);
    fake_forge_assert_log(&forge, true,
                          "GET /repos/acme/shop/installation 200 jwt\n"
                          "POST /app/installations/1001/access_tokens 201 jwt\n"
                          "GET /repos/acme/shop/pulls?state=all&per_page=100&head=acme%3Ab 200 "
                          "installation:1\n"
                          "GET /repos/acme/shop/pulls?state=all&per_page=100&head=acme%3Ab 200 "
                          "installation:1\n"
                          "POST /app/installations/1001/access_tokens 201 jwt\n"
                          "GET /repos/acme/shop/pulls?state=all&per_page=100&head=acme%3Ab 200 "
                          "installation:2\n");

    /* GitHub stops taking a token before its time (revoked): one 401, a
     * new token, the request again. (Tokens of an hour from now on: the
     * virtual clock ran ahead of the server's.) */
    fake_forge_control(&forge, "config", "{\"token_lifetime\":3600}");
    assert_int_equal(hf_gh_pr_find(h, "acme", "shop", "b", &pr, &err), 0);
    fake_forge_clear_log(&forge);
    fake_forge_control(&forge, "inject",
                       "{\"path\":\"^/repos/acme/shop/pulls$\",\"status\":401,"
                       "\"body\":{\"message\":\"Bad credentials\"}}");
    assert_int_equal(hf_gh_pr_find(h, "acme", "shop", "b", &pr, &err), 0);
    fake_forge_assert_log(&forge, true,
                          "GET /repos/acme/shop/pulls?state=all&per_page=100&head=acme%3Ab 401 "
                          "installation:3\n"
                          "POST /app/installations/1001/access_tokens 201 jwt\n"
                          "GET /repos/acme/shop/pulls?state=all&per_page=100&head=acme%3Ab 200 "
                          "installation:4\n");
    /* Refused again and again: one renewal, then the 401 is the answer. */
    fake_forge_clear_log(&forge);
    fake_forge_control(&forge, "inject",
                       "{\"path\":\"^/repos/acme/shop/pulls$\",\"status\":401,\"times\":2,"
                       "\"body\":{\"message\":\"Bad credentials\"}}");
    assert_int_equal(hf_gh_pr_find(h, "acme", "shop", "b", &pr, &err), -1);
    assert_non_null(strstr(err.msg, "401 Unauthorized: Bad credentials"));
    hf_http_free(h);
}

static void a_wrong_key_is_a_clear_error(void **state)
{
    ctx *c = *state;
    c->auth = app(c, other_key_path);
    char *t = NULL;
    hf_error err;
    /* Refused: the same for every owner, so the caller can stop here. */
    assert_int_equal(hf_auth_token(c->auth, "acme", "shop", &t, &err), HF_AUTH_EREFUSED);
    assert_null(t);
    assert_string_equal(err.msg,
                        "GitHub App 424242: GitHub refused the App's JWT (is --app-key the private "
                        "key of App 424242?): GET /repos/acme/shop/installation: 401 Unauthorized: "
                        "A JSON web token could not be decoded (request id FAKE:1)");
    assert_null(strstr(err.msg, "eyJ"));
    /* Nothing was minted. */
    fake_forge_assert_log(&forge, true, "GET /repos/acme/shop/installation 401 jwt\n");
}

static void an_owner_without_the_app(void **state)
{
    ctx *c = *state;
    configure(3600, "{\"acme\":7}");
    c->auth = app(c, key_path);
    char *t = NULL;
    hf_error err;
    assert_int_equal(hf_auth_token(c->auth, "zeta", "tools", &t, &err), -1);
    assert_non_null(strstr(err.msg, "GitHub App 424242 is not installed for zeta: "
                                    "GET /repos/zeta/tools/installation: 404 Not Found"));
    assert_int_equal(hf_auth_token(c->auth, "acme", "shop", &t, &err), 0);
    fake_forge_assert_log(&forge, true,
                          "GET /repos/zeta/tools/installation 404 jwt\n"
                          "GET /repos/acme/shop/installation 200 jwt\n"
                          "POST /app/installations/7/access_tokens 201 jwt\n");
    hf_auth_token_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(jwt_is_rs256_with_the_claims_github_wants),
        cmocka_unit_test(key_files_that_are_no_app_key),
        cmocka_unit_test_setup_teardown(exchanges_the_jwt_once_per_installation, setup, teardown),
        cmocka_unit_test_setup_teardown(renews_a_token_before_its_end, setup, teardown),
        cmocka_unit_test_setup_teardown(a_wrong_key_is_a_clear_error, setup, teardown),
        cmocka_unit_test_setup_teardown(an_owner_without_the_app, setup, teardown),
    };
    return cmocka_run_group_tests_name("forge-app", tests, group_setup, group_teardown);
}
