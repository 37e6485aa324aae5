"""Publish this tenant's artifact through Launchplane from a GitHub job.

The job needs `permissions: id-token: write`; the token's audience is the
Launchplane host.
"""

import argparse
import os
import sys
import uuid

import requests


def oidc_token(audience: str) -> str:
    url = os.environ["ACTIONS_ID_TOKEN_REQUEST_URL"]
    bearer = os.environ["ACTIONS_ID_TOKEN_REQUEST_TOKEN"]
    response = requests.get(
        url, params={"audience": audience}, headers={"Authorization": f"bearer {bearer}"}
    )
    response.raise_for_status()
    return response.json()["value"]


def call(base: str, token: str, route: str, payload: dict) -> dict:
    response = requests.post(
        base + route,
        json=payload,
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
        timeout=600,
    )
    body = response.json()
    if response.status_code != 202 or body.get("status") != "accepted":
        sys.exit(f"Launchplane rejected {route}: {body.get('error')}")
    return body


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--context", required=True)
    args = parser.parse_args()
    base = os.environ["LAUNCHPLANE_URL"].rstrip("/")
    token = oidc_token(base)
    instance = os.environ.get("INSTANCE", "testing")
    inputs = call(base, token, "/v1/drivers/odoo/artifact-publish-inputs",
                  {"context": args.context, "instance": instance})
    call(base, token, "/v1/drivers/odoo/artifact-publish",
         {"context": args.context, "instance": instance, "inputs": inputs["result"]})


if __name__ == "__main__":
    main()
