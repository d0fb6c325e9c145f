from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import bad_request as page_bad_request
from django.views.defaults import server_error as page_server_error
from django.views.i18n import JavaScriptCatalog

from . import redis as redis_
from .documents import document
from .errors import error_body
from .keys import key_problem
from .workers import beat_state, live_workers


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as error:
        return {
            "ok": False,
            "error": str(error).strip().splitlines()[0] if str(error).strip() else repr(error),
        }


def _check_redis() -> dict:
    try:
        redis_.client().ping()
        return {"ok": True}
    except Exception as error:
        return {"ok": False, "error": str(error)}


def _check_secret_key() -> dict:
    """Whether this node signs with the key the other nodes use (core.keys)."""
    try:
        problem = key_problem()
    except Exception as error:
        return {"ok": False, "error": str(error)}
    return {"ok": True} if problem is None else {"ok": False, "error": problem}


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
    """The state of the parts the platform needs: 200 when the database and Redis answer and this node signs
    with the other nodes' SECRET_KEY, else 503 naming the failing part. Workers are reported per queue (a missing worker delays jobs; pages still work)."""
    database, redis = _check_database(), _check_redis()
    workers = live_workers() if redis["ok"] else {"cpu": [], "gpu": []}
    secret_key = _check_secret_key() if redis["ok"] else {"ok": True}
    checks = (("database", database), ("redis", redis), ("secret_key", secret_key))
    failing = [name for name, check in checks if not check["ok"]]
    body = {
        "status": "ok" if not failing else "unavailable",
        "failing": failing,
        "database": database,
        "redis": redis,
        "secret_key": secret_key,
        "workers": {queue: {"count": len(names), "names": names} for queue, names in workers.items()},
        "beat": beat_state() if redis["ok"] else {"beat": None, "last_tick_s_ago": None},
    }
    return JsonResponse(body, status=503 if failing else 200)


def javascript_catalog(request: HttpRequest) -> HttpResponse:
    """The translations the pages' scripts use, as a document: the same for every reader of a language, kept
    by the front and revalidated with a 304 (it changes only with the code)."""
    return document(request, lambda: JavaScriptCatalog.as_view()(request))
