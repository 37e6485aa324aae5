/* The GitHub REST client: one curl easy handle, GitHub's headers, pagination
 * by `link`, an ETag cache on disk, and the retry policy of DESIGN.md ("GitHub
 * API discipline"). Every error message passes through redaction. */
#include "forge/http.h"
#include "forge/auth.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/log.h"
#include "util/mem.h"

#include <curl/curl.h>
#include <ctype.h>
#include <inttypes.h>
#include <math.h> /* isfinite: a macro, no libm */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifndef HF_VERSION
#define HF_VERSION "0"
#endif

#define MAX_PAGES 1000
#define ETAG_MAGIC "handoff-etag 1\n"

struct hf_http {
    CURL *curl;
    char *base; /* no trailing slash */
    char *auth_header;
    char *token;
    hf_auth *auth;
    char *scope_owner, *scope_repo;
    char *graphql; /* the GraphQL endpoint's URL */
    char *etag_dir;
    const hf_clock *clock;
    hf_governor *governor;
    bool own_governor;
    int max_tries;
    double retry_base, retry_max, ratelimit_base, max_wait;
    long timeout;
    size_t max_body;
    hf_http_stats stats;
    char curl_error[CURL_ERROR_SIZE];
};

/* What one attempt brought back. */
typedef struct attempt {
    long status;
    hf_buf body;
    bool too_big;
    size_t max_body;
    char *etag, *link, *retry_after, *remaining, *reset, *request_id;
} attempt;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Formats, redacts the token (registered or not) and sets err; returns -1. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int
http_error(const hf_http *h, hf_error *err, const char *fmt, ...)
{
    hf_buf msg = HF_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    hf_buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    hf_log_redact(&msg);
    if (h && h->token && *h->token) {
        char *hit;
        size_t n = strlen(h->token);
        while ((hit = strstr(hf_buf_cstr(&msg), h->token)) != NULL) {
            size_t at = (size_t)(hit - msg.ptr);
            hf_buf out = HF_BUF_INIT;
            hf_buf_put(&out, msg.ptr, at);
            hf_buf_puts(&out, "***");
            hf_buf_puts(&out, hit + n);
            hf_buf_free(&msg);
            msg = out;
        }
    }
    hf_error_set(err, "%s", hf_buf_cstr(&msg));
    hf_buf_free(&msg);
    return -1;
}

static bool is_mutation(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

static bool is_loopback(const char *host)
{
    return strcmp(host, "127.0.0.1") == 0 || strcmp(host, "localhost") == 0 ||
           strcmp(host, "[::1]") == 0 || strcmp(host, "::1") == 0;
}

/* Checks the base URL and keeps it in h->base. */
static int parse_base(hf_http *h, const char *base, bool with_token, hf_error *err)
{
    int rc = -1;
    char *scheme = NULL, *host = NULL, *user = NULL, *query = NULL, *frag = NULL;
    hf_buf b = HF_BUF_INIT;
    hf_buf_puts(&b, base);
    while (b.len && b.ptr[b.len - 1] == '/')
        hf_buf_truncate(&b, b.len - 1);
    CURLU *u = curl_url();
    if (!u || curl_url_set(u, CURLUPART_URL, b.ptr, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        http_error(h, err, "forge API URL '%s' is not a valid URL", base);
        goto done;
    }
    if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0) {
        http_error(h, err, "forge API URL '%s': only http and https are supported", base);
        goto done;
    }
    curl_url_get(u, CURLUPART_USER, &user, 0);
    curl_url_get(u, CURLUPART_QUERY, &query, 0);
    curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0);
    if (user || query || frag) {
        http_error(h, err, "forge API URL '%s' must not carry credentials, a query or a fragment",
                   base);
        goto done;
    }
    if (with_token && strcmp(scheme, "http") == 0 && !is_loopback(host)) {
        http_error(h, err,
                   "forge API URL '%s': refusing to send the token in clear text to %s; use "
                   "https",
                   base, host);
        goto done;
    }
    /* GitHub Enterprise: https://HOST/api/v3 and https://HOST/api/graphql. */
    hf_buf g = HF_BUF_INIT;
    size_t v3 = strlen("/api/v3");
    if (b.len > v3 && strcmp(b.ptr + b.len - v3, "/api/v3") == 0)
        hf_buf_printf(&g, "%.*s/api/graphql", (int)(b.len - v3), b.ptr);
    else
        hf_buf_printf(&g, "%s/graphql", b.ptr);
    h->graphql = hf_buf_detach(&g);
    h->base = hf_buf_detach(&b);
    rc = 0;
done:
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(query);
    curl_free(frag);
    curl_url_cleanup(u);
    hf_buf_free(&b);
    return rc;
}

