"""Question banks in Moodle's formats (GIFT, Moodle XML) <-> quizzes in the database (one language per file).

Importing a file again updates the questions in place, adds new ones, retires those no longer in the file that
learners have answered (kept with their answers, asked no more; deleted only when the author says so) and
saves nothing that did not change. As in Moodle, several questions may share a name: a question is found
again by its ID number (`[id:…]`, `<idnumber>`) where it has one, otherwise by its name and its position
among the questions of that name. A course folder keeps one
file per lesson and language (quizzes/<lesson>.<language>.gift); both languages must describe the same
questions, with the same names, kinds and answer weights.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from core.errors import UserError
from lessons import rendering
from lessons.content import FILENAME, ContentError, Report
from lessons.models import LANGUAGE_CODES, Course, localized
from lessons.rendering import MathError, for_mathjax

from . import gift, images, moodle_xml
from .models import Answer, Question, QuestionFile, Quiz, image_url

STRUCTURE = ("weight", "value", "tolerance", "low", "high", "part")


class BankError(UserError):
    """A GIFT file that cannot be imported, or a quiz that cannot be exported; nothing was changed.

    Its message is in the language active when it is raised: the admin's on the upload page, English in a
    management command (they run with translations off).
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(
            _("line %(line)d: %(message)s") % {"line": line, "message": message} if line else message
        )
        self.line = line
        self.reason = message  # without the line, for a caller that names the place its own way


MAX_TAG = 50  # characters, as Moodle's tag names
# Python-Markdown matches each "[" of a paragraph against the rest of it, so a paragraph with n of them costs
# about n² steps: 1,000 take 0.2 s to render. The renderer refuses a paragraph with more than 1,000; this
# budget bounds the sum over a whole file (about a second), so 500 such questions are refused, not 100 s
# of rendering. Texts in Moodle's own formats hold no "[" once converted; only Markdown texts count.
MAX_BRACKET_WORK = 5_000_000


FORMATS = ("gift", "xml")  # Moodle's GIFT and Moodle XML


def detect_format(text: str) -> str:
    """Moodle XML starts with its declaration or <quiz>; anything else is read as GIFT."""
    return "xml" if text.lstrip("\ufeff \t\r\n").startswith(("<?xml", "<quiz")) else "gift"


def parse(text: str, fmt: str = "gift") -> list[gift.GiftQuestion]:
    try:
        questions = (moodle_xml.parse if fmt == "xml" else gift.parse)(text)
    except gift.GiftError as error:
        raise BankError(error.why.said(_), error.line) from None
    for question in questions:
        _serve_images(question)
    return checked(questions)


def _serve_images(question: gift.GiftQuestion) -> None:
    """A Moodle XML question's @@PLUGINFILE@@ references become the addresses its images are served at."""
    if not question.files:
        return
    urls = {
        name: image_url(images.digest(data), images.image_type(data)[0])  # type: ignore[index]
        for name, data in question.files.items()
    }

    def served(text: str) -> str:
        return images.REFERENCE_RE.sub(lambda m: urls.get(unquote(m[1]), m.group()), text)

    images.map_texts(question, served)


def checked(questions: list[gift.GiftQuestion]) -> list[gift.GiftQuestion]:
    """Numbers the questions still unnamed (a text without words to name it by) and refuses what the database
    cannot hold, naming the line (BankError).

    Without these checks PostgreSQL raises a DataError for a value longer than its column that SQLite
    stores silently; here every database gives the same answer before anything is written.
    """
    ids: dict[str, int] = {}
    work = 0
    for number, question in enumerate(questions, start=1):
        question.name = question.name or question.untitled_name or f"q{number}"
        _fits(
            question.line,
            Question,
            name=question.name,
            idnumber=question.idnumber,
            category=question.category,
        )
        for tag in question.tags:
            if len(tag) > MAX_TAG:
                raise BankError(
                    _("the tag “%(tag)s” is longer than %(limit)d characters")
                    % {"tag": tag[:40] + "…", "limit": MAX_TAG},
                    question.line,
                )
        for answer in question.answers:
            _fits(question.line, Answer, match_text=answer.match)
        for text in _texts(question):
            if "\x00" in text:
                raise BankError(_("the text contains a NUL character"), question.line)
            work += sum(paragraph.count("[") ** 2 for paragraph in text.split("\n\n"))
        if work > MAX_BRACKET_WORK:
            raise BankError(
                _("the Markdown texts up to here hold too many “[” to render in one import; split the file"),
                question.line,
            )
        if question.idnumber:
            if question.idnumber in ids:
                raise BankError(
                    _("two questions have the ID number “%(id)s” (the first on line %(first)d)")
                    % {"id": question.idnumber, "first": ids[question.idnumber]},
                    question.line,
                )
            ids[question.idnumber] = question.line
    return questions


