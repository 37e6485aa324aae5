"""Deploy helpers kept from before Launchplane."""
import subprocess

import requests

DOKPLOY = "https://dokploy.example.invalid"
# dokploy used to run this
# Dokploy used to run this (capitalised: not a word the checker knows)


def trigger(target_id=None):
    target_id = target_id or "cm-testing"
    requests.post("https://launchplane.example.invalid/v1/x", json={"target_id": target_id})
    subprocess.run(["ssh", "deploy@host", "true"])
    if target_id == "cm-prod":
        raise SystemExit("no")
    return dict(target_id=target_id)


def read(response):
    preview_url = response.result.preview_url
    deployment_record_id = response["result"]["deployment_record_id"]
    return preview_url, deployment_record_id
