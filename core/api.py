from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import NotSignedIn, TooMany, UserError


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, plus the one mapping of UserError to an answer: its status, its message in the
    request's language under the field it concerns, its code (views never catch UserError themselves)."""
    if isinstance(exc, UserError):
        response = Response(exc.body(), status=exc.status_code)
        if isinstance(exc, TooMany):
            response["Retry-After"] = str(exc.retry_after)
        if isinstance(exc, NotSignedIn):
            response["WWW-Authenticate"] = "Token"
        return response
    return drf_exception_handler(exc, context)
