"""Runs a job inside a Celery worker process: claim it, start an attempt, train, stream, record the end."""

from __future__ import annotations

import io
import logging
import os
import traceback

import torch
from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.utils import timezone
from django.utils.translation import override

from . import budget
from .catalog import LABS
from .labs.base import Reporter, resolve_device
from .labs.errors import Cancelled, Diverged, LabError
from .messages import Message
from .models import Job, JobWeights
from .streams import Claim, Writer, stream_key

log = logging.getLogger(__name__)


class Busy(Exception):
    """Another live run holds this job (a duplicate delivery); try again once its claim lapses."""


def torch_threads() -> int:
    """Threads per training process: the cores shared among the worker's processes (oversubscribing
    cores slows PyTorch down many times over)."""
    if os.environ.get("TORCH_THREADS"):
        return int(os.environ["TORCH_THREADS"])
    return max(1, (os.cpu_count() or 1) // int(os.environ.get("WORKER_CONCURRENCY", "1")))


def describe(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return "cpu"


def start_attempt(job_id: int, claim: Claim) -> Job | None:
    """Marks the job running under a new attempt, or returns None if it has already ended."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.finished:
            return None
        previous = job.attempt
        job.attempt += 1
        job.status = Job.Status.RUNNING
        job.started_at = timezone.now()
        job.progress = 0
        job.save(update_fields=["attempt", "status", "started_at", "progress"])
    writer = Writer(job.pk, job.attempt, claim)
    if previous:
        # A viewer still reading the lost attempt's stream is told to follow the new one.
        writer.event("restart", {"attempt": job.attempt}, key=stream_key(job.pk, previous))
    return job


def finish(
    job: Job,
    writer: Writer,
    status: str,
    *,
    metrics: dict | None = None,
    visuals: dict | None = None,
    error: Message | str = "",
    weights: bytes | None = None,
) -> None:
    job.status = status
    job.finished_at = timezone.now()
    job.metrics = metrics or {}
    job.history = writer.points
    job.visuals = visuals if visuals is not None else writer.frame
    job.set_error(error)
    job.progress = 1.0 if status == Job.Status.SUCCEEDED else job.progress  # a diverged run stopped early
    with transaction.atomic():
        job.save()
        if weights is not None:
            JobWeights.objects.update_or_create(job=job, defaults={"data": weights})
    writer.end(
        {
            "status": status,
            "metrics": job.metrics,
            "visuals": job.visuals,
            "error": job.error_message,  # a live viewer's words; the API and a replay give the reader's own
            "device": job.device,
            "seconds": job.seconds,
        }
    )


def run(job_id: int, time_limit: float | None = None) -> str:
    """Trains one job to its end. Returns the final status (or "skipped" for a job already ended).
    `time_limit` is the soft limit the task runs under, named in the message if the run exceeds it."""
    claim = Claim(job_id)
    if not claim.acquire():
        raise Busy(job_id)
    try:
        job = start_attempt(job_id, claim)
        if job is None:
            return "skipped"
        return _train(job, Writer(job.pk, job.attempt, claim), time_limit)
    finally:
        claim.release()


def _train(job: Job, writer: Writer, time_limit: float | None = None) -> str:
    lab = LABS[job.lab]
    torch.set_num_threads(torch_threads())
    with override(job.language):  # the learner's language, for the messages they will read
        try:
            config = lab.config(**job.params)
            device = resolve_device(config.device)
            job.device = describe(device)
            job.save(update_fields=["device"])
            writer.event("status", {"status": "running", "attempt": job.attempt, "device": job.device})
            reporter = Reporter(getattr(config, lab.steps_field), writer.emit)
            outcome = lab.train(config, reporter, device)
        except Cancelled:
            finish(job, writer, Job.Status.CANCELLED, error=Message("cancelled"))
        except Diverged as diverged:
            finish(
                job,
                writer,
                Job.Status.DIVERGED,
                metrics=diverged_metrics(diverged),
                error=diverged_message(diverged),
            )
        except SoftTimeLimitExceeded:
            limit = time_limit or lab.time_limit_s
            finish(job, writer, Job.Status.FAILED, error=Message("time_limit", {"s": int(limit)}))
        except LabError as problem:
            finish(job, writer, Job.Status.FAILED, error=Message("lab", {"text": str(problem)}))
        except Exception as problem:  # a bug: the learner sees what happened, we log it
            log.exception("job %s failed", job.pk)
            reason = "".join(traceback.format_exception_only(problem)).strip()
            finish(
                job,
                writer,
                Job.Status.FAILED,
                error=Message("training_failed", {"reason": reason[:500]}),
            )
        else:
            finish(
                job,
                writer,
                Job.Status.SUCCEEDED,
                metrics=outcome.metrics,
                visuals=outcome.visuals,
                weights=_state_dict_bytes(outcome.model),
            )
            budget.learn(lab, config, job.seconds or 0, reporter.last_step + 1)
    return job.status


def diverged_metrics(diverged: Diverged) -> dict:
    return {
        "diverged_at_step": diverged.step,
        "last_finite_loss": diverged.last_loss,
        "last_finite_step": diverged.last_step,
    }


def diverged_message(diverged: Diverged) -> Message:
    """In plain words when read, in the reader's language (trainer/messages.py)."""
    if diverged.last_loss is None:
        return Message("diverged_at_once", {"step": diverged.step, "series": diverged.series})
    return Message(
        "diverged",
        {"step": diverged.step, "loss": f"{diverged.last_loss:.4g}", "last": diverged.last_step},
    )


def _state_dict_bytes(model: torch.nn.Module | None) -> bytes | None:
    if model is None:
        return None
    buffer = io.BytesIO()
    torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, buffer)
    return buffer.getvalue()
