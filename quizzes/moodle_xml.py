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

import binascii
import html
import math
from base64 import b64decode, b64encode
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import replace
from xml.etree.ElementTree import Element, ParseError, SubElement, indent, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from . import cloze, gift, images
from .gift import GiftAnswer, GiftError, GiftQuestion, MoodleSettings, gettext_noop

_FORMATS = {"html": "html", "moodle_auto_format": "moodle", "plain_text": "plain", "markdown": "markdown"}
_TYPES = ("multichoice", "truefalse", "shortanswer", "numerical", "matching", "essay", "description", "cloze")


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
    answers = image_bytes = 0
    for number, element in enumerate(root.findall("question"), start=1):
        kind = element.get("type", "")
        kind = {"multianswer": "cloze", "match": "matching"}.get(kind, kind)  # Moodle reads both names
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
        image_bytes += sum(len(data) for data in question.files.values())
        if image_bytes > images.MAX_IMPORT_IMAGE_BYTES:
            raise GiftError(
                number,
                gettext_noop(
                    "question %(number)d “%(name)s”: the images up to here weigh more than %(limit)s bytes, "
                    "what one import can hold; split the file"
                ),
                number=number,
                name=question.name,
                limit=f"{images.MAX_IMPORT_IMAGE_BYTES:,}",
            )
        answers += len(question.answers)
        if len(question.answers) > gift.MAX_ANSWERS or answers > gift.MAX_FILE_ANSWERS:
            raise GiftError(
                number,
                gettext_noop("question %(number)d: too many answers (at most %(limit)d a question)"),
                number=number,
                limit=gift.MAX_ANSWERS,
            )
        try:
            if question.kind != "cloze":  # GIFT has no Cloze: quizzes.cloze checks its gaps
                gift.dump([giftable(question)])
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


def giftable(question: GiftQuestion) -> GiftQuestion:
    """The question as GIFT's checks see it: what GIFT cannot hold but Moodle XML can is left out of the check.
    A description's general feedback; choice weights that Moodle imports with a notice (a single choice
    without a 100% choice, positive weights not adding up to 100%, see `bank.notices`): the check sees one
    positive choice worth 100% instead, so that it still checks every text."""
    feedback = "" if question.kind == "description" else question.general_feedback
    kind, answers = question.kind, question.answers
    weights = [answer.weight for answer in answers]
    adds_up = round(sum(weight for weight in weights if weight > 0), 2) == 100
    if kind in ("single", "multiple") and answers and not (100 in weights if kind == "single" else adds_up):
        best = weights.index(max(weights))
        answers = [
            replace(answer, weight=100 if i == best else min(answer.weight, 0))
            for i, answer in enumerate(answers)
        ]
        kind = "multiple"
    return replace(question, kind=kind, general_feedback=feedback, answers=answers)


def _text(element: Element | None) -> str:
    found = element.find("text") if element is not None else None
    return (found.text or "").strip() if found is not None else ""


# The format of the question being read (`_inherited`): what a text without a format attribute is in.
_DEFAULT_FORMAT: ContextVar[str] = ContextVar("default_format", default="html")


def _source(element: Element | None, default: str | None = None) -> tuple[str, str]:
    """A text element's content and format (its own, else `default`, else the question text's). The
    platform's own exports carry their Markdown beside the HTML they write for Moodle (<markdown>, which
    Moodle's importer ignores): read back, it is the text exactly."""
    if element is None:
        return "", "markdown"
    own = element.find("markdown")
    if own is not None:
        return (own.text or "").strip(), "markdown"
    written = element.get("format", default or _DEFAULT_FORMAT.get()).strip()
    return _text(element), _FORMATS.get(written, "html")


def _shown(element: Element | None, default: str | None = None) -> str:
    """A text element's content as Markdown that shows as Moodle shows it in its format."""
    text, fmt = _source(element, default)
    return gift.convert(text, fmt)


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


def _inherited(element: Element) -> str:
    """The format a question's other texts take when they name none: its question text's, as Moodle's importer
    reads them (qformat_xml passes `get_format($qo->questiontextformat)` as the default of the general
    feedback, choices, feedback, subquestions, combined feedback and hints); the question text's own default,
    and the reading of a format Moodle does not know, is html."""
    written = element.find("questiontext")
    raw = (written.get("format", "html") if written is not None else "html").strip()
    return raw if raw in _FORMATS else "html"


