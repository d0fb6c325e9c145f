"""The live side of a job in Redis: one stream of events per attempt, the lease of the run that holds the job,
its checkpoint, a cancel flag.

    job:<id>:<attempt>     stream of events: status, progress (a batch of points), restart, end
    job:<id>:lease         held by the one run of a job (its token), renewed by compare-and-set every
                           JOB_LEASE_S / 3 seconds; a run that finds it gone or another's stops at once
    job:<id>:ended         set with the `end` event: nothing is appended to any stream of the job after it
    job:<id>:checkpoint    the last saved state of a lab that can continue (gpt, cnn), deleted at the end
    job:<id>:cancel        set by the learner's cancel; the training loop sees it at its next emit
    worker-stopping:<w>    set when worker <w> is asked to stop (SIGTERM): its runs hand their jobs back

Every append is one Lua script that checks the lease and the end and adds the entry, atomically: a run that
has lost its lease (a paused machine that wakes up after another has taken over) cannot add a single event.
Entries carry explicit ids chosen before the first try, so a write retried after a Redis timeout cannot add a
point twice. An event's SSE id is "<attempt>-<stream entry id>", so a reconnecting browser resumes in the
right stream.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
import uuid
from functools import cache
from typing import Any

import redis
from django.conf import settings

from core import redis_clients

from .labs.errors import Cancelled

log = logging.getLogger(__name__)

ENDED_TTL = 3600  # an ended job's stream lingers this long; after that it replays from the database
CHECKPOINT_TTL = 24 * 3600
EVENT_ID = re.compile(r"^(?P<attempt>\d{1,6})-(?P<entry>\d{1,20}-\d{1,20})$")


def stream_key(job_id: int, attempt: int) -> str:
    return f"job:{job_id}:{attempt}"


def cancel_key(job_id: int) -> str:
    return f"job:{job_id}:cancel"


def lease_key(job_id: int) -> str:
    return f"job:{job_id}:lease"


def ended_key(job_id: int) -> str:
    return f"job:{job_id}:ended"


def checkpoint_key(job_id: int) -> str:
    return f"job:{job_id}:checkpoint"


def stopping_key(hostname: str) -> str:
    return f"worker-stopping:{hostname or '-'}"  # not under workers:, the registry's own keys


def parse_event_id(value: str | None) -> tuple[int, str] | None:
    """(attempt, stream entry id) from a Last-Event-ID header, or None when absent or malformed."""
    match = EVENT_ID.match(value or "")
    return (int(match["attempt"]), match["entry"]) if match else None


def request_cancel(job_id: int) -> None:
    redis_clients.client().set(cancel_key(job_id), "1", ex=3600)


class LostLease(Exception):
    """This run no longer holds its job (its lease lapsed and another run took the job, or the job ended):
    it stops at once, writing nothing more."""


class WorkerStopping(Exception):
    """The worker running this job was asked to stop (SIGTERM): the run hands its job back."""


# KEYS: stream, lease, ended, cancel, stopping. ARGV: token ("" for a writer outside any run), lease ms, entry
# id ("*" for Redis's own), event ("" for none), data, maxlen, "1" for the final event, the ended stream's time to
# live. Returns {written, cancel flag, stopping flag, entry id}: written is 1, 0 when the entry is already there
# (a retried write), -1 when the lease is another's, -2 after the end.
APPEND = """
if ARGV[1] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[1] then return {-1, false, 0, ''} end
if redis.call('EXISTS', KEYS[3]) == 1 then return {-2, false, 0, ''} end
if ARGV[1] ~= '' then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
local written, added = 1, ARGV[3]
if ARGV[4] ~= '' then
  added = redis.pcall('XADD', KEYS[1], 'MAXLEN', '~', ARGV[6], ARGV[3], 'event', ARGV[4], 'data', ARGV[5])
  if type(added) == 'table' and added.err then
    if string.find(added.err, 'equal or smaller', 1, true) then written, added = 0, ARGV[3] else return added end
  end
  if ARGV[7] == '1' then
    redis.call('SET', KEYS[3], ARGV[3], 'EX', 86400)
    redis.call('EXPIRE', KEYS[1], ARGV[8])
  end
end
return {written, redis.call('GET', KEYS[4]), redis.call('EXISTS', KEYS[5]), added}
"""
# KEYS: lease. ARGV: token, lease ms. 1 when renewed, 0 when the lease is not (or no longer) this token's.
RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0"
RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
# KEYS: lease, checkpoint. ARGV: token, data, seconds to keep it.
STORE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
return 1
"""


@cache
def raw_client() -> redis.Redis:
    """Bytes in and out (checkpoints), with the patient client's retries."""
    patient = redis_clients.patient_client()
    return redis.Redis.from_url(settings.REDIS_URL, retry=patient.get_retry(), health_check_interval=30)


def _lease_ms() -> int:
    return int(settings.JOB_LEASE_S * 1000)


