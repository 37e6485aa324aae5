/* Input splitting and the scratch directory of the fuzz targets. */
#include "fuzz_common.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

size_t hf_fuzz_split(const uint8_t *data, size_t size, hf_fuzz_part *parts, size_t max)
{
    static const char sep[] = "\n%%%%\n";
    const size_t seplen = sizeof(sep) - 1;
    const char *p = (const char *)data, *end = p + size;
    size_t n = 0;
    while (n + 1 < max) {
        const char *hit = NULL;
        for (const char *q = p; q + seplen <= end; q++)
            if (*q == '\n' && memcmp(q, sep, seplen) == 0) {
                hit = q;
                break;
            }
        if (!hit)
            break;
        parts[n].ptr = p;
        parts[n].len = (size_t)(hit - p) + 1; /* keep the line's own '\n' */
        n++;
        p = hit + seplen;
    }
    parts[n].ptr = p;
    parts[n].len = (size_t)(end - p);
    return n + 1;
}

static char scratch[64];

static void scratch_remove(void)
{
    DIR *d = opendir(scratch);
    struct dirent *de;
    char path[512];
    while (d && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", scratch, de->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(scratch);
}

const char *hf_fuzz_dir(void)
{
    if (!scratch[0]) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(scratch, sizeof(scratch), "%s/hf-fuzz-XXXXXX", base);
        if (!mkdtemp(scratch))
            abort();
        atexit(scratch_remove);
    }
    return scratch;
}

void hf_fuzz_put(const char *name, const hf_fuzz_part *part)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", hf_fuzz_dir(), name);
    if (!part) {
        unlink(path);
        return;
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (part->len && fwrite(part->ptr, 1, part->len, f) != part->len)
        abort();
    fclose(f);
}
