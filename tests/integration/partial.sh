#!/usr/bin/env bash
# Partial plans end to end, against the fake GitHub and the loopback git
# server (tests/apply-config/harness.sh) with tests/partial-config:
# - the sample tenant under five steps of which the fourth does not fit (a
#   delete while the README still names the file);
# - the sample image repo under three steps of which the third relies on an
#   exception that expired before the run's date.
# For each: the patch holds exactly the other steps, the PR body's
# checklist names what is left, the statuses and exit codes with and
# without --strict, and after the cause is fixed `apply --only failed`
# completes the same PR (no duplicate) and touches nothing else.
source "$(dirname "$0")/lib.sh"
source "$HF_SOURCE_ROOT/tests/apply-config/harness.sh"

CFG=$HF_TMP/partial-config
cp -R "$HF_SOURCE_ROOT/tests/partial-config" "$CFG"
BRANCH=handoff/partial-test
TENANT=acme/odoo-tenant-cm DOCKER=acme/odoo-docker
T5=$CFG/tenant-five.recipe.yml IMG=$CFG/image-expiring.recipe.yml
pulls() { forge_state | jsq "d.repos['$1'] ? d.repos['$1'].pulls : []"; }
result_of() { grep "^$1: " "$HF_TMP/out" | head -n1 | sed 's/^[^:]*: \([a-z-]*\).*/\1/'; }
# files PATCH: the paths a patch touches, sorted, space-separated
files() { sed -n 's#^diff --git a/\(.*\) b/.*#\1#p' "$1" | sort | tr '\n' ' '; }
# plan ARGS...: a dry run over the bare repos; sets $rc
plan() {
    rc=0
    "$HANDOFF" -C "$CFG" plan -q --cache "$CACHE" --today 2026-06-01 "${LOCAL[@]}" "$@" \
        >"$HF_TMP/plan.out" 2>"$HF_TMP/plan.err" || rc=$?
}
at() { grep -n "$2" "$1" | head -n1 | cut -d: -f1; }

fresh
LOCAL=()
for r in odoo-tenant-cm odoo-docker odoo-ai; do LOCAL+=(--source "acme/$r=$REPOS/$r.git"); done
step4="$T5:$(at "$T5" 'name: the deploy notes go'):5"
step3="$IMG:$(at "$IMG" 'name: the README says retention is transitional'):5"

# ---- 1. plan: the patch holds exactly the other steps ------------------------------
plan --out "$HF_TMP/p1"
expect_eq "plan: a policy hold exits 3 without --strict" 3 "$rc"
expect_eq "plan: statuses" "partial partial no-changes" \
    "$(jsq 'd.repos.map(r => r.status).join(" ")' <"$HF_TMP/p1/plan.json")"
expect_eq "tenant: the patch holds steps 1, 2, 3 and 5 and nothing of step 4" \
    "README.md docker-compose.yml docs/launchplane.md package.json " "$(files "$HF_TMP/p1/acme__odoo-tenant-cm.patch")"
expect_eq "tenant: the changes are steps 1 2 3 5" "1 2 3 5" \
    "$(jsq 'd.repos[0].changes.map(c => c.step).join(" ")' <"$HF_TMP/p1/plan.json")"
expect_eq "tenant: step 4 failed (does not fit), nothing blocked" \
    "4|$step4|docs/deploy.md: not deleted: still named by README.md:25|0" \
    "$(jsq 'd.repos[0].failed.map(f => f.step + "|" + f.at + "|" + f.reason).join(";") + "|" + d.repos[0].blocked.length' <"$HF_TMP/p1/plan.json")"
expect_eq "image: the patch holds steps 1 and 2, not the expired step 3" \
    ".github/workflows/runner-health.yml README.md " "$(files "$HF_TMP/p1/acme__odoo-docker.patch")"
if grep -q 'transitional' "$HF_TMP/p1/acme__odoo-docker.patch"; then
    not_ok "image: the expired step's edit is in the patch"
else
    ok "image: the expired step's edit is not in the patch"
fi
expect_eq "image: step 3 blocked by policy, nothing failed" \
    "3|$step3|exception 'ghcr-retention' expired on 2026-05-01|0" \
    "$(jsq 'd.repos[1].blocked.map(f => f.step + "|" + f.at + "|" + f.reason).join(";") + "|" + d.repos[1].failed.length' <"$HF_TMP/p1/plan.json")"
for r in odoo-tenant-cm odoo-docker; do
    clone=$HF_TMP/am-$r
    git clone -q "$REPOS/$r.git" "$clone"
    want=$(jsq "d.repos.find(x => x.repo === 'acme/$r').tree" <"$HF_TMP/p1/plan.json")
    if git -C "$clone" am -q "$HF_TMP/p1/acme__$r.patch" 2>"$HF_TMP/am.err" &&
        [ "$(git -C "$clone" rev-parse 'HEAD^{tree}')" = "$want" ]; then
        ok "$r: git am of the partial patch gives the planned tree"
    else
        not_ok "$r: git am" "$(cat "$HF_TMP/am.err")"
    fi
