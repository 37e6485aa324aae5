/* A unified diff, as hf_diff_text writes it, read back into files, hunks
 * and side-by-side rows: a run of removed lines and the run of added lines
 * after it are paired row by row, what is left over stands alone. The page
 * of a plan (plan_html) shows these rows; the line texts point into the
 * diff, which must outlive the view. */
#ifndef HF_BATCH_DIFF_VIEW_H
#define HF_BATCH_DIFF_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "util/vec.h"

/* One side of a row. */
typedef struct hf_diff_side {
    const char *text; /* into the diff, without the +/-/space; NULL: no line here */
    size_t len;       /* up to the newline (a CR of a CRLF line is kept) */
    size_t line;      /* 1-based line number in the old or new file */
    bool no_eol;      /* the file ends here without a newline */
} hf_diff_side;

typedef enum {
    HF_ROW_CONTEXT, /* the same line on both sides */
    HF_ROW_CHANGED, /* a removed line beside the added line that replaces it */
    HF_ROW_REMOVED, /* old side only */
    HF_ROW_ADDED    /* new side only */
} hf_row_kind;

typedef struct hf_diff_row {
    hf_row_kind kind;
    hf_diff_side old, new;
} hf_diff_row;

typedef struct hf_diff_hunk {
    const char *header; /* "@@ -28,47 +28,12 @@ concurrency:", into the diff */
    size_t header_len;
    hf_vec rows; /* hf_diff_row * */
} hf_diff_hunk;

typedef struct hf_diff_file {
    char *old_path; /* NULL: the file is added */
    char *new_path; /* NULL: the file is deleted */
    hf_vec meta;    /* char *: git's extended header lines ("new file mode
                       100644", "similarity index 95%", "Binary files ... differ") */
    bool binary;
    hf_vec hunks; /* hf_diff_hunk * */
} hf_diff_file;

/* Appends one hf_diff_file * per file of diff, in its order; free them with
 * hf_vec_free(files, hf_diff_file_free). Lines that fit nowhere are skipped. */
void hf_diff_view_parse(hf_vec *files, const char *diff);
void hf_diff_file_free(void *file);
/* The path a reader knows the file by: the new one, or the old one of a
 * deleted file. */
const char *hf_diff_file_path(const hf_diff_file *f);

#endif
