"""Pages and JSON compressed for browsers that accept gzip, except where compression could give a secret away.

BREACH reads a secret out of the size of compressed answers that also repeat text an attacker chose (every
page repeats its own URL). So an answer is compressed only when it holds no secret of its reader's: never
one that sets the CSRF cookie (Django sets it whenever the answer used the token: forms, `/api/me/`), never
an answer to anything but GET or HEAD (the API token comes from a POST), never a stream. What remains is
HTML, JSON and text of at least `SMALLEST` bytes: lessons' neighbours, the labs, the quizzes, the API's lists.

Documents (lessons, the outline, concepts, the FAQ) are compressed once by `core.documents.DocumentFront`,
static files once by collectstatic (WhiteNoise), and the event stream never: it is `text/event-stream`,
served in front of Django, and each event must reach the browser at once.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers

from .documents import VERSION_HEADER, accepts_gzip

SMALLEST = 500  # bytes: a smaller answer fits in one packet, compressed or not
TYPES = {"application/json", "application/javascript", "application/xml", "application/vnd.oai.openapi",
         "image/svg+xml"}  # fmt: skip


def compressible(content_type: str) -> bool:
    """Text a browser reads as it arrives whole: HTML, JSON, CSV, XML; not an event stream, not binary."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "text/event-stream":
        return False
    return media.startswith("text/") or media in TYPES or media.endswith(("+json", "+xml"))


class CompressionMiddleware(GZipMiddleware):
    """Django's GZipMiddleware, which also pads each compressed answer with up to 100 random bytes (Heal the
    BREACH), for the answers described above. It sits just below WhiteNoise (static files never reach it)
    and above every middleware that writes an answer's body."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if (
            request.method not in ("GET", "HEAD")
            or response.streaming
            or not compressible(response.get("Content-Type", ""))
            or len(response.content) < SMALLEST
            or settings.CSRF_COOKIE_NAME in response.cookies
            or response.has_header(VERSION_HEADER)  # a document: DocumentFront keeps and compresses it
        ):
            return response
        if not accepts_gzip(request.headers.get("Accept-Encoding", "")):
            # Django's own test finds "gzip" anywhere, `gzip;q=0` included; its Vary all the same.
            patch_vary_headers(response, ("Accept-Encoding",))
            return response
        return super().process_response(request, response)