done

# exit codes per repo, with and without --strict and --detailed-exitcode
plan "$TENANT"
expect_eq "plan tenant: partial without a policy hold exits 0" "0 partial" "$rc $(grep -o 'partial' "$HF_TMP/plan.out" | head -n1)"
plan --detailed-exitcode "$TENANT"
expect_eq "plan tenant --detailed-exitcode: 3" 3 "$rc"
plan --strict --out "$HF_TMP/p2" "$TENANT" "$DOCKER"
expect_eq "plan --strict: exit 3" 3 "$rc"
expect_eq "plan --strict: the tenant failed, the image blocked, no patch" "failed blocked null null" \
    "$(jsq 'd.repos.map(r => r.status).concat(d.repos.map(r => String(r.patch))).join(" ")' <"$HF_TMP/p2/plan.json")"
if ls "$HF_TMP/p2"/*.patch >/dev/null 2>&1; then not_ok "plan --strict wrote a patch"; else ok "plan --strict: no patch file"; fi

# ---- quiet by default: a step with nothing to do is one line; -v says why -----------
quiet=$HF_TMP/quiet-config
cp -R "$HF_SOURCE_ROOT/tests/partial-config" "$quiet"
cat >>"$quiet/tenant-five.recipe.yml" <<'EOF'
  - name: a compose file with a Dokploy label loses it
    op: edit
    capability: post-deploy
    files: ["*compose*.yml", package.json]
    where: {all: [{path: '\.yml$'}, {text: 'dokploy\.'}]}
    pattern: '(?m)^.*dokploy\..*\n'
    replace: ''
EOF
wl=$(grep -n "where: {all: \[{path: '" "$quiet/tenant-five.recipe.yml" | cut -d: -f1)
"$HANDOFF" -C "$quiet" plan --cache "$CACHE" --today 2026-06-01 "${LOCAL[@]}" "$TENANT" >"$HF_TMP/q.out" 2>&1 || true
expect_eq "default verbosity: the idle step is one summary line" "   1 step had nothing to do; -v lists them|0" \
    "$(grep 'nothing to do' "$HF_TMP/q.out")|$(grep -c '^   idle:' "$HF_TMP/q.out" || true)"
"$HANDOFF" -C "$quiet" plan -v --cache "$CACHE" --today 2026-06-01 "${LOCAL[@]}" "$TENANT" >"$HF_TMP/v.out" 2>&1 || true
expect_eq "-v: each file the idle step examined, with the first test that failed" \
    "   idle: tenant-five step 6 (a compose file with a Dokploy label loses it) had nothing to do
   idle: tenant-five step 6: docker-compose.yml: $quiet/tenant-five.recipe.yml:$wl:38: 'text' does not match
   idle: tenant-five step 6: package.json: $quiet/tenant-five.recipe.yml:$wl:20: 'path' does not match" \
    "$(grep '^   idle:' "$HF_TMP/v.out")"

# ---- 2. apply --strict: all or nothing ----------------------------------------------
apply --strict
expect_eq "apply --strict: exit 3" 3 "$rc"
expect_eq "apply --strict: tenant failed, image blocked, retired repo needs nothing" "failed blocked no-changes" \
    "$(result_of $TENANT) $(result_of $DOCKER) $(result_of acme/odoo-ai)"
expect_eq "apply --strict: no PR, no push, no batch branch" "0 0 0 " \
    "$(pulls $TENANT | jsq d.length) $(pulls $DOCKER | jsq d.length) $(pushes) $(tip odoo-tenant-cm "$BRANCH")"

# ---- 3. apply: everything safe goes out, the rest is listed ---------------------------
apply
expect_eq "apply: exit 3 (a step held by policy)" 3 "$rc"
expect_eq "apply: one PR for each partial repo" "created created 1 1" \
    "$(result_of $TENANT) $(result_of $DOCKER) $(pulls $TENANT | jsq d.length) $(pulls $DOCKER | jsq d.length)"
expect_eq "apply: the text says what was held back" \
    '  1 step held back: the PR lists it under "Left for a person"|  1 step held back: the PR lists it under "Left for a person"' \
    "$(grep -A6 "^$TENANT: created" "$HF_TMP/out" | grep 'held back' | head -n1)|$(grep -A6 "^$DOCKER: created" "$HF_TMP/out" | grep 'held back' | head -n1)"
tb=$(tip odoo-tenant-cm "$BRANCH")
expect_eq "tenant branch: exactly the other steps" \
    "README.md docker-compose.yml docs/launchplane.md package.json" \
    "$(git --git-dir "$REPOS/odoo-tenant-cm.git" diff --name-only main "$tb" | sort | tr '\n' ' ' | sed 's/ $//')"
pulls $TENANT | jsq 'd[0].body' >"$HF_TMP/body-tenant"
pulls $DOCKER | jsq 'd[0].body' >"$HF_TMP/body-docker"
left() { sed -n '/^### Left for a person$/,/^### /p' "$1" | grep '^- \['; }
expect_eq "tenant PR: the checklist names step 4, where, why and what unblocks it" \
    "- [ ] **does not fit**: tenant-five step 4, the deploy notes go (\`$step4\`): docs/deploy.md: not deleted: still named by README.md:25. *To unblock:* hand over or reword what still names it, then plan again" \
    "$(left "$HF_TMP/body-tenant")"
expect_eq "image PR: the checklist names the expired exception and how to renew it" \
    "- [ ] **blocked by policy**: image-expiring step 3, the README says retention is transitional (\`$step3\`): exception 'ghcr-retention' expired on 2026-05-01. *To unblock:* renew 'ghcr-retention' (a new expiry, agreed with platform-team, see acme/launchplane#43), or finish what it stands for: Launchplane prunes GHCR itself" \
    "$(left "$HF_TMP/body-docker")"
expect_eq "journal: one held step each, the retired repo none" "1 1 0" \
    "$(jsq "[d.repos['$TENANT'].held, d.repos['$DOCKER'].held, d.repos['acme/odoo-ai'].held || 0].join(' ')" <"$STATE")"

# a tenant-only run: partial without a policy hold exits 0
apply "$TENANT"
expect_eq "apply tenant only: unchanged, exit 0" "0 unchanged" "$rc $(result_of $TENANT)"

# ---- 4. --only failed before anything is fixed: same PRs, nothing sent -------------------
forge_clear_log
git_clear_log
apply --only failed
expect_eq "--only failed: exit 3 still" 3 "$rc"
expect_grep "--only failed: says what it picked" 'only failed: 2 of 3 selected repos left unfinished by the last run' "$HF_TMP/err"
if grep -q '^acme/odoo-ai: ' "$HF_TMP/out"; then not_ok "--only failed ran the finished repo"; else ok "--only failed: the finished repo is not run"; fi
expect_eq "--only failed, nothing fixed: no mutation, no push" "unchanged unchanged 0 0" \
    "$(result_of $TENANT) $(result_of $DOCKER) $(mutations) $(pushes)"

# ---- 5. the causes fixed: --only failed completes the same PRs ------------------------
as_person odoo-tenant-cm main "README: the deploy notes are gone" \
    sed -i '/docs\/deploy.md/d' README.md
sed -i 's/expires: 2026-05-01/expires: 2026-12-31/' "$CFG/exceptions.yml"
forge_clear_log
apply --only failed
expect_eq "after the fix: exit 0" 0 "$rc"
expect_eq "after the fix: both PRs updated, still one each" "updated updated 1 1" \
    "$(result_of $TENANT) $(result_of $DOCKER) $(pulls $TENANT | jsq d.length) $(pulls $DOCKER | jsq d.length)"
expect_eq "after the fix: no PR created" 0 \
    "$(forge_log | jsq 'd.requests.filter(r => r.method === "POST" && /\/pulls$/.test(r.path)).length')"
tb=$(tip odoo-tenant-cm "$BRANCH")
expect_eq "tenant branch: all five steps now" \
    "README.md docker-compose.yml docs/deploy.md docs/launchplane.md package.json" \
    "$(git --git-dir "$REPOS/odoo-tenant-cm.git" diff --name-only main "$tb" | sort | tr '\n' ' ' | sed 's/ $//')"
expect_grep "image branch: the retention note is in" 'transitional' \
    <(git --git-dir "$REPOS/odoo-docker.git" show "$(tip odoo-docker "$BRANCH")":README.md)
pulls $TENANT | jsq 'd[0].body' >"$HF_TMP/body-tenant2"
pulls $DOCKER | jsq 'd[0].body' >"$HF_TMP/body-docker2"
if grep -q 'Left for a person' "$HF_TMP/body-tenant2" "$HF_TMP/body-docker2"; then
    not_ok "a completed PR still lists steps left"
else
    ok "after the fix: no PR body lists anything left"
fi
expect_eq "journal: nothing held any more" "0 0" \
    "$(jsq "[d.repos['$TENANT'].held || 0, d.repos['$DOCKER'].held || 0].join(' ')" <"$STATE")"

# ---- 6. nothing unfinished: --only failed runs nothing ----------------------------------
forge_clear_log
git_clear_log
apply --only failed
expect_eq "--only failed with nothing unfinished: exit 0, no repo run, no request" "0 0 0" \
    "$rc $(grep -c '^acme/' "$HF_TMP/out" || true) $(forge_log | jsq 'd.requests.length')"
expect_grep "--only failed: says it picked none" 'only failed: 0 of 3 selected repos' "$HF_TMP/err"

# ---- 7. --only takes only 'failed' -----------------------------------------------------
apply --only errors
expect_eq "--only errors: usage error" 2 "$rc"
expect_grep "--only errors: says what it takes" "--only takes 'failed', not 'errors'" "$HF_TMP/err"

if grep -q "$TOKEN" "$HF_TMP/all-output"; then not_ok "the token leaked into output"; else ok "no token in any output"; fi
finish
