/* The passage of time as the forge layer sees it: a monotonic clock, the wall
 * clock (for x-ratelimit-reset) and sleeping. Injectable, so tests neither
 * sleep nor wait but can assert every wait that was asked for. */
#ifndef HF_FORGE_CLOCK_H
#define HF_FORGE_CLOCK_H

typedef struct hf_clock {
    double (*monotonic)(void *ctx); /* seconds from an arbitrary origin */
    double (*wall)(void *ctx);      /* seconds since the Unix epoch */
    void (*sleep)(void *ctx, double seconds);
    void *ctx;
} hf_clock;

/* The real clocks and nanosleep(2). Static; never freed. */
const hf_clock *hf_clock_system(void);

#endif
