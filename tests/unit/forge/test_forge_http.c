/* The forge client against the fake GitHub server: the headers it sends,
 * pagination, conditional GETs, retries and rate-limit waits (asserted on a
 * virtual clock), mutation spacing, the pull-request primitives, and that the
 * token appears nowhere but in the Authorization header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_forge.h"
#include "forge/github.h"
#include "forge/governor.h"
#include "forge/http.h"
#include "util/fs.h"
#include "util/log.h"

#define TOKEN "ghp_fakeTOKEN0123456789abcdefSECRET"
#define WALL0 1700000000.0

static fake_forge forge;
static int forge_status = -1; /* 0 running */

typedef struct ctx {
    fake_clock clock;
    hf_governor *governor;
    hf_http *http;
    char etag_dir[64];
} ctx;

static int group_setup(void **state)
{
    (void)state;
    /* Loopback must never go through a proxy from the environment. */
    setenv("NO_PROXY", "127.0.0.1,localhost", 1);
    setenv("no_proxy", "127.0.0.1,localhost", 1);
    forge_status = fake_forge_start(&forge, TOKEN, 2);
    if (forge_status == 1)
        fprintf(stderr, "forge-http: node is not on PATH, and CI is set: failing\n");
    return forge_status == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    if (forge_status == 0)
        fake_forge_stop(&forge);
    return 0;
}

static hf_http *client(ctx *c, const char *token, const char *etag_dir, int max_tries)
{
    hf_http_options o = {0};
    o.api_base = forge.base;
    o.token = token;
    o.etag_dir = etag_dir;
    o.clock = &c->clock.clock;
    o.governor = c->governor;
    o.max_tries = max_tries;
    o.timeout = 20;
    hf_http *h = NULL;
    hf_error err;
    if (hf_http_new(&h, &o, &err) < 0)
        fail_msg("hf_http_new: %s", err.msg);
    return h;
}

static int setup(void **state)
{
    *state = NULL;
    if (forge_status != 0)
        return -1;
    fake_forge_control(&forge, "reset", "{}");
    fake_forge_control(&forge, "config", "{\"page_size\":2}");
    ctx *c = calloc(1, sizeof(*c));
    fake_clock_init(&c->clock, WALL0);
    c->governor = hf_governor_new(&c->clock.clock, HF_GOVERNOR_INTERVAL);
    c->http = client(c, TOKEN, NULL, 0);
    *state = c;
    return 0;
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        hf_buf p = HF_BUF_INIT;
        hf_fs_join(&p, dir, e->d_name);
        unlink(p.ptr);
        hf_buf_free(&p);
    }
    closedir(d);
    rmdir(dir);
}

static int teardown(void **state)
{
    ctx *c = *state;
    if (!c)
        return 0;
    hf_http_free(c->http);
    hf_governor_free(c->governor);
    fake_clock_destroy(&c->clock);
    if (c->etag_dir[0])
        remove_dir(c->etag_dir);
    free(c);
    return 0;
}

/* ---- helpers over the request log ----------------------------------- */

static long num_of(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsNumber(v) ? (long)v->valuedouble : -999;
}

/* The body of the n-th logged request (0-based; negative counts from the end). */
static char *logged_body(int n)
{
    cJSON *log = fake_forge_log(&forge);
    int size = cJSON_GetArraySize(log);
    const cJSON *e = cJSON_GetArrayItem(log, n < 0 ? size + n : n);
    assert_non_null(e);
    char *body = strdup(fake_forge_str(e, "body"));
    cJSON_Delete(log);
    return body;
}

static void assert_sleeps(const ctx *c, const double *want, size_t n)
{
    if (c->clock.nsleeps != n) {
        hf_buf got = HF_BUF_INIT;
        for (size_t i = 0; i < c->clock.nsleeps; i++)
            hf_buf_printf(&got, " %.3f", c->clock.sleeps[i]);
        fail_msg("%zu waits asked for (%s), wanted %zu", c->clock.nsleeps, hf_buf_cstr(&got), n);
    }
    for (size_t i = 0; i < n; i++)
        assert_float_equal(c->clock.sleeps[i], want[i], 1e-9);
}

static void seed_pr(const char *json)
{
    fake_forge_control(&forge, "pulls", json);
}

static void inject(const char *json)
{
    fake_forge_control(&forge, "inject", json);
}

/* ---- headers, pagination, conditional GETs -------------------------- */

static void sends_github_headers(void **state)
{
    ctx *c = *state;
    hf_gh_pr *pr = NULL;
    hf_error err;
    assert_int_equal(hf_gh_pr_find(c->http, "acme", "shop", "handoff/launchplane", &pr, &err), 0);
    assert_null(pr);
    cJSON *log = fake_forge_log(&forge);
    assert_int_equal(cJSON_GetArraySize(log), 1);
    const cJSON *e = cJSON_GetArrayItem(log, 0);
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(e, "headers");
    assert_string_equal(fake_forge_str(e, "method"), "GET");
    assert_string_equal(fake_forge_str(e, "path"),
                        "/repos/acme/shop/pulls?state=all&per_page=100&head="
                        "acme%3Ahandoff%2Flaunchplane");
    assert_string_equal(fake_forge_str(h, "accept"), "application/vnd.github+json");
    assert_string_equal(fake_forge_str(h, "x-github-api-version"), "2022-11-28");
    assert_string_equal(fake_forge_str(h, "user-agent"), "handoff/" HF_VERSION);
    assert_string_equal(fake_forge_str(h, "authorization"), "<redacted>");
    assert_string_equal(fake_forge_str(e, "auth"), "ok");
    assert_int_equal(num_of(e, "status"), 200);
    cJSON_Delete(log);
}

static void follows_link_pagination(void **state)
{
    ctx *c = *state;
    for (int i = 0; i < 5; i++) {
        char json[128];
        snprintf(json, sizeof(json), "{\"repo\":\"acme/shop\",\"head\":\"b%d\",\"title\":\"t%d\"}",
                 i, i);
        seed_pr(json);
    }
    cJSON *all = NULL;
    hf_error err;
    assert_int_equal(
        hf_http_get_all(c->http, "/repos/acme/shop/pulls?state=all&per_page=100", NULL, &all, &err),
        0);
    assert_int_equal(cJSON_GetArraySize(all), 5);
    /* Newest first, as GitHub lists them, across all three pages. */
    for (int i = 0; i < 5; i++)
        assert_int_equal(num_of(cJSON_GetArrayItem(all, i), "number"), 5 - i);
    cJSON_Delete(all);
    fake_forge_assert_log(&forge, false,
                          "GET /repos/acme/shop/pulls?state=all&per_page=100 200\n"
                          "GET /repos/acme/shop/pulls?state=all&per_page=100&page=2 200\n"
                          "GET /repos/acme/shop/pulls?state=all&per_page=100&page=3 200\n");
}

