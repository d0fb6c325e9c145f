"""Moodle XML, the format Moodle's question bank exports by default: `parse()` reads it into the same
`GiftQuestion`s the GIFT reader makes, `dump()` writes them back.

Pure Python (no Django), parsed with defusedxml so entity expansion and external entities are refused.
Every question read is checked by writing it as GIFT (`gift.dump`), so an XML question obeys exactly the
rules a GIFT one does (a single-choice question needs a 100% answer, ...) and the two formats round-trip
through the platform alike. Texts keep Moodle's formats: html, moodle_auto_format and plain_text are shown
as Moodle shows them (see `gift.convert`); the platform stores Markdown, so it writes format="markdown".

Mapping: multichoice (single or not) -> single/multiple; truefalse; shortanswer; numerical (an answer "*"
is "any other value"; a GIFT range low..high is written as its midpoint ± half its width, which is how
Moodle itself stores one, plus a <range low high> element of the platform's own that Moodle ignores, so
the range comes back exactly); matching (a subquestion without text is a distractor); essay; description.
Categories are <question type="category"> entries, as Moodle writes them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from xml.etree.ElementTree import Element, ParseError, SubElement, indent, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from . import gift
from .gift import GiftAnswer, GiftError, GiftQuestion, gettext_noop

_FORMATS = {"html": "html", "moodle_auto_format": "moodle", "plain_text": "plain", "markdown": "markdown"}
_TYPES = ("multichoice", "truefalse", "shortanswer", "numerical", "matching", "essay", "description")


def parse(text: str) -> list[GiftQuestion]:
    """Read a Moodle XML file; raise GiftError (question number as `line`, or the XML line) on a problem."""
    if len(text) > gift.MAX_CHARACTERS:
        raise GiftError(
            1,
            gettext_noop("the file is longer than %(limit)s characters; split it into several"),
            limit=f"{gift.MAX_CHARACTERS:,}",
        )
    try:
        root = fromstring(text.removeprefix("\ufeff").encode("utf-8"))
    except ParseError as error:
        raise GiftError(
            error.position[0],
            gettext_noop("not well-formed XML (column %(column)d)"),
            column=error.position[1] + 1,
        ) from None
    except DefusedXmlException:
        raise GiftError(
            1, gettext_noop("the XML declares entities or a document type, which are refused")
        ) from None
    if root.tag != "quiz":
        raise GiftError(1, gettext_noop("a Moodle XML file has <quiz> as its root element"))
    questions: list[GiftQuestion] = []
    category = ""
    answers = 0
    for number, element in enumerate(root.findall("question"), start=1):
        kind = element.get("type", "")
        if kind == "category":
            category = _text(element.find("category"))
            continue
        if kind not in _TYPES:
            raise GiftError(
                number,
                gettext_noop("question %(number)d: the type “%(kind)s” is not one the platform has"),
                number=number,
                kind=kind,
            )
        if len(questions) == gift.MAX_QUESTIONS:
            raise GiftError(
                number, gettext_noop("a file can hold at most %(limit)d questions"), limit=gift.MAX_QUESTIONS
            )
        question = _read(element, kind, category, number)
        answers += len(question.answers)
        if len(question.answers) > gift.MAX_ANSWERS or answers > gift.MAX_FILE_ANSWERS:
            raise GiftError(
                number,
                gettext_noop("question %(number)d: too many answers (at most %(limit)d a question)"),
                number=number,
                limit=gift.MAX_ANSWERS,
            )
        try:
            gift.dump([question])
        except GiftError as error:
            raise GiftError(
                number,
                gettext_noop("question %(number)d “%(name)s”: %(reason)s"),
                number=number,
                name=question.name,
                reason=error.why,
            ) from None
        questions.append(question)
    return questions


def _text(element: Element | None) -> str:
    found = element.find("text") if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def _shown(element: Element | None, default: str = "html") -> str:
    """A text element's content as Markdown that shows as Moodle shows it in its format."""
    if element is None:
        return ""
    fmt = _FORMATS.get(element.get("format", default), "html")
    return gift.convert(_text(element), fmt)


def _number(raw: str, number: int) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise GiftError(
            number,
            gettext_noop("question %(number)d: “%(text)s” is not a number"),
            number=number,
            text=raw[:40],
        ) from None
    if not math.isfinite(value):
        raise GiftError(
            number,
            gettext_noop("question %(number)d: the number %(text)s is too large"),
            number=number,
            text=raw[:40],
        )
    return value


def _points(element: Element, number: int) -> float:
    """<defaultgrade>, the question's points in a quiz: 1 when absent, as Moodle's importer reads it."""
    raw = (element.findtext("defaultgrade") or "").strip()
    points = _number(raw, number) if raw else 1.0
    if points < 0:
        raise GiftError(
            number,
            gettext_noop("question %(number)d: the points (defaultgrade) cannot be negative"),
            number=number,
        )
    return points


