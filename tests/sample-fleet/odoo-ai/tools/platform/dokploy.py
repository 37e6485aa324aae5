"""Small Dokploy REST client (compose deploys and environment updates)."""

from __future__ import annotations

import json
import os
import tomllib
import urllib.request
from dataclasses import dataclass
from pathlib import Path


class DokployError(RuntimeError):
    pass


@dataclass
class DokployClient:
    host: str
    token: str
    timeout: int = 60

    @classmethod
    def from_config(cls, path: Path = Path("platform/dokploy.toml")) -> "DokployClient":
        config = tomllib.loads(path.read_text())["dokploy"]
        token = os.environ.get(config.get("token_env", "DOKPLOY_TOKEN"), "")
        if not token:
            raise DokployError("DOKPLOY_TOKEN is not set")
        host = os.environ.get("DOKPLOY_HOST", config["host"])
        return cls(host.rstrip("/"), token, config.get("timeout_seconds", 60))

    def _post(self, path: str, payload: dict) -> dict:
        request = urllib.request.Request(
            f"{self.host}{path}",
            data=json.dumps(payload).encode(),
            headers={"x-api-key": self.token, "Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
        except OSError as exc:
            raise DokployError(f"{path}: {exc}") from exc
        return json.loads(body) if body else {}

    def deploy_compose(self, compose_id: str) -> dict:
        return self._post("/api/compose.deploy", {"composeId": compose_id})

    def redeploy_compose(self, compose_id: str) -> dict:
        return self._post("/api/compose.redeploy", {"composeId": compose_id})

    def update_compose_env(self, compose_id: str, env: dict[str, str]) -> dict:
        text = "\n".join(f"{key}={value}" for key, value in sorted(env.items()))
        return self._post("/api/compose.update", {"composeId": compose_id, "env": text})