def _texts(question: gift.GiftQuestion) -> list[str]:
    answers = question.answers
    return [
        question.text,
        question.general_feedback,
        *(a.text for a in answers),
        *(a.feedback for a in answers),
        *_moodle_texts(question).values(),
    ]


# Moodle's hints are kept as one Markdown text, one hint after another, a rule between them.
HINT_BREAK = "\n\n---\n\n"


def _moodle_texts(question: gift.GiftQuestion) -> dict[str, str]:
    """The Markdown fields a Moodle XML question's own settings fill; none for GIFT (the stored ones stay)."""
    settings = question.moodle
    if settings is None:
        return {}
    return {
        "hint_md": HINT_BREAK.join(settings.hints),
        "correct_feedback_md": settings.correct_feedback,
        "partial_feedback_md": settings.partial_feedback,
        "incorrect_feedback_md": settings.incorrect_feedback,
    }


def _moodle_values(question: gift.GiftQuestion) -> dict[str, Any]:
    settings = question.moodle
    if settings is None:
        return {}
    return {
        "case_sensitive": settings.case_sensitive,
        "units": [[name, multiplier] for name, multiplier in settings.units],
        "unit_grading": settings.unit_grading,
        "unit_penalty": settings.unit_penalty,
        "unit_display": settings.unit_display,
        "units_left": settings.units_left,
        "parts": settings.parts,
    }


def notices(question: gift.GiftQuestion) -> list[str]:
    """What Moodle's multiple-choice importer says of a question it imports anyway
    (qtype_multichoice::save_question_options): a single-choice question whose best choice is not worth 100%,
    a multiple-choice one whose positive weights do not add up to 100%. Graded as written, here as there."""
    weights = [answer.weight for answer in question.answers]
    if question.kind == "single" and weights and max(weights) != 100:
        return [
            _(
                "“%(name)s”: one of the choices should be worth 100%% so that full marks are possible; "
                "the best is worth %(best)s%%"
            )
            % {"name": question.name, "best": gift.format_number(max(weights))}
        ]
    total = round(sum(weight for weight in weights if weight > 0), 2)
    if question.kind == "multiple" and total != 100:
        return [
            _("“%(name)s”: the positive weights add up to %(total)s%%, not 100%%")
            % {"name": question.name, "total": gift.format_number(total)}
        ]
    return []


def _fits(line: int, model: type[Model], **values: str) -> None:
    for name, value in values.items():
        field = model._meta.get_field(name)
        if field.max_length and len(value) > field.max_length:
            raise BankError(
                _("the %(field)s “%(value)s” is %(length)d characters long; at most %(limit)d fit")
                % {"field": field.verbose_name, "value": value[:40] + "…", "length": len(value),
                   "limit": field.max_length},
                line,
            )  # fmt: skip


def _same_structure(first: list[gift.GiftQuestion], other: list[gift.GiftQuestion]) -> str | None:
    """Why two languages' files do not describe the same questions, or None when they do."""
    if [q.name for q in first] != [q.name for q in other]:
        return _("the questions (names and order) differ from the other language's file")
    for a, b in zip(first, other, strict=True):
        if a.kind != b.kind or len(a.answers) != len(b.answers):
            return _("question “%(name)s” has a different type or number of answers") % {"name": a.name}
        for x, y in zip(a.answers, b.answers, strict=True):
            if any(getattr(x, f) != getattr(y, f) for f in STRUCTURE):
                return _("question “%(name)s” has different answer weights or values") % {"name": a.name}
    return None