int hf_http_new(hf_http **out, const hf_http_options *opts, hf_error *err)
{
    *out = NULL;
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK)
        return hf_error_set(err, "libcurl: %s", curl_easy_strerror(curl_init_rc));
    hf_http *h = hf_xcalloc(1, sizeof(*h));
    const char *token = opts->token && *opts->token ? opts->token : NULL;
    if (token) {
        if (strpbrk(token, "\r\n")) {
            hf_http_free(h);
            return hf_error_set(err, "the forge token contains a line break");
        }
    }
    h->auth = opts->auth;
    bool credentials = token || opts->auth || opts->authenticated;
    if (parse_base(h, opts->api_base ? opts->api_base : HF_HTTP_DEFAULT_API, credentials, err) <
        0) {
        hf_http_free(h);
        return -1;
    }
    if (opts->etag_dir) {
        if (hf_fs_mkdirs(opts->etag_dir, err) < 0) {
            hf_error_wrap(err, "ETag cache");
            hf_http_free(h);
            return -1;
        }
        h->etag_dir = hf_xstrdup(opts->etag_dir);
    }
    h->curl = curl_easy_init();
    if (!h->curl) {
        hf_http_free(h);
        return hf_error_set(err, "libcurl: cannot create a handle");
    }
    if (token)
        hf_http_set_token(h, token);
    h->clock = opts->clock ? opts->clock : hf_clock_system();
    h->governor = opts->governor;
    if (!h->governor) {
        h->governor = hf_governor_new(h->clock, HF_GOVERNOR_INTERVAL);
        h->own_governor = true;
    }
    h->max_tries = opts->max_tries > 0 ? opts->max_tries : 6;
    h->retry_base = opts->retry_base > 0 ? opts->retry_base : 1;
    h->retry_max = opts->retry_max > 0 ? opts->retry_max : 30;
    h->ratelimit_base = opts->ratelimit_base > 0 ? opts->ratelimit_base : 60;
    h->max_wait = opts->max_wait > 0 ? opts->max_wait : 3900;
    h->timeout = opts->timeout > 0 ? opts->timeout : 120;
    h->max_body = opts->max_body > 0 ? opts->max_body : (size_t)64 << 20;
    *out = h;
    return 0;
}

void hf_http_set_token(hf_http *h, const char *token)
{
    hf_free_secret(h->token);
    hf_free_secret(h->auth_header);
    h->token = NULL;
    h->auth_header = NULL;
    if (!token || !*token || strpbrk(token, "\r\n"))
        return;
    h->token = hf_xstrdup(token);
    hf_log_add_secret(token);
    hf_buf a = HF_BUF_INIT;
    hf_buf_printf(&a, "Authorization: Bearer %s", token);
    h->auth_header = hf_buf_detach(&a);
}

void hf_http_set_scope(hf_http *h, const char *owner, const char *repo)
{
    free(h->scope_owner);
    free(h->scope_repo);
    h->scope_owner = owner ? hf_xstrdup(owner) : NULL;
    h->scope_repo = repo ? hf_xstrdup(repo) : NULL;
}