static void find_prefers_open_pr_on_a_later_page(void **state)
{
    ctx *c = *state;
    seed_pr("{\"repo\":\"acme/shop\",\"head\":\"handoff/x\",\"title\":\"the open one\"}");
    for (int i = 0; i < 4; i++)
        seed_pr("{\"repo\":\"acme/shop\",\"head\":\"handoff/x\",\"state\":\"closed\"}");
    seed_pr("{\"repo\":\"acme/shop\",\"head\":\"other\"}");
    hf_gh_pr *pr = NULL;
    hf_error err;
    assert_int_equal(hf_gh_pr_find(c->http, "acme", "shop", "handoff/x", &pr, &err), 0);
    assert_non_null(pr);
    assert_int_equal(pr->number, 1);
    assert_string_equal(pr->state, "open");
    assert_string_equal(pr->title, "the open one");
    hf_gh_pr_free(pr);
    hf_buf log = HF_BUF_INIT;
    fake_forge_log_lines(&forge, false, &log);
    assert_non_null(strstr(log.ptr, "&page=3 200\n"));
    hf_buf_free(&log);
}

static void etag_304_served_from_cache(void **state)
{
    ctx *c = *state;
    snprintf(c->etag_dir, sizeof(c->etag_dir), "/tmp/hf-etag-XXXXXX");
    assert_non_null(mkdtemp(c->etag_dir));
    hf_http *h = client(c, TOKEN, c->etag_dir, 0);
    seed_pr("{\"repo\":\"acme/shop\",\"head\":\"b\",\"title\":\"cached\"}");
    hf_http_response first = HF_HTTP_RESPONSE_INIT, second = HF_HTTP_RESPONSE_INIT,
                     third = HF_HTTP_RESPONSE_INIT;
    hf_error err;
    const char *path = "/repos/acme/shop/pulls/1";
    assert_int_equal(hf_http_request(h, "GET", path, NULL, &first, &err), 0);
    assert_int_equal(first.status, 200);
    assert_false(first.from_cache);
    assert_int_equal(hf_http_request(h, "GET", path, NULL, &second, &err), 0);
    assert_int_equal(second.status, 200);
    assert_true(second.from_cache);
    assert_int_equal(second.body.len, first.body.len);
    assert_memory_equal(second.body.ptr, first.body.ptr, first.body.len);
    /* A change on the server gives a new ETag and a fresh body. */
    assert_int_equal(hf_gh_pr_update(h, "acme", "shop", 1, "renamed", NULL, NULL, &err), 0);
    assert_int_equal(hf_http_request(h, "GET", path, NULL, &third, &err), 0);
    assert_false(third.from_cache);
    assert_non_null(strstr(third.body.ptr, "\"renamed\""));

    cJSON *log = fake_forge_log(&forge);
    const cJSON *e2 = cJSON_GetArrayItem(log, 1);
    assert_int_equal(num_of(e2, "status"), 304);
    assert_true(
        strncmp(fake_forge_str(cJSON_GetObjectItemCaseSensitive(e2, "headers"), "if-none-match"),
                "W/\"", 3) == 0);
    assert_int_equal(num_of(cJSON_GetArrayItem(log, 3), "status"), 200);
    cJSON_Delete(log);
    hf_http_stats st;
    hf_http_get_stats(h, &st);
    assert_int_equal(st.not_modified, 1);
    assert_int_equal(st.requests, 4);
    assert_int_equal(st.mutations, 1);
    hf_http_response_free(&first);
    hf_http_response_free(&second);
    hf_http_response_free(&third);
    hf_http_free(h);
}

static void etag_cache_keeps_pagination(void **state)
{
    ctx *c = *state;
    snprintf(c->etag_dir, sizeof(c->etag_dir), "/tmp/hf-etag-XXXXXX");
    assert_non_null(mkdtemp(c->etag_dir));
    hf_http *h = client(c, TOKEN, c->etag_dir, 0);
    for (int i = 0; i < 3; i++)
        seed_pr("{\"repo\":\"acme/shop\",\"head\":\"b\",\"state\":\"closed\"}");
    hf_error err;
    for (int round = 0; round < 2; round++) {
        cJSON *all = NULL;
        assert_int_equal(hf_http_get_all(h, "/repos/acme/shop/pulls?state=all", NULL, &all, &err),
                         0);
        assert_int_equal(cJSON_GetArraySize(all), 3);
        cJSON_Delete(all);
    }
    fake_forge_assert_log(&forge, false,
                          "GET /repos/acme/shop/pulls?state=all 200\n"
                          "GET /repos/acme/shop/pulls?state=all&page=2 200\n"
                          "GET /repos/acme/shop/pulls?state=all 304\n"
                          "GET /repos/acme/shop/pulls?state=all&page=2 304\n");
    hf_http_free(h);
}

/* ---- retries and rate limits ---------------------------------------- */

static void retries_500_then_succeeds(void **state)
{
    ctx *c = *state;
    inject("{\"method\":\"GET\",\"path\":\"^/repos/acme/shop/pulls/1$\",\"kind\":\"500\","
           "\"times\":2}");
    seed_pr("{\"repo\":\"acme/shop\",\"head\":\"b\"}");
    hf_gh_pr *pr = NULL;
    hf_error err;
    assert_int_equal(hf_gh_pr_get(c->http, "acme", "shop", 1, &pr, &err), 0);
    assert_int_equal(pr->number, 1);
    hf_gh_pr_free(pr);
    const double want[] = {1, 2};
    assert_sleeps(c, want, 2);
    fake_forge_assert_log(&forge, false,
                          "GET /repos/acme/shop/pulls/1 500\n"
                          "GET /repos/acme/shop/pulls/1 500\n"
                          "GET /repos/acme/shop/pulls/1 200\n");
}

