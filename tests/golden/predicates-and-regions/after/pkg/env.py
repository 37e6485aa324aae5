import os

RUNTIME_KEYS = frozenset(
    {
        "ODOO_DB_NAME",
        "GITHUB_TOKEN",
    }
)

PASSTHROUGH_KEYS = ("DOKPLOY_HOST", "HOME")


def dokploy_host():
    return os.environ.get(
        "DOKPLOY_HOST",
        "",
    )
