"""Thin tasks: send one score; send again whatever the LMS has not yet taken. A score is never dropped: a task
that gives up leaves its row pending, and the beat's sweep queues it again. Read a course's roster (after a
teacher's launch), and the rosters not read for LTI_ROSTER_SYNC_EVERY_S (the beat)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings

MAX_QUICK_RETRIES = 6  # then the sweep (every LTI_RESEND_EVERY_S) takes over


@shared_task(bind=True, max_retries=MAX_QUICK_RETRIES, ignore_result=True)
def send_score(self, score_id: int) -> None:
    from .models import Score
    from .services import score_send

    score = Score.objects.select_related("placement__course__context").filter(pk=score_id).first()
    if score is None or score.status == Score.Status.SENT:
        return
    if not score_send(score) and self.request.retries < MAX_QUICK_RETRIES:
        delay = min(settings.LTI_SCORE_RETRY_S * 2**self.request.retries, 3600)
        raise self.retry(countdown=delay)


@shared_task(ignore_result=True)
def resend_waiting_scores() -> int:
    from .services import scores_waiting

    waiting = scores_waiting(timedelta(seconds=settings.LTI_RESEND_EVERY_S), MAX_QUICK_RETRIES)
    for score_id in waiting:
        send_score.delay(score_id)
    return len(waiting)


@shared_task(ignore_result=True)
def sync_roster(course_id: int) -> None:
    from .services import roster_sync_if_due

    roster_sync_if_due(course_id)


@shared_task(ignore_result=True)
def sync_stale_rosters() -> int:
    from .services import rosters_due

    due = rosters_due()
    for course_id in due:
        sync_roster.delay(course_id)
    return len(due)
