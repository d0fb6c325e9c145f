"""GET /api/jobs/<id>/events: a job's progress as Server-Sent Events (and the text a trained GPT run writes,
GET /api/jobs/<id>/generations/<id>/events).

This endpoint is a small ASGI application of its own, mounted in front of Django (config/asgi.py): Django's
ASGI handler gives every request its own thread for the request's whole life, which for a stream that stays
open for minutes means a thread (and its stack) per watching browser. Here a viewer costs a coroutine and a
queue: one Redis reader per process (trainer/hub.py) hands entries to every viewer of a stream. Sessions,
tokens and ownership are checked as for any API request.

The stream entry id is the SSE id, so a browser that reconnects with Last-Event-ID resumes exactly where it
stopped. An ended job whose stream has expired replays from the database as one `snapshot` event, which
replaces what the client has. A client that already has the `end` event (or names an id past it) gets 204,
which tells an EventSource to stop reconnecting. Comment lines every HEARTBEAT seconds keep proxies from
closing a quiet connection.

The rules of every other page hold here too: the Host header must be one of ALLOWED_HOSTS, and a user has at
most EVENT_STREAMS_PER_USER streams open at once (across server processes, counted in Redis), more being
answered 429.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator
from importlib import import_module

import redis.exceptions
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import aget_user
from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIRequest
from django.db import close_old_connections
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated

from accounts.tokens import token_user
from core.errors import error_body

from .generation import GENERATION_ID, generation_key
from .hub import entry_key, hub
from .models import Job
from .streams import parse_event_id, stream_key

log = logging.getLogger(__name__)

HEARTBEAT = 15  # seconds between comment lines on a quiet stream
QUEUED_POLL = 2  # seconds between queue-position checks while a job waits
PATH = re.compile(
    rf"^/api/jobs/(?P<job_id>[0-9]{{1,18}})/(?:generations/(?P<generation>{GENERATION_ID})/)?events$"
)
LEASE = 3 * HEARTBEAT  # an open stream's place in its user's count lapses unless renewed this often
RETRY_AFTER = 10  # seconds, with a 429 for too many open streams


def sse(event: str, data: str, event_id: str | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}event: {event}\ndata: {data}\n\n".encode()


def snapshot(job: Job, resume: tuple[int, str] | None = None) -> bytes:
    """An ended job, whole: the client replaces what it has with this. Its `end` carries an id just past the
    job's end time, so that a client reconnecting with it is told at once that there is nothing more, and
    past the id the client resumed from: the stream's ids come from Redis's clock and the end time from the
    worker's, so the end time alone could give an id below one the client already has."""
    data = {
        "status": job.status,
        "points": job.history,
        "frame": job.visuals,
        "metrics": job.metrics,
        "error": job.error_message,  # in the reader's language (the request's, active here)
        "device": job.device,
        "seconds": job.seconds,
        "attempt": job.attempt,
    }
    end_id = None
    if job.finished_at:
        attempt = max(job.attempt, 1)
        milliseconds = _milliseconds(job)
        if resume and resume[0] == attempt and "-" in resume[1]:
            milliseconds = max(milliseconds, entry_key(resume[1])[0])
        end_id = f"{attempt}-{milliseconds + 1}-0"
    return sse("snapshot", json.dumps(data)) + sse("end", json.dumps({"status": job.status}), end_id)


def _milliseconds(job: Job) -> int:
    return int(job.finished_at.timestamp() * 1000)


async def has_the_end(job: Job, resume: tuple[int, str]) -> bool:
    """Whether a client resuming at `resume` already had the job's `end` event, or names an id past it."""
    if not job.finished:
        return False
    attempt, entry = resume
    final = max(job.attempt, 1)
    if attempt != final:
        return attempt > final
    last = await hub().client.xrevrange(stream_key(job.pk, attempt), count=1)
    if last:
        last_id, fields = last[0]
        return fields.get("event") == "end" and entry_key(entry) >= entry_key(last_id)
    # The stream has expired: the row's end time stands for the `end` event's id, which is written after the
    # row is saved. An id in the same millisecond may be the last progress: that client gets the snapshot.
    return job.finished_at is not None and entry_key(entry)[0] > _milliseconds(job)


async def names_no_event(job: Job, resume: tuple[int, str]) -> bool:
    """Whether a resume on a live job names an event the job never sent: an attempt it has not had, or an id
    past its stream's last entry. Such a client (a bogus or stale Last-Event-ID) would wait for events that
    never come, an empty 200, and reconnect for ever: it is sent the stream from its start instead."""
    attempt, entry = resume
    if attempt > max(job.attempt, 1):
        return True
    if attempt < max(job.attempt, 1):
        return False  # an earlier attempt: follow() moves on to the live one with a `restart`
    last = await hub().client.xrevrange(stream_key(job.pk, attempt), count=1)
    return bool(last) and entry_key(entry) > entry_key(last[0][0])


