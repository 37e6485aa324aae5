/* Bounded file reads and atomic writes. */
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int hf_fs_read(hf_buf *out, const char *path, size_t max, int nofollow, hf_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
    if (fd < 0) {
        if (errno == ELOOP)
            return hf_error_set(err, "%s: is a symbolic link; refusing to follow it", path);
        return hf_error_set(err, "%s: %s", path, strerror(errno));
    }
    int rc = -1;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        hf_error_set(err, "%s: %s", path, strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        hf_error_set(err, "%s: not a regular file", path);
        goto done;
    }
    if ((size_t)st.st_size > max) {
        hf_error_set(err, "%s: file is %lld bytes, larger than the limit of %zu", path,
                     (long long)st.st_size, max);
        goto done;
    }
    hf_buf_clear(out);
    hf_buf_grow(out, (size_t)st.st_size);
    for (;;) {
        char chunk[65536];
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            hf_error_set(err, "%s: %s", path, strerror(errno));
            goto done;
        }
        if (n == 0)
            break;
        if (out->len + (size_t)n > max) {
            hf_error_set(err, "%s: file grew past the limit of %zu bytes", path, max);
            goto done;
        }
        hf_buf_put(out, chunk, (size_t)n);
    }
    rc = 0;
done:
    close(fd);
    return rc;
}

int hf_fs_write_atomic(const char *path, const void *data, size_t len, hf_error *err)
{
    hf_buf tmp = HF_BUF_INIT;
    hf_buf_printf(&tmp, "%s.tmp-XXXXXX", path);
    int rc = -1;
    int fd = mkstemp(tmp.ptr);
    if (fd < 0) {
        hf_error_set(err, "%s: %s", path, strerror(errno));
        goto done;
    }
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t n = write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            hf_error_set(err, "%s: %s", path, strerror(errno));
            close(fd);
            unlink(tmp.ptr);
            goto done;
        }
        p += n;
        left -= (size_t)n;
    }
    if (fchmod(fd, 0644) < 0 || fsync(fd) < 0 || close(fd) < 0) {
        hf_error_set(err, "%s: %s", path, strerror(errno));
        unlink(tmp.ptr);
        goto done;
    }
    if (rename(tmp.ptr, path) < 0) {
        hf_error_set(err, "%s: %s", path, strerror(errno));
        unlink(tmp.ptr);
        goto done;
    }
    rc = 0;
done:
    hf_buf_free(&tmp);
    return rc;
}

int hf_fs_mkdirs(const char *path, hf_error *err)
{
    hf_buf p = HF_BUF_INIT;
    hf_buf_puts(&p, path);
    int rc = 0;
    for (size_t i = 1; i <= p.len; i++) {
        if (p.ptr[i] == '/' || p.ptr[i] == '\0') {
            char save = p.ptr[i];
            p.ptr[i] = '\0';
            if (mkdir(p.ptr, 0777) < 0 && errno != EEXIST) {
                rc = hf_error_set(err, "%s: %s", p.ptr, strerror(errno));
                break;
            }
            p.ptr[i] = save;
        }
    }
    hf_buf_free(&p);
    return rc;
}

void hf_fs_join(hf_buf *out, const char *a, const char *b)
{
    hf_buf_clear(out);
    hf_buf_puts(out, a);
    if (out->len && out->ptr[out->len - 1] != '/')
        hf_buf_putc(out, '/');
    hf_buf_puts(out, b);
}
