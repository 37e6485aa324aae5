/* Test harness for the forge layer: a virtual clock that records every wait
 * asked of it, and the fake GitHub server (tests/fake-forge/server.mjs)
 * started with posix_spawn on a free loopback port. */
#ifndef HF_TEST_FAKE_FORGE_H
#define HF_TEST_FAKE_FORGE_H

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "forge/clock.h"
#include "util/buf.h"

/* Time moves only when someone sleeps; wall = wall0 + monotonic. */
typedef struct fake_clock {
    hf_clock clock;
    pthread_mutex_t lock;
    double now;
    double wall0;
    double sleeps[256];
    size_t nsleeps;
} fake_clock;

void fake_clock_init(fake_clock *c, double wall0);
void fake_clock_destroy(fake_clock *c);

typedef struct fake_forge {
    pid_t pid;
    int stdin_fd;
    int stdout_fd;
    int port;
    char base[64];
    char state_dir[256];
} fake_forge;

/* Whether `node` is on PATH. */
int fake_forge_node_available(void);

/* 0 started, 1 node is not on PATH (the caller skips), -1 failed (message on
 * stderr). */
int fake_forge_start(fake_forge *f, const char *token, int page_size);
/* The same, serving the bare repos DIR/<name>.git as repositories owner/name
 * (git refs and GraphQL commits act on them). */
int fake_forge_start_git(fake_forge *f, const char *token, const char *git_root);
void fake_forge_stop(fake_forge *f);

/* Sends a control or API request without handoff's client; returns the HTTP
 * status (0 on a transport error). headers: NULL-terminated extra headers. */
long fake_forge_raw(const fake_forge *f, const char *method, const char *path, const char *body,
                    const char *const *headers, hf_buf *out);
/* POST /_control/<what> with a JSON body; asserts a 200. */
void fake_forge_control(const fake_forge *f, const char *what, const char *json);
/* The requests the server received, oldest first: a cJSON array to delete. */
cJSON *fake_forge_log(const fake_forge *f);
/* The raw text of GET /_control/log, for searching. */
void fake_forge_log_text(const fake_forge *f, hf_buf *out);
/* The string member name of obj, or "" without one. */
const char *fake_forge_str(const cJSON *obj, const char *name);
/* The requests logged since the last clear, one "METHOD path status" line
 * each (with credential, the credential the server saw appended). */
void fake_forge_log_lines(const fake_forge *f, bool credential, hf_buf *out);
/* Fails the test unless fake_forge_log_lines gives want. */
void fake_forge_assert_log(const fake_forge *f, bool credential, const char *want);
/* Empties the request log. */
void fake_forge_clear_log(const fake_forge *f);
/* GET /_control/state as cJSON (delete it). */
cJSON *fake_forge_state(const fake_forge *f);

#endif
