#!/usr/bin/env bash
# handoff status --sync-issue against the fake GitHub and the loopback git
# server: the dashboard block is appended to an issue a person wrote, then
# rewritten in place while the person's text around it stays byte for byte
# (the fake GitHub refuses any PATCH that changes it, and records it); a run
# with nothing new sends no PATCH; PR and findings changes reach the block;
# malformed markers, 403 and 500 are refused with errors naming the issue.
source "$(dirname "$0")/lib.sh"
source "$HF_SOURCE_ROOT/tests/apply-config/harness.sh"

DASH=acme/ops
BEGIN='<!-- handoff:status:begin fleet=apply-test -->'
END='<!-- handoff:status:end fleet=apply-test -->'

# sync ISSUE [ARGS...]: status --sync-issue over the test fleet; sets $rc.
sync() {
    local issue=$1
    shift
    rc=0
    run_handoff "$HF_TMP/out" "$HF_TMP/err" -C "$CFG" --cache "$CACHE" status \
        --sync-issue "$issue" --forge-api "$FORGE" --state "$STATE" "${SOURCES[@]}" "$@" || rc=$?
    cat "$HF_TMP/out" "$HF_TMP/err" >>"$HF_TMP/all-output"
}
# body N: the issue's body as a JSON string (every byte visible).
body() { forge_state | jsq "JSON.stringify(d.repos['$DASH'].issues.find(i => i.number === $1).body)"; }
# set_body N JSON-STRING: a person edits the issue in the web UI.
set_body() { http POST /_control/issues "{\"repo\":\"$DASH\",\"number\":$1,\"body\":$2}" >/dev/null; }
violations() { forge_state | jsq 'd.violations.length'; }
# issue_requests N: "METHOD status" of the requests about issue N, in order.
issue_requests() {
    forge_log | jsq "d.requests.filter(r => r.path === '/repos/$DASH/issues/$1').map(r => r.method + ' ' + r.status).join(', ')"
}
patches() { forge_log | jsq 'd.requests.filter(r => r.method === "PATCH").length'; }
# js EXPR: EXPR with b = the body of issue 1 (a string).
js() { body 1 | jsq "((b) => ($1))(d)"; }

fresh
apply
expect_eq "apply for the dashboard: exit 0" 0 "$rc"
intro='Weekly ops notes.\n\nPlease keep this issue **open**; handoff keeps the block below true.'
http POST /_control/issues "{\"repo\":\"$DASH\",\"title\":\"Fleet dashboard\",\"body\":\"$intro\"}" >/dev/null

# 1. The first sync appends the block after the person's text.
forge_clear_log
sync "$DASH#1" --today 2026-06-01
expect_eq "first sync: exit 0" 0 "$rc"
expect_eq "first sync: says it added the block" "issue $DASH#1: added" "$(cat "$HF_TMP/out")"
expect_eq "first sync: the person's text is kept, then a blank line, then the block" true \
    "$(js "b.startsWith(\"${intro}\\n\\n$BEGIN\\n\") && b.endsWith('$END')")"
expect_eq "first sync: one PATCH" 1 "$(patches)"
expect_eq "first sync: the issue was read before the fleet, and once more before the edit" \
    "GET 200, GET 304, PATCH 200" "$(issue_requests 1)"
body 1 | jsq 'd' >"$HF_TMP/block1"
expect_grep "block: the date" '^_Updated 2026-06-01 by `handoff status --sync-issue`' "$HF_TMP/block1"
expect_grep "block: the heading names the fleet" '^### handoff status: apply-test$' "$HF_TMP/block1"
expect_grep "block: PRs by state" '^\*\*Pull requests\*\* (3 repos): 2 draft, 1 none' "$HF_TMP/block1"
expect_grep "block: no open findings" '^\*\*Open contract findings\*\*: none$' "$HF_TMP/block1"
expect_grep "block: the owner matrix with live columns" \
    '^| repo | family | contexts | product | surface | owner | link | open findings | pull request |$' \
    "$HF_TMP/block1"
expect_grep "block: a repo's PR link and state" \
    '\[#1\](https://github.com/acme/odoo-tenant-cm/pull/1) draft |$' "$HF_TMP/block1"

# 2. A person rewrites the text around the block (CRLF, as the web editor
# sends); a PR is closed. The next sync rewrites the block alone.
edited=$(js "JSON.stringify('Edited intro\\r\\nwith CRLF\\r\\n\\r\\n' + b.slice(b.indexOf('$BEGIN')) + '\\r\\n\\r\\n> a footer a person added\\r\\n')")
set_body 1 "$edited"
http PATCH /repos/acme/odoo-tenant-cm/pulls/1 '{"state":"closed"}' >/dev/null
forge_clear_log
sync "$DASH#1" --today 2026-06-02
expect_eq "second sync: exit 0" 0 "$rc"
expect_eq "second sync: updated" "issue $DASH#1: updated" "$(cat "$HF_TMP/out")"
expect_eq "second sync: one PATCH" 1 "$(patches)"
expect_eq "second sync: the text before and after the block is the person's, byte for byte" true \
    "$(js "b.startsWith('Edited intro\\r\\nwith CRLF\\r\\n\\r\\n$BEGIN\\r\\n') && b.endsWith('$END\\r\\n\\r\\n> a footer a person added\\r\\n')")"
