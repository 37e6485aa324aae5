#!/bin/sh
# ship a stack
set -eu
python -m tools.platform.release ship "$1"
