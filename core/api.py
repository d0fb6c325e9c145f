from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import UserError


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, plus UserError: its translated message as a 4xx, under the field it concerns."""
    if isinstance(exc, UserError):
        body = {exc.field: [exc.message]} if exc.field else {"detail": exc.message}
        return Response(body, status=exc.status_code)
    return drf_exception_handler(exc, context)
