/* libFuzzer target for the configuration loader: the input is the files of
 * a configuration directory, separated by "%%%%" lines, in the order
 * fleet.yml, capabilities.yml, exceptions.yml, contract.yml,
 * a.recipe.yml, b.recipe.yml (a file the input does not reach is absent).
 * Loading must end in a configuration or in diagnostics that each name a
 * place in one of those files, never in a crash, a leak or a hang. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/model.h"
#include "edit/template.h"
#include "fuzz_common.h"
#include "util/diag.h"

static const char *const names[] = {"fleet.yml",    "capabilities.yml", "exceptions.yml",
                                    "contract.yml", "a.recipe.yml",     "b.recipe.yml"};
#define NFILES (sizeof(names) / sizeof(names[0]))

static void check_diag(const hf_diag *d)
{
    /* every diagnostic names one of the files (or the directory) */
    const char *dir = hf_fuzz_dir();
    size_t dl = strlen(dir);
    if (!d->file || strncmp(d->file, dir, dl) != 0 || !d->msg || !*d->msg)
        abort();
    if (d->line < 0 || d->col < 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hf_fuzz_part parts[NFILES];
    size_t n = hf_fuzz_split(data, size, parts, NFILES);
    for (size_t i = 0; i < NFILES; i++)
        hf_fuzz_put(names[i], i < n ? &parts[i] : NULL);

    static FILE *sink;
    if (!sink)
        sink = fopen("/dev/null", "w");
    hf_config cfg;
    hf_diags diags = HF_DIAGS_INIT;
    hf_load_options opts = {.today = {2026, 11, 27}, .expired_is_error = size & 1};
    int rc = hf_config_load(&cfg, hf_fuzz_dir(), &opts, &diags);
    if ((rc == 0) != (diags.errors == 0))
        abort();
    hf_diags_sort(&diags);
    for (size_t i = 0; i < diags.items.len; i++)
        check_diag(diags.items.items[i]);
    hf_diags_print(&diags, sink);

    /* what plan does next with a loaded configuration: look things up and
     * list the variables of the templates it will render */
    for (size_t i = 0; rc == 0 && i < cfg.recipes.len; i++) {
        const hf_recipe *r = cfg.recipes.items[i];
        for (size_t s = 0; s < r->steps.len; s++) {
            const hf_step *st = r->steps.items[s];
            hf_vec vars = HF_VEC_INIT;
            hf_error err;
            if (st->content)
                hf_template_names(st->content, strlen(st->content), st->mark, &vars, &err);
            if (st->replacement)
                hf_template_names(st->replacement, strlen(st->replacement), st->mark, &vars,
                                  &err);
            hf_vec_free(&vars, free);
            if (st->capability && !hf_config_capability(&cfg, st->capability))
                abort();
            if (st->exception && !hf_config_exception(&cfg, st->exception))
                abort();
        }
    }
    for (size_t i = 0; rc == 0 && i < cfg.fleet.repos.len; i++) {
        const hf_repo *r = cfg.fleet.repos.items[i];
        if (hf_config_repo(&cfg, r->name) != r)
            abort();
        for (size_t e = 0; e < cfg.exceptions.len; e++)
            (void)hf_exception_covers(cfg.exceptions.items[e], r->name,
                                      ".github/workflows/a.yml", NULL);
    }
    hf_diags_free(&diags);
    hf_config_free(&cfg);
    return 0;
}
