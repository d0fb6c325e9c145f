"""Question-bank imports as background jobs: the admin queues a file (`queue`), a worker imports it (`run`)
within QUIZ_IMPORT_TIME_LIMIT_S, and the admin's page reads its progress (`current`).

A file renders in time linear in its size, but a large one still takes seconds: in the request it held a web
worker and, before, the database's write lock. Here the worker renders every text first, outside any
transaction, then writes the rows in one short transaction (bank.import_in_steps): all of it or nothing. A
file that runs past its limit, or breaks a rule, ends the job with the reason in the admin's language.
"""

from __future__ import annotations

import time
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lessons.content import Report

from . import bank
from .models import ImportJob, ImportStatus, Quiz

# Progress is written at most this often (seconds): each write is a row update of its own.
PROGRESS_EVERY_S = 0.5


def queue(
    quiz: Quiz, text: str, language: str, user: AbstractBaseUser | None, *, delete_missing: bool = False
) -> ImportJob:
    """Stores the file as a job and has a worker import it once the job's row is committed."""
    from .tasks import import_bank

    job = ImportJob.objects.create(
        quiz=quiz,
        user=user,
        language=language,
        interface_language=translation.get_language() or settings.LANGUAGE_CODE,
        delete_missing=delete_missing,
        source=text,
    )
    transaction.on_commit(lambda: import_bank.delay(job.pk))
    return job


def run(job_id: int, time_limit: float | None = None) -> str:
    """Imports a queued job's file; a delivery that finds the job taken or ended does nothing."""
    limit = time_limit or settings.QUIZ_IMPORT_TIME_LIMIT_S
    if not ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    ):
        return "not queued"
    job = ImportJob.objects.select_related("quiz").get(pk=job_id)
    written = [0.0]

    def progress(done: int, total: int) -> None:
        if done == total or time.monotonic() - written[0] >= PROGRESS_EVERY_S:
            ImportJob.objects.filter(pk=job_id).update(done=done, total=total)
            written[0] = time.monotonic()

    with translation.override(job.interface_language):
        try:
            report = bank.import_in_steps(
                job.quiz,
                job.source,
                job.language,
                delete_missing=job.delete_missing,
                progress=progress,
                deadline=time.monotonic() + limit,
            )
        except bank.BankError as error:
            return _end(job_id, ImportStatus.FAILED, error.message)
        except SoftTimeLimitExceeded:
            return _end(job_id, ImportStatus.FAILED, _too_long(limit))
        return _end(job_id, ImportStatus.SUCCEEDED, summary(report), report.warnings)


def _too_long(limit: float) -> str:
    return _(
        "The import took longer than %(seconds)d seconds and was stopped; nothing was imported. "
        "Split the file into smaller ones."
    ) % {"seconds": limit}


def _end(job_id: int, status: str, message: str, warnings: list[str] | None = None) -> str:
    ImportJob.objects.filter(pk=job_id).update(
        status=status, message=message, warnings=warnings or [], source="", finished_at=timezone.now()
    )
    return status


def current(job: ImportJob) -> ImportJob:
    """The job as it stands; one whose worker was lost (running well past its time limit) is ended as failed."""
    limit = settings.QUIZ_IMPORT_TIME_LIMIT_S
    lost = timezone.now() - timedelta(seconds=limit + 60)
    if job.status == ImportStatus.RUNNING and job.started_at and job.started_at < lost:
        _end(job.pk, ImportStatus.FAILED, _("The worker importing the file was lost; nothing was imported."))
        job.refresh_from_db()
    return job


def summary(report: Report) -> str:
    """The report in the admin's language (the report's own summary is the command line's English)."""
    counts = {
        "created": len(report.created),
        "updated": len(report.updated),
        "unchanged": report.unchanged,
    }
    text = _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged") % counts
    if report.retired:
        text += _(
            "; %(retired)d retired: no longer asked, kept with their %(responses)d learners' answers "
            "(deleting them would remove those answers)"
        ) % {"retired": len(report.retired), "responses": report.responses_kept}
    if report.deleted:
        text += _("; %(deleted)d deleted, with %(responses)d learners' answers") % {
            "deleted": len(report.deleted),
            "responses": report.responses_removed,
        }
    return text
