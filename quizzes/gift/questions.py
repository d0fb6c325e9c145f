"""What a question bank holds, whatever its format: questions and answers as Moodle's GIFT describes them,
and the error a file that cannot be read faithfully raises (GIFT, Moodle XML). Pure Python, no Django."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

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
    part: int = 0  # a Cloze question's gap (1, 2, ...) the answer belongs to; 0 elsewhere


@dataclass
class MoodleSettings:
    """What a Moodle XML question holds that GIFT cannot: kept by the platform and written back to Moodle XML.

    Units follow qtype_numerical: each (name, multiplier) says a response in that unit is divided by the
    multiplier before it is compared (m 1, cm 100: "500 cm" is 5); `unit_grading` 0 grades no unit, 1 takes
    `unit_penalty` of the mark, 2 of the question's full mark, when the unit is wrong or missing; `unit_display`
    is Moodle's showunits (0 typed, 1 radio buttons, 2 a menu, 3 none asked: the first unit is shown beside
    the box). Hints and the combined feedback (correct / partially correct / incorrect) are Markdown."""

    case_sensitive: bool = False  # shortanswer's <usecase>
    units: list[tuple[str, float]] = field(default_factory=list)
    unit_grading: int = 0
    unit_penalty: float = 0.1
    unit_display: int = 3
    units_left: bool = False
    hints: list[str] = field(default_factory=list)
    correct_feedback: str = ""
    partial_feedback: str = ""
    incorrect_feedback: str = ""
    # A Cloze question's gaps, in order (quizzes.cloze): {kind, points, case_sensitive, display, shuffle}.
    parts: list[dict] = field(default_factory=list)


@dataclass
class GiftQuestion:
    kind: str
    text: str  # Markdown; for missing-word questions it contains BLANK where the answers were
    name: str = ""  # the ::title::, used as the question's stable key
    answers: list[GiftAnswer] = field(default_factory=list)
    general_feedback: str = ""  # #### feedback: the explanation shown after answering (Markdown)
    category: str = ""  # from the last $CATEGORY: line before the question
    idnumber: str = ""  # Moodle's ID number, from "// [id:…]" in the question's comments
    # Moodle XML's <defaultgrade>; GIFT has none (a re-import keeps the stored points), so a GIFT round trip
    # does not compare it.
    points: float | None = field(default=None, compare=False)
    tags: list[str] = field(default_factory=list)  # from "// [tag:…]" in the question's comments
    line: int = field(default=0, compare=False)  # 1-based line where the question starts (for messages)
    # The name Moodle would give it without a title (from its text as written); what the importer stores.
    untitled_name: str = field(default="", compare=False)
    # Moodle XML's own settings (None from GIFT, which has none: a GIFT re-import keeps the stored ones).
    moodle: MoodleSettings | None = field(default=None, compare=False)
    # Moodle XML's <file>s (quizzes.images): name -> an image's bytes, referred to as @@PLUGINFILE@@/name.
    files: dict[str, bytes] = field(default_factory=dict, compare=False)
    # Names its texts referred to without a <file> (their images dropped): warned of in the import's report.
    missing_files: list[str] = field(default_factory=list, compare=False)


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
# its number of questions and each question's number of answers are bounded (unbounded, a file of bracket
# paragraphs took minutes to read, and a question with tens of thousands of answers made megabyte API answers).
MAX_CHARACTERS = 1_000_000
MAX_QUESTIONS = 500
MAX_ANSWERS = 50  # in one question
MAX_FILE_ANSWERS = 2500  # in the whole file: each is a row rendered and stored
