"""Pages that are one document for every reader, as documentation sites serve them.

A lesson, the course outline, a concept page, the concept map, the FAQ and a quiz's page are rendered for
nobody in particular: no session, no user, no CSRF token is read while rendering. The reader's own bits (name,
progress, completion, the CSRF token) come from `GET /api/me/` and are filled in by `static/js/reader.js`
(a quiz's attempts from its API, mastered concepts from theirs), in room the page keeps for them; the page
reads and navigates without it.

A document is named by its path, its language and two versions: the content's (changed by every save of
anything a page shows, see `renames_documents`) and the code's (a digest of the whole source tree, read once
per process). That name is the ETag: a browser revalidates with a 304, and a reverse
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
import io
import logging
import os
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from functools import cache
from pathlib import Path
from typing import NamedTuple

import redis.exceptions
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIRequest
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import parse_etags

from . import redis_clients
from .digests import files_digest
from .startup import safe_url

log = logging.getLogger(__name__)

CONTENT_VERSION = "content-version"
VERSION_HEADER = "X-Document-Version"  # from Django to the front, never sent on
MARK = VERSION_HEADER.lower().encode()
# The source tree is what a page is made of besides the database: every file in it, except these folders
# (installed packages, runtime data, caches, version control) and runtime files, by name or by ending.
NOT_SOURCE = {"node_modules", "var", "staticfiles", "tmp", "__pycache__"}
NOT_SOURCE_FILES = ("bench/results.json",)
NOT_SOURCE_ENDINGS = (".pyc", ".sqlite3", ".log")


# What a document is rendered for: nobody in particular.
NOBODY = {"user": AnonymousUser(), "csrf_token": "", "messages": (), "document": True}


def content_version() -> str:
    """The version of everything authors write. Kept in Redis for every process; if it is lost (a Redis
    restart without persistence) a new one is made, which only means every page is rendered once more."""
    client = redis_clients.client()
    version = client.get(CONTENT_VERSION)
    if version is None:
        client.set(CONTENT_VERSION, secrets.token_hex(8), nx=True)
        version = client.get(CONTENT_VERSION)
    return version


def bump_content_version() -> None:
    """Every document gets a new name (and is rendered afresh on its next request). Called after a commit:
    with Redis unreachable what was saved stays saved, and the one line below says what to do."""
    try:
        redis_clients.client().set(CONTENT_VERSION, secrets.token_hex(8))
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
    """A digest of the whole source tree (code, templates, catalogs, static files, lab declarations), so that
    any deploy renames every document, and the same on every machine with the same files. Computed once per
    process (at its first page: about a tenth of a second for the tree's 8 MB)."""
    return files_digest(source_files(), Path(settings.BASE_DIR))


def source_files() -> list[str]:
    """Every source file of the project, relative to its root and sorted: not what is installed (a
    virtualenv, node_modules), made at run time (settings.VAR_DIR, collected static files, caches) or hidden."""
    root = Path(settings.BASE_DIR)
    runtime = {
        Path(folder).resolve() for folder in (settings.VAR_DIR, settings.STATIC_ROOT, settings.MEDIA_ROOT)
    }
    found = []
    for folder, folders, files in os.walk(root):
        here = Path(folder)
        folders[:] = [
            name
            for name in folders
            if not name.startswith(".")
            and name not in NOT_SOURCE
            and (here / name).resolve() not in runtime
            and not (here / name / "pyvenv.cfg").exists()
        ]
        for name in files:
            relative = (here / name).relative_to(root).as_posix()
            if (
                not name.startswith(".")
                and not name.endswith(NOT_SOURCE_ENDINGS)
                and relative not in NOT_SOURCE_FILES
            ):
                found.append(relative)
    return sorted(found)


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
    not_modified = get_conditional_response(request, etag=etag)  # Django's own If-None-Match rules
    if not_modified is not None:
        response: HttpResponse = not_modified
    elif not settings.PAGES_FRONT:
        pages = caches["pages"]
        response = pages.get(etag)
        if response is None:
            response = respond()
            pages.set(etag, response)
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
        return await redis_clients.async_client().get(CONTENT_VERSION)
    except redis.exceptions.RedisError:
        return None


class Representation(NamedTuple):
    etag: str
    headers: list[tuple[bytes, bytes]]
    body: bytes


class Kept(NamedTuple):
    version: str
    plain: Representation
    gzipped: Representation  # compressed once, when kept: a page carries nothing of any one reader's

    @property
    def size(self) -> int:
        return len(self.plain.body) + len(self.gzipped.body)


def _representations(
    headers: list[tuple[bytes, bytes]], body: bytes
) -> tuple[Representation, Representation]:
    etag = dict(headers).get(b"etag", b'""')
    packed = gzip.compress(body, compresslevel=6, mtime=0)
    packed_etag = etag[:-1] + b'-gzip"'  # another representation, another strong ETag
    swapped = {b"etag": packed_etag, b"content-length": str(len(packed)).encode()}
    packed_headers = [(n, swapped.get(n, v)) for n, v in headers] + [(b"content-encoding", b"gzip")]
    return (
        Representation(etag.decode("latin-1"), headers, body),
        Representation(packed_etag.decode("latin-1"), packed_headers, packed),
    )


def accepts_gzip(header: str) -> bool:
    """Whether an Accept-Encoding header (repeated ones joined by commas, as Django joins them) takes gzip:
    named, or covered by `*`, with a weight above zero (RFC 9110 12.5.3; names and parameters in any case,
    any spacing). The one decision: the fronts and core.compression's middleware all ask this. Anything it
    cannot read refuses: an answer not compressed is right for everyone."""
    weights: dict[str, list[float]] = {}
    for coding in header.split(","):
        name, *params = (part.strip().lower() for part in coding.split(";"))
        weight = 1.0
        for param in params:
            key, _sep, value = (p.strip() for p in param.partition("="))
            if key == "q":
                try:
                    weight = float(value) if len(value) <= 5 else 0.0  # q=0.001 is the finest RFC 9110 allows
                except ValueError:
                    weight = 0.0
        if name:
            weights.setdefault(name, []).append(weight)
    chosen = weights.get("gzip", weights.get("x-gzip", weights.get("*", [0.0])))
    return min(chosen) > 0


def asgi_request(scope) -> ASGIRequest:
    """Django's own request for an ASGI scope, made as Django's ASGI handler makes it (repeated headers
    joined, cookies parsed): what a front reads, so that it reads every header exactly as Django will."""
    return ASGIRequest(scope, io.BytesIO())


def language_of(request: HttpRequest) -> str:
    """The language Django's LocaleMiddleware chooses for this request (its own function, on its own request)."""
    return translation.get_language_from_request(request)


def address(request: HttpRequest) -> tuple[str, str, str] | None:
    """What a page's address is made of (a page names its address, its canonical and language alternates): the
    scheme, host and path as Django reads them (its proxy settings included); None for a host Django refuses.
    A kept page is served only to a request with the same address, so a request Django would answer otherwise
    (a 400 for its host, a redirect to HTTPS) never finds one: Django never answered that address with a page."""
    try:
        return request.scheme, request.get_host(), request.path
    except DisallowedHost:
        return None


def capturing(send, mark: bytes, whole: Callable[[bytes, list[tuple[bytes, bytes]], bytes], Awaitable[None]]):
    """Django's `send`, for the fronts: a 200 that carries the header `mark` (from Django to a front, never sent
    on) is held back until it is whole, then given to `whole(mark's value, headers, body)`, which sends it;
    anything else passes as Django sends it. Header names in lower case, as HTTP/2 sends them."""
    held: dict = {}
    chunks: list[bytes] = []

    async def capturing_send(message: dict) -> None:
        if message["type"] == "http.response.start":
            headers = [(name.lower(), value) for name, value in message.get("headers", [])]
            value = dict(headers).get(mark)
            headers = [(name, v) for name, v in headers if name != mark]
            if value is not None and message["status"] == 200:
                held.update(value=value, headers=headers)
                return
            message = {**message, "headers": headers}
        elif message["type"] == "http.response.body" and held:
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                await whole(held["value"], held["headers"], b"".join(chunks))
            return
        await send(message)

    return capturing_send


async def answer(send, request: HttpRequest, representation: Representation) -> None:
    """A kept representation, or its 304 when the request names its ETag (Django's own ETag parsing)."""
    asked = parse_etags(request.headers.get("If-None-Match", ""))
    if representation.etag in asked or "*" in asked:
        skip = (b"content-length", b"content-type", b"content-encoding")
        head = [(n, v) for n, v in representation.headers if n not in skip]
        await send({"type": "http.response.start", "status": 304, "headers": head})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": 200, "headers": representation.headers})
    await send({"type": "http.response.body", "body": representation.body})


class DocumentFront:
    """The ASGI application in front of Django that keeps documents and serves them again (see above).

    A document is kept under the address Django read from the request that rendered it and the language its
    answer says it is in (Content-Language, set by LocaleMiddleware): what the copy is, never what a front
    guessed. A plain GET (no query string) finds it under the address and language Django's own functions read
    from Django's own request, while its content version is current; anything else goes to Django. So no
    request can make a copy that another reader gets in a language (or at an address) it was not rendered for.
    """

    def __init__(self, app, budget_bytes: int = 256 * 2**20) -> None:
        self.app = app
        self.budget_bytes = (
            budget_bytes  # the bodies kept, plain and gzipped: the least recently read go first
        )
        self.kept: OrderedDict[tuple[str, ...], Kept] = OrderedDict()
        self.kept_bytes = 0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope.get("query_string"):
            return await self.app(scope, receive, send)
        request = asgi_request(scope)
        where = address(request)
        if where is None:
            return await self.app(scope, receive, send)
        kept = self.kept.get((*where, language_of(request)))
        if kept is not None and kept.version == await _current_version():
            self.kept.move_to_end((*where, language_of(request)))
            return await self._serve(kept, request, send)

        async def keep(version: bytes, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
            fields = dict(headers)
            # A response that sets a cookie belongs to one reader: passed on, never kept for others.
            if b"set-cookie" not in fields and b"content-language" in fields:
                kept = Kept(version.decode(), *_representations(headers, body))
                self._keep((*where, fields[b"content-language"].decode("latin-1")), kept)
                return await self._serve(kept, request, send)
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capturing(send, MARK, keep))

    def _keep(self, key: tuple[str, ...], kept: Kept) -> None:
        if key in self.kept:
            self.kept_bytes -= self.kept.pop(key).size
        self.kept[key] = kept
        self.kept_bytes += kept.size
        while self.kept_bytes > self.budget_bytes and self.kept:
            self.kept_bytes -= self.kept.popitem(last=False)[1].size

    @staticmethod
    async def _serve(kept: Kept, request: HttpRequest, send) -> None:
        """Compressed to a browser that accepts gzip, from the first request on."""
        gzipped = accepts_gzip(request.headers.get("Accept-Encoding", ""))
        await answer(send, request, kept.gzipped if gzipped else kept.plain)
