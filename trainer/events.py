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

from core import redis as redis_

from .models import Job
from .services import queue_position
from .streams import parse_event_id, stream_key

HEARTBEAT = 15  # seconds
READ_COUNT = 100


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
    client = redis_.async_client()
    attempt, last = resume if resume else (max(job.attempt, 1), "0")
    position_sent = None
    try:
        while True:
            if job.status == Job.Status.QUEUED:
                position = await sync_to_async(queue_position)(job)
                if position != position_sent:
                    yield sse("queued", json.dumps({"position": position}))
                    position_sent = position
            key = stream_key(job.pk, attempt)
            block = HEARTBEAT * 1000 if job.status != Job.Status.QUEUED else 2000
            reply = await client.xread({key: last}, count=READ_COUNT, block=block)
            if not reply:
                job = await Job.objects.aget(pk=job.pk)
                if job.finished and not await client.exists(key):
                    yield snapshot(job)
                    return
                yield b": keep-alive\n\n"
                continue
            for entry_id, fields in reply[0][1]:
                last = entry_id
                kind = fields["event"]
                yield sse(kind, fields["data"], f"{attempt}-{entry_id}")
                if kind == "end":
                    return
                if kind == "restart":
                    attempt, last = json.loads(fields["data"])["attempt"], "0"
                    break
            if job.status == Job.Status.QUEUED:
                job.status = Job.Status.RUNNING  # the stream has begun: stop asking for the queue position
    finally:
        await client.aclose()


async def job_events(request: HttpRequest, job_id: int) -> StreamingHttpResponse:
    job = await _job_for(request, job_id)
    resume = parse_event_id(request.headers.get("Last-Event-ID"))
    client = redis_.async_client()
    try:
        stream_exists = await client.exists(stream_key(job.pk, resume[0] if resume else max(job.attempt, 1)))
    finally:
        await client.aclose()

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