void hf_http_free(hf_http *h)
{
    if (!h)
        return;
    if (h->curl)
        curl_easy_cleanup(h->curl);
    if (h->own_governor)
        hf_governor_free(h->governor);
    hf_free_secret(h->auth_header);
    hf_free_secret(h->token);
    free(h->scope_owner);
    free(h->scope_repo);
    free(h->graphql);
    free(h->base);
    free(h->etag_dir);
    free(h);
}

const char *hf_http_base(const hf_http *h)
{
    return h->base;
}

void hf_http_get_stats(const hf_http *h, hf_http_stats *out)
{
    *out = h->stats;
}

void hf_http_response_free(hf_http_response *resp)
{
    hf_buf_free(&resp->body);
    free(resp->link_next);
    free(resp->request_id);
    resp->link_next = NULL;
    resp->request_id = NULL;
    resp->status = 0;
    resp->from_cache = false;
}

void hf_http_escape(hf_buf *out, const char *s, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~' ||
            (keep_slash && *p == '/')) {
            hf_buf_putc(out, (char)*p);
        } else {
            hf_buf_putc(out, '%');
            hf_buf_putc(out, hex[*p >> 4]);
            hf_buf_putc(out, hex[*p & 15]);
        }
    }
}

/* ---- one attempt ---------------------------------------------------- */

static void attempt_reset(attempt *a)
{
    hf_buf_clear(&a->body);
    a->status = 0;
    a->too_big = false;
    char **fields[] = {&a->etag,      &a->link,  &a->retry_after,
                       &a->remaining, &a->reset, &a->request_id};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        free(*fields[i]);
        *fields[i] = NULL;
    }
}

static void attempt_free(attempt *a)
{
    attempt_reset(a);
    hf_buf_free(&a->body);
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    attempt *a = ctx;
    size_t len = size * n;
    if (a->body.len + len > a->max_body) {
        a->too_big = true;
        return 0;
    }
    hf_buf_put(&a->body, data, len);
    return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
    attempt *a = ctx;
    size_t len = size * n;
    if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        /* A new response (after a redirect or an interim 1xx) starts over. */
        long status = a->status;
        attempt_reset(a);
        a->status = status;
        return len;
    }
    const char *colon = memchr(data, ':', len);
    if (!colon)
        return len;
    size_t name_len = (size_t)(colon - data);
    const char *v = colon + 1;
    const char *end = data + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    static const struct {
        const char *name;
        size_t off;
    } wanted[] = {
        {"etag", offsetof(attempt, etag)},
        {"link", offsetof(attempt, link)},
        {"retry-after", offsetof(attempt, retry_after)},
        {"x-ratelimit-remaining", offsetof(attempt, remaining)},
        {"x-ratelimit-reset", offsetof(attempt, reset)},
        {"x-github-request-id", offsetof(attempt, request_id)},
    };
    for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
        if (strlen(wanted[i].name) == name_len &&
            strncasecmp(data, wanted[i].name, name_len) == 0) {
            char **slot = (char **)((char *)a + wanted[i].off);
            free(*slot);
            *slot = hf_xstrndup(v, (size_t)(end - v));
        }
    }
    return len;
}

static CURLcode perform(hf_http *h, const char *method, const char *url, const char *body,
                        const char *if_none_match, attempt *a)
{
    CURL *c = h->curl;
    curl_easy_reset(c);
    attempt_reset(a);
    a->max_body = h->max_body;
    h->curl_error[0] = '\0';

    struct curl_slist *headers = NULL;
    headers = curl_slist_append(headers, "Accept: application/vnd.github+json");
    headers = curl_slist_append(headers, "X-GitHub-Api-Version: 2022-11-28");
    headers = curl_slist_append(headers, "Expect:");
    if (h->auth_header)
        headers = curl_slist_append(headers, h->auth_header);
    if (body)
        headers = curl_slist_append(headers, "Content-Type: application/json");
    hf_buf inm = HF_BUF_INIT;
    if (if_none_match) {
        hf_buf_printf(&inm, "If-None-Match: %s", if_none_match);
        headers = curl_slist_append(headers, inm.ptr);
    }

    curl_easy_setopt(c, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#endif
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->curl_error);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "handoff/" HF_VERSION);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, h->timeout);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
    if (strcmp(method, "GET") == 0) {
        /* GitHub redirects GETs for renamed repositories; curl does not send
         * the Authorization header to another host. */
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
    } else {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    }
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }

    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    a->status = status;
    /* The slist holds the token: it is freed right away. */
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(headers);
    hf_buf_free(&inm);
    return rc;
}

