"""Moodle GIFT question format: `parse()` reads a GIFT file into `GiftQuestion`s, `dump()` writes them back.

Pure Python (no Django) so the importer, the exporter and the admin upload can share it and it can be
tested alone. The rules follow Moodle's own importer, `question/format/gift/format.php`
(`qformat_gift::readquestion`), its unit tests, its `examples.txt` and https://docs.moodle.org/en/GIFT_format.
Where Moodle silently turns a mistake into an odd question, this module raises `GiftError` instead.
Its reasons are English templates marked for the catalogs; `quizzes.bank` says them in the reader's language.

File layout
    Questions are separated by blank lines; a question may span several lines (joined with newlines, the
    whole trimmed; inner indentation is kept, as Moodle keeps it). A line whose first non-blank
    characters are `//` is a comment and is ignored, even inside a question, except for Moodle's question
    metadata: the first `[id:…]` in a question's comments is its `idnumber`, each `[tag:…]` a tag (`\\]`
    stands for `]` inside them), read only from comments in the question's own block, as Moodle reads them.
    `$CATEGORY: path` as the first line of a block sets `category` for the questions after it; the path
    is kept verbatim (Moodle does not unescape it either). A question may follow its `$CATEGORY:` line
    without a blank line in between (Moodle would swallow that question into the category name).

Texts
    `::title::` (optional) becomes `name`. A `[markdown]`, `[html]`, `[plain]` or `[moodle]` marker may
    start the question text, an answer, a feedback or the general feedback; parts without one inherit the
    question text's format (Moodle's rule); the default is moodle ("auto-format"). Everything is stored as
    Markdown, so that it shows as Moodle shows it: only markdown texts are Markdown and kept as written. In
    moodle, html and plain texts every character Markdown could read as syntax (`\\ ` * _ { } [ ] ~ | $`, and
    `# + - = > : !` or `1.` at a line start) becomes a character reference such as `&#42;`; moodle and
    plain texts keep each line break (`<br>`), html and moodle texts keep their HTML tags, plain texts show
    `& < >` literally; lines lose their indentation. Formulas that Moodle's filters typeset stay formulas:
    `\\(…\\)`, `\\[…\\]`, and `$$…$$` (inline in Moodle, so stored as `\\(…\\)`); a single `$` is a dollar.
    A bracketed word such as `[HTML]` or `[note]` at the start
    of a text is refused as an unknown format (write `\\[note]` for a literal bracket); `[text](url)` is not
    taken for a marker (a link in Markdown, literal text elsewhere). Accepted short answers are what a learner types, so they are kept verbatim: a
    marker is removed but not applied (as Moodle does). A matching pair's right side is plain text and
    takes no marker (as in Moodle).

    Escapes: `\\~ \\= \\# \\{ \\} \\:` give the character, `\\n` a newline and `\\\\` one backslash (Moodle's
    rule); a backslash before anything else is kept, so LaTeX survives: `\\(\\frac\\{1\\}\\{2\\}\\)` reads
    `\\(\\frac{1}{2}\\)`. Beware that `\\nabla` reads as a newline followed by "abla", exactly as in Moodle.
    Texts are trimmed of ASCII whitespace only (PHP's trim), so a leading ideographic space stays.

The answer block `{…}` decides the kind, in Moodle's order:
    no block                             description
    `{}` (only a `####` feedback)        essay
    starts with `#`                      numeric: `{#value}`, `{#value:tolerance}`, `{#low..high}`, or several
                                         `=%n%value:tolerance#feedback` answers; a last `~label#feedback` (or
                                         `=%n%*`) answers any other value (`value`/`low` are None; Moodle
                                         discards the label, it is kept here in `text`); `low..high` is
                                         tried before `value:tolerance`, as in Moodle
    contains `~`                         choice: `single` when some answer is written with `=`, otherwise
                                         `multiple` (Moodle sets single=0 exactly when the block has no `=`)
    `=` answers with `->`                matching: `=left -> right` (split at the first `->`), at least two
                                         pairs; `= -> right` adds a distractor; no weights or feedback
    `T`, `TRUE`, `F`, `FALSE`            truefalse (case-sensitive, as in Moodle: `{true}` is a short answer)
    anything else                        short: every answer is accepted (`=`, or a lone first answer
                                         without one), at 100% unless `%n%` says otherwise; a `*` in it is
                                         Moodle's wildcard and `\\*` a star (see quizzes/grading.py)

Weights: `=` is 100, `~` is 0, a `%n%` right after the marker overrides it, -100..100 — except after `=` in a
choice block, where Moodle's importer reads no weight: `=%50%x` there is a 100% choice whose text is "%50%x".
As Moodle's question editor requires, a single-choice, short-answer or numeric question needs an answer worth
exactly 100%, and the positive weights of a multiple-answer question must add up to 100%.

Names: a question without a `::title::` keeps `name` empty and gets `untitled_name`, the name Moodle gives it
from its text (`qformat_default::create_default_question_name`): the text as written (a missing word's block as "_____"),
cut to 80 characters at a space or full stop with "...", tags removed, trimmed; names are at most 255
characters.

True/false feedback follows Moodle's `split_truefalse_comment`: `{T#first#second}` shows *first* to a
learner who answers wrongly and *second* to one who answers rightly, so for `{T…}` the "false" answer gets
*first* and the "true" answer *second*; for `{F…}` it is the other way round.

Missing word: when text follows the closing `}`, the block stood mid-sentence and the question text
becomes "before BLANK after" (Moodle inserts "_____"); otherwise the block is simply removed.

`dump()` writes canonical GIFT that Moodle imports: `::name::` when there is one, a `[markdown]` marker,
one answer per line, `####` general feedback, newlines as `\\n`, `$CATEGORY:` lines when the category
changes, `// [id:…] [tag:…]` before a question that has them, and the block at BLANK for missing-word
questions. For every list `qs` that `parse()` can
produce, `parse(dump(qs)) == qs` (equality ignores `line`).
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields, replace

KINDS = ("single", "multiple", "truefalse", "short", "numeric", "matching", "essay", "description")
BLANK = "＿＿＿＿"  # U+FF3F x4: where a missing-word question's answer block stood in the text


@dataclass
class GiftAnswer:
    text: str = ""  # choice text, accepted short answer, or a matching pair's left side (Markdown)
    match: str = ""  # matching: the right side
    weight: float = 100.0  # percent of the question's credit, -100..100
    feedback: str = ""  # per-answer feedback (Markdown)
    value: float | None = None  # numeric: the value ...
    tolerance: float = 0.0  # ... accepted within ±tolerance
    low: float | None = None  # numeric range form {#1..2}: low and high instead of value/tolerance
    high: float | None = None


@dataclass
class GiftQuestion:
    kind: str
    text: str  # Markdown; for missing-word questions it contains BLANK where the answers were
    name: str = ""  # the ::title::, used as the question's stable key
    answers: list[GiftAnswer] = field(default_factory=list)
    general_feedback: str = ""  # #### feedback: the explanation shown after answering (Markdown)
    category: str = ""  # from the last $CATEGORY: line before the question
    idnumber: str = ""  # Moodle's ID number, from "// [id:…]" in the question's comments
    tags: list[str] = field(default_factory=list)  # from "// [tag:…]" in the question's comments
    line: int = field(default=0, compare=False)  # 1-based line where the question starts (for messages)
    # The name Moodle would give it without a title (from its text as written); what the importer stores.
    untitled_name: str = field(default="", compare=False)


def gettext_noop(message: str) -> str:
    """Marks an English reason for the catalogs (`makemessages` looks for this name); it is translated where it
    reaches a reader (`quizzes.bank`), so this module stays free of Django and speaks English on its own."""
    return message


@dataclass
class Reason:
    """Why a file cannot be read: an English template (marked with `gettext_noop`) and its arguments, kept apart
    so that `said(gettext)` puts it in the reader's language, the arguments wherever the translation puts them.
    An argument may itself be a Reason, said in the same language. A template with arguments writes % as %%."""

    template: str
    params: dict[str, object] = field(default_factory=dict)

    def said(self, translate: Callable[[str], str] | None = None) -> str:
        words = translate(self.template) if translate else self.template
        if not self.params:
            return words
        return words % {
            name: value.said(translate) if isinstance(value, Reason) else value
            for name, value in self.params.items()
        }


class GiftError(ValueError):
    """A GIFT file (or a question to be written as GIFT) that cannot be read faithfully.

    `reason` is in English; `why` holds the same words for translation.
    """

    def __init__(self, line: int, template: str, **params: object) -> None:
        self.line = line
        self.why = Reason(template, params)
        self.reason = self.why.said()
        super().__init__(f"line {line}: {self.reason}")


# What one file may cost: every question is parsed, stored and rendered in one request, so a file's size,
# its number of questions and each question's number of answers are bounded (issue 13: a 1 MB file of
# bracket paragraphs took 208 s, and 80,000 answers made one quiz's API answer 2.7 MB).
MAX_CHARACTERS = 1_000_000
MAX_QUESTIONS = 500
MAX_ANSWERS = 50  # in one question
MAX_FILE_ANSWERS = 2500  # in the whole file: each is a row rendered and stored

_WS = " \t\n\r\x0b\x0c"  # PHP's trim() set: Moodle keeps other Unicode spaces, and so do we
_FORMATS = ("markdown", "html", "plain", "moodle")
_TRUEFALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_CATEGORY = "$CATEGORY:"

# While a question's structure is parsed, each GIFT escape stands as one Unicode noncharacter, so an
# escaped "\{" can never be taken for the brace that opens a block (Moodle uses "&&123;"-style markers).
_PLACEHOLDERS = {c: chr(0xFDD0 + i) for i, c in enumerate("\\~=#{}:n")}
_ESCAPE_RE = re.compile(r"\\([\\~=#{}:n])")
_RESTORE = str.maketrans({p: ("\n" if c == "n" else c) for c, p in _PLACEHOLDERS.items()})
_PLACEHOLDER_RE = re.compile("[\ufdd0-\ufdef]")  # never in a file: used here as placeholders
_KEPT = "\ufde0"  # stands for a formula or an HTML tag while the text around it is made literal

_FORMAT_RE = re.compile(r"\[([A-Za-z]+)\]")
_LINK_AFTER = ("(", "[", ":")  # "[x](url)", "[x][ref]", "[x]: url" start Markdown links, not markers
_WEIGHT_RE = re.compile(r"%([+-]?[0-9.]+)%")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# Moodle's question metadata in comments: "// [id:Q1] [tag:easy] [tag:week\] 2]" (a "\]" inside is a "]").
_ID_RE = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG_RE = re.compile(r"\[tag:((?:\\\]|[^\]\x00-\x1f\x7f<>`])+)\]")

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
_MARKDOWN_LINE_START_RE = re.compile(r"^(?:(\d+)([.)])|([#+\-=>:!]))", re.MULTILINE)

# What dump() must escape in each place. The question text sits outside the answer block, where only
# braces matter; inside the block "~ = #" separate answers and feedback.
_TEXT_SPECIALS = "{}"
_NAME_SPECIALS = ":{}"
_ANSWER_SPECIALS = "~=#{}"
_ESCAPABLE_NEXT = set("\\~=#{}:n\n")

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
        first = block[0][1].strip(_WS)
        if first.startswith(_CATEGORY):
            category = first[len(_CATEGORY) :].strip(_WS)
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
    idnumber = found.group(1).strip(_WS).replace("\\]", "]") if found else ""
    tags = []
    for match in _TAG_RE.finditer(comments):
        tag = match.group(1).strip(_WS).replace("\\]", "]")
        if tag and tag not in tags:
            tags.append(tag)
    return idnumber, tags


def _blocks(text: str) -> Iterator[tuple[list[tuple[int, str]], str]]:
    """Yield each question's non-comment lines with their 1-based line numbers, and its comment lines."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    block: list[tuple[int, str]] = []
    comments: list[str] = []
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip(_WS)
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
        name = _restore(s[pos + 2 : end]).strip(_WS)
        pos = _skip_ws(s, end + 2)

    fmt, pos = _split_format(s, pos, "moodle", src.line(pos))

    opening = s.find("{", pos)
    closing = s.find("}", pos)
    if opening == -1 and closing == -1:
        text = _convert(_restore(s[pos:]), fmt)
        if not text:
            raise GiftError(start_line, gettext_noop("the question has no text and no answer block"))
        question = GiftQuestion("description", text, name, [], "", category, line=start_line)
        question.untitled_name = default_name(_restore(s[pos:]))
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
    missing_word = bool(after.strip(_WS))
    text = _convert(_restore(before + BLANK + after if missing_word else before), fmt)
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
    question.untitled_name = default_name(_restore(before + "_____" + after if missing_word else before))
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

    body = content.strip(_WS)
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
    head = body.split("#", 1)[0].strip(_WS)
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
    if first.raw.strip(_WS):
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
                best=_format_number(best),
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
            total=_format_number(total),
        )
    return "multiple", answers


