/* A loopback git smart-HTTP server for tests: serves the bare repos under a
 * directory through `git http-backend` (CGI), optionally behind HTTP Basic
 * auth, and can refuse pushes on demand. One forked child per connection.
 *
 *   git-http-server --root DIR [--user U --password P] [--tokens-file FILE]
 *                   [--401-body] [--reject-push FILE] [--log FILE] [--redirect URL]
 *
 * Binds 127.0.0.1 on a free port, prints the port on stdout, serves until
 * killed (or until its parent dies). Connections are kept alive, as real
 * forges do, so a client's 401-then-retry happens on one connection.
 * --tokens-file: user U may also give any password listed in FILE (re-read
 * per request), one "TOKEN EXPIRES" per line, EXPIRES in Unix seconds: how
 * the fake GitHub's App installation tokens reach git, expiring as on GitHub.
 * --401-body: a refusal carries WWW-Authenticate and a short HTML body, as
 * nginx-fronted servers answer (GitHub's 401 has no body); the body is what
 * libgit2 1.5.1 fails to drain before it replays a request with credentials.
 * --reject-push: while FILE exists, every receive-pack request is answered
 * 403. --redirect: every request is answered 301 to URL followed by the
 * request target. --log: one line per request, "METHOD TARGET
 * auth=none|ok|bad status=N". */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define MAX_HEADER (64 * 1024)
#define MAX_BODY (256 * 1024 * 1024)

static const char *root, *user, *password, *reject_file, *log_file, *redirect, *tokens_file;
static int body_401;

typedef struct buf {
    char *ptr;
    size_t len, cap;
} buf;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "git-http-server: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

static void put(buf *b, const void *data, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->ptr = realloc(b->ptr, cap);
        if (!b->ptr)
            die("out of memory");
        b->cap = cap;
    }
    memcpy(b->ptr + b->len, data, n);
    b->len += n;
    b->ptr[b->len] = '\0';
}

static void puts_buf(buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The connection: bytes read but not consumed yet. */
typedef struct conn {
    int fd;
    buf in;
    size_t pos;
} conn;

static int fill(conn *c)
{
    char tmp[16384];
    ssize_t r;
    do
        r = read(c->fd, tmp, sizeof(tmp));
    while (r < 0 && errno == EINTR);
    if (r <= 0)
        return -1;
    put(&c->in, tmp, (size_t)r);
    return 0;
}

static int read_exact(conn *c, buf *out, size_t n)
{
    while (c->in.len - c->pos < n)
        if (fill(c) < 0)
            return -1;
    put(out, c->in.ptr + c->pos, n);
    c->pos += n;
    return 0;
}

/* One CRLF-terminated line (without the CRLF). */
static int read_line(conn *c, buf *out)
{
    for (;;) {
        char *nl = c->in.len > c->pos ? memchr(c->in.ptr + c->pos, '\n', c->in.len - c->pos) : NULL;
        if (nl) {
            size_t n = (size_t)(nl - (c->in.ptr + c->pos));
            out->len = 0;
            put(out, c->in.ptr + c->pos, n && nl[-1] == '\r' ? n - 1 : n);
            c->pos += n + 1;
            return 0;
        }
        if (c->in.len - c->pos > MAX_HEADER || fill(c) < 0)
            return -1;
    }
}

static int read_chunked(conn *c, buf *body)
{
    buf line = {0};
    int rc = -1;
    for (;;) {
        if (read_line(c, &line) < 0)
            goto done;
        unsigned long n = strtoul(line.ptr ? line.ptr : "", NULL, 16);
        if (n == 0)
            break;
        if (body->len + n > MAX_BODY || read_exact(c, body, n) < 0 || read_line(c, &line) < 0)
            goto done;
    }
    /* Trailers, up to the empty line. */
    do
        if (read_line(c, &line) < 0)
            goto done;
    while (line.len);
    rc = 0;
done:
    free(line.ptr);
    return rc;
}

static int base64_value(char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return -1;
}

static void base64_decode(buf *out, const char *s)
{
    unsigned acc = 0;
    int bits = 0;
    for (; *s && *s != '='; s++) {
        int v = base64_value(*s);
        if (v < 0)
            continue;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            char ch = (char)((acc >> bits) & 0xff);
            put(out, &ch, 1);
        }
    }
}

