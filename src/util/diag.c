/* Diagnostic lists. */
#include "util/diag.h"
#include "util/buf.h"
#include "util/mem.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void hf_diags_addv(hf_diags *d, hf_diag_level level, const char *file, int line, int col,
                   const char *fmt, va_list ap)
{
    hf_diag *g = hf_xcalloc(1, sizeof(*g));
    hf_buf msg = HF_BUF_INIT;
    hf_buf_vprintf(&msg, fmt, ap);
    g->level = level;
    g->file = hf_xstrdup(file ? file : "");
    g->line = line;
    g->col = col;
    g->msg = hf_buf_detach(&msg);
    g->level == HF_DIAG_ERROR ? d->errors++ : d->warnings++;
    hf_vec_push(&d->items, g);
}

void hf_diags_add(hf_diags *d, hf_diag_level level, const char *file, int line, int col,
                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hf_diags_addv(d, level, file, line, col, fmt, ap);
    va_end(ap);
}

static int diag_cmp(const void *a, const void *b)
{
    const hf_diag *x = *(const hf_diag *const *)a;
    const hf_diag *y = *(const hf_diag *const *)b;
    int c = strcmp(x->file, y->file);
    if (c)
        return c;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x < y ? -1 : (x > y);
}

void hf_diags_sort(hf_diags *d)
{
    hf_vec_sort(&d->items, diag_cmp);
}

void hf_diags_print(const hf_diags *d, FILE *out)
{
    for (size_t i = 0; i < d->items.len; i++) {
        const hf_diag *g = d->items.items[i];
        const char *lvl = g->level == HF_DIAG_WARNING ? "warning: " : "";
        if (g->line > 0)
            fprintf(out, "%s:%d:%d: %s%s\n", g->file, g->line, g->col, lvl, g->msg);
        else
            fprintf(out, "%s: %s%s\n", g->file, lvl, g->msg);
    }
}

static void diag_free(void *p)
{
    hf_diag *g = p;
    free(g->file);
    free(g->msg);
    free(g);
}

void hf_diags_free(hf_diags *d)
{
    hf_vec_free(&d->items, diag_free);
    d->errors = d->warnings = 0;
}
