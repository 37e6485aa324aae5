/* Starts and drives the fake GitHub server for the forge tests, and the
 * virtual clock that lets rate-limit waits be asserted without sleeping. */
#include "fake_forge.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/fs.h"

extern char **environ;

/* ---- the virtual clock ---------------------------------------------- */

static double fc_monotonic(void *ctx)
{
    fake_clock *c = ctx;
    pthread_mutex_lock(&c->lock);
    double now = c->now;
    pthread_mutex_unlock(&c->lock);
    return now;
}

static double fc_wall(void *ctx)
{
    fake_clock *c = ctx;
    return c->wall0 + fc_monotonic(ctx);
}

static void fc_sleep(void *ctx, double seconds)
{
    fake_clock *c = ctx;
    pthread_mutex_lock(&c->lock);
    if (c->nsleeps < sizeof(c->sleeps) / sizeof(c->sleeps[0]))
        c->sleeps[c->nsleeps++] = seconds;
    if (seconds > 0)
        c->now += seconds;
    pthread_mutex_unlock(&c->lock);
}

void fake_clock_init(fake_clock *c, double wall0)
{
    memset(c, 0, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    c->wall0 = wall0;
    c->now = 100; /* any origin: the clients must not assume 0 */
    c->clock.monotonic = fc_monotonic;
    c->clock.wall = fc_wall;
    c->clock.sleep = fc_sleep;
    c->clock.ctx = c;
}

void fake_clock_destroy(fake_clock *c)
{
    pthread_mutex_destroy(&c->lock);
}

/* ---- the server ----------------------------------------------------- */

static char *find_on_path(const char *name)
{
    const char *path = getenv("PATH");
    if (!path)
        return NULL;
    char *copy = strdup(path), *save = NULL;
    char *found = NULL;
    for (char *dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
        hf_buf full = HF_BUF_INIT;
        hf_fs_join(&full, *dir ? dir : ".", name);
        if (access(full.ptr, X_OK) == 0)
            found = hf_buf_detach(&full);
        hf_buf_free(&full);
    }
    free(copy);
    return found;
}

int fake_forge_node_available(void)
{
    char *node = find_on_path("node");
    free(node);
    return node != NULL;
}

static int start(fake_forge *f, const char *token, int page_size, const char *git_root);

int fake_forge_start(fake_forge *f, const char *token, int page_size)
{
    return start(f, token, page_size, NULL);
}

int fake_forge_start_git(fake_forge *f, const char *token, const char *git_root)
{
    return start(f, token, 100, git_root);
}

static int start(fake_forge *f, const char *token, int page_size, const char *git_root)
{
    memset(f, 0, sizeof(*f));
    f->pid = -1;
    f->stdin_fd = f->stdout_fd = -1;
    char *node = find_on_path("node");
    if (!node)
        return 1;

    const char *root = getenv("HF_SOURCE_ROOT");
    hf_buf script = HF_BUF_INIT;
    hf_fs_join(&script, root ? root : ".", "tests/fake-forge/server.mjs");
    snprintf(f->state_dir, sizeof(f->state_dir), "/tmp/hf-fake-forge-XXXXXX");
    if (!mkdtemp(f->state_dir)) {
        fprintf(stderr, "fake forge: mkdtemp: %s\n", strerror(errno));
        free(node);
        hf_buf_free(&script);
        return -1;
    }
    char page[32];
    snprintf(page, sizeof(page), "%d", page_size);
    char *argv[] = {node,
                    script.ptr,
                    "--port",
                    "0",
                    "--state-dir",
                    f->state_dir,
                    "--token",
                    (char *)token,
                    "--page-size",
                    page,
                    "--exit-with-stdin",
                    git_root ? "--git-root" : NULL,
                    (char *)git_root,
                    NULL};

    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
        fprintf(stderr, "fake forge: pipe: %s\n", strerror(errno));
        free(node);
        hf_buf_free(&script);
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    int rc = posix_spawn(&f->pid, node, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    f->stdin_fd = in[1];
    f->stdout_fd = out[0];
    free(node);
    hf_buf_free(&script);
    if (rc != 0) {
        fprintf(stderr, "fake forge: posix_spawn: %s\n", strerror(rc));
        f->pid = -1;
        fake_forge_stop(f);
        return -1;
    }

    char line[128];
    size_t len = 0;
    while (len < sizeof(line) - 1) {
        struct pollfd p = {f->stdout_fd, POLLIN, 0};
        if (poll(&p, 1, 15000) <= 0)
            break;
        ssize_t n = read(f->stdout_fd, line + len, 1);
        if (n <= 0)
            break;
        if (line[len++] == '\n')
            break;
    }
    line[len] = '\0';
    if (sscanf(line, "listening %d", &f->port) != 1 || f->port <= 0) {
        fprintf(stderr, "fake forge: did not start (it said '%s')\n", line);
        fake_forge_stop(f);
        return -1;
    }
    snprintf(f->base, sizeof(f->base), "http://127.0.0.1:%d", f->port);
    return 0;
}

static void remove_tree(const char *dir)
{
    const char *names[] = {"state.json", "requests.jsonl", "port", "installation-tokens"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        hf_buf p = HF_BUF_INIT;
        hf_fs_join(&p, dir, names[i]);
        unlink(p.ptr);
        hf_buf_free(&p);
    }
    rmdir(dir);
}

void fake_forge_stop(fake_forge *f)
{
    if (f->stdin_fd >= 0)
        close(f->stdin_fd); /* the server exits when its stdin closes */
    if (f->pid > 0) {
        kill(f->pid, SIGTERM);
        while (waitpid(f->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    if (f->stdout_fd >= 0)
        close(f->stdout_fd);
    if (f->state_dir[0])
        remove_tree(f->state_dir);
    f->pid = -1;
    f->stdin_fd = f->stdout_fd = -1;
}

/* ---- requests without handoff's client ------------------------------ */

static size_t collect(char *data, size_t size, size_t n, void *ctx)
{
    hf_buf_put(ctx, data, size * n);
    return size * n;
}

long fake_forge_raw(const fake_forge *f, const char *method, const char *path, const char *body,
                    const char *const *headers, hf_buf *out)
{
    CURL *c = curl_easy_init();
    hf_buf url = HF_BUF_INIT;
    hf_buf_printf(&url, "%s%s", f->base, path);
    struct curl_slist *list = NULL;
    for (size_t i = 0; headers && headers[i]; i++)
        list = curl_slist_append(list, headers[i]);
    if (body)
        list = curl_slist_append(list, "Content-Type: application/json");
    hf_buf_clear(out);
    curl_easy_setopt(c, CURLOPT_URL, url.ptr);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    hf_buf_free(&url);
    return status;
}

void fake_forge_control(const fake_forge *f, const char *what, const char *json)
{
    hf_buf path = HF_BUF_INIT, out = HF_BUF_INIT;
    hf_buf_printf(&path, "/_control/%s", what);
    long status = fake_forge_raw(f, "POST", path.ptr, json ? json : "{}", NULL, &out);
    if (status != 200)
        fail_msg("control %s: %ld %s", what, status, hf_buf_cstr(&out));
    hf_buf_free(&path);
    hf_buf_free(&out);
}

void fake_forge_log_text(const fake_forge *f, hf_buf *out)
{
    long status = fake_forge_raw(f, "GET", "/_control/log", NULL, NULL, out);
    assert_int_equal(status, 200);
}

const char *fake_forge_str(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

void fake_forge_log_lines(const fake_forge *f, bool credential, hf_buf *out)
{
    cJSON *log = fake_forge_log(f);
    const cJSON *e;
    hf_buf_clear(out);
    cJSON_ArrayForEach(e, log)
    {
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(e, "status");
        hf_buf_printf(out, "%s %s %d", fake_forge_str(e, "method"), fake_forge_str(e, "path"),
                      cJSON_IsNumber(st) ? (int)st->valuedouble : 0);
        if (credential)
            hf_buf_printf(out, " %s", fake_forge_str(e, "credential"));
        hf_buf_putc(out, '\n');
    }
    cJSON_Delete(log);
}

void fake_forge_assert_log(const fake_forge *f, bool credential, const char *want)
{
    hf_buf got = HF_BUF_INIT;
    fake_forge_log_lines(f, credential, &got);
    if (strcmp(hf_buf_cstr(&got), want) != 0)
        fail_msg("request log:\n%s\nwanted:\n%s", hf_buf_cstr(&got), want);
    hf_buf_free(&got);
}

void fake_forge_clear_log(const fake_forge *f)
{
    hf_buf out = HF_BUF_INIT;
    assert_int_equal(fake_forge_raw(f, "DELETE", "/_control/log", NULL, NULL, &out), 200);
    hf_buf_free(&out);
}

cJSON *fake_forge_log(const fake_forge *f)
{
    hf_buf out = HF_BUF_INIT;
    fake_forge_log_text(f, &out);
    cJSON *j = cJSON_Parse(out.ptr);
    hf_buf_free(&out);
    assert_non_null(j);
    cJSON *requests = cJSON_DetachItemFromObject(j, "requests");
    cJSON_Delete(j);
    assert_true(cJSON_IsArray(requests));
    return requests;
}

cJSON *fake_forge_state(const fake_forge *f)
{
    hf_buf out = HF_BUF_INIT;
    long status = fake_forge_raw(f, "GET", "/_control/state", NULL, NULL, &out);
    assert_int_equal(status, 200);
    cJSON *j = cJSON_Parse(out.ptr);
    hf_buf_free(&out);
    assert_non_null(j);
    return j;
}
