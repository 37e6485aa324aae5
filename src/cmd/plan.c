/* `handoff plan`: the dry run. For every selected repo: fetch into the
 * cache, apply its recipes over an overlay of the base tree, gate the links,
 * check the contract before and after, build the commit (never pushed) and
 * show the diff. Writes no working copy and nothing remote. */
#include "batch/plan.h"
#include "batch/plan_html.h"
#include "batch/plan_report.h"
#include "cmd/cli.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char plan_usage[] =
    "usage: handoff plan [options] [REPO...]\n"
    "\n"
    "Dry run over the fleet: fetch each repo into the cache, apply its recipes,\n"
    "gate every change on its capability or exception, check the contract\n"
    "before and after, and show the change as a diff. Nothing is pushed.\n"
    "\n"
    "  -C DIR               the configuration directory (default: recipes)\n"
    "  -j N                 repos planned in parallel (default: number of CPUs)\n"
    "  --cache DIR          the mirror cache (default: $XDG_CACHE_HOME/handoff)\n"
    "  --repo GLOB          only repos whose owner/name matches (repeatable)\n"
    "  --family F           only repos of this family (repeatable)\n"
    "  --shard K/N          only the K-th of N deterministic slices of the fleet\n"
    "  --source NAME=LOC    fetch repo NAME from LOC (a path, file:// or http(s)://)\n"
    "                       instead of its forge URL (repeatable)\n"
    "  --today DATE         the date for exception expiry and markers (default: today)\n"
    "  --format FORMAT      text (default), json (plan.json), markdown, or html (the\n"
    "                       review page: owner matrix, fleet table, side-by-side diffs)\n"
    "  --out DIR            write DIR/<owner>__<name>.patch (git am-able),\n"
    "                       DIR/plan.json, DIR/summary.md and DIR/index.html (the page)\n"
    "  --stat               text: one line per step and link naming the files it\n"
    "                       changes, instead of the diff\n"
    "  --strict             all or nothing per repo: a repo with anything held back\n"
    "                       gets no patch\n"
    "  --detailed-exitcode  exit 4 when changes are pending, 3 when a repo is partial\n"
    "  -q                   no progress on stderr\n"
    "\n"
    "The token for http(s) sources comes from GITHUB_TOKEN, never from argv.\n"
    "\n"
    "A step that does not fit a repo, or that policy refuses, is held back with the\n"
    "steps that wait for it; the repo's other changes still make its patch (status\n"
    "partial), and what is left is listed with what would unblock it. -v also lists\n"
    "the steps that had nothing to do, and why each job or file did not match.\n"
    "\n"
    "Exit status: 0 done (partial repos included), 1 a repo could not be fetched or\n"
    "planned, 2 usage or configuration error, 3 a change held back by policy, or a\n"
    "repo blocked or failed (nothing could be made), or with --strict or\n"
    "--detailed-exitcode any partial repo, 4 changes pending (with\n"
    "--detailed-exitcode).\n";

enum { OPT_OUT = HF_OPT_FIRST_COMMAND_OPTION, OPT_DETAILED, OPT_STRICT, OPT_STAT };

static void put_arg(hf_buf *b, const char *a)
{
    if (!*a || strpbrk(a, " \t'\"$*?;&|<>()`\\!{}[]#~")) {
        hf_buf_puts(b, " '");
        for (const char *c = a; *c; c++) {
            if (*c == '\'')
                hf_buf_puts(b, "'\\''");
            else
                hf_buf_putc(b, *c);
        }
        hf_buf_putc(b, '\'');
    } else {
        hf_buf_printf(b, " %s", a);
    }
}

/* The command line that reproduces this plan, for summaries and PR bodies:
 * the command, its options (sources and --out included; not -q) and the
 * date it ran with, so a re-run plans exactly the same. */
static char *reproduce_command(int argc, char **argv, const char *config_dir, hf_date today)
{
    hf_buf b = HF_BUF_INIT;
    int has_today = 0;
    hf_buf_puts(&b, "handoff -C");
    put_arg(&b, config_dir);
    hf_buf_puts(&b, " plan");
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-q") || !strcmp(a, "-C") || !strncmp(a, "--config", 8)) {
            if (strcmp(a, "-q") && !strchr(a, '=') && i + 1 < argc)
                i++;
            continue;
        }
        has_today |= !strncmp(a, "--today", 7);
        put_arg(&b, a);
    }
    if (!has_today) {
        char d[11];
        hf_date_format(today, d);
        hf_buf_printf(&b, " --today %s", d);
    }
    return hf_buf_detach(&b);
}

