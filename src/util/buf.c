/* Growable byte strings. */
#include "util/buf.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hf_buf_grow(hf_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->ptr = hf_xrealloc(b->ptr, cap);
    b->cap = cap;
}

void hf_buf_put(hf_buf *b, const void *data, size_t len)
{
    hf_buf_grow(b, len);
    if (len)
        memcpy(b->ptr + b->len, data, len);
    b->len += len;
    b->ptr[b->len] = '\0';
}

void hf_buf_puts(hf_buf *b, const char *s)
{
    hf_buf_put(b, s, strlen(s));
}

void hf_buf_putc(hf_buf *b, char c)
{
    hf_buf_put(b, &c, 1);
}

void hf_buf_vprintf(hf_buf *b, const char *fmt, va_list ap)
{
    /* format into the spare room first; grow and redo only when it did not
     * fit */
    hf_buf_grow(b, 64);
    va_list copy;
    va_copy(copy, ap);
    size_t room = b->cap - b->len;
    int n = vsnprintf(b->ptr + b->len, room, fmt, copy);
    va_end(copy);
    if (n < 0) {
        b->ptr[b->len] = '\0';
        return;
    }
    if ((size_t)n >= room) {
        hf_buf_grow(b, (size_t)n);
        vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    }
    b->len += (size_t)n;
}

void hf_buf_printf(hf_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hf_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void hf_buf_truncate(hf_buf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->ptr[len] = '\0';
    }
}

void hf_buf_clear(hf_buf *b)
{
    hf_buf_truncate(b, 0);
}

const char *hf_buf_cstr(const hf_buf *b)
{
    return b->ptr ? b->ptr : "";
}

char *hf_buf_detach(hf_buf *b)
{
    char *p = b->ptr ? b->ptr : hf_xstrdup("");
    b->ptr = NULL;
    b->len = b->cap = 0;
    return p;
}

void hf_buf_free(hf_buf *b)
{
    free(b->ptr);
    b->ptr = NULL;
    b->len = b->cap = 0;
}
