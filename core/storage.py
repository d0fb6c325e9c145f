"""What a learner may store in a day: every text they write (quiz answers, predictions, submissions) is
counted, in UTF-8 bytes as it will be stored, against LEARNER_STORAGE_PER_DAY. Rate limits bound how often a
learner writes; this bounds how much, so that one account cannot fill the disk (at the allowed rate, 20,000-
character essays came to 12-14 MB a minute)."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import TooMany


def stored_size(value: Any) -> int:
    """The bytes a value takes stored: JSON, as text (not \\uXXXX escapes)."""
    return len(json.dumps(value, ensure_ascii=False).encode())


def storage_charge(*, user: AbstractBaseUser, value: Any) -> None:
    """Counts `value` against the learner's budget for today (UTC), or raises TooMany (429, with the time
    until the budget starts again) and counts nothing."""
    size = stored_size(value)
    now = timezone.now()
    key = f"storage:{user.pk}:{now.date().isoformat()}"
    cache.add(key, 0, timeout=2 * 24 * 3600)
    used = cache.incr(key, size)
    if used > settings.LEARNER_STORAGE_PER_DAY:
        cache.decr(key, size)
        tomorrow = datetime.datetime.combine(
            now.date() + datetime.timedelta(days=1), datetime.time(), now.tzinfo
        )
        raise TooMany(
            _(
                "You have written %(used)d KB today, and this would pass your daily %(limit)d KB for answers "
                "and notes. Nothing was saved; you can write again tomorrow (from 00:00 UTC)."
            )
            % {"used": (used - size) // 1000, "limit": settings.LEARNER_STORAGE_PER_DAY // 1000},
            code="storage_budget",
            retry_after=max(1, int((tomorrow - now).total_seconds())),
        )