typedef enum { FMT_TEXT, FMT_JSON, FMT_MARKDOWN, FMT_HTML } plan_format;

/* Output written as each repo's plan is ready (in fleet order). */
typedef struct stream_ctx {
    const hf_plan_meta *meta;
    plan_format fmt;
    int color;
    bool stat;        /* --stat: the changes by step instead of the diff */
    bool hold_stdout; /* print at the end instead (a live progress display) */
    bool stdout_started;
    const char *out_dir;
    FILE *out_json; /* DIR/plan.json, written under a temporary name */
    hf_buf out_json_tmp;
    hf_plan_page *page; /* the review page (--format html, --out) */
    bool out_started;
    bool failed;
    hf_error err;
} stream_ctx;

static void print_repo(stream_ctx *sc, hf_repo_plan *plan)
{
    if (sc->fmt == FMT_TEXT) {
        hf_plan_write_text_repo(stdout, plan, sc->color, sc->stat);
    } else if (sc->fmt == FMT_JSON) {
        if (!sc->stdout_started) {
            char *head = hf_plan_json_begin(sc->meta);
            fputs(head, stdout);
            free(head);
        }
        char *part = hf_plan_json_repo(plan, !sc->stdout_started);
        fputs(part, stdout);
        free(part);
        sc->stdout_started = true;
    }
    fflush(stdout);
    hf_repo_plan_release_details(plan);
}

static void repo_ready(hf_repo_plan *plan, void *ctx)
{
    stream_ctx *sc = ctx;
    if (sc->page && !sc->failed && hf_plan_page_add(sc->page, plan, &sc->err) < 0)
        sc->failed = true;
    if (sc->out_json && !sc->failed) {
        char *part = hf_plan_json_repo(plan, !sc->out_started);
        sc->out_started = true;
        if (fputs(part, sc->out_json) < 0) {
            hf_error_set(&sc->err, "%s: write failed", sc->out_json_tmp.ptr);
            sc->failed = true;
        } else if (hf_plan_write_patch(sc->out_dir, plan, &sc->err) < 0) {
            sc->failed = true;
        }
        free(part);
    }
    if (!sc->hold_stdout)
        print_repo(sc, plan);
}

static int open_out(stream_ctx *sc, hf_error *err)
{
    if (hf_fs_mkdirs(sc->out_dir, err) < 0)
        return -1;
    hf_buf_printf(&sc->out_json_tmp, "%s/plan.json.tmp-XXXXXX", sc->out_dir);
    int fd = mkstemp(sc->out_json_tmp.ptr);
    if (fd < 0 || !(sc->out_json = fdopen(fd, "w")))
        return hf_error_set(err, "%s: cannot create", sc->out_json_tmp.ptr);
    char *head = hf_plan_json_begin(sc->meta);
    fputs(head, sc->out_json);
    free(head);
    return 0;
}

/* DIR/index.html: written under a temporary name, renamed when complete. */
static int write_page(stream_ctx *sc, const hf_vec *plans, hf_error *err)
{
    hf_buf tmp = HF_BUF_INIT, final = HF_BUF_INIT;
    hf_buf_printf(&tmp, "%s/index.html.tmp-XXXXXX", sc->out_dir);
    hf_buf_printf(&final, "%s/index.html", sc->out_dir);
    int rc = 0, fd = mkstemp(tmp.ptr);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        rc = hf_error_set(err, "%s: cannot create", tmp.ptr);
        if (fd >= 0)
            close(fd);
        goto done;
    }
    rc = hf_plan_page_write(sc->page, f, plans, err);
    if (rc == 0 && (fflush(f) != 0 || fchmod(fd, 0644) != 0 || fsync(fd) != 0))
        rc = hf_error_set(err, "%s: write failed", tmp.ptr);
    if (fclose(f) != 0 && rc == 0)
        rc = hf_error_set(err, "%s: write failed", tmp.ptr);
    if (rc == 0 && rename(tmp.ptr, final.ptr) != 0)
        rc = hf_error_set(err, "%s: cannot rename into place", final.ptr);
    if (rc != 0)
        unlink(tmp.ptr);
done:
    hf_buf_free(&tmp);
    hf_buf_free(&final);
    return rc;
}

/* Finishes plan.json (renamed into place only when complete) and writes
 * summary.md and index.html. */
