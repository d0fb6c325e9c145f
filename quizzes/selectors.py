"""Reads: a quiz as a student may see it (never its answers), an attempt's feedback, statistics."""

from __future__ import annotations

import random
import re
from collections import Counter
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.html import format_html, format_html_join, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from lessons.models import LANGUAGE_CODES
from lessons.selectors import text_fields

from . import cloze
from .grading import grade
from .models import Answer, Attempt, Kind, Question, Quiz, Response
from .services import answers_shown, attempts_left


def public_quiz(quiz: Quiz, user: AbstractBaseUser | AnonymousUser, rng: random.Random | None = None) -> dict:
    """The quiz without weights, feedback or anything else that tells the answer."""
    return {
        "slug": quiz.slug,
        "title": quiz.title,
        "lesson": quiz.lesson.get_absolute_url() if quiz.lesson_id else None,
        "max_attempts": quiz.max_attempts,
        "attempts_left": attempts_left(quiz, user),
        # A quiz that counts attempts takes them from learners only (services.attempt_submit): said up front.
        "sign_in_note": _("Log in to take this quiz: it counts your attempts.")
        if quiz.max_attempts and not user.is_authenticated
        else "",
        "questions": public_questions(quiz, rng or random.Random()),
    }


def page_order(quiz: Quiz) -> random.Random:
    """The order a quiz's page shows its questions and options in: shuffled as the quiz says, the same for
    every reader and every server (a page is one document), and not one a reader can work out, since
    authors often write the right option first. Trying again shuffles anew, in the browser."""
    return random.Random(salted_hmac("quizzes.page_order", quiz.slug).hexdigest())


# What a question shows before it is answered, and what its options show; never a weight, a feedback, an
# explanation, an accepted text or a number.
QUESTION_SHOWS = ("text_html", "hint_html")
ANSWER_SHOWS = ("text_md", "text_html", "match_text")


def public_questions(quiz: Quiz, rng: random.Random) -> list[dict[str, Any]]:
    """The quiz's questions as a student may see them before answering, in one query (a lesson page, which
    shows its quiz, is rendered in a handful): questions joined with their answers' shown columns."""
    columns = [build_localized_fieldname(f, lang) for f in QUESTION_SHOWS for lang in LANGUAGE_CODES]
    answer_columns = [build_localized_fieldname(f, lang) for f in ANSWER_SHOWS for lang in LANGUAGE_CODES]
    rows = (
        Question.objects.filter(quiz=quiz, retired=False)
        .order_by("order", "id", "answers__order", "answers__id")
        .values(
            "id",
            "kind",
            "points",
            "units",
            "unit_display",
            "units_left",
            *columns,
            "answers__id",
            *(f"answers__{c}" for c in answer_columns),
            "parts",
            "answers__part",
        )
    )
    questions: dict[int, dict[str, Any]] = {}
    answers: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        if row["id"] not in questions:
            questions[row["id"]] = {
                "id": row["id"],
                "kind": row["kind"],
                **{f: _in_language(row, f) for f in QUESTION_SHOWS},
                "points": row["points"],
                **_units_shown(row),
                **({"parts": row["parts"]} if row["kind"] == Kind.CLOZE else {}),
            }
            answers[row["id"]] = []
        if row["answers__id"] is not None:
            shown = {f: _in_language(row, f, "answers__") for f in ANSWER_SHOWS}
            answers[row["id"]].append({"id": row["answers__id"], "part": row["answers__part"], **shown})
    ordered = list(questions.values())
    if quiz.shuffle_questions:
        rng.shuffle(ordered)
    return [_public_question(q, answers[q["id"]], quiz.shuffle_options, rng) for q in ordered]


def _units_shown(row: dict[str, Any]) -> dict[str, Any]:
    """A numeric question's units as Moodle offers them: the names (never their multipliers), where the unit
    goes, and how it is asked (UnitDisplay: typed, buttons, a menu, or not asked and the first one shown)."""
    if row["kind"] != Kind.NUMERIC or not row["units"]:
        return {}
    return {
        "units": [str(name) for name, _multiplier in row["units"]],
        "unit_display": row["unit_display"],
        "units_left": row["units_left"],
    }


