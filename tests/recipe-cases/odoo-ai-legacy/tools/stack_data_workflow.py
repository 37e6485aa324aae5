"""Restore production data onto testing as a Dokploy schedule."""
import os
import urllib.request


def restore() -> None:
    urllib.request.urlopen(f"{os.environ['DOKPLOY_HOST']}/api/schedule.create")
