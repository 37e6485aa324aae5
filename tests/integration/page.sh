#!/usr/bin/env bash
# `handoff plan --format html` end to end: the review page of the sample
# fleet planned with the shipped recipes (as scripts/demo does), checked as
# a file (stdout and --out agree, one self-contained document) and in a real
# browser (page.mjs: Debian's headless chromium driven by playwright-core):
# the owner matrix cells, the fleet table rows, a diff hunk and its label,
# the filters, the keys, the page without JavaScript; then a repo whose file
# name and diff lines carry <script> and markup, which must show as text and
# never run. Screenshots go to build/meson-logs/page-screenshots/.
source "$(dirname "$0")/lib.sh"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
fleet="$HF_TMP/fleet"
"$HF_SOURCE_ROOT/scripts/make-sample-fleet" "$fleet" >/dev/null
shots="${HF_BUILD_ROOT:-$HF_TMP}/meson-logs/page-screenshots"
mkdir -p "$shots"
sources=(--source "cbusillo/odoo-tenant-cm=$fleet/odoo-tenant-cm.git"
    --source "cbusillo/odoo-docker=$fleet/odoo-docker.git"
    --source "cbusillo/odoo-ai=$fleet/odoo-ai.git")
repos=(odoo-tenant-cm odoo-docker odoo-ai)
cfg="$HF_SOURCE_ROOT/recipes"

# browser CHECKS...: runs page.mjs, folding its ok / not ok lines into ours
browser() {
    local out rc=0
    out=$(node "$HF_SOURCE_ROOT/tests/integration/page.mjs" "$@" 2>&1) || rc=$?
    printf '%s\n' "$out"
    hf_pass=$((hf_pass + $(grep -c '^ok - ' <<<"$out" || true)))
    hf_fail=$((hf_fail + $(grep -c '^not ok - ' <<<"$out" || true)))
    if [ "$rc" -ne 0 ] && ! grep -q '^not ok - ' <<<"$out"; then not_ok "page.mjs $1 exit $rc"; fi
}
have_browser() {
    need_npm "$1" || return 1
    if [ -x "${HF_CHROMIUM:-/usr/bin/chromium}" ]; then return 0; fi
    if [ -n "${CI:-}" ]; then
        not_ok "$1" "no /usr/bin/chromium: scripts/setup installs Debian's chromium (CI must have it)"
    else
        echo "skip - $1 (no /usr/bin/chromium: run scripts/setup)"
    fi
    return 1
}

# --- the sample fleet ----------------------------------------------------------
rc=0
"$HANDOFF" -C "$cfg" plan -q --cache "$HF_TMP/cache" --today 2026-11-27 "${sources[@]}" \
    --format html --out "$HF_TMP/out" "${repos[@]}" >"$HF_TMP/page.html" 2>"$HF_TMP/page.err" || rc=$?
if [ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]; then ok "plan --format html exits $rc"; else not_ok "plan --format html exit $rc" "$(cat "$HF_TMP/page.err")"; fi
if [ -s "$HF_TMP/page.html" ] && cmp -s "$HF_TMP/page.html" "$HF_TMP/out/index.html"; then
    ok "--format html on stdout and --out DIR/index.html are the same page"
else
    not_ok "stdout and index.html differ" "$(ls -la "$HF_TMP/out")"
fi
if [ "$(stat -c %a "$HF_TMP/out/index.html")" = 644 ] && ! ls "$HF_TMP/out" | grep -q tmp; then
    ok "index.html is renamed into place (mode 644, no temporary file left)"
else
    not_ok "index.html in place" "$(ls -la "$HF_TMP/out")"
fi
page="$HF_TMP/out/index.html"
if head -c 15 "$page" | grep -qx '<!DOCTYPE html>' && tail -1 "$page" | grep -qx '</html>' &&
    [ "$(grep -c '<script' "$page")" -eq 1 ] &&
    ! grep -Eqi '(src|href)="?(https?:)?//[^"]*\.(js|css|woff2?|ttf)' "$page" &&
    grep -q "Content-Security-Policy content=\"default-src 'none';" "$page" &&
    grep -qF 'handoff -C' "$page"; then
    ok "one document: its own script only, no external script, style or font, a CSP, the command"
else
    not_ok "self-contained document" "$(grep -o '<script[^>]*>' "$page" | head)"
fi
# a second run writes the same bytes (no timestamp beyond --today)
cp "$page" "$HF_TMP/page1.html"
"$HANDOFF" -C "$cfg" plan -q --cache "$HF_TMP/cache" --today 2026-11-27 "${sources[@]}" \
    --format html --out "$HF_TMP/out" "${repos[@]}" >"$HF_TMP/page2.html" 2>/dev/null || true
if cmp -s "$HF_TMP/page.html" "$HF_TMP/page2.html"; then ok "the page is deterministic"; else not_ok "the page differs between runs"; fi

"$HANDOFF" -C "$cfg" matrix --format json --repo 'cbusillo/odoo-tenant-cm' --repo cbusillo/odoo-docker \
    --repo cbusillo/odoo-ai >"$HF_TMP/matrix.json" 2>"$HF_TMP/matrix.err" || true
if have_browser "the sample page in chromium"; then
    browser sample "$page" "$HF_TMP/out/plan.json" "$HF_TMP/matrix.json" "$HF_TMP/out" "$shots"
fi

# --- hostile names -------------------------------------------------------------
# a file whose path carries a <script> element (its "/" makes a directory
# "<script>...<" holding "script>.sh"), and lines of markup in its diff
name="ops/<script>window.__pwned=1;document.title='pwned'</script>.sh"
repo="$HF_TMP/app"
mkdir -p "$repo/$(dirname "$name")"
printf 'echo old\n<img src=x onerror="window.__pwned=2">\n' >"$repo/$name"
printf 'README\n' >"$repo/README.md"
git -C "$repo" init -q -b main
git -C "$repo" add -A
git -C "$repo" commit -qm 'hostile names'
hcfg="$HF_TMP/hostile-config"
cp -r "$HF_SOURCE_ROOT/tests/hostile/config" "$hcfg"
cat >"$hcfg/app.recipe.yml" <<'EOF'
title: Markup in a file name and in diff lines
applies-to: {families: [app]}
steps:
  - op: edit
    capability: deploy
    files: ["ops/**"]
    pattern: old
    replace: "new </td></tr></table><script>window.__pwned=3</script>"
    expect: 1
EOF
rc=0
"$HANDOFF" -C "$hcfg" plan -q --cache "$HF_TMP/cache" --today 2026-11-27 --source "acme/app=$repo" \
    --format html >"$HF_TMP/hostile.html" 2>"$HF_TMP/hostile.err" || rc=$?
if [ "$rc" -eq 0 ] && grep -qF 'ops/&lt;script&gt;window.__pwned=1;document.title=&#39;pwned&#39;&lt;/script&gt;.sh' "$HF_TMP/hostile.html" &&
    [ "$(grep -c '<script' "$HF_TMP/hostile.html")" -eq 1 ]; then
    ok "hostile: the file name is escaped in the page; the page's own <script> is the only one"
else
    not_ok "hostile page (exit $rc)" "$(cat "$HF_TMP/hostile.err")" "$(grep -o '<script[^>]*>' "$HF_TMP/hostile.html")"
fi
if have_browser "the hostile page in chromium"; then
    browser hostile "$HF_TMP/hostile.html" "$name" "$shots"
fi
echo "screenshots: $shots"
finish
