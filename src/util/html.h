/* HTML text from untrusted strings: every name, path, diff line or command
 * that reaches a page goes through hf_html_escape, so it renders as text and
 * can neither open a tag nor leave a quoted attribute. */
#ifndef HF_UTIL_HTML_H
#define HF_UTIL_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Appends s[0..len) with & < > " ' as character references and NUL bytes
 * as U+FFFD; safe in element content and in quoted attribute values. */
void hf_html_escape(hf_buf *out, const char *s, size_t len);
/* The same for a NUL-terminated string (NULL appends nothing). */
void hf_html_puts(hf_buf *out, const char *s);
/* Whether url may be an href as it is: an http or https URL with no
 * whitespace or control characters. Anything else (javascript:, data:, a
 * relative path) is shown as text instead. */
bool hf_html_url_ok(const char *url);

#endif
