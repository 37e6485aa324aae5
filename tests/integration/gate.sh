#!/usr/bin/env bash
# The contract gate of a migrated repository, end to end and without GitHub:
# what release.yml publishes, what contract-check.yml downloads and runs, and
# what the caller handoff installs says.
# - the release asset: scripts/package-release packs the built handoff with
#   every shared library but glibc; the tarball is reproducible, runs from
#   anywhere, loads all its libraries from itself, needs no glibc newer than
#   ubuntu-latest's, and ships their licences;
# - scripts/fetch-handoff installs it from a file:// "release" only when it
#   matches its .sha256, and refuses a tampered tarball, a .sha256 for
#   another file, a missing asset and a version that is none;
# - a plan of a tenant (tests/tenant-shapes/release-chain) with a configured `gate` writes a caller
#   naming that repository, ref and version (its exact bytes), and validate
#   of the shipped configuration without `gate` fails at fleet.yml's line;
# - the caller passes exactly what contract-check.yml takes, and the sparse
#   checkout of that workflow holds everything the gate needs;
# - scripts/contract-gate, run from that checkout with the fetched handoff:
#   the migrated tenant passes (exit 0, status=0, SARIF without results);
#   with an inline OIDC client put back it fails with exit 3 and SARIF
#   results at the client's lines; configuration and usage errors exit 2;
#   a crash, no SARIF or two runs that disagree exit 1.
source "$(dirname "$0")/lib.sh"
today=2026-11-27
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t \
    GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
unset GITHUB_ACTIONS GITHUB_REPOSITORY GITHUB_OUTPUT GITHUB_STEP_SUMMARY
scripts=$HF_SOURCE_ROOT/scripts
workflow=$HF_SOURCE_ROOT/.github/workflows/contract-check.yml
version=$("$HANDOFF" --version | sed -n 's/^handoff //p')
name=handoff-$version-linux-x86_64

# json FILE EXPR: a JavaScript expression over the parsed file (j)
json() { node -e "const j=JSON.parse(require('fs').readFileSync(process.argv[1],'utf8')); console.log($2)" "$1"; }
# yaml FILE EXPR: a Python expression over the parsed file (y); PyYAML reads
# a workflow's `on:` key as true (YAML 1.1), so it is put back under "on"
yaml() {
    python3 -c "import sys, yaml; y = yaml.safe_load(open(sys.argv[1])); y['on'] = y.pop(True, y.get('on')); print($2)" "$1"
}

# ---- the release asset -----------------------------------------------------------
rel=$HF_TMP/release
export SOURCE_DATE_EPOCH=1767225600
if "$scripts/package-release" "$HANDOFF" "$rel" >"$HF_TMP/pack.out" 2>"$HF_TMP/pack.err" &&
    [ "$(cat "$HF_TMP/pack.out")" = "$rel/$name.tar.gz" ] && [ -s "$rel/$name.tar.gz.sha256" ]; then
    ok "package-release writes $name.tar.gz and its .sha256"
else
    not_ok "package-release" "$(cat "$HF_TMP/pack.out" "$HF_TMP/pack.err")"
    finish
    exit 1
fi
if (cd "$rel" && sha256sum --strict --quiet -c "$name.tar.gz.sha256") &&
    [ "$(wc -l <"$rel/$name.tar.gz.sha256")" -eq 1 ]; then
    ok "the .sha256 is one sha256sum line for the tarball"
else
    not_ok "the .sha256" "$(cat "$rel/$name.tar.gz.sha256")"
fi
"$scripts/package-release" "$HANDOFF" "$HF_TMP/release2" >/dev/null 2>&1
if cmp -s "$rel/$name.tar.gz" "$HF_TMP/release2/$name.tar.gz"; then
    ok "the tarball is reproducible (same bytes when packed again)"
else
    not_ok "the tarball differs when packed again"
fi
unset SOURCE_DATE_EPOCH

listing=$(tar -tzf "$rel/$name.tar.gz")
if [ -z "$(grep -v "^$name/" <<<"$listing")" ] &&
    grep -qx "$name/bin/handoff" <<<"$listing" && grep -qx "$name/libexec/handoff" <<<"$listing" &&
    grep -qx "$name/lib/libgit2.so.[0-9.]*" <<<"$listing" && grep -qx "$name/lib/libyaml-0.so.2" <<<"$listing" &&
    ! grep -qE "/lib/(libc|libm|ld-linux-x86-64)\.so" <<<"$listing"; then
    ok "one top directory: bin/handoff, libexec/handoff, libgit2 and libyaml in lib/, no glibc"
