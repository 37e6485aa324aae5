/* Text, JSON and SARIF renderings of contract scan results. */
#include "batch/check_report.h"
#include "util/buf.h"
#include "util/hash.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static const char *severity_name(const hf_finding *f)
{
    return f->severity == HF_SEV_ERROR ? "error" : "warning";
}

static void write_text(FILE *out, const hf_vec *reports, int color)
{
    size_t files = 0;
    hf_contract_counts total = {0};
    for (size_t r = 0; r < reports->len; r++) {
        const hf_scan_report *rep = reports->items[r];
        for (size_t i = 0; i < rep->findings.len; i++) {
            const hf_finding *f = rep->findings.items[i];
            const char *lvl = f->state == HF_FINDING_EXCEPTED ? "excepted" : severity_name(f);
            const char *on = "", *off = "";
            if (color) {
                off = "\033[0m";
                on = f->state == HF_FINDING_EXCEPTED ? "\033[2m"
                     : f->severity == HF_SEV_ERROR   ? "\033[1;31m"
                                                     : "\033[1;33m";
            }
            if (rep->on_disk)
                fprintf(out, "%s/%s:%d:%d: %s%s%s %s: %s", rep->repo, f->path, f->line,
                        f->column, on, lvl, off, f->rule->id, f->message);
            else
                fprintf(out, "%s: %s:%d:%d: %s%s%s %s: %s", rep->repo, f->path, f->line,
                        f->column, on, lvl, off, f->rule->id, f->message);
            if (f->state == HF_FINDING_EXCEPTED && f->exception)
                fprintf(out, " (exception %s)", f->exception->id);
            fprintf(out, "\n    %s\n", f->excerpt);
        }
        for (size_t i = 0; i < rep->problems.len; i++)
            fprintf(out, "%s: not scanned: %s\n", rep->repo, (const char *)rep->problems.items[i]);
        hf_contract_counts c;
        hf_contract_count(&rep->findings, &c);
        total.error += c.error;
        total.warning += c.warning;
        total.excepted += c.excepted;
        files += rep->files_scanned;
    }
    for (size_t r = 0; r < reports->len; r++) {
        const hf_scan_report *rep = reports->items[r];
        hf_contract_counts c;
        hf_contract_count(&rep->findings, &c);
        fprintf(out, "%s: %zu file%s scanned, %zu error%s, %zu warning%s, %zu excepted\n",
                rep->repo, rep->files_scanned, rep->files_scanned == 1 ? "" : "s", c.error,
                c.error == 1 ? "" : "s", c.warning, c.warning == 1 ? "" : "s", c.excepted);
    }
    if (reports->len > 1)
        fprintf(out, "total: %zu repos, %zu files scanned, %zu errors, %zu warnings, %zu excepted\n",
                reports->len, files, total.error, total.warning, total.excepted);
}

static void write_json(FILE *out, const hf_vec *reports)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *repos = cJSON_AddArrayToObject(root, "repos");
    hf_contract_counts total = {0};
    size_t files = 0;
    for (size_t r = 0; r < reports->len; r++) {
        const hf_scan_report *rep = reports->items[r];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "repo", rep->repo);
        if (rep->family)
            cJSON_AddStringToObject(o, "family", rep->family);
        else
            cJSON_AddNullToObject(o, "family");
        cJSON_AddNumberToObject(o, "files_scanned", (double)rep->files_scanned);
        cJSON *arr = cJSON_AddArrayToObject(o, "findings");
        for (size_t i = 0; i < rep->findings.len; i++) {
            const hf_finding *f = rep->findings.items[i];
            cJSON *fo = cJSON_CreateObject();
            cJSON_AddStringToObject(fo, "rule", f->rule->id);
            cJSON_AddStringToObject(fo, "category", f->rule->category);
            cJSON_AddStringToObject(fo, "severity", severity_name(f));
            cJSON_AddStringToObject(fo, "path", f->path);
            cJSON_AddNumberToObject(fo, "line", f->line);
            cJSON_AddNumberToObject(fo, "column", f->column);
            cJSON_AddStringToObject(fo, "message", f->message);
            cJSON_AddStringToObject(fo, "excerpt", f->excerpt);
            if (f->state == HF_FINDING_EXCEPTED)
                cJSON_AddStringToObject(fo, "exception", f->exception->id);
            else
                cJSON_AddNullToObject(fo, "exception");
            cJSON_AddItemToArray(arr, fo);
        }
        cJSON *probs = cJSON_AddArrayToObject(o, "not_scanned");
        for (size_t i = 0; i < rep->problems.len; i++)
            cJSON_AddItemToArray(probs, cJSON_CreateString(rep->problems.items[i]));
        cJSON_AddItemToArray(repos, o);
        hf_contract_counts c;
        hf_contract_count(&rep->findings, &c);
        total.error += c.error;
        total.warning += c.warning;
        total.excepted += c.excepted;
        files += rep->files_scanned;
    }
    cJSON *sum = cJSON_AddObjectToObject(root, "summary");
    cJSON_AddNumberToObject(sum, "repos", (double)reports->len);
    cJSON_AddNumberToObject(sum, "files", (double)files);
    cJSON_AddNumberToObject(sum, "error", (double)total.error);
    cJSON_AddNumberToObject(sum, "warning", (double)total.warning);
    cJSON_AddNumberToObject(sum, "excepted", (double)total.excepted);
    char *text = cJSON_Print(root);
    fputs(text, out);
    fputc('\n', out);
    free(text);
    cJSON_Delete(root);
}

