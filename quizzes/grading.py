"""Grading one response on the server: what a student gave -> the fraction of the question's credit.

Raises UserError when the response is not of the question's shape (an unknown option id, a number that is
not a number); the whole attempt is then refused and nothing is saved.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from core.errors import UserError
from lessons.models import LANGUAGE_CODES, localized

from .models import Answer, Kind, Question, UnitGrading


@dataclass
class Graded:
    fraction: float | None  # None: not auto-graded (essay), or no answer expected (description)
    key: str  # the response, normalised, for the statistics
    chosen: list[int] = field(default_factory=list)  # answer ids whose feedback the student should see


# PHP's trim() set: Moodle trims a response's ends of these, and only of these.
_ENDS = " \t\n\r\x0b\x0c\x00"


def normalise(text: str, case_sensitive: bool = False) -> str:
    """A text as Moodle's short-answer grader compares it: the ends trimmed, case ignored (GIFT's and Moodle's
    default; a Moodle XML question with <usecase>1 keeps it), inner spaces kept ("NewYork" is not "New York").
    Full-width letters read as their ASCII forms, so a learner typing with a Chinese input method is not marked
    wrong for "ＲｅＬＵ"."""
    text = unicodedata.normalize("NFKC", text).strip(_ENDS)
    return text if case_sensitive else text.casefold()


def _texts(answer: Answer, name: str) -> set[str]:
    """An answer's accepted text in every language: a student may type the English term in Chinese."""
    return {normalise(localized(answer, name, lang)) for lang in LANGUAGE_CODES} - {""}


_WILDCARD = re.compile(r"(?<!\\)\*+")  # a run of stars is one wildcard, as in Moodle


def _pattern(text: str, case_sensitive: bool = False) -> list[str]:
    """A short answer as Moodle reads it: `*` matches any run of characters, `\\*` is a literal star.
    Each piece is compared as the response is (width ignored, case too unless the question says);
    only the pattern's ends are trimmed, as Moodle trims only the response's."""
    pieces = [
        unicodedata.normalize("NFKC", piece.replace("\\*", "*"))
        for piece in _WILDCARD.split(text.strip(_ENDS))
    ]
    return pieces if case_sensitive else [piece.casefold() for piece in pieces]


def _fits(pieces: list[str], typed: str) -> bool:
    """Whether `typed` matches a `*` pattern; greedy, so linear in the response (no regular expression
    that a crafted pattern could make backtrack)."""
    if len(pieces) == 1:
        return typed == pieces[0]
    first, *middle, last = pieces
    if len(typed) < len(first) + len(last) or not typed.startswith(first) or not typed.endswith(last):
        return False
    at, end = len(first), len(typed) - len(last)
    for piece in middle:
        found = typed.find(piece, at, end)
        if found == -1:
            return False
        at = found + len(piece)
    return True


def _accepts(answer: Answer, typed: str, case_sensitive: bool = False) -> bool:
    """An accepted short answer in any language: a student may type the English term in Chinese."""
    texts = {localized(answer, "text_md", lang) for lang in LANGUAGE_CODES} - {""}
    return any(_fits(_pattern(text, case_sensitive), typed) for text in texts)


def _bad(question: Question, message: str) -> UserError:
    return UserError(
        _("Question %(n)s: %(problem)s") % {"n": question.order + 1, "problem": message},
        field="answers",
        item=str(question.pk),
    )


# The longest answers kept, in characters: a response is stored as given.
MAX_ESSAY = 20_000
MAX_SHORT = 500


def _text(question: Question, given: Any, limit: int) -> str:
    if not isinstance(given, str):
        raise _bad(question, _("type your answer as text."))
    if len(given) > limit:
        raise _bad(question, _("the answer is longer than %(n)d characters.") % {"n": limit})
    return given


def _is_id(value: Any) -> bool:
    """A JSON integer or ASCII digits: "²" and "١" are digits to str.isdigit(), not to int()."""
    if isinstance(value, str):
        return value.isascii() and value.isdigit()
    return isinstance(value, int) and not isinstance(value, bool)