else
    not_ok "tarball layout" "$listing"
fi

# unpacked elsewhere, started through a symlink on PATH: every library that
# is not glibc's comes from the bundle
mkdir -p "$HF_TMP/unpacked" "$HF_TMP/path"
tar -C "$HF_TMP/unpacked" -xzf "$rel/$name.tar.gz"
bundle=$HF_TMP/unpacked/$name
ln -s "$bundle/bin/handoff" "$HF_TMP/path/handoff"
if [ "$(env -u LD_LIBRARY_PATH PATH="$HF_TMP/path:/usr/bin:/bin" handoff --version 2>&1)" = "handoff $version" ]; then
    ok "the unpacked handoff runs through a symlink on PATH"
else
    not_ok "the unpacked handoff does not run" "$(PATH="$HF_TMP/path:/usr/bin:/bin" handoff --version 2>&1)"
fi
LD_DEBUG=libs "$bundle/bin/handoff" --version >/dev/null 2>"$HF_TMP/ld.log" || true
# the wrapper keeps its pid through exec: its first loader line is the binary's process
pid=$(awk '/calling init:/ { print $1; exit }' "$HF_TMP/ld.log")
mapfile -t loaded < <(awk -v pid="$pid" '$1 == pid && $2 == "calling" && $3 == "init:" { print $4 }' "$HF_TMP/ld.log" | sort -u)
glibc='/(ld-linux-x86-64\.so\.2|libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|libresolv\.so\.2)$'
outside=$(printf '%s\n' "${loaded[@]}" | grep -v "^$bundle/lib/" | grep -Ev "$glibc" || true)
from_bundle=$(printf '%s\n' "${loaded[@]}" | grep -c "^$bundle/lib/" || true)
if [ "${#loaded[@]}" -gt 5 ] && [ -z "$outside" ] && printf '%s\n' "${loaded[@]}" | grep -q "^$bundle/lib/libgit2\.so"; then
    ok "all $from_bundle libraries but glibc's are loaded from the bundle"
else
    not_ok "libraries from outside the bundle" "${outside:-only ${#loaded[@]} loaded}"
fi
# ubuntu-latest (Ubuntu 24.04) has glibc 2.39
need=$(for f in "$bundle/libexec/handoff" "$bundle"/lib/*; do objdump -T "$f"; done |
    grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -Vu | tail -1)
if [ -n "$need" ] && [ "$(printf '%s\n2.39\n' "$need" | sort -V | tail -1)" = 2.39 ] &&
    grep -q "It needs glibc $need or newer" "$bundle/share/doc/handoff/BUNDLE"; then
    ok "the bundle needs glibc $need (ubuntu-latest has 2.39), and BUNDLE says so"
else
    not_ok "glibc needed: $need" "$(head -5 "$bundle/share/doc/handoff/BUNDLE")"
fi
unlicensed=""
libs=("$bundle"/lib/*)
owners=$(dpkg -S "${libs[@]/#*\//*/}" 2>/dev/null || true)
for lib in "${libs[@]}"; do
    pkg=$(awk -v f="/${lib##*/}" 'substr($2, length($2) - length(f) + 1) == f { sub(/:.*/, "", $1); print $1; exit }' <<<"$owners")
    [ -n "$pkg" ] && [ -s "$bundle/share/doc/handoff/copyright/$pkg" ] || unlicensed="$unlicensed ${lib##*/}($pkg)"
done
if [ -z "$unlicensed" ]; then ok "every bundled library ships its package's copyright file"; else not_ok "licences missing" "$unlicensed"; fi