def _read_short(chunks: list[_Chunk], fmt: str, src: _Source, block_line: int) -> list[GiftAnswer]:
    answers = []
    for chunk in chunks:
        line = src.line(chunk.offset)
        weight, rest = _split_weight(chunk.raw, line)
        text_raw, has_feedback, feedback_raw = rest.partition("#")
        text = text_raw.strip(_WS)
        _, start = _split_format(text, 0, "moodle", line)
        text = _restore(text[start:]).strip(_WS)
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
        raw = chunk.raw.strip(_WS)
        if "->" not in raw:
            raise GiftError(
                line,
                gettext_noop(
                    "'%(text)s' is not a 'left -> right' pair: every answer of a matching question needs "
                    "'->', and pairs cannot be mixed with other answers"
                ),
                text=_snippet(raw),
            )
        if _WEIGHT_RE.match(raw):
            raise GiftError(line, gettext_noop("a matching pair cannot carry a %weight%"))
        if "#" in raw:
            raise GiftError(
                line, gettext_noop("a matching pair cannot have #feedback (write \\# for a literal #)")
            )
        left_raw, right_raw = raw.split("->", 1)
        right = _restore(right_raw).strip(_WS)
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
            raw = chunk.raw.lstrip(_WS)
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
            answers.append(GiftAnswer(text=_restore(label).strip(_WS), weight=0.0, feedback=feedback))
            continue
        weight, rest = _split_weight(chunk.raw, line)
        weight = 100.0 if weight is None else weight
        number_raw, has_feedback, feedback_raw = rest.partition("#")
        feedback = _read_text(feedback_raw, fmt, line) if has_feedback else ""
        number = _restore(number_raw).strip(_WS)
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
    raw = raw.strip(_WS)
    if not raw:
        raise GiftError(line, gettext_noop("a numerical answer is missing its number"))
    if not _NUMBER_RE.fullmatch(raw):
        if "," in raw:
            template = gettext_noop("'%(text)s' is not a number (use '.' as the decimal separator)")
        else:
            template = gettext_noop("'%(text)s' is not a number")
        raise GiftError(line, template, text=_snippet(raw))
    value = float(raw)
    if not math.isfinite(value):
        raise GiftError(line, gettext_noop("the number %(number)s is too large"), number=raw)
    return value


