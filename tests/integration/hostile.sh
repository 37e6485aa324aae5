#!/usr/bin/env bash
# Hostile input end to end: the real binary through validate, plan and check
# on configurations and a repo built here (fixtures: tests/hostile/). Path
# traversal in every path-taking key, symlinks out of the repo, YAML alias
# bombs, catastrophic regexes, a 200 MB file, NUL bytes, invalid UTF-8 and
# CRLF. Every case asserts the exit status and the message, and that the
# source repo and the configuration are untouched; at the end no output,
# report, patch or cache holds the token.
source "$(dirname "$0")/lib.sh"
fixtures="$HF_SOURCE_ROOT/tests/hostile"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
token=ghp_hostileFAKEtoken0123456789abcdefXYZ
export GITHUB_TOKEN=$token
today=(--today 2026-11-27)
logs="$HF_TMP/logs"   # every stdout and stderr of handoff, for the token check
mkdir -p "$logs"
n=0

# --- the repo: symlinks out, NUL bytes, invalid UTF-8, a 200 MB sparse file,
# CRLF and alias-bomb workflows, a line that makes (a+)+$ backtrack --------
repo="$HF_TMP/app"
mkdir -p "$repo/.github/workflows" "$repo/scripts" "$repo/notes"
git -C "$repo" init -q -b main
printf 'name: Deploy\r\non: [push]\r\njobs:\r\n  deploy:\r\n    runs-on: ubuntu-latest\r\n    steps:\r\n      - run: ./old-deploy now\r\n  test:\r\n    runs-on: ubuntu-latest\r\n    steps:\r\n      - run: make test\r\n' >"$repo/.github/workflows/deploy.yml"
python3 - "$repo/.github/workflows/bomb.yml" <<'PY'
import sys
lines = ["a: &a [" + ", ".join(["lol"] * 9) + "]"]
for prev, cur in zip("abcdefgh", "bcdefghi"):
    lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
lines += ["jobs:", "  build:", "    runs-on: x", "    steps:", "      - run: ./old-deploy"]
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
printf '#!/bin/sh\necho hello\n' >"$repo/a.sh"
printf 'README\n' >"$repo/README.md"
python3 -c "print('a' * 40000 + 'b')" >"$repo/scripts/slow.sh"
ln -s /etc/passwd "$repo/link-passwd"
ln -s /etc "$repo/linkdir"
printf 'old-deploy\0with a NUL\n' >"$repo/notes/nul.txt"
printf 'old-deploy \xff\xfe not UTF-8\n' >"$repo/notes/bad-utf8.txt"
truncate -s 200M "$repo/notes/big.txt"
git -C "$repo" add -A
git -C "$repo" commit -qm 'hostile fixture'
source_arg=(--source "acme/app=$repo")

cp -r "$HF_SOURCE_ROOT/archive-templates" "$HF_TMP/archive-templates"
fresh_config() { # fresh_config DIR: the fixture configuration, untouched
    rm -rf "$1" && cp -r "$fixtures/config" "$1"
}
snapshot() { # the source repo (refs, objects, work tree) and the fixtures
    git -C "$repo" for-each-ref
    git -C "$repo" count-objects -v
    git -C "$repo" status --porcelain --ignored
    find "$repo" "$fixtures" -path "$repo/.git/index" -prune -o -printf '%p %s %y %l\n' | sort
    find "$repo" "$fixtures" -type f -not -name big.txt -not -path "$repo/.git/index" -print0 |
        sort -z | xargs -0 cat | sha1sum
}
snapshot >"$HF_TMP/before.snap"
cwd="$HF_TMP/cwd"
mkdir -p "$cwd"
cd "$cwd"

untouched() { # untouched NAME: the source repo and the fixtures did not change
    snapshot >"$HF_TMP/after.snap"
    if ! cmp -s "$HF_TMP/before.snap" "$HF_TMP/after.snap"; then
        not_ok "$1: source repo or fixtures changed" "$(diff "$HF_TMP/before.snap" "$HF_TMP/after.snap" | head -20)"
    elif [ -n "$(ls -A "$cwd")" ]; then
        not_ok "$1: files written to the working directory" "$(ls -A "$cwd")"
    else
        ok "$1: nothing else changed"
    fi
}

# hf NAME ARGS...: runs handoff within 60 s; sets rc, out, err (files)
hf() {
    local name=$1
    shift
    n=$((n + 1))
    out="$logs/$n.out" err="$logs/$n.err"
    set +e
    timeout 60 "$HANDOFF" "$@" >"$out" 2>"$err"
    rc=$?
    set -e
    if [ "$rc" -eq 124 ]; then not_ok "$name: did not finish within 60 s"; fi
}
# expect NAME STATUS PATTERN FILE: exit status and an extended regex in FILE
expect() {
    if [ "$rc" -eq "$2" ] && grep -qE -- "$3" "$4"; then
        ok "$1"
    else
        not_ok "$1" "exit $rc (want $2); want /$3/ in $(basename "$4")" "$(head -c 1500 "$out")" "$(head -c 1500 "$err")"
    fi
}

