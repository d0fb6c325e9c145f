"""Reading a GIFT file (the format is described in `quizzes.gift`)."""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .questions import (
    BLANK,
    MAX_ANSWERS,
    MAX_CHARACTERS,
    MAX_FILE_ANSWERS,
    MAX_QUESTIONS,
    GiftAnswer,
    GiftError,
    GiftQuestion,
    gettext_noop,
)
from .text import FORMAT_RE, FORMATS, WS, convert, default_name, format_number

_TRUEFALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
CATEGORY = "$CATEGORY:"

# While a question's structure is parsed, each GIFT escape stands as one Unicode noncharacter, so an
# escaped "\{" can never be taken for the brace that opens a block (Moodle uses "&&123;"-style markers).
_PLACEHOLDERS = {c: chr(0xFDD0 + i) for i, c in enumerate("\\~=#{}:n")}
_ESCAPE_RE = re.compile(r"\\([\\~=#{}:n])")
_RESTORE = str.maketrans({p: ("\n" if c == "n" else c) for c, p in _PLACEHOLDERS.items()})
_PLACEHOLDER_RE = re.compile("[\ufdd0-\ufdef]")  # never in a file: used here as placeholders

_LINK_AFTER = ("(", "[", ":")  # "[x](url)", "[x][ref]", "[x]: url" start Markdown links, not markers
_WEIGHT_RE = re.compile(r"%([+-]?[0-9.]+)%")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# Moodle's question metadata in comments: "// [id:Q1] [tag:easy] [tag:week\] 2]" (a "\]" inside is a "]").
_ID_RE = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG_RE = re.compile(r"\[tag:((?:\\\]|[^\]\x00-\x1f\x7f<>`])+)\]")

# One reason raised in two places.
_UNMATCHED_CLOSE = gettext_noop("'}' has no matching '{' (write \\} for a literal brace)")


# ---------------------------------------------------------------------------------------------------------
# Reading


def parse(text: str) -> list[GiftQuestion]:
    """Read a GIFT file; raise GiftError (line + reason) for the first problem found."""
    if len(text) > MAX_CHARACTERS:
        raise GiftError(
            1,
            gettext_noop("the file is longer than %(limit)s characters; split it into several"),
            limit=f"{MAX_CHARACTERS:,}",
        )
    questions = []
    category = ""
    answers = 0
    for block, comments in _blocks(text):
        first = block[0][1].strip(WS)
        if first.startswith(CATEGORY):
            category = first[len(CATEGORY) :].strip(WS)
            block = block[1:]
            if not block:
                continue
        if len(questions) == MAX_QUESTIONS:
            raise GiftError(
                block[0][0],
                gettext_noop("a file can hold at most %(limit)d questions; split it into several"),
                limit=MAX_QUESTIONS,
            )
        question = _read_question(block, category)
        question.idnumber, question.tags = _metadata(comments)
        questions.append(question)
        answers += len(question.answers)
        if answers > MAX_FILE_ANSWERS:
            raise GiftError(
                question.line,
                gettext_noop("a file can hold at most %(limit)d answers in all; split it into several"),
                limit=MAX_FILE_ANSWERS,
            )
    return questions


def _metadata(comments: str) -> tuple[str, list[str]]:
    """The ID number and tags in a question's comments, read as Moodle reads them (first ID wins)."""
    found = _ID_RE.search(comments)
    idnumber = found.group(1).strip(WS).replace("\\]", "]") if found else ""
    tags = []
    for match in _TAG_RE.finditer(comments):
        tag = match.group(1).strip(WS).replace("\\]", "]")
        if tag and tag not in tags:
            tags.append(tag)
    return idnumber, tags


