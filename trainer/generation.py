"""Talk to your model: a trained GPT run continues a learner's prompt, streamed character by character.

The web process only checks the request and queues a short task on the job's queue; a worker loads the
run's weights and writes, appending the text to a Redis stream as it goes. The browser reads that stream as
Server-Sent Events through the same hub as a run's progress (trainer/events.py).

    job:<id>:generation:<hex>   stream of events: queued, started, text (a few characters at a time), end
    generating:<user id>        the learner's latest generation, while it is queued or writing
    generation:<hex>:stop       set when a newer one of the learner's has taken its place

Limits: one generation at a time per learner — a new one stops the one before (a tab closed while its model
wrote must not lock the learner out) —, GENERATE_RATE per hour, at most MAX_LENGTH characters and TIME_LIMIT
seconds of writing (the model's loading not counted); a stream lingers STREAM_TTL seconds, then it is gone
(nothing is stored).
"""

from __future__ import annotations

import io
import json
import logging
import time
import uuid
from typing import Any

from celery import current_app
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _
from django.utils.translation import override

from core import redis_clients
from core.errors import Conflict, UserError
from core.workers import live_workers

from .catalog.gpt import LAB as GPT
from .models import Job, JobWeights

log = logging.getLogger(__name__)

MAX_PROMPT = 200  # characters
MAX_LENGTH = 500  # characters written
TIME_LIMIT = 30  # seconds of writing; what is written by then is kept
STREAM_TTL = 600
GENERATE_RATE = "60/hour"
SEND_EVERY = 0.05  # seconds: characters go out in small batches, not one Redis round trip each
GENERATION_ID = r"[0-9a-f]{32}"


def generation_key(job_id: int, generation_id: str) -> str:
    return f"job:{job_id}:generation:{generation_id}"


def busy_key(user_id: int) -> str:
    return f"generating:{user_id}"


def stop_key(generation_id: str) -> str:
    return f"generation:{generation_id}:stop"


def events_url(job_id: int, generation_id: str) -> str:
    return f"/api/jobs/{job_id}/generations/{generation_id}/events"


def _add(key: str, kind: str, data: dict[str, Any]) -> None:
    client = redis_clients.patient_client()
    client.xadd(key, {"event": kind, "data": json.dumps(data, allow_nan=False)})
    client.expire(key, STREAM_TTL)


def generation_start(
    *,
    job: Job,
    owner: AbstractBaseUser,
    prompt: str,
    temperature: float,
    top_k: int,
    length: int,
    seed: int,
) -> str:
    """Queues a continuation of `prompt` by the model `job` trained; returns the generation's id.

    Refused (nothing queued) for a run that is not a GPT lab's or one without trained weights. The learner's
    previous generation, if it is still queued or writing, is told to stop."""
    if job.lab != GPT.slug:
        raise UserError(_("Only a run of the GPT lab can write text."), code="not_a_language_model")
    if job.status not in Job.TRAINED or not JobWeights.objects.filter(job=job).exists():
        raise Conflict(_("This run has no trained model to write with (it did not succeed)."))
    generation_id = uuid.uuid4().hex
    client = redis_clients.client()
    previous = client.get(busy_key(owner.pk))
    if previous:
        client.set(stop_key(previous), 1, ex=STREAM_TTL)
    client.set(busy_key(owner.pk), generation_id, ex=STREAM_TTL)
    key = generation_key(job.pk, generation_id)
    params = {"prompt": prompt, "temperature": temperature, "top_k": top_k, "length": length, "seed": seed}
    _add(key, "queued", params)
    queue = writing_queue(job)
    try:
        # By name: the tasks call this module, never the other way round.
        current_app.send_task(
            "trainer.tasks.generate_text",
            args=[job.pk, generation_id, params, owner.pk],
            kwargs={"language": job.language},
            queue=queue,
            soft_time_limit=TIME_LIMIT + 60,  # loading the model is not counted in TIME_LIMIT
            time_limit=TIME_LIMIT + 90,
            expires=STREAM_TTL,
        )
    except Exception:
        client.delete(busy_key(owner.pk), key)
        raise
    return generation_id


