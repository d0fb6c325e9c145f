"""Changes to a learner's own account."""

from __future__ import annotations

from django.conf import settings

from .models import Preferences


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