# ---- fetch-handoff -----------------------------------------------------------------
fetch_refused() { # NAME MESSAGE-GREP URL VERSION
    local what=$1 want=$2 url=$3 v=$4 rc=0
    rm -rf "$HF_TMP/inst-bad"
    "$scripts/fetch-handoff" --from "$url" acme-platform/handoff "$v" "$HF_TMP/inst-bad" >"$HF_TMP/f.out" 2>"$HF_TMP/f.err" || rc=$?
    if [ "$rc" -eq 1 ] && grep -qE -- "$want" "$HF_TMP/f.err" && [ ! -s "$HF_TMP/f.out" ] &&
        [ -z "$(ls -A "$HF_TMP/inst-bad" 2>/dev/null)" ]; then
        ok "fetch-handoff refuses $what (exit 1, nothing installed)"
    else
        not_ok "fetch-handoff: $what" "exit $rc" "$(cat "$HF_TMP/f.err")" "installed: $(ls -A "$HF_TMP/inst-bad" 2>/dev/null)"
    fi
}
rc=0
installed=$("$scripts/fetch-handoff" --from "file://$rel" acme-platform/handoff "$version" "$HF_TMP/inst" 2>"$HF_TMP/f.err") || rc=$?
if [ "$rc" -eq 0 ] && [ "$installed" = "$HF_TMP/inst/$name/bin/handoff" ] && [ "$("$installed" --version)" = "handoff $version" ]; then
    ok "fetch-handoff installs the release and prints its bin/handoff"
else
    not_ok "fetch-handoff" "exit $rc: $installed" "$(cat "$HF_TMP/f.err")"
fi
# a tarball one byte off
mkdir -p "$HF_TMP/tampered"
cp "$rel/$name.tar.gz.sha256" "$HF_TMP/tampered/"
cp "$rel/$name.tar.gz" "$HF_TMP/tampered/"
printf 'x' | dd of="$HF_TMP/tampered/$name.tar.gz" bs=1 seek=4096 conv=notrunc status=none
fetch_refused "a tarball that does not match its SHA-256" "SHA-256 mismatch: the release says [0-9a-f]{64}, the download is [0-9a-f]{64}" "file://$HF_TMP/tampered" "$version"
# a .sha256 that is right, but for another file
mkdir -p "$HF_TMP/other"
cp "$rel/$name.tar.gz" "$HF_TMP/other/"
(cd "$HF_TMP/other" && cp "$name.tar.gz" evil.tar.gz && sha256sum evil.tar.gz >"$name.tar.gz.sha256")
fetch_refused "a .sha256 naming another file" "is not one line '<sha256>  $name.tar.gz'" "file://$HF_TMP/other" "$version"
fetch_refused "a version that was never released" "cannot download file://$rel/handoff-9.9.9-linux-x86_64.tar.gz.sha256" "file://$rel" 9.9.9
fetch_refused "'latest' (not a version)" "'latest' is not a release version" "file://$rel" latest

# ---- the caller a plan writes ------------------------------------------------------
cfg=$HF_TMP/recipes
cp -R "$HF_SOURCE_ROOT/recipes" "$cfg"
cp -R "$HF_SOURCE_ROOT/archive-templates" "$HF_TMP/archive-templates"
# the gate block of the shipped fleet.yml, pointed somewhere else
python3 - "$cfg/fleet.yml" <<'EOF'
import re, sys
p = sys.argv[1]
s = open(p).read()
s, n = re.subn(r"(?m)^gate:\n(?:  .*\n)+", "gate:\n  repository: acme-platform/handoff\n  ref: v9.8.7\n  version: 9.8.7\n", s)
assert n == 1, "no gate block in fleet.yml"
open(p, "w").write(s)
EOF
# a tenant that migrates completely (the sample tenant's plan is partial: its
# post-deploy lacks the `phase` the reusable workflow needs)
"$HF_SOURCE_ROOT/scripts/make-sample-fleet" "$HF_TMP/sample" "$HF_SOURCE_ROOT/tests/tenant-shapes" >/dev/null
rc=0
"$HANDOFF" -C "$cfg" plan -q --cache "$HF_TMP/cache" --today "$today" --out "$HF_TMP/plan" \
    --source "cbusillo/odoo-tenant-cm=$HF_TMP/sample/release-chain.git" odoo-tenant-cm >/dev/null 2>"$HF_TMP/plan.err" || rc=$?
tenant=$HF_TMP/checkout/odoo-tenant-cm
git clone -q "$HF_TMP/sample/release-chain.git" "$tenant"
if [ "$rc" -eq 0 ] && git -C "$tenant" am -q --keep-cr "$HF_TMP/plan/cbusillo__odoo-tenant-cm.patch" 2>>"$HF_TMP/plan.err"; then
    ok "plan of a tenant with a configured gate, applied with git am"
else
    not_ok "plan" "exit $rc" "$(cat "$HF_TMP/plan.err")"