/* Transport failures worth another try: the network, not the request. */
static bool retryable_curl(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

static const char *reason_phrase(long status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "";
    }
}

/* Copies a server-provided message, one line, bounded and printable. */
static void put_server_text(hf_buf *out, const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && n < 300; p++, n++)
        hf_buf_putc(out, (*p < 0x20 || *p == 0x7f) ? ' ' : (char)*p);
    if (s[n])
        hf_buf_puts(out, "...");
}

/* "message; errors[0].message" from a GitHub error body, if any. */
static void put_api_message(hf_buf *out, const hf_buf *body)
{
    cJSON *j = body->len ? cJSON_ParseWithLength(body->ptr, body->len) : NULL;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");
    if (cJSON_IsString(m)) {
        hf_buf_puts(out, ": ");
        put_server_text(out, m->valuestring);
    }
    const cJSON *errors = cJSON_GetObjectItemCaseSensitive(j, "errors");
    const cJSON *e;
    cJSON_ArrayForEach(e, errors)
    {
        const cJSON *em = cJSON_GetObjectItemCaseSensitive(e, "message");
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
        const cJSON *field = cJSON_GetObjectItemCaseSensitive(e, "field");
        if (cJSON_IsString(em)) {
            hf_buf_puts(out, "; ");
            put_server_text(out, em->valuestring);
        } else if (cJSON_IsString(code)) {
            hf_buf_puts(out, "; ");
            if (cJSON_IsString(field)) {
                put_server_text(out, field->valuestring);
                hf_buf_puts(out, " ");
            }
            put_server_text(out, code->valuestring);
        }
    }
    cJSON_Delete(j);
}

int hf_http_fail(hf_error *err, const char *method, const char *path, const hf_http_response *resp)
{
    hf_buf msg = HF_BUF_INIT;
    const char *reason = reason_phrase(resp->status);
    hf_buf_printf(&msg, "%s %s: %ld%s%s", method, path, resp->status, *reason ? " " : "", reason);
    put_api_message(&msg, &resp->body);
    if (resp->request_id)
        hf_buf_printf(&msg, " (request id %s)", resp->request_id);
    hf_log_redact(&msg);
    hf_error_set(err, "%s", msg.ptr);
    hf_buf_free(&msg);
    return -1;
}

/* ---- ETag cache ----------------------------------------------------- */

typedef struct cache_entry {
    hf_buf raw;
    char *etag;
    char *link; /* may be NULL */
    const char *body;
    size_t body_len;
} cache_entry;

static void cache_path(const hf_http *h, const char *url, hf_buf *out)
{
    char name[40];
    snprintf(name, sizeof(name), "%016" PRIx64, hf_hash_fnv1a64(url, strlen(url)));
    hf_fs_join(out, h->etag_dir, name);
}

static void cache_entry_free(cache_entry *e)
{
    hf_buf_free(&e->raw);
    free(e->etag);
    free(e->link);
    memset(e, 0, sizeof(*e));
}