def _loc(name: str, language: str) -> str:
    return build_localized_fieldname(name, language)


def _changed(instance: Any, values: dict[str, Any]) -> bool:
    """Whether saving `values` changes the row (a translation never written, NULL, is the same as "")."""

    def same(stored: Any, value: Any) -> bool:
        return stored == value or (stored is None and value == "")

    return instance.pk is None or not all(same(getattr(instance, k), v) for k, v in values.items())


def _match(existing: list[Question], parsed: list[gift.GiftQuestion]) -> list[Question | None]:
    """The stored question each parsed one updates: same ID number first, then same name and position."""
    found: list[Question | None] = [None] * len(parsed)
    free = list(existing)
    by_id = {q.idnumber: q for q in existing if q.idnumber}
    for i, question in enumerate(parsed):
        if question.idnumber in by_id:
            found[i] = by_id[question.idnumber]
            free.remove(found[i])
    for i, question in enumerate(parsed):
        if found[i] is None:
            same_name = next((q for q in free if q.name == question.name), None)
            if same_name is not None:
                found[i] = same_name
                free.remove(same_name)
    return found


def _save(instance: Question | Answer, line: int) -> None:
    """Saves (and so renders) one row; text that cannot be rendered is the file's mistake, at its line."""
    try:
        instance.save()
    except MathError as error:
        raise BankError(
            _("the formula $%(tex)s$ does not parse: %(reason)s")
            % {"tex": error.tex.strip()[:80], "reason": error.reason},
            line,
        ) from None
    except ValueError as error:
        raise BankError(str(error), line) from None


@transaction.atomic
def apply(
    quiz: Quiz,
    versions: dict[str, list[gift.GiftQuestion]],
    report: Report | None = None,
    *,
    delete_missing: bool = False,
) -> Report:
    """Makes the quiz's current questions those of `versions` (language -> parsed questions, same structure).

    A stored question the file no longer holds is retired when learners have answered it: kept with its
    responses and statistics, asked in no new attempt (a retired question that comes back is asked again).
    One nobody answered is deleted, and so is every missing one when `delete_missing` says so; the report
    counts the responses kept and removed. Each question counts once: created, updated (its words, kind or
    any answer changed) or unchanged.
    """
    report = report or Report()
    first = next(iter(versions.values()))
    existing = list(quiz.questions.prefetch_related("answers"))
    matched = _match(existing, first)
    for order, (parsed, stored) in enumerate(zip(first, matched, strict=True)):
        question = stored or Question(quiz=quiz)
        created = question.pk is None
        changed = _update_question(question, order, parsed, versions)
        changed = _update_answers(question, order, parsed, versions) or changed
        changed = _update_files(question, order, parsed, versions) or changed
        label = f"question {quiz.slug}/{parsed.name}"
        report.warnings += notices(parsed)
        for name in parsed.missing_files:
            report.warnings.append(
                _("“%(name)s”: its text shows the file “%(file)s”, which the file does not hold; left out")
                % {"name": parsed.name, "file": name}
            )
        if any(_DOLLAR_MATH_RE.search(text) for text in _texts_of(parsed)):
            report.warnings.append(
                _(
                    "%(question)s: $…$ is shown as written in a text that is not [markdown], as in Moodle; "
                    "write \\(…\\) for a formula"
                )
                % {"question": parsed.name}
            )
        if created:
            report.created.append(label)
        elif changed:
            report.updated.append(label)
        else:
            report.unchanged += 1
    kept = {q.pk for q in matched if q is not None}
    for question in existing:
        if question.pk not in kept:
            _remove(question, f"question {quiz.slug}/{question.name}", report, delete_missing)
    return report


# `$…$` in a text that is not [markdown]: its dollars were made literal (&#36;), as Moodle shows them.
_DOLLAR_MATH_RE = re.compile(r"&#36;[^\s&][^\n]*?&#36;")


def _texts_of(parsed: gift.GiftQuestion) -> list[str]:
    texts = [parsed.text, parsed.general_feedback]
    for answer in parsed.answers:
        texts += [answer.text, answer.feedback]
    return texts


