import os

RUNTIME_KEYS = frozenset(
    {
        "ODOO_DB_NAME",
        "DOKPLOY_HOST",  # the stack's API
        "DOKPLOY_TOKEN",
        "GITHUB_TOKEN",
    }
)

PASSTHROUGH_KEYS = ("DOKPLOY_HOST", "HOME")


def dokploy_host():
    return os.environ.get(
        "DOKPLOY_HOST",
        "",
    )