def _in_language(row: dict[str, Any], field: str, prefix: str = "") -> str:
    """A translated column's text in the active language, else in the first language that has one (as the
    models' translated fields read)."""
    active = get_language() or settings.LANGUAGE_CODE
    fallbacks = settings.MODELTRANSLATION_FALLBACK_LANGUAGES["default"]
    for language in (active, *fallbacks):
        value = row.get(prefix + build_localized_fieldname(field, language))
        if value:
            return value
    return ""


def _public_question(
    question: dict[str, Any], answers: list[dict[str, Any]], shuffle: bool, rng: random.Random
) -> dict[str, Any]:
    data = dict(question)
    kind = question["kind"]
    if kind in (Kind.SINGLE, Kind.MULTIPLE):
        options = [{"id": a["id"], "text_html": a["text_html"]} for a in answers]
        if shuffle:
            rng.shuffle(options)
        data["options"] = options
    elif kind == Kind.TRUEFALSE:
        labels = {"true": _("True"), "false": _("False")}
        data["options"] = [
            {"id": a["id"], "text_html": labels.get(a["text_md"].strip().lower(), a["text_html"])}
            for a in answers
        ]
    elif kind == Kind.CLOZE:
        data.update(_cloze_shown(question, data.pop("parts"), answers, rng))
    elif kind == Kind.MATCHING:
        data["items"] = [{"id": a["id"], "text_html": a["text_html"]} for a in answers if a["text_md"]]
        matches = sorted({a["match_text"] for a in answers})
        rng.shuffle(matches)
        data["matches"] = matches
    return data


def _cloze_shown(
    question: dict[str, Any], parts: list[dict[str, Any]], answers: list[dict[str, Any]], rng: random.Random
) -> dict[str, Any]:
    """A Cloze question's gaps as a learner sees them: for the API, each gap's kind and (for choices) options,
    the text keeping its ⟦n⟧ markers; for the page, the text with a box, menu or buttons in each gap."""
    gaps = []
    for number, part in enumerate(parts, start=1):
        gap: dict[str, Any] = {"part": number, "kind": part["kind"], "display": part.get("display") or ""}
        if part["kind"] in (Kind.SINGLE, Kind.MULTIPLE):
            options = [{"id": a["id"], "text_html": a["text_html"]} for a in answers if a["part"] == number]
            if part.get("shuffle"):
                rng.shuffle(options)
            gap["options"] = options
        gaps.append(gap)

    def control(found: re.Match[str]) -> str:
        number = int(found.group(1))
        if not 1 <= number <= len(gaps):
            return found.group()
        gap, name = gaps[number - 1], f"answer-{question['id']}-{number}"
        label = _("Gap %(n)d") % {"n": number}
        if gap["kind"] == Kind.SINGLE and gap["display"] == "menu":
            options = format_html_join(
                "",
                '<option value="{}">{}</option>',
                ((o["id"], strip_tags(o["text_html"])) for o in gap["options"]),
            )
            return format_html(
                '<select name="{}" data-part="{}" aria-label="{}"><option value="">{}</option>{}</select>',
                name, number, label, _("Choose…"), options,
            )  # fmt: skip
        if gap["kind"] in (Kind.SINGLE, Kind.MULTIPLE):
            kind = "checkbox" if gap["kind"] == Kind.MULTIPLE else "radio"
            options = format_html_join(
                "",
                '<label><input type="{}" name="{}" value="{}" data-part="{}"> {}</label>',
                ((kind, name, o["id"], number, mark_safe(o["text_html"])) for o in gap["options"]),  # noqa: S308 rendered, sanitised HTML
            )
            return format_html('<span class="gap-options {}" role="group" aria-label="{}">{}</span>',
                               gap["display"], label, options)  # fmt: skip
        mode = ' inputmode="decimal"' if gap["kind"] == Kind.NUMERIC else ""
        return format_html(
            '<input type="text" class="gap" name="{}" data-part="{}" aria-label="{}" size="12" autocomplete="off"{}>',
            name, number, label, mark_safe(mode),  # noqa: S308 a constant
        )  # fmt: skip

    text = str(question["text_html"])
    return {"gaps": gaps, "cloze_html": mark_safe(cloze.GAP_RE.sub(control, text))}  # noqa: S308 sanitised HTML, escaped controls


