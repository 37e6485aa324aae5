#!/usr/bin/env bash
# `handoff plan` end to end on the sample fleet (bare repos made by
# scripts/make-sample-fleet) with the test configuration tests/plan-config:
# exit statuses, the patches (git am reproduces the planned tree), plan.json,
# determinism, blocked and failed repos, and that nothing is written to the
# source repos or a working copy.
source "$(dirname "$0")/lib.sh"
cfg="$HF_SOURCE_ROOT/tests/plan-config"
fleet="$HF_TMP/fleet"
"$HF_SOURCE_ROOT/scripts/make-sample-fleet" "$fleet" >/dev/null
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
sources=(--source "cbusillo/odoo-tenant-cm=$fleet/odoo-tenant-cm.git"
    --source "cbusillo/odoo-docker=$fleet/odoo-docker.git"
    --source "cbusillo/odoo-ai=$fleet/odoo-ai.git")
# json FILE EXPR: evaluates a JavaScript expression over the parsed file (j)
json() { node -e "const j=JSON.parse(require('fs').readFileSync(process.argv[1],'utf8')); console.log($2)" "$1"; }

snapshot() { # every ref and object of the source repos
    for r in "$fleet"/*.git; do git -C "$r" for-each-ref; git -C "$r" count-objects -v | grep -v size; find "$r" -type f | sort; done
}
snapshot >"$HF_TMP/before.snap"

# --- a plan with changes ------------------------------------------------------
rc=0
GITHUB_TOKEN=ghp_planSecretToken0123456789 "$HANDOFF" -C "$cfg" plan --cache "$HF_TMP/cache" --today 2026-11-27 \
    "${sources[@]}" --out "$HF_TMP/out" >"$HF_TMP/plan.txt" 2>"$HF_TMP/plan.err" || rc=$?
if [ "$rc" -eq 0 ]; then ok "plan exits 0"; else not_ok "plan exit $rc" "$(cat "$HF_TMP/plan.err")"; fi
if [ -f "$HF_TMP/out/plan.json" ] && [ -f "$HF_TMP/out/summary.md" ] && [ "$(ls "$HF_TMP/out"/*.patch | wc -l)" -eq 3 ]; then
    ok "--out writes three patches, plan.json and summary.md"
else
    not_ok "--out contents" "$(ls -la "$HF_TMP/out")"
fi
got=$(json "$HF_TMP/out/plan.json" 'j.repos.map(r=>r.repo+":"+r.status+":"+r.contract.before.error+"->"+r.contract.after.error).join(" ")')
want="cbusillo/odoo-tenant-cm:changes:1->1 cbusillo/odoo-docker:changes:0->0 cbusillo/odoo-ai:changes:8->4"
if [ "$got" = "$want" ]; then ok "plan.json statuses and contract counts"; else not_ok "plan.json" "got:  $got" "want: $want"; fi
got=$(json "$HF_TMP/out/plan.json" 'j.repos[1].changes.map(c=>[c.op,c.path,c.recipe,c.step,c.capability,c.exception].join(",")).join(";")')
if [ "$got" = "modify,.github/workflows/ghcr-retention.yml,image,1,,ghcr-retention" ]; then ok "plan.json change links"; else not_ok "plan.json change links" "$got"; fi
if grep -q '^| `cbusillo/odoo-ai` | changes | 6 | 1 | 8 -> 4 |$' "$HF_TMP/out/summary.md"; then ok "summary.md row"; else not_ok "summary.md" "$(cat "$HF_TMP/out/summary.md")"; fi
# the errors left on the result are named: the gate the patch installs fails on them
got=$(json "$HF_TMP/out/plan.json" 'j.repos[2].contract.open_errors.map(e=>/^[^:]+:[0-9]+:[0-9]+: [a-z0-9-]+$/.test(e)).join(" ")')
listed=$(sed -n '/^== cbusillo\/odoo-ai/,/^diff --git/p' "$HF_TMP/plan.txt" | sed -n '/^   contract: /,/^[^ ]\|^   [^ ]/p' | grep '^      ' | sed 's/^      //')
want=$(json "$HF_TMP/out/plan.json" 'j.repos[2].contract.open_errors.join("\n")')
if [ "$got" = "true true true true" ] && [ "$listed" = "$want" ] &&
    sed -n '/^== cbusillo\/odoo-ai/,/^diff --git/p' "$HF_TMP/plan.txt" | grep -qxF '   contract: 4 errors left on the result; a contract gate fails on them until a person fixes them:'; then
    ok "odoo-ai: the 4 errors left are listed (path:line:col: rule) in the text and plan.json"
else
    not_ok "odoo-ai: errors left" "json: $got" "text: $listed" "want: $want"
fi
if sed -n '/^== cbusillo\/odoo-docker/,/^diff --git/p' "$HF_TMP/plan.txt" | grep -q '^   contract: '; then
    not_ok "odoo-docker: no errors left, yet a contract line"
else
    ok "odoo-docker: no errors left, no contract line"
fi

# the patches: git am on a clone of the base gives exactly the planned tree
for name in odoo-tenant-cm odoo-docker odoo-ai; do
    clone="$HF_TMP/am-$name"
    git clone -q "$fleet/$name.git" "$clone"
    want_tree=$(json "$HF_TMP/out/plan.json" "j.repos.find(r=>r.repo==='cbusillo/$name').tree")
    if git -C "$clone" am -q --keep-cr "$HF_TMP/out/cbusillo__$name.patch" 2>"$HF_TMP/am.err" &&
        [ "$(git -C "$clone" rev-parse 'HEAD^{tree}')" = "$want_tree" ]; then
        ok "git am of $name's patch reproduces the planned tree"
    else
        not_ok "git am $name" "$(cat "$HF_TMP/am.err")" "want $want_tree got $(git -C "$clone" rev-parse 'HEAD^{tree}')"
    fi
done
# the commit message: this fleet names no wording of its own (no `commit` in
# fleet.yml), so the engine's neutral subject, intro and trailer key; nothing
# in the message names Launchplane
msg() { sed -n '/^Subject: /,/^---$/p' "$1"; }
trailers=$(msg "$HF_TMP/out/cbusillo__odoo-tenant-cm.patch" | sed -n '/^Handoff-/p' | tr '\n' ' ')
if [ "$trailers" = "Handoff-Capability: artifact-publish Handoff-Capability: testing-deploy Handoff-Fleet: plan-test " ] &&
    grep -qxF 'Subject: [PATCH] handoff: hand cbusillo/odoo-tenant-cm over (plan-test)' "$HF_TMP/out/cbusillo__odoo-tenant-cm.patch" &&
    msg "$HF_TMP/out/cbusillo__odoo-tenant-cm.patch" | grep -qxF 'Changes, each linked to a capability or a dated exception:' &&
    ! msg "$HF_TMP/out/cbusillo__odoo-tenant-cm.patch" | grep -qi launchplane; then
    ok "commit without fleet wording: neutral subject, intro and trailers naming every link and the fleet"
else
    not_ok "trailers" "$trailers" "$(msg "$HF_TMP/out/cbusillo__odoo-tenant-cm.patch")"
fi
# a fleet's own wording: fleet.yml `commit` (subject, intro, trailer key), and
# archive templates found by an explicit key
worded=$HF_TMP/worded
mkdir -p "$worded/conf" "$worded/elsewhere"
cp "$cfg"/*.yml "$worded/conf/"
cp -R "$cfg/archive-templates" "$worded/elsewhere/markers"
cat >>"$worded/conf/fleet.yml" <<'EOF'
commit:
  subject: "ops: {{name}} moves to the platform ({{today}})"
  body: |
    Acme's platform team hands {{repo}} over; each line names its link:
  capability-trailer: Acme-Capability
archive-templates: ../elsewhere/markers
EOF
"$HANDOFF" -C "$worded/conf" plan -q --cache "$HF_TMP/cache" --today 2026-11-27 "${sources[@]}" --out "$worded/out" >/dev/null 2>"$worded/err" || true
p=$worded/out/cbusillo__odoo-tenant-cm.patch
if grep -qxF 'Subject: [PATCH] ops: odoo-tenant-cm moves to the platform (2026-11-27)' "$p" &&
    msg "$p" | grep -qxF "Acme's platform team hands cbusillo/odoo-tenant-cm over; each line names its link:" &&
    [ "$(msg "$p" | sed -n '/^Acme-\|^Handoff-/p' | tr '\n' ' ')" = "Acme-Capability: artifact-publish Acme-Capability: testing-deploy Handoff-Fleet: plan-test " ] &&
    [ -s "$worded/out/cbusillo__odoo-ai.patch" ] && grep -q '^+++ b/.*ARCHIVED.md$' "$worded/out/cbusillo__odoo-ai.patch"; then
    ok "commit with fleet.yml wording: subject, intro and Acme-Capability trailers; archive templates from archive-templates"
else
    not_ok "fleet wording" "$(cat "$worded/err")" "$(msg "$p")"
fi
# a fleet template that names an unknown variable, a bad trailer key and a
# templates directory that is not there: refused where they are written
sed -i -e 's/({{today}})/({{step}})/' -e 's/Acme-Capability/Acme Capability/' -e 's#../elsewhere/markers#../nowhere#' "$worded/conf/fleet.yml"
rc=0
"$HANDOFF" -C "$worded/conf" validate >/dev/null 2>"$worded/verr" || rc=$?
sl=$(grep -n '^  subject:' "$worded/conf/fleet.yml" | cut -d: -f1)
tl=$(grep -n '^  capability-trailer:' "$worded/conf/fleet.yml" | cut -d: -f1)
al=$(grep -n '^archive-templates:' "$worded/conf/fleet.yml" | cut -d: -f1)
if [ "$rc" -eq 2 ] &&
    grep -qF "fleet.yml:$tl:23: 'capability-trailer' 'Acme Capability' must be a trailer key" "$worded/verr" &&
    grep -qF "fleet.yml:$al:20: 'archive-templates' '../nowhere' is not a directory" "$worded/verr"; then
    ok "validate: a bad trailer key and a missing templates directory, with file:line:col"
else
    not_ok "validate fleet wording" "exit $rc" "$(cat "$worded/verr")"
fi
sed -i -e 's/Acme Capability/Acme-Capability/' -e 's#../nowhere#../elsewhere/markers#' "$worded/conf/fleet.yml"
rc=0
"$HANDOFF" -C "$worded/conf" validate >/dev/null 2>"$worded/verr" || rc=$?
if [ "$rc" -eq 2 ] && grep -qF "fleet.yml:$sl:" "$worded/verr" &&
    grep -qF "unknown template variable 'step' in commit subject (a fleet template sees the repo's variables only)" "$worded/verr"; then
    ok "validate: an unknown variable in the commit subject, with its place"
else
    not_ok "validate commit subject" "exit $rc" "$(cat "$worded/verr")"
fi

# --stat: one line per step, operation and link instead of the diff
"$HANDOFF" -C "$cfg" plan -q --stat --cache "$HF_TMP/cache" --today 2026-11-27 "${sources[@]}" odoo-tenant-cm >"$HF_TMP/stat.txt" 2>&1 || true
want_stat=$(node -e '
    const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const r = j.repos.find(x => x.repo === "cbusillo/odoo-tenant-cm");
    const out = [];
    for (const c of r.changes) {
        const key = [c.recipe, c.step, c.op, c.capability || "", c.exception || ""].join("|");
        const last = out[out.length - 1];
        if (last && last.key === key) last.items.push(c); else out.push({key, items: [c]});
    }
    for (const g of out) {
        const c = g.items[0];
        const names = g.items.slice(0, 3).map(e => e.path + (e.to ? " -> " + e.to : "")).join(", ");
        const more = g.items.length > 3 ? " and " + (g.items.length - 3) + " more" : "";
        console.log("   " + c.recipe + " step " + c.step + ": " + c.op + " " + names + more + " [" +
            (c.capability ? "capability " + c.capability : "exception " + c.exception) + "]");
    }' "$HF_TMP/out/plan.json")
if [ -n "$want_stat" ] && [ "$(grep -E '^   [a-z-]+ step [0-9]+: ' "$HF_TMP/stat.txt")" = "$want_stat" ] &&
    ! grep -q '^diff --git\|^@@ ' "$HF_TMP/stat.txt"; then
    ok "--stat: the changes by step and link, no diff"
else
    not_ok "--stat" "want:" "$want_stat" "got:" "$(cat "$HF_TMP/stat.txt")"
fi
# the rewritten job calls the reusable workflow, keeps its id and name, and the
# workflow's triggers are untouched
if grep -q '^+    uses: cbusillo/launchplane/.github/workflows/reusable-odoo-artifact-publish.yml@main$' "$HF_TMP/out/cbusillo__odoo-tenant-cm.patch" &&
    grep -q '^+      context: cm$' "$HF_TMP/out/cbusillo__odoo-tenant-cm.patch" &&
    ! grep -q '^[-+]on:' "$HF_TMP/out/cbusillo__odoo-tenant-cm.patch"; then
    ok "replace-job in the patch"
else
    not_ok "replace-job in the patch" "$(head -80 "$HF_TMP/out/cbusillo__odoo-tenant-cm.patch")"
fi
if grep -q 'rename from platform/dokploy.toml' "$HF_TMP/out/cbusillo__odoo-ai.patch" &&
    grep -q 'rename to archive/remote-ops/platform/dokploy.toml' "$HF_TMP/out/cbusillo__odoo-ai.patch"; then
    ok "archive moves appear as renames"
else
    not_ok "archive renames" "$(grep -E '^(rename|diff)' "$HF_TMP/out/cbusillo__odoo-ai.patch")"
fi
# the text output: a header per repo with its diff, then the summary table
if grep -q '^== cbusillo/odoo-docker (refs/heads/main 59ff09de925d): changes$' "$HF_TMP/plan.txt" &&
    grep -q '^+# Transitional: exception ghcr-retention, until Launchplane owns retention.$' "$HF_TMP/plan.txt" &&
    grep -qE '^cbusillo/odoo-ai +changes +6 +1  8 -> 4$' "$HF_TMP/plan.txt"; then
    ok "text output: headers, diffs, summary"
else
    not_ok "text output" "$(cat "$HF_TMP/plan.txt" | head -40)"
fi
# progress goes to stderr, one plain line per repo when not on a terminal
if [ "$(grep -c '^handoff: \[[0-9]/3\] cbusillo/' "$HF_TMP/plan.err")" -eq 3 ]; then ok "plain progress lines"; else not_ok "progress" "$(cat "$HF_TMP/plan.err")"; fi

# nothing written to the sources; the cache holds bare mirrors only
snapshot >"$HF_TMP/after.snap"
if cmp -s "$HF_TMP/before.snap" "$HF_TMP/after.snap"; then ok "source repos untouched"; else not_ok "source repos changed" "$(diff "$HF_TMP/before.snap" "$HF_TMP/after.snap" | head)"; fi
worktrees=$(find "$HF_TMP/cache" -mindepth 1 -maxdepth 1 ! -name '*.git' | wc -l)
bare=$(for d in "$HF_TMP/cache"/*.git; do git -C "$d" rev-parse --is-bare-repository; done | sort -u)
if [ "$worktrees" -eq 0 ] && [ "$bare" = "true" ]; then ok "cache holds bare mirrors only"; else not_ok "cache" "$(ls -la "$HF_TMP/cache")"; fi
if grep -rqa 'ghp_planSecretToken0123456789' "$HF_TMP/out" "$HF_TMP/cache" "$HF_TMP/plan.txt" "$HF_TMP/plan.err"; then
    not_ok "the token leaked"
else
    ok "the token appears in no output, patch or cache file"
fi

# --- determinism and convergence ---------------------------------------------
"$HANDOFF" -C "$cfg" plan -q --cache "$HF_TMP/cache" --today 2026-11-27 "${sources[@]}" --out "$HF_TMP/out2" >/dev/null
# (but for the --out it names in the reproducing command)
if diff -r -I '^Reproduce with ' -I '^<code class=cmd>' "$HF_TMP/out" "$HF_TMP/out2" >/dev/null; then ok "a second run writes byte-identical output"; else not_ok "re-run differs" "$(diff -r "$HF_TMP/out" "$HF_TMP/out2" | head)"; fi
if grep -qxF "Reproduce with \`handoff -C $cfg plan --cache $HF_TMP/cache --today 2026-11-27 ${sources[*]} --out $HF_TMP/out\`." "$HF_TMP/out/summary.md"; then
    ok "summary.md: the command that reproduces the plan (command, sources, date, --out)"
else
    not_ok "reproduce line" "$(grep Reproduce "$HF_TMP/out/summary.md")"
fi

# --- exit statuses -------------------------------------------------------------
rc=0
"$HANDOFF" -C "$cfg" plan -q --cache "$HF_TMP/cache" --today 2026-11-27 "${sources[@]}" --detailed-exitcode >/dev/null || rc=$?
if [ "$rc" -eq 4 ]; then ok "--detailed-exitcode: 4 with changes pending"; else not_ok "--detailed-exitcode exit $rc"; fi
rc=0
"$HANDOFF" -C "$cfg" plan -q --cache "$HF_TMP/cache" --today 2027-07-01 "${sources[@]}" --format json >"$HF_TMP/late.json" || rc=$?
reason=$(json "$HF_TMP/late.json" 'j.repos[1].status+": "+j.repos[1].blocked.map(b=>b.recipe+" step "+b.step+" at "+b.at+": "+b.reason).join("|")+" patch="+j.repos[1].patch+" failed="+j.repos[1].failed.length')
if [ "$rc" -eq 3 ] && [ "$reason" = "blocked: image step 1 at $cfg/image.recipe.yml:5:5: exception 'ghcr-retention' expired on 2027-06-30 patch=null failed=0" ]; then
    ok "an expired exception blocks the repo (exit 3), naming recipe, step and mark"
else
    not_ok "expired exception" "exit $rc" "$reason"
fi
rc=0
"$HANDOFF" -C "$cfg" plan -q --cache "$HF_TMP/cache" --today 2026-11-27 "${sources[@]}" \
    --source "cbusillo/odoo-docker=$HF_TMP/no-such-repo.git" --format json >"$HF_TMP/fail.json" 2>"$HF_TMP/fail.err" || rc=$?
got=$(json "$HF_TMP/fail.json" 'j.repos.map(r=>r.status).join(" ")')
err=$(json "$HF_TMP/fail.json" 'j.repos[1].error')
if [ "$rc" -eq 1 ] && [ "$got" = "changes error changes" ] && [[ "$err" == cbusillo/odoo-docker:* ]]; then
    ok "a repo that cannot be fetched fails alone (exit 1) with its reason"
else
    not_ok "fetch failure" "exit $rc" "$got" "$err"
fi
rc=0
"$HANDOFF" -C "$cfg" plan -q --cache "$HF_TMP/cache" --source "nobody/else=$fleet/odoo-ai.git" >/dev/null 2>"$HF_TMP/e" || rc=$?
if [ "$rc" -eq 2 ] && grep -q "not a fleet repo" "$HF_TMP/e"; then ok "--source for an unknown repo is a usage error"; else not_ok "--source unknown" "exit $rc"; fi

# --- selection -------------------------------------------------------------------
"$HANDOFF" -C "$cfg" plan -q --cache "$HF_TMP/cache" --today 2026-11-27 "${sources[@]}" --family image --format json >"$HF_TMP/fam.json"
if [ "$(json "$HF_TMP/fam.json" 'j.repos.map(r=>r.repo).join(" ")')" = "cbusillo/odoo-docker" ]; then ok "--family selects"; else not_ok "--family"; fi
"$HANDOFF" -C "$cfg" plan -q --cache "$HF_TMP/cache" --today 2026-11-27 "${sources[@]}" odoo-ai --format markdown >"$HF_TMP/md"
if grep -q '^| `cbusillo/odoo-ai` | changes | 6 | 1 | 8 -> 4 |$' "$HF_TMP/md" && [ "$(grep -c '^| `' "$HF_TMP/md")" -eq 1 ]; then ok "REPO argument and markdown"; else not_ok "markdown" "$(cat "$HF_TMP/md")"; fi
finish
