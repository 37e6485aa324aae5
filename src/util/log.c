/* stderr logging with redaction of registered secrets. */
#include "util/log.h"
#include "util/mem.h"
#include "util/vec.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

static hf_log_level log_level = HF_LOG_NORMAL;
static hf_color_mode color_mode = HF_COLOR_AUTO;
static hf_vec secrets = HF_VEC_INIT;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void hf_log_set_level(hf_log_level level)
{
    log_level = level;
}

hf_log_level hf_log_get_level(void)
{
    return log_level;
}

void hf_log_set_color(hf_color_mode mode)
{
    color_mode = mode;
}

int hf_log_color_on(FILE *stream)
{
    if (color_mode == HF_COLOR_ALWAYS)
        return 1;
    if (color_mode == HF_COLOR_NEVER)
        return 0;
    const char *no = getenv("NO_COLOR");
    if (no && *no)
        return 0;
    return isatty(fileno(stream));
}

void hf_log_add_secret(const char *secret)
{
    if (!secret || strlen(secret) < 4)
        return;
    pthread_mutex_lock(&log_lock);
    bool known = false;
    for (size_t i = 0; i < secrets.len && !known; i++)
        known = !strcmp(secrets.items[i], secret);
    if (!known)
        hf_vec_push(&secrets, hf_xstrdup(secret));
    pthread_mutex_unlock(&log_lock);
}

void hf_log_clear_secrets(void)
{
    pthread_mutex_lock(&log_lock);
    hf_vec_free(&secrets, free);
    pthread_mutex_unlock(&log_lock);
}

void hf_log_redact(hf_buf *b)
{
    pthread_mutex_lock(&log_lock);
    for (size_t i = 0; i < secrets.len; i++) {
        const char *s = secrets.items[i];
        size_t n = strlen(s);
        char *hit;
        size_t from = 0;
        while (b->len && (hit = memmem(b->ptr + from, b->len - from, s, n)) != NULL) {
            size_t at = (size_t)(hit - b->ptr);
            hf_buf out = HF_BUF_INIT;
            hf_buf_put(&out, b->ptr, at);
            hf_buf_puts(&out, "***");
            hf_buf_put(&out, hit + n, b->len - at - n);
            hf_buf_free(b);
            *b = out;
            from = at + 3;
        }
    }
    pthread_mutex_unlock(&log_lock);
}

static void emit(const char *prefix, const char *color, const char *fmt, va_list ap)
{
    hf_buf line = HF_BUF_INIT;
    hf_buf_vprintf(&line, fmt, ap);
    hf_log_redact(&line);
    int on = color && hf_log_color_on(stderr);
    pthread_mutex_lock(&log_lock);
    fprintf(stderr, "handoff: %s%s%s%s\n", on ? color : "", prefix, on ? "\033[0m" : "",
            hf_buf_cstr(&line));
    fflush(stderr);
    pthread_mutex_unlock(&log_lock);
    hf_buf_free(&line);
}

void hf_log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("error: ", "\033[1;31m", fmt, ap);
    va_end(ap);
}

void hf_log_warn(const char *fmt, ...)
{
    if (log_level < HF_LOG_NORMAL)
        return;
    va_list ap;
    va_start(ap, fmt);
    emit("warning: ", "\033[1;33m", fmt, ap);
    va_end(ap);
}

void hf_log_info(const char *fmt, ...)
{
    if (log_level < HF_LOG_NORMAL)
        return;
    va_list ap;
    va_start(ap, fmt);
    emit("", NULL, fmt, ap);
    va_end(ap);
}

void hf_log_debug(const char *fmt, ...)
{
    if (log_level < HF_LOG_VERBOSE)
        return;
    va_list ap;
    va_start(ap, fmt);
    emit("", NULL, fmt, ap);
    va_end(ap);
}
