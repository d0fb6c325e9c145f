"""A signed-in reader's `GET /api/me/`, kept for a minute and answered again without entering Django.

Every page is one document for everyone (core/documents.py) and asks `/api/me/` for the reader's own part, so a
signed-in reader's page costs a document plus this call. `ReaderFront` sits in front of Django in the ASGI
application, like `DocumentFront`: it keeps the answer Django gave (all its headers, as Django's middleware made
them) in Redis, named by the reader's own cookies (session and CSRF), their language and whether they accept
gzip, and answers the same browser from it for a minute.

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
from django.http import HttpResponse
from django.http.cookie import parse_cookie

from . import redis as redis_
from .documents import accepts_gzip, as_django_would, language_of

PATH = "/api/me/"
SECONDS = 60  # the longest that a change no signal tells can go unseen
KEPT = "me:"  # + the name from the reader's cookies -> {"reader", "generation", "headers", "body"}
GENERATION = "me-generation:"  # + user id -> a counter, moved on by every change
MARK = b"x-reader-keep"  # from Django to the front ("<user id> <generation>"), never sent on


def keep_for(response: HttpResponse, user_id: int) -> None:
    """Lets the front keep this answer for its reader (called by the view, for a session's reader with no
    notices waiting). Without Redis it is simply not kept."""
    try:
        generation = redis_.client().get(f"{GENERATION}{user_id}") or "0"
    except redis.exceptions.RedisError:
        return
    response[MARK.decode()] = f"{user_id} {generation}"


def _moved_on(user_id: int | None) -> None:
    if user_id is not None:
        try:
            redis_.client().incr(f"{GENERATION}{user_id}")
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


def _name(headers: dict[str, str]) -> str | None:
    """The name of this browser's kept answer: its session and CSRF cookies, its language, gzip or not; None
    when it cannot have one (no session, an API token, a notice waiting in the messages cookie)."""
    cookies = parse_cookie(headers.get("cookie", ""))
    session = cookies.get(settings.SESSION_COOKIE_NAME)
    csrf = cookies.get(settings.CSRF_COOKIE_NAME)
    if not session or not csrf or "authorization" in headers or cookies.get("messages"):
        return None
    parts = (session, csrf, language_of(headers), str(accepts_gzip(headers.get("accept-encoding", ""))))
    return KEPT + hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


def _resets(set_cookie: str, cookies: dict[str, str]) -> bool:
    """Whether a Set-Cookie header sets a cookie to what the browser already has: the same value, or none
    (the notices' cookie is deleted after every read of the notices)."""
    name, _sep, value = set_cookie.split(";", 1)[0].partition("=")
    value = value.strip().strip('"')
    return cookies.get(name.strip(), "") == value


class ReaderFront:
    """The ASGI application in front of Django that keeps each reader's `/api/me/` (see above)."""

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
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        name = _name(headers) if as_django_would(scope, headers) else None
        if name is None:
            return await self.app(scope, receive, send)
        cookies = parse_cookie(headers.get("cookie", ""))
        try:
            kept = await self._current(name)
        except redis.exceptions.RedisError:
            return await self.app(scope, receive, send)
        if kept is None:
            return await self.app(scope, receive, self._keeping(name, cookies, send))
        start = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in kept["headers"]]
        await send({"type": "http.response.start", "status": 200, "headers": start})
        await send({"type": "http.response.body", "body": kept["body"].encode("latin-1")})

    @staticmethod
    async def _current(name: str) -> dict | None:
        client = redis_.async_client()
        raw = await client.get(name)
        if raw is None:
            return None
        kept = json.loads(raw)
        generation = await client.get(f"{GENERATION}{kept['reader']}") or "0"
        return kept if generation == kept["generation"] else None

    def _keeping(self, name: str, cookies: dict[str, str], send):
        """Django's `send`, keeping the answer as it passes (and never passing on the mark). An answer that
        sets a cookie to anything new is not kept: Django re-sets the CSRF cookie on every call, as it is."""
        start: dict = {}
        chunks: list[bytes] = []

        async def keeping_send(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = [(n.lower(), v) for n, v in message.get("headers", [])]
                mark = dict(headers).get(MARK)
                headers = [(n, v) for n, v in headers if n != MARK]
                message = {**message, "headers": headers}
                new = any(
                    n == b"set-cookie" and not _resets(v.decode("latin-1"), cookies) for n, v in headers
                )
                if mark is not None and message["status"] == 200 and not new:
                    reader, generation = mark.decode().split()
                    start.update(reader=reader, generation=generation, headers=headers)
            elif message["type"] == "http.response.body" and start:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._keep(name, start, b"".join(chunks))
            await send(message)

        return keeping_send

    @staticmethod
    async def _keep(name: str, start: dict, body: bytes) -> None:
        kept = {
            "reader": start["reader"],
            "generation": start["generation"],
            "headers": [(n.decode("latin-1"), v.decode("latin-1")) for n, v in start["headers"]],
            "body": body.decode("latin-1"),
        }
        try:
            await redis_.async_client().set(name, json.dumps(kept), ex=SECONDS)
        except redis.exceptions.RedisError:
            pass  # answered all the same; kept next time
