"""Writes: a learner's own account: their preferences, and deleting the account with everything it holds."""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import Conflict, UserError
from trainer.models import Job
from trainer.services import job_cancel

from .models import Preferences
from .tokens import tokens_revoke


@transaction.atomic
def account_delete(*, user: AbstractBaseUser, password: str) -> None:
    """Deletes the account and all it holds (attempts and answers, runs, predictions, submissions, progress,
    ratings), after the learner confirms with their password (UserError otherwise, nothing deleted). Their
    token is revoked, their unfinished runs are cancelled first so no worker writes for a learner who is gone,
    and their event streams end (trainer.events stops following a job that no longer exists)."""
    if not isinstance(password, str) or not user.check_password(password):
        raise UserError(_("That is not your password; nothing was deleted."), field="password")
    for job in Job.objects.filter(owner=user, status__in=Job.ACTIVE):
        with contextlib.suppress(Conflict):  # it ended meanwhile
            job_cancel(job=job)
    tokens_revoke(user=user)
    user.delete()


def preferences_set(*, user, language: str | None = None, theme: str | None = None) -> Preferences:
    """Saves what the learner chose (None: unchanged). The values are checked by the caller's serializer or
    form; a language this platform does not offer is refused here too."""
    preferences = Preferences.of(user)
    if language is not None:
        if language and language not in dict(settings.LANGUAGES):
            raise ValueError(f"not a language of this platform: {language!r}")
        preferences.language = language
    if theme is not None:
        preferences.theme = Preferences.Theme(theme)
    preferences.save()
    return preferences
