/* hf_http: the GitHub REST client. One per worker (it owns one curl easy
 * handle and is not thread-safe); the mutation governor it points at is what
 * workers share. It sends GitHub's required headers and the token, follows
 * `link` pagination, answers conditional GETs from an ETag cache on disk, and
 * retries 5xx, dropped connections and rate limits with bounded waits. The
 * token (fixed, or a GitHub App's installation token asked of an hf_auth
 * for each attempt) never appears in an error message or a log line. */
#ifndef HF_FORGE_HTTP_H
#define HF_FORGE_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "forge/clock.h"
#include "forge/governor.h"
#include "util/buf.h"
#include "util/error.h"

#define HF_HTTP_DEFAULT_API "https://api.github.com"

typedef struct hf_auth hf_auth; /* forge/auth.h */

typedef struct hf_http_options {
    const char *api_base;  /* NULL: api.github.com; GHE: "https://HOST/api/v3" */
    const char *token;     /* NULL: no Authorization header; copied */
    hf_auth *auth;         /* instead of token: asked for the token of the scope
                            * (hf_http_set_scope) before every attempt; must
                            * outlive the client */
    bool authenticated;    /* no token yet, but hf_http_set_token will give one */
    const char *etag_dir;  /* NULL: no conditional GETs; created when missing */
    const hf_clock *clock; /* NULL: the system clock; must outlive the client */
    hf_governor *governor; /* shared across workers; NULL: a private one */
    int max_tries;         /* attempts per request, retries included; 0: 6 */
    double retry_base;     /* first wait after a 5xx or dropped connection; 0: 1 s */
    double retry_max;      /* cap on that wait; 0: 30 s */
    double ratelimit_base; /* first wait on a rate limit without hints; 0: 60 s */
    double max_wait;       /* longest single wait accepted; 0: 3900 s */
    long timeout;          /* seconds per attempt; 0: 120 */
    size_t max_body;       /* largest response body accepted; 0: 64 MiB */
} hf_http_options;

/* The final answer to one request, after retries. */
typedef struct hf_http_response {
    long status;      /* HTTP status; a 304 answered from the cache reads 200 */
    hf_buf body;      /* the response body (JSON for the GitHub API) */
    char *link_next;  /* absolute URL of the rel="next" page, or NULL */
    char *request_id; /* x-github-request-id, or NULL */
    bool from_cache;  /* body served from the ETag cache after a 304 */
} hf_http_response;

#define HF_HTTP_RESPONSE_INIT                                                                      \
    {                                                                                              \
        0, HF_BUF_INIT, NULL, NULL, false                                                          \
    }

/* Counters for reports and benchmarks. */
typedef struct hf_http_stats {
    unsigned long requests;     /* attempts sent, retries included */
    unsigned long mutations;    /* of which POST/PATCH/PUT/DELETE */
    unsigned long retries;      /* attempts after the first */
    unsigned long not_modified; /* 304s answered from the ETag cache */
    double waited;              /* seconds asked of the clock by retries */
} hf_http_stats;

typedef struct hf_http hf_http;

/* Checks the base URL (http or https; plain http only to a loopback host
 * when credentials are sent), copies the token and registers it as a
 * secret. */
int hf_http_new(hf_http **out, const hf_http_options *opts, hf_error *err);
void hf_http_free(hf_http *h);

/* Replaces the token (copied and registered as a secret). */
void hf_http_set_token(hf_http *h, const char *token);
/* The repository the next requests are about: with an App's auth, whose
 * installation token they carry. */
void hf_http_set_scope(hf_http *h, const char *owner, const char *repo);

/* The normalised API base URL, without a trailing slash. */
const char *hf_http_base(const hf_http *h);
void hf_http_get_stats(const hf_http *h, hf_http_stats *out);

/* Sends method to path ("/repos/..." under the base, or an absolute URL that
 * starts with the base, such as a `link` page) with an optional JSON body.
 * Returns 0 when the server gave a final answer (any status other than 5xx
 * and rate limits; check resp->status), -1 after giving up or on a local
 * failure. resp must be initialised; it is reset first and freed by the
 * caller with hf_http_response_free. A mutation is retried like any request,
 * so a POST whose answer was lost may have taken effect: callers make
 * creation idempotent (hf_gh_pr_create adopts on 422). */
int hf_http_request(hf_http *h, const char *method, const char *path, const char *json_body,
                    hf_http_response *resp, hf_error *err);
void hf_http_response_free(hf_http_response *resp);

/* GETs path and every page after it, concatenating the JSON arrays into *out
 * (a new cJSON array; cJSON_Delete it). When member is not NULL each page is
 * an object and the array is that member of it. A non-200 answer is an
 * error. */
int hf_http_get_all(hf_http *h, const char *path, const char *member, cJSON **out, hf_error *err);

/* POSTs a GraphQL document with variables to the API's GraphQL endpoint
 * (/graphql beside the REST base; /api/graphql on GitHub Enterprise, whose
 * REST base ends in /api/v3). A mutation like any POST: governed and
 * retried. *data receives the answer's "data" (cJSON_Delete it). An answer
 * with "errors" fails with their messages and types. */
int hf_http_graphql(hf_http *h, const char *query, const cJSON *variables, cJSON **data,
                    hf_error *err);

/* Sets err to "METHOD PATH: STATUS Reason: message from the body (request
 * id)" for an answer the caller did not expect; returns -1. */
int hf_http_fail(hf_error *err, const char *method, const char *path, const hf_http_response *resp);

/* Appends s percent-encoded for a URL path segment or query value; '/' is
 * kept when keep_slash (branch names in ref paths). */
void hf_http_escape(hf_buf *out, const char *s, bool keep_slash);

#endif