static void retries_dropped_connection(void **state)
{
    ctx *c = *state;
    seed_pr("{\"repo\":\"acme/shop\",\"head\":\"b\"}");
    inject("{\"method\":\"GET\",\"path\":\"^/repos/acme/shop/pulls/1$\",\"kind\":\"drop\"}");
    hf_gh_pr *pr = NULL;
    hf_error err;
    assert_int_equal(hf_gh_pr_get(c->http, "acme", "shop", 1, &pr, &err), 0);
    assert_int_equal(pr->number, 1);
    hf_gh_pr_free(pr);
    const double want[] = {1};
    assert_sleeps(c, want, 1);
    fake_forge_assert_log(&forge, false,
                          "GET /repos/acme/shop/pulls/1 -1\n"
                          "GET /repos/acme/shop/pulls/1 200\n");
}

static void honours_retry_after_on_403(void **state)
{
    ctx *c = *state;
    seed_pr("{\"repo\":\"acme/shop\",\"head\":\"b\"}");
    inject("{\"path\":\"^/repos/acme/shop/pulls/1$\",\"kind\":\"retry-after\",\"seconds\":17}");
    hf_gh_pr *pr = NULL;
    hf_error err;
    assert_int_equal(hf_gh_pr_get(c->http, "acme", "shop", 1, &pr, &err), 0);
    hf_gh_pr_free(pr);
    const double want[] = {17};
    assert_sleeps(c, want, 1);
    fake_forge_assert_log(&forge, false,
                          "GET /repos/acme/shop/pulls/1 403\n"
                          "GET /repos/acme/shop/pulls/1 200\n");
}

static void backs_off_from_60s_on_429(void **state)
{
    ctx *c = *state;
    seed_pr("{\"repo\":\"acme/shop\",\"head\":\"b\"}");
    inject("{\"path\":\"^/repos/acme/shop/pulls/1$\",\"kind\":\"429\",\"times\":2}");
    inject("{\"path\":\"^/repos/acme/shop/pulls/1$\",\"kind\":\"429\",\"seconds\":5}");
    hf_gh_pr *pr = NULL;
    hf_error err;
    assert_int_equal(hf_gh_pr_get(c->http, "acme", "shop", 1, &pr, &err), 0);
    hf_gh_pr_free(pr);
    const double want[] = {60, 120, 5};
    assert_sleeps(c, want, 3);
    fake_forge_assert_log(&forge, false,
                          "GET /repos/acme/shop/pulls/1 429\n"
                          "GET /repos/acme/shop/pulls/1 429\n"
                          "GET /repos/acme/shop/pulls/1 429\n"
                          "GET /repos/acme/shop/pulls/1 200\n");
}

static void waits_for_rate_limit_reset(void **state)
{
    ctx *c = *state;
    seed_pr("{\"repo\":\"acme/shop\",\"head\":\"b\"}");
    char json[160];
    /* The clock's wall time is WALL0 + 100 at the start. */
    snprintf(json, sizeof(json),
             "{\"path\":\"^/repos/acme/shop/pulls/1$\",\"kind\":\"ratelimit\",\"reset\":%.0f}",
             WALL0 + 100 + 42);
    inject(json);
    hf_gh_pr *pr = NULL;
    hf_error err;
    assert_int_equal(hf_gh_pr_get(c->http, "acme", "shop", 1, &pr, &err), 0);
    hf_gh_pr_free(pr);
    const double want[] = {43}; /* until the reset, plus a second for clock skew */
    assert_sleeps(c, want, 1);
}

static void rate_limit_holds_other_workers(void **state)
{
    ctx *c = *state;
    seed_pr("{\"repo\":\"acme/shop\",\"head\":\"b\"}");
    inject("{\"path\":\"^/repos/acme/shop/pulls/1$\",\"kind\":\"retry-after\",\"seconds\":30}");
    hf_http *other = client(c, TOKEN, NULL, 0);
    hf_gh_pr *pr = NULL;
    hf_error err;
    assert_int_equal(hf_gh_pr_get(c->http, "acme", "shop", 1, &pr, &err), 0);
    hf_gh_pr_free(pr);
    /* The pause is over on the shared clock, so the other worker goes on. */
    assert_int_equal(hf_gh_pr_get(other, "acme", "shop", 1, &pr, &err), 0);
    hf_gh_pr_free(pr);
    const double want[] = {30};
    assert_sleeps(c, want, 1);
    /* And a pause still pending holds it. */
    hf_governor_pause_until(c->governor, c->clock.now + 7);
    assert_int_equal(hf_gh_pr_get(other, "acme", "shop", 1, &pr, &err), 0);
    hf_gh_pr_free(pr);
    const double want2[] = {30, 7};
    assert_sleeps(c, want2, 2);
    hf_http_free(other);
}

static void gives_up_after_bounded_tries(void **state)
{
    ctx *c = *state;
    hf_http *h = client(c, TOKEN, NULL, 3);
    inject("{\"path\":\"^/repos/acme/shop/pulls\",\"kind\":\"502\",\"times\":50}");
    hf_gh_pr *pr = NULL;
    hf_error err;
    assert_int_equal(hf_gh_pr_find(h, "acme", "shop", "b", &pr, &err), -1);
    assert_null(pr);
    assert_non_null(strstr(err.msg, "acme/shop: GET /repos/acme/shop/pulls?"));
    assert_non_null(strstr(err.msg, "giving up after 3 tries: 502 Bad Gateway: Server Error"));
    const double want[] = {1, 2};
    assert_sleeps(c, want, 2);
    cJSON *log = fake_forge_log(&forge);
    assert_int_equal(cJSON_GetArraySize(log), 3);
    cJSON_Delete(log);
    hf_http_free(h);
}

static void gives_up_on_endless_rate_limit(void **state)
{
    ctx *c = *state;
    hf_http *h = client(c, TOKEN, NULL, 4);
    inject("{\"kind\":\"retry-after\",\"seconds\":3,\"times\":10}");
    hf_http_response r = HF_HTTP_RESPONSE_INIT;
    hf_error err;
    assert_int_equal(hf_http_request(h, "GET", "/repos/acme/shop/pulls/1", NULL, &r, &err), -1);
    assert_string_equal(err.msg, "GET /repos/acme/shop/pulls/1: giving up after 4 tries: 403, "
                                 "retry-after 3 s: You have exceeded a secondary rate limit. "
                                 "Please wait a few minutes before you try again.");
    const double want[] = {3, 3, 3};
    assert_sleeps(c, want, 3);
    hf_http_response_free(&r);
    hf_http_free(h);
}