/* Whether pass is a token listed in --tokens-file and not expired yet. */
static int listed_token(const char *pass, size_t n)
{
    if (!tokens_file || n == 0)
        return 0;
    FILE *f = fopen(tokens_file, "r");
    if (!f)
        return 0;
    char line[1024];
    int ok = 0;
    long long now = (long long)time(NULL);
    while (!ok && fgets(line, sizeof(line), f)) {
        char *sp = strchr(line, ' ');
        if (!sp)
            continue;
        ok = (size_t)(sp - line) == n && memcmp(line, pass, n) == 0 && atoll(sp + 1) > now;
    }
    fclose(f);
    return ok;
}

static void log_request(const char *method, const char *target, const char *auth, int status)
{
    if (!log_file)
        return;
    int fd = open(log_file, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0)
        return;
    char line[8192];
    int n = snprintf(line, sizeof(line), "%s %s auth=%s status=%d\n", method, target, auth, status);
    if (n > 0)
        write_all(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
    close(fd);
}

static int keep_alive; /* of the request being answered */

static void respond(int fd, int status, const char *reason, const char *extra, const char *body,
                    size_t len)
{
    buf r = {0};
    char head[512];
    snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\n", status, reason);
    puts_buf(&r, head);
    if (extra)
        puts_buf(&r, extra);
    snprintf(head, sizeof(head), "Content-Length: %zu\r\nConnection: %s\r\n\r\n", len,
             keep_alive ? "keep-alive" : "close");
    puts_buf(&r, head);
    put(&r, body, len);
    write_all(fd, r.ptr, r.len);
    free(r.ptr);
}

static void set_env(const char *name, const char *value)
{
    if (value)
        setenv(name, value, 1);
    else
        unsetenv(name);
}

/* Runs git http-backend with the request as CGI and relays its answer
 * (logging it first). Returns the HTTP status sent. */
static int run_backend(int fd, const char *method, const char *target, const char *auth,
                       const char *path, const char *query, const char *content_type,
                       const char *encoding, const char *protocol, const buf *body)
{
    FILE *in = tmpfile();
    int out[2];
    if (!in || pipe(out) < 0) {
        log_request(method, target, auth, 500);
        respond(fd, 500, "Internal Server Error", NULL, "", 0);
        return 500;
    }
    if (body->len && fwrite(body->ptr, 1, body->len, in) != body->len) {
        log_request(method, target, auth, 500);
        respond(fd, 500, "Internal Server Error", NULL, "", 0);
        return 500;
    }
    fflush(in);
    lseek(fileno(in), 0, SEEK_SET);

    pid_t pid = fork();
    if (pid < 0) {
        log_request(method, target, auth, 500);
        respond(fd, 500, "Internal Server Error", NULL, "", 0);
        return 500;
    }
    if (pid == 0) {
        char length[32];
        snprintf(length, sizeof(length), "%zu", body->len);
        dup2(fileno(in), 0);
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        close(fd);
        set_env("GATEWAY_INTERFACE", "CGI/1.1");
        set_env("SERVER_PROTOCOL", "HTTP/1.1");
        set_env("REQUEST_METHOD", method);
        set_env("PATH_INFO", path);
        set_env("QUERY_STRING", query);
        set_env("CONTENT_TYPE", content_type);
        set_env("CONTENT_LENGTH", strcmp(method, "POST") == 0 ? length : NULL);
        set_env("HTTP_CONTENT_ENCODING", encoding);
        set_env("GIT_PROTOCOL", protocol);
        set_env("REMOTE_ADDR", "127.0.0.1");
        /* http-backend only serves receive-pack to an authenticated user. */
        set_env("REMOTE_USER", user ? user : "anonymous");
        set_env("GIT_PROJECT_ROOT", root);
        set_env("GIT_HTTP_EXPORT_ALL", "1");
        execlp("git", "git", "http-backend", (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    fclose(in);
    buf cgi = {0};
    char tmp[16384];
    ssize_t r;
    while ((r = read(out[0], tmp, sizeof(tmp))) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        put(&cgi, tmp, (size_t)r);
    }
    close(out[0]);
    int wstatus;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
        ;

    /* CGI headers end at the first empty line (LF or CRLF). */
    size_t head_end = 0, body_start = 0;
    for (size_t i = 0; i + 1 < cgi.len; i++) {
        if (cgi.ptr[i] == '\n' && cgi.ptr[i + 1] == '\n') {
            head_end = i + 1;
            body_start = i + 2;
            break;
        }
        if (i + 3 < cgi.len && memcmp(cgi.ptr + i, "\r\n\r\n", 4) == 0) {
            head_end = i + 2;
            body_start = i + 4;
            break;
        }
    }
    if (!body_start) {
        log_request(method, target, auth, 500);
        respond(fd, 500, "Internal Server Error", NULL, "http-backend failed\n", 20);
        free(cgi.ptr);
        return 500;
    }
    int status = 200;
    char reason[128] = "OK";
    buf headers = {0};
    for (size_t i = 0; i < head_end;) {
        char *nl = memchr(cgi.ptr + i, '\n', head_end - i);
        size_t n = nl ? (size_t)(nl - (cgi.ptr + i)) : head_end - i;
        size_t len = n && cgi.ptr[i + n - 1] == '\r' ? n - 1 : n;
        char line[4096];
        snprintf(line, sizeof(line), "%.*s", (int)len, cgi.ptr + i);
        if (strncasecmp(line, "Status:", 7) == 0) {
            char *p = line + 7;
            while (*p == ' ')
                p++;
            status = atoi(p);
            char *sp = strchr(p, ' ');
            snprintf(reason, sizeof(reason), "%s", sp ? sp + 1 : "Status");
        } else if (len) {
            puts_buf(&headers, line);
            puts_buf(&headers, "\r\n");
        }
        i += n + 1;
    }
    log_request(method, target, auth, status);
    respond(fd, status, reason, headers.ptr, cgi.ptr + body_start, cgi.len - body_start);
    free(headers.ptr);
    free(cgi.ptr);
    return status;
}

/* Serves one request of the connection; returns 1 when another may follow. */
static int handle_one(conn *c)
{
    int fd = c->fd;
    buf line = {0}, body = {0}, decoded = {0};
    char *method = NULL, *target = NULL, *path = NULL;
    char *content_type = NULL, *encoding = NULL, *protocol = NULL, *authorization = NULL;
    long long content_length = -1;
    int chunked = 0, expect_continue = 0, again = 0;

    keep_alive = 1;
    if (read_line(c, &line) < 0 || !line.ptr)
        goto done;
    char *sp1 = strchr(line.ptr, ' ');
    char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    if (!sp2) {
        keep_alive = 0;
        respond(fd, 400, "Bad Request", NULL, "", 0);
        goto done;
    }
    method = strndup(line.ptr, (size_t)(sp1 - line.ptr));
    target = strndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
    if (strcmp(sp2 + 1, "HTTP/1.0") == 0)
        keep_alive = 0;
    for (;;) {
        if (read_line(c, &line) < 0)
            goto done;
        if (line.len == 0)
            break;
        char *colon = strchr(line.ptr, ':');
        if (!colon)
            continue;
        *colon = '\0';
        char *value = colon + 1;
        while (*value == ' ' || *value == '\t')
            value++;
        if (strcasecmp(line.ptr, "Content-Length") == 0)
            content_length = atoll(value);
        else if (strcasecmp(line.ptr, "Transfer-Encoding") == 0)
            chunked = strcasestr(value, "chunked") != NULL;
        else if (strcasecmp(line.ptr, "Content-Type") == 0)
            content_type = strdup(value);
        else if (strcasecmp(line.ptr, "Content-Encoding") == 0)
            encoding = strdup(value);
        else if (strcasecmp(line.ptr, "Git-Protocol") == 0)
            protocol = strdup(value);
        else if (strcasecmp(line.ptr, "Authorization") == 0)
            authorization = strdup(value);
        else if (strcasecmp(line.ptr, "Expect") == 0)
            expect_continue = strcasecmp(value, "100-continue") == 0;
        else if (strcasecmp(line.ptr, "Connection") == 0 && strcasecmp(value, "close") == 0)
            keep_alive = 0;
    }

    if (redirect) {
        buf location = {0};
        puts_buf(&location, "Location: ");
        puts_buf(&location, redirect);
        puts_buf(&location, target);
        puts_buf(&location, "\r\n");
        log_request(method, target, "none", 301);
        keep_alive = 0; /* any request body is left unread */
        respond(fd, 301, "Moved Permanently", location.ptr, "", 0);
        free(location.ptr);
        goto done;
    }

    const char *auth = "none";
    if (authorization) {
        auth = "bad";
        if (strncasecmp(authorization, "Basic ", 6) == 0 && user) {
            base64_decode(&decoded, authorization + 6);
            buf want = {0};
            puts_buf(&want, user);
            puts_buf(&want, ":");
            puts_buf(&want, password ? password : "");
            if (decoded.len == want.len && memcmp(decoded.ptr, want.ptr, want.len) == 0)
                auth = "ok";
            size_t ulen = strlen(user);
            if (decoded.len > ulen && memcmp(decoded.ptr, user, ulen) == 0 &&
                decoded.ptr[ulen] == ':' &&
                listed_token(decoded.ptr + ulen + 1, decoded.len - ulen - 1))
                auth = "ok";
            free(want.ptr);
        }
    }
    int authorized = !user || strcmp(auth, "ok") == 0;

    /* Read the whole body even when refusing, so the connection stays in
     * step for the client's next request. */
    if (expect_continue && authorized)
        write_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25);
    if (expect_continue && !authorized) {
        keep_alive = 0;
    } else if (chunked) {
        if (read_chunked(c, &body) < 0)
            goto done;
    } else if (content_length > 0) {
        if (content_length > MAX_BODY || read_exact(c, &body, (size_t)content_length) < 0)
            goto done;
    }

    if (!authorized) {
        /* Logged before answering, so a client that reads the log after its
         * request failed finds the line. By default the 401 carries no body,
         * like GitHub's. */
        static const char page[] = "<html><head><title>401 Authorization Required</title>"
                                   "</head><body><center><h1>401 Authorization Required</h1>"
                                   "</center><hr><center>nginx</center></body></html>\r\n";
        log_request(method, target, auth, 401);
        if (body_401)
            respond(fd, 401, "Unauthorized",
                    "WWW-Authenticate: Basic realm=\"git\"\r\nContent-Type: text/html\r\n", page,
                    strlen(page));
        else
            respond(fd, 401, "Unauthorized", "WWW-Authenticate: Basic realm=\"git\"\r\n", "", 0);
        again = keep_alive;
        goto done;
    }

    char *query = strchr(target, '?');
    path = query ? strndup(target, (size_t)(query - target)) : strdup(target);
    int receive_pack = strstr(target, "git-receive-pack") != NULL;
    struct stat st;
    if (receive_pack && reject_file && stat(reject_file, &st) == 0) {
        const char *msg = "push rejected by the test server\n";
        log_request(method, target, auth, 403);
        respond(fd, 403, "Forbidden", NULL, msg, strlen(msg));
        again = keep_alive;
        goto done;
    }
    run_backend(fd, method, target, auth, path, query ? query + 1 : "", content_type, encoding,
                protocol, &body);
    again = keep_alive;
done:
    free(line.ptr);
    free(body.ptr);
    free(decoded.ptr);
    free(method);
    free(target);
    free(path);
    free(content_type);
    free(encoding);
    free(protocol);
    free(authorization);
    return again;
}

/* Keep-alive: requests are served in turn until the client closes. */
static void handle(int fd)
{
    conn c = {fd, {0}, 0};
    while (handle_one(&c)) {
        /* Drop what was consumed so the buffer does not grow per request. */
        memmove(c.in.ptr, c.in.ptr + c.pos, c.in.len - c.pos);
        c.in.len -= c.pos;
        c.pos = 0;
    }
    free(c.in.ptr);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i];
        if (strcmp(a, "--401-body") == 0) {
            body_401 = 1;
            i--;
            continue;
        }
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            die("%s needs a value", a);
        if (strcmp(a, "--root") == 0)
            root = v;
        else if (strcmp(a, "--user") == 0)
            user = v;
        else if (strcmp(a, "--password") == 0)
            password = v;
        else if (strcmp(a, "--reject-push") == 0)
            reject_file = v;
        else if (strcmp(a, "--log") == 0)
            log_file = v;
        else if (strcmp(a, "--redirect") == 0)
            redirect = v;
        else if (strcmp(a, "--tokens-file") == 0)
            tokens_file = v;
        else
            die("unknown option %s", a);
    }
    if (!root)
        die("usage: git-http-server --root DIR [--user U --password P] [--tokens-file FILE] "
            "[--401-body] [--reject-push FILE] [--log FILE] [--redirect URL]");
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
    signal(SIGPIPE, SIG_IGN);
    signal(SIGCHLD, SIG_IGN); /* connection children are reaped by the kernel */

    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0)
        die("socket: %s", strerror(errno));
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(s, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(s, 64) < 0)
        die("bind: %s", strerror(errno));
    socklen_t alen = sizeof(addr);
    if (getsockname(s, (struct sockaddr *)&addr, &alen) < 0)
        die("getsockname: %s", strerror(errno));
    printf("%d\n", ntohs(addr.sin_port));
    fflush(stdout);

    for (;;) {
        int fd = accept(s, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            die("accept: %s", strerror(errno));
        }
        pid_t pid = fork();
        if (pid == 0) {
            close(s);
            signal(SIGCHLD, SIG_DFL);
            handle(fd);
            close(fd);
            _exit(0);
        }
        close(fd);
    }
}
