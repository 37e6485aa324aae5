"""Environment the local runtime hands to the containers it starts."""

PASSTHROUGH_ENV_VARS = frozenset(
    {
        "GITHUB_TOKEN",
        # the provider, for remote parity checks
        "DOKPLOY_HOST",  # legacy
        "DOKPLOY_TOKEN",
        "ODOO_ADDONS_PATH",
    }
)


def runtime_env(environ):
    return {k: v for k, v in environ.items() if k in PASSTHROUGH_ENV_VARS}