async def follow(job: Job, resume: tuple[int, str] | None) -> AsyncIterator[bytes]:
    """A job's events from its live attempt's stream, through this process's hub; a `restart` event moves on
    to the new attempt's stream. While the job is queued, its queue position is sent as it changes."""
    attempt, last = resume if resume else (max(job.attempt, 1), "0")
    position_sent = None
    while True:
        async with hub().follow(stream_key(job.pk, attempt), last) as subscription:
            while True:
                if job.status == Job.Status.QUEUED:
                    position = await sync_to_async(Job.objects.queue_position)(job)
                    if position != position_sent:
                        yield sse("queued", json.dumps({"position": position}))
                        position_sent = position
                entry = await subscription.next(
                    timeout=QUEUED_POLL if job.status == Job.Status.QUEUED else HEARTBEAT
                )
                if entry is None:
                    job = await Job.objects.filter(pk=job.pk).afirst()
                    if job is None:  # deleted with its learner's account: the stream ends
                        return
                    if job.finished and not await _stream_exists(job.pk, attempt):
                        yield snapshot(job, (attempt, last))
                        return
                    yield b": keep-alive\n\n"
                    continue
                entry_id, fields = entry
                kind = fields["event"]
                yield sse(kind, fields["data"], f"{attempt}-{entry_id}")
                last = entry_id
                job.status = Job.Status.RUNNING if job.status == Job.Status.QUEUED else job.status
                if kind == "end":
                    return
                if kind == "restart":
                    # The next attempt's stream; a run that continues from a checkpoint names the entry after
                    # which it goes on (before it: the history this viewer already has, for viewers new to it).
                    moved = json.loads(fields["data"])
                    attempt, last = moved["attempt"], moved.get("after") or "0"
                    break


async def _stream_exists(job_id: int, attempt: int) -> bool:
    return bool(await hub().client.exists(stream_key(job_id, attempt)))


def request_from(scope: dict) -> HttpRequest:
    """Django's own request for an ASGI scope (as its ASGI handler makes it: repeated headers joined), with
    the session of its cookie: what sessions, languages, the host check and tokens read."""
    request = ASGIRequest(scope, io.BytesIO())
    engine = import_module(settings.SESSION_ENGINE)
    request.session = engine.SessionStore(request.COOKIES.get(settings.SESSION_COOKIE_NAME))
    return request


async def authenticate(request: HttpRequest):
    """The user of an `Authorization: Token …` header (the API's one check: accounts.tokens) or else of the
    session cookie. Raises AuthenticationFailed for a token the API refuses."""
    user = await sync_to_async(token_user)(request)
    return user if user is not None else await aget_user(request)


