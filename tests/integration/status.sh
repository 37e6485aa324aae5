#!/usr/bin/env bash
# handoff status against the fake GitHub and the loopback git server: one row
# per fleet repo with its PR state, its batch branch (human-modified, behind
# the base) and the last apply result; text, json and markdown; --repo,
# --family, --shard and --offline.
source "$(dirname "$0")/lib.sh"
source "$HF_SOURCE_ROOT/tests/apply-config/harness.sh"

TENANT=acme/odoo-tenant-cm DOCKER=acme/odoo-docker AI=acme/odoo-ai
row() { grep "^$1 " "$HF_TMP/out" | tr -s ' '; }
json_repo() { jsq "JSON.stringify(d.repos.find(r => r.repo === '$1'))" <"$HF_TMP/out"; }

fresh
status
expect_eq "before any apply: exit 0" 0 "$rc"
expect_eq "before any apply: no PR, no branch, no result" "$TENANT - none - - -" "$(row $TENANT)"

apply
expect_eq "apply for status: exit 0" 0 "$rc"
git_clear_log
status
expect_eq "after apply: exit 0" 0 "$rc"
expect_eq "one info/refs per fetch, never a 401" "3 0" "$(info_refs) $(git_401s)"
tenant_tip=$(tip odoo-tenant-cm "$BRANCH")
row $TENANT >"$HF_TMP/row"
expect_grep "text: PR number, draft state and branch tip" "^$TENANT #1 draft ${tenant_tip:0:12} - created 20" "$HF_TMP/row"
expect_grep "text: the PR URL" "https://github.com/acme/odoo-tenant-cm/pull/1" "$HF_TMP/out"
expect_eq "text: a repo without PR" "$AI - none - - no-changes" "$(row $AI | cut -d' ' -f1-6)"

# A person's commit on one branch, a moved base on another, a closed PR, a
# merged PR.
as_person odoo-docker "$BRANCH" "A reviewer's fix" sh -c 'echo fix >FIX.md'
as_person odoo-tenant-cm main "Work on main" sh -c 'echo notes >NOTES.md'
http PATCH /repos/$TENANT/pulls/1 '{"state":"closed"}' >/dev/null
http POST /_control/pulls "{\"repo\":\"$AI\",\"head\":\"$BRANCH\",\"base\":\"main\",\"title\":\"old\",\"state\":\"closed\",\"merged\":true}" >/dev/null
status --format json
expect_eq "json: exit 0" 0 "$rc"
expect_eq "json: closed PR, behind the base" '{"number":1,"state":"closed","behind":true,"human":false,"last":"created"}' \
    "$(json_repo $TENANT | jsq 'JSON.stringify({number: d.pr.number, state: d.state, behind: d.branch.behind_base, human: d.branch.human_modified, last: d.last.result})')"
expect_eq "json: human-modified branch" true "$(json_repo $DOCKER | jsq 'd.branch.human_modified')"
expect_eq "json: merged PR" merged "$(json_repo $AI | jsq 'd.state')"
expect_eq "json: PR state asked of the forge" forge "$(json_repo $DOCKER | jsq 'd.source')"
status
expect_grep "text: human-modified flag" "^$DOCKER #1 draft [0-9a-f]* human-modified" <(row $DOCKER)
expect_grep "text: behind-base flag" "^$TENANT #1 closed [0-9a-f]* behind-base" <(row $TENANT)

status --format markdown
expect_grep "markdown: table header" '^| repo | PR | state | branch | flags | last result |$' "$HF_TMP/out"
expect_grep "markdown: a row with the PR link" "^| \`$DOCKER\` | \[#1\](https://github.com/acme/odoo-docker/pull/1) | draft | " "$HF_TMP/out"

