"""Changes to jobs: submit, cancel, and queuing again the runs whose worker was lost."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from typing import Any

from celery import current_app
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from core import redis_clients
from core.errors import Conflict, TooMany, UserError
from core.fields import is_json_number
from core.workers import gpu_worker_alive

from . import budget
from .catalog import LABS
from .catalog.lab import Lab
from .forms import LabForm, defaults
from .messages import Message
from .models import Job
from .streams import RELEASE, Writer, end_stream, lease_key, request_cancel, stream_key

log = logging.getLogger(__name__)


def invalid_parameters(errors: dict[str, list[str]]) -> UserError:
    """The hyperparameters a learner sent, with a message per field (the form's errors)."""
    return UserError(
        _("Some hyperparameters are not valid."), code="invalid_params", extra={"params": errors}
    )


def lab_config(*, lab_slug: str, params: dict[str, Any]) -> tuple[Lab, Any]:
    """The lab and its config for these hyperparameters (the declared defaults for those left out).
    Raises UserError for an unknown lab, or one that names each field that is wrong (`params`)."""
    lab = LABS.get(lab_slug)
    if lab is None:
        raise UserError(_("There is no lab called “%(lab)s”.") % {"lab": lab_slug}, field="lab")
    if not isinstance(params, dict):
        raise UserError(_("The hyperparameters must be an object of name: value pairs."), field="params")
    form = LabForm(lab, _with_defaults(lab, params))
    unknown = sorted(set(params) - set(form.fields))
    if unknown:
        raise invalid_parameters(
            {
                name: [_("This lab has no hyperparameter called “%(name)s”.") % {"name": name}]
                for name in unknown[:20]  # 100,000 unknown names need not come back
            }
        )
    # A number arrives as a JSON number: the form alone would read True as 1 and "١٢" or "²" as digits.
    not_numbers = [name for name, value in params.items() if value != "" and not is_json_number(value)
                   and isinstance(form.fields[name], forms.IntegerField | forms.FloatField)]  # fmt: skip
    if not_numbers:
        raise invalid_parameters({name: [_("Enter a number.")] for name in not_numbers})
    if not form.is_valid():
        raise invalid_parameters({name: list(errors) for name, errors in form.errors.items()})
    return lab, lab.config(**form.cleaned_data)


def job_submit(
    *,
    owner: AbstractBaseUser,
    lab_slug: str,
    params: dict[str, Any],
    learner_code: dict[str, Any] | None = None,
) -> Job:
    """Validates a learner's hyperparameters, records the job and queues it once the row is committed.

    `learner_code` (from exercises.services.train_with_code): the run takes its steps with the learner's own
    function, so it goes to the `code-runs` queue, whose worker runs that function inside bubblewrap only.

    Raises UserError (nothing is queued or written) for an unknown lab, invalid values, a run estimated to
    take longer than the lab's time limit, a learner who already has the maximum number of jobs in flight,
    or a GPU that no live worker has.
    """
    lab, config = lab_config(lab_slug=lab_slug, params=params)
    queue = "gpu" if config.device == "cuda" else "cpu"
    if learner_code is not None:
        queue = "code-runs"
    # The estimate is from CPU timings: a GPU run is faster, and its limit is the same.
    exercise = learner_code["exercise"] if learner_code else None
    too_long = budget.refusal(lab, config, exercise) if queue != "gpu" else None
    if too_long:
        raise invalid_parameters({lab.steps_field: [too_long]})
    if queue == "gpu" and not gpu_worker_alive():
        raise UserError(
            _("No GPU worker is running right now. Choose “Automatic” or “CPU” as the device."),
            field="device",
        )
    with transaction.atomic():
        # Lock the learner's row so two quick submissions cannot both pass the limit.
        get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
        if Job.objects.filter(owner=owner).active().count() >= settings.JOBS_PER_LEARNER:
            raise TooMany(
                _(
                    "You already have %(n)d training runs queued or running. Wait for one to finish or cancel one."
                )
                % {"n": settings.JOBS_PER_LEARNER}
            )
        job = Job.objects.create(
            owner=owner,
            lab=lab.slug,
            params=dataclasses.asdict(config) | ({"learner_code": learner_code} if learner_code else {}),
            queue=queue,
            language=get_language() or settings.LANGUAGE_CODE,
        )
        transaction.on_commit(lambda: job_enqueue(job=job))
    return job


def _with_defaults(lab: Lab, params: dict[str, Any]) -> dict[str, Any]:
    """Form data: the declared defaults, overridden by what the learner sent."""
    return {**defaults(lab), **params}


def job_enqueue(*, job: Job) -> None:
    """Sends a queued job's message to the workers of its queue (on submission, and again for a job whose run
    was lost or handed back)."""
    # By name: the tasks call the services, never the other way round.
    lab = LABS[job.lab]
    current_app.send_task(
        "trainer.tasks.run_job",
        args=[job.pk],
        queue=job.queue,
        soft_time_limit=lab.time_limit_s,
        time_limit=lab.time_limit_s + 30,
    )


def job_cancel(*, job: Job) -> Job:
    """Stops a job: a queued one is cancelled at once; a running one stops at its next report (well under a
    second) and records itself as cancelled. Cancelling an ended job is refused."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.finished:
            raise Conflict(
                _("This run has already ended (%(status)s).") % {"status": job.get_status_display()}
            )
        if job.status == Job.Status.QUEUED:
            job.status = Job.Status.CANCELLED
            job.finished_at = timezone.now()
            job.set_error(Message("cancelled_before_start"))
            job.save(update_fields=["status", "finished_at", "error", "error_code", "error_params"])
            transaction.on_commit(
                lambda: end_stream(
                    job.pk,
                    job.attempt,
                    {"status": job.status, "error": job.error_message, "metrics": {}, "visuals": {}},
                )
            )
            return job
    request_cancel(job.pk)
    return job


def sweep_lost_jobs() -> list[int]:
    """Queues again the jobs that say "running" but whose lease has lapsed (their worker was killed, paused,
    or its machine lost), so that another worker continues them within seconds; a job that has lost its worker
    JOB_MAX_ATTEMPTS times ends `failed`. Returns the ids of the jobs it moved.

    The sweeper takes a lapsed lease itself while it decides, so no run can start or go on meanwhile, and its
    write is conditional on the attempt it saw: a job that another run has just taken is left alone."""
    client = redis_clients.client()
    moved = []
    for job in Job.objects.filter(status=Job.Status.RUNNING).only(
        "pk", "attempt", "lab", "queue", "language"
    ):
        token = f"sweeper-{uuid.uuid4().hex}"
        if not client.set(lease_key(job.pk), token, nx=True, px=settings.JOB_LEASE_S * 1000):
            continue  # held: its run is alive
        try:
            if _requeue_or_give_up(job):
                moved.append(job.pk)
        finally:
            client.eval(RELEASE, 1, lease_key(job.pk), token)
    return moved


def _requeue_or_give_up(job: Job) -> bool:
    running = Job.objects.filter(pk=job.pk, attempt=job.attempt, status=Job.Status.RUNNING)
    with override(job.language):
        if job.attempt >= settings.JOB_MAX_ATTEMPTS:
            message = Message("worker_lost_again", {"n": job.attempt})
            if not running.update(status=Job.Status.FAILED, finished_at=timezone.now(), error="",
                                  error_code=message.code, error_params=message.params):  # fmt: skip
                return False
            end_stream(job.pk, job.attempt, {"status": Job.Status.FAILED, "error": str(message), "metrics": {},
                                             "visuals": {}})  # fmt: skip
            log.warning("job %s lost its worker %d times: given up", job.pk, job.attempt)
            return True
        if not running.update(status=Job.Status.QUEUED):
            return False
        # Its viewers learn at once that it waits for another worker (outside any run: no lease to check).
        Writer(job.pk, job.attempt).event(
            "status",
            {"status": "queued", "attempt": job.attempt, "message": str(Message("handed_back_lost"))},
            key=stream_key(job.pk, job.attempt),
        )
    job_enqueue(job=job)
    log.warning("job %s (attempt %d) lost its worker: queued again", job.pk, job.attempt)
    return True