async def respond(
    send, status: int, body: dict | None, headers: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    """A whole response: JSON, or nothing (204)."""
    content = [(b"content-type", b"application/json")] if body is not None else []
    await send({"type": "http.response.start", "status": status,
                "headers": [*content, (b"x-content-type-options", b"nosniff"), *headers]})  # fmt: skip
    await send({"type": "http.response.body", "body": json.dumps(body).encode() if body is not None else b""})


class Lease:
    """One open stream's place in its user's count, in Redis so that every server process sees the same
    count: a sorted set of stream ids scored by when their lease ends. An open stream renews its lease; the
    streams of a server process that died lapse within LEASE seconds."""

    def __init__(self, user_id: int) -> None:
        self.key, self.member = f"sse:open:{user_id}", uuid.uuid4().hex

    async def take(self) -> bool:
        """True when the user has a place left (this stream then holds it)."""
        now = time.time()
        pipe = hub().client.pipeline(transaction=True)
        pipe.zremrangebyscore(self.key, "-inf", now)
        pipe.zadd(self.key, {self.member: now + LEASE})
        pipe.zcard(self.key)
        pipe.expire(self.key, LEASE)
        *_rest, count, _expire = await pipe.execute()
        if count > settings.EVENT_STREAMS_PER_USER:
            await self.give_back()
            return False
        return True

    async def renew(self) -> None:
        await hub().client.zadd(self.key, {self.member: time.time() + LEASE}, xx=True)
        await hub().client.expire(self.key, LEASE)

    async def give_back(self) -> None:
        await hub().client.zrem(self.key, self.member)


async def serve(scope: dict, receive, send, job_id: int, generation: str | None = None) -> None:
    """One event-stream request, from the check of who asks to the last event or the client leaving."""
    request = request_from(scope)
    with translation.override(translation.get_language_from_request(request)):
        try:
            request.get_host()  # checked against ALLOWED_HOSTS, as Django checks every other request
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
            await respond(send, 401, {"detail": str(refused.detail), "code": refused.get_codes()},
                          ((b"www-authenticate", b"Token"),))  # fmt: skip
            return
        if not user.is_authenticated:
            refused = NotAuthenticated()  # as the API answers it, in DRF's words and the reader's language
            await respond(send, 401, {"detail": str(refused.detail), "code": refused.default_code},
                          ((b"www-authenticate", b"Token"),))  # fmt: skip
            return
        readable = await sync_to_async(Job.objects.readable_by)(user)  # a permission check reads the database
        job = await readable.filter(pk=job_id).afirst()
        if job is None:
            # Someone else's job is answered exactly like one that does not exist.
            await respond(send, 404, error_body(_("No such job."), "not_found"))
            return
        if generation and not await hub().client.exists(generation_key(job.pk, generation)):
            await respond(
                send,
                404,
                error_body(_("No such text: it was never asked for, or it has expired."), "not_found"),
            )
            return
        resume = parse_event_id(request.META.get("HTTP_LAST_EVENT_ID"))
        lease = Lease(user.pk)
        try:
            if resume and not generation and await has_the_end(job, resume):
                await respond(send, 204, None)  # nothing more will come: an EventSource stops reconnecting
                return
            if resume and not generation and not job.finished and await names_no_event(job, resume):
                resume = None
            if not await lease.take():
                message = _(
                    "Too many open event streams: close some of the pages that follow a job, then try again."
                )
                await respond(
                    send, 429, error_body(message, "too_many"), ((b"retry-after", str(RETRY_AFTER).encode()),)
                )
                return
        except redis.exceptions.RedisError:
            lease = None  # Redis restarting: the stream below ends at once and the browser comes back
        try:
            chunks = with_retry(
                follow_generation(job, generation, resume) if generation else events(job, resume)
            )
            await stream(receive, send, job, chunks, lease)
        finally:
            if lease:
                with contextlib.suppress(redis.exceptions.RedisError):
                    await lease.give_back()


async def stream(receive, send, job: Job, chunks: AsyncIterator[bytes], lease: Lease | None) -> None:
    """The 200 and its events until the last one or the client leaving; the lease renewed while it lasts."""
    await send({"type": "http.response.start", "status": 200, "headers": [
        (b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-cache"),
        (b"x-accel-buffering", b"no"),  # nginx and similar proxies: pass each event on at once
        (b"x-content-type-options", b"nosniff"),
    ]})  # fmt: skip

    async def pump() -> None:
        renewed = time.monotonic()
        try:
            async for chunk in chunks:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                if lease and time.monotonic() - renewed > HEARTBEAT:
                    await lease.renew()
                    renewed = time.monotonic()
        except redis.exceptions.RedisError as error:
            # Redis restarting: end this response; the browser reconnects (after `retry`) with the last
            # event's id and resumes from there.
            log.warning(
                "event stream of job %s: Redis unavailable (%s); the client will reconnect", job.pk, error
            )
        await send({"type": "http.response.body", "body": b""})

    async def client_left() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    tasks = [asyncio.create_task(pump()), asyncio.create_task(client_left())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await task


async def events(job: Job, resume: tuple[int, str] | None) -> AsyncIterator[bytes]:
    if job.finished and not await _stream_exists(job.pk, resume[0] if resume else max(job.attempt, 1)):
        yield snapshot(job, resume)
        return
    async for chunk in follow(job, resume):
        yield chunk


async def with_retry(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The stream's reconnection delay, sent in its first event rather than as a block of its own: a block
    with no data is no event to a browser, but some SSE clients (generated ones among them) hand it to the
    program as an empty event."""
    retry = b"retry: 1000\n"
    async for chunk in chunks:
        if retry and not chunk.startswith(b":"):
            chunk, retry = retry + chunk, b""
        yield chunk


async def follow_generation(
    job: Job, generation: str, resume: tuple[int, str] | None
) -> AsyncIterator[bytes]:
    """The text a trained GPT run writes for a prompt (trainer/generation.py), to its `end` event. Its ids
    are "0-<entry id>" (a generation has no attempts); a stream that has expired ends at once."""
    key = generation_key(job.pk, generation)
    async with hub().follow(key, resume[1] if resume else "0") as subscription:
        while True:
            entry = await subscription.next(timeout=HEARTBEAT)
            if entry is None:
                if not await hub().client.exists(key):
                    gone = {"status": "expired", "error": _("This text is no longer kept.")}
                    yield sse("end", json.dumps(gone))
                    return
                yield b": keep-alive\n\n"
                continue
            entry_id, fields = entry
            yield sse(fields["event"], fields["data"], f"0-{entry_id}")
            if fields["event"] == "end":
                return


def with_event_streams(app):
    """The project's ASGI application with GET /api/jobs/<id>/events served here, everything else by `app`."""

    async def application(scope, receive, send) -> None:
        if scope["type"] == "http" and (match := PATH.match(scope["path"])):
            await serve(scope, receive, send, int(match["job_id"]), match["generation"])
        else:
            await app(scope, receive, send)

    return application