static int close_out(stream_ctx *sc, const hf_vec *plans, hf_error *err)
{
    hf_buf final = HF_BUF_INIT;
    hf_buf_printf(&final, "%s/plan.json", sc->out_dir);
    int rc = 0;
    if (fputs(hf_plan_json_end(), sc->out_json) < 0 || fflush(sc->out_json) != 0 ||
        fsync(fileno(sc->out_json)) != 0)
        rc = hf_error_set(err, "%s: write failed", sc->out_json_tmp.ptr);
    if (fclose(sc->out_json) != 0 && rc == 0)
        rc = hf_error_set(err, "%s: write failed", sc->out_json_tmp.ptr);
    sc->out_json = NULL;
    if (rc == 0 && !sc->failed && rename(sc->out_json_tmp.ptr, final.ptr) != 0)
        rc = hf_error_set(err, "%s: cannot rename into place", final.ptr);
    if (rc != 0 || sc->failed)
        unlink(sc->out_json_tmp.ptr);
    if (rc == 0)
        rc = hf_plan_write_summary(sc->out_dir, sc->meta, plans, err);
    if (rc == 0 && !sc->failed)
        rc = write_page(sc, plans, err);
    hf_buf_free(&final);
    hf_buf_free(&sc->out_json_tmp);
    return rc;
}