expect_eq "second sync: the block follows the body's CRLF" false "$(js "/[^\\r]\\n/.test(b)")"
expect_eq "second sync: the closed PR is in the block" true \
    "$(js "b.includes('[#1](https://github.com/acme/odoo-tenant-cm/pull/1) closed |')")"
expect_eq "second sync: the new date" true "$(js "b.includes('_Updated 2026-06-02 by')")"
expect_eq "the fake GitHub saw no edit outside the markers" 0 "$(violations)"

# 3. Nothing new (only the date, and -j 3): no PATCH at all.
before=$(body 1)
forge_clear_log
sync "$DASH#1" --today 2026-06-03 -j 3
expect_eq "no change: exit 0" 0 "$rc"
expect_eq "no change: says unchanged" "issue $DASH#1: unchanged" "$(cat "$HF_TMP/out")"
expect_eq "no change: zero PATCH requests" 0 "$(patches)"
expect_eq "no change: the second read of the issue is a 304" "GET 200, GET 304" "$(issue_requests 1)"
expect_eq "no change: the body is as it was (the date too)" "$before" "$(body 1)"

# As the fleet's GitHub App: installation tokens for the fetches, the PRs
# and the issue alike; still nothing to change.
saved=$GITHUB_TOKEN
unset GITHUB_TOKEN
forge_clear_log
sync "$DASH#1" --today 2026-06-03 --app-id "$APP_ID" --app-key "$APP_KEY"
export GITHUB_TOKEN=$saved
expect_eq "as the App: exit 0" 0 "$rc"
expect_eq "as the App: unchanged" "issue $DASH#1: unchanged" "$(cat "$HF_TMP/out")"
expect_eq "as the App: the issue read with an installation token" "installation" \
    "$(forge_log | jsq "d.requests.filter(r => r.path === '/repos/$DASH/issues/1').map(r => r.credential.split(':')[0]).join(' ')" | tr ' ' '\n' | sort -u)"

# 4. A reopened PR and a new finding on a base branch reach the block.
http PATCH /repos/acme/odoo-tenant-cm/pulls/1 '{"state":"open"}' >/dev/null
as_person odoo-tenant-cm main "Clean the runner" sh -c \
    'mkdir -p .github/workflows && printf "on: push\njobs:\n  clean:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker system prune -af\n" >.github/workflows/clean.yml'
forge_clear_log
sync "$DASH#1" --today 2026-06-04
expect_eq "PR and findings change: updated" "issue $DASH#1: updated" "$(cat "$HF_TMP/out")"
expect_eq "PR and findings change: one PATCH" 1 "$(patches)"
expect_eq "PR and findings change: the PR is draft again, its base moved" true \
    "$(js "b.includes('[#1](https://github.com/acme/odoo-tenant-cm/pull/1) draft, behind base |')")"
expect_eq "PR and findings change: open findings by category" true \
    "$(js "b.includes('**Open contract findings**: runner-hygiene: 1 (in 1 repo)')")"
expect_eq "the fake GitHub still saw no edit outside the markers" 0 "$(violations)"

# A repo that cannot be fetched: the block still tells the rest, and says
# which repo it could not check; exit 1.
mv "$REPOS/odoo-ai.git" "$REPOS/odoo-ai.moved"
sync "$DASH#1" --today 2026-06-04
mv "$REPOS/odoo-ai.moved" "$REPOS/odoo-ai.git"
expect_eq "unreachable repo: exit 1" 1 "$rc"
expect_eq "unreachable repo: the block is updated all the same" "issue $DASH#1: updated" "$(cat "$HF_TMP/out")"
expect_grep "unreachable repo: named in the error" "acme/odoo-ai" "$HF_TMP/err"
expect_eq "unreachable repo: the block says it was not checked" true \
    "$(js "b.includes('**Not checked this run** (could not be fetched or asked about): \`acme/odoo-ai\`')")"
sync "$DASH#1" --today 2026-06-04
expect_eq "reachable again: the note is gone" "0 false" "$rc $(js "b.includes('Not checked')")"

# 5. Malformed markers: refused, nothing sent but the read.
good=$(body 1)
set_body 1 "$(js "JSON.stringify(b.replace('$END', ''))")"
broken=$(body 1)
forge_clear_log
sync "$DASH#1"
expect_eq "begin without end: exit 1" 1 "$rc"
expect_grep "begin without end: the error names the issue and the marker" \
    "issue $DASH#1: the body has the begin marker $BEGIN but not its end marker" "$HF_TMP/err"
expect_eq "begin without end: only the issue was read (no fetch, no PATCH)" "GET 200" \
    "$(forge_log | jsq 'd.requests.map(r => r.method + " " + r.status).join(", ")')"