def _choice_ids(question: Question, answers: list[Answer], given: Any) -> list[int]:
    ids = given if isinstance(given, list) else [given]
    valid = {a.pk for a in answers}
    chosen = []
    for value in ids:
        if not _is_id(value):
            raise _bad(question, _("an option must be given by its id."))
        if int(value) not in valid:
            raise _bad(question, _("there is no option %(id)s in this question.") % {"id": value})
        chosen.append(int(value))
    if len(set(chosen)) != len(chosen):
        raise _bad(question, _("an option is chosen twice."))
    if question.kind != Kind.MULTIPLE and len(chosen) > 1:
        raise _bad(question, _("choose only one option."))
    return sorted(chosen)


def parse_number(text: Any) -> float | None:
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        number = float(text)
    else:
        cleaned = unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "")
        if not cleaned.isascii():  # full-width digits are ASCII after NFKC; float() would also read "١٢"
            return None
        try:
            number = float(cleaned)
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def grade(question: Question, given: Any) -> Graded:
    answers = list(question.answers.all())
    if question.kind in (Kind.SINGLE, Kind.TRUEFALSE, Kind.MULTIPLE):
        chosen = _choice_ids(question, answers, given)
        weights = {a.pk: a.weight for a in answers}
        total = sum(weights[i] for i in chosen) / 100
        return Graded(max(0.0, min(1.0, total)), ",".join(map(str, chosen)), chosen)
    # Short and numeric answers: the first answer that matches, in the author's order, gives the grade and
    # the feedback (Moodle's question_first_matching_answer_grading_strategy), not the best-weighted one.
    if question.kind == Kind.SHORT:
        typed = normalise(_text(question, given, MAX_SHORT), question.case_sensitive)
        match = next((a for a in answers if _accepts(a, typed, question.case_sensitive)), None)
        return Graded(
            max(0.0, match.weight / 100) if match else 0.0, typed[:300], [match.pk] if match else []
        )
    if question.kind == Kind.NUMERIC:
        return _grade_numeric(question, answers, given)
    if question.kind == Kind.MATCHING:
        pairs = [a for a in answers if a.text_md]
        if not isinstance(given, dict):
            raise _bad(question, _("give a match for each item."))
        right = 0
        for pair in pairs:
            choice = given.get(str(pair.pk))
            if choice is not None and (not isinstance(choice, str) or len(choice) > 300):
                raise _bad(question, _("a match must be one of the offered texts."))
            right += choice is not None and normalise(choice) in _texts(pair, "match_text")
        unknown = set(given) - {str(p.pk) for p in pairs}
        if unknown:
            raise _bad(question, _("there is no item %(id)s in this question.") % {"id": sorted(unknown)[0]})
        key = ";".join(f"{pk}={normalise(str(given[pk]))}" for pk in sorted(given))[:300]
        return Graded(right / len(pairs) if pairs else 0.0, key)
    if question.kind == Kind.CLOZE:
        return _grade_cloze(question, answers, given)
    if question.kind == Kind.ESSAY:
        _text(question, given, MAX_ESSAY)
        return Graded(None, "")
    return Graded(None, "")


# Moodle's qtype_numerical_answer_processor: "3x10^8", "3*10**8" and "3×10^8" are 3e8; the number is read from
# the response's start (its end when the unit goes first) and the rest is the unit.
# ASCII digits only, as PHP's \d: "١٢" is no number here (float() would read it).
_POWER_OF_TEN = re.compile(r"(?:e|E|(?:x|\*|×)10(?:\^|\*\*))([+-]?\d+)", re.ASCII)
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?"
_NUMBER_FIRST = re.compile("^" + _NUMBER, re.ASCII)
_NUMBER_LAST = re.compile(_NUMBER + "$", re.ASCII)


def split_units(typed: str, units_left: bool = False) -> tuple[float | None, str]:
    """A typed response as Moodle's apply_units reads it: (the number, or None when there is none, the unit).
    Spaces are dropped (they may separate thousands); with a "." or several ",", a "," separates thousands,
    otherwise it is the decimal point."""
    response = unicodedata.normalize("NFKC", typed).replace(" ", "")
    response = _POWER_OF_TEN.sub(r"e\1", response)
    if "." in response or response.count(",") > 1:
        response = response.replace(",", "")
    else:
        response = response.replace(",", ".")
    found = (_NUMBER_LAST if units_left else _NUMBER_FIRST).search(response)
    if not found:
        return None, ""
    unit = response[: found.start()] if units_left else response[found.end() :]
    number = float(found.group())
    return (number if math.isfinite(number) else None), unit