# --- path traversal in every path-taking key: refused by validate and plan,
# with file:line:col --------------------------------------------------------
values=('../x' '/etc/passwd' 'a\b' 'a/../../b' '{..,a}/x')
while IFS='|' read -r key kind file line; do
    case $key in '#'* | '') continue ;; esac
    for v in "${values[@]}"; do
        [ "$kind" = glob ] || [ "$v" != '{..,a}/x' ] || continue
        cfg="$HF_TMP/cfg-path"
        fresh_config "$cfg"
        printf '%s\n' "${line//@V@/$v}" >>"$cfg/$file"
        at=$(wc -l <"$cfg/$file")
        why="(\.\.|absolute|backslash)"
        hf "validate $key '$v'" -C "$cfg" validate "${today[@]}"
        expect "validate refuses $key: '$v'" 2 "^$cfg/$file:$at:[0-9]+: .*$why" "$err"
        hf "plan $key '$v'" -C "$cfg" plan --cache "$HF_TMP/cache-refused" --out "$HF_TMP/out-refused" "${today[@]}" "${source_arg[@]}"
        expect "plan refuses $key: '$v' before touching any repo" 2 "^$cfg/$file:$at:[0-9]+: .*$why" "$err"
        if [ -e "$HF_TMP/cache-refused" ] || [ -e "$HF_TMP/out-refused" ]; then
            not_ok "plan with a refused $key '$v' wrote a cache or an output"
            rm -rf "$HF_TMP/cache-refused" "$HF_TMP/out-refused"
        fi
    done
done <"$fixtures/path-keys.txt"
untouched "path traversal"

# --- YAML alias bombs and anchors in the configuration: refused -------------
cfg="$HF_TMP/cfg-bomb"
fresh_config "$cfg"
{
    echo 'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]'
    echo 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]'
    echo 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]'
    echo 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]'
    cat "$fixtures/config/contract.yml"
} >"$cfg/contract.yml"
hf "alias bomb" -C "$cfg" validate "${today[@]}"
expect "an alias bomb in contract.yml is refused at its first anchor" 2 "^$cfg/contract.yml:1:4: YAML anchors are not supported" "$err"
fresh_config "$cfg"
sed -i 's/^  - id: deploy$/  - \&cap id: deploy/' "$cfg/capabilities.yml"
hf "anchor" -C "$cfg" validate "${today[@]}"
expect "an anchor in capabilities.yml is refused" 2 "^$cfg/capabilities.yml:2:[0-9]+: YAML anchors are not supported" "$err"
fresh_config "$cfg"
printf 'base: *nothing\n' >>"$cfg/fleet.yml"
hf "alias" -C "$cfg" validate "${today[@]}"
expect "an alias in fleet.yml is refused" 2 "^$cfg/fleet.yml:[0-9]+:[0-9]+: " "$err"

# an alias bomb in a repo's workflow is never expanded: the job next to it is
# replaced in place, the bomb's lines stay as they are
cfg="$HF_TMP/cfg-wf-bomb"
fresh_config "$cfg"
echo '  - {op: replace-job, capability: deploy, files: [.github/workflows/bomb.yml], where: {id: "^build$"}, uses: acme/launchplane/.github/workflows/deploy.yml@main}' >>"$cfg/app.recipe.yml"
hf "workflow bomb" -C "$cfg" plan --cache "$HF_TMP/cache" --out "$HF_TMP/out-bomb" "${today[@]}" "${source_arg[@]}"
expect "plan edits next to a workflow alias bomb without expanding it" 0 '^\+    uses: acme/launchplane/.github/workflows/deploy.yml@main' "$out"
if ! grep -qE '^[-+][a-i]: &' "$out"; then ok "the bomb's anchors are byte-identical"; else not_ok "the bomb's lines changed" "$(cat "$out")"; fi
untouched "alias bombs"

# --- catastrophic regexes: a clear error naming the limit, no hang -----------
cfg="$HF_TMP/cfg-slow-rule"
fresh_config "$cfg"
cat >>"$cfg/contract.yml" <<'EOF'
  - id: slow
    category: runner-hygiene
    severity: error
    message: backtracks
    pattern: '(a+)+$'
