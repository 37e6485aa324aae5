#!/usr/bin/env bash
# handoff apply --commit-via api against the fake GitHub serving the test
# fleet's bare repos: GitHub makes the batch commit (createCommitOnBranch,
# signed) and nothing is pushed over git, while the lease, human-modified
# detection and convergence behave exactly as with a push. A change the API
# cannot express is refused, naming the file.
source "$(dirname "$0")/lib.sh"
source "$HF_SOURCE_ROOT/tests/apply-config/harness.sh"

TENANT=acme/odoo-tenant-cm DOCKER=acme/odoo-docker
result_of() { grep "^$1: " "$HF_TMP/out" | head -n1 | sed 's/^[^:]*: \([a-z-]*\).*/\1/'; }
pulls() { forge_state | jsq "d.repos['$1'] ? d.repos['$1'].pulls : []"; }
count() { forge_log | jsq "d.requests.filter(r => $1).length"; }
graphql() { count "r.path === '/graphql' && r.body.includes('$1')"; }
commit_of() { git --git-dir "$REPOS/$1.git" cat-file commit "$2"; }
# The branch tip's commit object, and what the plan wanted: the tree of the
# commit a push would have made (plan --out's patch applied to the base).
planned_tree() {
    local repo=$1 wt=$HF_TMP/planned-$RANDOM
    run_handoff "$HF_TMP/plan.out" "$HF_TMP/plan.err" -C "$CFG" --cache "$CACHE" plan \
        --today 2026-06-01 "${SOURCES[@]}" --repo "acme/$repo" --out "$HF_TMP/plan-out" || true
    git clone -q "$REPOS/$repo.git" "$wt"
    git -C "$wt" am -q "$HF_TMP/plan-out/acme__$repo.patch"
    git -C "$wt" rev-parse 'HEAD^{tree}'
    rm -rf "$wt"
}

# ---- 1. the first run: GitHub makes both commits --------------------------------
fresh
main_before=$(tip odoo-docker main)
want_tree=$(planned_tree odoo-docker)
forge_clear_log
git_clear_log
apply --commit-via api
expect_eq "api: exit 0" 0 "$rc"
expect_eq "api: both PRs created" "created created no-changes" \
    "$(result_of $TENANT) $(result_of $DOCKER) $(result_of acme/odoo-ai)"
head=$(tip odoo-docker "$BRANCH")
commit_of odoo-docker "$head" >"$HF_TMP/commit"
expect_grep "api: GitHub made the commit" '^committer GitHub <noreply@github.com> ' "$HF_TMP/commit"
expect_grep "api: and signed it" '^gpgsig -----BEGIN PGP SIGNATURE-----' "$HF_TMP/commit"
expect_eq "api: on the base" "$main_before" "$(tip odoo-docker "$head^")"
expect_eq "api: with the planned tree" "$want_tree" \
    "$(git --git-dir "$REPOS/odoo-docker.git" rev-parse "$head^{tree}")"
expect_grep "api: the fleet trailer is kept" '^Handoff-Fleet: apply-test$' "$HF_TMP/commit"
expect_grep "api: the exception trailer is kept" '^Handoff-Exception: runner-hygiene$' "$HF_TMP/commit"
expect_grep "api: the output says so" "GitHub committed ${head:0:12} (signed) to new branch $BRANCH" "$HF_TMP/out"
expect_eq "api: nothing pushed over git, one info/refs per fetch" "0 3" "$(pushes) $(info_refs)"
expect_eq "api: one createCommitOnBranch and one updateRefs per changed repo" "2 2" \
    "$(graphql createCommitOnBranch) $(graphql updateRefs)"
expect_eq "api: no scratch branch left" "" \
    "$(git --git-dir "$REPOS/odoo-docker.git" for-each-ref refs/heads/handoff-scratch)"
expect_eq "api: the journal's lease is GitHub's commit" "$head" "$(jsq "d.repos['$DOCKER'].pushed" <"$STATE")"
expect_eq "api: the PR's head is GitHub's commit" "$head" \
    "$(forge_state | jsq "d.repos['$DOCKER'].pulls[0].head_sha")"

