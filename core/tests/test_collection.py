"""Every test on disk runs in `make test`: a test that is never collected proves nothing."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT

SKIPPED_FOLDERS = {".venv", "node_modules", ".git", "var"}


def files_on_disk() -> set[str]:
    found = set()
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [name for name in subfolders if name not in SKIPPED_FOLDERS]
        for name in files:
            if name.startswith("test_") and name.endswith(".py"):
                found.add(os.path.relpath(os.path.join(folder, name), ROOT))
    return found


class CollectionTests:
    def test_it_collects_every_test_file_in_every_tests_folder(self) -> None:
        """pytest, run as `make test` runs it (no paths: pyproject's testpaths), collects a test from every
        test_*.py in the tree, whichever app it belongs to."""
        listed = subprocess.run(
            [sys.executable, "-m", "pytest", "--collect-only", "-q"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert listed.returncode == 0, listed.stdout[-3000:] + listed.stderr[-3000:]
        collected = {line.split("::", 1)[0] for line in listed.stdout.splitlines() if "::" in line}
        on_disk = files_on_disk()
        assert "experiments/tests/test_api.py" in on_disk
        assert on_disk - collected == set(), "test files that make test never runs"
