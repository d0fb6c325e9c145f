from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from core.readers import changes_readers

        from . import (
            guesses,  # noqa: F401  (connects the count of failed log-ins per address)
            tokens,  # noqa: F401  (connects the revocation of tokens on a password change)
        )
        from .models import Preferences

        changes_readers(get_user_model(), lambda user: user.pk)  # a name, staff or not, a password
        changes_readers(Preferences, lambda preferences: preferences.user_id)