def _grade_numeric(question: Question, answers: list[Answer], given: Any) -> Graded:
    """qtype_numerical's grade_response: the first answer (in the author's order) that the response scaled by
    its unit matches, with the unit right, or that the bare number matches, with the unit wrong; a wrong unit
    costs the question's unit penalty."""
    if isinstance(given, str) and len(given) <= 100:
        number, unit = split_units(given, question.units_left)
    else:
        number, unit = parse_number(given) if not isinstance(given, str) else None, ""
    if number is None:
        raise _bad(question, _("“%(given)s” is not a number.") % {"given": str(given)[:40]})
    multipliers = {str(name): float(multiplier) for name, multiplier in question.units}
    scaled = number / multipliers[unit] if unit in multipliers else None
    match, unit_right = None, False
    for answer in answers:
        anything = answer.value is None and answer.low is None  # "*", or GIFT's "~": every number
        if scaled is not None and (anything or answer.accepts(scaled)):
            match, unit_right = answer, True
            break
        if anything or answer.accepts(number):
            match, unit_right = answer, False
            break
    if match is None:
        return Graded(0.0, f"{number:g}{unit}"[:300], [])
    fraction = max(0.0, match.weight / 100)
    if not unit_right and question.unit_grading == UnitGrading.OF_MARK:
        fraction -= question.unit_penalty * fraction
    elif not unit_right and question.unit_grading == UnitGrading.OF_QUESTION:
        fraction -= question.unit_penalty
    return Graded(max(0.0, fraction), f"{number:g}{unit}"[:300], [match.pk])


def _grade_cloze(question: Question, answers: list[Answer], given: Any) -> Graded:
    """qtype_multianswer's grade_response: each gap graded as its own type grades it (short answers by the first
    match, numbers within tolerance, one choice by its weight — a negative one takes marks off —, check boxes by
    their sum between 0 and 1), the question's fraction the gaps' fractions weighted by their marks (here never
    below 0, as every question's). `given` maps a gap's number to its response; a gap left empty earns nothing."""
    if not isinstance(given, dict):
        raise _bad(question, _("give an answer for each gap."))
    parts = question.parts or []
    unknown = set(given) - {str(number) for number in range(1, len(parts) + 1)}
    if unknown:
        raise _bad(question, _("there is no gap %(id)s in this question.") % {"id": sorted(unknown)[0]})
    earned = total = 0.0
    chosen: list[int] = []
    keys = []
    for number, part in enumerate(parts, start=1):
        mine = [a for a in answers if a.part == number]
        response = given.get(str(number))
        fraction, matched, key = 0.0, [], ""
        if response not in (None, "", []):
            fraction, matched, key = _grade_gap(question, part, mine, response)
        earned += min(1.0, fraction) * float(part.get("points", 1))
        total += float(part.get("points", 1))
        chosen += matched
        keys.append(f"{number}={key}")
    return Graded(max(0.0, earned / total) if total else 0.0, ";".join(keys)[:300], chosen)


def _grade_gap(question: Question, part: dict[str, Any], answers: list[Answer], response: Any):
    kind = part.get("kind")
    if kind in ("single", "multiple"):
        ids = response if isinstance(response, list) else [response]
        valid = {a.pk: a for a in answers}
        if not all(_is_id(value) and int(value) in valid for value in ids):
            raise _bad(question, _("there is no option %(id)s in this question.") % {"id": str(ids)[:40]})
        picked = sorted({int(value) for value in ids})
        if kind == "single" and len(picked) > 1:
            raise _bad(question, _("choose only one option."))
        fraction = sum(valid[i].weight for i in picked) / 100
        return (max(0.0, fraction) if kind == "multiple" else fraction), picked, ",".join(map(str, picked))
    if kind == "numeric":
        number, _unit = (
            split_units(response)
            if isinstance(response, str) and len(response) <= 100
            else (parse_number(response) if not isinstance(response, str) else None, "")
        )
        if number is None:
            raise _bad(question, _("“%(given)s” is not a number.") % {"given": str(response)[:40]})
        match = next((a for a in answers if (a.value is None and a.low is None) or a.accepts(number)), None)
        return (match.weight / 100 if match else 0.0), ([match.pk] if match else []), f"{number:g}"
    case = bool(part.get("case_sensitive"))
    typed = normalise(_text(question, response, MAX_SHORT), case)
    match = next((a for a in answers if _accepts(a, typed, case)), None)
    return (match.weight / 100 if match else 0.0), ([match.pk] if match else []), typed
