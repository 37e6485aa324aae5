"""Runs inside the local container: restore the prod dump into the local database."""
import subprocess

subprocess.run(["pg_restore", "--no-owner", "-d", "odoo", "/volumes/prod.dump"], check=True)