def _blocks(text: str) -> Iterator[tuple[list[tuple[int, str]], str]]:
    """Yield each question's non-comment lines with their 1-based line numbers, and its comment lines."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    block: list[tuple[int, str]] = []
    comments: list[str] = []
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip(WS)
        if not stripped:
            if block:
                yield block, "\n".join(comments)
                block = []
            comments = []  # Moodle reads a question's metadata only from comments in its own block
        elif stripped.startswith("//"):
            comments.append(stripped)
        else:
            bad = _PLACEHOLDER_RE.search(line)
            if bad:
                raise GiftError(
                    number,
                    gettext_noop("the character %(character)s cannot appear in a GIFT file"),
                    character=f"U+{ord(bad.group()):04X}",
                )
            block.append((number, line))
    if block:
        yield block, "\n".join(comments)


class _Source:
    """One question's lines joined by newlines, escapes replaced, with offsets mapped back to file lines."""

    def __init__(self, lines: list[tuple[int, str]]) -> None:
        self.numbers = [number for number, _ in lines]
        self.starts = []
        parts = []
        offset = 0
        for _, line in lines:
            escaped = _ESCAPE_RE.sub(lambda m: _PLACEHOLDERS[m.group(1)], line)
            self.starts.append(offset)
            parts.append(escaped)
            offset += len(escaped) + 1
        self.text = "\n".join(parts)

    def line(self, offset: int) -> int:
        return self.numbers[bisect.bisect_right(self.starts, offset) - 1]


@dataclass
class _Chunk:
    marker: str  # "=", "~", or "" for text before the first marker
    raw: str
    offset: int  # of the marker (or of the first character, without one), for error lines


def _read_question(lines: list[tuple[int, str]], category: str) -> GiftQuestion:
    src = _Source(lines)
    s = src.text
    start_line = lines[0][0]
    pos = _skip_ws(s, 0)

    name = ""
    if s.startswith("::", pos):
        end = s.find("::", pos + 2)
        if end == -1:
            raise GiftError(
                src.line(pos),
                gettext_noop("the question title starts with '::' but is never closed with '::'"),
            )
        name = restore(s[pos + 2 : end]).strip(WS)
        pos = _skip_ws(s, end + 2)

    fmt, pos = _split_format(s, pos, "moodle", src.line(pos))

    opening = s.find("{", pos)
    closing = s.find("}", pos)
    if opening == -1 and closing == -1:
        text = convert(restore(s[pos:]), fmt)
        if not text:
            raise GiftError(start_line, gettext_noop("the question has no text and no answer block"))
        question = GiftQuestion("description", text, name, [], "", category, line=start_line)
        question.untitled_name = default_name(restore(s[pos:]))
        return question
    if opening == -1 or (closing != -1 and closing < opening):
        raise GiftError(src.line(closing), _UNMATCHED_CLOSE)
    if closing == -1:
        raise GiftError(src.line(opening), gettext_noop("'{' is never closed with '}'"))
    block_line = src.line(opening)
    nested = s.find("{", opening + 1, closing)
    if nested != -1:
        raise GiftError(
            src.line(nested),
            gettext_noop(
                "'{' inside the answer block opened on line %(block_line)d: close that block with '}' first, "
                "or write \\{ for a literal brace"
            ),
            block_line=block_line,
        )
    after = s[closing + 1 :]
    for offset, char in enumerate(after, start=closing + 1):
        if char == "{":
            raise GiftError(
                src.line(offset),
                gettext_noop(
                    "a second answer block; a question has only one (the first opened on line %(block_line)d). "
                    "Separate questions with a blank line, or write \\{ for a literal brace"
                ),
                block_line=block_line,
            )
        if char == "}":
            raise GiftError(src.line(offset), _UNMATCHED_CLOSE)

    before = s[pos:opening]
    missing_word = bool(after.strip(WS))
    text = convert(restore(before + BLANK + after if missing_word else before), fmt)
    if text.count(BLANK) > 1:
        raise GiftError(
            start_line,
            gettext_noop(
                "the question text contains %(blank)s more than once; it marks where the answer block stands, "
                "so a question with answers may contain it only once"
            ),
            blank=BLANK,
        )
    kind, answers, general_feedback = _read_block(s[opening + 1 : closing], opening + 1, fmt, src, block_line)
    question = GiftQuestion(kind, text, name, answers, general_feedback, category, line=start_line)
    question.untitled_name = default_name(restore(before + "_____" + after if missing_word else before))
    return question