def _update_question(
    question: Question, order: int, parsed: gift.GiftQuestion, versions: dict[str, list[gift.GiftQuestion]]
) -> bool:
    values: dict[str, Any] = {
        "order": order,
        "name": parsed.name,
        "idnumber": parsed.idnumber,
        "tags": parsed.tags,
        "kind": parsed.kind,
        "category": parsed.category,
        "retired": False,
    }
    if (
        parsed.points is not None
    ):  # Moodle XML's defaultgrade; a GIFT file leaves the stored points as they are
        values["points"] = parsed.points
    values.update(_moodle_values(parsed))
    for lang, questions in versions.items():
        values[_loc("text_md", lang)] = questions[order].text
        values[_loc("explanation_md", lang)] = questions[order].general_feedback
        for name, text in _moodle_texts(questions[order]).items():
            values[_loc(name, lang)] = text
    if not _changed(question, values):
        return False
    for key, value in values.items():
        setattr(question, key, value)
    _save(question, parsed.line)
    return True


def _update_answers(
    question: Question, order: int, parsed: gift.GiftQuestion, versions: dict[str, list[gift.GiftQuestion]]
) -> bool:
    """Updates the answers in place, by position: a learner's stored choice names its answer row."""
    answers = list(question.answers.all())
    changed = False
    for surplus in answers[len(parsed.answers) :]:
        surplus.delete()
        changed = True
    answers = answers[: len(parsed.answers)]
    answers += [Answer(question=question) for _ in range(len(parsed.answers) - len(answers))]
    for index, (answer, parsed_answer) in enumerate(zip(answers, parsed.answers, strict=True)):
        values = {"order": index, **{f: getattr(parsed_answer, f) for f in STRUCTURE}}
        for lang, questions in versions.items():
            source = questions[order].answers[index]
            values[_loc("text_md", lang)] = source.text
            values[_loc("match_text", lang)] = source.match
            values[_loc("feedback_md", lang)] = source.feedback
        if _changed(answer, values):
            for key, value in values.items():
                setattr(answer, key, value)
            _save(answer, parsed.line)
            changed = True
    return changed


def _update_files(
    question: Question, order: int, parsed: gift.GiftQuestion, versions: dict[str, list[gift.GiftQuestion]]
) -> bool:
    """Makes the question's images those of the file (every language's). A GIFT file carries none and leaves
    the stored ones, which its texts' addresses still show."""
    if parsed.moodle is None:
        return False
    wanted: dict[str, bytes] = {}
    for questions in versions.values():
        wanted.update(questions[order].files)
    stored = {file.name: file for file in question.files.all()}
    changed = False
    for name, file in stored.items():
        if name not in wanted or file.digest != images.digest(wanted[name]):
            file.delete()
            changed = True
    for name, data in wanted.items():
        if name not in stored or stored[name].digest != images.digest(data):
            content_type, _extension = images.image_type(data) or ("", "")
            QuestionFile.objects.create(
                question=question, name=name, digest=images.digest(data), content_type=content_type, data=data
            )
            changed = True
    return changed


def _remove(question: Question, label: str, report: Report, delete: bool) -> None:
    """A question the file no longer holds: retired while learners' answers hang on it, else deleted."""
    responses = question.responses.count()
    if delete or not responses:
        question.delete()
        report.deleted.append(label)
        report.responses_removed += responses
    elif question.retired:
        report.unchanged += 1
    else:
        Question.objects.filter(pk=question.pk).update(retired=True)
        report.retired.append(label)
        report.responses_kept += responses


def import_gift(
    quiz: Quiz, text: str, language: str, fmt: str | None = None, *, delete_missing: bool = False
) -> Report:
    """One language's file, GIFT or Moodle XML (detected unless `fmt` says), into a quiz: the standalone
    import and the admin upload. Questions missing from the file are retired, or deleted with their
    learners' answers when `delete_missing` says so. Raises BankError."""
    if language not in LANGUAGE_CODES:
        raise BankError(_("unknown language “%(language)s”") % {"language": language})
    return apply(quiz, {language: parse(text, fmt or detect_format(text))}, delete_missing=delete_missing)