static void refuses_a_wait_longer_than_the_limit(void **state)
{
    ctx *c = *state;
    char json[160];
    snprintf(json, sizeof(json), "{\"kind\":\"ratelimit\",\"reset\":%.0f}", WALL0 + 100 + 86400);
    inject(json);
    hf_http_response r = HF_HTTP_RESPONSE_INIT;
    hf_error err;
    assert_int_equal(hf_http_request(c->http, "GET", "/user", NULL, &r, &err), -1);
    assert_non_null(strstr(err.msg, "rate limit exhausted until x-ratelimit-reset"));
    assert_non_null(strstr(err.msg, "longer than the 3900 s handoff waits; giving up"));
    assert_sleeps(c, NULL, 0);
    hf_http_response_free(&r);
}

static void plain_403_is_not_retried(void **state)
{
    ctx *c = *state;
    inject("{\"kind\":\"forbidden\"}");
    hf_gh_pr *pr = NULL;
    hf_error err;
    assert_int_equal(hf_gh_pr_get(c->http, "acme", "shop", 1, &pr, &err), -1);
    assert_string_equal(err.msg, "acme/shop: GET /repos/acme/shop/pulls/1: 403 Forbidden: "
                                 "Resource not accessible by integration (request id FAKE:1)");
    assert_sleeps(c, NULL, 0);
}

/* ---- mutations ------------------------------------------------------- */

static void mutations_are_spaced_a_second_apart(void **state)
{
    ctx *c = *state;
    seed_pr("{\"repo\":\"acme/shop\",\"head\":\"b\"}");
    hf_error err;
    hf_gh_pr *pr = NULL;
    assert_int_equal(hf_gh_pr_update(c->http, "acme", "shop", 1, "one", NULL, NULL, &err), 0);
    /* Reads in between are not held back. */
    assert_int_equal(hf_gh_pr_get(c->http, "acme", "shop", 1, &pr, &err), 0);
    hf_gh_pr_free(pr);
    assert_int_equal(hf_gh_pr_get(c->http, "acme", "shop", 1, &pr, &err), 0);
    hf_gh_pr_free(pr);
    assert_int_equal(hf_gh_comment_add(c->http, "acme", "shop", 1, "two", &err), 0);
    /* A second worker's client shares the governor. */
    hf_http *other = client(c, TOKEN, NULL, 0);
    assert_int_equal(hf_gh_pr_update(other, "acme", "shop", 1, NULL, "three", NULL, &err), 0);
    hf_http_free(other);
    const double want[] = {1, 1};
    assert_sleeps(c, want, 2);
    fake_forge_assert_log(&forge, false,
                          "PATCH /repos/acme/shop/pulls/1 200\n"
                          "GET /repos/acme/shop/pulls/1 200\n"
                          "GET /repos/acme/shop/pulls/1 200\n"
                          "POST /repos/acme/shop/issues/1/comments 201\n"
                          "PATCH /repos/acme/shop/pulls/1 200\n");
}

typedef struct racer {
    hf_governor *governor;
    int id;
    int rc;
} racer;

static void *race_mutations(void *arg)
{
    racer *r = arg;
    hf_http_options o = {.api_base = forge.base, .token = TOKEN, .governor = r->governor};
    hf_http *h = NULL;
    hf_error err;
    r->rc = hf_http_new(&h, &o, &err);
    for (int i = 0; r->rc == 0 && i < 2; i++) {
        char title[32];
        snprintf(title, sizeof(title), "worker %d round %d", r->id, i);
        r->rc = hf_gh_pr_update(h, "acme", "shop", 1, title, NULL, NULL, &err);
    }
    hf_http_free(h);
    return NULL;
}

static void concurrent_workers_mutate_one_at_a_time(void **state)
{
    (void)state;
    seed_pr("{\"repo\":\"acme/shop\",\"head\":\"b\"}");
    /* Real threads, the real clock and a short interval: the spacing is
     * measured where it matters, at the server. */
    hf_governor *g = hf_governor_new(NULL, 0.2);
    pthread_t threads[3];
    racer racers[3];
    for (int i = 0; i < 3; i++) {
        racers[i] = (racer){g, i, -1};
        assert_int_equal(pthread_create(&threads[i], NULL, race_mutations, &racers[i]), 0);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(racers[i].rc, 0);
    }
    hf_governor_free(g);
    cJSON *log = fake_forge_log(&forge);
    assert_int_equal(cJSON_GetArraySize(log), 6);
    double last = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, log)
    {
        double t = cJSON_GetObjectItemCaseSensitive(e, "time")->valuedouble;
        if (last > 0 && t - last < 0.2 - 0.002)
            fail_msg("two mutations %.3f s apart", t - last);
        last = t;
    }
    cJSON_Delete(log);
}

static void reads_the_token_user(void **state)
{
    ctx *c = *state;
    char *login = NULL;
    hf_error err;
    assert_int_equal(hf_gh_user_login(c->http, &login, &err), 0);
    assert_string_equal(login, "handoff-bot");
    free(login);
}

