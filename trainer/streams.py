"""The live side of a job in Redis: one stream of events per attempt, a cancel flag, a heartbeat.

    job:<id>:<attempt>   stream of events: status, progress (a batch of points), restart, end
    job:<id>:cancel      set by the learner's cancel; the training loop sees it at its next emit
    job:<id>:alive       held by the one live run of a job, refreshed at every emit (a lost worker lets it lapse)
    jobs:heartbeats      sorted set job id -> last heartbeat time, for the sweeper that ends lost jobs

An event's SSE id is "<attempt>-<stream entry id>", so a reconnecting browser resumes in the right stream.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from typing import Any

from django.conf import settings

from core import redis as redis_

from .labs.errors import Cancelled

ALIVE_TTL = 20  # seconds a live run's claim lasts without a heartbeat
LOST_AFTER = 45  # seconds without a heartbeat after which the sweeper ends a running job
ENDED_TTL = 3600  # an ended job's stream lingers this long; after that it replays from the database
HEARTBEATS = "jobs:heartbeats"
EVENT_ID = re.compile(r"^(?P<attempt>\d{1,6})-(?P<entry>\d{1,20}-\d{1,20})$")


def stream_key(job_id: int, attempt: int) -> str:
    return f"job:{job_id}:{attempt}"


def cancel_key(job_id: int) -> str:
    return f"job:{job_id}:cancel"


def alive_key(job_id: int) -> str:
    return f"job:{job_id}:alive"


def parse_event_id(value: str | None) -> tuple[int, str] | None:
    """(attempt, stream entry id) from a Last-Event-ID header, or None when absent or malformed."""
    match = EVENT_ID.match(value or "")
    return (int(match["attempt"]), match["entry"]) if match else None


def request_cancel(job_id: int) -> None:
    redis_.client().set(cancel_key(job_id), "1", ex=3600)


class Claim:
    """The right to run a job: at most one worker holds it, for as long as it keeps beating."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.token = (
            f"{os.getpid()}-{uuid.uuid4().hex}"  # which process runs the job, for operators and tests
        )

    def acquire(self) -> bool:
        return bool(redis_.patient_client().set(alive_key(self.job_id), self.token, nx=True, ex=ALIVE_TTL))

    def release(self) -> None:
        client = redis_.patient_client()
        if client.get(alive_key(self.job_id)) == self.token:
            client.delete(alive_key(self.job_id))
        client.zrem(HEARTBEATS, self.job_id)


class Writer:
    """Appends a job attempt's events to its stream. The training loop's emits come here: each is one
    pipelined round trip that adds the batch, refreshes the heartbeat and reads the cancel flag."""

    def __init__(self, job_id: int, attempt: int, claim: Claim | None = None) -> None:
        self.job_id, self.attempt = job_id, attempt
        self.token = claim.token if claim else None
        self.key = stream_key(job_id, attempt)
        self.points: list[dict[str, Any]] = []  # the whole history, written to the database at the end
        self.frame: dict[str, Any] = {}

    def event(self, kind: str, data: dict[str, Any], key: str | None = None) -> None:
        redis_.patient_client().xadd(
            key or self.key,
            {"event": kind, "data": json.dumps(data, allow_nan=False)},
            maxlen=settings.JOB_STREAM_MAXLEN,
            approximate=True,
        )

    def emit(self, batch: dict[str, Any]) -> None:
        """The Reporter's sink: raises Cancelled when the learner has asked to stop."""
        self.points.extend(batch["points"])
        if "frame" in batch:
            self.frame = batch["frame"]
        pipe = redis_.patient_client().pipeline(transaction=False)
        pipe.xadd(
            self.key,
            {"event": "progress", "data": json.dumps(batch, allow_nan=False)},
            maxlen=settings.JOB_STREAM_MAXLEN,
            approximate=True,
        )
        pipe.set(alive_key(self.job_id), self.token or "", ex=ALIVE_TTL, xx=True)
        pipe.zadd(HEARTBEATS, {str(self.job_id): time.time()})
        pipe.get(cancel_key(self.job_id))
        *_rest, cancelled = pipe.execute()
        if cancelled:
            raise Cancelled()

    def end(self, data: dict[str, Any]) -> None:
        """The final event; the stream then expires (the database holds the history from now on)."""
        self.event("end", data)
        client = redis_.patient_client()
        client.expire(self.key, ENDED_TTL)
        client.delete(cancel_key(self.job_id))


def end_stream(job_id: int, attempt: int, data: dict[str, Any]) -> None:
    """Ends a job's stream from outside its run (cancelled while queued, or found lost by the sweeper)."""
    Writer(job_id, max(attempt, 1)).end(data)
