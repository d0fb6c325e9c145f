"""The live lab wall: every member's current or latest run of one lab on one page, as one event stream.

GET /api/classes/<id>/wall/<lab>/events[?experiment=<slug>] is served here, in front of Django as the jobs'
own streams are (trainer/events.py), with the same checks (host, session or token, the open-stream cap per
user). The teacher's page holds this one EventSource, not one per learner: browsers allow six connections per
host, and the open-stream cap would refuse the seventh.

What it sends:
- `wall` at the start (and again after any reconnect, on whichever web node): every member's row whole, with
  the points of their run so far. It replaces what the page had, so a reconnect needs no Last-Event-ID.
- `member` when a row changes: its status, step, loss, flags and the points new since the last event
  (`reset`: the run is another one, start its line again).

Nothing is kept in the process between requests: rows come from the database (members, their latest run of
the lab, passed submissions, re-read every REFRESH_S seconds so that a new run, a joining learner or a learner
who left shows within that time), points from the runs' Redis streams (through this process's one hub reader:
one blocking XREAD for every stream watched, trainer/hub.py) or, for a run that has ended, from its history in
the database. Any web node can serve any wall request and shows the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import redis.exceptions
from asgiref.sync import sync_to_async
from django.core.exceptions import DisallowedHost
from django.db import close_old_connections
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework.exceptions import AuthenticationFailed

from core.errors import error_body
from experiments.models import Experiment, Submission
from trainer.catalog import LABS
from trainer.catalog.lab import specs
from trainer.events import HEARTBEAT, Lease, authenticate, request_from, respond, sse, stream, with_retry
from trainer.hub import entry_key, hub
from trainer.models import Job
from trainer.streams import stream_key

from .flags import NOT_STARTED, RunWatch
from .models import Class

log = logging.getLogger(__name__)

REFRESH_S = 1.0  # how often the rows are read again from the database
PATH = re.compile(r"^/api/classes/(?P<pk>[0-9]{1,18})/wall/(?P<lab>[a-z0-9-]{1,50})/events$")


# --- Reads (database) -----------------------------------------------------------------------------------


@dataclass
class Member:
    learner_id: int
    name: str
    job: Job | None
    passed: bool | None
    position: int | None = None  # in its queue, while the run waits


def queue_positions() -> dict[int, int]:
    """Every waiting run's place in its queue (1: the next to start), in one query: what the teacher's wall
    shows of the queue (Job.objects.queue_position's order, for all of them at once)."""
    positions: dict[int, int] = {}
    counts: dict[str, int] = {}
    waiting = Job.objects.filter(status=Job.Status.QUEUED).order_by("created_at", "id")
    for pk, queue in waiting.values_list("pk", "queue"):
        counts[queue] = counts.get(queue, 0) + 1
        positions[pk] = counts[queue]
    return positions


def wall_members(klass: Class, lab: str, experiment: Experiment | None) -> tuple[list[Member], int]:
    """Each member of the class with their latest run of the lab (its history not loaded), its place in the
    queue while it waits and, for a guided experiment, whether they have passed it; and how many runs wait on
    the platform. Four queries, whatever the size of the class."""
    latest = Job.objects.filter(owner=OuterRef("pk"), lab=lab).order_by("-created_at", "-id").values("pk")[:1]
    learners = list(klass.learners.order_by("username").annotate(latest_job=Subquery(latest)))
    jobs = Job.objects.defer("history", "visuals").in_bulk([u.latest_job for u in learners if u.latest_job])
    passed = (
        set(
            Submission.objects.filter(experiment=experiment, passed=True, owner__in=learners).values_list(
                "owner_id", flat=True
            )
        )
        if experiment
        else set()
    )
    positions = queue_positions()
    return [
        Member(
            u.pk,
            u.get_username(),
            jobs.get(u.latest_job),
            (u.pk in passed) if experiment else None,
            positions.get(u.latest_job),
        )
        for u in learners
    ], len(positions)


def changed_settings(lab: str, params: dict[str, Any]) -> str:
    """A run's settings that differ from the lab's defaults, in the reader's words ("" for none)."""
    found = LABS.get(lab)
    if found is None:
        return ""
    words = []
    for name, (spec, default) in specs(found.config).items():
        value = params.get(name, default)
        if value == default:
            continue
        if spec.kind == "choice":
            value = next((_(label) for v, label in spec.choices if v == value), value)
        elif spec.kind == "bool":
            value = _("yes") if value else _("no")
        words.append(f"{_(spec.label)} {value}")
    return " · ".join(words)


def history(job_id: int) -> list[dict[str, Any]]:
    return Job.objects.filter(pk=job_id).values_list("history", flat=True).first() or []


# --- The stream -----------------------------------------------------------------------------------------


class _Tagged:
    """A viewer queue for the hub that remembers which stream an entry came from: the wall follows many streams
    with one queue."""

    def __init__(self, key: str, target: asyncio.Queue) -> None:
        self.key, self.target = key, target

    def put_nowait(self, entry: tuple[str, dict[str, str]]) -> None:
        self.target.put_nowait((self.key, entry))


@dataclass
class Row:
    member: Member
    run_url: str = ""
    changed: str = ""
    status: str = NOT_STARTED
    watch: RunWatch | None = None
    key: str | None = None  # the stream followed, while the run is active
    tap: _Tagged | None = None
    last: str = "0"
    at: str | None = None  # id of the latest stream entry shown (its time is the worker's: the bench's lag)
    first_at: str | None = None  # id of the oldest entry whose points wait in `pending`
    pending: list[tuple[int, float | None]] = field(default_factory=list)
    reset: bool = True

    def as_json(self, *, whole: bool = False) -> dict[str, Any]:
        watch = self.watch
        points = (watch.points if watch else []) if whole else self.pending
        return {
            "learner": self.member.learner_id,
            "name": self.member.name,
            "job": self.member.job.pk if self.member.job else None,
            "run_url": self.run_url,
            "status": self.status,
            "queue_position": self.member.position if self.status == "queued" else None,
            "step": watch.step if watch else None,
            "loss": watch.loss if watch else None,
            "diverged_at": watch.diverged_at if watch else None,
            "changed": self.changed,
            "flags": watch.flags(passed=self.member.passed)
            if watch
            else [NOT_STARTED]
            + ([] if self.member.passed is None else ["passed" if self.member.passed else "not_yet"]),
            "points": [[s, v] for s, v in points],
            "reset": whole or self.reset,
            "at": self.at,
            "first_at": None if whole else self.first_at,
        }


class Wall:
    """One open wall: its rows, the streams it follows through the hub, and the events it has to send."""

    def __init__(self, klass: Class, lab: str, experiment: Experiment | None) -> None:
        self.klass, self.lab, self.experiment = klass, lab, experiment
        self.rows: dict[int, Row] = {}
        self.queue: asyncio.Queue = asyncio.Queue()
        self.waiting = 0  # runs waiting on the platform, every class's

    async def refresh(self) -> set[int]:
        """Reads the members and their runs again; returns the learners whose rows changed (or left)."""
        members, self.waiting = await sync_to_async(wall_members)(self.klass, self.lab, self.experiment)
        changed: set[int] = set()
        present = {m.learner_id for m in members}
        for learner_id in [i for i in self.rows if i not in present]:
            self._unwatch(self.rows.pop(learner_id))
            changed.add(learner_id)
        for member in members:
            row = self.rows.get(member.learner_id)
            job = member.job
            same_run = row is not None and (row.member.job.pk if row.member.job else None) == (
                job.pk if job else None
            )
            if row is not None and same_run:
                if row.member.passed != member.passed or row.member.position != member.position:
                    changed.add(member.learner_id)
                if job and job.finished and row.status != job.status:
                    row.status = job.status  # its `end` came before this wall opened its stream
                    if row.watch:
                        row.watch.status = job.status
                    changed.add(member.learner_id)
                row.member = member
                if job and job.finished and row.key:
                    self._unwatch(row)  # its stream has nothing more to say
                live = stream_key(job.pk, max(job.attempt, 1)) if job and not job.finished else None
                if live and row.key != live:  # continued in another attempt while this wall looked away
                    self._unwatch(row)
                    await self._watch(
                        row, live, "0" if row.watch is None or row.watch.step is None else row.last
                    )
                    changed.add(member.learner_id)
                continue
            if row is not None:
                self._unwatch(row)
            row = Row(member)
            self.rows[member.learner_id] = row
            changed.add(member.learner_id)
            if job is None:
                continue
            row.run_url = reverse("class_run", args=[self.klass.pk, job.pk])
            row.changed = changed_settings(self.lab, job.params)
            row.status = job.status
            row.watch = RunWatch(self.lab, status=job.status)
            if job.finished:
                row.watch.add(await sync_to_async(history)(job.pk))
            else:
                await self._watch(row, stream_key(job.pk, max(job.attempt, 1)), "0")
        return changed

    async def _watch(self, row: Row, key: str, after: str) -> None:
        row.key, row.last = key, after
        row.tap = _Tagged(key, self.queue)
        await hub().watch(key, row.tap)  # first, so nothing falls between the backlog and live entries
        start = "-" if after == "0" else f"({after}"
        for entry in await hub().client.xrange(key, min=start):
            self._apply(row, entry)

    def _unwatch(self, row: Row) -> None:
        if row.key and row.tap:
            hub().unwatch(row.key, row.tap)
        row.key = row.tap = None

    def _apply(self, row: Row, entry: tuple[str, dict[str, str]]) -> bool:
        """One stream entry into the row; False when it had already been shown."""
        entry_id, fields = entry
        if row.last != "0" and entry_key(entry_id) <= entry_key(row.last):
            return False
        row.last = entry_id
        kind, data = fields.get("event"), json.loads(fields.get("data") or "{}")
        watch = row.watch
        if watch is None:
            return False
        if kind == "progress":
            if watch.status == "queued":
                watch.status = row.status = "running"
            new = watch.add(data.get("points", []))
            if new and not row.pending:
                row.first_at = entry_id
            row.pending.extend(new)
        elif kind == "status" or kind == "end":
            watch.status = row.status = data.get("status", row.status)
        elif kind == "restart":
            # Continued on another worker: from a checkpoint the line goes on, from the start it starts again.
            if data.get("resumed_from") is None:
                row.watch = RunWatch(self.lab, status="running")
                row.pending, row.reset = [], True
            self._unwatch(row)
            row.at = entry_id
            return True  # the new attempt's stream is followed by _follow_restart
        row.at = entry_id
        return True

    async def events(self) -> AsyncIterator[bytes]:
        try:
            await self.refresh()
            members = [row.as_json(whole=True) for row in self.rows.values()]
            queue_sent = self._queue()
            yield sse("wall", json.dumps({"members": members, "queue": queue_sent}))
            for row in self.rows.values():
                row.pending, row.reset = [], False
            refreshed = sent = time.monotonic()
            while True:
                changed: set[int] = set()
                timeout = max(0.05, REFRESH_S - (time.monotonic() - refreshed))
                with contextlib.suppress(TimeoutError):
                    item = await asyncio.wait_for(self.queue.get(), timeout)
                    changed |= await self._take(item)
                    while not self.queue.empty():
                        changed |= await self._take(self.queue.get_nowait())
                if time.monotonic() - refreshed >= REFRESH_S:
                    changed |= await self.refresh()
                    refreshed = time.monotonic()
                    if self._queue() != queue_sent:
                        queue_sent = self._queue()
                        yield sse("queue", json.dumps(queue_sent))
                for learner_id in sorted(changed):
                    row = self.rows.get(learner_id)
                    if row is None:
                        yield sse("left", json.dumps({"learner": learner_id}))
                        continue
                    yield sse("member", json.dumps(row.as_json()))
                    row.pending, row.reset, row.first_at = [], False, None
                    sent = time.monotonic()
                if time.monotonic() - sent > HEARTBEAT:
                    yield b": keep-alive\n\n"
                    sent = time.monotonic()
        finally:
            for row in self.rows.values():
                self._unwatch(row)

    def _queue(self) -> dict[str, int]:
        """The queue as the teacher sees it: runs waiting on the platform, and how many are this class's."""
        mine = sum(1 for row in self.rows.values() if row.status == "queued")
        return {"waiting": self.waiting, "class_waiting": mine}

    async def _take(self, item: tuple[str, tuple[str, dict[str, str]]]) -> set[int]:
        key, entry = item
        for learner_id, row in self.rows.items():
            if row.key == key:
                if not self._apply(row, entry):
                    return set()
                if entry[1].get("event") == "restart" and row.member.job:
                    moved = json.loads(entry[1]["data"])
                    after = (moved.get("after") or "0") if moved.get("resumed_from") is not None else "0"
                    await self._watch(row, stream_key(row.member.job.pk, moved["attempt"]), after)
                return {learner_id}
        return set()


# --- Serving --------------------------------------------------------------------------------------------


async def serve(scope: dict, receive, send, pk: int, lab: str) -> None:
    """One wall request: the checks every event stream makes, then the teacher's own class, or 404."""
    request = request_from(scope)
    with translation.override(translation.get_language_from_request(request)):
        try:
            request.get_host()
        except DisallowedHost:
            await respond(
                send, 400, error_body(_("This site does not answer to that host name."), "bad_request")
            )
            return
        if scope["method"] != "GET":
            await respond(send, 405, error_body(_("Only GET is allowed here."), "method_not_allowed"))
            return
        await sync_to_async(close_old_connections)()
        try:
            user = await authenticate(request)
        except AuthenticationFailed as refused:
            await respond(send, 401, {"detail": str(refused.detail), "code": refused.get_codes()})
            return
        if not user.is_authenticated:
            await respond(send, 401, error_body(_("Log in to see this."), "not_authenticated"))
            return
        klass = await sync_to_async(lambda: Class.objects.taught_by(user).filter(pk=pk).first())()
        slug = (parse_qs(scope.get("query_string", b"").decode()).get("experiment") or [""])[0]
        experiment = await Experiment.objects.filter(slug=slug, lab=lab).afirst() if slug else None
        if klass is None or lab not in LABS or (slug and experiment is None):
            # Another teacher's class is answered exactly like one that does not exist.
            await respond(send, 404, error_body(_("No such class."), "not_found"))
            return
        lease = Lease(user.pk)
        try:
            if not await lease.take():
                message = _(
                    "Too many open event streams: close some of the pages that follow a job, then try again."
                )
                await respond(send, 429, error_body(message, "too_many"), ((b"retry-after", b"10"),))
                return
        except redis.exceptions.RedisError:
            lease = None
        try:
            await stream(receive, send, klass, with_retry(Wall(klass, lab, experiment).events()), lease)
        finally:
            if lease:
                with contextlib.suppress(redis.exceptions.RedisError):
                    await lease.give_back()


def with_wall_streams(app):
    """`app` with GET /api/classes/<id>/wall/<lab>/events served here."""

    async def application(scope, receive, send) -> None:
        if scope["type"] == "http" and (match := PATH.match(scope["path"])):
            await serve(scope, receive, send, int(match["pk"]), match["lab"])
        else:
            await app(scope, receive, send)

    return application