static void creates_and_parses_a_pr(void **state)
{
    ctx *c = *state;
    fake_forge_control(&forge, "branches",
                       "{\"repo\":\"acme/shop\",\"branches\":{\"main\":\"aaaa\","
                       "\"handoff/lp\":\"0123456789abcdef0123456789abcdef01234567\"}}");
    hf_gh_pr_spec spec = {"Move ops to Launchplane", "body\n", "handoff/lp", "main", true};
    hf_gh_pr *pr = NULL;
    bool adopted = true;
    hf_error err;
    assert_int_equal(hf_gh_pr_create(c->http, "acme", "shop", &spec, &pr, &adopted, &err), 0);
    assert_false(adopted);
    assert_int_equal(pr->number, 1);
    assert_string_equal(pr->state, "open");
    assert_true(pr->draft);
    assert_false(pr->merged);
    assert_string_equal(pr->title, "Move ops to Launchplane");
    assert_string_equal(pr->body, "body\n");
    assert_string_equal(pr->head_ref, "handoff/lp");
    assert_string_equal(pr->head_sha, "0123456789abcdef0123456789abcdef01234567");
    assert_string_equal(pr->base_ref, "main");
    assert_string_equal(pr->html_url, "https://github.com/acme/shop/pull/1");
    assert_string_equal(pr->user_login, "handoff-bot");
    hf_gh_pr_free(pr);
    char *body = logged_body(0);
    assert_string_equal(body, "{\"title\":\"Move ops to Launchplane\",\"body\":\"body\\n\","
                              "\"head\":\"handoff/lp\",\"base\":\"main\",\"draft\":true}");
    free(body);
    /* An unknown head branch is GitHub's 422, reported with its field. */
    spec.head = "nope";
    assert_int_equal(hf_gh_pr_create(c->http, "acme", "shop", &spec, &pr, NULL, &err), -1);
    assert_string_equal(err.msg, "acme/shop: POST /repos/acme/shop/pulls: 422 Unprocessable "
                                 "Entity: Validation Failed; head invalid (request id FAKE:2)");
}

static void adopts_existing_pr_on_422(void **state)
{
    ctx *c = *state;
    seed_pr("{\"repo\":\"acme/shop\",\"head\":\"other\"}");
    seed_pr("{\"repo\":\"acme/shop\",\"head\":\"handoff/lp\",\"title\":\"from an earlier run\","
            "\"labels\":[\"launchplane\"]}");
    hf_gh_pr_spec spec = {"new title", "new body", "handoff/lp", "main", false};
    hf_gh_pr *pr = NULL;
    bool adopted = false;
    hf_error err;
    assert_int_equal(hf_gh_pr_create(c->http, "acme", "shop", &spec, &pr, &adopted, &err), 0);
    assert_true(adopted);
    assert_int_equal(pr->number, 2);
    assert_string_equal(pr->title, "from an earlier run");
    assert_int_equal(pr->labels.len, 1);
    assert_string_equal(pr->labels.items[0], "launchplane");
    hf_gh_pr_free(pr);
    fake_forge_assert_log(
        &forge, false,
        "POST /repos/acme/shop/pulls 422\n"
        "GET /repos/acme/shop/pulls?state=all&per_page=100&head=acme%3Ahandoff%2Flp 200\n");
}

static void dropped_create_adopts_instead_of_duplicating(void **state)
{
    ctx *c = *state;
    /* The server creates the PR, then the connection drops before the answer. */
    inject("{\"method\":\"POST\",\"path\":\"^/repos/acme/shop/pulls$\",\"kind\":\"drop\","
           "\"after\":true}");
    hf_gh_pr_spec spec = {"t", "b", "handoff/lp", "main", false};
    hf_gh_pr *pr = NULL;
    bool adopted = false;
    hf_error err;
    assert_int_equal(hf_gh_pr_create(c->http, "acme", "shop", &spec, &pr, &adopted, &err), 0);
    assert_true(adopted);
    assert_int_equal(pr->number, 1);
    hf_gh_pr_free(pr);
    cJSON *st = fake_forge_state(&forge);
    const cJSON *pulls = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(st, "repos"),
                                         "acme/shop"),
        "pulls");
    assert_int_equal(cJSON_GetArraySize(pulls), 1);
    cJSON_Delete(st);
}

static void updates_closes_reopens_comments(void **state)
{
    ctx *c = *state;
    seed_pr("{\"repo\":\"acme/shop\",\"head\":\"handoff/lp\"}");
    hf_gh_pr *pr = NULL;
    hf_error err;
    assert_int_equal(hf_gh_pr_update(c->http, "acme", "shop", 1, "T", "B", &pr, &err), 0);
    assert_string_equal(pr->title, "T");
    assert_string_equal(pr->body, "B");
    hf_gh_pr_free(pr);
    assert_int_equal(hf_gh_comment_add(c->http, "acme", "shop", 1, "No longer needed.", &err), 0);
    assert_int_equal(hf_gh_pr_close(c->http, "acme", "shop", 1, &pr, &err), 0);
    assert_string_equal(pr->state, "closed");
    hf_gh_pr_free(pr);
    assert_int_equal(hf_gh_pr_reopen(c->http, "acme", "shop", 1, NULL, &err), 0);
    assert_int_equal(hf_gh_pr_get(c->http, "acme", "shop", 1, &pr, &err), 0);
    assert_string_equal(pr->state, "open");
    hf_gh_pr_free(pr);
    const char *bodies[] = {"{\"title\":\"T\",\"body\":\"B\"}", "{\"body\":\"No longer needed.\"}",
                            "{\"state\":\"closed\"}", "{\"state\":\"open\"}"};
    for (int i = 0; i < 4; i++) {
        char *b = logged_body(i);
        assert_string_equal(b, bodies[i]);
        free(b);
    }
    assert_int_equal(hf_gh_pr_update(c->http, "acme", "shop", 1, NULL, NULL, NULL, &err), -1);
    /* A merged PR is GitHub's to refuse to reopen. */
    seed_pr("{\"repo\":\"acme/shop\",\"head\":\"m\",\"merged\":true}");
    assert_int_equal(hf_gh_pr_reopen(c->http, "acme", "shop", 2, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "already merged"));
    assert_int_equal(hf_gh_pr_get(c->http, "acme", "shop", 2, &pr, &err), 0);
    assert_true(pr->merged);
    assert_string_equal(pr->state, "closed");
    hf_gh_pr_free(pr);
}

/* The dashboard issue: its body read (null reads ""), rewritten alone, and
 * the refusals named with the issue and their usual cause. */
