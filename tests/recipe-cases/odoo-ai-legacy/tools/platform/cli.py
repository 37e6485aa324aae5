"""`platform ship|rollback TARGET`."""
import sys
import tomllib
from pathlib import Path

from .commands_release import rollback, ship


def main() -> int:
    targets = tomllib.loads(Path("platform/dokploy.toml").read_text())["targets"]
    command, target = sys.argv[1], sys.argv[2]
    return (ship if command == "ship" else rollback)(targets[target])
