/* Allocation wrappers that end the process with a message when memory runs
 * out. */
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(size_t n)
{
    fprintf(stderr, "handoff: out of memory (wanted %zu bytes)\n", n);
    abort();
}

void *hf_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

void *hf_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory(count * size);
    return p;
}

void *hf_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory(n);
    return q;
}

char *hf_xstrdup(const char *s)
{
    return hf_xstrndup(s, strlen(s));
}

char *hf_xstrndup(const char *s, size_t n)
{
    char *p = hf_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void hf_free_secret(char *s)
{
    if (!s)
        return;
    memset(s, 0, strlen(s));
    free(s);
}