def _read(element: Element, kind: str, category: str, number: int) -> GiftQuestion:
    token = _DEFAULT_FORMAT.set(_inherited(element))
    try:
        return _read_question(element, kind, category, number)
    finally:
        _DEFAULT_FORMAT.reset(token)


def _read_question(element: Element, kind: str, category: str, number: int) -> GiftQuestion:
    tags = [_text(tag) for tag in element.findall("tags/tag")]
    question = GiftQuestion(
        kind=kind,
        text=_shown(element.find("questiontext"), "html"),
        name=_text(element.find("name")),
        general_feedback=_shown(element.find("generalfeedback")),
        category=category,
        idnumber=(element.findtext("idnumber") or "").strip(),
        points=_points(element, number),
        tags=list(dict.fromkeys(tag for tag in tags if tag)),
        line=number,
    )
    question.moodle = _settings(element, kind, number)
    answers = element.findall("answer")
    if kind == "cloze":
        _read_cloze(element, question, number)

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
    question.files = _files(element, question, number)
    question.missing_files = images.drop_missing(question)
    return question


def _file_name(file: Element) -> str:
    """A <file>'s name as its texts refer to it: @@PLUGINFILE@@/name, or @@PLUGINFILE@@/folder/name for a file
    whose path is /folder/."""
    folder = (file.get("path") or "/").strip().strip("/")
    name = (file.get("name") or "").strip()
    return f"{folder}/{name}" if folder and name else name


def _files(element: Element, question: GiftQuestion, number: int) -> dict[str, bytes]:
    """The question's <file> elements (beside any of its texts; Moodle gives each text the files beside it,
    here a question's texts share them), each checked to be an image the platform holds."""
    files: dict[str, bytes] = {}

    def refused(template: str, name: str, **params: object) -> GiftError:
        return GiftError(
            number,
            gettext_noop("question %(number)d “%(name)s”: %(reason)s"),
            number=number,
            name=question.name,
            reason=gift.Reason(template, {"file": name[:80], **params}),
        )

    written = [
        (_file_name(file), file.get("encoding") or "base64", file.text) for file in element.iter("file")
    ]
    legacy = (element.findtext("image") or "").strip(), element.findtext("image_base64")
    if legacy[0] and legacy[1]:
        # Moodle 1.x's <image> and <image_base64>: qformat_xml stores the file (its name's "/" made "_") and
        # appends an <img> of it to the question text, in the question text's format.
        name = legacy[0].replace("/", "_")
        written.append((name, "base64", legacy[1]))
        _raw, fmt = _source(element.find("questiontext"), "html")
        tag = '<img src="' + images.reference(name) + '" />'
        question.text = question.text + " " + gift.convert(tag, fmt)
    for name, encoding, content in written:
        name = name.strip()
        if not name or len(name) > images.MAX_NAME:
            raise refused(gettext_noop("a <file> needs a name of at most 255 characters"), name)
        if encoding.strip() != "base64":
            raise refused(gettext_noop("the file “%(file)s” is not base64-encoded"), name)
        try:
            data = b64decode("".join((content or "").split()), validate=True)
        except binascii.Error:
            raise refused(gettext_noop("the file “%(file)s” is not valid base64"), name) from None
        if len(data) > images.MAX_IMAGE_BYTES:
            raise refused(
                gettext_noop("the image “%(file)s” has %(size)s bytes; at most %(limit)s fit"),
                name,
                size=f"{len(data):,}",
                limit=f"{images.MAX_IMAGE_BYTES:,}",
            )
        if images.image_type(data) is None:
            raise refused(
                gettext_noop(
                    "the file “%(file)s” is not a PNG, JPEG, GIF or WebP image (SVG is refused: it can carry "
                    "scripts)"
                ),
                name,
            )
        files[name] = data
    return files


def _read_cloze(element: Element, question: GiftQuestion, number: int) -> None:
    """qformat_xml's import_multianswer: the gaps come out of the text as written, before its format shows it;
    the question is worth the sum of its gaps' marks (Moodle reads no defaultgrade for it)."""
    raw, fmt = _source(element.find("questiontext"), "html")
    try:
        text, parts, answers = cloze.extract(
            raw, number, lambda written: gift.convert(written, fmt), decode=fmt != "markdown"
        )
    except GiftError as error:
        raise GiftError(
            number,
            gettext_noop("question %(number)d: %(reason)s"),
            number=number,
            reason=error.why,
        ) from None
    question.text = gift.convert(text, fmt)
    question.answers = answers
    question.points = float(sum(part["points"] for part in parts))
    assert question.moodle is not None
    question.moodle.parts = parts


