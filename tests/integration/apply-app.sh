#!/usr/bin/env bash
# handoff apply and status as a GitHub App (--app-id, --app-key) against the
# fake GitHub and the loopback git server: the JWT exchanged for an
# installation token, the token renewed in the middle of a run, git and the
# API both served by installation tokens, and the errors for a wrong key, a
# file that is no key and half the options. No token, JWT or key appears in
# any output, journal or cache.
source "$(dirname "$0")/lib.sh"
source "$HF_SOURCE_ROOT/tests/apply-config/harness.sh"

TENANT=acme/odoo-tenant-cm DOCKER=acme/odoo-docker
result_of() { grep "^$1: " "$HF_TMP/out" | head -n1 | sed 's/^[^:]*: \([a-z-]*\).*/\1/'; }
pulls() { forge_state | jsq "d.repos['$1'] ? d.repos['$1'].pulls : []"; }
# count JS-PREDICATE: requests in the forge log for which it holds (r is one)
count() { forge_log | jsq "d.requests.filter(r => $1).length"; }
minted() { http GET /_control/tokens | jsq 'd.tokens.length'; }
status_as_app() {
    local saved=$GITHUB_TOKEN
    unset GITHUB_TOKEN
    status --app-id "$APP_ID" --app-key "$APP_KEY" "$@"
    export GITHUB_TOKEN=$saved
}

# ---- 1. a first run as the App, its tokens expiring every few seconds ----------
fresh
# Tokens live 10 min 4 s; handoff wants 10 min left, so each is good for
# about 4 s of the run. The fake GitHub and the git server refuse a token
# once it has expired.
http POST /_control/config '{"token_lifetime":604}' >/dev/null
apply_as_app -j 1
expect_eq "as the App: exit 0" 0 "$rc"
expect_eq "as the App: both PRs created" "created created no-changes" \
    "$(result_of $TENANT) $(result_of $DOCKER) $(result_of acme/odoo-ai)"
expect_eq "as the App: the PRs are the App's" 'handoff-app[bot]' \
    "$(pulls $DOCKER | jsq 'd[0].user')"
expect_eq "every API request was taken" 0 "$(count 'r.auth !== "ok"')"
expect_eq "the JWT only spoke for the App" 0 \
    "$(count 'r.credential === "jwt" && !/\/installation$|^\/app\//.test(r.path)')"
expect_eq "everything else carried an installation token" 0 \
    "$(count 'r.credential !== "jwt" && !/^installation:/.test(r.credential)')"
expect_eq "the installation was looked up once for owner acme" 1 \
    "$(count 'r.path.endsWith("/installation")')"
n=$(minted)
if [ "$n" -ge 2 ]; then ok "tokens renewed in the middle of the run ($n minted)"; else
    not_ok "tokens renewed in the middle of the run" "$n minted"; fi
expect_eq "requests went out under more than one token" true \
    "$(forge_log | jsq 'new Set(d.requests.filter(r => /^installation:/.test(r.credential)).map(r => r.credential)).size >= 2')"
expect_eq "git: every fetch and push authenticated up front, no 401" "5 0" \
    "$(info_refs) $(git_401s)"
expect_eq "git: every request carried an installation token" 0 \
    "$(grep -vc 'auth=ok' "$HF_TMP/git.log" || true)"
expect_eq "the branch was pushed" 1 \
    "$(git --git-dir "$REPOS/odoo-docker.git" rev-list --count "main..$BRANCH")"

# ---- 2. converged: nothing sent but the token exchange ------------------------
forge_clear_log
git_clear_log
apply_as_app
expect_eq "re-run as the App: unchanged" "0 unchanged unchanged" \
    "$rc $(result_of $TENANT) $(result_of $DOCKER)"
expect_eq "re-run as the App: no mutation but the token exchange" 0 \
    "$(count 'r.method !== "GET" && !/\/access_tokens$/.test(r.path)')"
expect_eq "re-run as the App: nothing pushed" 0 "$(pushes)"

# ---- 3. status as the App, with -j ----------------------------------------------
http POST /_control/config '{"token_lifetime":3600}' >/dev/null
forge_clear_log
status_as_app -j 3 --format json
expect_eq "status as the App: exit 0" 0 "$rc"
expect_eq "status as the App: the PR from the forge" "1 forge" \
    "$(jsq "((r) => r.pr.number + ' ' + r.source)(d.repos.find(r => r.repo === '$DOCKER'))" <"$HF_TMP/out")"
expect_eq "status as the App: one token for the one owner" 1 \
    "$(count '/\/access_tokens$/.test(r.path)')"