EOF
hf "slow rule check" -C "$cfg" check --family app "$repo"
cat "$out" "$err" >"$logs/$n.all"
expect "check: a rule that backtracks hits the PCRE2 limit and says so" 1 "scripts/slow.sh: rule 'slow' hit the PCRE2 match or depth limit" "$logs/$n.all"
hf "slow rule plan" -C "$cfg" plan --cache "$HF_TMP/cache" "${today[@]}" "${source_arg[@]}"
expect "plan: the contract scan fails on the limit (repo error, exit 1)" 1 "error: contract scan: scripts/slow.sh: rule 'slow' hit the PCRE2 match or depth limit" "$out"
cfg="$HF_TMP/cfg-slow-edit"
fresh_config "$cfg"
echo "  - {op: edit, capability: deploy, files: [scripts/slow.sh], pattern: '(a+)+\$', replace: x}" >>"$cfg/app.recipe.yml"
hf "slow edit" -C "$cfg" plan --cache "$HF_TMP/cache" "${today[@]}" "${source_arg[@]}"
expect "plan: a recipe edit that backtracks is blocked naming the match limit" 3 "scripts/slow.sh: pattern '\(a\+\)\+\\$' .* failed: match limit exceeded \(the pattern backtracks catastrophically" "$out"
untouched "catastrophic regexes"

# --- files recipes may not edit: huge, binary, not UTF-8, links -------------
edit_case() { # edit_case NAME FILE PATTERN-OF-THE-REFUSAL
    cfg="$HF_TMP/cfg-edit"
    fresh_config "$cfg"
    echo "  - {op: edit, capability: deploy, files: ['$2'], pattern: old-deploy, replace: new-deploy}" >>"$cfg/app.recipe.yml"
    hf "$1" -C "$cfg" plan --cache "$HF_TMP/cache" --out "$HF_TMP/out-edit" "${today[@]}" "${source_arg[@]}"
    expect "$1" 3 "$3" "$out"
    if [ ! -e "$HF_TMP/out-edit/acme__app.patch" ]; then ok "$1: no patch"; else not_ok "$1: a patch was written"; fi
    rm -rf "$HF_TMP/out-edit"
}
edit_case "a 200 MB file is refused by size, unread" notes/big.txt 'notes/big.txt: 209715200 bytes is over the [0-9]+-byte limit for text edits'
edit_case "a file with NUL bytes is refused" notes/nul.txt 'notes/nul.txt: a binary file \(NUL byte\); binary files are never edited'
edit_case "a file with invalid UTF-8 is refused" notes/bad-utf8.txt 'notes/bad-utf8.txt:1:12: invalid UTF-8; only UTF-8 text is edited'
# a link that leads out of the repository is left alone, with a note
cfg="$HF_TMP/cfg-edit"
fresh_config "$cfg"
echo "  - {op: edit, capability: deploy, files: [link-passwd], pattern: root, replace: x}" >>"$cfg/app.recipe.yml"
hf "edit a link out" -C "$cfg" plan --cache "$HF_TMP/cache" --out "$HF_TMP/out-edit" "${today[@]}" "${source_arg[@]}"
expect "a symlink out of the repository is never edited through" 0 'link-passwd: a link that does not lead to a file of the repository; left alone' "$out"
if [ ! -e "$HF_TMP/out-edit/acme__app.patch" ]; then ok "a link out: no patch"; else not_ok "a link out: a patch was written"; fi
rm -rf "$HF_TMP/out-edit"
# peak memory, where it means something: GNU time present, no sanitizer
if [ -x /usr/bin/time ] && ! ldd "$HANDOFF" 2>/dev/null | grep -q 'libasan'; then
    cfg="$HF_TMP/cfg-edit"
    fresh_config "$cfg"
    /usr/bin/time -f '%M' -o "$HF_TMP/rss" "$HANDOFF" -C "$cfg" plan -q --cache "$HF_TMP/cache" "${today[@]}" "${source_arg[@]}" >"$logs/rss.out" 2>"$logs/rss.err" || true
    rss=$(tail -n 1 "$HF_TMP/rss")
    if [ "$rss" -lt 150000 ]; then ok "plan over a repo with a 200 MB file stays small (${rss} KiB)"; else not_ok "plan peak RSS ${rss} KiB with a 200 MB file"; fi
fi
hf "check big" -C "$fixtures/config" check --format json --family app "$repo"
expect "check skips the 200 MB file, the NUL file and the links (5 scanned)" 0 '"files_scanned":[[:space:]]*5,' "$out"
untouched "unreadable files"

