"""The request body's size, capped in front of Django (Django's ASGI handler spools every body to memory or
disk before any view or setting can look at it; DRF's parsers never apply DATA_UPLOAD_MAX_MEMORY_SIZE)."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _

from .errors import error_body


def _too_large(path: str, headers: list) -> tuple[bytes, bytes]:
    """The 413's body and type: JSON under /api/, a line of text elsewhere, in the request's language."""
    asked = HttpRequest()
    asked.META["HTTP_ACCEPT_LANGUAGE"] = next(
        (v.decode("latin-1") for k, v in headers if k == b"accept-language"), ""
    )
    with translation.override(translation.get_language_from_request(asked)):
        message = _("The request is too large (at most %(n)d MB).") % {
            "n": settings.MAX_REQUEST_BYTES // 2**20
        }
    if path.startswith("/api/"):
        return json.dumps(error_body(message, "too_large")).encode(), b"application/json"
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
            return await self._refuse(scope, send)
        received, overflowed, started = 0, False, False

        async def counted_receive():
            nonlocal received, overflowed
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    overflowed = True
                    return {"type": "http.disconnect"}
            return message

        async def watched_send(message):
            nonlocal started
            started = True
            await send(message)

        await self.app(scope, counted_receive, watched_send)
        if overflowed and not started:
            await self._refuse(scope, send)

    async def _refuse(self, scope, send) -> None:
        body, content_type = _too_large(scope["path"], scope["headers"])
        headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close")]  # fmt: skip
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
