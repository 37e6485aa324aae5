/* The parts of the forge layer that need no server: the body hash marker, the
 * mutation governor across threads (on a virtual clock), URL escaping and the
 * checks on the API base URL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fake_forge.h"
#include "forge/github.h"
#include "forge/governor.h"
#include "forge/http.h"
#include "util/log.h"

/* ---- the hash marker ------------------------------------------------ */

static void marker_round_trip(void **state)
{
    (void)state;
    char hex[HF_GH_HASH_HEX + 1];
    hf_gh_content_hash("Title", "Body text\n", hex);
    assert_int_equal(strlen(hex), 16);
    hf_buf body = HF_BUF_INIT;
    hf_gh_body_with_hash(&body, "Body text\n", hex);
    hf_buf want = HF_BUF_INIT;
    hf_buf_printf(&want, "Body text\n\n<!-- handoff:hash=%s -->\n", hex);
    assert_string_equal(body.ptr, want.ptr);
    char got[65];
    assert_int_equal(hf_gh_body_hash(body.ptr, got, sizeof(got)), 1);
    assert_string_equal(got, hex);
    hf_buf_free(&body);
    hf_buf_free(&want);
}

static void marker_replaces_the_old_one(void **state)
{
    (void)state;
    hf_buf body = HF_BUF_INIT;
    hf_gh_body_with_hash(&body, "intro\n<!-- handoff:hash=0123 -->\nmore\n\n", "abcdef");
    assert_string_equal(body.ptr, "intro\nmore\n\n<!-- handoff:hash=abcdef -->\n");
    char got[65];
    assert_int_equal(hf_gh_body_hash(body.ptr, got, sizeof(got)), 1);
    assert_string_equal(got, "abcdef");
    /* Re-marking is stable. */
    hf_buf again = HF_BUF_INIT;
    hf_gh_body_with_hash(&again, body.ptr, "abcdef");
    assert_string_equal(again.ptr, body.ptr);
    hf_gh_body_with_hash(&again, "", "ff");
    assert_string_equal(again.ptr, "<!-- handoff:hash=ff -->\n");
    hf_gh_body_with_hash(&again, NULL, "ff");
    assert_string_equal(again.ptr, "<!-- handoff:hash=ff -->\n");
    hf_buf_free(&body);
    hf_buf_free(&again);
}

static void marker_reading_is_strict(void **state)
{
    (void)state;
    char got[65] = "unchanged";
    assert_int_equal(hf_gh_body_hash("no marker here", got, sizeof(got)), 0);
    assert_int_equal(hf_gh_body_hash(NULL, got, sizeof(got)), 0);
    assert_int_equal(hf_gh_body_hash("<!-- handoff:hash= -->", got, sizeof(got)), 0);
    assert_int_equal(hf_gh_body_hash("<!-- handoff:hash=XYZ -->", got, sizeof(got)), 0);
    assert_int_equal(hf_gh_body_hash("<!-- handoff:hash=abc-->", got, sizeof(got)), 0);
    assert_int_equal(hf_gh_body_hash("<!-- handoff:hash=ABC -->", got, sizeof(got)), 0);
    assert_string_equal(got, "unchanged");
    /* The last well-formed marker wins (a quoted one earlier does not). */
    assert_int_equal(hf_gh_body_hash("`<!-- handoff:hash=1 -->`\n<!-- handoff:hash=22 -->\n"
                                     "<!-- handoff:hash=zz -->",
                                     got, sizeof(got)),
                     1);
    assert_string_equal(got, "22");
    /* Too long for the caller's buffer: not read. */
    char small[3];
    assert_int_equal(hf_gh_body_hash("<!-- handoff:hash=abcd -->", small, sizeof(small)), 0);
    /* Hand-edited bodies with CRLF still carry their marker. */
    assert_int_equal(hf_gh_body_hash("a\r\n<!-- handoff:hash=9a -->\r\n", got, sizeof(got)), 1);
    assert_string_equal(got, "9a");
}

