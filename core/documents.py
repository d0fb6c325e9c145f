"""Pages that are one document for every reader, as documentation sites serve them.

A lesson, the course outline, a concept page and the FAQ are rendered for nobody in particular: no session,
no user, no CSRF token is read while rendering. The reader's own bits (name, progress, completion, the CSRF
token) come from `GET /api/me/` and are filled in by `static/js/reader.js`; the page reads and navigates
without it.

A document is named by its path, its language and two versions: the content's (changed by every save of
anything a page shows, see `bump_content_version`) and the code's (templates, catalogs, static files and lab
declarations, read once per process). That name is the ETag: a browser revalidates with a 304, a reverse
proxy or CDN may keep the page, and each process keeps the bytes it rendered.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from . import redis as redis_

CONTENT_VERSION = "content-version"
# What a page is made of besides the database: a change to any of these is a new code version.
CODE = ("templates", "locale", "static", "trainer/labs", "lessons/templatetags", "trainer/templatetags")


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
    """Every document gets a new name (and is rendered afresh on its next request)."""
    redis_.client().set(CONTENT_VERSION, secrets.token_hex(8))


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
    digest = hashlib.blake2b(digest_size=8)
    root = Path(settings.BASE_DIR)
    for folder in CODE:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def as_document(
    request: HttpRequest, template: str, context: Callable[[], dict], *, key: tuple = ()
) -> HttpResponse:
    """The page at this path in the request's language: 304 when the browser has it, the bytes this
    process kept when it has them, else `template` rendered with `context()` for an anonymous reader.
    `key` names whatever else the page depends on (nothing the reader is). `context()` raises Http404 for
    a page that does not exist (for everyone): a name it was never served under is never revalidated."""
    language = get_language() or settings.LANGUAGE_CODE
    name = repr((request.path, key, language, content_version(), code_version()))
    etag = '"' + hashlib.blake2b(name.encode(), digest_size=16).hexdigest() + '"'
    if etag in request.headers.get("If-None-Match", ""):
        response: HttpResponse = HttpResponseNotModified()
    else:
        kept = caches["local"]
        body = kept.get(etag)
        if body is None:
            nobody = {"user": AnonymousUser(), "csrf_token": "", "messages": (), "document": True}
            body = render(request, template, {**context(), **nobody}).content
            kept.set(etag, body, 3600)
        response = HttpResponse(body)
    response["ETag"] = etag
    # Anyone may keep it, and must ask again before using it: the ETag makes that a 304.
    response["Cache-Control"] = "public, no-cache"
    # The language comes from the Accept-Language header or the language cookie.
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response
