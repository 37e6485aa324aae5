# Shared helpers for the integration tests: each test is a bash script that
# runs the real binary ($HANDOFF) and asserts exit status and output.
set -euo pipefail

: "${HANDOFF:?HANDOFF must name the handoff binary}"
: "${HF_SOURCE_ROOT:?HF_SOURCE_ROOT must name the source tree}"

hf_pass=0
hf_fail=0
HF_TMP=$(mktemp -d /tmp/hf-it-XXXXXX)
trap 'rm -rf "$HF_TMP"' EXIT

# check NAME CONDITION-EXIT-STATUS: records a pass or a failure with a message.
ok() { hf_pass=$((hf_pass + 1)); echo "ok - $1"; }
not_ok() { hf_fail=$((hf_fail + 1)); echo "not ok - $1"; shift; printf '    %s\n' "$@"; }

# run_handoff OUTFILE ERRFILE ARGS...: runs handoff, returns its exit status.
run_handoff() {
    local out=$1 err=$2
    shift 2
    set +e
    "$HANDOFF" "$@" >"$out" 2>"$err"
    local rc=$?
    set -e
    return $rc
}

# need_npm WHAT: true when the npm test tools are installed; otherwise a skip,
# or a failure under CI (where scripts/setup must have installed them).
need_npm() {
    if [ -d "$HF_SOURCE_ROOT/node_modules" ] && command -v node >/dev/null; then return 0; fi
    if [ -n "${CI:-}" ]; then
        not_ok "$1" "node_modules is missing: scripts/setup runs npm ci (CI must have it)"
    else
        echo "skip - $1 (no node_modules: run npm ci in $HF_SOURCE_ROOT)"
    fi
    return 1
}

finish() {
    echo "$hf_pass passed, $hf_fail failed"
    [ "$hf_fail" -eq 0 ]
}