# matrix --live as the App: the repos fetched and the PRs asked with
# installation tokens, nothing with a token of a person
forge_clear_log
rc=0
env -u GITHUB_TOKEN "$HANDOFF" -C "$CFG" --cache "$CACHE" matrix --live --format json \
    --forge-api "$FORGE" --state "$STATE" "${SOURCES[@]}" --app-id "$APP_ID" --app-key "$APP_KEY" \
    >"$HF_TMP/out" 2>"$HF_TMP/err" || rc=$?
cat "$HF_TMP/out" "$HF_TMP/err" >>"$HF_TMP/all-output"
expect_eq "matrix --live as the App: exit 0" 0 "$rc"
expect_eq "matrix --live as the App: the docker PR from the forge" "1" \
    "$(jsq "d.repos.find(r => r.repo === '$DOCKER').pull_request.number" <"$HF_TMP/out")"
expect_eq "matrix --live as the App: every API request carried the App's credentials" 0 \
    "$(count 'r.credential !== "jwt" && !/^installation:/.test(r.credential)')"

# ---- 4. the wrong key: refused once, said clearly, nothing touched ---------------
cp "$HF_TMP/forge/installation-tokens" "$HF_TMP/minted-tokens" # fresh forgets them
fresh
rc=0
env -u GITHUB_TOKEN "$HANDOFF" -C "$CFG" --cache "$CACHE" apply --today 2026-06-01 \
    --forge-api "$FORGE" --state "$STATE" "${SOURCES[@]}" --app-id "$APP_ID" \
    --app-key "$WRONG_KEY" >"$HF_TMP/out" 2>"$HF_TMP/err" || rc=$?
cat "$HF_TMP/out" "$HF_TMP/err" >>"$HF_TMP/all-output"
expect_eq "wrong key: exit 2" 2 "$rc"
expect_grep "wrong key: says the JWT was refused and why" \
    "GitHub App $APP_ID: GitHub refused the App's JWT (is --app-key the private key of App $APP_ID?): GET /repos/acme/odoo-tenant-cm/installation: 401 Unauthorized: A JSON web token could not be decoded" \
    "$HF_TMP/err"
expect_eq "wrong key: one request, no token minted, nothing fetched or pushed" "1 0 0" \
    "$(count true) $(minted) $(wc -l <"$HF_TMP/git.log" | tr -d ' ')"

# ---- 5. options that cannot work ----------------------------------------------------
forge_clear_log
printf 'not a key\n' >"$HF_TMP/not-a-key.pem"
apply --app-id "$APP_ID" --app-key "$HF_TMP/not-a-key.pem"
expect_eq "a file that is no key: exit 2" 2 "$rc"
expect_grep "a file that is no key: named" "--app-key $HF_TMP/not-a-key.pem: not a PEM private key" "$HF_TMP/err"
apply --app-id "$APP_ID"
expect_eq "--app-id without --app-key: exit 2" 2 "$rc"
expect_grep "--app-id without --app-key: said" "app-id and --app-key go together" "$HF_TMP/err"
apply --app-id my-app --app-key "$APP_KEY"
expect_eq "a non-numeric App id: exit 2" 2 "$rc"
expect_eq "bad options: nothing sent" 0 "$(count true)"

# ---- 6. no secret anywhere ------------------------------------------------------------
forge_log >"$HF_TMP/forge-log.json"
leaks=""
while read -r tok _; do
    [ -n "$tok" ] || continue
    hits=$(grep -rl -- "$tok" "$HF_TMP/all-output" "$HF_TMP"/state-*.json "$HF_TMP"/cache-* \
        "$HF_TMP/forge-log.json" "$HF_TMP/git.log" 2>/dev/null || true)
    leaks+=$hits
done <"$HF_TMP/minted-tokens"
key_line=$(sed -n 2p "$APP_KEY")
hits=$(grep -rlF -- "$key_line" "$HF_TMP/all-output" "$HF_TMP"/state-*.json "$HF_TMP"/cache-* 2>/dev/null || true)
leaks+=$hits
hits=$(grep -rl -- 'eyJhbGciOiJSUzI1NiIs' "$HF_TMP/all-output" "$HF_TMP"/state-*.json \
    "$HF_TMP"/cache-* "$HF_TMP/forge-log.json" 2>/dev/null || true)
leaks+=$hits
expect_eq "no installation token, key or JWT in any output, journal, cache or request log" "" "$leaks"
if [ -s "$HF_TMP/minted-tokens" ]; then ok "tokens were minted to look for"; else
    not_ok "tokens were minted to look for" "none"; fi

finish