/* Reads the entry for url; 0 when present and whole, -1 otherwise. */
static int cache_read(const hf_http *h, const char *url, cache_entry *e)
{
    memset(e, 0, sizeof(*e));
    hf_buf path = HF_BUF_INIT;
    hf_error ignored;
    cache_path(h, url, &path);
    int rc = hf_fs_read(&e->raw, path.ptr, h->max_body + 65536, 1, &ignored);
    hf_buf_free(&path);
    if (rc < 0)
        goto bad;
    const char *p = e->raw.ptr;
    const char *end = p + e->raw.len;
    size_t magic = strlen(ETAG_MAGIC);
    if (e->raw.len < magic || memcmp(p, ETAG_MAGIC, magic) != 0)
        goto bad;
    p += magic;
    bool url_ok = false;
    while (p < end && *p != '\n') {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            goto bad;
        size_t n = (size_t)(nl - p);
        if (n > 4 && memcmp(p, "url ", 4) == 0)
            url_ok = n - 4 == strlen(url) && memcmp(p + 4, url, n - 4) == 0;
        else if (n > 5 && memcmp(p, "etag ", 5) == 0)
            e->etag = hf_xstrndup(p + 5, n - 5);
        else if (n > 5 && memcmp(p, "link ", 5) == 0)
            e->link = hf_xstrndup(p + 5, n - 5);
        p = nl + 1;
    }
    if (p >= end || !url_ok || !e->etag)
        goto bad;
    e->body = p + 1;
    e->body_len = (size_t)(end - e->body);
    return 0;
bad:
    cache_entry_free(e);
    return -1;
}

static void cache_write(const hf_http *h, const char *url, const attempt *a)
{
    if (strpbrk(a->etag, "\r\n") || (a->link && strpbrk(a->link, "\r\n")) || strpbrk(url, "\r\n"))
        return;
    hf_buf data = HF_BUF_INIT, path = HF_BUF_INIT;
    hf_buf_printf(&data, ETAG_MAGIC "url %s\netag %s\n", url, a->etag);
    if (a->link && *a->link)
        hf_buf_printf(&data, "link %s\n", a->link);
    hf_buf_putc(&data, '\n');
    hf_buf_put(&data, a->body.ptr, a->body.len);
    cache_path(h, url, &path);
    hf_error err;
    if (hf_fs_write_atomic(path.ptr, data.ptr, data.len, &err) < 0)
        hf_log_warn("ETag cache: %s", err.msg);
    hf_buf_free(&data);
    hf_buf_free(&path);
}

/* ---- link header ---------------------------------------------------- */

/* The URL of rel="next" in a `link` header, or NULL. */
static char *link_next(const char *link)
{
    if (!link)
        return NULL;
    const char *p = link;
    while ((p = strchr(p, '<')) != NULL) {
        const char *close = strchr(p, '>');
        if (!close)
            return NULL;
        const char *params = close + 1;
        const char *stop = strchr(params, '<');
        size_t plen = stop ? (size_t)(stop - params) : strlen(params);
        char *pv = hf_xstrndup(params, plen);
        bool next = false;
        const char *rel = strstr(pv, "rel=");
        if (rel) {
            rel += 4;
            bool quoted = *rel == '"';
            if (quoted)
                rel++;
            /* rel may list several space-separated relation types. */
            while (*rel && *rel != '"' && *rel != ';' && *rel != ',') {
                size_t n = strcspn(rel, quoted ? " \";," : " ;,");
                if (n == 4 && strncmp(rel, "next", 4) == 0)
                    next = true;
                rel += n;
                while (*rel == ' ')
                    rel++;
            }
        }
        free(pv);
        if (next)
            return hf_xstrndup(p + 1, (size_t)(close - p - 1));
        p = close + 1;
    }
    return NULL;
}

/* ---- the request loop ----------------------------------------------- */

/* The absolute URL for path, which is under the base or is a URL that
 * starts with it (never another host: the token goes with the request). */
static int resolve_url(const hf_http *h, const char *path, hf_buf *url, hf_error *err)
{
    hf_buf_clear(url);
    if (path[0] == '/') {
        hf_buf_printf(url, "%s%s", h->base, path);
        return 0;
    }
    size_t n = strlen(h->base);
    if ((strncmp(path, h->base, n) == 0 && (path[n] == '/' || path[n] == '?')) ||
        strcmp(path, h->graphql) == 0) {
        hf_buf_puts(url, path);
        return 0;
    }
    return http_error(h, err, "refusing to follow '%s': it is not under the forge API %s", path,
                      h->base);
}

