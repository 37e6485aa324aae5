"""Checks that every addon manifest declares a license (local lint)."""

import ast
import sys
from pathlib import Path


def main() -> int:
    bad = [p for p in Path("addons").glob("*/__manifest__.py") if "license" not in ast.literal_eval(p.read_text())]
    for p in bad:
        print(f"{p}: no license", file=sys.stderr)
    return 1 if bad else 0
