"""Question banks in Moodle's GIFT format <-> quizzes in the database (one language per file).

A question's GIFT `::name::` is its key: importing a file again updates the questions in place, adds new ones
and removes those no longer in the file, and saves nothing that did not change. A course folder keeps one
file per lesson and language (quizzes/<lesson>.<language>.gift); both languages must describe the same
questions, with the same names, kinds and answer weights.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from core.errors import UserError
from lessons.content import FILENAME, ContentError, Report
from lessons.models import LANGUAGE_CODES, Course, localized

from . import gift
from .models import Answer, Question, Quiz

STRUCTURE = ("weight", "value", "tolerance", "low", "high")


class BankError(UserError):
    """A GIFT file that cannot be imported; nothing was changed."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line


def parse(text: str) -> list[gift.GiftQuestion]:
    try:
        questions = gift.parse(text)
    except gift.GiftError as error:
        raise BankError(error.reason, error.line) from None
    seen: dict[str, int] = {}
    for number, question in enumerate(questions, start=1):
        question.name = question.name or f"q{number}"
        if question.name in seen:
            raise BankError(
                _("two questions are named “%(name)s” (the first on line %(first)d)")
                % {"name": question.name, "first": seen[question.name]},
                question.line,
            )
        seen[question.name] = question.line
    return questions


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
    return instance.pk is None or any(getattr(instance, k) != v for k, v in values.items())


@transaction.atomic
def apply(quiz: Quiz, versions: dict[str, list[gift.GiftQuestion]], report: Report | None = None) -> Report:
    """Makes the quiz's questions those of `versions` (language -> parsed questions, same structure)."""
    report = report or Report()
    first = next(iter(versions.values()))
    existing = {q.name: q for q in quiz.questions.prefetch_related("answers")}
    for order, parsed in enumerate(first):
        question = existing.pop(parsed.name, None) or Question(quiz=quiz, name=parsed.name)
        values: dict[str, Any] = {"order": order, "kind": parsed.kind, "category": parsed.category}
        for lang, questions in versions.items():
            values[_loc("text_md", lang)] = questions[order].text
            values[_loc("explanation_md", lang)] = questions[order].general_feedback
        answers = list(question.answers.all()) if question.pk else []
        rebuild = len(answers) != len(parsed.answers)
        if _changed(question, values):
            for key, value in values.items():
                setattr(question, key, value)
            created = question.pk is None
            question.save()
            (report.created if created else report.updated).append(f"question {quiz.slug}/{parsed.name}")
        else:
            report.unchanged += 1
        if rebuild:
            question.answers.all().delete()
            answers = [Answer(question=question) for _ in parsed.answers]
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
                answer.save()
    for question in existing.values():
        report.updated.append(f"question {quiz.slug}/{question.name} removed")
        question.delete()
    return report


def import_gift(quiz: Quiz, text: str, language: str) -> Report:
    """One language's file into a quiz (the standalone import and the admin upload). Raises BankError."""
    if language not in LANGUAGE_CODES:
        raise BankError(_("unknown language “%(language)s”") % {"language": language})
    return apply(quiz, {language: parse(text)})


def questions_for_export(quiz: Quiz, language: str) -> list[gift.GiftQuestion]:
    def text(instance: Any, name: str) -> str:
        return localized(instance, name, language) or getattr(instance, name) or ""

    return [
        gift.GiftQuestion(
            kind=question.kind,
            text=text(question, "text_md"),
            name=question.name,
            general_feedback=text(question, "explanation_md"),
            category=question.category,
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
                )
                for a in question.answers.all()
            ],
        )
        for question in quiz.questions.prefetch_related("answers")
    ]


def export_gift(quiz: Quiz, language: str) -> str:
    return gift.dump(questions_for_export(quiz, language))


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
                raise ContentError(path, error.message.split(": ", 1)[-1], error.line) from None
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
            if any(localized(q, "text_md", lang) for q in quiz.questions.all()):
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{quiz.slug}.{lang}.gift").write_text(export_gift(quiz, lang), encoding="utf-8")
