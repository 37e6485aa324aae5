/* hf_error: the message slot every fallible function fills before it returns
 * a negative status (libgit2's convention, passed explicitly instead of held
 * in a thread-local). A fixed buffer, so nothing needs freeing. */
#ifndef HF_UTIL_ERROR_H
#define HF_UTIL_ERROR_H

typedef struct hf_error {
    char msg[2048];
} hf_error;

/* Sets the message and returns -1, so callers can `return hf_error_set(...)`. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int hf_error_set(hf_error *err, const char *fmt, ...);

/* Prepends "prefix: " to the message already set; returns -1. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int hf_error_wrap(hf_error *err, const char *fmt, ...);

#endif