def _split_weight(raw: str, line: int) -> tuple[float | None, str]:
    """Split a leading %n% weight off an answer; None when there is none."""
    raw = raw.lstrip(_WS)
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
    text = raw.strip(_WS)
    fmt, start = _split_format(text, 0, default_format, line)
    return _convert(_restore(text[start:]), fmt)


def _split_format(text: str, pos: int, default_format: str, line: int) -> tuple[str, int]:
    """Read a [format] marker at pos: return the format and where the text after it starts.

    A known name is always a marker, as in Moodle. An unknown bracketed word is refused rather than
    silently kept as text, unless a Markdown link follows it.
    """
    match = _FORMAT_RE.match(text, pos)
    if not match:
        return default_format, pos
    name = match.group(1)
    if name in _FORMATS:
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


def _convert(text: str, fmt: str) -> str:
    """A text in one of Moodle's formats as Markdown that displays as Moodle displays it.

    Only [markdown] is Markdown. A moodle ("auto-format") text keeps its line breaks and its HTML, a plain
    one keeps its line breaks and shows HTML as written, an html one is HTML; in none of them does `*`,
    `_`, `#` or a backslash mean anything to Markdown. Lines lose their indentation, as in a browser.
    """
    text = text.strip(_WS)
    if fmt == "markdown":
        return text
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        formula = match.group(1)
        kept.append(f"\\({formula}\\)" if formula is not None else match.group())  # $$…$$ is inline in Moodle
        return _KEPT

    text = _KEEP_RE[fmt].sub(keep, text)
    lines = [line.strip(_WS) for line in text.split("\n")]
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
    return clean_name(_shorten(text.strip(_WS), 80))


