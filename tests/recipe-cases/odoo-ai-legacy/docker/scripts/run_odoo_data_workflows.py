"""pg_dump from production over SSH, then pg_restore into the local database."""
import subprocess

subprocess.run(["ssh", "deploy@prod.example.invalid", "pg_dump", "-Fc", "opw"], check=True)
