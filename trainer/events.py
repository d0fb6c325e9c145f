"""GET /api/jobs/<id>/events: a job's progress as Server-Sent Events.

This endpoint is a small ASGI application of its own, mounted in front of Django (config/asgi.py): Django's
ASGI handler gives every request its own thread for the request's whole life, which for a stream that stays
open for minutes means a thread (and ~300 KB) per watching browser. Here a viewer costs a coroutine and a
queue: one Redis reader per process (trainer/hub.py) hands entries to every viewer of a stream. Sessions,
tokens and ownership are checked as for any API request.

The stream entry id is the SSE id, so a browser that reconnects with Last-Event-ID resumes exactly where it
stopped. An ended job whose stream has expired replays from the database as one `snapshot` event. Comment
lines every HEARTBEAT seconds keep proxies from closing a quiet connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator
from importlib import import_module

import redis.exceptions
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import aget_user
from django.contrib.auth.models import AnonymousUser
from django.db import close_old_connections
from django.http import HttpRequest
from django.http.cookie import parse_cookie
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from .hub import hub
from .models import Job
from .services import queue_position
from .streams import parse_event_id, stream_key

log = logging.getLogger(__name__)

HEARTBEAT = 15  # seconds between comment lines on a quiet stream
QUEUED_POLL = 2  # seconds between queue-position checks while a job waits
PATH = re.compile(r"^/api/jobs/(?P<job_id>[0-9]{1,18})/events$")


def sse(event: str, data: str, event_id: str | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}event: {event}\ndata: {data}\n\n".encode()


def snapshot(job: Job) -> bytes:
    """An ended job, whole: the client replaces what it has with this."""
    data = {
        "status": job.status,
        "points": job.history,
        "frame": job.visuals,
        "metrics": job.metrics,
        "error": job.error,
        "device": job.device,
        "seconds": job.seconds,
        "attempt": job.attempt,
    }
    return sse("snapshot", json.dumps(data)) + sse("end", json.dumps({"status": job.status}))


async def follow(job: Job, resume: tuple[int, str] | None) -> AsyncIterator[bytes]:
    """A job's events from its live attempt's stream, through this process's hub; a `restart` event moves on
    to the new attempt's stream. While the job is queued, its queue position is sent as it changes."""
    attempt, last = resume if resume else (max(job.attempt, 1), "0")
    position_sent = None
    while True:
        async with hub().follow(stream_key(job.pk, attempt), last) as subscription:
            while True:
                if job.status == Job.Status.QUEUED:
                    position = await sync_to_async(queue_position)(job)
                    if position != position_sent:
                        yield sse("queued", json.dumps({"position": position}))
                        position_sent = position
                entry = await subscription.next(
                    timeout=QUEUED_POLL if job.status == Job.Status.QUEUED else HEARTBEAT
                )
                if entry is None:
                    job = await Job.objects.aget(pk=job.pk)
                    if job.finished and not await _stream_exists(job.pk, attempt):
                        yield snapshot(job)
                        return
                    yield b": keep-alive\n\n"
                    continue
                entry_id, fields = entry
                kind = fields["event"]
                yield sse(kind, fields["data"], f"{attempt}-{entry_id}")
                job.status = Job.Status.RUNNING if job.status == Job.Status.QUEUED else job.status
                if kind == "end":
                    return
                if kind == "restart":
                    attempt, last = json.loads(fields["data"])["attempt"], "0"
                    break


async def _stream_exists(job_id: int, attempt: int) -> bool:
    return bool(await hub().client.exists(stream_key(job_id, attempt)))


def request_from(scope: dict) -> HttpRequest:
    """A bare HttpRequest with the headers and cookies of an ASGI scope: enough for sessions and languages."""
    request = HttpRequest()
    request.method = scope["method"]
    request.path = request.path_info = scope["path"]
    for name, value in scope.get("headers", []):
        key = name.decode("latin-1").upper().replace("-", "_")
        request.META["HTTP_" + key] = value.decode("latin-1")
    request.COOKIES = parse_cookie(request.META.get("HTTP_COOKIE", ""))
    engine = import_module(settings.SESSION_ENGINE)
    request.session = engine.SessionStore(request.COOKIES.get(settings.SESSION_COOKIE_NAME))
    return request


async def authenticate(request: HttpRequest):
    """The user of a session cookie or of an `Authorization: Token …` header, as the rest of the API."""
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    if authorization.startswith("Token "):
        token = await Token.objects.select_related("user").filter(key=authorization[6:].strip()).afirst()
        return token.user if token and token.user.is_active else AnonymousUser()
    return await aget_user(request)


async def respond(send, status: int, body: dict) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"x-content-type-options", b"nosniff")],
        }
    )
    await send({"type": "http.response.body", "body": json.dumps(body).encode()})


async def serve(scope: dict, receive, send, job_id: int) -> None:
    """One event-stream request, from the check of who asks to the last event or the client leaving."""
    request = request_from(scope)
    with translation.override(translation.get_language_from_request(request)):
        if scope["method"] != "GET":
            await respond(send, 405, {"detail": _("Only GET is allowed here.")})
            return
        await sync_to_async(close_old_connections)()
        user = await authenticate(request)
        job = await Job.objects.visible_to(user).filter(pk=job_id).afirst() if user.is_authenticated else None
        if job is None:
            # Someone else's job is answered exactly like one that does not exist.
            await respond(send, 404, {"detail": _("No such job.")})
            return
        resume = parse_event_id(request.META.get("HTTP_LAST_EVENT_ID"))
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-cache"),
            (b"x-accel-buffering", b"no"),  # nginx and similar proxies: pass each event on at once
            (b"x-content-type-options", b"nosniff"),
        ]})  # fmt: skip

        async def pump() -> None:
            try:
                async for chunk in events(job, resume):
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            except redis.exceptions.RedisError as error:
                # Redis restarting: end this response; the browser reconnects (after `retry`) with the last
                # event's id and resumes from there.
                log.warning(
                    "event stream of job %s: Redis unavailable (%s); the client will reconnect", job_id, error
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
    yield b"retry: 1000\n\n"
    if job.finished and not await _stream_exists(job.pk, resume[0] if resume else max(job.attempt, 1)):
        yield snapshot(job)
        return
    async for chunk in follow(job, resume):
        yield chunk


def with_event_streams(app):
    """The project's ASGI application with GET /api/jobs/<id>/events served here, everything else by `app`."""

    async def application(scope, receive, send) -> None:
        if scope["type"] == "http" and (match := PATH.match(scope["path"])):
            await serve(scope, receive, send, int(match["job_id"]))
        else:
            await app(scope, receive, send)

    return application