def clean_name(name: str) -> str:
    """A name as Moodle stores it (`clean_question_name`): tags removed, trimmed, cut to 255 characters."""
    name = _STRIP_TAGS_RE.sub("", name).strip(_WS)
    limit = MAX_NAME - 4
    while len(name) > MAX_NAME and limit > 0:
        name = _STRIP_TAGS_RE.sub("", _shorten(name, limit)).strip(_WS)
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


def _restore(text: str) -> str:
    return text.translate(_RESTORE)


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WS:
        pos += 1
    return pos


def _snippet(raw: str) -> str:
    text = " ".join(_restore(raw).split())
    return text if len(text) <= 40 else text[:39] + "…"


# ---------------------------------------------------------------------------------------------------------
# Writing


def dump(questions: Iterable[GiftQuestion]) -> str:
    """Write questions as canonical GIFT.

    Each question is read back before it is accepted, so a question GIFT cannot hold faithfully (a
    matching left side containing '->', a text with BLANK twice, a weight its kind does not allow, an
    answer field its kind does not use, ...) raises GiftError instead of producing a file that imports
    as something else. Surrounding whitespace, CR line ends and number types are normalised first.
    """
    parts = []
    category = ""
    for question in questions:
        question = _normalised(question)
        gift = _write_metadata(question) + _write_question(question)
        _check_reads_back(question, gift)
        if question.category != category:
            parts.append(f"{_CATEGORY} {question.category}".rstrip())
            category = question.category
        parts.append(gift)
    return ("\n\n".join(parts) + "\n") if parts else ""


