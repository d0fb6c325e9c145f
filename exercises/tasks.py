from celery import shared_task

from .content import exercises
from .models import Attempt
from .services import attempt_check


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def check_attempt(attempt_id: int) -> str:
    """Runs on the `sandbox` queue's worker: the learner's code in bubblewrap, judged outside it."""
    attempt = Attempt.objects.filter(pk=attempt_id).first()
    if attempt is None:
        return "gone"
    exercise = exercises().get(attempt.exercise)
    if exercise is None:
        Attempt.objects.filter(pk=attempt_id).update(status=Attempt.Status.ERROR, error="exercise withdrawn")
        return "withdrawn"
    return attempt_check(attempt=attempt, exercise=exercise).status
