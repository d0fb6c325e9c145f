"""Runs a job inside a Celery worker process: take its lease, start an attempt (continuing from the last
checkpoint where the lab can), train, stream, record the end.

Who may write what (issue 23, "a job is owned by exactly one run"):

- A run holds the job's lease (trainer/streams.py) from before its attempt starts until it has ended. The
  attempt number is the fencing token: every write to the job's row is an UPDATE … WHERE attempt = mine AND
  status = running, and every event is appended only while the lease is this run's. A run that finds either
  gone stops at once, writing nothing more (LostLease).
- The end is written once: the row first (retried while the database cannot write, the result held), then the
  `end` event, after which nothing is ever appended to the job's streams.
- A later attempt of a lab that checkpoints (gpt, cnn) continues from the checkpoint. Its stream begins with
  one `progress` batch holding every point shown so far (for a viewer who opens the page now); the `restart`
  event it leaves in the previous attempt's stream tells that stream's viewers to go on after that batch. Steps
  between the checkpoint and the last one already shown are trained again but not sent again, so the stream
  goes on with no gap and no repeat, and the history stored at the end is exactly what the viewers were shown.
  Other labs start again from step 0, and their viewers start again with them.
"""

from __future__ import annotations

import io
import logging
import os
import time
import traceback
from typing import Any

import torch
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import override

from core import workers

from . import budget
from .catalog import LABS
from .labs.base import Reporter, resolve_device
from .labs.errors import Cancelled, Diverged, LabError
from .messages import Message
from .models import Job, JobWeights
from .streams import (
    CHECKPOINT_TTL,
    Lease,
    LostLease,
    WorkerStopping,
    Writer,
    checkpoint_key,
    raw_client,
    shown_points,
    stream_key,
)

log = logging.getLogger(__name__)

CHECKPOINTING = ("gpt", "cnn")  # labs whose training continues from a checkpoint on another worker


class NotStarted(Exception):
    """The attempt could not start yet (the database could not record it, or another delivery holds the lease of
    a job still queued): the task tries again in a moment."""


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


def owned(job: Job):
    """The job's row while this attempt holds it: every write of a run goes through this filter."""
    return Job.objects.filter(pk=job.pk, attempt=job.attempt, status=Job.Status.RUNNING)


def run(job_id: int, time_limit: float | None = None, hostname: str = "") -> str:
    """Trains one job to its end. Returns the final status, or "claimed" / "skipped" for a delivery that
    finds the job held by another run or already ended, "lost" for a run that lost its lease, "handed back"
    when its worker is stopping. `time_limit` is the soft limit the task runs under."""
    lease = Lease(job_id)
    if not lease.acquire():
        if Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).exists():
            # Held, yet never started: its holder may have died between taking the lease and marking the job
            # running, and then no message would be left for the job. Asked again once the lease has lapsed.
            raise NotStarted(job_id)
        log.info("job %s is held by another run: this delivery does nothing", job_id)
        return "claimed"
    lease.keep()
    try:
        checkpoint = load_checkpoint(job_id)
        try:
            job, previous = start_attempt(job_id, resumed=checkpoint is not None)
        except DatabaseError as error:
            raise NotStarted(job_id) from error
        if job is None:
            return "skipped"
        writer = Writer(job.pk, job.attempt, lease, hostname)
        with override(job.language):  # the learner's language, for the messages they will read
            continue_from(job, writer, previous, checkpoint)
            return _train(job, writer, checkpoint, time_limit)
    except LostLease:
        log.warning("job %s: this run lost its lease to another; it stopped and wrote nothing more", job_id)
        return "lost"
    finally:
        lease.release()


def load_checkpoint(job_id: int) -> dict | None:
    data = raw_client().get(checkpoint_key(job_id))
    if data is None:
        return None
    try:
        return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception:  # from an older release, or cut short: start from the beginning
        log.warning(
            "job %s: its checkpoint cannot be read; it starts again from step 0", job_id, exc_info=True
        )
        return None


