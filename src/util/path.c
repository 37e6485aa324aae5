/* Repository-relative path normalisation. */
#include "util/path.h"

#include <string.h>

int hf_path_normalize(hf_buf *out, const char *path, hf_error *err)
{
    hf_buf_clear(out);
    if (!path || !*path)
        return hf_error_set(err, "empty path");
    if (path[0] == '/')
        return hf_error_set(err, "path '%s' is absolute; paths must be relative to the repository",
                            path);
    for (const char *c = path; *c; c++) {
        if (*c == '\\')
            return hf_error_set(err, "path '%s' contains a backslash", path);
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return hf_error_set(err, "path '%s' contains a control character", path);
    }
    const char *p = path;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return hf_error_set(err, "path '%s' climbs out of the repository with '..'", path);
        if (n > 0 && !(n == 1 && p[0] == '.')) {
            if (out->len)
                hf_buf_putc(out, '/');
            hf_buf_put(out, p, n);
        }
        p += n;
        if (*p == '/')
            p++;
    }
    if (!out->len)
        return hf_error_set(err, "path '%s' names the repository root", path);
    return 0;
}

const char *hf_path_basename(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int hf_path_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    if (n == 0)
        return 1;
    if (strncmp(path, dir, n) != 0)
        return 0;
    return path[n] == '\0' || path[n] == '/';
}
