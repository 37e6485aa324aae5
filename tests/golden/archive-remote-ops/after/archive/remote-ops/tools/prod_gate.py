# ARCHIVED on 2026-07-01 by handoff (was tools/prod_gate.py): not current authority.
# See archive/remote-ops/ARCHIVED.md for what replaced it.
"""Production gate: snapshot the prod VM on Proxmox before a deploy."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess

PROXMOX_HOST = os.environ.get("PROXMOX_HOST", "proxmox.example.invalid")
PROD_VMID = os.environ.get("PROD_VMID", "120")


def ssh(*command: str) -> str:
    result = subprocess.run(
        ["ssh", f"root@{PROXMOX_HOST}", *command],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def snapshot(label: str) -> str:
    name = f"pre-deploy-{label}-{dt.datetime.now(dt.UTC):%Y%m%d%H%M}"
    ssh("qm", "snapshot", PROD_VMID, name, "--description", f"prod gate {label}")
    return name


def prune(keep: int) -> None:
    lines = ssh("qm", "listsnapshot", PROD_VMID).splitlines()
    names = [line.split()[1] for line in lines if "pre-deploy-" in line]
    for name in sorted(names)[:-keep]:
        ssh("qm", "delsnapshot", PROD_VMID, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("label", help="release label, e.g. the image tag")
    parser.add_argument("--keep", type=int, default=5)
    args = parser.parse_args()
    print(snapshot(args.label))
    prune(args.keep)


if __name__ == "__main__":
    main()