static void reads_and_rewrites_an_issue_body(void **state)
{
    ctx *c = *state;
    fake_forge_control(&forge, "issues", "{\"repo\":\"acme/ops\",\"title\":\"Dashboard\"}");
    hf_gh_issue *issue = NULL;
    hf_error err;
    assert_int_equal(hf_gh_issue_get(c->http, "acme", "ops", 1, &issue, &err), 0);
    assert_int_equal(issue->number, 1);
    assert_string_equal(issue->body, "");
    assert_string_equal(issue->state, "open");
    assert_false(issue->is_pull);
    hf_gh_issue_free(issue);
    /* The fake holds every issue PATCH to the markers: only a block may be
     * added or changed. */
    const char *block = "<!-- handoff:status:begin -->\r\n\"q\"\r\n<!-- handoff:status:end -->";
    assert_int_equal(hf_gh_issue_set_body(c->http, "acme", "ops", 1, block, &issue, &err), 0);
    assert_string_equal(issue->body, block);
    assert_string_equal(issue->title, "Dashboard");
    hf_gh_issue_free(issue);
    char *b = logged_body(-1);
    assert_string_equal(b, "{\"body\":\"<!-- handoff:status:begin -->\\r\\n\\\"q\\\"\\r\\n"
                           "<!-- handoff:status:end -->\"}");
    free(b);
    assert_int_equal(hf_gh_issue_set_body(c->http, "acme", "ops", 1, "text", NULL, &err), -1);
    assert_non_null(strstr(err.msg, "422"));
    assert_non_null(strstr(err.msg, "outside the handoff markers changed"));

    assert_int_equal(hf_gh_issue_get(c->http, "acme", "ops", 9, &issue, &err), -1);
    assert_null(issue);
    assert_non_null(strstr(err.msg, "issue acme/ops#9: GET /repos/acme/ops/issues/9: 404"));
    assert_non_null(strstr(err.msg, "no such issue, or the token cannot see acme/ops"));
    inject("{\"method\":\"PATCH\",\"kind\":\"forbidden\"}");
    assert_int_equal(hf_gh_issue_set_body(c->http, "acme", "ops", 1, "x", NULL, &err), -1);
    assert_non_null(strstr(err.msg, "issue acme/ops#1: PATCH /repos/acme/ops/issues/1: 403"));
    assert_non_null(strstr(err.msg, "Issues write permission"));
    assert_int_equal(hf_gh_issue_get(c->http, "acme", "../x", 1, &issue, &err), -1);
    assert_int_equal(hf_gh_issue_get(c->http, "acme", "ops", 0, &issue, &err), -1);
}

static void adds_only_missing_labels(void **state)
{
    ctx *c = *state;
    seed_pr("{\"repo\":\"acme/shop\",\"head\":\"b\",\"labels\":[\"a\",\"Handoff\",\"c\"]}");
    const char *want[] = {"handoff", "launchplane", "launchplane", "a"};
    size_t added = 9;
    hf_error err;
    assert_int_equal(hf_gh_labels_ensure(c->http, "acme", "shop", 1, want, 4, NULL, &added, &err),
                     0);
    assert_int_equal(added, 1);
    char *b = logged_body(-1);
    assert_string_equal(b, "{\"labels\":[\"launchplane\"]}");
    free(b);
    /* Again: nothing missing, nothing sent but the reads. */
    assert_int_equal(hf_gh_labels_ensure(c->http, "acme", "shop", 1, want, 4, NULL, &added, &err),
                     0);
    assert_int_equal(added, 0);
    fake_forge_assert_log(&forge, false,
                          "GET /repos/acme/shop/issues/1/labels?per_page=100 200\n"
                          "GET /repos/acme/shop/issues/1/labels?per_page=100&page=2 200\n"
                          "POST /repos/acme/shop/issues/1/labels 200\n"
                          "GET /repos/acme/shop/issues/1/labels?per_page=100 200\n"
                          "GET /repos/acme/shop/issues/1/labels?per_page=100&page=2 200\n");
    /* With the PR already in hand, no request at all. */
    hf_gh_pr *pr = NULL;
    assert_int_equal(hf_gh_pr_get(c->http, "acme", "shop", 1, &pr, &err), 0);
    fake_forge_clear_log(&forge);
    assert_int_equal(hf_gh_labels_ensure(c->http, "acme", "shop", 1, want, 4, pr, &added, &err), 0);
    assert_int_equal(added, 0);
    fake_forge_assert_log(&forge, false, "");
    hf_gh_pr_free(pr);
}

static void requests_only_missing_reviewers(void **state)
{
    ctx *c = *state;
    seed_pr("{\"repo\":\"acme/shop\",\"head\":\"b\",\"requested_reviewers\":[\"alice\"],"
            "\"requested_teams\":[\"ops\"]}");
    fake_forge_control(&forge, "reviews", "{\"repo\":\"acme/shop\",\"number\":1,\"user\":\"bob\"}");
    const char *want[] = {"Alice", "bob", "carol", "acme/ops", "@acme/platform"};
    size_t added = 0;
    hf_error err;
    assert_int_equal(
        hf_gh_reviewers_ensure(c->http, "acme", "shop", 1, want, 5, NULL, false, &added, &err), 0);
    assert_int_equal(added, 2);
    char *b = logged_body(-1);
    assert_string_equal(b, "{\"reviewers\":[\"carol\"],\"team_reviewers\":[\"platform\"]}");
    free(b);
    fake_forge_assert_log(&forge, false,
                          "GET /repos/acme/shop/pulls/1/requested_reviewers 200\n"
                          "GET /repos/acme/shop/pulls/1/reviews?per_page=100 200\n"
                          "POST /repos/acme/shop/pulls/1/requested_reviewers 201\n");
    /* Again: all present; bob reviewed already and is not asked again. */
    assert_int_equal(
        hf_gh_reviewers_ensure(c->http, "acme", "shop", 1, want, 5, NULL, false, &added, &err), 0);
    assert_int_equal(added, 0);
    cJSON *log = fake_forge_log(&forge);
    assert_int_equal(cJSON_GetArraySize(log), 5);
    cJSON_Delete(log);
    /* The author is never requested. */
    hf_gh_pr *pr = NULL;
    assert_int_equal(hf_gh_pr_get(c->http, "acme", "shop", 1, &pr, &err), 0);
    const char *author[] = {"handoff-bot"};
    assert_int_equal(
        hf_gh_reviewers_ensure(c->http, "acme", "shop", 1, author, 1, pr, false, &added, &err), 0);
    assert_int_equal(added, 0);
    hf_gh_pr_free(pr);

    /* A PR just opened: nobody reviewed it, so no GET of its reviews. */
    seed_pr("{\"repo\":\"acme/shop\",\"head\":\"c\"}");
    fake_forge_clear_log(&forge);
    const char *one[] = {"dave"};
    assert_int_equal(
        hf_gh_reviewers_ensure(c->http, "acme", "shop", 2, one, 1, NULL, true, &added, &err), 0);
    assert_int_equal(added, 1);
    fake_forge_assert_log(&forge, false,
                          "GET /repos/acme/shop/pulls/2/requested_reviewers 200\n"
                          "POST /repos/acme/shop/pulls/2/requested_reviewers 201\n");
}

