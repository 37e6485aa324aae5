#!/bin/sh
# ARCHIVED on 2026-07-01 by handoff (was tools/ship.sh): not current authority.
# See archive/remote-ops/ARCHIVED.md for what replaced it.
# ship a stack
set -eu
python -m tools.platform.release ship "$1"
