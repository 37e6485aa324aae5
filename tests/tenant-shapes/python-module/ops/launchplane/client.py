"""The one place this repo talks to Launchplane: an OIDC token from the
GitHub job, then a POST with an idempotency key."""

import json
import os
import urllib.request
import uuid


def _token(audience: str) -> str:
    request = urllib.request.Request(
        os.environ["ACTIONS_ID_TOKEN_REQUEST_URL"] + "&audience=" + audience,
        headers={"Authorization": "bearer " + os.environ["ACTIONS_ID_TOKEN_REQUEST_TOKEN"]},
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)["value"]


def post(route: str, payload: dict) -> dict:
    base = os.environ["LAUNCHPLANE_URL"].rstrip("/")
    request = urllib.request.Request(
        base + route,
        data=json.dumps(payload).encode(),
        headers={
            "Authorization": "Bearer " + _token(base),
            "Idempotency-Key": str(uuid.uuid4()),
            "Content-Type": "application/json",
        },
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)