static void deletes_branch_once(void **state)
{
    ctx *c = *state;
    fake_forge_control(
        &forge, "branches",
        "{\"repo\":\"acme/shop\",\"branches\":{\"main\":\"a\",\"handoff/lp\":\"b\"}}");
    seed_pr("{\"repo\":\"acme/shop\",\"head\":\"handoff/lp\"}");
    bool deleted = false;
    hf_error err;
    assert_int_equal(hf_gh_branch_delete(c->http, "acme", "shop", "handoff/lp", &deleted, &err), 0);
    assert_true(deleted);
    assert_int_equal(hf_gh_branch_delete(c->http, "acme", "shop", "handoff/lp", &deleted, &err), 0);
    assert_false(deleted);
    fake_forge_assert_log(&forge, false,
                          "DELETE /repos/acme/shop/git/refs/heads/handoff/lp 204\n"
                          "DELETE /repos/acme/shop/git/refs/heads/handoff/lp 422\n");
    /* Reopening a PR whose branch is gone is GitHub's 422. */
    hf_gh_pr *pr = NULL;
    assert_int_equal(hf_gh_pr_get(c->http, "acme", "shop", 1, &pr, &err), 0);
    assert_string_equal(pr->state, "closed");
    hf_gh_pr_free(pr);
    assert_int_equal(hf_gh_pr_reopen(c->http, "acme", "shop", 1, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "branch has been deleted"));
}

static void refuses_bad_names(void **state)
{
    ctx *c = *state;
    hf_gh_pr *pr = NULL;
    hf_error err;
    assert_int_equal(hf_gh_pr_find(c->http, "acme", "../x", "b", &pr, &err), -1);
    assert_string_equal(err.msg, "'acme/../x' is not a valid GitHub repository name");
    assert_int_equal(hf_gh_pr_find(c->http, "acme", "shop", "a..b", &pr, &err), -1);
    assert_int_equal(hf_gh_pr_find(c->http, "acme", "shop", "a b", &pr, &err), -1);
    assert_int_equal(hf_gh_branch_delete(c->http, "acme", "shop", "x/../../y", NULL, &err), -1);
    hf_gh_pr_spec spec = {"t", "b", "main", "main", false};
    assert_int_equal(hf_gh_pr_create(c->http, "acme", "shop", &spec, &pr, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "is the base branch"));
    fake_forge_assert_log(&forge, false, "");
}

/* ---- base URLs ------------------------------------------------------- */

