"""Moodle's Cloze (embedded answers, qtype_multianswer): a text with gaps written in it, each gap a small
question of its own — `{2:SHORTANSWER:=Adam#Right~%50%SGD#Close}` is a short answer worth 2 marks.

`extract()` takes the gaps out of a text, leaving GAP markers (⟦1⟧, ⟦2⟧ ...) where they stood, and returns
each gap's settings and answers; `embed()` writes them back. Pure Python, as the GIFT and Moodle XML readers.

Types (Moodle's names and short forms): SHORTANSWER/SA/MW, SHORTANSWER_C/SAC/MWC (case sensitive),
NUMERICAL/NM (`=value:tolerance`), MULTICHOICE/MC (a menu), MULTICHOICE_V/MCV and MULTICHOICE_H/MCH (buttons,
vertical or horizontal), MULTIRESPONSE/MR and MULTIRESPONSE_H/MRH (check boxes); an `_S` or `S` suffix
shuffles the choices. An answer is `=text` (100%), `%n%text` (n%) or `text` (0%); `#feedback` follows it,
`~` separates answers; HTML entities are decoded and `\\}`, `\\#` are the characters themselves, as
qtype_multianswer_extract_question reads them (a `~` cannot be written inside a gap). Check boxes' positive
weights are scaled to add up to 100%, and without any %n% weight each wrong box cancels one right one, as there.
"""

from __future__ import annotations

import html
import re
from typing import Any

from .gift import GiftAnswer, GiftError, format_number, gettext_noop

GAP = "⟦{}⟧"  # where gap n stood in the text (U+27E6, U+27E7: nothing Markdown or HTML reads)
GAP_RE = re.compile(r"⟦(\d+)⟧", re.ASCII)

_TYPES = {
    "SHORTANSWER": ("short", False, "", False),
    "SA": ("short", False, "", False),
    "MW": ("short", False, "", False),
    "SHORTANSWER_C": ("short", True, "", False),
    "SAC": ("short", True, "", False),
    "MWC": ("short", True, "", False),
    "NUMERICAL": ("numeric", False, "", False),
    "NM": ("numeric", False, "", False),
    "MULTICHOICE": ("single", False, "menu", False),
    "MC": ("single", False, "menu", False),
    "MULTICHOICE_S": ("single", False, "menu", True),
    "MCS": ("single", False, "menu", True),
    "MULTICHOICE_V": ("single", False, "vertical", False),
    "MCV": ("single", False, "vertical", False),
    "MULTICHOICE_VS": ("single", False, "vertical", True),
    "MCVS": ("single", False, "vertical", True),
    "MULTICHOICE_H": ("single", False, "horizontal", False),
    "MCH": ("single", False, "horizontal", False),
    "MULTICHOICE_HS": ("single", False, "horizontal", True),
    "MCHS": ("single", False, "horizontal", True),
    "MULTIRESPONSE": ("multiple", False, "vertical", False),
    "MR": ("multiple", False, "vertical", False),
    "MULTIRESPONSE_S": ("multiple", False, "vertical", True),
    "MRS": ("multiple", False, "vertical", True),
    "MULTIRESPONSE_H": ("multiple", False, "horizontal", False),
    "MRH": ("multiple", False, "horizontal", False),
    "MULTIRESPONSE_HS": ("multiple", False, "horizontal", True),
    "MRHS": ("multiple", False, "horizontal", True),
}
_START = re.compile(r"\{(\d*):(" + "|".join(sorted(_TYPES, key=len, reverse=True)) + r"):", re.ASCII)
_FRACTION = re.compile(r"%(-?\d+(?:[.,]\d*)?)%", re.ASCII)
_NUMBER = r"-?(?:\d+[.,]?\d*|[.,]\d+)(?:[eE][-+]?\d+)?"
_NUMERIC = re.compile(rf"^({_NUMBER})(?::({_NUMBER}))?$", re.ASCII)
MAX_GAPS = 50


