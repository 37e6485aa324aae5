"""Dokploy REST calls."""
import json
import os
import urllib.request


class Dokploy:
    def __init__(self) -> None:
        self.host = os.environ["DOKPLOY_HOST"]
        self.token = os.environ["DOKPLOY_TOKEN"]

    def deploy(self, compose_id: str) -> None:
        req = urllib.request.Request(
            f"{self.host}/api/compose.deploy",
            data=json.dumps({"composeId": compose_id}).encode(),
            headers={"x-api-key": self.token},
        )
        urllib.request.urlopen(req)