static double parse_seconds(const char *s, bool *ok)
{
    char *end;
    *ok = false;
    if (!s || !*s)
        return 0;
    double v = strtod(s, &end);
    while (*end == ' ')
        end++;
    if (*end || !isfinite(v))
        return 0;
    *ok = true;
    return v;
}

/* base * 2^n, capped (without libm). */
static double doubled(double base, int n, double cap)
{
    double v = base;
    for (int i = 0; i < n && v < cap; i++)
        v *= 2;
    return v < cap ? v : cap;
}

static double whole_seconds_up(double v)
{
    double w = (double)(long long)v;
    return w < v ? w + 1 : w;
}

/* Whether a 403/429 is a rate limit (a 403 can also be a plain refusal). */
static bool is_rate_limited(const attempt *a)
{
    if (a->status == 429)
        return true;
    if (a->status != 403)
        return false;
    if (a->retry_after || (a->remaining && strcmp(a->remaining, "0") == 0))
        return true;
    hf_buf msg = HF_BUF_INIT;
    put_api_message(&msg, &a->body);
    bool limited = strcasestr(hf_buf_cstr(&msg), "rate limit") != NULL;
    hf_buf_free(&msg);
    return limited;
}

/* The wait a rate-limited answer asks for; `blind` counts earlier waits that
 * had no hint, for the exponential fallback. */
static double rate_limit_wait(const hf_http *h, const attempt *a, int *blind, hf_buf *why)
{
    bool ok;
    double v = parse_seconds(a->retry_after, &ok);
    if (ok && v >= 0) {
        hf_buf_printf(why, "retry-after %.0f s", v);
        return v;
    }
    if (a->retry_after) {
        time_t t = curl_getdate(a->retry_after, NULL);
        if (t >= 0) {
            double wait = (double)t - h->clock->wall(h->clock->ctx);
            hf_buf_printf(why, "retry-after %s", a->retry_after);
            return wait > 0 ? wait : 0;
        }
    }
    if (a->remaining && strcmp(a->remaining, "0") == 0) {
        double reset = parse_seconds(a->reset, &ok);
        if (ok) {
            /* One second past the reset absorbs clock skew. */
            double wait = reset - h->clock->wall(h->clock->ctx);
            wait = (wait > 0 ? whole_seconds_up(wait) : 0) + 1;
            hf_buf_printf(why, "rate limit exhausted until x-ratelimit-reset %.0f", reset);
            return wait;
        }
    }
    double wait = doubled(h->ratelimit_base, *blind, h->max_wait * 2);
    (*blind)++;
    hf_buf_printf(why, "rate limited without a retry hint");
    return wait;
}

