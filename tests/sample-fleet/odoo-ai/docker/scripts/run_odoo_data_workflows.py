"""Data workflows run inside the Odoo container: restore and pull from prod."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SSH_HOST = os.environ.get("DATA_WORKFLOW_SSH_HOST", "")
SSH_USER = os.environ.get("DATA_WORKFLOW_SSH_USER", "deploy")
SSH_KEY = os.environ.get("DATA_WORKFLOW_SSH_KEY_PATH", "")
DB_NAME = os.environ.get("ODOO_DB_NAME", "odoo")
BACKUP_ROOT = Path(os.environ.get("ODOO_BACKUP_ROOT", "/srv/backups"))
FILESTORE = Path("/var/lib/odoo/filestore")


def run(*argv: str) -> None:
    print("+", " ".join(argv), flush=True)
    subprocess.run(argv, check=True)


def remote() -> str:
    return f"{SSH_USER}@{SSH_HOST}"


def pull() -> None:
    """Dump the upstream (prod) database over SSH and fetch its filestore."""
    dump = BACKUP_ROOT / f"{DB_NAME}.dump"
    upstream_db = os.environ.get("ODOO_UPSTREAM_DB", DB_NAME)
    with dump.open("wb") as out:
        subprocess.run(
            ["ssh", "-i", SSH_KEY, remote(), "pg_dump", "-Fc", upstream_db],
            check=True,
            stdout=out,
        )
    run("rsync", "-az", "--delete", "-e", f"ssh -i {SSH_KEY}",
        f"{remote()}:/var/lib/odoo/filestore/{upstream_db}/", f"{FILESTORE / DB_NAME}/")


def restore() -> None:
    """Restore the latest dump into the local database."""
    dump = BACKUP_ROOT / f"{DB_NAME}.dump"
    run("dropdb", "--if-exists", DB_NAME)
    run("createdb", DB_NAME)
    run("pg_restore", "--no-owner", "-d", DB_NAME, str(dump))


def main() -> None:
    commands = {"pull": pull, "restore": restore}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(commands)}}}")
    commands[sys.argv[1]]()


if __name__ == "__main__":
    main()