expect_eq "begin without end: the body is untouched" "$broken" "$(body 1)"
set_body 1 "$(echo "$good" | jsq "JSON.stringify(d + '\\n$BEGIN\\nagain\\n')")"
sync "$DASH#1"
expect_eq "two begin markers: exit 1" 1 "$rc"
expect_grep "two begin markers: says so" "has the begin marker $BEGIN twice" "$HF_TMP/err"
set_body 1 "$good"

# 6. An issue without markers in the body, and one that does not exist.
http POST /_control/issues "{\"repo\":\"$DASH\",\"title\":\"Empty\"}" >/dev/null
sync "$DASH#2" --today 2026-06-04
expect_eq "an empty issue: the block alone" "issue $DASH#2: added" "$(cat "$HF_TMP/out")"
expect_eq "an empty issue: the body starts with the begin marker" true \
    "$(body 2 | jsq "d.startsWith('$BEGIN\\n###')")"
# a body GitHub would refuse as too long: refused before the PATCH
http POST /_control/issues "{\"repo\":\"$DASH\",\"title\":\"Long\",\"body\":\"$(printf 'x%.0s' $(seq 65500))\"}" >/dev/null
forge_clear_log
sync "$DASH#3"
expect_eq "a body over GitHub's limit: exit 1" 1 "$rc"
expect_grep "a body over GitHub's limit: says so" \
    "issue $DASH#3: with the block its body would be [0-9]* characters, more than GitHub's 65536" "$HF_TMP/err"
expect_eq "a body over GitHub's limit: no PATCH" 0 "$(patches)"
sync "$DASH#99"
expect_eq "no such issue: exit 1" 1 "$rc"
expect_grep "no such issue: says so" \
    "issue $DASH#99: GET /repos/$DASH/issues/99: 404 Not Found.*(no such issue, or the token cannot see $DASH)" \
    "$HF_TMP/err"

# 7. The forge refuses: 403 on the read, 403 on the edit, 500s.
inject "{\"method\":\"GET\",\"path\":\"^/repos/$DASH/issues/1$\",\"kind\":\"forbidden\"}"
sync "$DASH#1"
expect_eq "403 on the read: exit 1" 1 "$rc"
expect_grep "403 on the read: names the issue and the permission" \
    "issue $DASH#1: GET /repos/$DASH/issues/1: 403 Forbidden: Resource not accessible by integration.*Issues read permission on $DASH" \
    "$HF_TMP/err"
http PATCH /repos/acme/odoo-tenant-cm/pulls/1 '{"state":"closed"}' >/dev/null
inject "{\"method\":\"PATCH\",\"path\":\"^/repos/$DASH/issues/1$\",\"kind\":\"forbidden\"}"
sync "$DASH#1" --today 2026-06-05
expect_eq "403 on the edit: exit 1" 1 "$rc"
expect_grep "403 on the edit: names the issue and the permission" \
    "issue $DASH#1: PATCH /repos/$DASH/issues/1: 403 .*Issues write permission on $DASH" "$HF_TMP/err"
expect_eq "403 on the edit: the body is as it was" "$good" "$(body 1)"
inject "{\"method\":\"PATCH\",\"path\":\"^/repos/$DASH/issues/1$\",\"kind\":\"500\",\"times\":6}"
sync "$DASH#1" --today 2026-06-05
expect_eq "500 until handoff gives up: exit 1" 1 "$rc"
expect_grep "500: names the issue and what GitHub said" \
    "issue $DASH#1: PATCH /repos/$DASH/issues/1: giving up after 6 tries: 500 Internal Server Error" \
    "$HF_TMP/err"
inject "{\"method\":\"PATCH\",\"path\":\"^/repos/$DASH/issues/1$\",\"kind\":\"502\"}"
sync "$DASH#1" --today 2026-06-05
expect_eq "a 502 once is retried: exit 0" 0 "$rc"
expect_eq "a 502 once is retried: updated" "issue $DASH#1: updated" "$(cat "$HF_TMP/out")"

# 8. Usage errors: nothing is asked of anyone.
forge_clear_log
for bad in "acme/ops" "acme/ops#0" "acme#1" "acme/ops#x" "../x#1"; do
    sync "$bad"
    expect_eq "--sync-issue '$bad': exit 2" 2 "$rc"
done
expect_grep "bad issue: says how to write one" "OWNER/REPO#N" "$HF_TMP/err"
sync "$DASH#1" --format json
expect_eq "--sync-issue with --format: exit 2" 2 "$rc"
sync "$DASH#1" --offline
expect_eq "--sync-issue with --offline: exit 2" 2 "$rc"
saved=$GITHUB_TOKEN
unset GITHUB_TOKEN
sync "$DASH#1"
export GITHUB_TOKEN=$saved
expect_eq "--sync-issue without a token: exit 2" 2 "$rc"
expect_grep "without a token: says what it needs" "needs a token" "$HF_TMP/err"
expect_eq "usage errors: no request reached the forge" 0 "$(forge_log | jsq 'd.requests.length')"

expect_eq "no PATCH ever changed text outside the markers" 0 "$(violations)"
leaks=$(grep -rl -- "$TOKEN" "$HF_TMP/all-output" "$STATE" "$CACHE" 2>/dev/null || true)
expect_eq "the token is in no output, journal or cache" "" "$leaks"
finish