class Lease:
    """The right to run a job: at most one run holds it. A thread renews it every JOB_LEASE_S / 3 seconds by
    compare-and-set, so that a run busy in a long step keeps it, and a machine that stops (paused, lost) lets
    it lapse; the sweeper then queues the job again (trainer.services.sweep_lost_jobs)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.key = lease_key(job_id)
        # "<pid>-<random>": which process runs the job, for operators and tests.
        self.token = f"{os.getpid()}-{uuid.uuid4().hex}"
        self.lost = False
        self._stop = threading.Event()

    def acquire(self) -> bool:
        client = redis_clients.patient_client()
        return bool(client.set(self.key, self.token, nx=True, px=_lease_ms()))

    def renew(self) -> bool:
        renewed = bool(redis_clients.patient_client().eval(RENEW, 1, self.key, self.token, _lease_ms()))
        if not renewed:
            self.lost = True
        return renewed

    def keep(self) -> None:
        """Renews the lease in the background until release() (or until it is found lost)."""

        def renew() -> None:
            while not self._stop.wait(settings.JOB_LEASE_S / 3):
                try:
                    if not self.renew():
                        log.warning(
                            "job %s: this run has lost its lease; it stops at its next step", self.job_id
                        )
                        return
                except redis.RedisError as error:  # Redis restarting: the next renewal tries again
                    log.warning("job %s: could not renew the lease (%s)", self.job_id, error)

        threading.Thread(target=renew, name=f"lease-{self.job_id}", daemon=True).start()

    def store(self, key: str, data: bytes, seconds: int) -> None:
        """Sets `key` while this run holds the lease; raises LostLease otherwise."""
        if not raw_client().eval(STORE, 2, self.key, key, self.token, data, seconds):
            self.lost = True
            raise LostLease(self.job_id)

    def release(self) -> None:
        self._stop.set()
        redis_clients.patient_client().eval(RELEASE, 1, self.key, self.token)


class Writer:
    """Appends a job attempt's events to its stream while its run holds the lease. The training loop's emits
    come here: each is one round trip that checks the lease, renews it, adds the batch and reads the cancel and
    stop flags.

    `points` is the whole history as its viewers were shown it (written to the database at the end). A run that
    continues another's from a checkpoint trains again a few steps the viewers have already seen (up to
    `shown_until`): those are not sent again."""

    def __init__(self, job_id: int, attempt: int, lease: Lease | None = None, hostname: str = "") -> None:
        self.job_id, self.attempt = job_id, attempt
        self.lease = lease
        self.hostname = hostname
        self.key = stream_key(job_id, attempt)
        self.points: list[dict[str, Any]] = []
        self.shown_until: int | None = (
            None  # set when the run continues another's: steps up to it are not sent
        )
        self.frame: dict[str, Any] = {}
        self._last_id = (0, 0)

    def _next_id(self) -> str:
        now, (last, sequence) = int(time.time() * 1000), self._last_id
        self._last_id = (now, 0) if now > last else (last, sequence + 1)
        return "{}-{}".format(*self._last_id)

    def _append(self, key: str, kind: str, data: dict[str, Any] | None, *, final: bool = False) -> tuple:
        """(entry id, cancel flag, stopping flag). Raises LostLease when this run no longer holds the job;
        `final` without a lease: returns None as the id when the job has already ended."""
        # Its own stream's entries get ids chosen here, the same for every retry of the write; an event left in
        # another stream (the previous attempt's `restart`, a sweeper's note) takes Redis's next id.
        entry_id = self._next_id() if key == self.key else "*"
        keys = (key, lease_key(self.job_id), ended_key(self.job_id), cancel_key(self.job_id),
                stopping_key(self.hostname))  # fmt: skip
        token = self.lease.token if self.lease and not final else ""
        payload = json.dumps(data, allow_nan=False) if data is not None else ""
        written, cancel, stopping, entry_id = redis_clients.patient_client().eval(
            APPEND, len(keys), *keys, token, _lease_ms(), entry_id, kind, payload,
            settings.JOB_STREAM_MAXLEN, "1" if final else "0", ENDED_TTL,
        )  # fmt: skip
        if written == -1 or (written == -2 and not final):
            if self.lease:
                self.lease.lost = True
            raise LostLease(self.job_id)
        return (entry_id if written >= 0 else None), cancel, stopping

    def event(self, kind: str, data: dict[str, Any], key: str | None = None) -> str:
        """Appends one event (to this attempt's stream, or to `key`); returns its entry id."""
        return self._append(key or self.key, kind, data)[0]

    def emit(self, batch: dict[str, Any]) -> None:
        """The Reporter's sink: raises Cancelled when the learner has asked to stop, WorkerStopping when the
        worker is shutting down, LostLease when another run has taken the job."""
        shown = self.shown_until
        points = batch["points"] if shown is None else [p for p in batch["points"] if p["step"] > shown]
        if points or "frame" in batch:
            data = {**batch, "points": points}
            _id, cancelled, stopping = self._append(self.key, "progress", data)
            self.points.extend(points)
            if points and shown is not None:
                self.shown_until = max(shown, points[-1]["step"])
            if "frame" in batch:
                self.frame = batch["frame"]
        else:  # steps the viewers have already seen: only the lease and the flags
            _id, cancelled, stopping = self._append(self.key, "", None)
        if cancelled:
            raise Cancelled()
        if stopping:
            raise WorkerStopping()

    def end(self, data: dict[str, Any]) -> bool:
        """The final event, once the database holds the end (so it is written even if the lease lapsed
        meanwhile: the database's conditional write decided who ends the job). False when the job had already
        ended: a second `end` is never written."""
        entry_id = self._append(self.key, "end", data, final=True)[0]
        client = redis_clients.patient_client()
        client.delete(cancel_key(self.job_id))
        raw_client().delete(checkpoint_key(self.job_id))
        return entry_id is not None


def end_stream(job_id: int, attempt: int, data: dict[str, Any]) -> bool:
    """Ends a job's stream from outside its run (cancelled while queued, or given up by the sweeper)."""
    return Writer(job_id, max(attempt, 1)).end(data)


def shown_points(job_id: int, attempt: int) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The points and the last frame that the viewers of an attempt's stream were shown."""
    points: list[dict[str, Any]] = []
    frame = None
    for _id, fields in redis_clients.patient_client().xrange(stream_key(job_id, attempt)):
        if fields.get("event") == "progress":
            batch = json.loads(fields["data"])
            points.extend(batch.get("points", []))
            frame = batch.get("frame", frame)
    return points, frame