def start_attempt(job_id: int, *, resumed: bool) -> tuple[Job | None, int]:
    """Marks the job running under a new attempt (the caller holds its lease). Returns the job, or None if it
    has already ended, and the previous attempt's number."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None:  # deleted meanwhile (its learner's account, or a test's database emptied)
            return None, 0
        if job.finished:
            return None, job.attempt
        previous = job.attempt
        job.attempt += 1
        job.status = Job.Status.RUNNING
        if not (resumed and job.started_at):  # a run that continues keeps its start, and its duration
            job.started_at = timezone.now()
            job.progress = 0
        job.save(update_fields=["attempt", "status", "started_at", "progress"])
    return job, previous


def continue_from(job: Job, writer: Writer, previous: int, checkpoint: dict | None) -> None:
    """Takes over from the previous attempt, if there was one: the history its viewers were shown, and a
    `restart` event in its stream that sends them on to this attempt's."""
    if not previous:
        return
    after, step = "0", None
    if checkpoint is not None:
        shown, frame = shown_points(job.pk, previous)
        history = list(checkpoint["points"])
        last = history[-1]["step"] if history else -1
        history += [point for point in shown if point["step"] > last]
        writer.points, writer.frame = history, frame or checkpoint["frame"] or {}
        writer.shown_until = history[-1]["step"] if history else -1
        step = checkpoint["state"]["step"]
        batch: dict[str, Any] = {"points": history, "step": writer.shown_until}
        if writer.frame:
            batch["frame"] = writer.frame
        after = writer.event("progress", batch)
    message = Message(
        "resumed" if step is not None else "restarted", {"step": step} if step is not None else {}
    )
    writer.event(
        "restart",
        {"attempt": job.attempt, "after": after, "resumed_from": step, "message": str(message)},
        key=stream_key(job.pk, previous),
    )


def save_checkpoint(job: Job, writer: Writer, step: int, state: dict) -> None:
    """The Reporter's checkpoint sink: the lab's state and the points shown so far, kept in Redis while this
    run holds the lease (a run that has lost it cannot overwrite its successor's)."""
    buffer = io.BytesIO()
    torch.save({"state": state, "points": writer.points, "frame": writer.frame}, buffer)
    if buffer.tell() > settings.JOB_CHECKPOINT_MAX_BYTES:
        log.info("job %s: a checkpoint of %d bytes is over the limit; not saved", job.pk, buffer.tell())
        return
    writer.lease.store(checkpoint_key(job.pk), buffer.getvalue(), CHECKPOINT_TTL)


def hand_back(job: Job, writer: Writer) -> str:
    """The worker is stopping (SIGTERM): the job goes back to the queue at once, its checkpoint kept, and
    another worker continues it."""
    from .services import job_enqueue  # the services queue jobs; the runner only hands one back

    if not owned(job).update(status=Job.Status.QUEUED):
        raise LostLease(job.pk)
    writer.event(
        "status", {"status": "queued", "attempt": job.attempt, "message": str(Message("handed_back"))}
    )
    writer.lease.release()
    job_enqueue(job=job)
    log.info("job %s handed back to the queue: its worker is stopping", job.pk)
    return "handed back"


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
    """Records the end, once: the row (only while this attempt holds it), then the `end` event."""
    job.status = status
    job.finished_at = timezone.now()
    job.metrics = metrics or {}
    job.history = writer.points
    job.visuals = visuals if visuals is not None else writer.frame
    job.set_error(error)
    if status == Job.Status.SUCCEEDED:
        job.progress = 1.0  # a diverged or stopped run ended early
    fields = ("status", "finished_at", "metrics", "history", "visuals", "error", "error_code", "error_params",
              "progress")  # fmt: skip
    values = {name: getattr(job, name) for name in fields}

    def write() -> int:
        with transaction.atomic():
            updated = Job.objects.filter(pk=job.pk, attempt=job.attempt, status=Job.Status.RUNNING).update(
                **values
            )
            if updated and weights is not None:
                JobWeights.objects.update_or_create(job=job, defaults={"data": weights})
        return updated

    if not until_written(job, writer, write):
        raise LostLease(job.pk)
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


