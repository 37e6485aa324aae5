# ARCHIVED on 2026-07-01 by handoff (was tools/release.py): not current authority.
# See archive/remote-ops/ARCHIVED.md for what replaced it.
"""ship and rollback"""