def _read_block(
    content: str, offset: int, fmt: str, src: _Source, block_line: int
) -> tuple[str, list[GiftAnswer], str]:
    general_feedback = ""
    last = content.rfind("####")
    if last != -1:
        general_feedback = _read_text(content[last + 4 :], fmt, src.line(offset + last))
        content = content[:last]
        extra = content.find("####")
        if extra != -1:
            raise GiftError(
                src.line(offset + extra), gettext_noop("a question can have only one '####' general feedback")
            )

    body = content.strip(WS)
    if not body:
        return "essay", [], general_feedback
    if body[0] == "#":
        hash_at = content.index("#")
        chunks = _chunks(content[hash_at + 1 :], offset + hash_at + 1, "=~", src)
        return "numeric", _read_numeric(chunks, fmt, src, block_line), general_feedback
    if "~" in body:
        kind, answers = _read_choice(_chunks(content, offset, "=~", src), fmt, src, block_line)
        return kind, answers, general_feedback
    if "=" in body and "->" in body:
        return (
            "matching",
            _read_matching(_chunks(content, offset, "=", src), fmt, src, block_line),
            general_feedback,
        )
    head = body.split("#", 1)[0].strip(WS)
    if head in _TRUEFALSE:
        return "truefalse", _read_truefalse(body, _TRUEFALSE[head], fmt, block_line), general_feedback
    return "short", _read_short(_chunks(content, offset, "=", src), fmt, src, block_line), general_feedback


def _chunks(content: str, offset: int, markers: str, src: _Source) -> list[_Chunk]:
    """Split an answer block at its unescaped answer markers (Moodle splits on every one of them)."""
    chunks = []
    marker, start = "", 0
    for i, char in enumerate(content):
        if char in markers:
            chunks.append(_Chunk(marker, content[start:i], offset + max(start - 1, 0)))
            marker, start = char, i + 1
    chunks.append(_Chunk(marker, content[start:], offset + max(start - 1, 0)))
    first = chunks[0]
    if first.raw.strip(WS):
        first.offset = offset + _skip_ws(content, 0)
    else:
        chunks.pop(0)
    if len(chunks) > MAX_ANSWERS:
        raise GiftError(
            src.line(chunks[MAX_ANSWERS].offset),
            gettext_noop("a question can have at most %(limit)d answers"),
            limit=MAX_ANSWERS,
        )
    return chunks


def _read_choice(
    chunks: list[_Chunk], fmt: str, src: _Source, block_line: int
) -> tuple[str, list[GiftAnswer]]:
    answers = []
    for chunk in chunks:
        line = src.line(chunk.offset)
        # Moodle reads a weight after '~' only: "=%50%x" is a 100% choice whose text is "%50%x".
        weight, rest = (100.0, chunk.raw) if chunk.marker == "=" else _split_weight(chunk.raw, line)
        text_raw, has_feedback, feedback_raw = rest.partition("#")
        text = _read_text(text_raw, fmt, line)
        if not text:
            raise GiftError(line, gettext_noop("a choice has no text"))
        if weight is None:
            weight = 0.0
        feedback = _read_text(feedback_raw, fmt, line) if has_feedback else ""
        answers.append(GiftAnswer(text=text, weight=weight, feedback=feedback))
    if len(answers) < 2:
        raise GiftError(block_line, gettext_noop("a multiple-choice question needs at least two choices"))

    if any(chunk.marker == "=" for chunk in chunks):
        best = max(answer.weight for answer in answers)
        if best != 100:
            raise GiftError(
                block_line,
                gettext_noop(
                    "a single-choice question needs one choice worth 100%%; the best one here is worth %(best)s%%"
                ),
                best=format_number(best),
            )
        return "single", answers
    total = round(sum(answer.weight for answer in answers if answer.weight > 0), 2)
    if total == 0:
        raise GiftError(
            block_line,
            gettext_noop(
                "no choice is correct: mark the right choice with '=', or give the right choices of a "
                "multiple-answer question positive weights such as ~%50%"
            ),
        )
    if total != 100:
        raise GiftError(
            block_line,
            gettext_noop(
                "the positive weights of a multiple-answer question (no '=' choice) must add up to 100%%, "
                "not %(total)s%%"
            ),
            total=format_number(total),
        )
    return "multiple", answers


