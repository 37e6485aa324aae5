"""Local-only helper Launchplane allows: reads the Dokploy settings of a
developer's own sandbox stack, never a shared or production one."""
import os


def sandbox_host():
    return os.environ.get("DOKPLOY_HOST", "http://localhost:3000")