fi
caller=$tenant/.github/workflows/handoff-contract.yml
sed -e 's/{{family}}/tenant/' -e 's#{{gate-repository}}#acme-platform/handoff#g' -e 's/{{gate-ref}}/v9.8.7/g' \
    -e 's/{{gate-version}}/"9.8.7"/' "$HF_SOURCE_ROOT/recipes/contract-check-caller.yml.tmpl" >"$HF_TMP/caller.want"
if grep -qxF '    uses: acme-platform/handoff/.github/workflows/contract-check.yml@v9.8.7' "$caller" &&
    grep -qxF '      handoff-version: "9.8.7"' "$caller" && cmp -s "$HF_TMP/caller.want" "$caller"; then
    ok "the caller calls acme-platform/handoff's contract-check.yml@v9.8.7 and runs 9.8.7 (exact bytes)"
else
    not_ok "the rendered caller" "$(diff "$HF_TMP/caller.want" "$caller" 2>&1 | head -20)"
fi
if grep -q '{{' "$caller" || grep -q 'cbusillo/handoff' "$caller"; then
    not_ok "the caller still holds a placeholder" "$(grep -n '{{\|cbusillo/handoff' "$caller")"
else
    ok "no template variable or placeholder is left in the caller"
fi

# the shipped configuration without its gate: refused where `gate` belongs
nogate=$HF_TMP/nogate/recipes
mkdir -p "$HF_TMP/nogate"
cp -R "$HF_SOURCE_ROOT/recipes" "$nogate"
cp -R "$HF_SOURCE_ROOT/archive-templates" "$HF_TMP/nogate/"
python3 - "$nogate/fleet.yml" <<'EOF'
import re, sys
p = sys.argv[1]
s = open(p).read()
s, n = re.subn(r"(?m)^gate:\n(?:  .*\n)+", "", s)
assert n == 1
open(p, "w").write(s)
EOF
top=$(grep -nm1 '^[a-z]' "$nogate/fleet.yml" | cut -d: -f1)
rc=0
(cd "$HF_TMP/nogate" && "$HANDOFF" -C recipes validate >"$HF_TMP/v.out" 2>"$HF_TMP/v.err") || rc=$?
if [ "$rc" -eq 2 ] && grep -qE "^recipes/fleet.yml:$top:1: the top level is missing required key 'gate' \(repository, ref, version of the contract gate\): step [0-9]+ of recipes/[a-z-]+\.recipe\.yml renders \{\{gate-[a-z]+\}\}$" "$HF_TMP/v.err" &&
    [ "$(wc -l <"$HF_TMP/v.err")" -eq 2 ] && grep -qx "handoff: error: 1 problem in the configuration in recipes" "$HF_TMP/v.err"; then
    ok "validate without gate: exit 2, recipes/fleet.yml:$top:1 names the missing key"
else
    not_ok "validate without gate" "exit $rc" "$(cat "$HF_TMP/v.err")"
fi

# ---- the caller and contract-check.yml agree ---------------------------------------
passed=$(yaml "$caller" '" ".join(sorted(y["jobs"]["contract"]["with"]))')
takes=$(yaml "$workflow" '" ".join(sorted(y["on"]["workflow_call"]["inputs"]))')
required=$(yaml "$workflow" '" ".join(sorted(k for k, v in y["on"]["workflow_call"]["inputs"].items() if v.get("required")))')
unknown=$(comm -23 <(tr ' ' '\n' <<<"$passed") <(tr ' ' '\n' <<<"$takes") | tr '\n' ' ')
missing=$(comm -13 <(tr ' ' '\n' <<<"$passed") <(tr ' ' '\n' <<<"$required") | tr '\n' ' ')
if [ -z "${unknown// /}" ] && [ -z "${missing// /}" ] && [ -n "$required" ]; then
    ok "the caller passes every required input of contract-check.yml ($required) and nothing else"
else
    not_ok "caller and workflow disagree" "unknown inputs: $unknown" "required, not passed: $missing"
