from django.core.exceptions import RequestDataTooBig
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import bad_request as page_bad_request
from django.views.defaults import server_error as page_server_error
from django.views.i18n import JavaScriptCatalog

from . import redis_clients
from .documents import document
from .errors import error_body
from .keys import key_problem
from .workers import beat_state, live_workers


def _check_database() -> dict:
    """A write, not a read: a database that answers SELECT but cannot commit (a full disk, a file turned
    read-only, another writer holding SQLite's lock past its timeout) is not one the platform can work with.
    The write changes nothing: one row of Django's own migration table set to itself, committed."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE django_migrations SET app = app WHERE id = (SELECT MIN(id) FROM django_migrations)"
            )
        return {"ok": True}
    except Exception as error:
        return {
            "ok": False,
            "error": str(error).strip().splitlines()[0] if str(error).strip() else repr(error),
        }


def _check_redis() -> tuple[dict, dict[str, list[str]]]:
    """Redis's state and the live workers it knows, in one guarded step with a timeout: a frozen Redis made
    /healthz hang, and one that dropped between the ping and the workers' scan made it a 500."""
    try:
        client = redis_clients.checking_client()
        client.ping()
        return {"ok": True}, live_workers(client)
    except Exception as error:
        return {"ok": False, "error": str(error) or repr(error)}, {"cpu": [], "gpu": []}


def _check_key_and_beat() -> tuple[dict, dict]:
    """Whether this node signs with the key the other nodes use (core.keys), and the beat's last tick; a Redis
    that drops or freezes now says so (the check's timeout) instead of hanging or answering a 500."""
    try:
        client = redis_clients.checking_client()
        problem, beat = key_problem(client), beat_state(client)
    except Exception as error:
        return {"ok": False, "error": str(error) or repr(error)}, {"beat": None, "last_tick_s_ago": None}
    return ({"ok": True} if problem is None else {"ok": False, "error": problem}), beat


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: JSON under /api/ (what an API client can read), the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(_("Not found."), "not_found"), status=404)
    return render(request, "404.html", status=404)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 for what Django refuses before any view (a host not in ALLOWED_HOSTS, a malformed request), 413
    for a body over the limit that Django found (core.limits usually refuses it first). JSON under /api/."""
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse(error_body(_("The request is too large."), "too_large"), status=413)
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(_("Bad request."), "bad_request"), status=400)
    return page_bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: JSON under /api/ too (the site's page elsewhere)."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(_("Something went wrong on our side."), "error"), status=500)
    return page_server_error(request)


def ping(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers: the process answers. (/healthz says whether it can do its work.)"""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The state of the parts the platform needs: 200 when the database can write, Redis answers and this node
    signs with the other nodes' SECRET_KEY, else 503 naming the failing part. Workers and the beat are reported
    (a missing worker delays jobs; pages still work). Every question to Redis has a timeout."""
    database, (redis, workers) = _check_database(), _check_redis()
    extras = _check_key_and_beat() if redis["ok"] else ({"ok": True}, {"beat": None, "last_tick_s_ago": None})
    secret_key, beat = extras
    checks = (("database", database), ("redis", redis), ("secret_key", secret_key))
    failing = [name for name, check in checks if not check["ok"]]
    body = {
        "status": "ok" if not failing else "unavailable",
        "failing": failing,
        "database": database,
        "redis": redis,
        "secret_key": secret_key,
        "workers": {queue: {"count": len(names), "names": names} for queue, names in workers.items()},
        "beat": beat,
    }
    return JsonResponse(body, status=503 if failing else 200)


def javascript_catalog(request: HttpRequest) -> HttpResponse:
    """The translations the pages' scripts use, as a document: the same for every reader of a language, kept
    by the front and revalidated with a 304 (it changes only with the code)."""
    return document(request, lambda: JavaScriptCatalog.as_view()(request))
