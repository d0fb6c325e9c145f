"""API tokens: DRF's, one per learner (a learner's notebook or script; several named tokens would need a model
of our own for little gain), made by `POST /api/token/`, revoked by `DELETE /api/token/`, from the tokens page,
and whenever the password changes. TOKEN_LIFETIME_DAYS, when set, ends them after that many days."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token


def expires_at(token: Token) -> datetime | None:
    days = settings.TOKEN_LIFETIME_DAYS
    return token.created + timedelta(days=days) if days > 0 else None


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's, refusing (and deleting) a token past its lifetime. The one check of a token: the API (DRF's
    authentication classes) and the event stream (`token_user`) both call it.

    A token's learner is answered in the language saved to their account (accounts.Preferences), over what an
    HTTP library sends by default; a language cookie, which only a browser that chose one sends, still wins."""

    def authenticate(self, request):
        found = super().authenticate(request)
        if found and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            saved = getattr(getattr(found[0], "preferences", None), "language", "")
            if saved:
                translation.activate(saved)
                request._request.LANGUAGE_CODE = saved
        return found

    def authenticate_credentials(self, key: str):
        user, token = super().authenticate_credentials(key)
        end = expires_at(token)
        if end is not None and end <= timezone.now():
            token.delete()
            raise exceptions.AuthenticationFailed(_("This token has expired. Ask for a new one."))
        return user, token


def token_user(request: HttpRequest) -> AbstractBaseUser | None:
    """The user of the request's `Authorization: Token …` header; None when it has none. Raises DRF's
    AuthenticationFailed for an unknown, expired or malformed token, or an inactive user, as the API does."""
    found = TokenAuthentication().authenticate(request)
    return found[0] if found else None


def token_create(*, user: AbstractBaseUser) -> Token:
    """The learner's token, a fresh one if theirs has expired."""
    token, _created = Token.objects.get_or_create(user=user)
    end = expires_at(token)
    if end is not None and end <= timezone.now():
        token.delete()
        token = Token.objects.create(user=user)
    return token


def tokens_revoke(*, user: AbstractBaseUser) -> int:
    return Token.objects.filter(user=user).delete()[0]


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def revoke_on_password_change(
    sender, instance: AbstractBaseUser, update_fields: frozenset[str] | None = None, **kwargs
) -> None:
    """Every way a password changes (the form, a reset link, the admin, `changepassword`) ends in a save of a
    new password hash: a token made with the old password must not outlive it. (A save of other fields
    only, such as the last log-in's time, cannot change it.)"""
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is not None and stored != instance.password:
        tokens_revoke(user=instance)