static void content_hash_separates_title_and_body(void **state)
{
    (void)state;
    char a[17], b[17], c[17], d[17];
    hf_gh_content_hash("ab", "c", a);
    hf_gh_content_hash("a", "bc", b);
    hf_gh_content_hash("ab", "c", c);
    hf_gh_content_hash(NULL, NULL, d);
    assert_string_not_equal(a, b);
    assert_string_equal(a, c);
    /* Stable across machines and runs. */
    assert_string_equal(d, "af63bd4c8601b7df"); /* FNV-1a 64 of a single NUL byte */
    for (const char *p = a; *p; p++)
        assert_true((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'));
}

/* ---- the governor --------------------------------------------------- */

typedef struct worker {
    hf_governor *g;
    fake_clock *clock;
    pthread_mutex_t *lock;
    double *starts;
    size_t *nstarts;
    int *in_flight;
    int *overlap;
} worker;

static void *mutate(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < 5; i++) {
        hf_governor_begin(w->g);
        pthread_mutex_lock(w->lock);
        if (++*w->in_flight > 1)
            *w->overlap = 1;
        w->starts[(*w->nstarts)++] = w->clock->clock.monotonic(w->clock);
        pthread_mutex_unlock(w->lock);
        pthread_mutex_lock(w->lock);
        --*w->in_flight;
        pthread_mutex_unlock(w->lock);
        hf_governor_end(w->g);
    }
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void governor_spaces_mutations_across_threads(void **state)
{
    (void)state;
    fake_clock clock;
    fake_clock_init(&clock, 0);
    hf_governor *g = hf_governor_new(&clock.clock, HF_GOVERNOR_INTERVAL);
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    double starts[40];
    size_t nstarts = 0;
    int in_flight = 0, overlap = 0;
    pthread_t threads[6];
    worker w = {g, &clock, &lock, starts, &nstarts, &in_flight, &overlap};
    for (int i = 0; i < 6; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, mutate, &w), 0);
    for (int i = 0; i < 6; i++)
        pthread_join(threads[i], NULL);
    assert_int_equal(nstarts, 30);
    assert_false(overlap);
    qsort(starts, nstarts, sizeof(double), cmp_double);
    for (size_t i = 1; i < nstarts; i++)
        assert_true(starts[i] - starts[i - 1] >= 1.0 - 1e-9);
    /* The first goes at once, then exactly one second apart: no waiting more
     * than needed. */
    assert_float_equal(starts[nstarts - 1] - starts[0], 29.0, 1e-9);
    hf_governor_free(g);
    fake_clock_destroy(&clock);
}

static void governor_pause_holds_reads_and_writes(void **state)
{
    (void)state;
    fake_clock clock;
    fake_clock_init(&clock, 0);
    hf_governor *g = hf_governor_new(&clock.clock, HF_GOVERNOR_INTERVAL);
    hf_governor_wait_pause(g); /* nothing pending: no wait */
    assert_int_equal(clock.nsleeps, 0);
    hf_governor_pause_until(g, clock.now + 30);
    hf_governor_pause_until(g, clock.now + 10); /* an earlier end does not shorten it */
    hf_governor_wait_pause(g);
    assert_int_equal(clock.nsleeps, 1);
    assert_float_equal(clock.sleeps[0], 30, 1e-9);
    hf_governor_pause_until(g, clock.now + 5);
    hf_governor_begin(g);
    hf_governor_end(g);
    assert_int_equal(clock.nsleeps, 2);
    assert_float_equal(clock.sleeps[1], 5, 1e-9);
    /* Time spent since the last mutation counts towards the spacing. */
    clock.clock.sleep(clock.clock.ctx, 0.25);
    hf_governor_begin(g);
    hf_governor_end(g);
    assert_int_equal(clock.nsleeps, 4);
    assert_float_equal(clock.sleeps[3], 0.75, 1e-9);
    hf_governor_free(g);
    fake_clock_destroy(&clock);
}

/* ---- the client, without a server ----------------------------------- */

static void checks_the_api_base(void **state)
{
    (void)state;
    hf_http *h = NULL;
    hf_error err;
    hf_http_options o = {.api_base = "http://github.example.com/api/v3", .token = "s3cret-token"};
    assert_int_equal(hf_http_new(&h, &o, &err), -1);
    assert_string_equal(err.msg, "forge API URL 'http://github.example.com/api/v3': refusing to "
                                 "send the token in clear text to github.example.com; use https");
    o.token = NULL; /* without a token, plain http is the caller's business */
    assert_int_equal(hf_http_new(&h, &o, &err), 0);
    hf_http_free(h);
    o.token = "s3cret-token";
    o.api_base = "https://ghe.example.com/api/v3///";
    assert_int_equal(hf_http_new(&h, &o, &err), 0);
    assert_string_equal(hf_http_base(h), "https://ghe.example.com/api/v3");
    hf_http_free(h);
    o.api_base = NULL;
    assert_int_equal(hf_http_new(&h, &o, &err), 0);
    assert_string_equal(hf_http_base(h), "https://api.github.com");
    hf_http_free(h);
    const char *bad[] = {"ftp://example.com", "https://user:pw@example.com",
                         "https://example.com/?q=1", "not a url", "file:///etc/passwd"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        o.api_base = bad[i];
        assert_int_equal(hf_http_new(&h, &o, &err), -1);
        assert_null(h);
        assert_null(strstr(err.msg, "s3cret-token"));
    }
    o.api_base = "http://127.0.0.1:1";
    o.token = "line\nbreak";
    assert_int_equal(hf_http_new(&h, &o, &err), -1);
    hf_log_clear_secrets();
}

static void unreachable_server_is_a_clear_error(void **state)
{
    (void)state;
    fake_clock clock;
    fake_clock_init(&clock, 0);
    hf_http *h = NULL;
    hf_error err;
    /* Port 1 on loopback refuses connections. */
    hf_http_options o = {.api_base = "http://127.0.0.1:1",
                         .token = "tok-abcdef",
                         .clock = &clock.clock,
                         .max_tries = 3};
    assert_int_equal(hf_http_new(&h, &o, &err), 0);
    hf_http_response r = HF_HTTP_RESPONSE_INIT;
    assert_int_equal(hf_http_request(h, "GET", "/user", NULL, &r, &err), -1);
    assert_non_null(strstr(err.msg, "GET /user: giving up after 3 tries: "));
    assert_null(strstr(err.msg, "tok-abcdef"));
    assert_int_equal(clock.nsleeps, 2);
    assert_float_equal(clock.sleeps[0], 1, 1e-9);
    assert_float_equal(clock.sleeps[1], 2, 1e-9);
    hf_http_response_free(&r);
    hf_http_free(h);
    fake_clock_destroy(&clock);
    hf_log_clear_secrets();
}

static void escapes_url_parts(void **state)
{
    (void)state;
    hf_buf b = HF_BUF_INIT;
    hf_http_escape(&b, "acme:handoff/lp x&y=1#é", false);
    assert_string_equal(b.ptr, "acme%3Ahandoff%2Flp%20x%26y%3D1%23%C3%A9");
    hf_buf_clear(&b);
    hf_http_escape(&b, "handoff/lp-2.0_~", true);
    assert_string_equal(b.ptr, "handoff/lp-2.0_~");
    hf_buf_free(&b);
}

static void parses_a_pull_request(void **state)
{
    (void)state;
    cJSON *j = cJSON_Parse("{\"number\":7,\"state\":\"closed\",\"title\":\"t\",\"body\":null,"
                           "\"draft\":false,\"merged_at\":\"2026-01-01T00:00:00Z\","
                           "\"user\":{\"login\":\"bot\"},\"head\":{\"ref\":\"h\",\"sha\":\"s\"},"
                           "\"base\":{\"ref\":\"main\"},\"html_url\":\"u\","
                           "\"labels\":[{\"name\":\"a\"},{\"name\":\"b\"}],"
                           "\"requested_reviewers\":[{\"login\":\"r\"}],"
                           "\"requested_teams\":[{\"slug\":\"t\"}]}");
    hf_gh_pr *pr = NULL;
    hf_error err;
    assert_int_equal(hf_gh_pr_parse(j, &pr, &err), 0);
    assert_int_equal(pr->number, 7);
    assert_true(pr->merged);
    assert_string_equal(pr->body, "");
    assert_string_equal(pr->head_ref, "h");
    assert_string_equal(pr->user_login, "bot");
    assert_int_equal(pr->labels.len, 2);
    assert_string_equal(pr->requested_reviewers.items[0], "r");
    assert_string_equal(pr->requested_teams.items[0], "t");
    hf_gh_pr_free(pr);
    cJSON_Delete(j);
    j = cJSON_Parse("{\"message\":\"Not Found\"}");
    assert_int_equal(hf_gh_pr_parse(j, &pr, &err), -1);
    assert_null(pr);
    cJSON_Delete(j);
    assert_int_equal(hf_gh_pr_parse(NULL, &pr, &err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(marker_round_trip),
        cmocka_unit_test(marker_replaces_the_old_one),
        cmocka_unit_test(marker_reading_is_strict),
        cmocka_unit_test(content_hash_separates_title_and_body),
        cmocka_unit_test(governor_spaces_mutations_across_threads),
        cmocka_unit_test(governor_pause_holds_reads_and_writes),
        cmocka_unit_test(checks_the_api_base),
        cmocka_unit_test(unreachable_server_is_a_clear_error),
        cmocka_unit_test(escapes_url_parts),
        cmocka_unit_test(parses_a_pull_request),
    };
    return cmocka_run_group_tests_name("forge-unit", tests, NULL, NULL);
}
