from urllib.parse import unquote_to_bytes

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .errors import error_body


class DatabaseUnavailableMiddleware:
    """Answers 503 with a plain explanation while the database is down, instead of a 500 and a traceback.
    Nothing was written: the request's transaction, if any, never reached the database."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OperationalError | InterfaceError):
            if request.path.startswith("/api/"):
                message = _(
                    "The platform cannot reach its database right now. Nothing you did was lost or half-saved; "
                    "please try again in a minute."
                )
                response = JsonResponse(error_body(message, "unavailable"), status=503)
            else:
                response = render(request, "503.html", status=503)
            response["Retry-After"] = "10"
            return response
        return None


class QueryStringMiddleware:
    """Refuses, before any view reads it, an address whose path or query holds a NUL character (PostgreSQL
    cannot compare or store one: every ?q=, ?lab= or ?quiz= filter answered 500) or bytes that are not UTF-8
    (Django reads them as U+FFFD, so the filter would match something else than was asked). One place for
    every parameter of every page and API operation: a 400 in the reader's language, nothing run."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = unquote_to_bytes(request.META.get("QUERY_STRING", "").replace("+", " "))
        if "\x00" in request.path or b"\x00" in raw or not _utf8(raw):
            message = _("The address holds a NUL character or bytes that are not UTF-8 text.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "code": "invalid_query"}, status=400)
            return render(request, "400.html", {"message": message}, status=400)
        return self.get_response(request)


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
