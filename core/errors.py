"""The one family of errors a user can cause.

A service raises one of these before it changes anything. `core.api.exception_handler` turns it into the
API's answer (its status, its message in the request's language, its code); a page shows `.message` as a
form error. Whatever answers an error outside DRF (Django's error views, the ASGI parts) writes the same body
through `error_body`. A message may be given as a template with `params`: it is then rendered in whatever language is
active when it is read, so a code and its arguments can be stored and shown later to a reader of the other
language.
"""

from __future__ import annotations

from typing import Any


def error_body(message: str, code: str, **more: Any) -> dict[str, Any]:
    """The API's one shape of an error (the schema's `Error`): `{"detail": message, "code": code}`, plus
    whatever more an answer carries."""
    return {"detail": message, **more, "code": code}


class UserError(Exception):
    """Something a user asked for that cannot be done: a 400 unless a subclass says otherwise."""

    status_code = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        item: str | None = None,
        code: str | None = None,
        params: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.template = message
        self.field = field
        self.item = item  # a part of the field the message is about, e.g. one question of `answers`
        self.params = params or {}
        self.extra = extra or {}  # more of the answer's body, e.g. an error per hyperparameter
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        text = str(self.template)  # a lazy translation is read in the language active now
        return text % self.params if self.params else text

    def __str__(self) -> str:
        return self.message

    def body(self) -> dict[str, Any]:
        """The API's answer: DRF's shape (`{field: [message]}`, `{field: {item: [message]}}` or
        `{"detail": message}`) plus the code."""
        if self.field:
            body = {self.field: {self.item: [self.message]} if self.item else [self.message]}
            return {**body, **self.extra, "code": self.code}
        return error_body(self.message, self.code, **self.extra)


class NotAllowed(UserError):
    """The request is understood but this user may not do it now (e.g. no attempts left)."""

    status_code = 403
    code = "not_allowed"


class NotFound(UserError):
    """The thing asked for is not there (or not there for this user)."""

    status_code = 404
    code = "not_found"


class NotSignedIn(UserError):
    """Nobody is signed in and this needs someone: 401 with the API's challenge (`WWW-Authenticate: Token`),
    as DRF answers a request without credentials; 403 is for a known user who may not."""

    status_code = 401
    code = "not_authenticated"


class Conflict(UserError):
    """The thing is not in a state that allows this (e.g. cancelling a run that has ended)."""

    status_code = 409
    code = "conflict"


class TooMany(UserError):
    """A limit on how much or how often; the answer says when to try again."""

    status_code = 429
    code = "too_many"

    def __init__(self, message: str, *, retry_after: int = 30, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