def _combined_feedback(question: Question, response: Response | None) -> str:
    """Moodle's combined feedback for the response's state: right (a whole mark), partly right, or wrong
    (question_state::graded_state_for_fraction's bounds)."""
    if response is None or response.fraction is None:
        return ""
    if response.fraction >= 0.999999:
        return question.correct_feedback_html
    if response.fraction > 0.0000001:
        return question.partial_feedback_html
    return question.incorrect_feedback_html


def _correct(question: Question, answers: list[Answer]) -> list[dict[str, Any]]:
    if question.kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.TRUEFALSE, Kind.SHORT):
        return [{"id": a.pk, "text_html": a.text_html, "weight": a.weight} for a in answers if a.weight > 0]
    if question.kind == Kind.CLOZE:
        return [
            {"id": a.pk, "text_html": f"{a.part}: " + (a.text_html or (f"{a.value:g}" if a.value is not None else "*")),
             "weight": a.weight}
            for a in answers
            if a.weight == 100
        ]  # fmt: skip
    if question.kind == Kind.NUMERIC:
        shown = []
        for a in answers:
            if a.weight <= 0 or (a.value is None and a.low is None):
                continue
            text = (
                f"{a.low:g} – {a.high:g}"
                if a.low is not None
                else f"{a.value:g}" + (f" ± {a.tolerance:g}" if a.tolerance else "")
            )
            shown.append({"id": a.pk, "text_html": text, "weight": a.weight})
        return shown
    if question.kind == Kind.MATCHING:
        return [{"id": a.pk, "text_html": a.text_html, "match": a.match_text} for a in answers if a.text_md]
    return []


def attempt_result(
    attempt: Attempt, user: AbstractBaseUser | AnonymousUser, responses: list[Response] | None = None
) -> dict[str, Any]:
    """The graded attempt with everything this reader may now see: the scores, and — when the quiz's policy
    allows it (services.answers_shown) — per-answer feedback, the right answers and the explanations.
    `responses` are given for an attempt that was not stored (an anonymous reader's)."""
    shown = answers_shown(attempt.quiz, user)
    given_responses = responses if responses is not None else attempt.responses.all()
    responses = {r.question_id: r for r in given_responses}
    questions = []
    # The questions this attempt answered, retired or not, and the quiz's current ones.
    asked = attempt.quiz.questions.filter(Q(retired=False) | Q(pk__in=list(responses)))
    for question in asked.prefetch_related("answers"):
        answers = list(question.answers.all())
        response = responses.get(question.pk)
        given = response.given if response else None
        chosen = set()
        if given is not None and question.kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.TRUEFALSE):
            chosen = {int(i) for i in (given if isinstance(given, list) else [given])}
        feedback = [a.feedback_html for a in answers if a.pk in chosen and a.feedback_html]
        if question.kind in (Kind.SHORT, Kind.NUMERIC, Kind.CLOZE) and given is not None:
            feedback += [
                a.feedback_html for a in answers if a.pk in grade(question, given).chosen and a.feedback_html
            ]
        questions.append(
            {
                "id": question.pk,
                "kind": question.kind,
                "fraction": response.fraction if response else None,
                "correct": bool(response and response.correct),
                "given": given,
                "feedback_html": feedback if shown else [],
                "combined_feedback_html": _combined_feedback(question, response) if shown else "",
                "explanation_html": question.explanation_html if shown else "",
                "correct_answers": _correct(question, answers) if shown else [],
                "option_feedback": {str(a.pk): a.feedback_html for a in answers if a.feedback_html}
                if shown and question.kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.TRUEFALSE)
                else {},
            }
        )
    return {
        "answers_shown": shown,
        "review_note": ""
        if shown
        else _("The right answers and explanations are shown after your last attempt."),
        "id": attempt.pk,
        "quiz": attempt.quiz.slug,
        "number": attempt.number,
        "score": attempt.score,
        "max_score": attempt.max_score,
        "percent": attempt.percent,
        "created_at": attempt.created_at,
        "questions": questions,
    }


