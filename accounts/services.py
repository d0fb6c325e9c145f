"""Writes: deleting a learner's account with everything it holds."""

from __future__ import annotations

import contextlib

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import Conflict, UserError
from trainer.models import Job
from trainer.services import job_cancel

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
