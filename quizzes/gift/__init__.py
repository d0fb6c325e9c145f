"""Moodle GIFT question format: `parse()` reads a GIFT file into `GiftQuestion`s, `dump()` writes them back.

Pure Python (no Django) so the importer, the exporter and the admin upload can share it and it can be
tested alone. The package: `questions` (what a bank holds, the error a file raises), `text` (Moodle's text
formats as Markdown, names, numbers; Moodle XML uses it too), `reading` (`parse`) and `writing` (`dump`). The rules follow Moodle's own importer, `question/format/gift/format.php`
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

from .questions import (
    BLANK,
    KINDS,
    MAX_ANSWERS,
    MAX_CHARACTERS,
    MAX_FILE_ANSWERS,
    MAX_QUESTIONS,
    GiftAnswer,
    GiftError,
    GiftQuestion,
    MoodleSettings,
    Reason,
    gettext_noop,
)
from .reading import parse
from .text import MAX_NAME, clean_name, convert, default_name, format_number
from .writing import dump

__all__ = [
    "BLANK",
    "KINDS",
    "MAX_ANSWERS",
    "MAX_CHARACTERS",
    "MAX_FILE_ANSWERS",
    "MAX_NAME",
    "MAX_QUESTIONS",
    "GiftAnswer",
    "GiftError",
    "GiftQuestion",
    "MoodleSettings",
    "Reason",
    "clean_name",
    "convert",
    "default_name",
    "dump",
    "format_number",
    "gettext_noop",
    "parse",
]
