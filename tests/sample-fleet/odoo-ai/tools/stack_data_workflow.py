"""Schedule remote data workflows (restore, pull from prod) as Dokploy jobs."""

from __future__ import annotations

import argparse
import json
import os
import urllib.request

WORKFLOWS = {
    "restore": "python3 /opt/odoo/scripts/run_odoo_data_workflows.py restore",
    "pull-from-prod": "python3 /opt/odoo/scripts/run_odoo_data_workflows.py pull",
}


def schedule(compose_id: str, workflow: str, cron: str | None) -> dict:
    host = os.environ["DOKPLOY_HOST"].rstrip("/")
    payload = {
        "composeId": compose_id,
        "serviceName": "odoo",
        "command": WORKFLOWS[workflow],
        "cronExpression": cron or "0 0 31 2 *",
        "enabled": cron is not None,
    }
    request = urllib.request.Request(
        f"{host}/api/schedule.create",
        data=json.dumps(payload).encode(),
        headers={"x-api-key": os.environ["DOKPLOY_TOKEN"], "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"{}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("compose_id")
    parser.add_argument("workflow", choices=sorted(WORKFLOWS))
    parser.add_argument("--cron", help="run on a schedule instead of once")
    args = parser.parse_args()
    print(json.dumps(schedule(args.compose_id, args.workflow, args.cron), indent=2))


if __name__ == "__main__":
    main()