int hf_http_request(hf_http *h, const char *method, const char *path, const char *json_body,
                    hf_http_response *resp, hf_error *err)
{
    hf_http_response_free(resp);
    hf_buf url = HF_BUF_INIT;
    attempt a = {0};
    cache_entry cached = {0};
    int rc = -1;
    if (resolve_url(h, path, &url, err) < 0)
        goto done;

    bool mutation = is_mutation(method);
    bool conditional = !mutation && h->etag_dir != NULL;
    bool renewed = false;
    int transient = 0, blind = 0;
    for (int tries = 1;; tries++) {
        if (h->auth) {
            /* Asked before every attempt: an installation token may have
             * come near its end during a long wait. */
            char *token = NULL;
            if (hf_auth_token(h->auth, h->scope_owner, h->scope_repo, &token, err) < 0)
                goto done;
            if (!h->token || strcmp(token, h->token) != 0)
                hf_http_set_token(h, token);
            hf_auth_token_free(token);
        }
        bool have_cache = conditional && cache_read(h, url.ptr, &cached) == 0;
        if (mutation)
            hf_governor_begin(h->governor);
        else
            hf_governor_wait_pause(h->governor);
        CURLcode cc = perform(h, method, url.ptr, json_body, have_cache ? cached.etag : NULL, &a);
        if (mutation)
            hf_governor_end(h->governor);
        h->stats.requests++;
        if (mutation)
            h->stats.mutations++;
        if (tries > 1)
            h->stats.retries++;

        hf_buf why = HF_BUF_INIT;
        double wait = 0;
        bool shared = false;
        if (cc != CURLE_OK) {
            const char *detail = h->curl_error[0] ? h->curl_error : curl_easy_strerror(cc);
            if (a.too_big) {
                http_error(h, err, "%s %s: the response is larger than %zu bytes", method, path,
                           h->max_body);
                hf_buf_free(&why);
                goto done;
            }
            if (!retryable_curl(cc)) {
                http_error(h, err, "%s %s: %s", method, path, detail);
                hf_buf_free(&why);
                goto done;
            }
            hf_buf_puts(&why, detail);
            wait = doubled(h->retry_base, transient++, h->retry_max);
        } else if (a.status == 304 && have_cache) {
            resp->status = 200;
            hf_buf_put(&resp->body, cached.body, cached.body_len);
            resp->link_next = link_next(cached.link);
            resp->request_id = a.request_id ? hf_xstrdup(a.request_id) : NULL;
            resp->from_cache = true;
            h->stats.not_modified++;
            hf_buf_free(&why);
            rc = 0;
            goto done;
        } else if (a.status == 401 && hf_auth_is_app(h->auth) && !renewed) {
            /* An installation token GitHub no longer takes (revoked, or its
             * hour over by GitHub's clock): one more try with a new one. */
            hf_auth_refused(h->auth, h->token);
            renewed = true;
            hf_buf_puts(&why, "401 with an installation token");
        } else if (a.status == 304) {
            /* A 304 for a request that was not conditional: ask plainly. */
            conditional = false;
            hf_buf_puts(&why, "unexpected 304");
        } else if (a.status >= 500) {
            hf_buf_printf(&why, "%ld %s", a.status, reason_phrase(a.status));
            wait = doubled(h->retry_base, transient++, h->retry_max);
        } else if ((a.status == 403 || a.status == 429) && is_rate_limited(&a)) {
            hf_buf_printf(&why, "%ld, ", a.status);
            wait = rate_limit_wait(h, &a, &blind, &why);
            shared = true;
            if (wait > h->max_wait) {
                http_error(h, err,
                           "%s %s: %s: that is a wait of %.0f s, longer than the %.0f s "
                           "handoff waits; giving up",
                           method, path, why.ptr, wait, h->max_wait);
                hf_buf_free(&why);
                goto done;
            }
        } else {
            if (a.status == 200 && !mutation && h->etag_dir && a.etag && *a.etag)
                cache_write(h, url.ptr, &a);
            resp->status = a.status;
            hf_buf_put(&resp->body, a.body.ptr, a.body.len);
            resp->link_next = link_next(a.link);
            resp->request_id = a.request_id ? hf_xstrdup(a.request_id) : NULL;
            hf_buf_free(&why);
            rc = 0;
            goto done;
        }
        cache_entry_free(&cached);

        if (tries >= h->max_tries) {
            hf_buf detail = HF_BUF_INIT;
            if (cc == CURLE_OK)
                put_api_message(&detail, &a.body);
            http_error(h, err, "%s %s: giving up after %d tries: %s%s", method, path, tries,
                       why.ptr, hf_buf_cstr(&detail));
            hf_buf_free(&detail);
            hf_buf_free(&why);
            goto done;
        }
        hf_log_debug("%s %s: %s; retrying in %.0f s (try %d of %d)", method, path, why.ptr, wait,
                     tries + 1, h->max_tries);
        hf_buf_free(&why);
        h->stats.waited += wait;
        if (shared) {
            /* Every worker holds off: the limit is the token's, not ours. */
            hf_governor_pause_until(h->governor, h->clock->monotonic(h->clock->ctx) + wait);
        } else if (wait > 0) {
            h->clock->sleep(h->clock->ctx, wait);
        }
    }
done:
    cache_entry_free(&cached);
    attempt_free(&a);
    hf_buf_free(&url);
    return rc;
}

