"""API tokens: DRF's, one per learner (a learner's notebook or script; several named tokens would need a model
of our own for little gain), made by `POST /api/token/`, revoked by `DELETE /api/token/`, from the tokens page,
and whenever the password changes. TOKEN_LIFETIME_DAYS, when set, ends them after that many days."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token


def expires_at(token: Token) -> datetime | None:
    days = settings.TOKEN_LIFETIME_DAYS
    return token.created + timedelta(days=days) if days > 0 else None


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's, refusing (and deleting) a token past its lifetime."""

    def authenticate_credentials(self, key: str):
        user, token = super().authenticate_credentials(key)
        end = expires_at(token)
        if end is not None and end <= timezone.now():
            token.delete()
            raise exceptions.AuthenticationFailed(_("This token has expired. Ask for a new one."))
        return user, token


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
def revoke_on_password_change(sender, instance: AbstractBaseUser, **kwargs) -> None:
    """Every way a password changes (the form, a reset link, the admin, `changepassword`) ends in
    set_password() and a save: a token made with the old password must not outlive it."""
    if instance.pk is not None and getattr(instance, "_password", None) is not None:
        tokens_revoke(user=instance)
