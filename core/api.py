from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import NotSignedIn, TooMany, UserError, error_body


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, plus the one mapping of UserError to an answer: its status, its message in the
    request's language under the field it concerns, its code (views never catch UserError themselves).
    DRF's own errors about the request as a whole (not signed in, not allowed, throttled, unknown method)
    get the same body as every other error: their message and DRF's code for it."""
    if isinstance(exc, UserError):
        response = Response(exc.body(), status=exc.status_code)
        if isinstance(exc, TooMany):
            response["Retry-After"] = str(exc.retry_after)
        if isinstance(exc, NotSignedIn):
            response["WWW-Authenticate"] = "Token"
        return response
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, APIException) and isinstance(exc.detail, str):
        response.data = error_body(str(exc.detail), exc.detail.code or exc.default_code)
    return response
