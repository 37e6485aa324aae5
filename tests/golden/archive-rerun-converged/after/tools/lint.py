"""Repository lint: ruff plus a check that every addon manifest is sorted."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path


def check_manifests(root: Path) -> list[str]:
    problems = []
    for manifest in sorted(root.glob("addons/*/__manifest__.py")):
        data = ast.literal_eval(manifest.read_text())
        depends = data.get("depends", [])
        if depends != sorted(depends):
            problems.append(f"{manifest}: 'depends' is not sorted")
        if "license" not in data:
            problems.append(f"{manifest}: missing 'license'")
    return problems


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    problems = check_manifests(root)
    for problem in problems:
        print(problem, file=sys.stderr)
    ruff = subprocess.run(["ruff", "check", str(root)], check=False)
    return 1 if problems or ruff.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
