/* Escaping for HTML pages built from repo and configuration text. */
#include "util/html.h"

#include <string.h>
#include <strings.h>

void hf_html_escape(hf_buf *out, const char *s, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        const char *ref;
        switch (s[i]) {
        case '&':
            ref = "&amp;";
            break;
        case '<':
            ref = "&lt;";
            break;
        case '>':
            ref = "&gt;";
            break;
        case '"':
            ref = "&quot;";
            break;
        case '\'':
            ref = "&#39;";
            break;
        case '\0':
            ref = "\xEF\xBF\xBD";
            break;
        default:
            continue;
        }
        hf_buf_put(out, s + start, i - start);
        hf_buf_puts(out, ref);
        start = i + 1;
    }
    hf_buf_put(out, s + start, len - start);
}

void hf_html_puts(hf_buf *out, const char *s)
{
    if (s)
        hf_html_escape(out, s, strlen(s));
}

bool hf_html_url_ok(const char *url)
{
    if (!url || (strncasecmp(url, "https://", 8) && strncasecmp(url, "http://", 7)))
        return false;
    for (const unsigned char *c = (const unsigned char *)url; *c; c++)
        if (*c <= ' ' || *c == 0x7f)
            return false;
    return true;
}
