"""Pages that are one document for every reader, as documentation sites serve them.

A lesson, the course outline, a concept page, the concept map, the FAQ and a quiz's page are rendered for
nobody in particular: no session, no user, no CSRF token is read while rendering. The reader's own bits (name,
progress, completion, the CSRF token) come from `GET /api/me/` and are filled in by `static/js/reader.js`
(a quiz's attempts from its API, mastered concepts from theirs), in room the page keeps for them; the page
reads and navigates without it.

A document is named by its path, its language and two versions: the content's (changed by every save of
anything a page shows, see `renames_documents`) and the code's (templates, catalogs, static files and lab
declarations, read once per process). That name is the ETag: a browser revalidates with a 304, and a reverse
proxy or CDN may keep the page.

The server keeps them too. `DocumentFront` sits in front of Django in the ASGI application, as a caching
proxy would: it keeps each document Django answers (all its headers, as Django's middleware made them, and a
gzip copy made once) and serves the next request for it, or its 304, from the server's event loop without
entering Django, for as long as the content version it was rendered under is current. A page is safe to
compress because it holds nothing of any one reader's (other answers: core/compression.py).
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import secrets
from collections import OrderedDict
from collections.abc import Callable
from functools import cache
from typing import NamedTuple

import redis.exceptions
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.cookie import parse_cookie
from django.http.request import validate_host
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers

from . import redis as redis_
from .digests import files_digest
from .startup import safe_url

log = logging.getLogger(__name__)

CONTENT_VERSION = "content-version"
VERSION_HEADER = "X-Document-Version"  # from Django to the front, never sent on
MARK = VERSION_HEADER.lower().encode()
# What a page is made of besides the database: a change to any of these is a new code version.
CODE = (
    "templates",
    "locale",
    "static",
    "trainer/labs",
    "lessons/templatetags",
    "trainer/templatetags",
    "quizzes/templatetags",
    "core/templatetags",
    "lessons/conceptmap.py",  # the concept map's drawing
)


# What a document is rendered for: nobody in particular.
NOBODY = {"user": AnonymousUser(), "csrf_token": "", "messages": (), "document": True}


def content_version() -> str:
    """The version of everything authors write. Kept in Redis for every process; if it is lost (a Redis
    restart without persistence) a new one is made, which only means every page is rendered once more."""
    client = redis_.client()
    version = client.get(CONTENT_VERSION)
    if version is None:
        client.set(CONTENT_VERSION, secrets.token_hex(8), nx=True)
        version = client.get(CONTENT_VERSION)
    return version


def bump_content_version() -> None:
    """Every document gets a new name (and is rendered afresh on its next request). Called after a commit:
    with Redis unreachable what was saved stays saved, and the one line below says what to do."""
    try:
        redis_.client().set(CONTENT_VERSION, secrets.token_hex(8))
    except redis.exceptions.RedisError as error:
        log.warning(
            "Saved, but Redis at %s did not answer (%s): a running platform serves its pages as they were "
            "until it restarts. Beside `make run` this finds the platform's Redis by itself; elsewhere set "
            "REDIS_URL to the platform's Redis and run the command again.",
            safe_url(settings.REDIS_URL),
            error,
        )


def _changed(**_signal) -> None:
    # After the commit: a request served in between would keep the old text under the new name.
    transaction.on_commit(bump_content_version)


def renames_documents(*models: type[Model]) -> None:
    """Every save or delete of these models (course content that pages show) renames every document. Each
    app names its own content models. Bulk writes send no signal: the importers call
    `bump_content_version` themselves."""
    for model in models:
        post_save.connect(_changed, sender=model, weak=False)
        post_delete.connect(_changed, sender=model, weak=False)


@cache
def code_version() -> str:
    """A digest of the files a page is built from besides the database, so that a deploy renames every
    document (the same on every machine with the same files)."""
    return files_digest(CODE)


def as_document(
    request: HttpRequest, template: str, context: Callable[[], dict], *, key: tuple = ()
) -> HttpResponse:
    """The page at this path in the request's language: 304 when the browser has it, else `template`
    rendered with `context()` for an anonymous reader. `key` names whatever else the page depends on
    (nothing the reader is). `context()` raises Http404 for a page that does not exist (for everyone)."""
    return document(request, lambda: render(request, template, {**context(), **NOBODY}), key=key)


def document(request: HttpRequest, respond: Callable[[], HttpResponse], *, key: tuple = ()) -> HttpResponse:
    """`respond()`, a response that is the same for every reader of this path in this language, made a
    document: named, revalidated with a 304, and kept by `DocumentFront`."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    try:
        version = content_version()
    except redis.exceptions.RedisError:  # Redis is down: the page still reads, it is just not kept anywhere
        response = respond()
        response["Cache-Control"] = "no-store"
        return response
    name = repr((request.path, key, language, version, code_version()))
    etag = '"' + hashlib.blake2b(name.encode(), digest_size=16).hexdigest() + '"'
    if etag in request.headers.get("If-None-Match", ""):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = respond()
        response[VERSION_HEADER] = version  # for DocumentFront, which keeps it
    response["ETag"] = etag
    # Anyone may keep it, and must ask again before using it: the ETag makes that a 304.
    response["Cache-Control"] = "public, no-cache"
    # The language comes from the Accept-Language header or the language cookie; DocumentFront also
    # serves it compressed to a browser that accepts gzip.
    patch_vary_headers(response, ("Accept-Language", "Cookie", "Accept-Encoding"))
    return response


async def _current_version() -> str | None:
    """The content version, from the server's event loop; None while Redis does not answer (Django then
    serves the page, unkept)."""
    try:
        return await redis_.async_client().get(CONTENT_VERSION)
    except redis.exceptions.RedisError:
        return None