def _unescape(text: str, decode: bool = True) -> str:
    """An answer or feedback as qtype_multianswer reads it: HTML entities decoded (the editor's quoting; not in
    the platform's own Markdown, which keeps them as written), then only \\} and \\# are the characters."""
    return (html.unescape(text) if decode else text).replace("\\}", "}").replace("\\#", "#").strip()


def _escape(text: str, line: int) -> str:
    """What the gap's syntax would read otherwise ('&#' starts a character reference, never feedback); a '~'
    cannot be written in a gap at all (Moodle keeps the backslash of '\\~')."""
    if "~" in text:
        raise GiftError(line, gettext_noop("a Cloze gap's answer or feedback “%(text)s” holds a ~, which Moodle cannot read"),
                        text=text[:40])  # fmt: skip
    return re.sub(r"(}|(?<!&)#)", r"\\\1", text)


def _split(body: str, separator: str) -> list[str]:
    """`body` cut at each `separator` not escaped with a backslash (nor, for '#', part of an entity '&#')."""
    pieces, start, i = [], 0, 0
    while i < len(body):
        if body[i] == "\\":
            i += 2
            continue
        if body[i] == separator and not (separator == "#" and i and body[i - 1] == "&"):
            pieces.append(body[start:i])
            start = i + 1
        i += 1
    return [*pieces, body[start:]]