def _read_short(chunks: list[_Chunk], fmt: str, src: _Source, block_line: int) -> list[GiftAnswer]:
    answers = []
    for chunk in chunks:
        line = src.line(chunk.offset)
        weight, rest = _split_weight(chunk.raw, line)
        text_raw, has_feedback, feedback_raw = rest.partition("#")
        text = text_raw.strip(WS)
        _, start = _split_format(text, 0, "moodle", line)
        text = restore(text[start:]).strip(WS)
        if not text:
            raise GiftError(line, gettext_noop("an accepted answer is empty"))
        feedback = _read_text(feedback_raw, fmt, line) if has_feedback else ""
        answers.append(GiftAnswer(text=text, weight=100.0 if weight is None else weight, feedback=feedback))
    if max(answer.weight for answer in answers) != 100:
        raise GiftError(
            block_line, gettext_noop("a short-answer question needs an accepted answer worth 100%")
        )
    return answers


def _read_matching(chunks: list[_Chunk], fmt: str, src: _Source, block_line: int) -> list[GiftAnswer]:
    answers = []
    for chunk in chunks:
        line = src.line(chunk.offset)
        raw = chunk.raw.strip(WS)
        if "->" not in raw:
            raise GiftError(
                line,
                gettext_noop(
                    "'%(text)s' is not a 'left -> right' pair: every answer of a matching question needs "
                    "'->', and pairs cannot be mixed with other answers"
                ),
                text=snippet(raw),
            )
        if _WEIGHT_RE.match(raw):
            raise GiftError(line, gettext_noop("a matching pair cannot carry a %weight%"))
        if "#" in raw:
            raise GiftError(
                line, gettext_noop("a matching pair cannot have #feedback (write \\# for a literal #)")
            )
        left_raw, right_raw = raw.split("->", 1)
        right = restore(right_raw).strip(WS)
        if not right:
            raise GiftError(line, gettext_noop("a matching pair has nothing after '->'"))
        answers.append(GiftAnswer(text=_read_text(left_raw, fmt, line), match=right))
    if sum(1 for answer in answers if answer.text) < 2:
        raise GiftError(
            block_line, gettext_noop("a matching question needs at least two 'left -> right' pairs")
        )
    return answers


def _read_truefalse(body: str, correct: bool, fmt: str, block_line: int) -> list[GiftAnswer]:
    parts = body.split("#", 2)
    wrong = _read_text(parts[1], fmt, block_line) if len(parts) > 1 else ""
    right = _read_text(parts[2], fmt, block_line) if len(parts) > 2 else ""
    return [
        GiftAnswer(text="true", weight=100.0 if correct else 0.0, feedback=right if correct else wrong),
        GiftAnswer(text="false", weight=0.0 if correct else 100.0, feedback=wrong if correct else right),
    ]


def _read_numeric(chunks: list[_Chunk], fmt: str, src: _Source, block_line: int) -> list[GiftAnswer]:
    if not chunks:
        raise GiftError(
            block_line, gettext_noop("the numerical answer block has no answers; write e.g. {#3.14:0.01}")
        )
    answers = []
    for i, chunk in enumerate(chunks):
        line = src.line(chunk.offset)
        last = i == len(chunks) - 1
        if chunk.marker == "~":
            raw = chunk.raw.lstrip(WS)
            if not last:
                raise GiftError(
                    line,
                    gettext_noop(
                        "the '~' answer of a numerical question stands for any other value, so it comes last"
                    ),
                )
            if _WEIGHT_RE.match(raw):
                raise GiftError(
                    line,
                    gettext_noop(
                        "the '~' answer of a numerical question is worth 0% and cannot carry a %weight%"
                    ),
                )
            label, has_feedback, feedback_raw = raw.partition("#")
            feedback = _read_text(feedback_raw, fmt, line) if has_feedback else ""
            answers.append(GiftAnswer(text=restore(label).strip(WS), weight=0.0, feedback=feedback))
            continue
        weight, rest = _split_weight(chunk.raw, line)
        weight = 100.0 if weight is None else weight
        number_raw, has_feedback, feedback_raw = rest.partition("#")
        feedback = _read_text(feedback_raw, fmt, line) if has_feedback else ""
        number = restore(number_raw).strip(WS)
        if number == "*":
            if not last:
                raise GiftError(
                    line,
                    gettext_noop(
                        "the '*' answer of a numerical question matches any value, so it comes last"
                    ),
                )
            answers.append(GiftAnswer(text="*", weight=weight, feedback=feedback))
        else:
            answers.append(_numeric_answer(number, weight, feedback, line))
    if all(answer.value is None and answer.low is None for answer in answers):
        raise GiftError(block_line, gettext_noop("a numerical question needs at least one numeric answer"))
    if max(answer.weight for answer in answers) != 100:
        raise GiftError(block_line, gettext_noop("a numerical question needs an answer worth 100%"))
    return answers