class OutOfTime(BankError):
    """The import ran past its time limit: nothing was written."""


def import_in_steps(
    quiz: Quiz,
    text: str,
    language: str,
    *,
    delete_missing: bool = False,
    progress: Callable[[int, int], None] | None = None,
    deadline: float | None = None,
) -> Report:
    """`import_gift` as a background job runs it: the file is read, then every text rendered, question by
    question (`progress(done, total)`; OutOfTime past `deadline`, a time.monotonic() value), outside any
    transaction; only then are the rows written, in one transaction whose saves reuse those renderings, so a
    slow file never holds the database's write lock. All of it is imported or nothing."""
    if language not in LANGUAGE_CODES:
        raise BankError(_("unknown language “%(language)s”") % {"language": language})
    parsed = parse(text, detect_format(text))
    with rendering.remembered():
        for done, question in enumerate(parsed, start=1):
            for source in _texts(question):
                if source:
                    _rendered(source, question.line)
            if deadline is not None and time.monotonic() > deadline:
                raise OutOfTime(
                    _(
                        "the file took too long to render (stopped at question %(number)d of %(total)d); split it"
                    )
                    % {"number": done, "total": len(parsed)}
                )
            if progress:
                progress(done, len(parsed))
        return apply(quiz, {language: parsed}, delete_missing=delete_missing)


def _rendered(source: str, line: int) -> None:
    try:
        rendering.render(source)
    except MathError as error:
        raise BankError(
            _("the formula $%(tex)s$ does not parse: %(reason)s")
            % {"tex": error.tex.strip()[:80], "reason": error.reason},
            line,
        ) from None
    except ValueError as error:
        raise BankError(str(error), line) from None


def _giftable(number: int, question: gift.GiftQuestion) -> None:
    """Refuses what GIFT cannot carry and Moodle would then grade otherwise: a Cloze question, a case-sensitive
    short answer, units (hints and the combined feedback, which change no grade, are left out)."""
    settings = question.moodle or gift.MoodleSettings()
    if question.kind == "cloze":
        reason = _("GIFT cannot hold a Cloze question")
    elif question.kind == "short" and settings.case_sensitive:
        reason = _("GIFT cannot say that a short answer's case counts")
    elif question.kind == "numeric" and settings.units:
        reason = _("GIFT cannot hold a numerical question's units")
    else:
        return
    raise BankError(
        _("question %(number)d “%(name)s”: %(reason)s; export the quiz as Moodle XML")
        % {"number": number, "name": question.name, "reason": reason}
    )


def questions_for_export(quiz: Quiz, language: str) -> list[gift.GiftQuestion]:
    def text(instance: Any, name: str) -> str:
        return localized(instance, name, language) or getattr(instance, name) or ""

    return [
        gift.GiftQuestion(
            kind=question.kind,
            text=text(question, "text_md"),
            name=question.name,
            idnumber=question.idnumber,
            points=question.points,
            tags=list(question.tags),
            general_feedback=text(question, "explanation_md"),
            category=question.category,
            moodle=gift.MoodleSettings(
                case_sensitive=question.case_sensitive,
                units=[(str(name), float(multiplier)) for name, multiplier in question.units],
                unit_grading=question.unit_grading,
                unit_penalty=question.unit_penalty,
                unit_display=question.unit_display,
                units_left=question.units_left,
                hints=[hint for hint in text(question, "hint_md").split(HINT_BREAK) if hint.strip()],
                correct_feedback=text(question, "correct_feedback_md"),
                partial_feedback=text(question, "partial_feedback_md"),
                incorrect_feedback=text(question, "incorrect_feedback_md"),
                parts=list(question.parts),
            ),
            line=number,  # its place in the quiz, to name a question the format cannot hold
            answers=[
                gift.GiftAnswer(
                    text=text(a, "text_md"),
                    match=text(a, "match_text"),
                    weight=a.weight,
                    feedback=text(a, "feedback_md"),
                    value=a.value,
                    tolerance=a.tolerance,
                    low=a.low,
                    high=a.high,
                    part=a.part,
                )
                for a in question.answers.all()
            ],
        )
        for number, question in enumerate(quiz.questions.current().prefetch_related("answers"), start=1)
    ]


