"""Release commands: ship to production, roll back production."""
from .dokploy import Dokploy


def ship(target: dict) -> int:
    Dokploy().deploy(target["compose_id"])  # deploy to prod
    return 0


def rollback(target: dict) -> int:
    Dokploy().deploy(target["compose_id"])  # rollback prod to the previous image
    return 0
