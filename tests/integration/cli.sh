#!/usr/bin/env bash
# The command line itself: help, version, usage errors and their exit status.
source "$(dirname "$0")/lib.sh"
base="$HF_SOURCE_ROOT/tests/config-cases/base"

expect_run() { # NAME WANT-STATUS STDOUT-GREP STDERR-GREP ARGS...
    local name=$1 want=$2 outre=$3 errre=$4
    shift 4
    local rc=0
    "$HANDOFF" "$@" >"$HF_TMP/o" 2>"$HF_TMP/e" || rc=$?
    if [ "$rc" -ne "$want" ]; then
        not_ok "$name" "exit $rc, want $want" "stdout: $(head -c 400 "$HF_TMP/o")" "stderr: $(head -c 400 "$HF_TMP/e")"
    elif [ -n "$outre" ] && ! grep -qE -- "$outre" "$HF_TMP/o"; then
        not_ok "$name" "stdout lacks /$outre/" "$(head -c 400 "$HF_TMP/o")"
    elif [ -n "$errre" ] && ! grep -qE -- "$errre" "$HF_TMP/e"; then
        not_ok "$name" "stderr lacks /$errre/" "$(head -c 400 "$HF_TMP/e")"
    else
        ok "$name"
    fi
}

expect_run "--help lists the working commands" 0 '^  validate ' '' --help
expect_run "--help lists matrix" 0 '^  matrix ' '' --help
expect_run "--help lists apply" 0 '^  apply ' '' --help
expect_run "--help lists status" 0 '^  status ' '' --help
expect_run "--version" 0 '^handoff [0-9]+\.[0-9]+\.[0-9]+$' '' --version
expect_run "help validate" 0 '^usage: handoff validate' '' help validate
expect_run "validate --help" 0 '^usage: handoff validate' '' validate --help
expect_run "matrix --help" 0 '^usage: handoff matrix' '' matrix --help
expect_run "no command: usage on stderr, exit 2" 2 '' '^usage: handoff' 
expect_run "unknown command" 2 '' "unknown command 'frobnicate'" frobnicate
expect_run "unknown global option" 2 '' "unknown option" --frobnicate validate
expect_run "unknown command option" 2 '' "Try 'handoff validate --help'" validate --frobnicate
expect_run "bad --format" 2 '' "--format takes text or json, not 'yaml'" -C "$base" validate --format yaml
expect_run "bad --today" 2 '' "'2026-02-30' is not a day of that month" -C "$base" validate --today 2026-02-30
expect_run "bad -j" 2 '' "-j takes a number" -j 0 -C "$base" validate
expect_run "bad --color" 2 '' "--color takes auto, always or never" --color sometimes validate
expect_run "global options after the command" 0 'valid: 2 repos' '' validate -C "$base" --today 2026-11-27
expect_run "missing config dir" 2 '' 'no-such-dir: not a configuration directory' -C "$HF_TMP/no-such-dir" validate
expect_run "validate --format json" 0 '"valid":[[:space:]]*true' '' -C "$base" validate --format json --today 2026-11-27
expect_run "validate json on errors" 2 '"line":[[:space:]]*6' '' -C "$base" validate --format json --today 2027-07-01
expect_run "stray argument" 2 '' "unexpected argument 'extra'" -C "$base" validate extra
expect_run "matrix bad shard" 2 '' "need 1 <= K <= N" -C "$base" matrix --shard 3/2
expect_run "matrix shard syntax" 2 '' "--shard takes K/N" -C "$base" matrix --shard two
expect_run "matrix unknown family" 2 '' "unknown family 'tenantish' \(the fleet has: tenant, image, retired\)" -C "$base" matrix --family tenantish
expect_run "matrix repo glob matching nothing" 2 '' "--repo 'nobody/\*' matches no repo" -C "$base" matrix --repo 'nobody/*'
expect_run "matrix on an invalid config" 2 '' 'problem' -C "$HF_SOURCE_ROOT/tests" matrix
finish
