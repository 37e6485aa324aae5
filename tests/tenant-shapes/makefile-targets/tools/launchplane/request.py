"""Sends one request to a Launchplane Odoo driver route."""
import argparse
import json
import os
import pathlib
import urllib.request
import uuid

parser = argparse.ArgumentParser()
parser.add_argument("route")
parser.add_argument("--context", required=True)
parser.add_argument("--artifact")
parser.add_argument("--phase")
args = parser.parse_args()
body = {k: v for k, v in {"context": args.context, "artifact_id": args.artifact, "phase": args.phase}.items() if v}
token = pathlib.Path(".launchplane-token").read_text().strip()
req = urllib.request.Request(
    f"{os.environ['LAUNCHPLANE_URL']}/v1/drivers/odoo/{args.route}",
    data=json.dumps(body).encode(),
    method="POST",
    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())},
)
with urllib.request.urlopen(req) as resp:
    if resp.status != 202:
        raise SystemExit(f"Launchplane answered {resp.status}")
