"""platform: ship and roll back stacks on Dokploy."""
from .dokploy import Dokploy  # noqa: F401