def until_written(job: Job, writer: Writer, write) -> int:
    """Runs `write` until the database takes it, for up to JOB_END_RETRY_S seconds: a run that has ended while
    the database cannot write (locked, full, restarting) keeps its result and records it when writes return.
    The lease is renewed meanwhile, so no other run takes the job over."""
    deadline = time.monotonic() + settings.JOB_END_RETRY_S
    pause = 0.5
    while True:
        try:
            return write()
        except SoftTimeLimitExceeded:  # the end is being recorded: it goes on until the hard limit
            continue
        except DatabaseError as error:
            if time.monotonic() > deadline or writer.lease is None or writer.lease.lost:
                raise
            log.warning(
                "job %s: its end cannot be recorded yet (%s); trying again in %.1f s", job.pk, error, pause
            )
            time.sleep(pause)
            close_old_connections()
            pause = min(pause * 2, 5.0)


def _train(job: Job, writer: Writer, checkpoint: dict | None, time_limit: float | None = None) -> str:
    lab = LABS[job.lab]
    torch.set_num_threads(torch_threads())
    reporter = None
    try:
        params = dict(job.params)
        code = params.pop("learner_code", None)  # a run of the learner's own function (exercises/)
        config = lab.config(**params)
        device = resolve_device(config.device)
        job.device = describe(device)
        if not owned(job).update(device=job.device):
            raise LostLease(job.pk)
        step = checkpoint["state"]["step"] if checkpoint else None
        status: dict[str, Any] = {"status": "running", "attempt": job.attempt, "device": job.device}
        if job.attempt > 1:
            status |= {"resumed_from": step,
                       "message": str(Message("resumed" if step is not None else "restarted", {"step": step}))}  # fmt: skip
        writer.event("status", status)
        reporter = Reporter(getattr(config, lab.steps_field), writer.emit)
        if lab.slug in CHECKPOINTING:
            reporter.saved = checkpoint["state"] if checkpoint else None
            reporter.save = lambda step, state: save_checkpoint(job, writer, step, state)
            reporter.checkpoint_every = settings.JOB_CHECKPOINT_EVERY_S
        if code:
            # Their function runs only inside the sandbox, on the `sandbox` queue's worker (settings name the
            # trainers, one per exercise: the exercises app's, imported here on a worker only).
            trainer = import_string(settings.LEARNER_CODE_TRAINERS)[code["exercise"]]
            outcome = trainer(config, reporter, device, code)
        else:
            outcome = lab.train(config, reporter, device)
    except (LostLease, WorkerStopping) as stop:
        if isinstance(stop, LostLease):
            raise
        return hand_back(job, writer)
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
        stopped(job, writer, reporter, int(limit))
    except LabError as problem:
        said = getattr(problem, "said", None) or Message("lab", {"text": str(problem)})
        finish(job, writer, Job.Status.FAILED, error=said)
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
        if job.attempt == 1:  # a run that continued another's did not time all its steps
            exercise = code["exercise"] if code else None  # a sandbox's steps cost more than the lab's own
            budget.learn(lab, config, job.seconds or 0, reporter.last_step + 1, workers.PACE.now(), exercise)
    return job.status


def stopped(job: Job, writer: Writer, reporter: Reporter | None, limit_s: int) -> None:
    """A run that reached its time limit keeps what it learned: the points, the last frame (a GPT's samples),
    the last value of each series as its metrics, and the model's weights as they are now."""
    metrics: dict[str, Any] = {}
    for point in writer.points:
        metrics |= {name: value for name, value in point.items() if name != "step" and value is not None}
    if writer.points:
        metrics["stopped_at_step"] = writer.points[-1]["step"]
    weights = None
    if reporter is not None and reporter.offered is not None:
        weights = _state_dict_bytes(reporter.offered[1]()["model"])
    finish(job, writer, Job.Status.STOPPED, metrics=metrics, error=Message("stopped_at_limit", {"s": limit_s}),
           weights=weights)  # fmt: skip


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


def _state_dict_bytes(model: torch.nn.Module | dict | None) -> bytes | None:
    if model is None:
        return None
    state = model if isinstance(model, dict) else model.state_dict()
    buffer = io.BytesIO()
    torch.save({k: v.detach().cpu() for k, v in state.items()}, buffer)
    return buffer.getvalue()
