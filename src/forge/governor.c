/* Serialises mutating requests across threads with a minimum spacing, and
 * shares rate-limit pauses between workers. */
#include "forge/governor.h"
#include "util/mem.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct hf_governor {
    const hf_clock *clock;
    double interval;
    pthread_mutex_t turn; /* held from begin to end: one mutation at a time */
    pthread_mutex_t lock; /* guards the fields below */
    bool any_done;
    double last_end;
    double paused_until;
};

hf_governor *hf_governor_new(const hf_clock *clock, double interval)
{
    hf_governor *g = hf_xcalloc(1, sizeof(*g));
    g->clock = clock ? clock : hf_clock_system();
    g->interval = interval > 0 ? interval : 0;
    g->paused_until = -HUGE_VAL;
    pthread_mutex_init(&g->turn, NULL);
    pthread_mutex_init(&g->lock, NULL);
    return g;
}

void hf_governor_free(hf_governor *g)
{
    if (!g)
        return;
    pthread_mutex_destroy(&g->turn);
    pthread_mutex_destroy(&g->lock);
    free(g);
}

/* Sleeps until the earliest allowed start: past any pause and, for a
 * mutation, `interval` after the previous one ended. */
static void wait_until_ready(hf_governor *g, bool mutation)
{
    for (;;) {
        pthread_mutex_lock(&g->lock);
        double start = g->paused_until;
        if (mutation && g->any_done && g->last_end + g->interval > start)
            start = g->last_end + g->interval;
        pthread_mutex_unlock(&g->lock);
        double now = g->clock->monotonic(g->clock->ctx);
        if (now >= start)
            return;
        g->clock->sleep(g->clock->ctx, start - now);
    }
}

void hf_governor_begin(hf_governor *g)
{
    pthread_mutex_lock(&g->turn);
    wait_until_ready(g, true);
}

void hf_governor_end(hf_governor *g)
{
    pthread_mutex_lock(&g->lock);
    g->any_done = true;
    g->last_end = g->clock->monotonic(g->clock->ctx);
    pthread_mutex_unlock(&g->lock);
    pthread_mutex_unlock(&g->turn);
}

void hf_governor_wait_pause(hf_governor *g)
{
    wait_until_ready(g, false);
}

void hf_governor_pause_until(hf_governor *g, double until)
{
    pthread_mutex_lock(&g->lock);
    if (until > g->paused_until)
        g->paused_until = until;
    pthread_mutex_unlock(&g->lock);
}