def _images_as_files(quiz: Quiz, questions: list[gift.GiftQuestion]) -> None:
    """Each question's images written back as Moodle keeps them: @@PLUGINFILE@@/name in the text, the bytes
    in a <file> beside it (moodle_xml.dump)."""
    stored = quiz.questions.current().prefetch_related("files")
    for question, row in zip(questions, stored, strict=True):
        files = list(row.files.all())
        question.files = {file.name: bytes(file.data) for file in files}
        references = {file.url: images.reference(file.name) for file in files}
        if references:
            images.map_texts(question, _replacer(references))


def _replacer(replacements: dict[str, str]) -> Callable[[str], str]:
    pattern = re.compile("|".join(re.escape(old) for old in replacements))
    return lambda text: pattern.sub(lambda m: replacements[m.group()], text)


def export_gift(quiz: Quiz, language: str, fmt: str = "gift") -> str:
    """The quiz as a GIFT or Moodle XML file; BankError for a question (edited in the admin) that the format
    cannot hold faithfully, named by its place and name."""
    questions = questions_for_export(quiz, language)
    for number, question in enumerate(questions, start=1) if fmt == "gift" else ():
        _giftable(number, question)
    if fmt == "xml":
        _images_as_files(quiz, questions)
    try:
        if fmt == "xml":
            return moodle_xml.dump(questions, to_html=for_mathjax)
        return gift.dump(questions)
    except gift.GiftError as error:
        raise BankError(
            _("question %(number)d “%(name)s”: %(reason)s")
            % {"number": error.line, "name": questions[error.line - 1].name, "reason": error.why.said(_)}
        ) from None


# --- A course folder's quizzes/ -------------------------------------------------------------------------


def _files(folder: Path) -> dict[str, dict[str, Path]]:
    groups: dict[str, dict[str, Path]] = {}
    for path in sorted(folder.glob("*.gift")) if folder.is_dir() else []:
        match = FILENAME.match(path.name)
        if not match or match["language"] not in LANGUAGE_CODES:
            raise ContentError(
                path, f"the file name must be <lesson-slug>.<language>.gift, language one of {LANGUAGE_CODES}"
            )
        groups.setdefault(match["name"], {})[match["language"]] = path
    return groups


def load_course_quizzes(course: Course, folder: Path, report: Report) -> None:
    lessons = {lesson.slug: lesson for lesson in course.lessons.all()}
    for slug, paths in _files(folder).items():
        if slug not in lessons:
            raise ContentError(
                next(iter(paths.values())), f"there is no lesson '{slug}' in this course for this quiz"
            )
        versions: dict[str, list[gift.GiftQuestion]] = {}
        for lang, path in paths.items():
            try:
                versions[lang] = parse(path.read_text(encoding="utf-8"))
            except BankError as error:
                raise ContentError(path, error.reason, error.line) from None
        reference_lang, reference = next(iter(versions.items()))
        for lang, questions in versions.items():
            problem = _same_structure(reference, questions) if lang != reference_lang else None
            if problem:
                raise ContentError(paths[lang], f"{problem} ({paths[reference_lang].name})")
        lesson = lessons[slug]
        quiz = Quiz.objects.filter(slug=slug).first() or Quiz(slug=slug)
        values = {
            "lesson_id": lesson.pk,
            **{_loc("title", lang): localized(lesson, "title", lang) for lang in LANGUAGE_CODES},
        }
        if _changed(quiz, values):
            for key, value in values.items():
                setattr(quiz, key, value)
            quiz.save()
            report.updated.append(f"quiz {slug}")
        apply(quiz, versions, report)


def dump_course_quizzes(course: Course, folder: Path) -> None:
    for quiz in Quiz.objects.filter(lesson__course=course).order_by("slug"):
        for lang in LANGUAGE_CODES:
            if any(localized(q, "text_md", lang) for q in quiz.questions.current()):
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{quiz.slug}.{lang}.gift").write_text(export_gift(quiz, lang), encoding="utf-8")
