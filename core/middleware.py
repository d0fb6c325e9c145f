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
