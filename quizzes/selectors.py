"""Reads: a quiz as a student may see it (never its answers), an attempt's feedback, statistics."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.translation import gettext as _

from .grading import grade
from .models import Answer, Attempt, Kind, Question, Quiz, Response
from .services import answers_shown, attempts_left


def public_quiz(quiz: Quiz, user: AbstractBaseUser | AnonymousUser, rng: random.Random | None = None) -> dict:
    """The quiz without weights, feedback or anything else that tells the answer."""
    rng = rng or random.Random()
    questions = list(quiz.questions.prefetch_related("answers"))
    if quiz.shuffle_questions:
        rng.shuffle(questions)
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
        "questions": [_public_question(q, quiz.shuffle_options, rng) for q in questions],
    }


def _public_question(question: Question, shuffle: bool, rng: random.Random) -> dict[str, Any]:
    answers = list(question.answers.all())
    data: dict[str, Any] = {
        "id": question.pk,
        "kind": question.kind,
        "text_html": question.text_html,
        "hint_html": question.hint_html,
        "points": question.points,
    }
    if question.kind in (Kind.SINGLE, Kind.MULTIPLE):
        options = [{"id": a.pk, "text_html": a.text_html} for a in answers]
        if shuffle:
            rng.shuffle(options)
        data["options"] = options
    elif question.kind == Kind.TRUEFALSE:
        labels = {"true": _("True"), "false": _("False")}
        data["options"] = [
            {"id": a.pk, "text_html": labels.get(a.text_md.strip().lower(), a.text_html)} for a in answers
        ]
    elif question.kind == Kind.MATCHING:
        data["items"] = [{"id": a.pk, "text_html": a.text_html} for a in answers if a.text_md]
        matches = sorted({a.match_text for a in answers})
        rng.shuffle(matches)
        data["matches"] = matches
    return data


def _correct(question: Question, answers: list[Answer]) -> list[dict[str, Any]]:
    if question.kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.TRUEFALSE, Kind.SHORT):
        return [{"id": a.pk, "text_html": a.text_html, "weight": a.weight} for a in answers if a.weight > 0]
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
    for question in attempt.quiz.questions.prefetch_related("answers"):
        answers = list(question.answers.all())
        response = responses.get(question.pk)
        given = response.given if response else None
        chosen = set()
        if given is not None and question.kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.TRUEFALSE):
            chosen = {int(i) for i in (given if isinstance(given, list) else [given])}
        feedback = [a.feedback_html for a in answers if a.pk in chosen and a.feedback_html]
        if question.kind in (Kind.SHORT, Kind.NUMERIC) and given is not None:
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
        if common and question.kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.TRUEFALSE):
            common = " + ".join(
                answers_by_id[int(i)].text_md if int(i) in answers_by_id else i for i in common.split(",")
            )
        stats.append(
            {
                "question": question,
                "answered": len(responses),
                "correct_share": round(sum(c for _k, c in responses) / len(responses), 3)
                if responses
                else None,
                "common_wrong": common,
                "common_wrong_count": count,
            }
        )
    return stats