def writing_queue(job: Job) -> str:
    """A run trained on a GPU writes on one if a GPU worker is there; else the writer's own worker writes
    (`talk`: never behind a training run), or, without one, any CPU worker, after the runs ahead of it."""
    alive = live_workers()
    if job.queue == "gpu" and alive["gpu"]:
        return "gpu"
    return "talk" if alive.get("talk") else "cpu"


def generation_run(
    job_id: int, generation_id: str, params: dict[str, Any], user_id: int, language: str | None = None
) -> str:
    """Writes in a worker: loads the run's weights, streams the text, ends the stream. Returns its status."""
    key = generation_key(job_id, generation_id)
    started = time.monotonic()
    with override(language or settings.LANGUAGE_CODE):
        try:
            status, error, text = _write(job_id, generation_id, params)
        except Exception as problem:  # a bug or a broken weight file: the learner is told, we log it
            log.exception("generation %s of job %s failed", generation_id, job_id)
            status, error, text = (
                "failed",
                _("Writing failed: %(reason)s") % {"reason": str(problem)[:300]},
                "",
            )
        finally:
            client = redis_clients.patient_client()
            if client.get(busy_key(user_id)) == generation_id:
                client.delete(busy_key(user_id))
        seconds = round(time.monotonic() - started, 2)
        _add(key, "end", {"status": status, "error": error, "text": text, "seconds": seconds})
    return status


def _write(job_id: int, generation_id: str, params: dict[str, Any]) -> tuple[str, str, str]:
    """(status, message for the learner, the text written after the prompt). Only a worker gets here: PyTorch
    and the model's code are imported now, never by a web process (which imports this module to queue)."""
    import torch

    from .labs import gpt
    from .runner import describe, torch_threads

    key, client = generation_key(job_id, generation_id), redis_clients.patient_client()
    stopped = lambda: client.exists(stop_key(generation_id))  # noqa: E731
    replaced = _("Stopped: you asked your model for another text.")
    if stopped():
        return "stopped", replaced, ""
    job = Job.objects.select_related("weights").get(pk=job_id)
    state = torch.load(io.BytesIO(bytes(job.weights.data)), weights_only=True)
    torch.set_num_threads(torch_threads())
    device = torch.device("cuda" if job.queue == "gpu" and torch.cuda.is_available() else "cpu")
    model = gpt.build_model(gpt.Config(**job.params), state).to(device)
    characters = model.characters
    unknown = sorted(set(params["prompt"]) - set(characters))
    if unknown:
        shown = " ".join(unknown[:10])
        message = _("The model never saw these characters, so it cannot read them: %(chars)s")
        return "failed", message % {"chars": shown}, ""
    _add(key, "started", {"device": describe(device), "length": params["length"]})
    started = (
        time.monotonic()
    )  # the limit is on writing: loading a large model on a busy worker takes its time
    index = {c: i for i, c in enumerate(characters)}
    generator = torch.Generator().manual_seed(params["seed"])
    tokens = gpt.write(
        model,
        [index[c] for c in params["prompt"]],
        params["length"],
        temperature=params["temperature"],
        top_k=params["top_k"],
        generator=generator,
    )
    pending, sent_at, text, message = "", time.monotonic(), "", ""
    with torch.inference_mode():
        for token in tokens:
            pending += characters[token]
            text += characters[token]
            now = time.monotonic()
            if now - sent_at >= SEND_EVERY:
                _add(key, "text", {"text": pending})
                pending, sent_at = "", now
                if stopped():
                    message = replaced
                    break
            if now - started > TIME_LIMIT:
                break
    if pending:
        _add(key, "text", {"text": pending})
    if message:
        return "stopped", message, text
    if len(text) < params["length"]:
        message = _("Stopped after %(s)d seconds: this is what the model wrote by then.")
        return "stopped", message % {"s": TIME_LIMIT}, text
    return "succeeded", "", text
