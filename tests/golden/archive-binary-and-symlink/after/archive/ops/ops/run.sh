#!/bin/sh
# ARCHIVED on 2026-07-01 by handoff (was ops/run.sh): not current authority.
# See archive/ops/ARCHIVED.md for what replaced it.
echo run
