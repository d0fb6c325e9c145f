"""Limits on password guesses that django-axes (one lock per username) does not cover: log-in failures per
address, across usernames (each try costs a full password hash and a row), and wrong old passwords on the
password-change form (a stolen session could otherwise test passwords without end). Counted in the cache
(Redis), in windows of AXES_COOLOFF_TIME."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest

from core.net import client_ip


def window_s() -> int:
    return round(settings.AXES_COOLOFF_TIME * 3600)


def _count(key: str) -> int:
    return cache.get(key, 0)


def _add(key: str) -> int:
    cache.add(key, 0, timeout=window_s())
    return cache.incr(key)


def _address_key(request: HttpRequest | None) -> str | None:
    address = client_ip(request) if request is not None else None
    return f"login-failures:{address}" if address else None


class AddressLimitBackend:
    """Placed before the backend that checks passwords: an address over LOGIN_FAILURES_PER_ADDRESS failed
    log-ins in the window is paused (django-axes' 429 and message) before any password is hashed. No
    get_user(): it never signs anyone in."""

    def authenticate(self, request: HttpRequest | None, **credentials):
        key = _address_key(request)
        if key and _count(key) >= settings.LOGIN_FAILURES_PER_ADDRESS:
            request.axes_locked_out = True  # AxesMiddleware answers with accounts.views.locked_out
            raise PermissionDenied
        return None


@receiver(user_login_failed)
def _count_failure(sender, credentials, request: HttpRequest | None = None, **kwargs) -> None:
    key = _address_key(request)
    if key:
        _add(key)


def _password_key(user) -> str:
    return f"password-change-failures:{user.pk}"


def password_change_paused(user) -> bool:
    return _count(_password_key(user)) >= settings.AXES_FAILURE_LIMIT


def password_change_failed(user) -> None:
    _add(_password_key(user))


def password_change_succeeded(user) -> None:
    cache.delete(_password_key(user))