# --- symlinks pointing outside: moved and deleted as links, never followed ---
cfg="$HF_TMP/cfg-links"
fresh_config "$cfg"
echo '  - {op: delete, capability: deploy, paths: [link-passwd]}' >>"$cfg/app.recipe.yml"
echo '  - {op: archive, capability: deploy, set: old, paths: [linkdir], reason: retired}' >>"$cfg/app.recipe.yml"
hf "links" -C "$cfg" plan --cache "$HF_TMP/cache" --out "$HF_TMP/out-links" "${today[@]}" "${source_arg[@]}"
patch="$HF_TMP/out-links/acme__app.patch"
expect "plan deletes and archives symlinks" 0 '^deleted file mode 120000$' "$patch"
expect "the deleted link's patch holds its target, not the file behind it" 0 '^-/etc/passwd$' "$patch"
expect "the archived directory link moves as a link" 0 '^diff --git a/archive/old/linkdir b/archive/old/linkdir$' "$patch"
if grep -A1 '^diff --git a/archive/old/linkdir ' "$patch" | grep -q '^new file mode 120000$'; then ok "archive/old/linkdir is a link to /etc"; else not_ok "archived link mode" "$(cat "$patch")"; fi
if ! grep -qE 'root:.*:0:0:' "$out" "$patch" "$HF_TMP/out-links/plan.json"; then ok "nothing read through a link"; else not_ok "/etc/passwd content in the plan"; fi
cfg="$HF_TMP/cfg-links2"
fresh_config "$cfg"
echo '  - {op: edit, capability: deploy, files: [linkdir/passwd], pattern: root, replace: x, expect: 1}' >>"$cfg/app.recipe.yml"
hf "edit through dir link" -C "$cfg" plan --cache "$HF_TMP/cache" "${today[@]}" "${source_arg[@]}"
expect "an edit never reaches into a symlinked directory" 3 'left: app step 2 \(.*\): expected 1 match, found 0' "$out"
fresh_config "$cfg"
echo '  - {op: write, capability: deploy, path: linkdir/new.txt, content: hi}' >>"$cfg/app.recipe.yml"
hf "write through dir link" -C "$cfg" plan --cache "$HF_TMP/cache" "${today[@]}" "${source_arg[@]}"
expect "a write never goes through a symlinked directory" 3 "linkdir/new.txt: 'linkdir' is a symbolic link \(never followed\)" "$out"
fresh_config "$cfg"
cat >>"$cfg/contract.yml" <<'EOF'
  - id: passwd
    category: runner-hygiene
    severity: error
    message: passwd line
    pattern: '^root:'
EOF
hf "check links" -C "$cfg" check --format json --family app "$repo"
expect "check never reads through a symlink" 0 '"error":[[:space:]]*0' "$out"
if ! grep -qE 'link-passwd|linkdir|root:' "$out"; then ok "check reports nothing behind the links"; else not_ok "check read through a link" "$(cat "$out")"; fi
untouched "symlinks"

# --- CRLF everywhere ----------------------------------------------------------
cfg="$HF_TMP/cfg-crlf"
fresh_config "$cfg"
echo '  - {op: replace-job, capability: deploy, files: [.github/workflows/deploy.yml], where: {id: "^deploy$"}, uses: acme/launchplane/.github/workflows/deploy.yml@main}' >>"$cfg/app.recipe.yml"
sed -i 's/$/\r/' "$cfg"/*.yml
hf "crlf validate" -C "$cfg" validate "${today[@]}"
expect "configuration files with CRLF line endings load" 0 'valid: 1 repo' "$out"
hf "crlf plan" -C "$cfg" plan --cache "$HF_TMP/cache" --out "$HF_TMP/out-crlf" "${today[@]}" "${source_arg[@]}"
expect "plan replaces a job in a CRLF workflow" 0 '^\+    uses: acme/launchplane/.github/workflows/deploy.yml@main' "$out"
clone="$HF_TMP/am-crlf"
git clone -q "$repo" "$clone"
wf="$clone/.github/workflows/deploy.yml"
if git -C "$clone" am -q --keep-cr "$HF_TMP/out-crlf/acme__app.patch" 2>"$logs/am.err" &&
    grep -q 'uses: acme/launchplane' "$wf" && [ "$(grep -c $'\r$' "$wf")" -eq "$(wc -l <"$wf")" ]; then
    ok "the edited CRLF workflow keeps CRLF on every line (git am --keep-cr)"
else
    not_ok "CRLF lost" "$(cat "$logs/am.err")" "$(cat -A "$wf")"
fi
rm -rf "$clone"
untouched "CRLF"

# --- the token is nowhere: stdout, stderr, patches, plan.json, summary.md,
# the cache ---------------------------------------------------------------------
if hits=$(grep -rlF -- "$token" "$logs" "$HF_TMP"/out-* "$HF_TMP"/cache* 2>/dev/null); then
    not_ok "the token appears in output" "$hits"
else
    ok "no stdout, stderr, patch, plan.json, summary.md or cache file holds the token"
fi
finish