# -j: the repos are asked about in parallel. Each repo's PR lookup is
# answered 2 s late: one worker sends them 2 s apart, three overlap them.
delayed='{"method":"GET","path":"^/repos/acme/[^/]+/pulls$","kind":"delay","seconds":2,"times":3}'
spread() { forge_log | jsq '((t) => (Math.max(...t) - Math.min(...t)).toFixed(2))(d.requests.filter(r => r.fault === "delay").map(r => r.time))'; }
forge_clear_log
inject "$delayed"
status -j 1 --format json
cp "$HF_TMP/out" "$HF_TMP/j1.json"
one=$(spread)
forge_clear_log
inject "$delayed"
status -j 3 --format json
three=$(spread)
if awk "BEGIN { exit !($one >= 4) }"; then ok "-j 1: one repo at a time (${one} s between the first and last lookup)"; else
    not_ok "-j 1: one repo at a time" "lookups ${one} s apart"; fi
if awk "BEGIN { exit !($three < 2) }"; then ok "-j 3: the lookups overlap (${three} s apart)"; else
    not_ok "-j 3: the lookups overlap" "lookups ${three} s apart"; fi
expect_eq "-j 3: the same report, in fleet order" "$(cat "$HF_TMP/j1.json")" "$(cat "$HF_TMP/out")"

# Selection.
status --family image
expect_eq "--family: only that family" "$DOCKER" "$(tail -n +2 "$HF_TMP/out" | grep -v '^ ' | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//')"
status --repo "$AI"
expect_eq "--repo: only that repo" "$AI" "$(tail -n +2 "$HF_TMP/out" | grep -v '^ ' | cut -d' ' -f1)"
status --shard 1/2 --format json
s1=$(jsq 'd.repos.map(r => r.repo).join(" ")' <"$HF_TMP/out")
status --shard 2/2 --format json
s2=$(jsq 'd.repos.map(r => r.repo).join(" ")' <"$HF_TMP/out")
expect_eq "--shard: the two halves cover the fleet once" "$AI $DOCKER $TENANT" \
    "$(echo "$s1 $s2" | tr ' ' '\n' | grep . | sort | tr '\n' ' ' | sed 's/ $//')"

# --offline: the journal only.
forge_clear_log
git_clear_log
status --offline --format json
expect_eq "--offline: exit 0" 0 "$rc"
expect_eq "--offline: no API request, no fetch" "0 0" \
    "$(forge_log | jsq 'd.requests.length') $(wc -l <"$HF_TMP/git.log" | tr -d ' ')"
expect_eq "--offline: the journal's PR state" "draft state" \
    "$(json_repo $TENANT | jsq 'd.state + " " + d.source')"

# No token: branches from a fetch, PRs from the journal.
# No token: branches from a fetch (here of the bare repos themselves), PRs
# from the journal.
rc=0
GITHUB_TOKEN='' run_handoff "$HF_TMP/out" "$HF_TMP/err" -C "$CFG" --cache "$CACHE" status \
    --forge-api "$FORGE" --state "$STATE" --source "$TENANT=$REPOS/odoo-tenant-cm.git" \
    --source "$DOCKER=$REPOS/odoo-docker.git" --source "$AI=$REPOS/odoo-ai.git" || rc=$?
expect_eq "no token: exit 0" 0 "$rc"
expect_grep "no token: says where the PR state comes from" "state journal" "$HF_TMP/err"
expect_grep "no token: the journal's PR, the fetched branch's flags" "^$DOCKER #1 draft [0-9a-f]* human-modified" <(row $DOCKER)

# A repo that cannot be fetched: exit 1, the others still reported.
mv "$REPOS/odoo-ai.git" "$REPOS/odoo-ai.moved"
status
expect_eq "unreachable repo: exit 1" 1 "$rc"
expect_grep "unreachable repo: named in the error" "acme/odoo-ai" "$HF_TMP/err"
expect_grep "unreachable repo: the others reported" "^$DOCKER  *#1" "$HF_TMP/out"
mv "$REPOS/odoo-ai.moved" "$REPOS/odoo-ai.git"

status --format yaml
expect_eq "bad --format: exit 2" 2 "$rc"

leaks=$(grep -rl -- "$TOKEN" "$HF_TMP/all-output" "$STATE" "$CACHE" 2>/dev/null || true)
expect_eq "the token is in no output, journal or cache" "" "$leaks"
finish