def _numeric_answer(number: str, weight: float, feedback: str, line: int) -> GiftAnswer:
    if number.find("..") > 0:
        low_raw, high_raw = number.split("..", 1)
        low, high = _number(low_raw, line), _number(high_raw, line)
        if low > high:
            raise GiftError(
                line, gettext_noop("the range %(number)s runs backwards; write low..high"), number=number
            )
        return GiftAnswer(weight=weight, feedback=feedback, low=low, high=high)
    if number.find(":") > 0:
        value_raw, tolerance_raw = number.split(":", 1)
        tolerance = _number(tolerance_raw, line)
        if tolerance < 0:
            raise GiftError(line, gettext_noop("the tolerance in %(number)s is negative"), number=number)
        return GiftAnswer(
            weight=weight, feedback=feedback, value=_number(value_raw, line), tolerance=tolerance
        )
    return GiftAnswer(weight=weight, feedback=feedback, value=_number(number, line))


def _number(raw: str, line: int) -> float:
    raw = raw.strip(WS)
    if not raw:
        raise GiftError(line, gettext_noop("a numerical answer is missing its number"))
    if not _NUMBER_RE.fullmatch(raw):
        if "," in raw:
            template = gettext_noop("'%(text)s' is not a number (use '.' as the decimal separator)")
        else:
            template = gettext_noop("'%(text)s' is not a number")
        raise GiftError(line, template, text=snippet(raw))
    value = float(raw)
    if not math.isfinite(value):
        raise GiftError(line, gettext_noop("the number %(number)s is too large"), number=raw)
    return value


def _split_weight(raw: str, line: int) -> tuple[float | None, str]:
    """Split a leading %n% weight off an answer; None when there is none."""
    raw = raw.lstrip(WS)
    match = _WEIGHT_RE.match(raw)
    if not match:
        return None, raw
    if not _NUMBER_RE.fullmatch(match.group(1)):
        raise GiftError(line, gettext_noop("the weight %(weight)s is not a number"), weight=match.group())
    weight = float(match.group(1))
    if not -100 <= weight <= 100:
        raise GiftError(
            line,
            gettext_noop("the weight %(weight)s is outside -100..100 (percent of the question's credit)"),
            weight=match.group(),
        )
    return weight, raw[match.end() :]


def _read_text(raw: str, default_format: str, line: int) -> str:
    """A displayed text: its own [format] marker or the question's format, stored as Markdown."""
    text = raw.strip(WS)
    fmt, start = _split_format(text, 0, default_format, line)
    return convert(restore(text[start:]), fmt)


def _split_format(text: str, pos: int, default_format: str, line: int) -> tuple[str, int]:
    """Read a [format] marker at pos: return the format and where the text after it starts.

    A known name is always a marker, as in Moodle. An unknown bracketed word is refused rather than
    silently kept as text, unless a Markdown link follows it.
    """
    match = FORMAT_RE.match(text, pos)
    if not match:
        return default_format, pos
    name = match.group(1)
    if name in FORMATS:
        return name, match.end()
    if text.startswith(_LINK_AFTER, match.end()):
        return default_format, pos
    raise GiftError(
        line,
        gettext_noop(
            "unknown text format [%(name)s]: use [markdown], [html], [plain] or [moodle] "
            "(write \\[%(name)s] if the text really starts with a bracket)"
        ),
        name=name,
    )


def restore(text: str) -> str:
    return text.translate(_RESTORE)


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in WS:
        pos += 1
    return pos


def snippet(raw: str) -> str:
    text = " ".join(restore(raw).split())
    return text if len(text) <= 40 else text[:39] + "…"