def _end(text: str, start: int) -> int:
    """The index of the unescaped '}' closing a gap that starts at `start`, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "}":
            return i
        i += 1
    return -1


def _number(raw: str, line: int) -> float:
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        raise GiftError(
            line, gettext_noop("a Cloze gap's number “%(text)s” is not a number"), text=raw[:40]
        ) from None


def extract(
    text: str, line: int, convert: Any, decode: bool = True
) -> tuple[str, list[dict[str, Any]], list[GiftAnswer]]:
    """The text with GAP markers, each gap's settings {kind, points, case_sensitive, display, shuffle}, and the
    answers, each with its gap's number as `part`. `convert` shows an answer's or feedback's text as the
    question's format does. Raises GiftError where Moodle's importer refuses the question."""
    parts: list[dict[str, Any]] = []
    answers: list[GiftAnswer] = []
    out, at = [], 0
    for found in _START.finditer(text):
        if found.start() < at:
            continue
        end = _end(text, found.end())
        if end == -1:
            raise GiftError(
                line, gettext_noop("a Cloze gap “%(gap)s” has no closing }"), gap=found.group()[:40]
            )
        kind, case, display, shuffle = _TYPES[found.group(2)]
        number = len(parts) + 1
        if number > MAX_GAPS:
            raise GiftError(
                line, gettext_noop("a Cloze question can hold at most %(limit)d gaps"), limit=MAX_GAPS
            )
        points = int(found.group(1)) if found.group(1) else 1
        parts.append(
            {"kind": kind, "points": points, "case_sensitive": case, "display": display, "shuffle": shuffle}
        )
        for alternative in _split(text[found.end() : end], "~"):
            answer, *feedback = _split(alternative, "#")
            weight = 0.0
            if answer.startswith("="):
                weight, answer = 100.0, answer[1:]
            elif fraction := _FRACTION.match(answer):
                weight, answer = _number(fraction.group(1), line), answer[fraction.end() :]
            answer = _unescape(answer, decode)
            shown_feedback = convert(_unescape("#".join(feedback), decode))
            if kind == "numeric":
                numeric = _NUMERIC.match(answer)
                if answer == "*":
                    answers.append(GiftAnswer(text="*", weight=weight, feedback=shown_feedback, part=number))
                elif numeric:
                    value = _number(numeric.group(1), line)
                    tolerance = _number(numeric.group(2), line) if numeric.group(2) else 0.0
                    answers.append(
                        GiftAnswer(
                            weight=weight,
                            feedback=shown_feedback,
                            value=value,
                            tolerance=tolerance,
                            part=number,
                        )
                    )
                else:
                    raise GiftError(
                        line,
                        gettext_noop("a Cloze gap's number “%(text)s” is not a number"),
                        text=answer[:40],
                    )
            elif kind == "short":
                answers.append(GiftAnswer(text=answer, weight=weight, feedback=shown_feedback, part=number))
            else:
                answers.append(
                    GiftAnswer(text=convert(answer), weight=weight, feedback=shown_feedback, part=number)
                )
        mine = [answer for answer in answers if answer.part == number]
        if kind == "multiple":
            alternatives = _split(text[found.end() : end], "~")
            _normalise_multiresponse(mine, specific=any(_FRACTION.match(a) for a in alternatives))
        # qtype_multianswer_validate_question: choices need two answers; a full mark must be possible (a 100%
        # answer; for check boxes, any positive one).
        if kind in ("single", "multiple") and len(mine) < 2:
            raise GiftError(line, gettext_noop("Cloze gap %(gap)d offers fewer than two choices"), gap=number)
        if not any(a.weight > 0 if kind == "multiple" else a.weight == 100 for a in mine):
            raise GiftError(line, gettext_noop("Cloze gap %(gap)d has no answer worth 100%%"), gap=number)
        out.append(text[at : found.start()] + GAP.format(number))
        at = end + 1
    if not parts:
        raise GiftError(line, gettext_noop("a Cloze question needs at least one gap such as {1:SA:=answer}"))
    return "".join(out) + text[at:], parts, answers


def _normalise_multiresponse(answers: list[GiftAnswer], specific: bool) -> None:
    """Moodle's check boxes in a gap: the positive weights are scaled to add up to 100%; without any %n% weight,
    each wrong box cancels one right one."""
    total = sum(a.weight for a in answers if a.weight > 0) / 100
    if not total:
        return
    for answer in answers:
        if answer.weight > 0:
            answer.weight = answer.weight / total
        elif not specific:
            answer.weight = -100 / total


_WRITTEN = {
    ("short", False): "SHORTANSWER",
    ("short", True): "SHORTANSWER_C",
    ("numeric", False): "NUMERICAL",
}
_CHOICES = {
    ("single", "menu"): "MULTICHOICE",
    ("single", "vertical"): "MULTICHOICE_V",
    ("single", "horizontal"): "MULTICHOICE_H",
    ("multiple", "vertical"): "MULTIRESPONSE",
    ("multiple", "horizontal"): "MULTIRESPONSE_H",
    ("multiple", "menu"): "MULTIRESPONSE",
}


def gap_markup(part: dict[str, Any], answers: list[GiftAnswer], line: int = 0) -> str:
    """One gap as Moodle writes it."""
    kind = part["kind"]
    if kind in ("single", "multiple"):
        name = _CHOICES[(kind, part.get("display") or "menu")] + ("_S" if part.get("shuffle") else "")
    else:
        name = _WRITTEN[(kind, bool(part.get("case_sensitive")) and kind == "short")]
    alternatives = []
    for answer in answers:
        mark = "=" if answer.weight == 100 else f"%{format_number(answer.weight)}%"
        if kind == "numeric":
            written = "*" if answer.value is None else format_number(answer.value)
            if answer.value is not None and answer.tolerance:
                written += ":" + format_number(answer.tolerance)
        else:
            written = _escape(answer.text, line)
        feedback = f"#{_escape(answer.feedback, line)}" if answer.feedback else ""
        alternatives.append(mark + written + feedback)
    return "{" + str(part["points"]) + ":" + name + ":" + "~".join(alternatives) + "}"


def embed(text: str, parts: list[dict[str, Any]], answers: list[GiftAnswer], line: int = 0) -> str:
    """The text with each GAP marker written back as its gap."""

    def gap(found: re.Match[str]) -> str:
        number = int(found.group(1))
        if not 1 <= number <= len(parts):
            return found.group()
        return gap_markup(parts[number - 1], [answer for answer in answers if answer.part == number], line)

    return GAP_RE.sub(gap, text)
