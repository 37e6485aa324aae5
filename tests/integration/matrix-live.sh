#!/usr/bin/env bash
# handoff matrix --live against the fake GitHub and the loopback git server:
# each repo's open contract findings by category (from its base tree) and
# the state of its pull request, in Markdown and JSON.
source "$(dirname "$0")/lib.sh"
source "$HF_SOURCE_ROOT/tests/apply-config/harness.sh"

matrix() {
    rc=0
    run_handoff "$HF_TMP/out" "$HF_TMP/err" -C "$CFG" --cache "$CACHE" matrix --live \
        --forge-api "$FORGE" --state "$STATE" "${SOURCES[@]}" "$@" || rc=$?
    cat "$HF_TMP/out" "$HF_TMP/err" >>"$HF_TMP/all-output"
}

fresh
apply
expect_eq "apply for the live matrix: exit 0" 0 "$rc"
# a chore lands on the tenant's main: an open finding on its base tree
as_person odoo-tenant-cm main "Clean the runner" sh -c \
    'mkdir -p .github/workflows && printf "on: push\njobs:\n  clean:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker system prune -af\n" >.github/workflows/clean.yml'
matrix --format json
expect_eq "matrix --live: exit 0" 0 "$rc"
expect_eq "json: the tenant's PR, asked of the forge" '{"number":1,"state":"draft"}' \
    "$(jsq 'JSON.stringify((({number,state}) => ({number,state}))(d.repos.find(r => r.repo === "acme/odoo-tenant-cm").pull_request))' <"$HF_TMP/out")"
expect_eq "json: open findings by category on the base tree" '{"runner-hygiene":1}' \
    "$(jsq 'JSON.stringify(d.repos.find(r => r.repo === "acme/odoo-tenant-cm").findings)' <"$HF_TMP/out")"
expect_eq "json: excepted findings are not open" '{}' \
    "$(jsq 'JSON.stringify(d.repos.find(r => r.repo === "acme/odoo-docker").findings)' <"$HF_TMP/out")"
matrix
expect_eq "markdown: exit 0" 0 "$rc"
expect_grep "markdown: live columns" '^| repo | family | contexts | product | surface | owner | link | open findings | pull request |$' "$HF_TMP/out"
expect_grep "markdown: the PR link and state" '\[#1\](https://github.com/acme/odoo-tenant-cm/pull/1) draft' "$HF_TMP/out"

# without a token: the journal's word, and no request reaches the forge
forge_clear_log
rc=0
env -u GITHUB_TOKEN "$HANDOFF" -C "$CFG" --cache "$CACHE" matrix --live --format json \
    --forge-api "$FORGE" --state "$STATE" "${SOURCES[@]}" >"$HF_TMP/out" 2>"$HF_TMP/err" || rc=$?
# (the git server wants the token too: the repos cannot be fetched, exit 1)
expect_eq "no token: exit 1, the repos could not be fetched" 1 "$rc"
expect_grep "no token: says why" 'acme/odoo-tenant-cm: fetch from http://127.0.0.1:[0-9]*/odoo-tenant-cm.git: ' "$HF_TMP/err"
expect_eq "no token: the PR number from the journal" 1 \
    "$(jsq 'd.repos.find(r => r.repo === "acme/odoo-tenant-cm").pull_request.number' <"$HF_TMP/out")"
expect_eq "no token: no request to the forge" 0 "$(forge_log | jsq 'd.requests.length')"
rc=0
"$HANDOFF" -C "$CFG" matrix --source "acme/odoo-ai=$REPOS/odoo-ai.git" >/dev/null 2>"$HF_TMP/err" || rc=$?
expect_eq "--source without --live: usage error" 2 "$rc"
if grep -rqa "$TOKEN" "$HF_TMP/all-output" "$CACHE"; then not_ok "the token leaked"; else ok "the token appears in no output or cache file"; fi
finish
