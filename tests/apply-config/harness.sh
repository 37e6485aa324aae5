# Shared by tests/integration/apply.sh and status.sh (sourced after lib.sh):
# starts the fake GitHub (tests/fake-forge/server.mjs) and the loopback git
# smart-HTTP server over bare copies of the sample fleet, and gives the
# scripts small helpers to drive and inspect both. Node is required; without
# it the test is skipped (exit 77), unless CI is set, where it fails.
#
# The script's first argument picks how the git server refuses a request
# without credentials: "--git-401-body" answers 401 with a short HTML body,
# as nginx-fronted servers do; by default the 401 is empty, as GitHub's.

if ! command -v node >/dev/null 2>&1; then
    if [ -n "${CI:-}" ]; then
        echo "not ok - node is required for the fake GitHub server (CI is set)"
        exit 1
    fi
    echo "SKIP: node is not installed; the apply/status tests need the fake GitHub server"
    exit 77
fi
: "${HF_GIT_HTTP_SERVER:?HF_GIT_HTTP_SERVER must name the git server binary of tests/git-server}"

GIT_401_ARGS=()
case "${1:-}" in
"") ;;
--git-401-body) GIT_401_ARGS=(--401-body) ;;
*) echo "not ok - unknown harness argument '$1'"; exit 1 ;;
esac
CFG=$HF_SOURCE_ROOT/tests/apply-config
TOKEN=hf-test-token-7c0ffee5b1e2
REPOS=$HF_TMP/repos
BRANCH=handoff/apply-test
export GITHUB_TOKEN=$TOKEN

# git for the "people" of the tests, isolated from the user's configuration.
mkdir -p "$HF_TMP/home"
export HOME=$HF_TMP/home GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C TZ=UTC
export GIT_AUTHOR_NAME="A Person" GIT_AUTHOR_EMAIL=person@example.invalid
export GIT_COMMITTER_NAME="A Person" GIT_COMMITTER_EMAIL=person@example.invalid

hf_pids=()
hf_cleanup() {
    local p
    for p in "${hf_pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$HF_TMP"
}
trap hf_cleanup EXIT

# A GitHub App (id $APP_ID) whose key is $APP_KEY; $WRONG_KEY is another
# RSA key. The git server takes the installation tokens the fake GitHub
# mints, until they expire.
APP_ID=4242
APP_KEY=$HF_TMP/app-key.pem
WRONG_KEY=$HF_TMP/wrong-key.pem
node -e '
    const { generateKeyPairSync } = require("crypto");
    const fs = require("fs");
    for (const f of process.argv.slice(1)) {
        const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
        fs.writeFileSync(f, privateKey.export({ type: "pkcs1", format: "pem" }), { mode: 0o600 });
    }' "$APP_KEY" "$WRONG_KEY"

mkdir -p "$HF_TMP/forge"
: >"$HF_TMP/forge/installation-tokens"
node "$HF_SOURCE_ROOT/tests/fake-forge/server.mjs" --port 0 --state-dir "$HF_TMP/forge" \
    --token "$TOKEN" --app-id "$APP_ID" --app-key "$APP_KEY" --git-root "$REPOS" \
    >"$HF_TMP/forge.out" 2>"$HF_TMP/forge.err" &
hf_pids+=($!)
"$HF_GIT_HTTP_SERVER" --root "$REPOS" --user x-access-token --password "$TOKEN" \
    --tokens-file "$HF_TMP/forge/installation-tokens" "${GIT_401_ARGS[@]}" \
    --log "$HF_TMP/git.log" >"$HF_TMP/git.port" 2>"$HF_TMP/git.err" &
hf_pids+=($!)
for _ in $(seq 100); do
    [ -s "$HF_TMP/forge/port" ] && [ -s "$HF_TMP/git.port" ] && break
    sleep 0.1
done
[ -s "$HF_TMP/forge/port" ] || { echo "fake forge did not start: $(cat "$HF_TMP/forge.err")"; exit 1; }
[ -s "$HF_TMP/git.port" ] || { echo "git server did not start: $(cat "$HF_TMP/git.err")"; exit 1; }
FORGE=http://127.0.0.1:$(cat "$HF_TMP/forge/port")
GIT_URL=http://127.0.0.1:$(head -n1 "$HF_TMP/git.port")

SOURCES=()
for r in odoo-tenant-cm odoo-docker odoo-ai; do
    SOURCES+=(--source "acme/$r=$GIT_URL/$r.git")
done

