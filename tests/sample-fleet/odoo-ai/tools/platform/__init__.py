"""The `platform` CLI: ship and roll back Odoo stacks on Dokploy."""

from .dokploy import DokployClient, DokployError

__all__ = ["DokployClient", "DokployError"]