def _normalised(question: GiftQuestion) -> GiftQuestion:
    def clean(text: str) -> str:
        return text.replace("\r\n", "\n").replace("\r", "\n").strip(_WS)

    category = clean(question.category)
    if "\n" in category:
        raise GiftError(question.line, gettext_noop("a category name cannot span several lines"))

    def number(value: float | None) -> float | None:
        return None if value is None else float(value)

    answers = [
        GiftAnswer(
            text=clean(answer.text),
            match=clean(answer.match),
            weight=float(answer.weight),
            feedback=clean(answer.feedback),
            value=number(answer.value),
            tolerance=float(answer.tolerance),
            low=number(answer.low),
            high=number(answer.high),
        )
        for answer in question.answers
    ]
    return replace(
        question,
        text=clean(question.text),
        name=clean(question.name),
        general_feedback=clean(question.general_feedback),
        category=category,
        idnumber=clean(question.idnumber),
        tags=[clean(tag) for tag in question.tags],
        answers=answers,
    )


def _write_metadata(question: GiftQuestion) -> str:
    """Moodle's own comment line for a question's ID number and tags ("]" written as "\\]")."""
    items = [f"[id:{question.idnumber}]"] if question.idnumber else []
    items += [f"[tag:{tag}]" for tag in question.tags]
    return ("// " + " ".join(item[:-1].replace("]", "\\]") + "]" for item in items) + "\n") if items else ""


