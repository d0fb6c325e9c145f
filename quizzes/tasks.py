"""Celery tasks: thin wrappers that take ids and call a service."""

from celery import shared_task
from django.conf import settings

from . import imports


@shared_task(
    acks_late=False,  # a lost worker's import is not run twice: the admin's page says it was lost
    ignore_result=True,
    soft_time_limit=settings.QUIZ_IMPORT_TIME_LIMIT_S,
    time_limit=settings.QUIZ_IMPORT_TIME_LIMIT_S + 15,
)
def import_bank(job_id: int) -> str:
    """Imports one queued question-bank file (quizzes.imports.run)."""
    return imports.run(job_id)