int hf_http_graphql(hf_http *h, const char *query, const cJSON *variables, cJSON **data,
                    hf_error *err)
{
    *data = NULL;
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "query", query);
    cJSON_AddItemToObject(req, "variables",
                          variables ? cJSON_Duplicate(variables, 1) : cJSON_CreateObject());
    char *body = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    hf_http_response resp = HF_HTTP_RESPONSE_INIT;
    cJSON *doc = NULL;
    int rc = hf_http_request(h, "POST", h->graphql, body, &resp, err);
    cJSON_free(body);
    if (rc < 0)
        goto done;
    if (resp.status != 200) {
        rc = hf_http_fail(err, "POST", "/graphql", &resp);
        goto done;
    }
    doc = cJSON_ParseWithLength(resp.body.ptr, resp.body.len);
    const cJSON *errors = cJSON_GetObjectItemCaseSensitive(doc, "errors");
    if (cJSON_GetArraySize(errors) > 0) {
        hf_buf msg = HF_BUF_INIT;
        const cJSON *e;
        cJSON_ArrayForEach(e, errors)
        {
            const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "type");
            hf_buf_puts(&msg, msg.len ? "; " : "");
            put_server_text(&msg, cJSON_IsString(m) ? m->valuestring : "unknown error");
            if (cJSON_IsString(t)) {
                hf_buf_puts(&msg, " (");
                put_server_text(&msg, t->valuestring);
                hf_buf_putc(&msg, ')');
            }
        }
        rc = http_error(h, err, "POST /graphql: %s%s%s%s", msg.ptr,
                        resp.request_id ? " (request id " : "",
                        resp.request_id ? resp.request_id : "", resp.request_id ? ")" : "");
        hf_buf_free(&msg);
        goto done;
    }
    cJSON *d = cJSON_DetachItemFromObjectCaseSensitive(doc, "data");
    if (!cJSON_IsObject(d)) {
        cJSON_Delete(d);
        rc = http_error(h, err, "POST /graphql: the answer has no data");
        goto done;
    }
    *data = d;
done:
    cJSON_Delete(doc);
    hf_http_response_free(&resp);
    return rc;
}

int hf_http_get_all(hf_http *h, const char *path, const char *member, cJSON **out, hf_error *err)
{
    *out = NULL;
    cJSON *all = cJSON_CreateArray();
    hf_http_response resp = HF_HTTP_RESPONSE_INIT;
    char *page = hf_xstrdup(path);
    int rc = -1;
    for (int n = 0;; n++) {
        if (n >= MAX_PAGES) {
            http_error(h, err, "GET %s: more than %d pages; giving up", path, MAX_PAGES);
            goto done;
        }
        if (hf_http_request(h, "GET", page, NULL, &resp, err) < 0)
            goto done;
        if (resp.status != 200) {
            hf_http_fail(err, "GET", page, &resp);
            goto done;
        }
        cJSON *doc = cJSON_ParseWithLength(resp.body.ptr, resp.body.len);
        cJSON *items = member ? cJSON_GetObjectItemCaseSensitive(doc, member) : doc;
        if (!cJSON_IsArray(items)) {
            cJSON_Delete(doc);
            http_error(h, err, "GET %s: the answer is not a JSON %s", page,
                       member ? "object with an array" : "array");
            goto done;
        }
        cJSON *item;
        while ((item = cJSON_DetachItemFromArray(items, 0)) != NULL)
            cJSON_AddItemToArray(all, item);
        cJSON_Delete(doc);
        if (!resp.link_next)
            break;
        if (strcmp(resp.link_next, page) == 0) {
            http_error(h, err, "GET %s: the next page is the same page", page);
            goto done;
        }
        free(page);
        page = resp.link_next;
        resp.link_next = NULL;
    }
    *out = all;
    all = NULL;
    rc = 0;
done:
    cJSON_Delete(all);
    free(page);
    hf_http_response_free(&resp);
    return rc;
}