def _write_question(question: GiftQuestion) -> str:
    if question.kind not in KINDS:
        raise GiftError(
            question.line,
            gettext_noop("unknown question kind %(kind)s; expected one of %(kinds)s"),
            kind=repr(question.kind),
            kinds=", ".join(KINDS),
        )
    head = (f"::{_escape(question.name, _NAME_SPECIALS)}::" if question.name else "") + "[markdown]"
    text = question.text
    if question.kind == "description":
        return head + _escape(text, _TEXT_SPECIALS)
    block = _write_block(question)
    if text.count(BLANK) == 1:
        before, after = text.split(BLANK)
        if after:  # a BLANK at the very end was written literally: the block then follows the text
            return head + _escape(before, _TEXT_SPECIALS) + block + _escape(after, _TEXT_SPECIALS)
    return head + _escape(text, _TEXT_SPECIALS) + (" " if text else "") + block


def _write_block(question: GiftQuestion) -> str:
    general_feedback = _piece(question.general_feedback)
    if question.kind == "truefalse":
        tail = f"####{general_feedback}" if general_feedback else ""
        return "{" + _write_truefalse(question) + tail + "}"
    tail = f"\t####{general_feedback}\n" if general_feedback else ""
    if question.kind == "single" and not any(answer.weight == 100 for answer in question.answers):
        raise GiftError(question.line, gettext_noop("a single-choice question needs one choice worth 100%"))
    if question.kind == "essay":
        return ("{\n" + tail + "}") if tail else "{}"
    writers = {
        "single": _single_lines,
        "multiple": _multiple_lines,
        "short": _short_lines,
        "numeric": _numeric_lines,
        "matching": _matching_lines,
    }
    lines = "".join(f"\t{line}\n" for line in writers[question.kind](question.answers))
    return "{" + ("#" if question.kind == "numeric" else "") + "\n" + lines + tail + "}"


def _write_truefalse(question: GiftQuestion) -> str:
    answers = question.answers
    if [a.text for a in answers] != ["true", "false"] or sorted(a.weight for a in answers) != [0, 100]:
        raise GiftError(
            question.line,
            gettext_noop(
                "a true/false question needs exactly the answers 'true' and 'false', "
                "one worth 100% and the other 0%"
            ),
        )
    true, false = answers
    word, right, wrong = ("TRUE", true, false) if true.weight == 100 else ("FALSE", false, true)
    out = word
    if wrong.feedback or right.feedback:
        out += "#" + _piece(wrong.feedback)
    if right.feedback:
        out += "#" + _piece(right.feedback)
    return out


def _single_lines(answers: list[GiftAnswer]) -> list[str]:
    # At least one '~' must remain, or the block would read back as a short-answer question.
    has_tilde = any(answer.weight != 100 for answer in answers)
    lines = []
    for i, answer in enumerate(answers):
        if answer.weight == 100 and (has_tilde or i < len(answers) - 1):
            lines.append(f"={_piece(answer.text)}{_feedback(answer)}")  # '=' in a choice reads no weight
        else:
            lines.append(_answer_line("~", 0, answer, _piece(answer.text)))
    return lines


def _multiple_lines(answers: list[GiftAnswer]) -> list[str]:
    return [_answer_line("~", 0, answer, _piece(answer.text)) for answer in answers]


def _short_lines(answers: list[GiftAnswer]) -> list[str]:
    lines = [_answer_line("=", 100, answer, _piece(answer.text)) for answer in answers]
    if len(lines) == 1 and "->" in lines[0]:
        # With an '=' the block would read as a matching pair; a lone answer needs no marker. Its
        # explicit weight keeps a text such as "//x" from starting the line as a comment.
        answer = answers[0]
        return [f"%{_format_number(answer.weight)}%{_piece(answer.text)}{_feedback(answer)}"]
    return lines


def _numeric_lines(answers: list[GiftAnswer]) -> list[str]:
    lines = []
    for answer in answers:
        if answer.value is None and answer.low is None:  # any other value
            if answer.weight == 0:  # the label after '~' is never read as a weight
                lines.append(f"~{_escape(answer.text, _ANSWER_SPECIALS)}{_feedback(answer)}")
            else:
                lines.append(_answer_line("=", 100, answer, "*"))
        elif answer.low is not None and answer.high is not None:
            number = f"{_format_number(answer.low)}..{_format_number(answer.high)}"
            lines.append(_answer_line("=", 100, answer, number))
        else:
            number = _format_number(answer.value) if answer.value is not None else ""
            if answer.tolerance:
                number += f":{_format_number(answer.tolerance)}"
            lines.append(_answer_line("=", 100, answer, number))
    return lines