def _read(element: Element, kind: str, category: str, number: int) -> GiftQuestion:
    tags = [_text(tag) for tag in element.findall("tags/tag")]
    question = GiftQuestion(
        kind=kind,
        text=_shown(element.find("questiontext")),
        name=_text(element.find("name")),
        general_feedback=_shown(element.find("generalfeedback")),
        category=category,
        idnumber=(element.findtext("idnumber") or "").strip(),
        points=_points(element, number),
        tags=list(dict.fromkeys(tag for tag in tags if tag)),
        line=number,
    )
    answers = element.findall("answer")

    def weight(answer: Element) -> float:
        return _number(answer.get("fraction", "0"), number)

    if kind == "multichoice":
        single = (element.findtext("single") or "true").strip().lower() in ("true", "1")
        question.kind = "single" if single else "multiple"
        question.answers = [
            GiftAnswer(text=_shown(a), weight=weight(a), feedback=_shown(a.find("feedback"))) for a in answers
        ]
    elif kind == "truefalse":
        by_word = {_text(a).lower(): a for a in answers}
        if set(by_word) != {"true", "false"}:
            raise GiftError(
                number,
                gettext_noop("question %(number)d: a true/false question has the answers true and false"),
                number=number,
            )
        question.answers = [
            GiftAnswer(
                text=word, weight=weight(by_word[word]), feedback=_shown(by_word[word].find("feedback"))
            )
            for word in ("true", "false")
        ]
    elif kind == "shortanswer":
        question.kind = "short"
        question.answers = [
            GiftAnswer(text=_text(a), weight=weight(a), feedback=_shown(a.find("feedback"))) for a in answers
        ]
    elif kind == "numerical":
        question.kind = "numeric"
        for a in answers:
            raw, fraction, feedback = _text(a), weight(a), _shown(a.find("feedback"))
            if raw == "*":  # any other value: the GIFT "~" form when it earns nothing
                question.answers.append(
                    GiftAnswer(text="" if fraction == 0 else "*", weight=fraction, feedback=feedback)
                )
            elif a.find("range") is not None:
                low, high = (_number(a.find("range").get(end, ""), number) for end in ("low", "high"))
                question.answers.append(GiftAnswer(weight=fraction, feedback=feedback, low=low, high=high))
            else:
                tolerance = _number(a.findtext("tolerance") or "0", number)
                question.answers.append(
                    GiftAnswer(
                        weight=fraction, feedback=feedback, value=_number(raw, number), tolerance=tolerance
                    )
                )
    elif kind == "matching":
        question.answers = [
            GiftAnswer(text=_shown(sub), match=_text(sub.find("answer")))
            for sub in element.findall("subquestion")
        ]
    return question


# ---------------------------------------------------------------------------------------------------------
# Writing


def dump(questions: Iterable[GiftQuestion]) -> str:
    """Write questions as Moodle XML; raise GiftError for a question GIFT could not hold either."""
    root = Element("quiz")
    category = ""
    for question in questions:
        gift.dump([question])  # the same checks as a GIFT export
        if question.category != category:
            entry = SubElement(root, "question", type="category")
            _add_text(SubElement(entry, "category"), question.category)
            category = question.category
        root.append(_write(question))
    indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode") + "\n"


def _add_text(parent: Element, text: str) -> Element:
    SubElement(parent, "text").text = text
    return parent


def _markdown(parent: Element, tag: str, text: str) -> Element:
    return _add_text(SubElement(parent, tag, format="markdown"), text)


def _fraction(weight: float) -> str:
    return gift.format_number(weight)


_WRITTEN_TYPE = {
    "single": "multichoice",
    "multiple": "multichoice",
    "short": "shortanswer",
    "numeric": "numerical",
}


def _write(question: GiftQuestion) -> Element:
    element = Element("question", type=_WRITTEN_TYPE.get(question.kind, question.kind))
    _add_text(SubElement(element, "name"), question.name)
    _markdown(element, "questiontext", question.text)
    _markdown(element, "generalfeedback", question.general_feedback)
    SubElement(element, "defaultgrade").text = gift.format_number(
        1.0 if question.points is None else question.points
    )
    SubElement(element, "idnumber").text = question.idnumber
    if question.kind in ("single", "multiple"):
        SubElement(element, "single").text = "true" if question.kind == "single" else "false"
        SubElement(element, "shuffleanswers").text = "true"
        SubElement(element, "answernumbering").text = "abc"
    if question.kind == "short":
        SubElement(element, "usecase").text = "0"
    for answer in question.answers:
        if question.kind == "matching":
            sub = _markdown(element, "subquestion", answer.text)
            _add_text(SubElement(sub, "answer"), answer.match)
            continue
        if question.kind == "numeric":
            written = SubElement(
                element, "answer", fraction=_fraction(answer.weight), format="moodle_auto_format"
            )
            if answer.value is None and answer.low is None:
                _add_text(written, "*")
            else:
                value, tolerance = answer.value, answer.tolerance
                if answer.low is not None and answer.high is not None:
                    value, tolerance = (answer.low + answer.high) / 2, (answer.high - answer.low) / 2
                _add_text(written, gift.format_number(value))
                SubElement(written, "tolerance").text = gift.format_number(tolerance)
                if answer.low is not None and answer.high is not None:
                    SubElement(
                        written,
                        "range",
                        low=gift.format_number(answer.low),
                        high=gift.format_number(answer.high),
                    )
        else:
            written = _markdown(element, "answer", answer.text)
            written.set("fraction", _fraction(answer.weight))
        _markdown(written, "feedback", answer.feedback)
    if question.tags:
        tags = SubElement(element, "tags")
        for tag in question.tags:
            _add_text(SubElement(tags, "tag"), tag)
    return element
