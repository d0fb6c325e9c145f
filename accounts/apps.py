from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from . import tokens  # noqa: F401  (connects the revocation of tokens on a password change)