static void github_enterprise_base(void **state)
{
    ctx *c = *state;
    for (int i = 0; i < 3; i++)
        seed_pr("{\"repo\":\"acme/shop\",\"head\":\"handoff/lp\",\"state\":\"closed\"}");
    hf_buf base = HF_BUF_INIT;
    hf_buf_printf(&base, "%s/api/v3/", forge.base);
    hf_http_options o = {.api_base = base.ptr, .token = TOKEN, .clock = &c->clock.clock};
    hf_http *h = NULL;
    hf_error err;
    assert_int_equal(hf_http_new(&h, &o, &err), 0);
    hf_buf_truncate(&base, base.len - 1);
    assert_string_equal(hf_http_base(h), base.ptr); /* no trailing slash */
    hf_gh_pr *pr = NULL;
    if (hf_gh_pr_find(h, "acme", "shop", "handoff/lp", &pr, &err) < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(pr->number, 3);
    hf_gh_pr_free(pr);
    fake_forge_assert_log(
        &forge, false,
        "GET /api/v3/repos/acme/shop/pulls?state=all&per_page=100&head=acme%3Ahandoff%2Flp "
        "200\n"
        "GET /api/v3/repos/acme/shop/pulls?state=all&per_page=100&head=acme%3Ahandoff%2Flp"
        "&page=2 200\n");
    hf_http_free(h);
    hf_buf_free(&base);
}

static void refuses_next_page_on_another_host(void **state)
{
    ctx *c = *state;
    inject("{\"kind\":\"200\",\"status\":200,\"body\":[],\"headers\":{\"link\":"
           "\"<http://evil.example/repos/acme/shop/pulls?page=2>; rel=\\\"next\\\"\"}}");
    cJSON *all = NULL;
    hf_error err;
    assert_int_equal(hf_http_get_all(c->http, "/repos/acme/shop/pulls", NULL, &all, &err), -1);
    assert_non_null(strstr(err.msg, "refusing to follow 'http://evil.example/"));
    cJSON *log = fake_forge_log(&forge);
    assert_int_equal(cJSON_GetArraySize(log), 1);
    cJSON_Delete(log);
}

/* ---- the token -------------------------------------------------------- */

static void token_never_leaks(void **state)
{
    ctx *c = *state;
    hf_error err;
    hf_gh_pr *pr = NULL;
    /* A wrong token: GitHub's 401, and neither token in the message. */
    hf_http *wrong = client(c, "ghp_wrongTOKEN_999999999999", NULL, 0);
    assert_int_equal(hf_gh_pr_get(wrong, "acme", "shop", 1, &pr, &err), -1);
    assert_non_null(strstr(err.msg, "401 Unauthorized: Bad credentials"));
    assert_null(strstr(err.msg, "ghp_"));
    hf_http_free(wrong);
    /* A server that echoes the token back still cannot put it in an error. */
    inject("{\"kind\":\"400\",\"status\":400,\"body\":{\"message\":\"bad token " TOKEN "\"}}");
    assert_int_equal(hf_gh_pr_get(c->http, "acme", "shop", 1, &pr, &err), -1);
    assert_null(strstr(err.msg, TOKEN));
    assert_non_null(strstr(err.msg, "bad token ***"));
    /* Give-ups and transport errors. */
    hf_http *h = client(c, TOKEN, NULL, 2);
    inject("{\"kind\":\"drop\",\"times\":2}");
    assert_int_equal(hf_gh_pr_get(h, "acme", "shop", 1, &pr, &err), -1);
    assert_null(strstr(err.msg, TOKEN));
    assert_non_null(strstr(err.msg, "giving up after 2 tries"));
    hf_http_free(h);
    /* A full round of every primitive, then: the token is nowhere in what the
     * server received except the Authorization header (which it redacts). */
    fake_forge_clear_log(&forge);
    hf_gh_pr_spec spec = {"t", "b", "handoff/lp", "main", false};
    assert_int_equal(hf_gh_pr_create(c->http, "acme", "shop", &spec, &pr, NULL, &err), 0);
    const char *labels[] = {"x"};
    assert_int_equal(
        hf_gh_labels_ensure(c->http, "acme", "shop", pr->number, labels, 1, NULL, NULL, &err), 0);
    assert_int_equal(hf_gh_reviewers_ensure(c->http, "acme", "shop", pr->number, labels, 1, NULL,
                                            false, NULL, &err),
                     0);
    assert_int_equal(hf_gh_comment_add(c->http, "acme", "shop", pr->number, "c", &err), 0);
    assert_int_equal(hf_gh_pr_close(c->http, "acme", "shop", pr->number, NULL, &err), 0);
    assert_int_equal(hf_gh_branch_delete(c->http, "acme", "shop", "handoff/lp", NULL, &err), 0);
    hf_gh_pr_free(pr);
    hf_buf text = HF_BUF_INIT;
    fake_forge_log_text(&forge, &text);
    assert_null(strstr(text.ptr, TOKEN));
    assert_null(strstr(text.ptr, "fakeTOKEN"));
    cJSON *log = fake_forge_log(&forge);
    assert_true(cJSON_GetArraySize(log) >= 8);
    const cJSON *e;
    cJSON_ArrayForEach(e, log)
    {
        assert_string_equal(fake_forge_str(e, "auth"), "ok");
    }
    cJSON_Delete(log);
    hf_buf_free(&text);
}

static void fake_server_rejects_bad_requests(void **state)
{
    (void)state;
    hf_buf out = HF_BUF_INIT;
    const char *no_accept[] = {"Authorization: Bearer " TOKEN, "User-Agent: handoff/1",
                               "X-GitHub-Api-Version: 2022-11-28", NULL};
    assert_int_equal(fake_forge_raw(&forge, "GET", "/user", NULL, no_accept, &out), 400);
    assert_non_null(strstr(out.ptr, "Accept"));
    const char *ok[] = {"Authorization: Bearer " TOKEN, "User-Agent: handoff/1",
                        "X-GitHub-Api-Version: 2022-11-28", "Accept: application/vnd.github+json",
                        NULL};
    assert_int_equal(fake_forge_raw(&forge, "GET", "/user", NULL, ok, &out), 200);
    seed_pr("{\"repo\":\"acme/shop\",\"head\":\"b\"}");
    assert_int_equal(
        fake_forge_raw(&forge, "PATCH", "/repos/acme/shop/pulls/1", "{\"title\":1}", ok, &out),
        422);
    assert_int_equal(
        fake_forge_raw(&forge, "PATCH", "/repos/acme/shop/pulls/1", "{\"titel\":\"x\"}", ok, &out),
        422);
    assert_int_equal(fake_forge_raw(&forge, "PATCH", "/repos/acme/shop/pulls/1", "{", ok, &out),
                     400);
    const char *bad_ua[] = {"Authorization: Bearer " TOKEN, "User-Agent: curl/8",
                            "X-GitHub-Api-Version: 2022-11-28",
                            "Accept: application/vnd.github+json", NULL};
    assert_int_equal(fake_forge_raw(&forge, "GET", "/user", NULL, bad_ua, &out), 400);
    hf_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(sends_github_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(follows_link_pagination, setup, teardown),
        cmocka_unit_test_setup_teardown(find_prefers_open_pr_on_a_later_page, setup, teardown),
        cmocka_unit_test_setup_teardown(etag_304_served_from_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(etag_cache_keeps_pagination, setup, teardown),
        cmocka_unit_test_setup_teardown(retries_500_then_succeeds, setup, teardown),
        cmocka_unit_test_setup_teardown(retries_dropped_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(honours_retry_after_on_403, setup, teardown),
        cmocka_unit_test_setup_teardown(backs_off_from_60s_on_429, setup, teardown),
        cmocka_unit_test_setup_teardown(waits_for_rate_limit_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(rate_limit_holds_other_workers, setup, teardown),
        cmocka_unit_test_setup_teardown(gives_up_after_bounded_tries, setup, teardown),
        cmocka_unit_test_setup_teardown(gives_up_on_endless_rate_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(refuses_a_wait_longer_than_the_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(plain_403_is_not_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(mutations_are_spaced_a_second_apart, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_workers_mutate_one_at_a_time, setup, teardown),
        cmocka_unit_test_setup_teardown(reads_the_token_user, setup, teardown),
        cmocka_unit_test_setup_teardown(creates_and_parses_a_pr, setup, teardown),
        cmocka_unit_test_setup_teardown(adopts_existing_pr_on_422, setup, teardown),
        cmocka_unit_test_setup_teardown(dropped_create_adopts_instead_of_duplicating, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(updates_closes_reopens_comments, setup, teardown),
        cmocka_unit_test_setup_teardown(reads_and_rewrites_an_issue_body, setup, teardown),
        cmocka_unit_test_setup_teardown(adds_only_missing_labels, setup, teardown),
        cmocka_unit_test_setup_teardown(requests_only_missing_reviewers, setup, teardown),
        cmocka_unit_test_setup_teardown(deletes_branch_once, setup, teardown),
        cmocka_unit_test_setup_teardown(refuses_bad_names, setup, teardown),
        cmocka_unit_test_setup_teardown(github_enterprise_base, setup, teardown),
        cmocka_unit_test_setup_teardown(refuses_next_page_on_another_host, setup, teardown),
        cmocka_unit_test_setup_teardown(token_never_leaks, setup, teardown),
        cmocka_unit_test_setup_teardown(fake_server_rejects_bad_requests, setup, teardown),
    };
    if (!fake_forge_node_available() && !(getenv("CI") && *getenv("CI"))) {
        fprintf(stderr, "forge-http SKIPPED: node is not on PATH (the fake GitHub server "
                        "tests/fake-forge/server.mjs needs it); with CI set this fails\n");
        return 77; /* meson's "skipped" */
    }
    return cmocka_run_group_tests_name("forge-http", tests, group_setup, group_teardown);
}