def _flag(element: Element, tag: str, default: bool = False) -> bool:
    raw = (element.findtext(tag) or "").strip().lower()
    return default if not raw else raw in ("1", "true", "yes")


def _whole(element: Element, tag: str, default: int, allowed: range, number: int) -> int:
    raw = (element.findtext(tag) or "").strip()
    value = _number(raw, number) if raw else default
    if value not in allowed:
        raise GiftError(
            number,
            gettext_noop("question %(number)d: <%(tag)s> is %(value)s, not one of Moodle's values"),
            number=number,
            tag=tag,
            value=raw[:40],
        )
    return int(value)


def _settings(element: Element, kind: str, number: int) -> MoodleSettings:
    """What Moodle's importer (qformat_xml) reads beside the answers, with its defaults."""
    settings = MoodleSettings(hints=[hint for hint in map(_shown, element.findall("hint")) if hint])
    if kind in ("multichoice", "matching"):  # the types whose importer reads the combined feedback
        settings.correct_feedback = _shown(element.find("correctfeedback"))
        settings.partial_feedback = _shown(element.find("partiallycorrectfeedback"))
        settings.incorrect_feedback = _shown(element.find("incorrectfeedback"))
    if kind == "shortanswer":
        settings.case_sensitive = _flag(element, "usecase")
    if kind == "numerical":
        for unit in element.findall("units/unit"):
            name = (unit.findtext("unit_name") or "").strip()
            multiplier = _number((unit.findtext("multiplier") or "1").strip(), number)
            if not name:
                continue
            if multiplier == 0:
                raise GiftError(
                    number,
                    gettext_noop("question %(number)d: the unit “%(unit)s” has the multiplier 0"),
                    number=number,
                    unit=name[:40],
                )
            settings.units.append((name, multiplier))
        settings.unit_grading = _whole(element, "unitgradingtype", 0, range(3), number)
        raw_penalty = (element.findtext("unitpenalty") or "").strip()
        settings.unit_penalty = _number(raw_penalty, number) if raw_penalty else 0.1
        settings.unit_display = _whole(element, "showunits", 0 if settings.units else 3, range(4), number)
        settings.units_left = _flag(element, "unitsleft")
    return settings


# ---------------------------------------------------------------------------------------------------------
# Writing


def dump(questions: Iterable[GiftQuestion], to_html: Callable[[str], str] | None = None) -> str:
    """Write questions as Moodle XML; raise GiftError for a question GIFT could not hold either, or with a
    weight Moodle's importer refuses.

    With `to_html` (Markdown -> HTML whose formulas are \\(…\\) for Moodle's MathJax filter), every text
    Moodle shows is written as that HTML, its Markdown beside it for the platform; without it, as Markdown."""
    token = _TO_HTML.set(to_html)
    try:
        return _dump(questions)
    finally:
        _TO_HTML.reset(token)


# Moodle's question_bank::fraction_options_full(): the only answer fractions its importer accepts
# (qformat_default::importprocess with matchgrades "error", within 0.00001): any other refuses the question.
MOODLE_FRACTIONS = (1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2,
                    0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0)  # fmt: skip


def moodle_accepts(weight: float) -> bool:
    """Whether Moodle imports an answer of this weight (percent), positive or negative."""
    return any(abs(abs(weight) / 100 - fraction) < 0.00001 for fraction in MOODLE_FRACTIONS)


def _check_weights(question: GiftQuestion) -> None:
    if question.kind not in ("single", "multiple", "short", "numeric"):
        return  # true/false, matching, essay, description and Cloze's gaps carry no fractions Moodle checks
    for answer in question.answers:
        if not moodle_accepts(answer.weight):
            raise GiftError(
                question.line,
                gettext_noop(
                    "the answer weight %(weight)s%% is not one Moodle accepts (100, 90, 83.33333, 80, 75, 70, "
                    "66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5, 11.11111, 10, 5 "
                    "or 0, or minus one of them): Moodle would refuse the question"
                ),
                weight=gift.format_number(answer.weight),
            )


_TO_HTML: ContextVar[Callable[[str], str] | None] = ContextVar("to_html", default=None)


