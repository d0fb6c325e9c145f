"""A finished quiz and a passed experiment become scores for the LMS courses where a teacher placed them.

Receivers, not calls from quizzes/ and experiments/: those apps know nothing of LMSs. Both fire inside the
service's transaction, so a score row exists exactly when the attempt or submission does.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from experiments.models import Submission
from quizzes.models import Attempt

from .models import Placement
from .services import scores_record


@receiver(post_save, sender=Attempt, dispatch_uid="lti-quiz-finished")
def quiz_finished(sender, instance: Attempt, created: bool, update_fields=None, **kwargs) -> None:
    # attempt_submit saves the attempt, then its score: the second save is the finished attempt.
    if instance.user_id is None or not update_fields or "score" not in update_fields:
        return
    scores_record(
        learner=instance.user,
        kind=Placement.Kind.QUIZ,
        slug=instance.quiz.slug,
        given=100 * instance.score / instance.max_score if instance.max_score else 0,
        maximum=100 if instance.max_score else 0,
    )


@receiver(post_save, sender=Submission, dispatch_uid="lti-experiment-passed")
def experiment_passed(sender, instance: Submission, created: bool, **kwargs) -> None:
    if created and instance.passed:
        scores_record(
            learner=instance.owner,
            kind=Placement.Kind.EXPERIMENT,
            slug=instance.experiment.slug,
            given=100,
            maximum=100,
        )