def best_scores(user: AbstractBaseUser) -> list[dict[str, Any]]:
    """Per quiz a student tried: attempts, best and latest score."""
    rows = []
    attempts = (
        Attempt.objects.filter(user=user)
        .select_related("quiz", "quiz__lesson__course")
        .defer(*text_fields("quiz__lesson__"))
        .order_by("created_at")
    )
    by_quiz: dict[int, list[Attempt]] = {}
    for attempt in attempts:
        by_quiz.setdefault(attempt.quiz_id, []).append(attempt)
    for tries in by_quiz.values():
        best = max(tries, key=lambda a: a.percent)
        rows.append(
            {
                "quiz": tries[0].quiz,
                "attempts": len(tries),
                "best": best.percent,
                "latest": tries[-1].percent,
                "best_attempt": best,
            }
        )
    return sorted(rows, key=lambda r: r["quiz"].slug)


def question_stats(quiz: Quiz) -> list[dict[str, Any]]:
    """For staff: per question, how many answered, the share fully right, and the most frequent wrong
    answer — where the weak questions and the common misconceptions show."""
    stats = []
    answers_by_id = {a.pk: a for a in Answer.objects.filter(question__quiz=quiz)}
    for question in quiz.questions.all():
        responses = list(
            Response.objects.filter(question=question).exclude(given=None).values_list("key", "correct")
        )
        wrong = Counter(key for key, correct in responses if not correct and key)
        common, count = wrong.most_common(1)[0] if wrong else ("", 0)
        common = _readable_key(question, common, answers_by_id) if common else ""
        stats.append(
            {
                "question": question,
                "retired": question.retired,
                "answered": len(responses),
                "correct_share": round(sum(c for _k, c in responses) / len(responses), 3)
                if responses
                else None,
                "common_wrong": common,
                "common_wrong_count": count,
            }
        )
    return stats


def _readable_key(question: Question, key: str, answers_by_id: dict[int, Answer]) -> SafeString:
    """A response's statistics key as staff read it: the options' and items' stored HTML (formulas typeset as
    the learner saw them), never their Markdown, TeX or ids; typed text escaped."""

    def html(answer_id: str) -> SafeString | str:
        answer = answers_by_id.get(int(answer_id)) if answer_id.isdigit() else None
        return mark_safe(answer.text_html) if answer else answer_id  # noqa: S308 (stored HTML, sanitised when rendered: nh3)

    if question.kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.TRUEFALSE):
        return format_html_join(" + ", "{}", ((html(i),) for i in key.split(",")))
    if question.kind == Kind.MATCHING:
        pairs = (pair.partition("=") for pair in key.split(";"))
        return format_html_join("; ", "{} → {}", ((html(item), match) for item, _eq, match in pairs))
    if question.kind == Kind.CLOZE:
        return format_html_join(
            "; ", "{}", ((gap,) for gap in cloze_response_shown(question, key, answers_by_id))
        )
    return format_html("{}", key)


def cloze_response_shown(question: Question, key: str, answers_by_id: dict[int, Answer]) -> list[SafeString]:
    """A Cloze response's key as staff read it, one "gap: answer" per gap answered: a choice by its stored HTML
    (never its option id), typed text escaped."""
    kinds = [part.get("kind") for part in question.parts or []]

    def html(answer_id: str) -> SafeString | str:
        answer = answers_by_id.get(int(answer_id)) if answer_id.isdigit() else None
        return mark_safe(answer.text_html) if answer else answer_id  # noqa: S308 (stored HTML, sanitised when rendered: nh3)

    def shown(number: int, value: str) -> SafeString:
        if number <= len(kinds) and kinds[number - 1] in ("single", "multiple"):
            return format_html_join(" + ", "{}", ((html(i),) for i in value.split(",") if i))
        return format_html("{}", value)

    return [format_html("{}: {}", n, shown(n, value)) for n, value in _cloze_gaps(key, len(kinds)) if value]


def _cloze_gaps(key: str, count: int) -> list[tuple[int, str]]:
    """A Cloze response's key ("1=12;2=typed;3=5", grading._grade_cloze) split into its gaps, found by their
    numbers from the last one back, so that a typed answer holding ";" (or even ";3=") stays whole where a
    later gap's own marker follows it."""
    gaps: list[tuple[int, str]] = []
    end = len(key)
    for number in range(count, 1, -1):
        marker = key.rfind(f";{number}=", 0, end)
        if marker < 0:
            continue  # cut off by the key's 300 characters
        gaps.append((number, key[marker + len(f";{number}=") : end]))
        end = marker
    gaps.append((1, key[len("1=") : end] if key.startswith("1=") else key[:end]))
    return gaps[::-1]
