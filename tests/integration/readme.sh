#!/usr/bin/env bash
# Runs every example in README.md's ```console blocks from the source root:
# each "$ handoff ..." line is run with the built binary; the lines after it
# are its expected output (stdout and stderr together), compared exactly. A
# line "..." ends the comparison there (the rest is elided in the README); a
# line "[exit status N]" gives the expected exit status (default 0).
source "$(dirname "$0")/lib.sh"
cd "$HF_SOURCE_ROOT"
# the examples use the sample fleet that scripts/setup builds
[ -d build/sample-fleet/odoo-docker.git ] || scripts/make-sample-fleet build/sample-fleet >/dev/null

n=0
check_example() {
    local cmd=$1 expected=$2 want=0 prefix_only=0
    if grep -q '^\[exit status [0-9]\]$' <<<"$expected"; then
        want=$(sed -n 's/^\[exit status \([0-9]\)\]$/\1/p' <<<"$expected")
        expected=$(grep -v '^\[exit status [0-9]\]$' <<<"$expected")
    fi
    if grep -qx '\.\.\.' <<<"$expected"; then
        prefix_only=1
        expected=$(sed '/^\.\.\.$/,$d' <<<"$expected")
    fi
    local rc=0
    local got
    got=$(eval "\"\$HANDOFF\" ${cmd#handoff }" 2>&1) || rc=$?
    if [ "$prefix_only" -eq 1 ]; then
        got=$(head -n "$(wc -l <<<"$expected")" <<<"$got")
    fi
    n=$((n + 1))
    if [ "$rc" -ne "$want" ]; then
        not_ok "README: $cmd" "exit $rc, want $want" "$got"
    elif [ "$got" != "$expected" ]; then
        not_ok "README: $cmd" "$(diff <(echo "$expected") <(echo "$got"))"
    else
        ok "README: $cmd"
    fi
}

in_block=0 cmd="" expected=""
while IFS= read -r line || [ -n "$line" ]; do
    if [ "$in_block" -eq 0 ]; then
        [ "$line" = '```console' ] && in_block=1 cmd="" expected=""
        continue
    fi
    if [ "$line" = '```' ] || [[ "$line" == '$ '* ]]; then
        [ -n "$cmd" ] && check_example "$cmd" "$expected"
        cmd="" expected=""
        if [ "$line" = '```' ]; then in_block=0; continue; fi
        cmd=${line#\$ }
        continue
    fi
    expected+="${expected:+$'\n'}$line"
done <README.md
if [ "$n" -ge 4 ]; then ok "README has $n examples"; else not_ok "README examples" "only $n found"; fi
finish