int hf_cmd_plan(int argc, char **argv, const hf_global_opts *global)
{
    static const struct option longopts[] = {HF_GLOBAL_LONGOPTS,
                                             {"format", required_argument, NULL, HF_OPT_FORMAT},
                                             {"today", required_argument, NULL, HF_OPT_TODAY},
                                             {"repo", required_argument, NULL, HF_OPT_REPO},
                                             {"family", required_argument, NULL, HF_OPT_FAMILY},
                                             {"shard", required_argument, NULL, HF_OPT_SHARD},
                                             {"source", required_argument, NULL, HF_OPT_SOURCE},
                                             {"out", required_argument, NULL, OPT_OUT},
                                             {"detailed-exitcode", no_argument, NULL, OPT_DETAILED},
                                             {"strict", no_argument, NULL, OPT_STRICT},
                                             {"stat", no_argument, NULL, OPT_STAT},
                                             {NULL, 0, NULL, 0}};
    hf_global_opts g = *global;
    hf_selection sel = {0};
    hf_remote_args ra = HF_REMOTE_ARGS_INIT;
    hf_date today = hf_date_today();
    plan_format fmt = FMT_TEXT;
    const char *out_dir = NULL;
    int detailed = 0, strict = 0, c, rc = HF_EXIT_OK;
    bool stat_only = false;
    char *cache = NULL, *command = NULL;
    hf_config cfg;
    int cfg_loaded = 0;
    hf_contract_engine *engine = NULL;
    hf_vec repos = HF_VEC_INIT, plans = HF_VEC_INIT;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, HF_GLOBAL_SHORTOPTS, longopts, NULL)) != -1) {
        int handled = hf_cli_global(c, optarg, &g, "plan");
        if (!handled)
            handled = hf_cli_selection(c, optarg, &sel, "plan");
        if (!handled)
            handled = hf_cli_remote_option("plan", c, optarg, &ra);
        if (handled < 0) {
            rc = HF_EXIT_USAGE;
            goto done;
        }
        if (handled)
            continue;
        switch (c) {
        case 'h':
            fputs(plan_usage, stdout);
            goto done;
        case HF_OPT_TODAY:
            if (hf_cli_today("plan", optarg, &today) < 0) {
                rc = HF_EXIT_USAGE;
                goto done;
            }
            break;
        case HF_OPT_FORMAT: {
            static const char *const formats[] = {"text", "json", "markdown", "html", NULL};
            int f = hf_cli_format("plan", optarg, formats);
            if (f < 0) {
                rc = HF_EXIT_USAGE;
                goto done;
            }
            fmt = (plan_format)f;
            break;
        }
        case OPT_OUT:
            out_dir = optarg;
            break;
        case OPT_DETAILED:
            detailed = 1;
            break;
        case OPT_STRICT:
            strict = 1;
            break;
        case OPT_STAT:
            stat_only = true;
            break;
        default:
            rc = hf_cli_bad_option("plan", argv);
            goto done;
        }
    }
    for (int i = optind; i < argc; i++)
        hf_vec_push(&sel.repo_globs, argv[i]);

    cfg_loaded = 1;
    if ((rc = hf_cli_fleet("plan", &g, today, &sel, &ra.sources, &cfg, &repos)) != 0)
        goto done;
    hf_error err;
    if (hf_contract_compile(&engine, &cfg, &err) < 0) {
        hf_log_error("%s", err.msg);
        rc = HF_EXIT_USAGE;
        goto done;
    }
    cache = hf_cli_cache_dir(&g);
    if (hf_fs_mkdirs(cache, &err) < 0) {
        hf_log_error("cache: %s", err.msg);
        rc = HF_EXIT_RUNTIME;
        goto done;
    }
    const char *token = getenv("GITHUB_TOKEN");
    if (token && *token)
        hf_log_add_secret(token);
    hf_buf templates = HF_BUF_INIT;
    hf_cli_templates_dir(&templates, &cfg, g.config_dir);
    command = reproduce_command(argc - 1, argv + 1, g.config_dir, today);
    hf_plan_meta meta = {cfg.fleet.name, cfg.fleet.branch, today, command};
    int color = hf_log_color_on(stdout);
    bool live = isatty(STDERR_FILENO) && g.verbosity != HF_LOG_QUIET;
    stream_ctx sc = {
        .meta = &meta, .fmt = fmt, .color = color, .stat = stat_only, .out_dir = out_dir};
    if ((fmt == FMT_HTML || out_dir) && hf_plan_page_new(&sc.page, &cfg, &meta, &err) < 0) {
        hf_log_error("%s", err.msg);
        rc = HF_EXIT_RUNTIME;
        hf_buf_free(&templates);
        goto done;
    }
    if (out_dir && open_out(&sc, &err) < 0) {
        hf_log_error("--out: %s", err.msg);
        rc = HF_EXIT_RUNTIME;
        hf_buf_free(&templates);
        hf_plan_page_free(sc.page);
        goto done;
    }
    hf_plan_options opts = {.cfg = &cfg,
                            .engine = engine,
                            .today = today,
                            .cache_dir = cache,
                            .templates_dir = templates.ptr,
                            .sources = &ra.sources,
                            .token = token && *token ? token : NULL,
                            .jobs = g.jobs,
                            .progress_tty = live,
                            .quiet = g.verbosity == HF_LOG_QUIET,
                            .keep_patch = out_dir != NULL,
                            .keep_diff = fmt == FMT_TEXT || sc.page != NULL,
                            .keep_color_diff = fmt == FMT_TEXT && color,
                            .strict = strict,
                            .verbose = g.verbosity == HF_LOG_VERBOSE,
                            .on_ready = repo_ready,
                            .ready_ctx = &sc};
    /* Results are written as repos finish, in fleet order, and then let go,
     * so memory stays flat with fleet size. A live progress display on the
     * same terminal would tear the output: then stdout waits for the end. */
    sc.hold_stdout = live && isatty(STDOUT_FILENO);
    hf_plan_run(&opts, &repos, &plans);
    hf_buf_free(&templates);
    for (size_t i = 0; sc.hold_stdout && i < plans.len; i++)
        print_repo(&sc, plans.items[i]);
    if (fmt == FMT_JSON) {
        if (!sc.stdout_started) {
            char *head = hf_plan_json_begin(&meta);
            fputs(head, stdout);
            free(head);
        }
        fputs(hf_plan_json_end(), stdout);
    } else if (fmt == FMT_MARKDOWN) {
        char *md = hf_plan_markdown(&meta, &plans);
        fputs(md, stdout);
        free(md);
    } else if (fmt == FMT_HTML) {
        if (!sc.failed && hf_plan_page_write(sc.page, stdout, &plans, &err) < 0) {
            hf_log_error("%s", err.msg);
            rc = hf_exit_merge(rc, HF_EXIT_RUNTIME);
        }
    } else {
        hf_plan_write_text_table(stdout, &plans);
    }
    if (out_dir && close_out(&sc, &plans, &err) < 0) {
        hf_log_error("--out: %s", err.msg);
        rc = hf_exit_merge(rc, HF_EXIT_RUNTIME);
    }
    if (sc.failed) {
        hf_log_error("%s%s", out_dir ? "--out: " : "", sc.err.msg);
        rc = hf_exit_merge(rc, HF_EXIT_RUNTIME);
    }
    hf_plan_page_free(sc.page);
    for (size_t i = 0; i < plans.len; i++)
        rc = hf_exit_merge(rc, hf_cli_plan_exit(plans.items[i], strict, detailed));
done:
    hf_vec_free(&plans, hf_repo_plan_free);
    hf_vec_free(&repos, NULL);
    hf_contract_free(engine);
    if (cfg_loaded)
        hf_config_free(&cfg);
    hf_remote_args_free(&ra);
    hf_vec_free(&sel.repo_globs, NULL);
    hf_vec_free(&sel.families, NULL);
    free(cache);
    free(command);
    return rc;
}
