/* Credentials for the forge: a fixed token, or a GitHub App's installation
 * tokens. For an App: a JWT (renewed well before its ten minutes end) on a
 * private REST client, the installation id per owner, and the token per
 * installation with its expiry, all under one lock. */
#include "forge/auth.h"
#include "forge/http.h"
#include "forge/jwt.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/vec.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct installation {
    char *owner; /* as asked (GitHub owners compare without case) */
    long id;
} installation;

typedef struct minted {
    long installation;
    char *token;    /* NULL once refused */
    double expires; /* wall-clock seconds */
} minted;

struct hf_auth {
    char *token; /* the fixed token; NULL for an App */
    /* an App */
    char *app_id;
    hf_jwt_key *key;
    const hf_clock *clock;
    double margin;
    hf_http *http; /* speaks with the JWT */
    double jwt_expires;
    hf_vec installations; /* installation * */
    hf_vec tokens;        /* minted * */
    hf_auth_stats stats;
    pthread_mutex_t lock;
};

void hf_auth_token_free(char *token)
{
    hf_free_secret(token);
}

static hf_auth *auth_alloc(void)
{
    hf_auth *a = hf_xcalloc(1, sizeof(*a));
    pthread_mutex_init(&a->lock, NULL);
    return a;
}

int hf_auth_new_token(hf_auth **out, const char *token, hf_error *err)
{
    *out = NULL;
    if (!token || !*token)
        return hf_error_set(err, "no token");
    if (strpbrk(token, "\r\n"))
        return hf_error_set(err, "the forge token contains a line break");
    hf_auth *a = auth_alloc();
    a->token = hf_xstrdup(token);
    hf_log_add_secret(token);
    *out = a;
    return 0;
}

int hf_auth_new_app(hf_auth **out, const hf_app_options *o, hf_error *err)
{
    *out = NULL;
    const char *id = o->app_id ? o->app_id : "";
    bool digits = *id && strlen(id) <= 18;
    for (const char *p = id; digits && *p; p++)
        digits = isdigit((unsigned char)*p);
    if (!digits)
        return hf_error_set(err, "--app-id takes the App's numeric id, not '%s'", id);
    hf_auth *a = auth_alloc();
    a->app_id = hf_xstrdup(id);
    a->clock = o->clock ? o->clock : hf_clock_system();
    a->margin = o->renew_margin > 0 ? o->renew_margin : HF_AUTH_RENEW_MARGIN;
    if (hf_jwt_key_load(&a->key, o->key_path, err) < 0)
        goto fail;
    /* The client starts without a token; each use sets a current JWT. */
    hf_http_options ho = {
        .api_base = o->api_base, .clock = o->clock, .governor = o->governor, .authenticated = true};
    if (hf_http_new(&a->http, &ho, err) < 0) {
        hf_error_wrap(err, "forge API");
        goto fail;
    }
    *out = a;
    return 0;
fail:
    hf_auth_free(a);
    return -1;
}

void hf_auth_free(hf_auth *a)
{
    if (!a)
        return;
    hf_free_secret(a->token);
    free(a->app_id);
    hf_jwt_key_free(a->key);
    hf_http_free(a->http);
    for (size_t i = 0; i < a->installations.len; i++) {
        installation *in = a->installations.items[i];
        free(in->owner);
        free(in);
    }
    hf_vec_free(&a->installations, NULL);
    for (size_t i = 0; i < a->tokens.len; i++) {
        minted *m = a->tokens.items[i];
        hf_free_secret(m->token);
        free(m);
    }
    hf_vec_free(&a->tokens, NULL);
    pthread_mutex_destroy(&a->lock);
    free(a);
}

bool hf_auth_is_app(const hf_auth *a)
{
    return a && !a->token;
}

void hf_auth_get_stats(hf_auth *a, hf_auth_stats *out)
{
    pthread_mutex_lock(&a->lock);
    *out = a->stats;
    pthread_mutex_unlock(&a->lock);
}

/* "2016-07-11T22:14:10Z" -> Unix seconds; -1 when malformed. */
static double parse_time(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    int n = 0;
    if (!s ||
        sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &n) != 6 ||
        s[n] != '\0')
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    return t == (time_t)-1 ? -1 : (double)t;
}

/* Gives the private client a JWT with a few minutes left in it. */
static int fresh_jwt(hf_auth *a, hf_error *err)
{
    double now = a->clock->wall(a->clock->ctx);
    if (a->jwt_expires - now > 120)
        return 0;
    hf_buf jwt = HF_BUF_INIT;
    if (hf_jwt_sign(&jwt, a->key, a->app_id, now, err) < 0)
        return -1;
    hf_log_add_secret(jwt.ptr);
    hf_http_set_token(a->http, jwt.ptr);
    a->jwt_expires = now + HF_JWT_LIFETIME;
    memset(jwt.ptr, 0, jwt.len);
    hf_buf_free(&jwt);
    return 0;
}

/* The error for an answer to a JWT-authenticated request. */
static int app_fail(hf_auth *a, hf_error *err, const char *method, const char *path,
                    const hf_http_response *resp, const char *owner)
{
    hf_http_fail(err, method, path, resp);
    if (resp->status == 401) {
        hf_error_wrap(err,
                      "GitHub App %s: GitHub refused the App's JWT (is --app-key the private key "
                      "of App %s?)",
                      a->app_id, a->app_id);
        return HF_AUTH_EREFUSED;
    }
    if (resp->status == 404 && owner)
        return hf_error_wrap(err, "GitHub App %s is not installed for %s", a->app_id, owner);
    return hf_error_wrap(err, "GitHub App %s", a->app_id);
}

