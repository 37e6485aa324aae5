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
# A regular expression that nests unbounded repeats is a warning, not an
# error: validate still exits 0 and says where.
dir="$HF_TMP/nested"
mkdir -p "$dir"
cp "$cases"/base/* "$dir/"
cat >"$dir/tenant.recipe.yml" <<'YAML'
title: Tenant
applies-to:
  families: [tenant]
steps:
  - op: edit
    capability: artifact-publish
    files: [README.md]
    pattern: '(?:[^,\n]*,)*\s*DOKPLOY'
    replace: ""
YAML
rc=0
"$HANDOFF" -C "$dir" validate --today 2026-11-27 >"$dir.out" 2>"$dir.err" || rc=$?
if [ "$rc" -eq 0 ] && grep -q "^$dir/tenant.recipe.yml:8:14: warning: regular expression nests unbounded repeats" "$dir.err"; then
    ok "nested unbounded repeats: a warning with its place, exit 0"
else
    not_ok "nested unbounded repeats" "exit $rc" "$(cat "$dir.err")"
fi

# The shipped recipes: valid without a warning, every regular expression at
# most 200 characters, the tenant recipe at most 8 KB.
rc=0
"$HANDOFF" -C "$HF_SOURCE_ROOT/recipes" validate >"$HF_TMP/shipped.out" 2>"$HF_TMP/shipped.err" || rc=$?
if [ "$rc" -eq 0 ] && [ ! -s "$HF_TMP/shipped.err" ]; then
    ok "shipped recipes validate without warnings"
else
    not_ok "shipped recipes" "exit $rc" "$(cat "$HF_TMP/shipped.err")"
fi
long=$(python3 - "$HF_SOURCE_ROOT/recipes" <<'PY'
import glob, sys, yaml
tests = {"id", "name", "uses", "run", "if", "needs", "runs-on", "script", "text", "path",
         "with", "env", "secrets", "permissions", "pattern", "within"}
def walk(node, key, f):
    if isinstance(node, dict):
        for k, v in node.items():
            walk(v, k, f)
    elif isinstance(node, list):
        for v in node:
            walk(v, key, f)
    elif isinstance(node, str) and key in tests and len(node) > 200:
        print(f"{f}: {key}: {len(node)} characters")
for f in sorted(glob.glob(sys.argv[1] + "/*.recipe.yml") + glob.glob(sys.argv[1] + "/predicates.yml")):
    doc = yaml.safe_load(open(f))
    walk(doc.get("predicates", {}), None, f)
    for st in doc.get("steps", []):
        for k in ("where", "in-job", "drop-steps"):
            walk(st.get(k), None, f)
        for k in ("pattern", "within"):
            walk(st.get(k), k, f)
PY
)
if [ -z "$long" ]; then
    ok "no regular expression in the shipped recipes is longer than 200 characters"
else
    not_ok "regular expressions longer than 200 characters" "$long"
fi
size=$(wc -c <"$HF_SOURCE_ROOT/recipes/tenant-thin-requests.recipe.yml")
if [ "$size" -le 8192 ]; then
    ok "tenant-thin-requests is $size bytes (at most 8 KB)"
else
    not_ok "tenant-thin-requests is $size bytes (more than 8 KB)"
fi
finish
