"""A signed-in reader's `GET /api/me/`, kept for a minute and answered again without entering Django.

Every page is one document for everyone (core/documents.py) and asks `/api/me/` for the reader's own part, so a
signed-in reader's page costs a document plus this call. `ReaderFront` sits in front of Django in the ASGI
application, like `DocumentFront`: it keeps the answer Django gave (all its headers, as Django's middleware made
them) in Redis, named by the reader's own cookies (session and CSRF) and the language and encoding the answer
has, and answers the same browser, asking in that language and encoding, from it for a minute.

Kept only when nothing in it is read once (no waiting notices) and it sets no cookie, and only for a session
(never for an API token). It is never served once stale: each kept answer carries the reader's generation,
read before it was made, and every change to what it says (a lesson completed, a rating, a log-out, a
password or name change: `changes_readers`) moves the generation on, so an answer made before the change, even
one kept after it, is never served. What no signal tells (a session deleted on the server) lasts a minute at
most.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

import redis.exceptions
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse

from . import redis_clients
from .documents import accepts_gzip, address, asgi_request, capturing, language_of

PATH = "/api/me/"
SECONDS = 60  # the longest that a change no signal tells can go unseen
KEPT = "me:"  # + the name from the reader's cookies -> {"reader", "generation", "headers", "body"}
GENERATION = "me-generation:"  # + user id -> a counter, moved on by every change
MARK = b"x-reader-keep"  # from Django to the front ("<user id> <generation>"), never sent on


def keep_for(response: HttpResponse, user_id: int) -> None:
    """Lets the front keep this answer for its reader (called by the view, for a session's reader with no
    notices waiting). Without Redis it is simply not kept."""
    try:
        generation = redis_clients.client().get(f"{GENERATION}{user_id}") or "0"
    except redis.exceptions.RedisError:
        return
    response[MARK.decode()] = f"{user_id} {generation}"


def _moved_on(user_id: int | None) -> None:
    if user_id is not None:
        try:
            redis_clients.client().incr(f"{GENERATION}{user_id}")
        except redis.exceptions.RedisError:  # nothing can be served from Redis either while it is down
            pass


def changes_readers(model: type[Model], reader: Callable[[Model], int | None]) -> None:
    """Every save or delete of `model` changes what `/api/me/` says to the user `reader(instance)` names."""

    def changed(instance: Model, **_signal) -> None:
        user_id = reader(instance)
        transaction.on_commit(lambda: _moved_on(user_id))

    post_save.connect(changed, sender=model, weak=False)
    post_delete.connect(changed, sender=model, weak=False)


def _signed_in_or_out(user, **_signal) -> None:
    _moved_on(getattr(user, "pk", None))


user_logged_in.connect(_signed_in_or_out, weak=False)
user_logged_out.connect(_signed_in_or_out, weak=False)


def _name(request: HttpRequest, language: str, gzipped: bool) -> str | None:
    """The name of this browser's kept answer in `language`, compressed or not: its address and its session and
    CSRF cookies (as Django reads them); None when it cannot have one (no session, an API token, a notice waiting in the
    messages cookie)."""
    session = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    csrf = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    where = address(request)  # an answer Django gave at this scheme and host (never a redirect, never a 400)
    if (
        not session
        or not csrf
        or not where
        or "Authorization" in request.headers
        or request.COOKIES.get("messages")
    ):
        return None
    parts = (*where, session, csrf, language, str(gzipped))
    return KEPT + hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


def _resets(set_cookie: str, cookies: dict[str, str]) -> bool:
    """Whether a Set-Cookie header sets a cookie to what the browser already has: the same value, or none
    (the notices' cookie is deleted after every read of the notices)."""
    name, _sep, value = set_cookie.split(";", 1)[0].partition("=")
    value = value.strip().strip('"')
    return cookies.get(name.strip(), "") == value


class ReaderFront:
    """The ASGI application in front of Django that keeps each reader's `/api/me/` (see above). An answer is
    kept under the language and encoding it says it has (Content-Language, Content-Encoding), and found under
    those Django's own functions choose for Django's own request: a request cannot make an answer that its
    reader's next request gets in another language or encoding."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or scope["path"] != PATH
            or scope.get("query_string")
        ):
            return await self.app(scope, receive, send)
        request = asgi_request(scope)
        gzipped = accepts_gzip(request.headers.get("Accept-Encoding", ""))
        name = _name(request, language_of(request), gzipped)
        if name is None:
            return await self.app(scope, receive, send)
        try:
            kept = await self._current(name)
        except redis.exceptions.RedisError:
            return await self.app(scope, receive, send)
        if kept is None:
            return await self.app(scope, receive, capturing(send, MARK, self._keeping(request, send)))
        start = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in kept["headers"]]
        await send({"type": "http.response.start", "status": 200, "headers": start})
        await send({"type": "http.response.body", "body": kept["body"].encode("latin-1")})

    @staticmethod
    async def _current(name: str) -> dict | None:
        client = redis_clients.async_client()
        raw = await client.get(name)
        if raw is None:
            return None
        kept = json.loads(raw)
        generation = await client.get(f"{GENERATION}{kept['reader']}") or "0"
        return kept if generation == kept["generation"] else None

    @staticmethod
    def _keeping(request: HttpRequest, send):
        """What to do with Django's whole answer: send it, and keep it unless it sets a cookie to anything new
        (Django re-sets the CSRF cookie on every call, as it is)."""

        async def keep(mark: bytes, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            fields = dict(headers)
            new = any(
                n == b"set-cookie" and not _resets(v.decode("latin-1"), request.COOKIES) for n, v in headers
            )
            if new or b"content-language" not in fields:
                return
            language = fields[b"content-language"].decode("latin-1")
            name = _name(request, language, fields.get(b"content-encoding") == b"gzip")
            reader, generation = mark.decode().split()
            kept = {
                "reader": reader,
                "generation": generation,
                "headers": [(n.decode("latin-1"), v.decode("latin-1")) for n, v in headers],
                "body": body.decode("latin-1"),
            }
            try:
                await redis_clients.async_client().set(name, json.dumps(kept), ex=SECONDS)
            except redis.exceptions.RedisError:
                pass  # answered all the same; kept next time

        return keep