class Representation(NamedTuple):
    etag: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes


class Kept(NamedTuple):
    version: str
    plain: Representation
    gzipped: Representation  # compressed once, when kept: a page carries nothing of any one reader's


def _representations(
    headers: list[tuple[bytes, bytes]], body: bytes
) -> tuple[Representation, Representation]:
    etag = dict(headers).get(b"etag", b'""')
    packed = gzip.compress(body, compresslevel=6, mtime=0)
    packed_etag = etag[:-1] + b'-gzip"'  # another representation, another strong ETag
    swapped = {b"etag": packed_etag, b"content-length": str(len(packed)).encode()}
    packed_headers = [(n, swapped.get(n, v)) for n, v in headers] + [(b"content-encoding", b"gzip")]
    return Representation(etag, headers, body), Representation(packed_etag, packed_headers, packed)


def accepts_gzip(header: str) -> bool:
    """Whether an Accept-Encoding header takes gzip."""
    for coding in header.split(","):
        name, _sep, params = coding.partition(";")
        if name.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def as_django_would(scope, headers: dict[str, str]) -> bool:
    """Django would answer this itself, not with a 400 for its host or a redirect to HTTPS."""
    host = headers.get("host", "").lower()
    host = host if host.endswith("]") else host.rsplit(":", 1)[0]  # without its port
    allowed = settings.ALLOWED_HOSTS or ([".localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
    if not host or not validate_host(host, allowed):
        return False
    if getattr(settings, "SECURE_SSL_REDIRECT", False):
        proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        forwarded = proxy and headers.get(proxy[0].removeprefix("HTTP_").replace("_", "-").lower())
        return scope.get("scheme") == "https" or (bool(proxy) and forwarded == proxy[1])
    return True


class DocumentFront:
    """The ASGI application in front of Django that keeps documents and serves them again (see above).

    It serves only what Django would serve the same way: a plain GET (no query string) for an allowed host,
    on a scheme that needs no redirect, of a path whose document it kept for the same host and scheme (a page
    names its own address), in the language Django would choose for this request, under the current content
    version. Anything else goes to Django.
    """

    def __init__(self, app, size: int = 256) -> None:
        self.app = app
        self.size = size
        self.kept: OrderedDict[tuple[str, ...], Kept] = OrderedDict()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope.get("query_string"):
            return await self.app(scope, receive, send)
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        if not as_django_would(scope, headers):
            return await self.app(scope, receive, send)
        key = (scope["path"], language_of(headers), *_origin(scope, headers))
        kept = self.kept.get(key)
        if kept is not None and kept.version == await _current_version():
            self.kept.move_to_end(key)
            return await self._serve(kept, headers, send)
        await self.app(scope, receive, self._keeping(key, headers, send))

    async def _serve(self, kept: Kept, headers: dict[str, str], send) -> None:
        chosen = kept.gzipped if accepts_gzip(headers.get("accept-encoding", "")) else kept.plain
        if chosen.etag.decode() in headers.get("if-none-match", ""):
            skip = (b"content-length", b"content-type", b"content-encoding")
            head = [(n, v) for n, v in chosen.headers if n not in skip]
            await send({"type": "http.response.start", "status": 304, "headers": head})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": chosen.headers})
        await send({"type": "http.response.body", "body": chosen.body})

    def _keeping(self, key: tuple[str, ...], asked: dict[str, str], send):
        """Django's `send`, keeping a document as it passes (and never passing on the version header). A
        document is held back until it is whole, then served as a kept one is: compressed to a browser that
        accepts gzip, from the first request on."""
        start: dict = {}
        chunks: list[bytes] = []

        async def keeping_send(message: dict) -> None:
            if message["type"] == "http.response.start":
                # Header names in lower case, as HTTP/2 sends them (Django's keep their case).
                headers = [(name.lower(), value) for name, value in message.get("headers", [])]
                marked = dict(headers).get(MARK)
                headers = [(name, value) for name, value in headers if name != MARK]
                message = {**message, "headers": headers}
                # A response that sets a cookie belongs to one reader: passed on, never kept for others.
                own = any(name == b"set-cookie" for name, _value in headers)
                if marked is not None and message["status"] == 200 and not own:
                    start.update(version=marked.decode(), headers=headers)
                    return
            elif message["type"] == "http.response.body" and start:
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                kept = Kept(start["version"], *_representations(start["headers"], b"".join(chunks)))
                self.kept[key] = kept
                self.kept.move_to_end(key)
                while len(self.kept) > self.size:
                    self.kept.popitem(last=False)
                return await self._serve(kept, asked, send)
            await send(message)

        return keeping_send


def _origin(scope, headers: dict[str, str]) -> tuple[str, ...]:
    """What a page's own address is made of besides its path (a page names its address, its canonical and
    language alternates, core.languages): the scheme and the host, and the headers of a proxy that Django's
    settings say to believe about them."""
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    proto = headers.get(proxy[0].removeprefix("HTTP_").replace("_", "-").lower(), "") if proxy else ""
    host = headers.get("x-forwarded-host", "") if getattr(settings, "USE_X_FORWARDED_HOST", False) else ""
    return (scope.get("scheme", "http"), headers.get("host", "").lower(), proto, host)


class _Headers:
    """What `get_language_from_request` reads of a request: its cookies and its Accept-Language header."""

    def __init__(self, headers: dict[str, str]) -> None:
        self.COOKIES = parse_cookie(headers.get("cookie", ""))
        self.META = {"HTTP_ACCEPT_LANGUAGE": headers.get("accept-language", "")}


def language_of(headers: dict[str, str]) -> str:
    """The language Django's LocaleMiddleware chooses for these headers."""
    return translation.get_language_from_request(_Headers(headers))
