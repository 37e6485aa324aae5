/* The mutation governor: one per run, shared by every worker's HTTP client.
 * GitHub asks integrators to send mutating requests (POST, PATCH, PUT, DELETE)
 * one at a time and at least a second apart, and to hold every request while a
 * rate limit is being waited out; the governor enforces both across threads. */
#ifndef HF_FORGE_GOVERNOR_H
#define HF_FORGE_GOVERNOR_H

#include "forge/clock.h"

/* The spacing GitHub documents for mutations, in seconds. */
#define HF_GOVERNOR_INTERVAL 1.0

typedef struct hf_governor hf_governor;

/* clock NULL means the system clock; the clock must outlive the governor.
 * interval is the minimum time between the end of one mutation and the start
 * of the next. Free with hf_governor_free. */
hf_governor *hf_governor_new(const hf_clock *clock, double interval);
void hf_governor_free(hf_governor *g);

/* Blocks until this thread may send a mutating request: no other mutation in
 * flight, `interval` passed since the last one ended, and no pause pending.
 * Every hf_governor_begin is paired with one hf_governor_end. */
void hf_governor_begin(hf_governor *g);
void hf_governor_end(hf_governor *g);

/* For requests that are not mutations: waits out a pending pause only. */
void hf_governor_wait_pause(hf_governor *g);

/* Holds every request through this governor until `until` (on the clock's
 * monotonic scale): a rate limit seen by one worker applies to all. */
void hf_governor_pause_until(hf_governor *g, double until);

#endif
