/* Progress of a fleet run on stderr. On a terminal: a live block with the
 * repo counter, the elapsed time and what each worker is doing, redrawn in
 * place. Otherwise: one plain line per finished repo. Quiet: nothing. */
#ifndef HF_BATCH_PROGRESS_H
#define HF_BATCH_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct hf_progress hf_progress;

hf_progress *hf_progress_new(size_t total, int workers, bool tty, bool quiet);
/* Worker w starts or moves on: stage is "fetch", "recipes", "contract", ... */
void hf_progress_stage(hf_progress *p, int worker, const char *repo, const char *stage);
/* A repo is finished with an outcome ("changes", "blocked", ...). */
void hf_progress_done(hf_progress *p, int worker, const char *repo, const char *outcome);
/* Clears the live block. */
void hf_progress_free(hf_progress *p);

#endif
