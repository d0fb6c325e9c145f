"""Writes: submitting an attempt, rating an essay answer.

Anonymous readers may try a quiz that does not count attempts: it is graded and answered, never stored (a
stored anonymous attempt was a way to fill the disk at no cost). A quiz that counts attempts needs an account.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import NotAllowed, NotSignedIn, UserError
from core.storage import storage_charge
from lessons.services import lesson_set_complete

from .grading import grade
from .models import PASS_PERCENT, Attempt, Kind, Quiz, Response


def attempts_left(quiz: Quiz, user: AbstractBaseUser | AnonymousUser) -> int | None:
    """None when there is no limit (or the reader is anonymous: nothing is counted for them)."""
    if not quiz.max_attempts or not user.is_authenticated:
        return None
    return max(0, quiz.max_attempts - quiz.attempts.filter(user=user, reset_at__isnull=True).count())


def answers_shown(quiz: Quiz, user: AbstractBaseUser | AnonymousUser) -> bool:
    """The quiz's review policy: right answers, feedback and explanations once they can no longer help
    anyone score — at once on a quiz without a limit, after the last attempt on one with a limit (staff: always)."""
    return not quiz.max_attempts or user.is_staff or attempts_left(quiz, user) == 0


@transaction.atomic
def attempt_submit(
    *, quiz: Quiz, user: AbstractBaseUser | AnonymousUser, answers: Any
) -> tuple[Attempt, list[Response]]:
    """Grades a whole attempt on the server; a signed-in learner's is kept. Anything malformed — not an
    object, an unknown question or option, a number that is not a number, a text too long — or an attempt
    beyond the limit raises UserError, and nothing is saved."""
    if not isinstance(answers, dict):
        raise UserError(_("Answers must be an object of question id: answer."), field="answers")
    if quiz.max_attempts and not user.is_authenticated:
        raise NotSignedIn(_("Log in to take this quiz: it counts your attempts."))
    if user.is_authenticated:
        # Serialise a student's attempts at one quiz so two quick submissions cannot pass the limit.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    left = attempts_left(quiz, user)
    if left == 0:
        raise NotAllowed(_("You have used all %(n)d attempts at this quiz.") % {"n": quiz.max_attempts})
    questions = list(quiz.questions.current().prefetch_related("answers"))
    by_id = {str(q.pk): q for q in questions}
    unknown = sorted(set(map(str, answers)) - set(by_id))
    if unknown:
        raise UserError(_("There is no question %(id)s in this quiz.") % {"id": unknown[0]}, field="answers")
    graded = {}
    for question in questions:
        given = answers.get(str(question.pk))
        # A question that takes no answer stores none, whatever was sent (1.9 MB was once kept for one).
        if given is None or given == "" or given == [] or question.kind == Kind.DESCRIPTION:
            graded[question.pk] = (None, None)
            continue
        graded[question.pk] = (given, grade(question, given))
    if questions and all(given is None for given, _result in graded.values()):
        raise UserError(_("Answer at least one question before you submit."), code="no_answers")
    keep = user.is_authenticated
    if keep:
        storage_charge(user=user, value=[given for given, _result in graded.values()])
    attempt = Attempt(
        quiz=quiz,
        user=user if keep else None,
        number=quiz.attempts.filter(user=user).count() + 1 if keep else 1,
        created_at=timezone.now(),
    )
    if keep:
        attempt.save()
    score = max_score = 0.0
    responses = []
    for question in questions:
        given, result = graded[question.pk]
        if question.graded:
            max_score += question.points
        if given is None:
            fraction = 0.0 if question.graded else None
            responses.append(
                Response(attempt=attempt, question=question, given=None, key="", fraction=fraction)
            )
            continue
        if result.fraction is not None:
            score += result.fraction * question.points
        responses.append(
            Response(
                attempt=attempt,
                question=question,
                given=given,
                key=result.key,
                fraction=result.fraction,
                correct=result.fraction == 1.0,
            )
        )
    attempt.score, attempt.max_score = round(score, 4), max_score
    if keep:
        Response.objects.bulk_create(responses)
        attempt.save(update_fields=["score", "max_score"])
        if quiz.lesson_id and max_score and attempt.percent >= PASS_PERCENT:
            lesson_set_complete(user=user, lesson=quiz.lesson, complete=True)
    return attempt, responses


@transaction.atomic
def essay_rate(*, attempt: Attempt, question: int, fraction: float) -> Response:
    """A student compares their essay answer with the model answer and rates it (0, ½ or 1)."""
    if fraction not in (0, 0.5, 1):
        raise UserError(_("Rate your answer as 0, 0.5 or 1."), field="fraction")
    # Matched in Python: an attempt has a handful of essays, and any integer the client sends is safe here.
    essays = attempt.responses.filter(question__kind=Kind.ESSAY)
    response = next((essay for essay in essays if essay.question_id == question), None)
    if response is None:
        raise UserError(_("That question is not an essay question of this attempt."), field="question")
    response.fraction, response.correct = fraction, fraction == 1
    response.save(update_fields=["fraction", "correct"])
    return response