def _matching_lines(answers: list[GiftAnswer]) -> list[str]:
    lines = []
    for answer in answers:
        lines.append(f"={_piece(answer.text)} -> {_escape(answer.match, _ANSWER_SPECIALS)}")
    return lines


def _answer_line(marker: str, implied_weight: float, answer: GiftAnswer, text: str) -> str:
    # A text that itself starts with '%' gets an explicit weight, so it is not read as one.
    show_weight = answer.weight != implied_weight or text.startswith("%")
    weight = f"%{_format_number(answer.weight)}%" if show_weight else ""
    return f"{marker}{weight}{text}{_feedback(answer)}"


def _feedback(answer: GiftAnswer) -> str:
    return f"#{_piece(answer.feedback)}" if answer.feedback else ""


def _piece(text: str) -> str:
    """A text inside the answer block; '[markdown]' guards a text that itself starts like a format marker."""
    guard = "[markdown]" if _FORMAT_RE.match(text) else ""
    return guard + _escape(text, _ANSWER_SPECIALS)


def _escape(text: str, specials: str) -> str:
    out = []
    for i, char in enumerate(text):
        if char == "\\":
            # Double a backslash only where it would otherwise start an escape; LaTeX stays readable.
            following = text[i + 1] if i + 1 < len(text) else ""
            out.append("\\\\" if following == "" or following in _ESCAPABLE_NEXT else "\\")
        elif char == "\n":
            out.append("\\n")
        elif char in specials:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def _format_number(number: float) -> str:
    if math.isfinite(number) and number == int(number) and abs(number) < 1e15:
        return str(int(number))
    return repr(float(number))


def _check_reads_back(question: GiftQuestion, gift: str) -> None:
    label = f"'{question.name}'" if question.name else f"'{_snippet(question.text)}'"
    try:
        back = parse(gift)
    except GiftError as error:
        raise GiftError(
            question.line,
            gettext_noop("question %(label)s cannot be written as GIFT: %(reason)s"),
            label=label,
            reason=error.why,
        ) from None
    expected = replace(question, category="")
    if back != [expected]:
        difference = (
            _difference(expected, back[0])
            if len(back) == 1
            else Reason(gettext_noop("it reads back as several questions"))
        )
        raise GiftError(
            question.line,
            gettext_noop("question %(label)s cannot be written as GIFT without changing it: %(difference)s"),
            label=label,
            difference=difference,
        )


def _difference(expected: GiftQuestion, back: GiftQuestion) -> Reason:
    for name in ("kind", "text", "name", "general_feedback", "idnumber", "tags"):
        mine, theirs = getattr(expected, name), getattr(back, name)
        if mine != theirs:
            return Reason(
                gettext_noop("its %(field)s would read back as %(theirs)s instead of %(mine)s"),
                {"field": name, "theirs": repr(theirs), "mine": repr(mine)},
            )
    if len(expected.answers) != len(back.answers):
        return Reason(
            gettext_noop("it would read back with %(theirs)d answers instead of %(mine)d"),
            {"theirs": len(back.answers), "mine": len(expected.answers)},
        )
    for number, (mine, theirs) in enumerate(zip(expected.answers, back.answers, strict=True), start=1):
        for answer_field in fields(GiftAnswer):
            if getattr(mine, answer_field.name) != getattr(theirs, answer_field.name):
                return Reason(
                    gettext_noop(
                        "answer %(number)d's %(field)s would read back as %(theirs)s instead of %(mine)s"
                    ),
                    {
                        "number": number,
                        "field": answer_field.name,
                        "theirs": repr(getattr(theirs, answer_field.name)),
                        "mine": repr(getattr(mine, answer_field.name)),
                    },
                )
    return Reason(gettext_noop("it would read back differently"))
