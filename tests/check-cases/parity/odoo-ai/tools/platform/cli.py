import argparse


def build_parser():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    ship = sub.add_parser("ship", help="Deploy a target (testing or prod)")
    sub.add_parser("gate", help="Prod deploy safety gate: backup, then rollback on failure")
    sub.add_parser("promote", help="Promote testing to production")
    return parser


def run(target_id: str, dry_run: bool = False) -> None:
    client.deploy(target_id=target_id)
    if target_id == "prod":
        rollback(target_id)
