#!/usr/bin/env bash
# Every malformed configuration case, through the real binary: `handoff
# validate` exits 2 and prints each expected file:line:col diagnostic on
# stderr, and nothing on stdout. templates/ holds the cases only the recipe
# template check (beyond the loader) catches.
source "$(dirname "$0")/lib.sh"

cases="$HF_SOURCE_ROOT/tests/config-cases"
for case in "$cases"/malformed/*.case "$cases"/templates/*.case; do
    name=$(basename "$case" .case)
    dir="$HF_TMP/$name"
    mkdir -p "$dir"
    cp "$cases"/base/* "$dir/"
    today=2026-11-27
    # apply the case's sections: "--- file NAME" bodies, "--- delete NAME", "--- today D"
    awk -v dir="$dir" '
        /^--- / { if (out) close(out); out = ""; sect = $2
                  if (sect == "file") { out = dir "/" $3; printf "" > out }
                  else if (sect == "delete") { system("rm -f \"" dir "/" $3 "\"") }
                  next }
        out { print >> out }' "$case"
    today=$(sed -n 's/^--- today //p' "$case")
    today=${today:-2026-11-27}
    expect="$dir.expect"
    sed -n '/^--- expect$/,$p' "$case" | tail -n +2 >"$expect"
    rc=0
    (cd "$dir" && "$HANDOFF" -C . validate --today "$today" >"$dir.out" 2>"$dir.err") || rc=$?
    missing=$(grep -vxF -f "$dir.err" "$expect" || true)
    if [ "$rc" -eq 2 ] && [ -z "$missing" ] && [ ! -s "$dir.out" ] && [ -s "$expect" ]; then
        ok "$name: exit 2 with its diagnostics"
    else
        not_ok "$name" "exit status $rc (want 2)" "missing: $missing" "stderr: $(cat "$dir.err")"
    fi
done

# The base configuration is valid, and says so on stdout.
rc=0
"$HANDOFF" -C "$cases/base" validate --today 2026-11-27 >"$HF_TMP/base.out" 2>"$HF_TMP/base.err" || rc=$?
if [ "$rc" -eq 0 ] && grep -qx "$cases/base: valid: 2 repos, 2 capabilities, 1 exception, 1 recipe, 1 rule" "$HF_TMP/base.out"; then
    ok "base configuration is valid"
else
    not_ok "base configuration" "exit $rc" "$(cat "$HF_TMP/base.out" "$HF_TMP/base.err")"
fi
finish
