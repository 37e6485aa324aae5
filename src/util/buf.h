/* hf_buf: the one growable byte string used by every module. Always
 * NUL-terminated after any operation, may also hold binary data (len counts). */
#ifndef HF_UTIL_BUF_H
#define HF_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct hf_buf {
    char *ptr;
    size_t len;
    size_t cap;
} hf_buf;

#define HF_BUF_INIT {NULL, 0, 0}

void hf_buf_grow(hf_buf *b, size_t extra);
void hf_buf_put(hf_buf *b, const void *data, size_t len);
void hf_buf_puts(hf_buf *b, const char *s);
void hf_buf_putc(hf_buf *b, char c);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void hf_buf_printf(hf_buf *b, const char *fmt, ...);
void hf_buf_vprintf(hf_buf *b, const char *fmt, va_list ap);
void hf_buf_truncate(hf_buf *b, size_t len);
void hf_buf_clear(hf_buf *b);
/* A NUL-terminated string, never NULL (an empty buffer gives ""). */
const char *hf_buf_cstr(const hf_buf *b);
/* Hands the allocation to the caller (who frees it) and resets b. */
char *hf_buf_detach(hf_buf *b);
void hf_buf_free(hf_buf *b);

#endif
