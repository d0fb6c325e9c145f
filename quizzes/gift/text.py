"""Texts in Moodle's formats (moodle, html, plain, markdown) stored as Markdown that shows as Moodle shows
them; question names as Moodle makes them; numbers as the files write them. Shared by the GIFT reader and
writer and by Moodle XML. Pure Python, no Django."""

from __future__ import annotations

import math
import re

WS = " \t\n\r\x0b\x0c"  # PHP's trim() set: Moodle keeps other Unicode spaces, and so do we
FORMATS = ("markdown", "html", "plain", "moodle")
FORMAT_RE = re.compile(r"\[([A-Za-z]+)\]")  # a [format] marker at the start of a text
_KEPT = "\ufde0"  # stands for a formula or an HTML tag while the text around it is made literal

# Text in Moodle's own formats shown exactly as Moodle shows it, once stored as Markdown. Formulas that
# Moodle's filters typeset ($$…$$, \(…\), \[…\]) are kept; in moodle and html texts so are HTML tags.
# Every other character Markdown (with this platform's extensions) could read as syntax becomes a numeric
# character reference, which means the character itself both in Markdown and inside raw HTML blocks.
_MATH_RE = re.compile(r"\$\$(.+?)\$\$|\\\(.+?\\\)|\\\[.+?\\\]", re.S)
_KEEP_RE = {
    "plain": _MATH_RE,
    "moodle": re.compile(_MATH_RE.pattern + r"|<[A-Za-z/!][^<>]*>", re.S),
}
_KEEP_RE["html"] = _KEEP_RE["moodle"]
_MARKDOWN_INLINE = "\\`*_{}[]~|$"
_LITERAL_TABLES = {
    "plain": str.maketrans({c: f"&#{ord(c)};" for c in _MARKDOWN_INLINE + "&<>"}),
    "moodle": str.maketrans({c: f"&#{ord(c)};" for c in _MARKDOWN_INLINE}),
}
_LITERAL_TABLES["html"] = _LITERAL_TABLES["moodle"]
_PARAGRAPH = r"<p(?:\s[^<>]*)?>((?:(?!<p[\s>]|</p>).)*)</p>"
_PARAGRAPH_RE = re.compile(_PARAGRAPH, re.S | re.I)
_PARAGRAPHS_RE = re.compile(rf"(?:\s*{_PARAGRAPH}\s*)+", re.S | re.I)  # a text of top-level paragraphs only
_MARKDOWN_LINE_START_RE = re.compile(r"^(?:(\d+)([.)])|([#+\-=>:!]))", re.MULTILINE)


def convert(text: str, fmt: str) -> str:
    """A text in one of Moodle's formats as Markdown that displays as Moodle displays it.

    Only [markdown] is Markdown. A moodle ("auto-format") text keeps its line breaks and its HTML, a plain
    one keeps its line breaks and shows HTML as written, an html one is HTML; in none of them does `*`,
    `_`, `#` or a backslash mean anything to Markdown. Lines lose their indentation, as in a browser.
    """
    text = text.strip(WS)
    if fmt == "markdown":
        return text
    if fmt == "html" and _PARAGRAPHS_RE.fullmatch(text):
        # Moodle's editors wrap every text in <p>: the paragraphs become Markdown's, so that the formulas in
        # them are typeset (Markdown leaves a raw HTML block, and the math in it, as it is).
        text = "\n\n".join(m.group(1).strip(WS) for m in _PARAGRAPH_RE.finditer(text))
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        formula = match.group(1)
        kept.append(f"\\({formula}\\)" if formula is not None else match.group())  # $$…$$ is inline in Moodle
        return _KEPT

    text = _KEEP_RE[fmt].sub(keep, text)
    lines = [line.strip(WS) for line in text.split("\n")]
    text = "\n".join(line.translate(_LITERAL_TABLES[fmt]) for line in lines)
    text = _MARKDOWN_LINE_START_RE.sub(_escape_line_start, text)
    if fmt != "html":  # Moodle's auto-format and plain text turn each line break into <br>
        text = re.sub(r"(?<=[^\n])\n(?=[^\n])", "<br>\n", text)
    pieces = iter(kept)
    return re.sub(_KEPT, lambda _match: next(pieces), text)


def _escape_line_start(match: re.Match[str]) -> str:
    number, delimiter, mark = match.groups()
    return f"{number}&#{ord(delimiter)};" if number else f"&#{ord(mark)};"


MAX_NAME = 255  # characters, as Moodle's question names
_ENTITY_RE = re.compile(r"&[0-9a-z]{2,8};|&#[0-9]{1,7};|&#x[0-9a-f]{1,6};", re.I)
_TAG_SPLIT_RE = re.compile(r"(<.+?>)?([^<>]*)", re.S)
_STRIP_TAGS_RE = re.compile(r"<[A-Za-z/!?][^>]*>")


def default_name(text: str) -> str:
    """The name Moodle gives a question without a title: its text as written, cut to 80 characters
    (`create_default_question_name`); "" when nothing is left (the caller numbers it)."""
    return clean_name(_shorten(text.strip(WS), 80))


def clean_name(name: str) -> str:
    """A name as Moodle stores it (`clean_question_name`): tags removed, trimmed, cut to 255 characters."""
    name = _STRIP_TAGS_RE.sub("", name).strip(WS)
    limit = MAX_NAME - 4
    while len(name) > MAX_NAME and limit > 0:
        name = _STRIP_TAGS_RE.sub("", _shorten(name, limit)).strip(WS)
        limit -= 10
    return name


def _shorten(text: str, ideal: int, ending: str = "...") -> str:
    """Moodle's `shorten_text`: at most `ideal` characters of text (tags not counted, an entity counting
    as one) including the ending, cut after the last space or full stop, or anywhere in CJK text."""
    if len(re.sub(r"<.*?>", "", text)) <= ideal:
        return text
    total, out = len(ending), ""
    for match in _TAG_SPLIT_RE.finditer(text):
        tag, content = match.group(1) or "", match.group(2)
        out += tag
        length = len(_ENTITY_RE.sub(" ", content))
        if total + length > ideal:
            left, entities = ideal - total, 0
            for entity in _ENTITY_RE.finditer(content):
                if entity.start() + 1 - entities > left:
                    break
                left -= 1
                entities += len(entity.group())
            end = cut = left + entities
            while cut > 0:
                char = content[cut : cut + 1]
                if char and (char in ". " or len(char.encode()) > 2):
                    cut += 1
                    break
                cut -= 1
            out += content[: end if cut == 0 or cut > end else cut]
            break
        out += content
        total += length
        if total >= ideal:
            break
    return out + ending


def format_number(number: float) -> str:
    if math.isfinite(number) and number == int(number) and abs(number) < 1e15:
        return str(int(number))
    return repr(float(number))
