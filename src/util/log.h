/* Diagnostics on stderr with secret redaction. The only global mutable state
 * in handoff: the verbosity, whether colour is on, and the registered secrets
 * that must never be printed. */
#ifndef HF_UTIL_LOG_H
#define HF_UTIL_LOG_H

#include <stdio.h>

#include "util/buf.h"

typedef enum { HF_LOG_QUIET = 0, HF_LOG_NORMAL = 1, HF_LOG_VERBOSE = 2 } hf_log_level;
typedef enum { HF_COLOR_AUTO, HF_COLOR_ALWAYS, HF_COLOR_NEVER } hf_color_mode;

void hf_log_set_level(hf_log_level level);
hf_log_level hf_log_get_level(void);
void hf_log_set_color(hf_color_mode mode);
/* Whether colour should be used on this stream under the current mode. */
int hf_log_color_on(FILE *stream);

/* Registers a secret (copied; once, however often it is given); every later
 * message has it replaced by "***".
 * Strings shorter than 4 bytes are ignored: redacting them would mangle
 * ordinary text. */
void hf_log_add_secret(const char *secret);
void hf_log_clear_secrets(void);
/* Replaces every registered secret in b. */
void hf_log_redact(hf_buf *b);

#if defined(__GNUC__)
#define HF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define HF_PRINTF(a, b)
#endif

/* "handoff: error: ..." always shown. */
void hf_log_error(const char *fmt, ...) HF_PRINTF(1, 2);
/* "handoff: warning: ..." shown unless quiet. */
void hf_log_warn(const char *fmt, ...) HF_PRINTF(1, 2);
/* Progress and notes, shown unless quiet. */
void hf_log_info(const char *fmt, ...) HF_PRINTF(1, 2);
/* Only with -v. */
void hf_log_debug(const char *fmt, ...) HF_PRINTF(1, 2);

#endif
