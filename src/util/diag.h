/* Diagnostics about input files: each names file:line:col (1-based) and says
 * what is wrong. A list collects every problem found, not just the first. */
#ifndef HF_UTIL_DIAG_H
#define HF_UTIL_DIAG_H

#include <stdarg.h>
#include <stdio.h>

#include "util/vec.h"

typedef enum { HF_DIAG_ERROR, HF_DIAG_WARNING } hf_diag_level;

typedef struct hf_diag {
    hf_diag_level level;
    char *file;
    int line;
    int col;
    char *msg;
} hf_diag;

typedef struct hf_diags {
    hf_vec items; /* hf_diag * */
    size_t errors;
    size_t warnings;
} hf_diags;

#define HF_DIAGS_INIT                                                                              \
    {                                                                                              \
        HF_VEC_INIT, 0, 0                                                                          \
    }

#if defined(__GNUC__)
__attribute__((format(printf, 6, 7)))
#endif
void hf_diags_add(hf_diags *d, hf_diag_level level, const char *file, int line, int col,
                  const char *fmt, ...);
void hf_diags_addv(hf_diags *d, hf_diag_level level, const char *file, int line, int col,
                   const char *fmt, va_list ap);
/* Orders by file, line, column (stable for equal positions). */
void hf_diags_sort(hf_diags *d);
/* "file:line:col: message" (or "file: message" when line is 0), one per line. */
void hf_diags_print(const hf_diags *d, FILE *out);
void hf_diags_free(hf_diags *d);

#endif