static int lookup_installation(hf_auth *a, const char *owner, const char *repo, long *id,
                               hf_error *err)
{
    for (size_t i = 0; i < a->installations.len; i++) {
        installation *in = a->installations.items[i];
        if (strcasecmp(in->owner, owner) == 0) {
            *id = in->id;
            return 0;
        }
    }
    hf_buf path = HF_BUF_INIT;
    hf_http_response resp = HF_HTTP_RESPONSE_INIT;
    int rc = fresh_jwt(a, err);
    if (rc < 0)
        goto done;
    hf_buf_puts(&path, "/repos/");
    hf_http_escape(&path, owner, false);
    hf_buf_putc(&path, '/');
    hf_http_escape(&path, repo, false);
    hf_buf_puts(&path, "/installation");
    a->stats.lookups++;
    if ((rc = hf_http_request(a->http, "GET", path.ptr, NULL, &resp, err)) < 0) {
        hf_error_wrap(err, "GitHub App %s", a->app_id);
        goto done;
    }
    if (resp.status != 200) {
        rc = app_fail(a, err, "GET", path.ptr, &resp, owner);
        goto done;
    }
    cJSON *j = cJSON_ParseWithLength(resp.body.ptr, resp.body.len);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "id");
    if (cJSON_IsNumber(v) && v->valuedouble >= 1) {
        installation *in = hf_xcalloc(1, sizeof(*in));
        in->owner = hf_xstrdup(owner);
        in->id = (long)v->valuedouble;
        hf_vec_push(&a->installations, in);
        *id = in->id;
    } else {
        rc = hf_error_set(err, "GitHub App %s: GET %s: the answer has no installation id",
                          a->app_id, path.ptr);
    }
    cJSON_Delete(j);
done:
    hf_http_response_free(&resp);
    hf_buf_free(&path);
    return rc;
}

static int mint(hf_auth *a, long id, const char *owner, minted **out, hf_error *err)
{
    hf_buf path = HF_BUF_INIT;
    hf_http_response resp = HF_HTTP_RESPONSE_INIT;
    cJSON *j = NULL;
    int rc = fresh_jwt(a, err);
    if (rc < 0)
        goto done;
    hf_buf_printf(&path, "/app/installations/%ld/access_tokens", id);
    a->stats.minted++;
    if ((rc = hf_http_request(a->http, "POST", path.ptr, "{}", &resp, err)) < 0) {
        hf_error_wrap(err, "GitHub App %s", a->app_id);
        goto done;
    }
    if (resp.status != 201) {
        rc = app_fail(a, err, "POST", path.ptr, &resp, owner);
        goto done;
    }
    j = cJSON_ParseWithLength(resp.body.ptr, resp.body.len);
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(j, "token");
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(j, "expires_at");
    double expires = cJSON_IsString(exp) ? parse_time(exp->valuestring) : -1;
    if (!cJSON_IsString(tok) || !*tok->valuestring || strpbrk(tok->valuestring, "\r\n") ||
        expires < 0) {
        rc = hf_error_set(err, "GitHub App %s: POST %s: the answer has no token or expiry",
                          a->app_id, path.ptr);
        goto done;
    }
    hf_log_add_secret(tok->valuestring);
    minted *m = NULL;
    for (size_t i = 0; i < a->tokens.len && !m; i++)
        if (((minted *)a->tokens.items[i])->installation == id)
            m = a->tokens.items[i];
    if (!m) {
        m = hf_xcalloc(1, sizeof(*m));
        m->installation = id;
        hf_vec_push(&a->tokens, m);
    }
    hf_free_secret(m->token);
    m->token = hf_xstrdup(tok->valuestring);
    m->expires = expires;
    memset(tok->valuestring, 0, strlen(tok->valuestring));
    *out = m;
done:
    if (resp.body.ptr)
        memset(resp.body.ptr, 0, resp.body.len);
    cJSON_Delete(j);
    hf_http_response_free(&resp);
    hf_buf_free(&path);
    return rc;
}

int hf_auth_token(hf_auth *a, const char *owner, const char *repo, char **token, hf_error *err)
{
    *token = NULL;
    if (!a->app_id) {
        *token = hf_xstrdup(a->token);
        return 0;
    }
    if (!owner || !*owner || !repo || !*repo)
        return hf_error_set(err,
                            "GitHub App %s: a request outside any repository has no "
                            "installation token",
                            a->app_id);
    pthread_mutex_lock(&a->lock);
    long id = 0;
    minted *m = NULL;
    int rc = lookup_installation(a, owner, repo, &id, err);
    if (rc == 0) {
        for (size_t i = 0; i < a->tokens.len && !m; i++)
            if (((minted *)a->tokens.items[i])->installation == id)
                m = a->tokens.items[i];
        double now = a->clock->wall(a->clock->ctx);
        if (!m || !m->token || m->expires - now < a->margin)
            rc = mint(a, id, owner, &m, err);
    }
    if (rc == 0)
        *token = hf_xstrdup(m->token);
    pthread_mutex_unlock(&a->lock);
    return rc;
}

void hf_auth_refused(hf_auth *a, const char *token)
{
    if (!a || !a->app_id || !token)
        return;
    pthread_mutex_lock(&a->lock);
    for (size_t i = 0; i < a->tokens.len; i++) {
        minted *m = a->tokens.items[i];
        if (m->token && strcmp(m->token, token) == 0) {
            hf_free_secret(m->token);
            m->token = NULL;
        }
    }
    pthread_mutex_unlock(&a->lock);
}