def _dump(questions: Iterable[GiftQuestion]) -> str:
    root = Element("quiz")
    category = ""
    for question in questions:
        _check_weights(question)
        if question.kind != "cloze":
            gift.dump([giftable(question)])  # the same checks as a GIFT export
        if question.category != category:
            entry = SubElement(root, "question", type="category")
            _add_text(SubElement(entry, "category"), question.category)
            category = question.category
        token = _FILES.set(question.files)
        try:
            root.append(_write(question))
        finally:
            _FILES.reset(token)
    indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode") + "\n"


def _add_text(parent: Element, text: str) -> Element:
    SubElement(parent, "text").text = text
    return parent


# The question being written's images (name -> bytes): each text that refers to one carries it as a <file>.
_FILES: ContextVar[dict[str, bytes] | None] = ContextVar("files", default=None)


def _markdown(parent: Element, tag: str, text: str, html: str | None = None) -> Element:
    """A text Moodle shows: as HTML for its MathJax filter with the Markdown beside it, or as Markdown.
    `html` is given where the HTML is not the Markdown rendered (a Cloze text with its gaps written in).
    The images it refers to follow it as <file> elements, where Moodle's importer looks for them."""
    to_html = _TO_HTML.get()
    if to_html is None:
        element = _add_text(SubElement(parent, tag, format="markdown"), text)
    else:
        element = _add_text(
            SubElement(parent, tag, format="html"), html if html is not None else to_html(text)
        )
        if text:
            SubElement(element, "markdown").text = text
    files = _FILES.get() or {}
    for name in images.referenced(text):
        if name in files:
            folder, _slash, base = name.rpartition("/")
            path = f"/{folder}/" if folder else "/"
            file = SubElement(element, "file", name=base, path=path, encoding="base64")
            file.text = b64encode(files[name]).decode("ascii")
    return element


def _plain(parent: Element, tag: str, text: str) -> Element:
    """A text Moodle compares, not shows (a short answer, true or false): as written."""
    return _add_text(SubElement(parent, tag, format="moodle_auto_format"), text)


def _cloze_html(question: GiftQuestion, settings: MoodleSettings) -> str | None:
    """A Cloze text as HTML with its gaps written in: a short answer's text, compared as written, escaped for
    HTML; the choices and feedback, which Moodle shows as HTML, as they are."""
    to_html = _TO_HTML.get()
    if to_html is None:
        return None
    short = {n for n, part in enumerate(settings.parts, start=1) if part["kind"] == "short"}
    escaped = [
        replace(a, text=html.escape(a.text, quote=False)) if a.part in short else a for a in question.answers
    ]
    return cloze.embed(to_html(question.text), settings.parts, escaped, question.line)


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
    settings = question.moodle or MoodleSettings()
    if question.kind == "cloze":
        written = cloze.embed(question.text, settings.parts, question.answers, question.line)
        _markdown(element, "questiontext", written, _cloze_html(question, settings))
    else:
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
        SubElement(element, "usecase").text = "1" if settings.case_sensitive else "0"
    for answer in [] if question.kind == "cloze" else question.answers:
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
        elif question.kind in ("short", "truefalse"):
            written = _plain(element, "answer", answer.text)
            written.set("fraction", _fraction(answer.weight))
        else:
            written = _markdown(element, "answer", answer.text)
            written.set("fraction", _fraction(answer.weight))
        _markdown(written, "feedback", answer.feedback)
    _write_settings(element, question.kind, settings)
    if question.tags:
        tags = SubElement(element, "tags")
        for tag in question.tags:
            _add_text(SubElement(tags, "tag"), tag)
    return element


def _write_settings(element: Element, kind: str, settings: MoodleSettings) -> None:
    if kind == "numeric":
        if settings.units:
            units = SubElement(element, "units")
            for name, multiplier in settings.units:
                unit = SubElement(units, "unit")
                SubElement(unit, "multiplier").text = gift.format_number(multiplier)
                SubElement(unit, "unit_name").text = name
        SubElement(element, "unitgradingtype").text = str(settings.unit_grading)
        SubElement(element, "unitpenalty").text = gift.format_number(settings.unit_penalty)
        SubElement(element, "showunits").text = str(settings.unit_display)
        SubElement(element, "unitsleft").text = "1" if settings.units_left else "0"
    if kind in ("single", "multiple", "matching"):  # the types whose importer reads the combined feedback
        _markdown(element, "correctfeedback", settings.correct_feedback)
        _markdown(element, "partiallycorrectfeedback", settings.partial_feedback)
        _markdown(element, "incorrectfeedback", settings.incorrect_feedback)
    for hint in settings.hints:
        _markdown(element, "hint", hint)
