"""The local runtime: which environment a local stack gets."""
from __future__ import annotations

import os

PLATFORM_RUNTIME_ENV_KEYS = (
    "PLATFORM_CONTEXT",
    "ODOO_DB_NAME",
    "ODOO_DB_USER",
    # provider access (remote stacks)
    "DOKPLOY_HOST",
    "DOKPLOY_TOKEN",
    "GITHUB_TOKEN",
)

PLATFORM_RUNTIME_PASSTHROUGH_PREFIXES = (
    "ENV_OVERRIDE_",
)

PLATFORM_RUNTIME_PASSTHROUGH_KEYS = (
    "ODOO_KEY",
    "DOKPLOY_HOST",
    "DOKPLOY_TOKEN",
)


def runtime_environment() -> dict[str, str]:
    keys = set(PLATFORM_RUNTIME_ENV_KEYS) | set(PLATFORM_RUNTIME_PASSTHROUGH_KEYS)
    return {key: value for key, value in os.environ.items() if key in keys}


def dokploy_host_default() -> str:
    return os.environ.get(
        "DOKPLOY_HOST",
        "",
    )