# ---- 2. converged: nothing sent, nothing committed ------------------------------
forge_clear_log
git_clear_log
apply --commit-via api
expect_eq "api re-run: unchanged" "0 unchanged unchanged" "$rc $(result_of $TENANT) $(result_of $DOCKER)"
expect_eq "api re-run: no mutation, no push" "0 0" "$(mutations) $(pushes)"
expect_eq "api re-run: the branch stays" "$head" "$(tip odoo-docker "$BRANCH")"
# and a push-mode run finds the API's commit just as good
apply
expect_eq "git re-run over the API's commit: unchanged, nothing pushed" "unchanged 0" \
    "$(result_of $DOCKER) $(pushes)"

# ---- 3. the base moved: rebuilt on it, replacing handoff's commit ----------------
as_person odoo-docker main "Unrelated work on main" sh -c 'echo "# notes" >NOTES.md'
new_main=$(tip odoo-docker main)
forge_clear_log
git_clear_log
apply --commit-via api
expect_eq "base moved: updated" "0 updated" "$rc $(result_of $DOCKER)"
new_head=$(tip odoo-docker "$BRANCH")
expect_eq "base moved: the new commit sits on the new base" "$new_main" "$(tip odoo-docker "$new_head^")"
expect_grep "base moved: said what it replaced" "GitHub committed ${new_head:0:12} (signed) over ${head:0:12}" "$HF_TMP/out"
expect_eq "base moved: still one PR, nothing pushed over git" "1 0" \
    "$(pulls $DOCKER | jsq d.length) $(pushes)"

# ---- 4. a person committed on the branch: hands off ------------------------------
as_person odoo-docker "$BRANCH" "A reviewer's fix" sh -c 'echo fix >FIX.md'
human=$(tip odoo-docker "$BRANCH")
as_person odoo-docker main "More work on main" sh -c 'echo more >>NOTES.md'
forge_clear_log
apply --commit-via api
expect_eq "human commit: human-modified" "0 human-modified" "$rc $(result_of $DOCKER)"
expect_eq "human commit: the person's commit stays" "$human" "$(tip odoo-docker "$BRANCH")"
expect_eq "human commit: nothing sent" 0 "$(mutations)"

# ---- 5. what the API cannot express: refused by name, the others go on -----------
fresh
as_person odoo-tenant-cm main "README becomes executable" chmod +x README.md
forge_clear_log
apply --commit-via api
expect_eq "executable file: exit 1" 1 "$rc"
expect_eq "executable file: that repo is an error, the other goes on" "error created" \
    "$(result_of $TENANT) $(result_of $DOCKER)"
expect_grep "executable file: named, with why and what to do" \
    "acme/odoo-tenant-cm: --commit-via api: createCommitOnBranch cannot express README.md: it would be an executable file (mode 100755); the API writes every file as a regular, non-executable file (mode 100644); use --commit-via git for this repository" \
    "$HF_TMP/err"
expect_eq "executable file: no mutation about that repo, no branch" "0 " \
    "$(count 'r.method !== "GET" && (r.path.includes("odoo-tenant-cm") || r.body.includes("odoo-tenant-cm"))') $(tip odoo-tenant-cm "$BRANCH")"
apply --repo "$TENANT"
expect_eq "the same repo with --commit-via git: pushed as ever" "0 created" "$rc $(result_of $TENANT)"

# ---- 6. as the GitHub App, push only -------------------------------------------------
fresh
forge_clear_log
apply_as_app --commit-via api --no-pr
expect_eq "App, --no-pr: pushed through the API" "0 pushed pushed" \
    "$rc $(result_of $TENANT) $(result_of $DOCKER)"
expect_grep "App: the commit is the App's" '^author handoff-app\[bot\] ' \
    <(commit_of odoo-docker "$(tip odoo-docker "$BRANCH")")
expect_eq "App, --no-pr: no pull-request request" 0 "$(count 'r.path.includes("/pulls") || r.path.includes("/issues")')"
expect_eq "App, --no-pr: nothing pushed over git" 0 "$(pushes)"

# ---- 7. usage ---------------------------------------------------------------------------
apply --commit-via svn
expect_eq "--commit-via svn: exit 2" 2 "$rc"
expect_grep "--commit-via svn: the choices" "commit-via takes git or api, not 'svn'" "$HF_TMP/err"
GITHUB_TOKEN='' apply --commit-via api --no-pr
expect_eq "--commit-via api needs credentials even with --no-pr" 2 "$rc"

leaks=$(grep -rl -- "$TOKEN" "$HF_TMP/all-output" "$HF_TMP"/state-*.json "$HF_TMP"/cache-* 2>/dev/null || true)
expect_eq "the token is in no output, journal or cache" "" "$leaks"
finish
