"""Local-only helper: reads the developer's own Dokploy settings."""
import os

REQUIRED_DOKPLOY_ENV_KEYS = (
    "DOKPLOY_HOST",
    "DOKPLOY_TOKEN",
)


def configured() -> bool:
    return all(os.environ.get(key) for key in REQUIRED_DOKPLOY_ENV_KEYS)
