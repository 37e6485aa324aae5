"""`platform ship` and `platform rollback`: deploy a stack through Dokploy."""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

from .dokploy import DokployClient, DokployError

CONFIG = Path("platform/dokploy.toml")


def _target(name: str) -> dict:
    targets = tomllib.loads(CONFIG.read_text())["targets"]
    if name not in targets:
        raise SystemExit(f"unknown target {name!r}; known: {', '.join(sorted(targets))}")
    return targets[name]


def ship(args: argparse.Namespace) -> int:
    target = _target(args.target)
    client = DokployClient.from_config(CONFIG)
    if args.image:
        client.update_compose_env(target["compose_id"], {"ODOO_IMAGE": args.image})
    client.deploy_compose(target["compose_id"])
    print(f"shipped {args.target}")
    return 0


def rollback(args: argparse.Namespace) -> int:
    target = _target(args.target)
    client = DokployClient.from_config(CONFIG)
    client.update_compose_env(target["compose_id"], {"ODOO_IMAGE": args.to})
    client.redeploy_compose(target["compose_id"])
    print(f"rolled {args.target} back to {args.to}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="platform")
    sub = parser.add_subparsers(dest="command", required=True)
    p_ship = sub.add_parser("ship", help="deploy a target (testing or prod)")
    p_ship.add_argument("target")
    p_ship.add_argument("--image")
    p_ship.set_defaults(func=ship)
    p_back = sub.add_parser("rollback", help="redeploy a target on an older image")
    p_back.add_argument("target")
    p_back.add_argument("--to", required=True, help="image reference to restore")
    p_back.set_defaults(func=rollback)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except DokployError as exc:
        print(f"platform: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