# http METHOD PATH [BODY]: a request to the fake forge (the control API, or
# the API itself as a person with the token); prints the answer's body.
http() {
    node -e '
        const [m, u, b, tok] = process.argv.slice(1);
        const h = {"content-type": "application/json", "accept": "application/vnd.github+json",
                   "x-github-api-version": "2022-11-28", "user-agent": "handoff/test-person"};
        if (tok) h.authorization = "Bearer " + tok;
        fetch(u, {method: m, headers: h, body: b || undefined}).then(async r => {
            process.stdout.write(await r.text());
            if (r.status >= 400) process.exit(1);
        }, e => { console.error(String(e)); process.exit(1); });
    ' "$1" "$FORGE$2" "${3-}" "$TOKEN"
}

# jsq EXPR: prints EXPR evaluated with d = the JSON on stdin (strings raw).
jsq() {
    node -e '
        let s = "";
        process.stdin.on("data", c => s += c).on("end", () => {
            const d = JSON.parse(s);
            const v = (0, eval)("(d) => (" + process.argv[1] + ")")(d);
            console.log(typeof v === "string" ? v : JSON.stringify(v));
        });
    ' "$1"
}

forge_log() { http GET /_control/log; }
forge_state() { http GET /_control/state; }
forge_clear_log() { http DELETE /_control/log >/dev/null; }
inject() { http POST /_control/inject "$1" >/dev/null; }
# Mutating requests (not GET) in the forge log.
mutations() { forge_log | jsq 'd.requests.filter(r => r.method !== "GET").length'; }
# Lines of the git server log that are part of a push.
pushes() { grep -c 'git-receive-pack' "$HF_TMP/git.log" || true; }
# Requests that open a fetch or a push (the ref advertisement), and 401s.
info_refs() { grep -c ' /[^ ]*/info/refs?service=' "$HF_TMP/git.log" || true; }
git_401s() { grep -c ' status=401$' "$HF_TMP/git.log" || true; }
git_clear_log() { : >"$HF_TMP/git.log"; }

# fresh: new bare repos, a forgetful forge, an empty cache and journal.
fresh() {
    rm -rf "$REPOS"
    "$HF_SOURCE_ROOT/scripts/make-sample-fleet" "$REPOS" >/dev/null
    http POST /_control/reset >/dev/null
    CACHE=$HF_TMP/cache-$RANDOM
    STATE=$HF_TMP/state-$RANDOM.json
    git_clear_log
}

# apply ARGS...: handoff apply over the test fleet; sets $rc, output in
# $HF_TMP/out and $HF_TMP/err (and appended to $HF_TMP/all-output).
apply() {
    rc=0
    run_handoff "$HF_TMP/out" "$HF_TMP/err" -C "$CFG" --cache "$CACHE" apply --today 2026-06-01 \
        --forge-api "$FORGE" --state "$STATE" "${SOURCES[@]}" "$@" || rc=$?
    cat "$HF_TMP/out" "$HF_TMP/err" >>"$HF_TMP/all-output"
}

# apply_as_app ARGS...: apply as the GitHub App, with no token about.
apply_as_app() {
    local saved=$GITHUB_TOKEN
    unset GITHUB_TOKEN
    apply --app-id "$APP_ID" --app-key "$APP_KEY" "$@"
    export GITHUB_TOKEN=$saved
}

# status ARGS...: handoff status over the test fleet, like apply.
status() {
    rc=0
    run_handoff "$HF_TMP/out" "$HF_TMP/err" -C "$CFG" --cache "$CACHE" status \
        --forge-api "$FORGE" --state "$STATE" "${SOURCES[@]}" "$@" || rc=$?
    cat "$HF_TMP/out" "$HF_TMP/err" >>"$HF_TMP/all-output"
}

# as_person REPO BRANCH MESSAGE COMMAND...: a person commits on BRANCH of
# the bare repo REPO (odoo-docker, ...) with COMMAND run in a checkout.
as_person() {
    local repo=$1 branch=$2 msg=$3 wt=$HF_TMP/wt-$RANDOM
    shift 3
    git clone -q -b "$branch" "$REPOS/$repo.git" "$wt"
    (cd "$wt" && "$@")
    git -C "$wt" add -A
    git -C "$wt" commit -q -m "$msg"
    git -C "$wt" push -q origin "$branch"
    rm -rf "$wt"
}

# tip REPO REF: the commit REF points to in the bare repo ("" when absent).
tip() { git --git-dir "$REPOS/$1.git" rev-parse -q --verify "$2^{commit}" 2>/dev/null || true; }

# expect_eq NAME WANT GOT
expect_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "want: $2" "got:  $3"; fi
}
# expect_grep NAME PATTERN FILE
expect_grep() {
    if grep -q -- "$2" "$3"; then ok "$1"; else not_ok "$1" "no '$2' in:" "$(head -c 3000 "$3")"; fi
}