/* "provider-docker-compose" -> "ProviderDockerCompose" */
static char *rule_display_name(const char *id)
{
    hf_buf b = HF_BUF_INIT;
    int up = 1;
    for (const char *p = id; *p; p++) {
        if (*p == '-' || *p == '_' || *p == '.') {
            up = 1;
            continue;
        }
        hf_buf_putc(&b, up && *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p);
        up = 0;
    }
    return hf_buf_detach(&b);
}

/* SARIF 2.1.0: one run per repo (each with its own automation id, so GitHub
 * code scanning keeps them apart); excepted findings carry an external
 * suppression naming the exception. */
static void write_sarif(FILE *out, const hf_vec *reports)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "$schema",
                            "https://json.schemastore.org/sarif-2.1.0.json");
    cJSON_AddStringToObject(root, "version", "2.1.0");
    cJSON *runs = cJSON_AddArrayToObject(root, "runs");
    for (size_t r = 0; r < reports->len; r++) {
        const hf_scan_report *rep = reports->items[r];
        cJSON *run = cJSON_CreateObject();
        cJSON *tool = cJSON_AddObjectToObject(run, "tool");
        cJSON *driver = cJSON_AddObjectToObject(tool, "driver");
        cJSON_AddStringToObject(driver, "name", "handoff");
        cJSON_AddStringToObject(driver, "semanticVersion", HF_VERSION);
        cJSON_AddStringToObject(driver, "informationUri", "https://github.com/cbusillo/launchplane");
        cJSON *rules = cJSON_AddArrayToObject(driver, "rules");
        hf_vec seen = HF_VEC_INIT; /* const hf_rule *, index = ruleIndex */
        for (size_t i = 0; i < rep->findings.len; i++) {
            const hf_finding *f = rep->findings.items[i];
            size_t k = 0;
            while (k < seen.len && seen.items[k] != f->rule)
                k++;
            if (k < seen.len)
                continue;
            hf_vec_push(&seen, (void *)f->rule);
            cJSON *ro = cJSON_CreateObject();
            cJSON_AddStringToObject(ro, "id", f->rule->id);
            /* SARIF wants name to differ from the opaque id (SARIF1001) */
            char *name = rule_display_name(f->rule->id);
            cJSON_AddStringToObject(ro, "name", name);
            free(name);
            cJSON *sd = cJSON_AddObjectToObject(ro, "shortDescription");
            cJSON_AddStringToObject(sd, "text", f->rule->message);
            /* GitHub code scanning requires fullDescription (GH2012) */
            hf_buf full = HF_BUF_INIT;
            hf_buf_printf(&full, "%s (handoff contract rule %s, category %s.)", f->rule->message,
                          f->rule->id, f->rule->category);
            cJSON *fd = cJSON_AddObjectToObject(ro, "fullDescription");
            cJSON_AddStringToObject(fd, "text", hf_buf_cstr(&full));
            hf_buf_free(&full);
            cJSON *help = cJSON_AddObjectToObject(ro, "help");
            hf_buf help_text = HF_BUF_INIT;
            hf_buf_printf(&help_text,
                          "%s Category: %s. Move the operation to Launchplane (a reusable "
                          "workflow or the launchplane-request action), or cover it with a "
                          "dated exception in exceptions.yml.",
                          f->rule->message, f->rule->category);
            cJSON_AddStringToObject(help, "text", hf_buf_cstr(&help_text));
            hf_buf_free(&help_text);
            cJSON *dc = cJSON_AddObjectToObject(ro, "defaultConfiguration");
            cJSON_AddStringToObject(dc, "level", f->rule->severity == HF_SEV_ERROR ? "error"
                                                                                   : "warning");
            cJSON *props = cJSON_AddObjectToObject(ro, "properties");
            cJSON_AddStringToObject(props, "category", f->rule->category);
            cJSON *tags = cJSON_AddArrayToObject(props, "tags");
            cJSON_AddItemToArray(tags, cJSON_CreateString(f->rule->category));
            cJSON_AddItemToArray(rules, ro);
        }
        cJSON *auto_ = cJSON_AddObjectToObject(run, "automationDetails");
        hf_buf id = HF_BUF_INIT;
        hf_buf_printf(&id, "handoff/%s/", rep->repo);
        cJSON_AddStringToObject(auto_, "id", hf_buf_cstr(&id));
        hf_buf_free(&id);
        cJSON_AddStringToObject(run, "columnKind", "unicodeCodePoints");
        cJSON *results = cJSON_AddArrayToObject(run, "results");
        for (size_t i = 0; i < rep->findings.len; i++) {
            const hf_finding *f = rep->findings.items[i];
            size_t k = 0;
            while (seen.items[k] != f->rule)
                k++;
            cJSON *res = cJSON_CreateObject();
            cJSON_AddStringToObject(res, "ruleId", f->rule->id);
            cJSON_AddNumberToObject(res, "ruleIndex", (double)k);
            cJSON_AddStringToObject(res, "level", severity_name(f));
            cJSON *msg = cJSON_AddObjectToObject(res, "message");
            cJSON_AddStringToObject(msg, "text", f->message);
            cJSON *locs = cJSON_AddArrayToObject(res, "locations");
            cJSON *loc = cJSON_CreateObject();
            cJSON *phys = cJSON_AddObjectToObject(loc, "physicalLocation");
            cJSON *art = cJSON_AddObjectToObject(phys, "artifactLocation");
            cJSON_AddStringToObject(art, "uri", f->path);
            cJSON *region = cJSON_AddObjectToObject(phys, "region");
            cJSON_AddNumberToObject(region, "startLine", f->line);
            cJSON_AddNumberToObject(region, "startColumn", f->column);
            cJSON_AddItemToArray(locs, loc);
            /* Stable across runs while the offending line's text stays the
             * same, even when lines above it move. */
            hf_buf fp = HF_BUF_INIT;
            hf_buf_printf(&fp, "%s\n%s\n%s", f->rule->id, f->path, f->excerpt);
            char hex[17];
            snprintf(hex, sizeof(hex), "%016llx",
                     (unsigned long long)hf_hash_fnv1a64(fp.ptr, fp.len));
            hf_buf_free(&fp);
            cJSON *fps = cJSON_AddObjectToObject(res, "partialFingerprints");
            cJSON_AddStringToObject(fps, "handoffFinding/v1", hex);
            if (f->state == HF_FINDING_EXCEPTED) {
                cJSON *sups = cJSON_AddArrayToObject(res, "suppressions");
                cJSON *sup = cJSON_CreateObject();
                cJSON_AddStringToObject(sup, "kind", "external");
                hf_buf why = HF_BUF_INIT;
                hf_buf_printf(&why, "handoff exception %s (%s)", f->exception->id,
                              f->exception->issue ? f->exception->issue : "");
                cJSON_AddStringToObject(sup, "justification", hf_buf_cstr(&why));
                hf_buf_free(&why);
                cJSON_AddItemToArray(sups, sup);
            }
            cJSON_AddItemToArray(results, res);
        }
        hf_vec_free(&seen, NULL);
        cJSON_AddItemToArray(runs, run);
    }
    char *text = cJSON_Print(root);
    fputs(text, out);
    fputc('\n', out);
    free(text);
    cJSON_Delete(root);
}

void hf_check_report_write(FILE *out, const hf_vec *reports, hf_check_format fmt, int color)
{
    switch (fmt) {
    case HF_CHECK_TEXT:
        write_text(out, reports, color);
        break;
    case HF_CHECK_JSON:
        write_json(out, reports);
        break;
    case HF_CHECK_SARIF:
        write_sarif(out, reports);
        break;
    }
}
