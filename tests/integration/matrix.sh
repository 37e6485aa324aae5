#!/usr/bin/env bash
# `handoff matrix`: the owner matrix of the shipped fleet and of the test
# fleet, its filters, and --shard K/N partitioning the fleet.
source "$(dirname "$0")/lib.sh"
base="$HF_SOURCE_ROOT/tests/config-cases/base"
shipped="$HF_SOURCE_ROOT/recipes"
# the "repo" values of a matrix JSON file, space-separated (none: empty)
repos_of() { { grep -oE '"repo":[[:space:]]*"[^"]+"' "$1" || true; } | sed 's/.*"\([^"]*\)"$/\1/' | tr '\n' ' '; }

# The shipped fleet lists all eight repos of the Odoo fleet.
rc=0
"$HANDOFF" -C "$shipped" matrix --format json >"$HF_TMP/m.json" 2>"$HF_TMP/m.err" || rc=$?
repos=$(repos_of "$HF_TMP/m.json" | tr ' ' '\n' | sort | grep . | tr '\n' ' ')
want="cbusillo/disable_odoo_online cbusillo/odoo-ai cbusillo/odoo-devkit cbusillo/odoo-docker cbusillo/odoo-enterprise-docker cbusillo/odoo-shared-addons cbusillo/odoo-tenant-cm cbusillo/odoo-tenant-opw "
if [ "$rc" -eq 0 ] && [ "$repos" = "$want" ]; then ok "shipped matrix lists the eight repos"; else not_ok "shipped matrix" "exit $rc" "got: $repos" "$(cat "$HF_TMP/m.err")"; fi

# Markdown: exact bytes for the small test fleet.
"$HANDOFF" -C "$base" matrix --today 2026-11-27 >"$HF_TMP/m.md"
cat >"$HF_TMP/want.md" <<'MD'
# Owner matrix: test-fleet

| repo | family | contexts | product | surface | owner | link |
|---|---|---|---|---|---|---|
| `acme/tenant-a` | tenant | a | tenant-a | artifact-publish | launchplane | capability `artifact-publish` |
|  |  |  |  | build-test | repo |  |
| `acme/image` | image |  |  | ghcr-retention | transitional | exception `ghcr-retention` (until 2027-06-30, acme/launchplane#898) |
MD
if cmp -s "$HF_TMP/m.md" "$HF_TMP/want.md"; then ok "markdown matrix bytes"; else not_ok "markdown matrix" "$(diff "$HF_TMP/want.md" "$HF_TMP/m.md")"; fi

# Filters.
"$HANDOFF" -C "$shipped" matrix --format json --family image >"$HF_TMP/f.json"
got=$(repos_of "$HF_TMP/f.json")
if [ "$got" = "cbusillo/odoo-docker cbusillo/odoo-enterprise-docker " ]; then ok "--family image"; else not_ok "--family image" "got: $got"; fi
"$HANDOFF" -C "$shipped" matrix --format json --repo 'cbusillo/odoo-tenant-*' --repo cbusillo/odoo-ai >"$HF_TMP/g.json"
got=$(repos_of "$HF_TMP/g.json")
if [ "$got" = "cbusillo/odoo-tenant-cm cbusillo/odoo-tenant-opw cbusillo/odoo-ai " ]; then ok "--repo globs, repeated"; else not_ok "--repo globs" "got: $got"; fi

# --shard K/N: the N slices are disjoint and together make the whole fleet,
# for several N.
for n in 1 2 3 4 8; do
    all=""
    for k in $(seq 1 "$n"); do
        "$HANDOFF" -C "$shipped" matrix --format json --shard "$k/$n" >"$HF_TMP/s.json"
        all="$all $(repos_of "$HF_TMP/s.json")"
    done
    sorted=$(echo $all | tr ' ' '\n' | sort | grep . | tr '\n' ' ')
    if [ "$sorted" = "$want" ]; then ok "--shard k/$n partitions the fleet"; else not_ok "--shard k/$n" "union: $sorted"; fi
done
# and the slice a repo lands in does not depend on the machine or the run
a=$("$HANDOFF" -C "$shipped" matrix --format json --shard 2/3)
b=$("$HANDOFF" -C "$shipped" matrix --format json --shard 2/3)
if [ "$a" = "$b" ]; then ok "--shard is deterministic"; else not_ok "--shard is deterministic"; fi
finish
