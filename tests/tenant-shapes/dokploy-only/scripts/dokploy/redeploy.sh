#!/bin/sh
# Redeploy one compose stack through the Dokploy API.
set -eu
compose_id=$(curl -sSf -H "x-api-key: $DOKPLOY_TOKEN" "$DOKPLOY_HOST/api/compose.all" |
    jq -r --arg name "$1" '.[] | select(.name == $name) | .composeId')
curl -sSf -X POST -H "x-api-key: $DOKPLOY_TOKEN" -H "Content-Type: application/json" \
    --data "{\"composeId\": \"$compose_id\"}" "$DOKPLOY_HOST/api/compose.redeploy"
