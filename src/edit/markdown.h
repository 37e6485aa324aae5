/* Markdown blocks, as far as edits need them: the list item (with its
 * continuation lines), table row, fenced-code line or paragraph that holds
 * a position, so a step can drop a whole entry rather than cut a line out
 * of the middle of one. Not a Markdown parser: it reads line structure. */
#ifndef HF_EDIT_MARKDOWN_H
#define HF_EDIT_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

/* Whether the line at s (len bytes, up to its end) starts a list item. */
bool hf_md_list_item(const char *s, size_t len);

/* The block of text that holds byte pos: a table row, a line of a fenced
 * code block, a list item with its continuation lines, or (when
 * paragraphs is set) the paragraph. Sets [*start, *end) and returns true;
 * false when pos is in a heading, or in a paragraph and paragraphs is not
 * set. */
bool hf_md_block(const char *text, size_t len, size_t pos, bool paragraphs, size_t *start,
                 size_t *end);

#endif
