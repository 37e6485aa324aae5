/* Allocation that never returns NULL: handoff is a batch tool, and running out
 * of memory mid-run is reported once and ends the process rather than being
 * threaded through every caller. */
#ifndef HF_UTIL_MEM_H
#define HF_UTIL_MEM_H

#include <stddef.h>

void *hf_xmalloc(size_t n);
void *hf_xcalloc(size_t count, size_t size);
void *hf_xrealloc(void *p, size_t n);
char *hf_xstrdup(const char *s);
char *hf_xstrndup(const char *s, size_t n);
/* Zeroes a secret (a token, a header carrying one) before freeing it;
 * NULL is ignored. */
void hf_free_secret(char *s);

#endif
