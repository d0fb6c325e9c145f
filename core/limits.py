"""The request body's size and speed, capped in front of Django (Django's ASGI handler spools every body to
memory or disk before any view or setting can look at it; DRF's parsers never apply
DATA_UPLOAD_MAX_MEMORY_SIZE). The web server (granian, config/launch.py's WEB_LIMITS) bounds the headers; a body
is the application's to bound: MAX_REQUEST_BYTES in all, each part within REQUEST_BODY_SECONDS of the last."""

from __future__ import annotations

import asyncio
import json

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from .documents import asgi_request, language_of
from .errors import error_body


def _refusal(scope, status: int) -> tuple[bytes, bytes]:
    """A 413's or a 408's body and type: JSON under /api/, a line of text elsewhere, in the request's language."""
    with translation.override(language_of(asgi_request(scope))):
        if status == 413:
            code = "too_large"
            message = _("The request is too large (at most %(n)d MB).") % {
                "n": settings.MAX_REQUEST_BYTES // 2**20
            }
        else:
            code = "too_slow"
            message = _("The request's body stopped arriving: send it again.")
    if scope["path"].startswith("/api/"):
        return json.dumps(error_body(message, code)).encode(), b"application/json"
    return message.encode(), b"text/plain; charset=utf-8"


class BodyLimit:
    """ASGI middleware: a body announced larger than MAX_REQUEST_BYTES is answered 413 unread; one that turns
    out larger (chunked) is cut off there, the application sees a disconnect, and the client gets the 413."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = settings.MAX_REQUEST_BYTES
        length = next((v for k, v in scope["headers"] if k == b"content-length"), b"0")
        if not length.isdigit() or int(length) > limit:
            return await self._refuse(scope, send, 413)
        received, refused, started, whole = 0, 0, False, False

        async def counted_receive():
            nonlocal received, refused, whole
            if whole:  # the body is in: Django waits here for the client to leave, for as long as it likes
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), settings.REQUEST_BODY_SECONDS)
            except TimeoutError:
                refused = 408
                return {"type": "http.disconnect"}
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                whole = not message.get("more_body", False)
                if received > limit:
                    refused = 413
                    return {"type": "http.disconnect"}
            return message

        async def watched_send(message):
            nonlocal started
            started = True
            await send(message)

        await self.app(scope, counted_receive, watched_send)
        if refused and not started:
            await self._refuse(scope, send, refused)

    async def _refuse(self, scope, send, status: int) -> None:
        body, content_type = _refusal(scope, status)
        headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close")]  # fmt: skip
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
