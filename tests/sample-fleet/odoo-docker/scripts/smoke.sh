#!/usr/bin/env bash
# Smoke test for the Odoo image: the binary runs, the Python package imports,
# and a throw-away server answers /web/health.
set -euo pipefail

image="${1:-odoo-docker:ci}"
name="odoo-smoke-$$"

docker run --rm --entrypoint odoo "$image" --version
docker run --rm --entrypoint python3 "$image" \
    -c "import odoo.release as r; print('odoo', r.version)"

cleanup() { docker rm -f "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT

docker run -d --name "$name" --entrypoint odoo "$image" \
    --http-port=8069 --no-database-list >/dev/null
for _ in $(seq 1 30); do
    if docker exec "$name" python3 -c \
        "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8069/web/health')" \
        2>/dev/null; then
        echo "smoke: ok"
        exit 0
    fi
    sleep 2
done
echo "smoke: /web/health did not answer" >&2
exit 1
