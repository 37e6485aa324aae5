/* Live and plain progress reporting for the worker pool. */
#include "batch/progress.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct worker_line {
    char repo[128];
    char stage[32];
} worker_line;

struct hf_progress {
    size_t total, done;
    int workers;
    bool tty, quiet;
    int drawn; /* lines of the live block on screen */
    struct timespec start, last_draw;
    worker_line *lines;
    pthread_mutex_t lock;
};

static double seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

hf_progress *hf_progress_new(size_t total, int workers, bool tty, bool quiet)
{
    hf_progress *p = hf_xcalloc(1, sizeof(*p));
    p->total = total;
    p->workers = workers > 0 ? workers : 1;
    p->tty = tty;
    p->quiet = quiet;
    p->lines = hf_xcalloc((size_t)p->workers, sizeof(worker_line));
    clock_gettime(CLOCK_MONOTONIC, &p->start);
    pthread_mutex_init(&p->lock, NULL);
    return p;
}

static void erase(hf_progress *p)
{
    for (int i = 0; i < p->drawn; i++)
        fputs("\033[1A\033[2K", stderr);
    p->drawn = 0;
}

static void draw(hf_progress *p, bool force)
{
    if (!force && seconds_since(&p->last_draw) < 0.1)
        return;
    clock_gettime(CLOCK_MONOTONIC, &p->last_draw);
    erase(p);
    int secs = (int)seconds_since(&p->start);
    fprintf(stderr, "handoff: [%zu/%zu] %02d:%02d\n", p->done, p->total, secs / 60, secs % 60);
    p->drawn = 1;
    for (int i = 0; i < p->workers; i++) {
        if (!p->lines[i].repo[0])
            continue;
        fprintf(stderr, "  %-40.40s %s\n", p->lines[i].repo, p->lines[i].stage);
        p->drawn++;
    }
    fflush(stderr);
}

void hf_progress_stage(hf_progress *p, int worker, const char *repo, const char *stage)
{
    if (p->quiet || !p->tty || worker < 0 || worker >= p->workers)
        return;
    pthread_mutex_lock(&p->lock);
    snprintf(p->lines[worker].repo, sizeof(p->lines[worker].repo), "%s", repo);
    snprintf(p->lines[worker].stage, sizeof(p->lines[worker].stage), "%s", stage);
    draw(p, false);
    pthread_mutex_unlock(&p->lock);
}

void hf_progress_done(hf_progress *p, int worker, const char *repo, const char *outcome)
{
    if (p->quiet)
        return;
    pthread_mutex_lock(&p->lock);
    p->done++;
    if (p->tty) {
        if (worker >= 0 && worker < p->workers)
            p->lines[worker].repo[0] = '\0';
        erase(p);
        fprintf(stderr, "handoff: [%zu/%zu] %s: %s\n", p->done, p->total, repo, outcome);
        draw(p, true);
    } else {
        fprintf(stderr, "handoff: [%zu/%zu] %s: %s (%.1fs)\n", p->done, p->total, repo, outcome,
                seconds_since(&p->start));
    }
    fflush(stderr);
    pthread_mutex_unlock(&p->lock);
}

void hf_progress_free(hf_progress *p)
{
    if (!p)
        return;
    if (p->tty && !p->quiet) {
        erase(p);
        fflush(stderr);
    }
    pthread_mutex_destroy(&p->lock);
    free(p->lines);
    free(p);
}
