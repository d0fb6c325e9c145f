"""Plain text that may hold formulas (a matching question's answers, a learner's answer, Moodle imports keep TeX
in them), made readable: the text escaped, each formula typeset as MathML by the renderer lessons use
(lessons.rendering.typeset), so a teacher reads ½, not \\frac{1}{2}."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from lessons.rendering import MathError, typeset

# $$…$$ and \[…\] are display formulas; $…$ and \(…\) inline ones. A lone "$5" is money, not a formula: an
# inline $…$ must not start or end with a space.
FORMULA = re.compile(
    r"\$\$(?P<d1>.+?)\$\$|\\\[(?P<d2>.+?)\\\]|\\\((?P<i1>.+?)\\\)|\$(?P<i2>[^\s$](?:[^$]*?[^\s$])?)\$", re.S
)


def math_text(text: object) -> SafeString:
    """`text` as safe HTML: escaped, with its formulas typeset (one that does not parse stays as written)."""
    source = "" if text is None else str(text)
    out, at = [], 0
    for match in FORMULA.finditer(source):
        out.append(escape(source[at : match.start()]))
        display = match.group("d1") is not None or match.group("d2") is not None
        tex = next(
            g for g in (match.group("d1"), match.group("d2"), match.group("i1"), match.group("i2")) if g
        )
        try:
            out.append(typeset(tex.strip(), display))
        except MathError:
            out.append(escape(match.group(0)))
        at = match.end()
    out.append(escape(source[at:]))
    return mark_safe("".join(out))  # noqa: S308 -- every piece is escaped or MathML from the typesetter
