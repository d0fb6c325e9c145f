"""One digest of files by their content, with no Django in it: the launcher stamps what it has done with it
before Django is set up (collectstatic, the renderer), and pages name their code version by it."""

import hashlib
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def files_digest(names: Iterable[str], root: Path = ROOT) -> str:
    """A digest of the files and folders `names` (relative to `root`, the project's) by their paths and
    contents."""
    digest = hashlib.blake2b(digest_size=8)
    for name in names:
        top = root / name
        for path in sorted(top.rglob("*")) if top.is_dir() else [top]:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()
