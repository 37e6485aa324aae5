/* The system clock behind hf_clock: CLOCK_MONOTONIC, CLOCK_REALTIME and
 * nanosleep(2), resumed after signals. */
#include "forge/clock.h"

#include <errno.h>
#include <time.h>

static double read_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double system_monotonic(void *ctx)
{
    (void)ctx;
    return read_clock(CLOCK_MONOTONIC);
}

static double system_wall(void *ctx)
{
    (void)ctx;
    return read_clock(CLOCK_REALTIME);
}

static void system_sleep(void *ctx, double seconds)
{
    (void)ctx;
    if (!(seconds > 0))
        return;
    struct timespec ts;
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static const hf_clock system_clock = {system_monotonic, system_wall, system_sleep, NULL};

const hf_clock *hf_clock_system(void)
{
    return &system_clock;
}
