"""GET /api/jobs/<id>/events: a job's progress as Server-Sent Events, from an async view (ASGI).

Live jobs are read from their Redis stream with XREAD BLOCK; the stream entry id is the SSE id, so a browser
that reconnects with Last-Event-ID resumes exactly where it stopped. An ended job whose stream has expired
replays from the database as one `snapshot` event. Comment lines every HEARTBEAT seconds keep proxies from
closing a quiet connection.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext as _

from .hub import hub
from .models import Job
from .services import queue_position
from .streams import parse_event_id, stream_key

HEARTBEAT = 15  # seconds between comment lines on a quiet stream
QUEUED_POLL = 2  # seconds between queue-position checks while a job waits


def sse(event: str, data: str, event_id: str | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}event: {event}\ndata: {data}\n\n".encode()


async def _job_for(request: HttpRequest, job_id: int) -> Job:
    user = await request.auser()
    if not user.is_authenticated:
        raise Http404(_("No such job."))
    job = await Job.objects.visible_to(user).filter(pk=job_id).afirst()
    if job is None:
        raise Http404(_("No such job."))
    return job


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


async def job_events(request: HttpRequest, job_id: int) -> StreamingHttpResponse:
    job = await _job_for(request, job_id)
    resume = parse_event_id(request.headers.get("Last-Event-ID"))
    stream_exists = await _stream_exists(job.pk, resume[0] if resume else max(job.attempt, 1))

    async def events() -> AsyncIterator[bytes]:
        yield b"retry: 1000\n\n"
        if job.finished and not stream_exists:
            yield snapshot(job)
            return
        async for chunk in follow(job, resume):
            yield chunk

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx and similar proxies: pass each event on at once
    response["Content-Encoding"] = "identity"  # and never gzip (it buffers)
    return response
