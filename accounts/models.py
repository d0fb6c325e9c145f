"""What a learner chose once and keeps on every device they sign in on."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Preferences(models.Model):
    """The language of the learner's pages and e-mails, and the page's theme. An empty language follows the
    browser; the theme "system" follows the device's light or dark setting."""

    class Theme(models.TextChoices):
        SYSTEM = "system", _("As the device")
        LIGHT = "light", _("Light")
        DARK = "dark", _("Dark")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="preferences"
    )
    language = models.CharField(_("language"), max_length=10, blank=True, choices=settings.LANGUAGES)
    theme = models.CharField(_("theme"), max_length=6, choices=Theme.choices, default=Theme.SYSTEM)

    class Meta:
        verbose_name = _("preferences")
        verbose_name_plural = _("preferences")

    def __str__(self) -> str:
        return f"preferences of user {self.user_id}"

    @classmethod
    def of(cls, user) -> Preferences:
        """The learner's preferences, or the defaults (unsaved) if they never chose."""
        found = cls.objects.filter(user_id=user.pk).first()
        return found or cls(user_id=user.pk)