fi
# the workflow's sparse checkout of handoff-repository, built from this tree
sparse=$(yaml "$workflow" '"\n".join(l.strip() for s in y["jobs"]["check"]["steps"] if "sparse-checkout" in s.get("with", {}) for l in s["with"]["sparse-checkout"].splitlines() if l.strip())')
config_default=$(yaml "$workflow" 'y["on"]["workflow_call"]["inputs"]["config-path"]["default"]')
gatehome=$HF_TMP/gate-checkout
mkdir -p "$gatehome"
while read -r d; do
    d=${d//'${{ inputs.config-path }}'/$config_default}
    [ -n "$d" ] && cp -R "$HF_SOURCE_ROOT/$d" "$gatehome/$d"
done <<<"$sparse"
if grep -q 'scripts/fetch-handoff "$HANDOFF_REPOSITORY" "$HANDOFF_VERSION"' "$workflow" &&
    grep -q '\.handoff/scripts/contract-gate --handoff "$HANDOFF" --config-root \.handoff' "$workflow" &&
    [ -x "$gatehome/scripts/contract-gate" ] && [ -x "$gatehome/scripts/fetch-handoff" ]; then
    ok "contract-check.yml runs fetch-handoff and contract-gate from its sparse checkout (${sparse//$'\n'/ })"
else
    not_ok "contract-check.yml does not run the scripts from its checkout" "$sparse"
fi

# ---- scripts/contract-gate, as the workflow runs it --------------------------------
# gate NAME WANT-STATUS ARGS... (after --handoff/--config-root/--config); the
# run's files are in $HF_TMP/run-NAME
gate() {
    local what=$1 want=$2 rc=0
    shift 2
    local run=$HF_TMP/run-${what//[^a-z0-9]/-}
    mkdir -p "$run"
    : >"$run/output"
    : >"$run/summary"
    (cd "$HF_TMP/checkout" && GITHUB_OUTPUT="$run/output" GITHUB_STEP_SUMMARY="$run/summary" \
        "$gatehome/scripts/contract-gate" --handoff "${gate_handoff:-$installed}" --config-root "$gatehome" \
        --config "$config_default" --today "$today" --out "$run" "$@" >"$run/stdout" 2>"$run/stderr") || rc=$?
    GATE_RUN=$run
    if [ "$rc" -eq "$want" ] && grep -qx "status=$want" "$run/output"; then
        ok "gate: $what: exit $want, status=$want"
        return 0
    fi
    not_ok "gate: $what" "exit $rc (want $want), output: $(cat "$run/output")" "stdout: $(tail -3 "$run/stdout")" "stderr: $(tail -5 "$run/stderr")"
    return 1
}

if gate "the migrated tenant passes" 0 --repository cbusillo/odoo-tenant-cm --family tenant odoo-tenant-cm; then
    r=$GATE_RUN
    if [ "$(json "$r/handoff.sarif" 'j.version+" "+j.runs.length+" "+j.runs[0].results.length+" "+j.runs[0].tool.driver.name')" = "2.1.0 1 0 handoff" ]; then
        ok "gate: SARIF 2.1.0 of handoff, without results"
    else
        not_ok "gate: clean SARIF" "$(head -c 300 "$r/handoff.sarif")"
    fi
    if cmp -s "$r/stdout" "$r/handoff.txt" &&
        grep -qE '^odoo-tenant-cm: [0-9]+ files scanned, 0 errors, 0 warnings, 0 excepted$' "$r/handoff.txt" &&
        grep -qxF 'cbusillo/odoo-tenant-cm (tenant): no open contract errors' "$r/summary"; then
        ok "gate: handoff.txt, the log and the step summary say it is clean"
    else
        not_ok "gate: clean report" "$(cat "$r/stdout" "$r/summary")"
    fi
fi

# the same repo with an inline OIDC client put back
cat >"$tenant/.github/workflows/notify-launchplane.yml" <<'EOF'
name: Notify Launchplane

on:
  workflow_dispatch:

permissions:
  contents: read
  id-token: write

jobs:
  notify:
    runs-on: ubuntu-latest
    steps:
      - name: Apply the post-deploy settings
        run: |
          token=$(curl -sS -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=launchplane" | jq -r .value)
          curl -sS -X POST -H "Authorization: Bearer $token" \
            "${{ vars.LAUNCHPLANE_PUBLIC_URL }}/v1/drivers/odoo/post-deploy" -d '{"context":"cm"}'
EOF
oidc_line=$(grep -n 'ACTIONS_ID_TOKEN_REQUEST_URL' "$tenant/.github/workflows/notify-launchplane.yml" | cut -d: -f1)
route_line=$(grep -n '/v1/drivers/odoo/' "$tenant/.github/workflows/notify-launchplane.yml" | cut -d: -f1)
if gate "an inline OIDC client fails it" 3 --repository cbusillo/odoo-tenant-cm --family tenant odoo-tenant-cm; then
    r=$GATE_RUN
    # rule ids may change; the categories are DESIGN.md's
    at=$(json "$r/handoff.sarif" '(() => { const run = j.runs[0], rules = run.tool.driver.rules;
        return run.results.filter(x => x.level === "error").map(x => {
            const l = x.locations[0].physicalLocation;
            return rules[x.ruleIndex].properties.category + "@" + l.artifactLocation.uri + ":" + l.region.startLine; }).sort().join(" "); })()')
    if grep -qw "oidc-client@.github/workflows/notify-launchplane.yml:$oidc_line" <<<"$at" &&
        grep -qw "launchplane-http-client@.github/workflows/notify-launchplane.yml:$route_line" <<<"$at"; then
        ok "gate: SARIF results: the OIDC client at line $oidc_line, the route at line $route_line"
    else
        not_ok "gate: SARIF results" "$at"
    fi
    if grep -qE "^odoo-tenant-cm/\.github/workflows/notify-launchplane\.yml:$oidc_line:[0-9]+: error " "$r/stdout" &&
        grep -qE '^odoo-tenant-cm: [0-9]+ files scanned, [1-9][0-9]* errors, ' "$r/handoff.txt" &&
        grep -qF 'contract-gate: error: cbusillo/odoo-tenant-cm (tenant): contract errors' "$r/stderr" &&
        grep -qxF 'cbusillo/odoo-tenant-cm (tenant): contract errors (see handoff.txt and code scanning)' "$r/summary"; then
        ok "gate: the findings are in the log as file:line:col, and the summary says why it failed"
    else
        not_ok "gate: failure report" "$(cat "$r/stdout" "$r/stderr" "$r/summary")"
    fi
fi
# a caller edited to another family is still checked as the fleet says
if gate "family 'retired' from the caller does not weaken a tenant" 3 --repository cbusillo/odoo-tenant-cm --family retired odoo-tenant-cm; then
    if grep -qF "contract-gate: warning: the caller says family 'retired', but fleet.yml gives cbusillo/odoo-tenant-cm family 'tenant': checking it as tenant" "$GATE_RUN/stderr"; then
        ok "gate: the family mismatch is a warning"
    else
        not_ok "gate: no warning about the family" "$(cat "$GATE_RUN/stderr")"
    fi
fi
# in Actions the messages are workflow commands
run=$HF_TMP/run-actions
mkdir -p "$run"
(cd "$HF_TMP/checkout" && GITHUB_ACTIONS=true GITHUB_REPOSITORY=cbusillo/odoo-tenant-cm GITHUB_OUTPUT="$run/output" \
    "$gatehome/scripts/contract-gate" --handoff "$installed" --config-root "$gatehome" --config "$config_default" \
    --family tenant --today "$today" --out "$run" odoo-tenant-cm >/dev/null 2>"$run/stderr") || true
if grep -qxF '::error::cbusillo/odoo-tenant-cm (tenant): contract errors (see handoff.txt and code scanning)' "$run/stderr" &&
    grep -qx 'status=3' "$run/output"; then
    ok "gate: in GitHub Actions, GITHUB_REPOSITORY names the repo and the verdict is an ::error:: command"
else
    not_ok "gate: in Actions" "$(cat "$run/stderr" "$run/output")"
fi
rm "$tenant/.github/workflows/notify-launchplane.yml"

# the image repo's exceptions apply whatever the checkout's directory is called
cp -R "$HF_SOURCE_ROOT/tests/sample-fleet/odoo-docker" "$HF_TMP/checkout/work"
if gate "a fleet repo checked out under another name keeps its exceptions" 0 --repository CBusillo/Odoo-Docker work; then
    if grep -qE '^work: [0-9]+ files scanned, 0 errors, 0 warnings, [1-9][0-9]* excepted$' "$GATE_RUN/handoff.txt" &&
        grep -qE '^work/\.github/workflows/runner-health\.yml:[0-9]+:[0-9]+: excepted ' "$GATE_RUN/handoff.txt"; then
        ok "gate: excepted findings reported under the checkout's own path"
    else
        not_ok "gate: exceptions under another name" "$(cat "$GATE_RUN/handoff.txt")"
    fi
fi

# usage and configuration errors: exit 2, and no SARIF to upload
expect_refusal() { # NAME MESSAGE ARGS...
    local what=$1 msg=$2
    shift 2
    if gate "$what" 2 "$@"; then
        if grep -qF -- "$msg" "$GATE_RUN/stderr" && [ ! -e "$GATE_RUN/handoff.sarif" ]; then
            ok "gate: $what: says why, writes no SARIF"
        else
            not_ok "gate: $what: message" "$(cat "$GATE_RUN/stderr")"
        fi
    fi
}
expect_refusal "a repo outside the fleet without --family" "acme/unknown is not in the fleet of $gatehome/$config_default; say which family with --family" \
    --repository acme/unknown odoo-tenant-cm
if gate "a repo outside the fleet with --family is checked" 0 --repository acme/unknown --family tenant odoo-tenant-cm; then
    if grep -qF "contract-gate: warning: acme/unknown is not in the fleet of $gatehome/$config_default: checked as family 'tenant', without exceptions" "$GATE_RUN/stderr"; then
        ok "gate: outside the fleet: a warning"
    else
        not_ok "gate: no warning outside the fleet" "$(cat "$GATE_RUN/stderr")"
    fi
fi
rc=0
(cd "$HF_TMP/checkout" && "$gatehome/scripts/contract-gate" --handoff "$installed" --config-root "$gatehome" \
    --config ../recipes --repository cbusillo/odoo-tenant-cm --out "$HF_TMP/run-escape" odoo-tenant-cm >/dev/null 2>"$HF_TMP/escape.err") || rc=$?
if [ "$rc" -eq 2 ] && grep -qF "the configuration path '../recipes' must stay inside $gatehome" "$HF_TMP/escape.err"; then
    ok "gate: a config-path leaving the handoff checkout: exit 2"
else
    not_ok "gate: config-path ../recipes" "exit $rc" "$(cat "$HF_TMP/escape.err")"
fi
mv "$gatehome/$config_default/fleet.yml" "$HF_TMP/fleet.yml.keep"
cp "$nogate/fleet.yml" "$gatehome/$config_default/fleet.yml"
expect_refusal "a configuration without gate" "the configuration in $gatehome/$config_default is not valid (handoff exited 2)" \
    --repository cbusillo/odoo-tenant-cm odoo-tenant-cm
mv "$HF_TMP/fleet.yml.keep" "$gatehome/$config_default/fleet.yml"

# handoff failing in other ways: the gate fails closed with 1
stub=$HF_TMP/stub-handoff
cat >"$stub" <<EOF
#!/usr/bin/env bash
# the real handoff for the fleet lookup; \$STUB decides what check does
for a in "\$@"; do [ "\$a" = check ] && break; [ "\$a" = matrix ] && exec "$installed" "\$@"; done
case \$STUB in
crash) kill -SEGV \$\$ ;;
silent) exit 0 ;;
disagree) for a in "\$@"; do [ "\$a" = sarif ] && exec "$installed" "\$@"; done; exit 3 ;;
esac
EOF
chmod +x "$stub"
for c in "crash|handoff check could not scan everything (exit 139)" "silent|handoff check wrote no SARIF 2.1.0 log (exit 0)" \
    "disagree|handoff check disagreed with itself (SARIF run exit 0, text run exit 3)"; do
    export STUB=${c%%|*}
    if gate_handoff=$stub gate "handoff $STUB" 1 --repository cbusillo/odoo-tenant-cm odoo-tenant-cm; then
        if grep -qF "${c#*|}" "$GATE_RUN/stderr" && { [ "$STUB" = disagree ] || [ ! -e "$GATE_RUN/handoff.sarif" ]; }; then
            ok "gate: handoff $STUB: says why"
        else
            not_ok "gate: handoff $STUB: message" "$(cat "$GATE_RUN/stderr")"
        fi
    fi
done
unset STUB

# ---- the scripts themselves ----------------------------------------------------------
if command -v shellcheck >/dev/null; then
    if shellcheck "$scripts/contract-gate" "$scripts/fetch-handoff" "$scripts/package-release" >"$HF_TMP/sc" 2>&1; then
        ok "shellcheck: contract-gate, fetch-handoff, package-release"
    else
        not_ok "shellcheck" "$(head -40 "$HF_TMP/sc")"
    fi
else
    echo "skip - shellcheck is not installed"
fi
finish
