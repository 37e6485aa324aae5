/* Markdown blocks by line structure (see markdown.h). */
#include "edit/markdown.h"

#include <string.h>

static size_t indent_of(const char *line, size_t len)
{
    size_t i = 0;
    while (i < len && line[i] == ' ')
        i++;
    return i;
}

static bool blank_line(const char *line, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r' && line[i] != '\n')
            return false;
    return true;
}

bool hf_md_list_item(const char *line, size_t len)
{
    size_t i = indent_of(line, len);
    if (i < len && strchr("-*+", line[i]) && line[i])
        return i + 1 < len && line[i + 1] == ' ';
    size_t d = i;
    while (i < len && line[i] >= '0' && line[i] <= '9')
        i++;
    return i > d && i - d <= 9 && i + 1 < len && (line[i] == '.' || line[i] == ')') &&
           line[i + 1] == ' ';
}

static size_t line_start(const char *text, size_t pos)
{
    while (pos > 0 && text[pos - 1] != '\n')
        pos--;
    return pos;
}

static size_t next_line(const char *text, size_t len, size_t start)
{
    const char *lf = memchr(text + start, '\n', len - start);
    return lf ? (size_t)(lf - text) + 1 : len;
}

/* The line before the one starting at `start`, or (size_t)-1. */
static size_t prev_line(const char *text, size_t start)
{
    return start == 0 ? (size_t)-1 : line_start(text, start - 1);
}

static bool fence_line(const char *line, size_t len)
{
    size_t k = indent_of(line, len);
    return len >= k + 3 && (!strncmp(line + k, "```", 3) || !strncmp(line + k, "~~~", 3));
}

/* Whether the line starting at s lies inside a fenced code block. */
static bool in_fence(const char *text, size_t s)
{
    bool open = false;
    for (size_t i = 0; i < s;) {
        size_t e = next_line(text, s, i);
        if (fence_line(text + i, e - i))
            open = !open;
        i = e;
    }
    return open;
}

static bool heading(const char *line, size_t len)
{
    size_t k = indent_of(line, len);
    return k < len && line[k] == '#';
}

bool hf_md_block(const char *text, size_t len, size_t pos, bool paragraphs, size_t *bs, size_t *be)
{
    size_t ls = line_start(text, pos), le = next_line(text, len, ls);
    size_t k = indent_of(text + ls, le - ls);
    if ((k < le - ls && text[ls + k] == '|') || in_fence(text, ls)) {
        *bs = ls;
        *be = le;
        return true;
    }
    if (heading(text + ls, le - ls) || fence_line(text + ls, le - ls))
        return false;
    /* the list item this line starts, or continues (a deeper line under it) */
    size_t start = ls;
    bool item = true;
    while (!hf_md_list_item(text + start, next_line(text, len, start) - start)) {
        size_t here = indent_of(text + start, len - start);
        size_t p = prev_line(text, start);
        if (here == 0 || p == (size_t)-1 || blank_line(text + p, next_line(text, len, p) - p)) {
            item = false;
            break;
        }
        start = p;
    }
    if (item) {
        size_t item_indent = indent_of(text + start, len - start);
        if (start != ls && indent_of(text + ls, le - ls) <= item_indent)
            item = false;
        else {
            size_t end = next_line(text, len, start);
            while (end < len) {
                size_t ne = next_line(text, len, end);
                if (blank_line(text + end, ne - end) ||
                    indent_of(text + end, ne - end) <= item_indent)
                    break;
                end = ne;
            }
            *bs = start;
            *be = end;
            return true;
        }
    }
    if (!paragraphs)
        return false;
    /* the paragraph: the run of non-blank lines around pos that are not
     * list items, headings, fences or table rows */
    start = ls;
    for (size_t p = prev_line(text, start); p != (size_t)-1; p = prev_line(text, p)) {
        size_t pe = next_line(text, len, p);
        const char *l = text + p;
        size_t n = pe - p;
        if (blank_line(l, n) || hf_md_list_item(l, n) || heading(l, n) || fence_line(l, n) ||
            l[indent_of(l, n)] == '|')
            break;
        start = p;
    }
    size_t end = le;
    while (end < len) {
        size_t ne = next_line(text, len, end);
        const char *l = text + end;
        size_t n = ne - end;
        if (blank_line(l, n) || hf_md_list_item(l, n) || heading(l, n) || fence_line(l, n) ||
            l[indent_of(l, n)] == '|')
            break;
        end = ne;
    }
    /* a paragraph goes with the blank line that separated it from the next */
    if (end < len &&
        (start == 0 || blank_line(text + prev_line(text, start), start - prev_line(text, start)))) {
        size_t ne = next_line(text, len, end);
        if (blank_line(text + end, ne - end))
            end = ne;
    }
    *bs = start;
    *be = end;
    return true;
}
